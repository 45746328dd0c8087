/**
 * The hook never throws and always answers in the Hooks response shape, whatever the request and
 * whatever the payload server sends: generated requests (fast-check), their payload URLs pointed
 * at a local https server that answers with generated bodies. No other network is touched: a URL
 * that is not the local server's is never https.
 */
import fc from 'fast-check';
import { createHookHandler } from '../../macro/hook';
import { startHttpsServer, type TestHttpsServer } from '../support/https-server';

let server: TestHttpsServer;
const bodies = new Map<string, string>();

beforeAll(async () => {
  server = await startHttpsServer({ '/p': (req, res) => res.end(bodies.get(new URL(req.url ?? '/', 'https://x').searchParams.get('id') ?? '') ?? '') });
});
afterAll(() => server.close());

const template = fc.oneof(
  fc.constant('Resources:\n  Data:\n    Type: AWS::S3::Bucket\n'),
  fc.constant('{"Transform": "TapHardening", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}'),
  fc.string(),
  fc.json(),
);
const body = fc.oneof(fc.record({ template, previousTemplate: fc.option(template) }).map((b) => JSON.stringify(b)), fc.json(), fc.string());
const point = fc.oneof(fc.constantFrom('CREATE_PRE_PROVISION', 'UPDATE_PRE_PROVISION', 'DELETE_PRE_PROVISION'), fc.anything());
const targetType = fc.oneof(fc.constantFrom('STACK', 'CHANGE_SET', 'AWS::S3::Bucket'), fc.anything());

test('every generated request gets an answer of the documented shape', async () => {
  const handler = createHookHandler({ fetch: { agent: server.agent, timeoutMs: 2000 }, env: {} });
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.option(fc.oneof(fc.string(), fc.anything()), { nil: undefined }),
      point,
      targetType,
      fc.oneof(body.map((b) => ({ local: b })), fc.string().map((s) => ({ other: s.replace(/https/gi, 'x') })), fc.anything().map((a) => ({ raw: a }))),
      fc.anything(),
      async (token, actionInvocationPoint, type, payload, noise) => {
        const id = String(n++);
        let url: unknown;
        if ('local' in payload) {
          bodies.set(id, payload.local);
          url = `${server.url}/p?id=${id}`;
        } else if ('other' in payload) url = payload.other;
        else url = typeof payload.raw === 'string' ? payload.raw.replace(/https/gi, 'x') : payload.raw;
        const event = { clientRequestToken: token, actionInvocationPoint, requestData: { targetType: type, payload: url }, noise };
        const r = await handler(event);
        expect(['SUCCESS', 'FAILED']).toContain(r.hookStatus);
        if (r.hookStatus === 'FAILED') expect(['NonCompliant', 'InternalFailure']).toContain(r.errorCode);
        expect(typeof r.message).toBe('string');
        expect(r.message.length).toBeLessThanOrEqual(4096);
        expect(r.clientRequestToken).toBe(typeof token === 'string' ? token : '');
        expect(() => JSON.stringify(r)).not.toThrow();
      },
    ),
    { numRuns: Number(process.env.FC_RUNS ?? 150) },
  );
});
