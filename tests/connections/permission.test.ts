/**
 * The permission grant: a Lambda permission for the connection's principal, pinned to the one
 * source, created once; an existing permission that allows at least as much for exactly this
 * function counts, however it spells the function, the principal or the source.
 */
import { applyConnection } from '../../macro/connections/apply';
import { sourceArnOf } from '../../macro/connections/source-arn';
import type { ConnectionKind } from '../../macro/connections/types';
import { harden } from '../../macro/engine/harden';
import type { Rule } from '../../macro/rules/types';
import type { Json, JsonObject } from '../../macro/template/json';

const sub = (text: string) => ({ 'Fn::Sub': text });
const TOPIC_ARN = 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:alerts';

/** Topic → function through its Subscription list: the shape SNS-001 reads. */
const KIND: ConnectionKind = {
  id: 'test-topic-function',
  rule: 'TEST-001',
  principal: 'sns.amazonaws.com',
  title: 'test',
  references: [],
  grants: (c) => [{ to: 'permission', target: c.destination, principal: 'sns.amazonaws.com', detail: `let sns.amazonaws.com invoke ${c.destination} from ${c.source}` }],
};

const rule: Rule = {
  id: 'TEST-001',
  title: 'test',
  rationale: 'test',
  resourceTypes: ['AWS::SNS::Topic'],
  changes: ['AWS::Lambda::Permission', 'AWS::SNS::Topic DependsOn'],
  references: [],
  apply(topic, ctx) {
    const target = (topic.properties.Target as string | undefined) ?? 'Fn';
    applyConnection(ctx, KIND, { kind: KIND.id, rule: 'TEST-001', source: topic.id, destination: target, path: 'Properties.Subscription', principal: 'sns.amazonaws.com', sourceArn: sourceArnOf(ctx.model, topic.id), when: [] });
  },
};

