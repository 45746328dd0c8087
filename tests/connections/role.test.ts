/**
 * The role grant: a role of the template that a service assumes for a connection gets the
 * actions on the destination (inline, or in the attached policy of that name), and trusts the
 * service; what already allows it (inline, attached, an AWS managed policy, wildcards) counts; a
 * role outside the template is a finding naming what it needs.
 */
import { applyConnection } from '../../macro/connections/apply';
import type { ConnectionKind } from '../../macro/connections/types';
import { harden } from '../../macro/engine/harden';
import type { Rule } from '../../macro/rules/types';
import type { Json, JsonObject } from '../../macro/template/json';

const sub = (text: string) => ({ 'Fn::Sub': text });
const STREAMS = sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:trail-logs:log-stream:*');

/** Trail → CloudWatch Logs through its role: the shape CT-005 needs. */
const KIND: ConnectionKind = {
  id: 'test-trail-logs',
  rule: 'TEST-002',
  principal: 'cloudtrail.amazonaws.com',
  title: 'test',
  references: [],
  grants: (c, ctx) => [
    {
      to: 'role',
      owner: c.source,
      path: 'Properties.CloudWatchLogsRoleArn',
      value: ctx.model.get(c.source, ['Properties', 'CloudWatchLogsRoleArn']),
      statement: { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: STREAMS },
      request: { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [STREAMS] },
      policyName: 'CloudTrailLogsDelivery',
      trust: 'cloudtrail.amazonaws.com',
      caller: c.source,
      detail: `let CloudTrail write ${c.source}'s events to ${c.destination}`,
    },
  ],
};

const rule: Rule = {
  id: 'TEST-002',
  title: 'test',
  rationale: 'test',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::IAM::Role Properties.Policies', 'AWS::IAM::Role Properties.AssumeRolePolicyDocument', 'AWS::IAM::Policy Properties.PolicyDocument', 'AWS::CloudTrail::Trail DependsOn'],
  references: [],
  apply(trail, ctx) {
    applyConnection(ctx, KIND, { kind: KIND.id, rule: 'TEST-002', source: trail.id, destination: 'TrailLogs', path: 'Properties.CloudWatchLogsRoleArn', principal: 'cloudtrail.amazonaws.com', when: [] });
  },
};

const LAMBDA_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const TRAIL_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: sub('cloudtrail.${AWS::URLSuffix}') }, Action: 'sts:AssumeRole' }] };

function template(role: JsonObject, extra: JsonObject = {}, roleArn: Json = { 'Fn::GetAtt': ['LogsRole', 'Arn'] }): JsonObject {
  return {
    Resources: {
      Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { IsLogging: true, S3BucketName: 'b', CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': ['TrailLogs', 'Arn'] }, CloudWatchLogsRoleArn: roleArn } },
      TrailLogs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'trail-logs' } },
      LogsRole: { Type: 'AWS::IAM::Role', Properties: role },
      ...extra,
    },
  };
}
const run = (t: Json) => harden({ template: t, rules: [rule] });
const resources = (t: Json) => (t as { Resources: Record<string, JsonObject> }).Resources;
const allow = (actions: string[], resource: Json) => ({ Effect: 'Allow', Action: actions, Resource: resource });

