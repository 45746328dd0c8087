/**
 * The Lambda Hook end to end: every request in events/hook/ (shapes from the Hooks User Guide)
 * with its payload served by a local https server, through the source and the built bundle
 * (dist/hook.js). Golden responses in tests/hook/responses/; the assertions below say what each
 * must mean.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HookResponse, createHookHandler as CreateHookHandler } from '../../macro/hook';
import { harden } from '../../macro/engine/harden';
import { serializeTemplate } from '../../macro/template/yaml';
import { expectOrUpdateJson } from '../support/fixtures';
import { startHttpsServer, type TestHttpsServer } from '../support/https-server';

/* eslint-disable @typescript-eslint/no-require-imports */
const BUILDS: Array<[string, typeof CreateHookHandler]> = [
  ['macro/hook.ts', (require('../../macro/hook') as { createHookHandler: typeof CreateHookHandler }).createHookHandler],
  ['dist/hook.js', (require('../../dist/hook.js') as { createHookHandler: typeof CreateHookHandler }).createHookHandler],
];
/* eslint-enable @typescript-eslint/no-require-imports */

const EVENTS = path.join(__dirname, '../../events/hook');
const names = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
const extra: Record<string, string> = {};
let server: TestHttpsServer;
let served: string[] = [];

beforeAll(async () => {
  const routes: Parameters<typeof startHttpsServer>[0] = {};
  for (const f of readdirSync(path.join(EVENTS, 'payloads'))) {
    const body = readFileSync(path.join(EVENTS, 'payloads', f), 'utf8');
    routes[`/payloads/${f}`] = (req, res) => {
      served.push(req.url ?? '');
      res.end(body);
    };
  }
  routes['/slow'] = (_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(timer));
  };
  routes['/huge'] = (_req, res) => {
    res.writeHead(200);
    res.write('{"template": "');
    const chunk = 'x'.repeat(64 * 1024);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) {
        /* fill the socket */
      }
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
  routes['/extra'] = (req, res) => res.end(extra[new URL(req.url ?? '/', 'https://x').searchParams.get('name') ?? '']);
  server = await startHttpsServer(routes);
});
afterAll(() => server.close());
beforeEach(() => {
  served = [];
});

/** The event with its payload URL pointed at the local server, the query kept as a presigned URL has one. */
function localEvent(name: string): Record<string, unknown> {
  const event = JSON.parse(readFileSync(path.join(EVENTS, `${name}.json`), 'utf8'));
  if (typeof event.requestData?.payload === 'string') event.requestData.payload = `${server.url}/payloads/${name}.json?X-Amz-Signature=test`;
  return event;
}

const ENV = { TAP_HARDENING_MACRO_NAME: 'TapHardening' };
const NOW = () => new Date('2026-06-01T12:00:00Z');

