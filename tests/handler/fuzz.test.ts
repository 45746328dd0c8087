/**
 * The handler under arbitrary events, source (`macro/handler.ts`) and bundle (`dist/handler.js`)
 * alike: missing fields, wrong types, huge strings, deep nesting, `__proto__` / `constructor` /
 * `prototype` as keys and logical ids, non-object fragments, broken intrinsics, 1,000+ resources.
 * Whatever comes in, the handler answers `{requestId, status, fragment, errorMessage?}` with the
 * echoed requestId (or a failure that says there is none), never throws, never hangs (jest's
 * timeout bounds every case; nothing here measures time), leaves Object.prototype alone, does not
 * mutate the event, and its answer survives the JSON.stringify the Lambda runtime applies.
 *
 * Logging is on (into a muted stdout), so the logger's serialisation is fuzzed too.
 * `FC_RUNS=5000 npx jest tests/handler/fuzz` runs many more cases than the default.
 */
import fc from 'fast-check';
import { template } from '../support/arbitraries';
import { captureOutput } from '../support/captured-output';

type Handler = (event: unknown, context?: unknown) => Promise<Record<string, unknown>>;

// The handlers log at INFO, as in Lambda; their Logger is created when the module loads.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
/* eslint-disable @typescript-eslint/no-require-imports */
const HANDLERS: Array<[string, Handler]> = [
  ['macro/handler.ts', (require('../../macro/handler') as { handler: Handler }).handler],
  ['dist/handler.js', (require('../../dist/handler.js') as { handler: Handler }).handler],
];
/* eslint-enable @typescript-eslint/no-require-imports */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const RUNS = Number(process.env.FC_RUNS ?? 150);
const TIMEOUT = 600_000;

/** Everything the handler logs goes to stdout/stderr: collected, so the log lines can be checked. */
const logged = captureOutput();

// ---------------------------------------------------------------------------------------------
// Generators

/** Keys that are properties of every object: as keys they must stay plain data. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

/**
 * JSON text for an object whose entries are given as pairs, so that `__proto__` becomes an own
 * key once parsed (an object literal or an assignment would set the prototype instead).
 */