describe('role grant', () => {
  test('adds the trust and an inline policy; a second run adds nothing', () => {
    // Act
    const first = run(template({ AssumeRolePolicyDocument: LAMBDA_TRUST }));
    // Assess
    const role = resources(first.template).LogsRole.Properties as JsonObject;
    expect(role.AssumeRolePolicyDocument).toEqual({ ...LAMBDA_TRUST, Statement: [...LAMBDA_TRUST.Statement, { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(role.Policies).toEqual([{ PolicyName: 'CloudTrailLogsDelivery', PolicyDocument: { Version: '2012-10-17', Statement: [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], STREAMS)] } }]);
    expect(resources(first.template).Trail.DependsOn).toBeUndefined(); // the trail refers to the role: inline is ordered
    expect(first.report.connections?.[0]).toMatchObject({ status: 'added' });
    const second = run(first.template);
    expect(second.report.connections?.[0]).toMatchObject({ status: 'present' });
    expect(resources(second.template)).toEqual(resources(first.template));
  });

  test.each<[string, JsonObject]>([
    ['logs:* on the group pattern, inline under another name', { Policies: [{ PolicyName: 'Mine', PolicyDocument: { Statement: [allow(['logs:*'], sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:trail-*'))] } }] }],
    ['two statements on *, one action each', { Policies: [{ PolicyName: 'Mine', PolicyDocument: { Statement: [allow(['logs:CreateLogStream'], '*'), allow(['logs:PutLogEvents'], '*')] } }] }],
    ['an AWS managed policy known to grant them', { ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole')] }],
  ])('an existing grant covers it: %s', (_, extra) => {
    const t = template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...extra });
    const { template: out, report } = run(t);
    expect(resources(out)).toEqual(t.Resources);
    expect(report.connections?.[0]).toMatchObject({ status: 'present' });
  });

  test('a grant with a condition, or on another log group, does not count', () => {
    const cond = { Policies: [{ PolicyName: 'Mine', PolicyDocument: { Statement: [{ ...allow(['logs:*'], '*'), Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }] } }] };
    expect((resources(run(template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...cond })).template).LogsRole.Properties as JsonObject).Policies).toHaveLength(2);
    const other = { Policies: [{ PolicyName: 'Mine', PolicyDocument: { Statement: [allow(['logs:*'], sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:app:*'))] } }] };
    expect((resources(run(template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...other })).template).LogsRole.Properties as JsonObject).Policies).toHaveLength(2);
  });

  test('a separate attached policy that grants it: the trail waits for it; one of that name gets the statement', () => {
    const covering = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'LogsRole' }], PolicyDocument: { Statement: [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], '*')] } } };
    const r1 = run(template({ AssumeRolePolicyDocument: TRAIL_TRUST }, { Attached: covering }));
    expect(resources(r1.template).Trail.DependsOn).toEqual('Attached');
    const named = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'CloudTrailLogsDelivery', Roles: [{ Ref: 'LogsRole' }], PolicyDocument: { Statement: [allow(['s3:GetObject'], '*')] } } };
    const r2 = run(template({ AssumeRolePolicyDocument: TRAIL_TRUST }, { Attached: named }));
    expect((resources(r2.template).Attached.Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement).toEqual([allow(['s3:GetObject'], '*'), allow(['logs:CreateLogStream', 'logs:PutLogEvents'], STREAMS)]);
    expect((resources(r2.template).LogsRole.Properties as JsonObject).Policies).toBeUndefined();
    expect(resources(r2.template).Trail.DependsOn).toEqual('Attached');
  });

  test('a managed policy attached in only one Fn::If branch of ManagedPolicyArns does not count; one in every branch does', () => {
    // Prepare
    const SQS_ROLE = sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole');
    const oneBranch = { ManagedPolicyArns: { 'Fn::If': ['X', [SQS_ROLE], { Ref: 'AWS::NoValue' }] } };
    const everyBranch = { ManagedPolicyArns: { 'Fn::If': ['X', [SQS_ROLE], [SQS_ROLE, 'arn:aws:iam::aws:policy/ReadOnlyAccess']] } };
    const withX = (t: JsonObject) => ({ Parameters: { P: { Type: 'String' } }, Conditions: { X: { 'Fn::Equals': [{ Ref: 'P' }, 'y'] } }, ...t });
    // Act
    const partly = run(withX(template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...oneBranch })));
    const always = run(withX(template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...everyBranch })));
    // Assess
    expect(partly.report.connections?.[0]).toMatchObject({ status: 'added' });
    expect((resources(partly.template).LogsRole.Properties as JsonObject).Policies).toHaveLength(1);
    expect(always.report.connections?.[0]).toMatchObject({ status: 'present' });
  });

  test('a trust statement with conditions counts only against the context the kind says the service sends', () => {
    // Prepare
    const conditioned = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }] };
    const withContext: ConnectionKind = {
      ...KIND,
      grants: (c, ctx) => KIND.grants(c, ctx).map((g) => (g.to === 'role' ? { ...g, trust: { service: 'cloudtrail.amazonaws.com', context: { 'aws:SourceAccount': [{ Ref: 'AWS::AccountId' }] } } } : g)),
    };
    const contextRule: Rule = { ...rule, apply: (trail, ctx) => void applyConnection(ctx, withContext, { kind: KIND.id, rule: 'TEST-002', source: trail.id, destination: 'TrailLogs', path: 'Properties.CloudWatchLogsRoleArn', principal: 'cloudtrail.amazonaws.com', when: [] }) };
    const t = template({ AssumeRolePolicyDocument: conditioned });
    // Act
    const plain = run(t);
    const judged = harden({ template: t, rules: [contextRule] });
    // Assess
    const trustOf = (out: Json) => ((resources(out).LogsRole.Properties as JsonObject).AssumeRolePolicyDocument as { Statement: Json[] }).Statement;
    expect(trustOf(plain.template)).toHaveLength(2); // a condition not known to hold: the plain trust is added
    expect(trustOf(judged.template)).toEqual(conditioned.Statement); // it holds for the context: nothing wider beside it
  });

  test('a Deny in the role is a finding, not an Allow beside it', () => {
    const deny = { Policies: [{ PolicyName: 'No', PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' }] } }] };
    const { report } = run(template({ AssumeRolePolicyDocument: TRAIL_TRUST, ...deny }));
    expect(report.connections?.[0]).toMatchObject({ status: 'finding', reason: expect.stringContaining('denies logs:PutLogEvents') });
  });

  test('a trust policy computed at deploy time, and a role outside the template, are findings', () => {
    const computed = run(template({ AssumeRolePolicyDocument: { 'Fn::If': ['X', LAMBDA_TRUST, TRAIL_TRUST] } }));
    expect(computed.report.connections?.[0]).toMatchObject({ status: 'finding', reason: expect.stringContaining('AssumeRolePolicyDocument is computed') });
    const outside = run({ Parameters: { RoleArn: { Type: 'String' } }, ...template({ AssumeRolePolicyDocument: TRAIL_TRUST }, {}, { Ref: 'RoleArn' }) });
    expect(outside.report.connections?.[0]).toMatchObject({ status: 'finding', reason: expect.stringContaining('parameter RoleArn) is not in this template') });
    expect(outside.report.connections?.[0].reason).toContain('logs:CreateLogStream, logs:PutLogEvents on arn:${AWS::Partition}:logs:');
  });
});
