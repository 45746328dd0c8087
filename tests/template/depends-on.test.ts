/**
 * Adding DependsOn edges safely: no duplicates, the template's string or list form kept, no edge
 * to a resource that may not exist when the source does (cfn-lint E3005), never a cycle (E3004).
 */
import { addDependsOn, type DependsOnOutcome } from '../../macro/template/depends-on';
import { deepClone, type Json, type JsonObject } from '../../macro/template/json';
import { TemplateModel } from '../../macro/template/model';

const CONDITIONS: JsonObject = {
  IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
  InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
  ProdInEu: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'InEu' }] },
  Strict: { 'Fn::And': [{ Condition: 'ProdInEu' }, { 'Fn::Equals': ['a', 'a'] }] },
  AliasOfProd: { Condition: 'IsProd' },
  ProdOrEu: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'InEu' }] },
  NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
};

/** A model of `Trail` (depends on nothing yet) and `TrailBucketPolicy`, plus any extra resources. */
function model(trail: JsonObject = {}, policy: JsonObject = {}, extra: JsonObject = {}): TemplateModel {
  return new TemplateModel({
    Parameters: { Env: { Type: 'String' } },
    Conditions: CONDITIONS,
    Resources: {
      Trail: { Type: 'AWS::CloudTrail::Trail', ...trail },
      TrailBucketPolicy: { Type: 'AWS::S3::BucketPolicy', ...policy },
      ...extra,
    },
  });
}

describe('addDependsOn: adding an edge', () => {
  test('a resource without DependsOn gets the target as a string', () => {
    // Prepare
    const m = model();

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
    expect(m.resource('Trail')?.DependsOn).toBe('TrailBucketPolicy');
  });

  test('a DependsOn string becomes a list of two', () => {
    // Prepare
    const m = model({ DependsOn: 'Logs' }, {}, { Logs: { Type: 'AWS::Logs::LogGroup' } });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
    expect(m.resource('Trail')?.DependsOn).toStrictEqual(['Logs', 'TrailBucketPolicy']);
  });

  test('a DependsOn list gets the target appended', () => {
    // Prepare
    const m = model({ DependsOn: ['Logs', 'Role'] }, {}, { Logs: { Type: 'AWS::Logs::LogGroup' }, Role: { Type: 'AWS::IAM::Role' } });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
    expect(m.resource('Trail')?.DependsOn).toStrictEqual(['Logs', 'Role', 'TrailBucketPolicy']);
  });

  test.each<[string, Json]>([
    ['a string', 'TrailBucketPolicy'],
    ['a list', ['Logs', 'TrailBucketPolicy']],
  ])('an edge already present in %s is not added again, and nothing changes', (_name, dependsOn) => {
    // Prepare
    const m = model({ DependsOn: dependsOn }, {}, { Logs: { Type: 'AWS::Logs::LogGroup' } });
    const before = deepClone(m.doc);

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'present' });
    expect(m.doc).toStrictEqual(before);
  });

  test('a resource is never made to depend on itself', () => {
    // Prepare
    const m = model();

    // Act
    const outcome = addDependsOn(m, 'Trail', 'Trail');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'self' });
    expect(m.resource('Trail')?.DependsOn).toBeUndefined();
  });

  test.each<[string, string, string]>([
    ['the target', 'Trail', 'Missing'],
    ['the source', 'Missing', 'TrailBucketPolicy'],
  ])('refuses when %s is not a resource', (_name, from, to) => {
    // Prepare
    const m = model();
    const before = deepClone(m.doc);

    // Act
    const outcome = addDependsOn(m, from, to);

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'missing' });
    expect(m.doc).toStrictEqual(before);
  });
});

describe('addDependsOn: conditions', () => {
  test('refuses an edge from an unconditional resource to a conditional one', () => {
    // Prepare
    const m = model({}, { Condition: 'IsProd' });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'conditional' });
    expect(m.resource('Trail')?.DependsOn).toBeUndefined();
  });

  test.each<[string, string]>([
    ['another condition', 'InEu'],
    ['an Fn::Or that includes it', 'ProdOrEu'],
    ['an Fn::Not of it', 'NotProd'],
  ])('refuses an edge to a conditional resource when the source condition is %s', (_name, sourceCondition) => {
    // Prepare
    const m = model({ Condition: sourceCondition }, { Condition: 'IsProd' });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'conditional' });
  });

  test.each<[string, string]>([
    ['the same condition', 'IsProd'],
    ['an Fn::And that includes it', 'ProdInEu'],
    ['an Fn::And that includes it through a named Condition', 'Strict'],
    ['a condition defined as a Condition reference to it', 'AliasOfProd'],
  ])('accepts an edge to a conditional resource when the source condition is %s', (_name, sourceCondition) => {
    // Prepare
    const m = model({ Condition: sourceCondition }, { Condition: 'IsProd' });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
    expect(m.resource('Trail')?.DependsOn).toBe('TrailBucketPolicy');
  });

  test('accepts an edge from a conditional resource to an unconditional one', () => {
    // Prepare
    const m = model({ Condition: 'IsProd' });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
  });
});

describe('addDependsOn: cycles', () => {
  test.each<[string, JsonObject]>([
    ['a Ref', { Properties: { Trail: { Ref: 'Trail' } } }],
    ['a GetAtt', { Properties: { TrailArn: { 'Fn::GetAtt': ['Trail', 'Arn'] } } }],
    ['a Sub', { Properties: { Name: { 'Fn::Sub': '${Trail}-policy' } } }],
    ['a DependsOn', { DependsOn: 'Trail' }],
    ['a reference inside a Fn::If', { Properties: { Trail: { 'Fn::If': ['IsProd', { Ref: 'Trail' }, { Ref: 'AWS::NoValue' }] } } }],
  ])('refuses an edge that would close a cycle through %s', (_name, policy) => {
    // Prepare
    const m = model({}, policy);
    const before = deepClone(m.doc);

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'cycle' });
    expect(m.doc).toStrictEqual(before);
  });

  test('refuses an edge that would close a cycle through another resource', () => {
    // Prepare: TrailBucketPolicy → Role → Trail.
    const m = model({}, { DependsOn: 'Role' }, { Role: { Type: 'AWS::IAM::Role', Properties: { Path: { 'Fn::Sub': '/${Trail.Arn}/' } } } });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'cycle' });
  });

  test('sees a reference written since the last check', () => {
    // Prepare
    const m = model();
    m.reaches('TrailBucketPolicy', 'Trail'); // caches the edges: none back to Trail yet
    m.set('TrailBucketPolicy', ['Properties', 'Trail'], { Ref: 'Trail' });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: false, reason: 'cycle' });
  });

  test('accepts an edge when the target already depends on something else', () => {
    // Prepare: TrailBucketPolicy → Bucket, and nothing leads back to Trail.
    const m = model({}, { Properties: { Bucket: { Ref: 'Bucket' } } }, { Bucket: { Type: 'AWS::S3::Bucket' } });

    // Act
    const outcome = addDependsOn(m, 'Trail', 'TrailBucketPolicy');

    // Assess
    expect(outcome).toStrictEqual<DependsOnOutcome>({ added: true });
  });
});
