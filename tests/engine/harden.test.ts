/**
 * The engine as a rule author and a template owner meet it: options, suppressions, the report,
 * errors that name the rule and resource, the invariant checks, and the promises every run
 * keeps (input never mutated, deterministic, idempotent). Most tests run small rules defined
 * here, so they exercise the engine, not the S3 rules.
 */
import { HardeningError, type Problem } from '../../macro/engine/errors';
import { harden, type HardenInput } from '../../macro/engine/harden';
import { isChange, type ReportRecord } from '../../macro/report/records';
import { s3DefaultEncryption } from '../../macro/rules/s3-default-encryption';
import { s3PublicAccessBlock } from '../../macro/rules/s3-public-access-block';
import { s3TlsOnly } from '../../macro/rules/s3-tls-only';
import type { Rule } from '../../macro/rules/types';
import { deepClone, isObject, type Json, type JsonObject } from '../../macro/template/json';
import { VERSION } from '../../macro/version';

// ---------------------------------------------------------------------------------------------
// Small rules for the tests
// ---------------------------------------------------------------------------------------------

function testRule(id: string, apply: Rule['apply'], more: Partial<Rule> = {}): Rule {
  return { id, title: `Test rule ${id}`, rationale: 'Exercises the engine.', resourceTypes: ['AWS::SNS::Topic'], changes: [], references: [], apply, ...more };
}

/** T-1: encrypts topics that have no key, with the `TopicKey` setting or the AWS managed key. */
const encryptTopics = testRule(
  'T-1',
  (topic, ctx) => {
    if (topic.properties.KmsMasterKeyId !== undefined) return;
    const key = ctx.setting('TopicKey') ?? 'alias/aws/sns';
    ctx.set(topic.id, ['Properties', 'KmsMasterKeyId'], key, `encrypt with ${String(key)}`);
  },
  {
    changes: ['AWS::SNS::Topic Properties.KmsMasterKeyId'],
    settings: [
      {
        name: 'TopicKey',
        description: 'The key for topics.',
        parse(value) {
          if (typeof value === 'string' && value.startsWith('alias/')) return value;
          throw new Error('must be alias/<name>');
        },
      },
    ],
  },
);

/** T-2: gives every topic an archive queue (a new resource) that the topic may send to (a policy). */
const archiveTopics = testRule(
  'T-2',
  (topic, ctx) => {
    const queueId = `${topic.id}Archive`;
    if (!ctx.model.isResource(queueId)) {
      ctx.createResource(topic.id, 'Archive', { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } }, 'archive queue');
    }
    ctx.ensureStatement(
      'queue',
      queueId,
      {
        Sid: 'AllowTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topic.id } } },
      },
      'let the topic deliver',
    );
  },
  { changes: ['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy'] },
);

const TEST_RULES: readonly Rule[] = [encryptTopics, archiveTopics];

/** The S3 baseline rules, named here so these tests do not change as the registry grows. */
const S3_RULES: readonly Rule[] = [s3PublicAccessBlock, s3DefaultEncryption, s3TlsOnly];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Runs harden and returns the HardeningError it throws, failing the test otherwise. */
function failure(input: HardenInput): HardeningError {
  try {
    harden(input);
  } catch (error) {
    if (error instanceof HardeningError) return error;
    throw error;
  }
  throw new Error('expected harden to fail, but it returned a template');
}

/** The template without the report the engine writes (and the containers it created for it). */
function withoutReport(template: JsonObject): JsonObject {
  const out = deepClone(template);
  const meta = out.Metadata;
  if (isObject(meta) && isObject(meta.TapHardening)) {
    delete meta.TapHardening.Report;
    if (Object.keys(meta.TapHardening).length === 0) delete meta.TapHardening;
    if (Object.keys(meta).length === 0) delete out.Metadata;
  }
  return out;
}

