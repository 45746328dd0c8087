/**
 * DESIGN.md invariant 4, replacement safety, tested by rules that try to break it: a rule may not
 * change a property of an input resource whose update the resource specification marks as
 * requiring replacement, unless it declares that write as its documented fix (`replaces`) or the
 * template sets `AllowReplacement: true`; either way the report says which resource an update
 * will replace.
 */
import { HardeningError } from '../../macro/engine/errors';
import { harden, type HardenInput } from '../../macro/engine/harden';
import type { Rule } from '../../macro/rules/types';
import type { JsonObject } from '../../macro/template/json';

function testRule(id: string, apply: NonNullable<Rule['apply']>, more: Partial<Rule> = {}): Rule {
  return { id, title: `Test rule ${id}`, rationale: 'Tries to replace a resource.', resourceTypes: ['AWS::S3::Bucket'], changes: [], references: [], apply, ...more };
}

/** names every bucket, which replaces a bucket that exists (BucketName: Update requires Replacement). */
const nameBuckets = testRule(
  'R-1',
  (bucket, ctx) => {
    if (bucket.properties.BucketName === undefined) ctx.set(bucket.id, ['Properties', 'BucketName'], { 'Fn::Sub': `\${AWS::StackName}-${bucket.id.toLowerCase()}` }, 'name the bucket');
  },
  { changes: ['AWS::S3::Bucket Properties.BucketName'] },
);

/** the same write, declared as the rule's documented fix. */
const nameBucketsDocumented = { ...nameBuckets, id: 'R-2', replaces: ['AWS::S3::Bucket Properties.BucketName'] };

/** turns versioning on, an update without interruption. */
const versionBuckets = testRule(
  'R-3',
  (bucket, ctx) => {
    if (bucket.properties.VersioningConfiguration === undefined) ctx.set(bucket.id, ['Properties', 'VersioningConfiguration'], { Status: 'Enabled' }, 'keep object versions');
  },
  { changes: ['AWS::S3::Bucket Properties.VersioningConfiguration'] },
);

/** creates a log bucket for every bucket and names it: a new resource has nothing to replace. */
const createNamedLogBuckets = testRule(
  'R-4',
  (bucket, ctx) => {
    if (bucket.id.endsWith('Logs')) return;
    const id = ctx.createResource(bucket.id, 'Logs', { Type: 'AWS::S3::Bucket' }, 'log bucket');
    ctx.set(id, ['Properties', 'BucketName'], { 'Fn::Sub': `\${AWS::StackName}-${id.toLowerCase()}` }, 'name the log bucket');
  },
  { changes: ['AWS::S3::Bucket'] },
);

/** enables Multi-AZ on databases, which the spec marks as replacing in some cases. */
const multiAz = testRule(
  'R-5',
  (db, ctx) => {
    if (db.properties.MultiAZ === undefined) ctx.set(db.id, ['Properties', 'MultiAZ'], true, 'standby in another zone');
  },
  { resourceTypes: ['AWS::RDS::DBInstance'], changes: ['AWS::RDS::DBInstance Properties.MultiAZ'] },
);

const bucket = (metadata?: JsonObject): JsonObject => ({ ...(metadata ? { Metadata: { TapHardening: metadata } } : {}), Resources: { Data: { Type: 'AWS::S3::Bucket' } } });

function failure(input: HardenInput): HardeningError {
  try {
    harden(input);
  } catch (error) {
    if (error instanceof HardeningError) return error;
    throw error;
  }
  throw new Error('expected harden to fail, but it returned a template');
}

describe('replacement safety (DESIGN.md invariant 4)', () => {
  test('a rule that changes a replacing property of an input resource fails the run, naming the rule, resource and path', () => {
    // Act
    const error = failure({ template: bucket(), rules: [nameBuckets] });
    // Assess
    expect(error.problems).toEqual([
      {
        rule: 'R-1',
        resource: 'Data',
        path: 'Properties.BucketName',
        message: 'changing BucketName replaces Data when the stack is updated (the resource specification marks AWS::S3::Bucket BucketName as requiring replacement): a rule must report this instead of changing it; set AllowReplacement: true in Metadata.TapHardening to accept the replacement',
      },
    ]);
  });

  test('it fails in report mode too: the rule is wrong whether or not its change is applied', () => {
    const error = failure({ template: bucket({ Mode: 'report' }), rules: [nameBuckets] });
    expect(error.problems.map((p) => `${p.rule} ${p.resource} ${p.path}`)).toEqual(['R-1 Data Properties.BucketName']);
  });

  test('a property the spec marks as replacing only in some cases counts as replacing', () => {
    // Prepare
    const template = { Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro' } } } };
    // Act
    const error = failure({ template, rules: [multiAz] });
    // Assess
    expect(error.problems[0]).toMatchObject({ rule: 'R-5', resource: 'Db', path: 'Properties.MultiAZ' });
    expect(error.problems[0].message).toContain('may replace Db');
  });

  test('AllowReplacement: true accepts the change and reports it as a warning', () => {
    // Act
    const result = harden({ template: bucket({ AllowReplacement: true }), rules: [nameBuckets] });
    // Assess
    expect(result.template.Resources).toMatchObject({ Data: { Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-data' } } } });
    expect(result.report.records).toContainEqual({
      rule: 'R-1',
      resource: 'Data',
      action: 'finding',
      path: 'Properties.BucketName',
      detail: 'changing BucketName replaces Data when the stack is updated (the template sets AllowReplacement: true)',
      severity: 'warning',
    });
  });

  test('a write the rule declares in replaces is accepted and reported as its documented fix', () => {
    const result = harden({ template: bucket(), rules: [nameBucketsDocumented] });
    expect(result.report.records).toContainEqual({
      rule: 'R-2',
      resource: 'Data',
      action: 'finding',
      path: 'Properties.BucketName',
      detail: "changing BucketName replaces Data when the stack is updated; the rule documents this as its fix",
      severity: 'info',
    });
  });

  test("another rule's declaration does not cover a write", () => {
    // Prepare: would both write BucketName; R-1 runs first and R-2 then finds it set.
    const error = failure({ template: bucket(), rules: [nameBuckets, nameBucketsDocumented] });
    expect(error.problems.map((p) => p.rule)).toEqual(['R-1']);
  });

  test('an update without interruption, and a replacing property of a resource the rules created, pass without a record', () => {
    // Act
    const result = harden({ template: bucket(), rules: [versionBuckets, createNamedLogBuckets] });
    // Assess
    expect(Object.keys(result.template.Resources as JsonObject)).toEqual(['Data', 'DataLogs']);
    expect(result.report.records.filter((r) => r.action === 'finding')).toEqual([]);
  });

  test('a property the input already had is not a change, whatever the rules rewrite around it', () => {
    const template = { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'data-bucket' } } } };
    const result = harden({ template, rules: [nameBuckets, versionBuckets] });
    expect(result.report.records.map((r) => `${r.rule} ${r.path}`)).toEqual(['R-3 Properties.VersioningConfiguration']);
  });

  test('AllowReplacement must be a boolean', () => {
    const error = failure({ template: bucket({ AllowReplacement: 'yes' }), rules: [nameBuckets] });
    expect(error.problems).toEqual([{ rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.AllowReplacement', message: 'must be true or false, not "yes"' }]);
  });
});