function template(extra: JsonObject = {}, topic: JsonObject = { TopicName: 'alerts' }): JsonObject {
  return {
    Resources: {
      Alerts: { Type: 'AWS::SNS::Topic', Properties: topic },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'worker', Runtime: 'nodejs24.x', Handler: 'index.handler', Role: 'arn:aws:iam::111122223333:role/r', Code: { ZipFile: 'x' } } },
      ...extra,
    },
  };
}
const run = (t: Json) => harden({ template: t, rules: [rule], accountId: '111122223333' });
const permission = (props: JsonObject, condition?: string): JsonObject => ({ Type: 'AWS::Lambda::Permission', ...(condition ? { Condition: condition } : {}), Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 'sns.amazonaws.com', ...props } });
const permissionsOf = (t: Json) => Object.entries((t as { Resources: Record<string, JsonObject> }).Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');

describe('permission grant', () => {
  test('creates one permission pinned to the topic by its name, and a second run adds nothing', () => {
    // Act
    const first = run(template());
    // Assess
    expect(permissionsOf(first.template)).toEqual([
      ['AlertsFnInvokePermission', { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 'sns.amazonaws.com', SourceArn: sub(TOPIC_ARN) } }],
    ]);
    expect(first.report.connections?.[0]).toMatchObject({ status: 'added', added: ['permission AlertsFnInvokePermission: let sns.amazonaws.com invoke Fn from Alerts'] });
    const second = run(first.template);
    expect(permissionsOf(second.template)).toHaveLength(1);
    expect(second.report.connections?.[0]).toMatchObject({ status: 'present' });
  });

  test.each<[string, JsonObject]>([
    ['Ref to the function and the topic by Ref', { FunctionName: { Ref: 'Fn' }, SourceArn: { Ref: 'Alerts' } }],
    ['the function name as a literal, the principal with URLSuffix', { FunctionName: 'worker', Principal: sub('sns.${AWS::URLSuffix}'), SourceArn: sub(TOPIC_ARN) }],
    ['a Sub ARN of the function and a pattern over the stack topics', { FunctionName: sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}'), SourceArn: sub('arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:al*') }],
    ['no SourceArn, this account', { SourceAccount: { Ref: 'AWS::AccountId' } }],
    ['neither SourceArn nor SourceAccount (allows more, so it covers)', {}],
    ['lambda:* for any principal', { Action: 'lambda:*', Principal: '*' }],
  ])('an existing permission covers it: %s', (_, props) => {
    // Arrange
    const t = template({ Existing: permission(props) });
    // Act
    const { template: out, report } = run(t);
    // Assess
    expect(permissionsOf(out).map(([id]) => id)).toEqual(['Existing']);
    expect(report.connections?.[0]).toMatchObject({ status: 'present' });
  });

  test.each<[string, JsonObject]>([
    ['another topic', { SourceArn: sub('arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:other') }],
    ['another account', { SourceAccount: '999999999999' }],
    ['another principal', { Principal: 'events.amazonaws.com' }],
    ['an alias of the function', { FunctionName: sub('${Fn.Arn}:live') }],
    ['an organization condition', { PrincipalOrgID: 'o-abc' }],
  ])('a permission that is not for this connection does not count: %s', (_, props) => {
    const { template: out } = run(template({ Existing: permission(props) }));
    expect(permissionsOf(out).map(([id]) => id)).toEqual(['Existing', 'AlertsFnInvokePermission']);
  });

  test('a permission for exactly the alias the connection names counts, and the function one does not', () => {
    const alias = { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: '$LATEST', Name: 'live' } };
    const onAlias = permission({ FunctionName: sub('${Fn.Arn}:live'), SourceArn: { Ref: 'Alerts' } });
    expect(permissionsOf(run(template({ Live: alias, Existing: onAlias }, { TopicName: 'alerts', Target: 'Live' })).template)).toHaveLength(1);
    const onFunction = permission({ SourceArn: { Ref: 'Alerts' } });
    const out = run(template({ Live: alias, Existing: onFunction }, { TopicName: 'alerts', Target: 'Live' })).template as { Resources: Record<string, JsonObject> };
    expect(out.Resources.AlertsLiveInvokePermission).toMatchObject({ Properties: { FunctionName: { Ref: 'Live' } } });
  });

  test('a topic without a name: the fallback pattern, reported as a warning with the fix', () => {
    const { template: out, report } = run(template({}, {}));
    expect((out as { Resources: Record<string, JsonObject> }).Resources.AlertsFnInvokePermission).toMatchObject({ Properties: { SourceArn: sub('arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*') } });
    expect(report.records.find((r) => r.action === 'finding' && r.resource === 'Alerts')).toMatchObject({ severity: 'warning', hint: expect.stringContaining('give Alerts a TopicName') });
  });

  test('the new permission takes the stronger of the source and function conditions; none fits: a finding, nothing created', () => {
    const base = template();
    const res = base.Resources as Record<string, JsonObject>;
    const conditions = { A: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, B: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, AB: { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] } };
    const t1 = { Conditions: conditions, Resources: { ...res, Alerts: { ...res.Alerts, Condition: 'AB' }, Fn: { ...res.Fn, Condition: 'A' } } };
    expect((run(t1).template as { Resources: Record<string, JsonObject> }).Resources.AlertsFnInvokePermission).toMatchObject({ Condition: 'AB' });
    const t2 = { Conditions: conditions, Resources: { ...res, Alerts: { ...res.Alerts, Condition: 'A' }, Fn: { ...res.Fn, Condition: 'B' } } };
    const r2 = run(t2);
    expect(permissionsOf(r2.template)).toEqual([]);
    expect(r2.report.connections?.[0]).toMatchObject({ status: 'finding', reason: expect.stringContaining('Fn::And') });
  });

  test('an existing permission under a condition that may not hold when the connection does is not counted', () => {
    const t = { Conditions: { A: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } }, ...template({ Existing: permission({ SourceArn: { Ref: 'Alerts' } }, 'A') }) };
    expect(permissionsOf(run(t).template).map(([id]) => id)).toEqual(['Existing', 'AlertsFnInvokePermission']);
  });
});