function reportOf(template: JsonObject): Json | undefined {
  const meta = template.Metadata;
  return isObject(meta) && isObject(meta.TapHardening) ? meta.TapHardening.Report : undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function oneTopic(topic: JsonObject = {}, more: JsonObject = {}): JsonObject {
  return { ...more, Resources: { Alerts: { Type: 'AWS::SNS::Topic', ...topic } } };
}

// ---------------------------------------------------------------------------------------------

describe('harden: input and output', () => {
  test('never mutates its input, with test rules and with the S3 rules', () => {
    // Prepare
    const input = deepFreeze<JsonObject>({
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Metadata: { TapHardening: { Report: { Version: 'stale' } } },
      Resources: {
        Alerts: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
        Data: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'team', Value: 'data' }] } },
      },
    });
    const pristine = deepClone(input);

    // Act
    const withTestRules = harden({ template: input, rules: TEST_RULES });
    const withS3Rules = harden({ template: input, rules: S3_RULES });

    // Assess
    expect(input).toStrictEqual(pristine);
    expect([withTestRules.changed, withS3Rules.changed]).toStrictEqual([true, true]);
  });

  test('fix mode returns the hardened template with a compact report in its Metadata', () => {
    // Act
    const result = harden({ template: oneTopic(), rules: [encryptTopics] });

    // Assess
    expect(result.template).toStrictEqual({
      Resources: { Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } } },
      Metadata: {
        TapHardening: {
          Report: {
            Version: VERSION,
            Mode: 'fix',
            Rules: 'T-1',
            Changes: 1,
            Findings: 0,
            Suppressed: 0,
            Items: ['T-1 Alerts Properties.KmsMasterKeyId: added encrypt with alias/aws/sns'],
          },
        },
      },
    });
    expect(result.report).toStrictEqual({
      version: VERSION,
      mode: 'fix',
      rules: ['T-1'],
      records: [{ rule: 'T-1', resource: 'Alerts', action: 'added', path: 'Properties.KmsMasterKeyId', detail: 'encrypt with alias/aws/sns' }],
    });
    expect(result.changed).toBe(true);
  });

  test('report mode returns the input unchanged except Metadata.TapHardening.Report, and says what would change', () => {
    // Prepare
    const input = oneTopic({}, { Metadata: { TapHardening: { Mode: 'report' }, Owner: 'team-a' } });

    // Act
    const result = harden({ template: input, rules: TEST_RULES });

    // Assess
    expect(withoutReport(result.template)).toStrictEqual(input);
    expect(result.changed).toBe(true);
    expect(result.report.mode).toBe('report');
    expect(result.report.records.map((r) => `${r.rule} ${r.resource} ${r.action}`)).toStrictEqual([
      'T-1 Alerts added',
      'T-2 AlertsArchive created',
      'T-2 AlertsArchivePolicy created',
    ]);
    expect(reportOf(result.template)).toMatchObject({ Mode: 'report', Changes: 3 });
  });

  test.each<[string, Json]>([
    ['a stale report mapping', { Version: '0.0.1', Mode: 'report', Rules: 'OLD-1', Changes: 9, Items: ['stale'], Bogus: true }],
    ['a stale report that is not a mapping', 'hardened last week'],
  ])('writes the report afresh over %s, never reading it as options', (_name, stale) => {
    // Prepare
    const input = oneTopic({}, { Metadata: { TapHardening: { Report: stale } } });

    // Act
    const result = harden({ template: input, rules: [encryptTopics] });

    // Assess: fix mode ran (the stale Mode was not read), and the report is this run's.
    expect(result.report.mode).toBe('fix');
    expect(reportOf(result.template)).toStrictEqual({
      Version: VERSION,
      Mode: 'fix',
      Rules: 'T-1',
      Changes: 1,
      Findings: 0,
      Suppressed: 0,
      Items: ['T-1 Alerts Properties.KmsMasterKeyId: added encrypt with alias/aws/sns'],
    });
  });

  test('a fragment without Resources comes back deep-equal, as a copy, without a report', () => {
    // Prepare
    const input: JsonObject = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Metadata: { Owner: 'team-a' },
    };

    // Act
    const result = harden({ template: input, rules: TEST_RULES });

    // Assess
    expect(result.template).toStrictEqual(input);
    expect(result.template).not.toBe(input);
    expect(result.changed).toBe(false);
    expect(result.report.records).toStrictEqual([]);
  });

  test('the same input gives byte-identical JSON twice', () => {
    // Prepare
    const template = (): JsonObject => ({
      Resources: {
        Alerts: { Type: 'AWS::SNS::Topic' },
        Data: { Type: 'AWS::S3::Bucket' },
        Billing: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/billing' } },
      },
    });

    // Act
    const first = JSON.stringify(harden({ template: template(), rules: [encryptTopics, archiveTopics] }).template);
    const second = JSON.stringify(harden({ template: template(), rules: [encryptTopics, archiveTopics] }).template);
    const firstS3 = JSON.stringify(harden({ template: template(), rules: S3_RULES }).template);
    const secondS3 = JSON.stringify(harden({ template: template(), rules: S3_RULES }).template);

    // Assess
    expect(second).toBe(first);
    expect(secondS3).toBe(firstS3);
  });

  test.each<[string, readonly Rule[]]>([
    ['the test rules', TEST_RULES],
    ['the S3 rules', S3_RULES],
  ])('a second run with %s on the output records no change and changes nothing but the report', (_name, rules) => {
    // Prepare
    const input: JsonObject = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Resources: {
        Alerts: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
        Data: { Type: 'AWS::S3::Bucket', Condition: 'IsProd' },
        Logs: { Type: 'AWS::S3::Bucket' },
      },
    };
    const first = harden({ template: input, rules });

    // Act
    const second = harden({ template: first.template, rules });

    // Assess
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(second.report.records.filter(isChange)).toStrictEqual([]);
    expect(withoutReport(second.template)).toStrictEqual(withoutReport(first.template));
  });
});