type Node = string | number | boolean | null | Node[] | { entries: Array<[string, Node]> };
function text(node: Node): string {
  if (Array.isArray(node)) return `[${node.map(text).join(',')}]`;
  if (node !== null && typeof node === 'object') return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(',')}}`;
  return JSON.stringify(node);
}
const obj = (entries: Array<[string, Node]>): Node => ({ entries });

const protoKey = fc.constantFrom(...PROTO_KEYS);
const anyKey = fc.oneof(protoKey, fc.constantFrom('Type', 'Properties', 'Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::If', 'Condition', 'DependsOn', 'Metadata', 'TapHardening'), fc.string({ maxLength: 6 }));

/** A JSON value with proto-named keys, as a pair tree. */
const protoNode: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.array(fc.tuple(anyKey, tie('node')), { maxLength: 4 }).map(obj),
  ),
})).node;

const RESOURCE_TYPES = ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::CloudTrail::Trail', 'AWS::ApiGateway::Stage', 'AWS::StepFunctions::StateMachine', 'AWS::IAM::Role', 'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::DynamoDB::Table', 'AWS::RDS::DBInstance'];

/**
 * A template whose logical ids, parameters, conditions and property keys are drawn from the
 * proto-named keys, with references between them, built with JSON.parse so they are own keys.
 */
const protoTemplate: fc.Arbitrary<unknown> = fc
  .record({
    ids: fc.uniqueArray(fc.oneof(protoKey, fc.constantFrom('Data', 'Key', 'Logs', 'Trail')), { minLength: 1, maxLength: 6 }),
    types: fc.array(fc.constantFrom(...RESOURCE_TYPES), { minLength: 6, maxLength: 6 }),
    props: fc.array(fc.array(fc.tuple(anyKey, protoNode), { maxLength: 3 }), { minLength: 6, maxLength: 6 }),
    refs: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    section: fc.array(fc.tuple(protoKey, protoNode), { maxLength: 3 }),
  })
  .map(({ ids, types, props, refs, section }) => {
    const resources = ids.map((id, i): [string, Node] => {
      const other = ids[refs[i] % ids.length];
      const entries: Array<[string, Node]> = [
        ['KmsKeyId', obj([['Fn::GetAtt', [other, 'Arn']]])],
        ['BucketName', obj([['Ref', other]])],
        ['Bucket', obj([['Fn::Sub', `\${${other}}`]])],
        ...props[i],
      ];
      const body: Array<[string, Node]> = [['Type', types[i]], ['Properties', obj(entries)]];
      if (refs[i] % 3 === 0) body.push(['DependsOn', other]);
      if (refs[i] % 4 === 1) body.push(['Condition', 'constructor']);
      if (refs[i] % 5 === 2) body.push(['Metadata', obj([['TapHardening', obj([['Skip', [obj([['Rule', 'S3-001'], ['Reason', 'a proto-named resource']])]]])]])]);
      return [id, obj(body)];
    });
    return JSON.parse(
      text(
        obj([
          ['Parameters', obj(section.map(([k]): [string, Node] => [k, obj([['Type', 'String'], ['Default', 'x']])]))],
          ['Conditions', obj([['constructor', obj([['Fn::Equals', ['a', 'a']]])], ...section])],
          ['Resources', obj(resources)],
          ['Outputs', obj(section.map(([k, v]): [string, Node] => [k, obj([['Value', v]])]))],
        ]),
      ),
    ) as unknown;
  });

/** A value nested `depth` levels, of one of the shapes a template can nest through. */
function nested(depth: number, shape: number): unknown {
  let v: unknown = { Ref: 'AWS::Region' };
  for (let i = 0; i < depth; i++) {
    switch (shape % 5) {
      case 0:
        v = [v];
        break;
      case 1:
        v = { Key: v };
        break;
      case 2:
        v = { 'Fn::If': ['IsProd', v, { Ref: 'AWS::NoValue' }] };
        break;
      case 3:
        v = { 'Fn::Join': ['', [v]] };
        break;
      default:
        v = { 'Fn::Sub': ['${X}', { X: v }] };
    }
  }
  return v;
}

/** A template with one deeply nested value somewhere in it (the deepest cases: 10,000+ levels). */
const deepTemplate: fc.Arbitrary<unknown> = fc
  .record({ depth: fc.oneof(fc.integer({ min: 990, max: 1010 }), fc.integer({ min: 3000, max: 12_000 })), shape: fc.nat(4), where: fc.nat(5) })
  .map(({ depth, shape, where }) => {
    const value = nested(depth, shape);
    const t: Record<string, unknown> = { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: {} } } };
    const data = (t.Resources as Record<string, { Properties: Record<string, unknown> }>).Data;
    switch (where) {
      case 0:
        data.Properties.Tags = value;
        break;
      case 1:
        data.Properties.BucketName = value;
        break;
      case 2:
        t.Metadata = { Notes: value };
        break;
      case 3:
        t.Outputs = { Deep: { Value: value } };
        break;
      case 4:
        t.Conditions = { IsProd: value };
        break;
      default:
        t.Resources = nested(depth, shape);
    }
    return t;
  });

/** Long strings of the shapes that make pattern matching slow: Sub placeholders, ARNs, wildcards. */
const hugeString = fc
  .record({ n: fc.integer({ min: 20_000, max: 200_000 }), shape: fc.nat(5) })
  .map(({ n, shape }) => ['x'.repeat(n), '${'.repeat(n / 2), `${':sqs:'.repeat(n / 5)}\${AWS::Region}`, `${'${!'.repeat(n / 3)}\${X`, 'a'.repeat(n) + '::', `arn:aws:s3:::${'*'.repeat(n)}`][shape]);

/** Templates carrying a huge string where rules read strings, and IAM wildcards that backtrack. */
const hugeTemplate: fc.Arbitrary<unknown> = fc.record({ s: hugeString, k: fc.integer({ min: 8, max: 16 }), where: fc.nat(6) }).map(({ s, k, where }) => {
  const action = `${'*?'.repeat(k)}*Z`;
  const resources: Record<string, unknown> = {
    Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: where === 0 ? s : 'data' } },
    DataPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: { Ref: 'Data' }, PolicyDocument: { Statement: [{ Effect: where === 1 ? 'Deny' : 'Allow', Principal: '*', Action: action, Resource: '*' }] } },
    },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: where === 2 ? s : 'logs', KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: action, Resource: '*' }] } } },
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: [action, `${'*?'.repeat(k)}*DescribeResourcePoliciesZ`], Resource: '*' }] } }] } },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, DefinitionString: '{}', LoggingConfiguration: { Level: 'ALL', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['Logs', 'Arn'] } } }] } },
    },
    Notified: { Type: 'AWS::S3::Bucket', Properties: { NotificationConfiguration: { QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: { 'Fn::Sub': s } }], TopicConfigurations: [{ Event: 's3:ObjectCreated:*', Topic: { 'Fn::Sub': s } }] } } },
  };
  if (where === 3) resources[`B${'x'.repeat(Math.min(s.length, 100_000))}`] = { Type: 'AWS::SNS::Topic' };
  if (where === 4) resources.Odd = { Type: s };
  if (where === 5) (resources.Data as Record<string, unknown>).DependsOn = s;
  if (where === 6) (resources.Data as Record<string, unknown>).Condition = s;
  return { Resources: resources };
});

/** A broken intrinsic: the right name, the wrong argument. */
const brokenIntrinsic = fc.constantFrom<unknown>(
  { Ref: 5 },
  { Ref: ['Data'] },
  { Ref: '__proto__' },
  { Ref: 'constructor' },
  { 'Fn::GetAtt': 'Data' },
  { 'Fn::GetAtt': ['Data'] },
  { 'Fn::GetAtt': [{ Ref: 'Data' }, 'Arn'] },
  { 'Fn::GetAtt': ['constructor', 'Arn'] },
  { 'Fn::Sub': [1] },
  { 'Fn::Sub': ['${Data.Arn}', 'not a map'] },
  { 'Fn::Sub': '${' },
  { 'Fn::Sub': '${}${!}${.}${Data.}' },
  { 'Fn::If': ['IsProd'] },
  { 'Fn::If': [5, 1, 2] },
  { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, { Ref: 'AWS::NoValue' }] },
  { 'Fn::Join': 5 },
  { 'Fn::Join': ['', 'x'] },
  { 'Fn::Select': ['a', 'b'] },
  { 'Fn::Select': [99, [1]] },
  { 'Fn::Select': [-1, [{ Ref: 'Data' }]] },
  { 'Fn::FindInMap': [] },
  { Condition: 5 },
  { Ref: 'AWS::NoValue' },
  { 'Fn::Transform': { Name: 'AWS::Include' } },
  {},
  [],
  null,
);

/**
 * A realistic template (the property suite's generator) with a few values replaced by wrong
 * types, proto-named objects or broken intrinsics, at random places.
 */
const mutatedTemplate: fc.Arbitrary<unknown> = fc
  .record({
    base: template(8),
    edits: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), brokenIntrinsic, protoNode.map((n) => JSON.parse(text(n)) as unknown))), { minLength: 1, maxLength: 4 }),
  })
  .map(({ base, edits }) => {
    const t = JSON.parse(JSON.stringify(base)) as unknown;
    for (const [at, value] of edits) {
      const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach((x, i) => (slots.push([v, i]), walk(x)));
        else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) (slots.push([v as Record<string, unknown>, k]), walk((v as Record<string, unknown>)[k]));
      };
      walk(t);
      if (!slots.length) continue;
      const [parent, key] = slots[at % slots.length];
      // A copy: the same constant inserted twice, once inside itself, would make a cycle, which
      // no parsed event can hold. (JSON keeps own `__proto__` keys.)
      const copy = value === undefined ? value : (JSON.parse(JSON.stringify(value)) as unknown);
      if (Array.isArray(parent)) parent[key as number] = copy;
      else Object.defineProperty(parent, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
    return t;
  });

/** A realistic mix of `n` resources: over CloudFormation's limit of 500 from n = 501. */
function manyResources(n: number, seed: number): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 0; Object.keys(resources).length < n; i++) {
    switch ((i + seed) % 5) {
      case 0:
        resources[`Data${i}`] = { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': `data-${i}-\${AWS::AccountId}` } } };
        break;
      case 1:
        resources[`Key${i}`] = { Type: 'AWS::KMS::Key' };
        resources[`Logs${i}`] = { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::GetAtt': [`Key${i}`, 'Arn'] } } };
        break;
      case 2:
        resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic' };
        break;
      case 3:
        resources[`Queue${i}`] = { Type: 'AWS::SQS::Queue', DependsOn: `Topic${i - 1}` };
        break;
      default:
        resources[`Table${i}`] = { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' } };
    }
  }
  return { Resources: resources };
}

const notAnObject = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }));

const fragment = fc.oneof(
  { arbitrary: template(10), weight: 3 },
  { arbitrary: mutatedTemplate, weight: 5 },
  { arbitrary: protoTemplate, weight: 3 },
  { arbitrary: notAnObject, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
);

const requestId = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 40 }), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>(undefined, '', '__proto__', 'constructor', 5, null, ['r'], { id: 'r' }), weight: 2 },
);

const wrong = fc.oneof(fc.jsonValue({ maxDepth: 2 }), protoNode.map((n) => JSON.parse(text(n)) as unknown));

/** An event with each field present or missing, right or of the wrong type. */
function eventWith(fragmentArb: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      region: fc.oneof(fc.constantFrom('us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', ''), wrong),
      accountId: fc.oneof(fc.constant('123456789012'), wrong),
      fragment: fragmentArb,
      transformId: fc.oneof(fc.constant('123456789012::TapHardening'), wrong),
      params: fc.oneof(fc.constant({}), wrong),
      requestId,
      templateParameterValues: fc.oneof(fc.constant({}), fc.dictionary(fc.oneof(protoKey, fc.constantFrom('Env', 'Name')), fc.oneof(fc.string(), fc.array(fc.string()), wrong))),
    },
    { requiredKeys: ['fragment'] },
  );
}

// ---------------------------------------------------------------------------------------------
// The contract

function protoSnapshot(): string {
  const describe = (o: object) =>
    Object.getOwnPropertyNames(o)
      .sort()
      .map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor;
        return `${k}:${typeof d.value}:${String(d.get ?? '')}`;
      })
      .join(',');
  return `${describe(Object.prototype)}|${describe(Array.prototype)}|${String(Object.getPrototypeOf(Object.prototype))}`;
}
const PRISTINE = protoSnapshot();

/** Serialises what can be serialised; deep values (which JSON.stringify cannot) compare by identity instead. */
function fingerprint(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

async function answer(handler: Handler, event: unknown): Promise<Record<string, unknown>> {
  const before = fingerprint(event);
  let response: Record<string, unknown>;
  try {
    response = await handler(event, { awsRequestId: 'fuzz' });
  } catch (e) {
    throw new Error(`the handler threw: ${e instanceof Error ? e.stack : String(e)}`);
  }
  // Assess: the response's shape and requestId.
  expect(Object.keys(response).sort()).toEqual(response.status === 'failure' ? ['errorMessage', 'fragment', 'requestId', 'status'] : ['fragment', 'requestId', 'status']);
  const ev = event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, unknown>) : undefined;
  const sent = typeof ev?.requestId === 'string' ? ev.requestId : '';
  expect(response.requestId).toBe(sent);
  expect(['success', 'failure']).toContain(response.status);
  if (response.status === 'failure') {
    expect(typeof response.errorMessage).toBe('string');
    expect((response.errorMessage as string).length).toBeGreaterThan(0);
    expect((response.errorMessage as string).length).toBeLessThanOrEqual(4000);
    // Every problem names where it is: `RULE RESOURCE PATH: what`.
    expect(response.errorMessage).toMatch(/^\d+ errors?: (\(1\) )?[A-Z][A-Z0-9,-]* /);
    // The depth limit keeps every recursive walk within the stack, and no rule crashes on odd
    // input: a template it cannot handle gets a message that says what to fix.
    expect(response.errorMessage).not.toMatch(/call stack|internal error/i);
  } else {
    expect(response.fragment).toEqual(expect.any(Object));
    expect(Array.isArray(response.fragment)).toBe(false);
  }
  if (sent === '') {
    expect(response.status).toBe('failure');
    expect(response.errorMessage).toMatch(ev ? /requestId/ : /EVENT/);
  }
  // The Lambda runtime serialises the answer; it must survive that.
  expect(() => JSON.stringify(response)).not.toThrow();
  // The event is not mutated; nothing reaches the prototypes.
  expect(fingerprint(event)).toBe(before);
  expect(protoSnapshot()).toBe(PRISTINE);
  expect(({} as Record<string, unknown>).Type).toBeUndefined();
  return response;
}

/** Both handlers answer, the same way. */
async function both(event: unknown): Promise<Record<string, unknown>> {
  const [source, built] = [await answer(HANDLERS[0][1], event), await answer(HANDLERS[1][1], event)];
  expect({ status: built.status, requestId: built.requestId }).toEqual({ status: source.status, requestId: source.requestId });
  // Every log line is one JSON object (what CloudWatch Logs Insights parses).
  for (const line of logged.join('').split('\n').filter((l) => l.trim() !== '')) expect(() => JSON.parse(line)).not.toThrow();
  logged.length = 0;
  return source;
}

// ---------------------------------------------------------------------------------------------

describe('the handler under fuzzed events', () => {
  test('answers every arbitrary value as an event, never throwing', async () => {
    await fc.assert(fc.asyncProperty(fc.anything({ withObjectString: true, withNullPrototype: true, withBoxedValues: true }), async (event) => void (await both(event))), { numRuns: RUNS });
  }, TIMEOUT);

  test('answers events with missing fields and wrong types', async () => {
    await fc.assert(fc.asyncProperty(eventWith(fragment), async (event) => void (await both(event))), { numRuns: RUNS * 4 });
  }, TIMEOUT);

  test('answers templates whose ids, keys, parameters and conditions are __proto__, constructor, prototype…', async () => {
    await fc.assert(
      fc.asyncProperty(eventWith(protoTemplate), async (event) => {
        const response = await both(event);
        // On success nothing is lost: every own key of the input is still an own key of the output.
        if (response.status === 'success') {
          const input = event.fragment as Record<string, unknown>;
          const output = response.fragment as Record<string, unknown>;
          for (const section of Object.keys(input)) {
            expect(Object.prototype.hasOwnProperty.call(output, section)).toBe(true);
            const inner = input[section];
            if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
              for (const k of Object.keys(inner)) expect(Object.prototype.hasOwnProperty.call(output[section], k)).toBe(true);
            }
          }
        }
      }),
      { numRuns: RUNS * 2 },
    );
  }, TIMEOUT);

  test('fails clearly, and answers, when a value nests 1,000 to 12,000 levels deep', async () => {
    await fc.assert(
      fc.asyncProperty(deepTemplate, async (fragment) => {
        const response = await both({ requestId: 'deep', fragment, region: 'us-east-1', accountId: '123456789012' });
        if (response.status === 'failure' && /nests more than/.test(String(response.errorMessage))) {
          expect(response.errorMessage).toMatch(/^1 error: TEMPLATE \S+ \S+…: nests more than 1000 levels deep/);
        }
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 5)) },
    );
  }, TIMEOUT);

  test('answers huge strings and backtracking wildcards without hanging', async () => {
    await fc.assert(fc.asyncProperty(hugeTemplate, async (fragment) => void (await both({ requestId: 'huge', fragment, region: 'us-east-1', accountId: '123456789012' }))), {
      numRuns: Math.max(10, Math.round(RUNS / 5)),
    });
  }, TIMEOUT);

  test('fails over 500 resources, naming the limit, with 1,000 to 2,000 resources', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1000, max: 2000 }), fc.nat(4), async (n, seed) => {
        const response = await both({ requestId: 'many', fragment: manyResources(n, seed), region: 'us-east-1', accountId: '123456789012' });
        expect(response.status).toBe('failure');
        expect(response.errorMessage).toMatch(/INVARIANT - Resources: the template has \d+ resources; CloudFormation allows 500/);
      }),
      { numRuns: 3 },
    );
  }, TIMEOUT);
});

describe('what the fuzzer found, pinned', () => {
  test('a fragment nested 10,000 levels fails with TEMPLATE, and the answer is serialisable', async () => {
    const response = await both({ requestId: 'r', fragment: { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { Tags: nested(10_000, 0) } } } } });
    expect(response).toMatchObject({ requestId: 'r', status: 'failure', errorMessage: '1 error: TEMPLATE Data Properties.Tags[0]…: nests more than 1000 levels deep; no CloudFormation template needs that many: flatten the value' });
    // Too deep to send back as it came.
    expect(response.fragment).toBeNull();
  });

  test('a fragment within the depth limit is echoed on failure, as before', async () => {
    const fragment = { Resources: { Data: { Type: 5, Properties: { Tags: nested(900, 1) } } } };
    const response = await both({ requestId: 'r', fragment });
    expect(response.status).toBe('failure');
    expect(response.fragment).toBe(fragment);
  });

  test('a 10,000-level transformId is not logged, so it cannot turn a success into a failure', async () => {
    const response = await both({ requestId: 'r', transformId: nested(10_000, 0), fragment: { Resources: { Data: { Type: 'AWS::SNS::Topic' } } } });
    expect(response.status).toBe('success');
  });

  test('a deeply nested list parameter value is not read as a parameter value', async () => {
    const response = await both({ requestId: 'r', templateParameterValues: { Env: nested(10_000, 0) }, fragment: { Parameters: { Env: { Type: 'String' } }, Resources: { Data: { Type: 'AWS::SNS::Topic' } } } });
    expect(response.status).toBe('success');
  });

  test.each([
    ['a Sub of 100,000 "${"', { 'Fn::Sub': '${'.repeat(100_000) }],
    ['a queue ARN with 40,000 ":sqs:"', { 'Fn::Sub': `${':sqs:'.repeat(40_000)}\${AWS::Region}` }],
  ])('%s is read in linear time (it took minutes)', async (_name, value) => {
    const fragment = { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: value, NotificationConfiguration: { QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: value }] } } } } };
    expect((await both({ requestId: 'r', fragment, region: 'us-east-1', accountId: '123456789012' })).status).toBe('success');
  });

  test('a role policy action "*?*?…*Z" does not backtrack (it took minutes per statement)', async () => {
    const action = `${'*?'.repeat(16)}*Z`;
    const fragment = {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup' },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] } }] } },
        Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, DefinitionString: '{}', LoggingConfiguration: { Level: 'ALL', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['Logs', 'Arn'] } } }] } } },
      },
    };
    expect((await both({ requestId: 'r', fragment, region: 'us-east-1', accountId: '123456789012' })).status).toBe('success');
  });

  test('a resource whose whole Properties is one Fn::If keeps them as they are, with a warning per property a rule would write, not a crash', async () => {
    const fragment = {
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::If': ['IsProd', { BucketName: 'prod-data' }, { Ref: 'AWS::NoValue' }] } } },
    };
    const response = await both({ requestId: 'r', fragment, region: 'us-east-1', accountId: '123456789012' });
    expect(response.status).toBe('success');
    const out = response.fragment as { Resources: Record<string, { Properties?: unknown }>; Metadata: { TapHardening: { Report: { Items: string[] } } } };
    // Its Properties come back as they were; what lies outside them (a separate bucket policy,
    // DeletionPolicy) is still hardened.
    expect(out.Resources.Data.Properties).toEqual(fragment.Resources.Data.Properties);
    expect(out.Metadata.TapHardening.Report.Items).toContainEqual(expect.stringMatching(/^S3-001 Data Properties.PublicAccessBlockConfiguration: warning not written, as Properties is one Fn::If computed at deploy time \(put the Fn::If around single property values to have them hardened\): block public access/));
    expect(out.Resources.DataPolicy).toBeDefined();
  });

  test('a key whose whole Properties is one Fn::If: its key policy is reported as not editable, not a crash', async () => {
    const policy = { 'Fn::If': ['IsProd', { EnableKeyRotation: true, KeyPolicy: { Statement: [] } }, { Ref: 'AWS::NoValue' }] };
    const fragment = {
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      // LOGS-001 would add a statement to the key's policy for the log group.
      Resources: { KeyOnIf: { Type: 'AWS::KMS::Key', Properties: policy }, Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::GetAtt': ['KeyOnIf', 'Arn'] } } } },
    };
    const response = await both({ requestId: 'r', fragment, region: 'us-east-1', accountId: '123456789012' });
    expect(response.status).toBe('success');
    const out = response.fragment as { Resources: Record<string, { Properties?: unknown }>; Metadata: { TapHardening: { Report: { Items: string[] } } } };
    expect(out.Resources.KeyOnIf.Properties).toEqual(policy);
    expect(out.Metadata.TapHardening.Report.Items).toContainEqual(expect.stringMatching(/^LOGS-001 KeyOnIf: warning cannot add .*its Properties are an intrinsic \(Fn::If\), computed at deploy time/));
  });

  test('logical ids named like Object.prototype members harden exactly as ordinary ids do', async () => {
    const named = (bucket: string, key: string, logs: string) =>
      JSON.parse(`{"Resources":{"${bucket}":{"Type":"AWS::S3::Bucket"},"${key}":{"Type":"AWS::KMS::Key"},"${logs}":{"Type":"AWS::Logs::LogGroup","Properties":{"KmsKeyId":{"Fn::GetAtt":["${key}","Arn"]}}}}}`) as unknown;
    const event = (fragment: unknown) => ({ requestId: 'r', fragment, region: 'us-east-1', accountId: '123456789012' });
    const odd = await both(event(named('constructor', 'prototype', 'toString')));
    const plain = await both(event(named('Bucket', 'Key', 'Logs')));
    const renamed = JSON.stringify(odd.fragment).replace(/constructor/g, 'Bucket').replace(/prototype/g, 'Key').replace(/toString/g, 'Logs');
    expect(JSON.parse(renamed)).toEqual(plain.fragment);
  });
});