describe.each(BUILDS)('%s', (build, createHookHandler) => {
  const handler = () => createHookHandler({ fetch: { agent: server.agent }, env: ENV, now: NOW });

  test.each(names)('%s answers as recorded', async (name) => {
    const response = await handler()(localEvent(name), { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 });
    expect(response).toEqual(expectOrUpdateJson(path.join(__dirname, 'responses', `${name}.json`), response));
    expect(response.message.length).toBeLessThanOrEqual(4096);
  });

  test('a template without Transform that the macro would change fails NonCompliant, saying to declare it', async () => {
    const r = await handler()(localEvent('stack-create-noncompliant'));
    expect(r).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: 'a1b2c3d4-0001-4000-8000-000000000001' });
    expect(r.message).toContain('does not declare Transform: TapHardening');
    expect(r.message).toContain('add TapHardening to Transform');
    expect(r.annotations?.length).toBeGreaterThan(0);
    for (const a of r.annotations ?? []) {
      expect(a).toEqual(expect.objectContaining({ annotationName: expect.any(String), status: expect.stringMatching(/^(FAILED|SKIPPED|PASSED)$/), statusMessage: expect.any(String), severityLevel: expect.stringMatching(/^(INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL)$/) }));
    }
    expect(r.annotations).toContainEqual(expect.objectContaining({ annotationName: 'S3-001 Uploads', status: 'FAILED', severityLevel: 'MEDIUM', remediationMessage: expect.stringContaining('declare Transform: TapHardening') }));
  });

  test('a template that declares the Transform and has no error findings succeeds', async () => {
    const r = await handler()(localEvent('stack-create-compliant'));
    expect(r).toMatchObject({ hookStatus: 'SUCCESS', clientRequestToken: 'a1b2c3d4-0002-4000-8000-000000000002' });
    expect(r.errorCode).toBeUndefined();
  });

  test('an error finding fails the stack even when the Transform is declared, error first', async () => {
    const r = await handler()(localEvent('stack-update-error-finding'));
    expect(r).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(r.message).toMatch(/^TapHardening: not compliant: 1 error finding to fix by hand: \[1\] RDS-001 Database/);
    expect(r.annotations?.[0]).toMatchObject({ annotationName: 'RDS-001 Database', status: 'FAILED', severityLevel: 'HIGH' });
  });

  test('a delete succeeds without fetching anything', async () => {
    const r = await handler()(localEvent('stack-delete'));
    expect(r).toMatchObject({ hookStatus: 'SUCCESS', clientRequestToken: 'a1b2c3d4-0004-4000-8000-000000000004' });
    expect(served).toEqual([]);
  });

  test('a change set is judged on the template in its payload', async () => {
    const r = await handler()(localEvent('change-set-create'));
    expect(served).toEqual(['/payloads/change-set-create.json?X-Amz-Signature=test']);
    expect(r.hookStatus).toBe('FAILED');
    expect(r.message).toContain('does not declare Transform: TapHardening');
  });

  test('the output of the macro, deployed without the Transform, passes', async () => {
    const source = JSON.parse(readFileSync(path.join(EVENTS, 'payloads/stack-create-noncompliant.json'), 'utf8')).template as string;
    const { parseTemplate } = await import('../../macro/template/yaml');
    const hardened = harden({ template: parseTemplate(source).value as never }).template;
    extra.hardened = JSON.stringify({ template: serializeTemplate(hardened, 'yaml'), previousTemplate: '' });
    const event = localEvent('stack-create-noncompliant');
    (event.requestData as Record<string, unknown>).payload = `${server.url}/extra?name=hardened`;
    const r = await handler()(event);
    expect(r).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(r.message).toContain('the macro would change nothing');
  });

  test('a locked setting the template changes fails it, naming the lock', async () => {
    const template = 'Transform: TapHardening\nMetadata:\n  TapHardening:\n    Mode: report\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n';
    extra.locked = JSON.stringify({ template, previousTemplate: '' });
    const event = localEvent('stack-create-noncompliant');
    (event.requestData as Record<string, unknown>).payload = `${server.url}/extra?name=locked`;
    const r = await createHookHandler({ fetch: { agent: server.agent }, env: { ...ENV, TAP_HARDENING_DEFAULTS: '{"Locked": ["Mode"]}' }, now: NOW })(event);
    expect(r).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(r.message).toContain('Mode is locked by the organisation');
    expect(r.annotations?.[0]).toMatchObject({ annotationName: 'OPTIONS (template)', severityLevel: 'HIGH' });
  });

  test('a Skip shows as a SKIPPED annotation with its reason', async () => {
    const template = 'Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Metadata:\n      TapHardening:\n        Skip:\n          - Rule: S3-001\n            Reason: Public download bucket, reviewed in SEC-1234\n';
    extra.skip = JSON.stringify({ template, previousTemplate: '' });
    const event = localEvent('stack-create-noncompliant');
    (event.requestData as Record<string, unknown>).payload = `${server.url}/extra?name=skip`;
    const r = await handler()(event);
    expect(r.annotations).toContainEqual({ annotationName: 'S3-001 Site', status: 'SKIPPED', statusMessage: 'Metadata.TapHardening.Skip: skipped: Public download bucket, reviewed in SEC-1234', severityLevel: 'INFORMATIONAL' });
  });

  test.each<[string, unknown, RegExp]>([
    ['not an object', 'hello', /^TapHardening hook: the hook request must be a JSON object$/],
    ['no clientRequestToken', { actionInvocationPoint: 'CREATE_PRE_PROVISION' }, /no clientRequestToken/],
    ['an unknown invocation point', { clientRequestToken: 't', actionInvocationPoint: 'LATER' }, /actionInvocationPoint must be one of/],
    ['no payload URL', { clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION', requestData: { targetType: 'STACK' } }, /requestData.payload must be the presigned URL of the stack payload/],
    // A gate must not pass what it cannot read: these were answered SUCCESS, as if a resource-level request.
    ['no requestData', { clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION' }, /requestData must be an object with a targetType/],
    ['requestData null', { clientRequestToken: 't', actionInvocationPoint: 'UPDATE_PRE_PROVISION', requestData: null }, /requestData must be an object with a targetType/],
    ['no targetType', { clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION', requestData: { payload: 'https://127.0.0.1:9/x' } }, /requestData.targetType must be a string \(STACK or CHANGE_SET\), not null/],
    ['a targetType that is not a string', { clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION', requestData: { targetType: ['STACK'] } }, /requestData.targetType must be a string \(STACK or CHANGE_SET\), not \["STACK"\]/],
    ['an http payload URL', { clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION', requestData: { targetType: 'STACK', payload: 'http://127.0.0.1:9/x?X-Amz-Signature=secret' } }, /must use https, not http \(http:\/\/127\.0\.0\.1:9\/x\)$/],
  ])('a malformed request (%s) is an InternalFailure with a message, never a throw', async (_name, event, message) => {
    const r = await handler()(event);
    expect(r.hookStatus).toBe('FAILED');
    expect(r.errorCode).toBe('InternalFailure');
    expect(r.message).toMatch(message);
    expect(r.message).not.toContain('secret');
  });

  test('a payload that is not JSON, or holds no template, is an InternalFailure', async () => {
    extra.text = 'not json';
    extra.empty = JSON.stringify({ template: '', previousTemplate: '' });
    for (const [name, message] of [['text', /is not JSON/], ['empty', /holds no template to evaluate/]] as const) {
      const event = localEvent('stack-create-noncompliant');
      (event.requestData as Record<string, unknown>).payload = `${server.url}/extra?name=${name}`;
      const r = await handler()(event);
      expect([r.hookStatus, r.errorCode]).toEqual(['FAILED', 'InternalFailure']);
      expect(r.message).toMatch(message);
    }
  });

  test('a resource-level request is not judged', async () => {
    const r = await handler()({ clientRequestToken: 't', actionInvocationPoint: 'CREATE_PRE_PROVISION', requestData: { targetType: 'AWS::S3::Bucket', targetModel: { resourceProperties: {} } } });
    expect(r).toEqual({ hookStatus: 'SUCCESS', message: 'TapHardening: only STACK and CHANGE_SET operations are evaluated, not AWS::S3::Bucket.', clientRequestToken: 't' } satisfies HookResponse);
  });

  test('a slow or huge payload is an InternalFailure within the bounds, not a hang or a crash', async () => {
    const slow = localEvent('stack-create-noncompliant');
    (slow.requestData as Record<string, unknown>).payload = `${server.url}/slow?X-Amz-Signature=secret`;
    const huge = localEvent('stack-create-noncompliant');
    (huge.requestData as Record<string, unknown>).payload = `${server.url}/huge?X-Amz-Signature=secret`;
    const bounded = createHookHandler({ fetch: { agent: server.agent, timeoutMs: 800, maxBytes: 512 * 1024 }, env: ENV, now: NOW });
    const [a, b] = [await bounded(slow), await bounded(huge)];
    expect(a).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure', message: `TapHardening hook: timed out after 800 ms fetching ${server.url}/slow` });
    expect(b).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure', message: 'TapHardening hook: the payload is over 524288 bytes; at most 524288 are read' });
  });

  test('the fetch gets what is left of the Lambda time, less what the engine needs', async () => {
    const slow = localEvent('stack-create-noncompliant');
    (slow.requestData as Record<string, unknown>).payload = `${server.url}/slow`;
    const r = await handler()(slow, { getRemainingTimeInMillis: () => 9_000 });
    expect(r.message).toBe(`TapHardening hook: timed out after 1000 ms fetching ${server.url}/slow`);
  });

  test(`${build} exports the handler Lambda runs`, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(build === 'dist/hook.js' ? '../../dist/hook.js' : '../../macro/hook') as { handler: unknown };
    expect(typeof mod.handler).toBe('function');
  });
});

test('the bundle carries no AWS SDK', () => {
  const bundle = readFileSync(path.join(__dirname, '../../dist/hook.js'), 'utf8');
  expect(bundle).not.toMatch(/require\("@aws-sdk\//);
  expect(bundle).not.toMatch(/@smithy\/|SignatureV4/);
});