describe('harden: options', () => {
  test.each<[string, string | undefined, JsonObject | undefined, 'fix' | 'report']>([
    ['the default is fix', undefined, undefined, 'fix'],
    ['the environment alone sets the mode', '{"Mode":"report"}', undefined, 'report'],
    ['the template wins over the environment', '{"Mode":"report"}', { Mode: 'fix' }, 'fix'],
    ['the template alone sets the mode', '', { Mode: 'report' }, 'report'],
  ])('mode: %s', (_name, defaults, options, expected) => {
    // Prepare
    const input = oneTopic({}, options ? { Metadata: { TapHardening: options } } : {});

    // Act
    const result = harden({ template: input, rules: [encryptTopics], ...(defaults !== undefined ? { defaults } : {}) });

    // Assess
    expect(result.report.mode).toBe(expected);
  });

  test('a rule setting from the template wins over the environment default', () => {
    // Prepare
    const fromEnv = oneTopic();
    const fromTemplate = oneTopic({}, { Metadata: { TapHardening: { TopicKey: 'alias/team' } } });

    // Act
    const envOnly = harden({ template: fromEnv, rules: [encryptTopics], defaults: '{"TopicKey":"alias/org"}' });
    const both = harden({ template: fromTemplate, rules: [encryptTopics], defaults: '{"TopicKey":"alias/org"}' });

    // Assess
    expect(envOnly.template.Resources).toStrictEqual({ Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/org' } } });
    expect(both.template.Resources).toStrictEqual({ Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/team' } } });
  });

  test('a rule switched off in the environment is switched back on by the template', () => {
    // Prepare
    const defaults = '{"Rules":{"T-1":false}}';

    // Act
    const off = harden({ template: oneTopic(), rules: TEST_RULES, defaults });
    const on = harden({ template: oneTopic({}, { Metadata: { TapHardening: { Rules: { 'T-1': true } } } }), rules: TEST_RULES, defaults });

    // Assess
    expect(off.report.rules).toStrictEqual(['T-2']);
    expect(off.report.records.some((r) => r.rule === 'T-1')).toBe(false);
    expect(on.report.rules).toStrictEqual(['T-1', 'T-2']);
    expect(on.report.records.filter((r) => r.rule === 'T-1')).toHaveLength(1);
  });

  test.each<[string, string | undefined, JsonObject, Problem]>([
    [
      'an unknown template option',
      undefined,
      { Bogus: 1 },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Bogus', message: 'is not a TapHardening option (known: Mode, Rules, ExternalKeys, AllowReplacement, TopicKey)' },
    ],
    [
      'an unknown environment option',
      '{"Bogus":1}',
      {},
      { rule: 'OPTIONS', resource: '-', path: 'TAP_HARDENING_DEFAULTS.Bogus', message: 'is not a TapHardening option (known: Mode, Rules, ExternalKeys, AllowReplacement, TopicKey)' },
    ],
    [
      'an unknown rule id',
      undefined,
      { Rules: { 'X-9': false } },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Rules.X-9', message: 'is not a rule id (known: T-1, T-2)' },
    ],
    [
      'a rule switch that is not a boolean',
      undefined,
      { Rules: { 'T-1': 'off' } },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Rules.T-1', message: 'must be true or false' },
    ],
    [
      'an unknown mode',
      undefined,
      { Mode: 'dry-run' },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Mode', message: 'must be "fix" or "report", not "dry-run"' },
    ],
    [
      'a setting value the rule does not accept',
      undefined,
      { TopicKey: 'my-key' },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.TopicKey', message: 'must be alias/<name>' },
    ],
    [
      'environment defaults that are not an object',
      '["Mode"]',
      {},
      { rule: 'OPTIONS', resource: '-', path: 'TAP_HARDENING_DEFAULTS', message: 'must be a JSON object' },
    ],
  ])('fails with an OPTIONS problem for %s', (_name, defaults, options, problem) => {
    // Prepare
    const input = oneTopic({}, { Metadata: { TapHardening: options } });

    // Act
    const error = failure({ template: input, rules: TEST_RULES, ...(defaults !== undefined ? { defaults } : {}) });

    // Assess
    expect(error.problems).toStrictEqual([problem]);
    expect(error.message).toBe(`1 error: OPTIONS - ${problem.path}: ${problem.message}`);
  });

  test.each<[string, JsonObject, string]>([
    ['no Reason', { Rule: 'T-1' }, ''],
    ['an empty Reason', { Rule: 'T-1', Reason: '   ' }, ' ("" has 0)'],
    ['a Reason too short to say why', { Rule: 'T-1', Reason: 'ok' }, ' ("ok" has 2)'],
  ])('a Skip with %s fails, naming the resource and the path', (_name, skip, seen) => {
    // Prepare
    const input = oneTopic({ Metadata: { TapHardening: { Skip: [skip] } } });

    // Act
    const error = failure({ template: input, rules: TEST_RULES });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: 'Alerts', path: 'Metadata.TapHardening.Skip[0].Reason', message: `skipping T-1 needs a Reason that says why: at least 10 letters or digits${seen}` },
    ]);
  });

  test('a Skip of a rule id that does not exist fails', () => {
    // Prepare
    const input = oneTopic({ Metadata: { TapHardening: { Skip: [{ Rule: 'X-9', Reason: 'not needed here' }] } } });

    // Act
    const error = failure({ template: input, rules: TEST_RULES });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: 'Alerts', path: 'Metadata.TapHardening.Skip[0].Rule', message: 'X-9 is not a rule id' },
    ]);
  });

  test('a Skip with a reason records suppressed, and the rule leaves that resource alone', () => {
    // Prepare
    const skipped = { Type: 'AWS::SNS::Topic', Metadata: { TapHardening: { Skip: [{ Rule: 'T-1', Reason: '  Subscribers decrypt nothing.  ' }] } } };
    const input: JsonObject = { Resources: { Alerts: skipped, Billing: { Type: 'AWS::SNS::Topic' } } };

    // Act
    const result = harden({ template: input, rules: [encryptTopics] });

    // Assess
    expect(result.report.records).toStrictEqual<ReportRecord[]>([
      { rule: 'T-1', resource: 'Alerts', action: 'suppressed', path: 'Metadata.TapHardening.Skip', detail: 'Subscribers decrypt nothing.' },
      { rule: 'T-1', resource: 'Billing', action: 'added', path: 'Properties.KmsMasterKeyId', detail: 'encrypt with alias/aws/sns' },
    ]);
    expect(result.template.Resources).toStrictEqual({
      Alerts: skipped,
      Billing: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
    });
    expect(reportOf(result.template)).toMatchObject({ Changes: 1, Suppressed: 1 });
  });
});

describe('harden: rules that fail', () => {
  const boom = testRule('T-BOOM', () => {
    throw new Error('boom');
  });

  test('a rule that throws a plain Error becomes a problem naming the rule and resource, never a crash', () => {
    // Act
    const error = failure({ template: oneTopic(), rules: [boom] });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([{ rule: 'T-BOOM', resource: 'Alerts', path: '-', message: 'internal error: boom' }]);
    expect(error.message).toBe('1 error: T-BOOM Alerts -: internal error: boom');
  });

  test('a rule that throws something other than an Error is reported the same way', () => {
    // Prepare
    const throwsText = testRule('T-TEXT', () => {
      throw 'not an error object';
    });

    // Act
    const error = failure({ template: oneTopic(), rules: [throwsText] });

    // Assess
    expect(error.message).toBe('1 error: T-TEXT Alerts -: internal error: not an error object');
  });

  test('ctx.fail ends the run with the rule, resource, path and message it gives', () => {
    // Prepare
    const refuses = testRule('T-FAIL', (topic, ctx) => ctx.fail(topic.id, 'Properties.KmsMasterKeyId', 'names a key that does not exist'));

    // Act
    const error = failure({ template: oneTopic(), rules: [refuses] });

    // Assess
    expect(error.message).toBe('1 error: T-FAIL Alerts Properties.KmsMasterKeyId: names a key that does not exist');
  });

  test('a rule that writes a path it did not declare in changes fails', () => {
    // Prepare
    const undeclared = testRule('T-1', (topic, ctx) => ctx.set(topic.id, ['Properties', 'TopicName'], 'alerts', 'name it'), {
      changes: ['AWS::SNS::Topic Properties.KmsMasterKeyId'],
    });

    // Act
    const error = failure({ template: oneTopic(), rules: [undeclared] });

    // Assess
    expect(error.message).toBe('1 error: T-1 Alerts -: internal error: T-1 wrote AWS::SNS::Topic Properties.TopicName, which it does not declare in its changes');
  });

  test('a rule that creates a resource of a type it did not declare fails', () => {
    // Prepare
    const undeclared = testRule('T-2', (topic, ctx) => {
      ctx.createResource(topic.id, 'Logs', { Type: 'AWS::Logs::LogGroup' }, 'logs');
    }, { changes: ['AWS::SQS::Queue'] });

    // Act
    const error = failure({ template: oneTopic(), rules: [undeclared] });

    // Assess
    expect(error.message).toBe('1 error: T-2 Alerts -: internal error: T-2 wrote AWS::Logs::LogGroup, which it does not declare in its changes');
  });

  test('two problems aggregate into one HardeningError, numbered in the order found', () => {
    // Prepare
    const input: JsonObject = { Resources: { Alerts: { Type: 'AWS::SNS::Topic' }, Billing: { Type: 'AWS::SNS::Topic' } } };

    // Act
    const error = failure({ template: input, rules: [boom] });

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe('2 errors: (1) T-BOOM Alerts -: internal error: boom (2) T-BOOM Billing -: internal error: boom');
  });
});

describe('harden: invariants', () => {
  test('a dependency cycle in the input fails, saying it was already in the input template', () => {
    // Prepare
    const input: JsonObject = {
      Resources: { Alerts: { Type: 'AWS::SNS::Topic', DependsOn: 'Worker' }, Worker: { Type: 'AWS::SQS::Queue', DependsOn: 'Alerts' } },
    };

    // Act
    const error = failure({ template: input, rules: [] });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'INVARIANT', resource: 'Alerts', path: 'DependsOn', message: 'dependency cycle Alerts → Worker → Alerts (already in the input template)' },
    ]);
  });

  test('a cycle closed by a rule writing DependsOn with ctx.set names that rule', () => {
    // Prepare
    const waitForWorker = testRule('T-CYCLE', (topic, ctx) => ctx.set(topic.id, ['DependsOn'], 'Worker', 'wait for the worker'), {
      changes: ['AWS::SNS::Topic DependsOn'],
    });
    const input: JsonObject = { Resources: { Alerts: { Type: 'AWS::SNS::Topic' }, Worker: { Type: 'AWS::SQS::Queue', DependsOn: 'Alerts' } } };

    // Act
    const error = failure({ template: input, rules: [waitForWorker] });

    // Assess
    expect(error.message).toBe('1 error: T-CYCLE Alerts DependsOn: dependency cycle Alerts → Worker → Alerts');
  });

  test('a cycle closed by a reference a rule writes names that rule', () => {
    // Prepare: the key's description already names the topic.
    const useTemplateKey = testRule('T-1', (topic, ctx) => ctx.set(topic.id, ['Properties', 'KmsMasterKeyId'], { Ref: 'TopicKey' }, 'use the template key'), {
      changes: ['AWS::SNS::Topic Properties.KmsMasterKeyId'],
    });
    const input: JsonObject = {
      Resources: {
        Alerts: { Type: 'AWS::SNS::Topic' },
        TopicKey: { Type: 'AWS::KMS::Key', Properties: { Description: { 'Fn::Sub': 'key for ${Alerts.TopicName}' } } },
      },
    };

    // Act
    const error = failure({ template: input, rules: [useTemplateKey] });

    // Assess
    expect(error.message).toBe('1 error: T-1 Alerts DependsOn: dependency cycle Alerts → TopicKey → Alerts');
  });

  test('ctx.dependsOn adds an edge and records it', () => {
    // Prepare
    const waitForWorker = testRule('T-DEP', (topic, ctx) => {
      ctx.dependsOn(topic.id, 'Worker', 'the worker must exist first');
    }, { changes: ['AWS::SNS::Topic DependsOn'] });
    const input: JsonObject = { Resources: { Alerts: { Type: 'AWS::SNS::Topic' }, Worker: { Type: 'AWS::SQS::Queue' } } };

    // Act
    const result = harden({ template: input, rules: [waitForWorker] });

    // Assess
    expect(result.template.Resources).toStrictEqual({ Alerts: { Type: 'AWS::SNS::Topic', DependsOn: 'Worker' }, Worker: { Type: 'AWS::SQS::Queue' } });
    expect(result.report.records).toStrictEqual<ReportRecord[]>([
      { rule: 'T-DEP', resource: 'Alerts', action: 'depends-on', path: 'DependsOn', detail: 'Worker: the worker must exist first' },
    ]);
  });

  test.each<[string, JsonObject, JsonObject, string]>([
    [
      'would close a cycle',
      {},
      { Worker: { Type: 'AWS::SQS::Queue', DependsOn: 'Alerts' } },
      'not made to depend on Worker (the worker must exist first): Worker already depends on Alerts, so the edge would close a cycle',
    ],
    [
      'points to a conditional resource',
      { Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } } },
      { Worker: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' } },
      "not made to depend on Worker (the worker must exist first): Worker has Condition IsProd, which Alerts's condition does not imply (cfn-lint E3005)",
    ],
  ])('ctx.dependsOn refuses an edge that %s, records a warning, and the run succeeds', (_name, sections, extra, detail) => {
    // Prepare
    const waitForWorker = testRule('T-DEP', (topic, ctx) => {
      ctx.dependsOn(topic.id, 'Worker', 'the worker must exist first');
    }, { changes: ['AWS::SNS::Topic DependsOn'] });
    const input: JsonObject = { ...sections, Resources: { Alerts: { Type: 'AWS::SNS::Topic' }, ...extra } };

    // Act
    const result = harden({ template: input, rules: [waitForWorker] });

    // Assess
    expect(withoutReport(result.template)).toStrictEqual(input);
    expect(result.changed).toBe(false);
    expect(result.report.records).toStrictEqual<ReportRecord[]>([
      { rule: 'T-DEP', resource: 'Alerts', action: 'finding', severity: 'warning', path: 'DependsOn', detail },
    ]);
  });

  test.each<[string, JsonObject, Problem]>([
    [
      'a Ref',
      { Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'MissingKey' } } } },
      { rule: 'INVARIANT', resource: 'Alerts', path: 'Properties', message: 'refers to MissingKey, which is not a resource, parameter or pseudo parameter of this template' },
    ],
    [
      'a GetAtt',
      { Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['MissingKey', 'Arn'] } } } },
      { rule: 'INVARIANT', resource: 'Alerts', path: 'Properties', message: 'refers to MissingKey.Arn, which is not a resource, parameter or pseudo parameter of this template' },
    ],
    [
      'a Sub',
      { Alerts: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${MissingName}-alerts' } } } },
      { rule: 'INVARIANT', resource: 'Alerts', path: 'Properties', message: 'refers to MissingName, which is not a resource, parameter or pseudo parameter of this template' },
    ],
    [
      'a DependsOn',
      { Alerts: { Type: 'AWS::SNS::Topic', DependsOn: ['MissingQueue'] } },
      { rule: 'INVARIANT', resource: 'Alerts', path: 'DependsOn', message: 'MissingQueue is not a resource in this template' },
    ],
  ])('a dangling reference through %s fails, naming the resource', (_name, resources, problem) => {
    // Act
    const error = failure({ template: { Resources: resources }, rules: [] });

    // Assess
    expect(error.problems).toStrictEqual([problem]);
  });

  test('a dangling reference in Outputs fails, naming the output', () => {
    // Prepare
    const input: JsonObject = { Resources: { Alerts: { Type: 'AWS::SNS::Topic' } }, Outputs: { QueueUrl: { Value: { Ref: 'MissingQueue' } } } };

    // Act
    const error = failure({ template: input, rules: [] });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'INVARIANT', resource: '-', path: 'Outputs.QueueUrl', message: 'refers to MissingQueue, which is not in this template' },
    ]);
  });

  test('a template of 501 resources fails; one of 500 passes', () => {
    // Prepare
    const topics = (count: number): JsonObject => {
      const resources: JsonObject = {};
      for (let i = 0; i < count; i++) resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic' };
      return { Resources: resources };
    };

    // Act
    const error = failure({ template: topics(501), rules: [] });
    const result = harden({ template: topics(500), rules: [] });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'INVARIANT', resource: '-', path: 'Resources', message: 'the template has 501 resources; CloudFormation allows 500' },
    ]);
    expect(Object.keys(result.template.Resources as JsonObject)).toHaveLength(500);
  });

  test('a resource Condition that is not defined in Conditions fails', () => {
    // Prepare
    const input = oneTopic({ Condition: 'IsProd' }, { Conditions: { IsDev: { 'Fn::Equals': ['a', 'b'] } } });

    // Act
    const error = failure({ template: input, rules: [] });

    // Assess
    expect(error.problems).toStrictEqual<Problem[]>([
      { rule: 'INVARIANT', resource: 'Alerts', path: 'Condition', message: 'IsProd is not defined in Conditions' },
    ]);
  });

  test('un-expanded SAM resources and Fn::ForEach loops pass through untouched, with ENGINE warnings and no dangling-reference failure', () => {
    // Prepare
    const handler: JsonObject = {
      Type: 'AWS::Serverless::Function',
      Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', CodeUri: 'src/', Events: { Alerts: { Type: 'SNS', Properties: { Topic: { Ref: 'Alerts' } } } } },
    };
    const loop: Json = ['Name', ['Orders', 'Billing'], { '${Name}Topic': { Type: 'AWS::SNS::Topic' } }];
    const input: JsonObject = {
      Resources: {
        Handler: handler,
        'Fn::ForEach::Topics': loop,
        Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
        // Names that SAM and the loop generate later: not dangling yet.
        Watcher: { Type: 'AWS::CloudWatch::Alarm', DependsOn: 'OrdersTopic', Properties: { AlarmActions: [{ Ref: 'OrdersTopic' }], Role: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } } },
      },
    };

    // Act
    const result = harden({ template: input, rules: [encryptTopics] });

    // Assess
    expect(withoutReport(result.template)).toStrictEqual(input);
    expect(result.report.records).toStrictEqual<ReportRecord[]>([
      {
        rule: 'ENGINE',
        resource: 'Fn::ForEach::Topics',
        action: 'finding',
        severity: 'warning',
        path: '',
        detail: 'Fn::ForEach is not expanded yet: list AWS::LanguageExtensions before TapHardening in Transform so the resources it generates are hardened',
      },
      {
        rule: 'ENGINE',
        resource: 'Handler',
        action: 'finding',
        severity: 'warning',
        path: 'Type',
        detail: 'AWS::Serverless::Function is not expanded yet: list TapHardening after AWS::Serverless-2016-10-31 in Transform so the resources SAM generates are hardened',
      },
    ]);
    expect(result.changed).toBe(false);
  });
});

describe('harden: new resources', () => {
  test('resources from ctx.createResource inherit the owner Condition, and so does the policy created for them', () => {
    // Prepare
    const input: JsonObject = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Resources: { Alerts: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' } },
    };

    // Act
    const result = harden({ template: input, rules: [archiveTopics] });

    // Assess
    const resources = result.template.Resources as JsonObject;
    expect(Object.keys(resources)).toStrictEqual(['Alerts', 'AlertsArchive', 'AlertsArchivePolicy']);
    expect(resources.AlertsArchive).toStrictEqual({ Type: 'AWS::SQS::Queue', Condition: 'IsProd', Properties: { MessageRetentionPeriod: 1209600 } });
    expect(Object.keys(resources.AlertsArchive as JsonObject)).toStrictEqual(['Type', 'Condition', 'Properties']);
    expect(resources.AlertsArchivePolicy).toMatchObject({ Type: 'AWS::SQS::QueuePolicy', Condition: 'IsProd', Properties: { Queues: [{ Ref: 'AlertsArchive' }] } });
    expect(result.report.records).toStrictEqual<ReportRecord[]>([
      { rule: 'T-2', resource: 'AlertsArchive', action: 'created', path: '', detail: 'archive queue' },
      { rule: 'T-2', resource: 'AlertsArchivePolicy', action: 'created', path: '', detail: 'AWS::SQS::QueuePolicy for AlertsArchive: let the topic deliver' },
    ]);
  });

  test('a resource from an unconditional owner has no Condition', () => {
    // Act
    const result = harden({ template: oneTopic(), rules: [archiveTopics] });

    // Assess
    expect((result.template.Resources as JsonObject).AlertsArchive).toStrictEqual({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } });
  });
});
