/**
 * CT-001, CT-002, CT-004 and CT-005 order a trail after the policies and role it needs; none of
 * them may close a dependency cycle, including where the naive fix would: a bucket or topic
 * policy that pins aws:SourceArn with !GetAtt Trail.Arn while the trail depends on that policy.
 * (Every rule's fixtures also run through the whole registry, cycle-checked, in fixtures.test.ts.)
 */
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import type { JsonObject } from '../../macro/template/json';
import { cycleIn } from '../support/fixtures';

const run = (template: JsonObject) => harden({ template, region: 'us-east-1', accountId: '123456789012' });

/** A trail writing to a bucket, notifying a topic and delivering to CloudWatch Logs; both policies pin the trail by reference. */
function trailPinnedByReference(): JsonObject {
  const byReference = { StringEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Trail', 'Arn'] } } };
  return {
    Resources: {
      TrailBucket: { Type: 'AWS::S3::Bucket' },
      TrailBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'TrailBucket' },
          PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: { 'Fn::GetAtt': ['TrailBucket', 'Arn'] }, Condition: byReference }] },
        },
      },
      Notices: { Type: 'AWS::SNS::Topic' },
      NoticesPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: { Topics: [{ Ref: 'Notices' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'SNS:Publish', Resource: { Ref: 'Notices' }, Condition: byReference }] } },
      },
      TrailLogs: { Type: 'AWS::Logs::LogGroup' },
      TrailLogsRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      Trail: {
        Type: 'AWS::CloudTrail::Trail',
        Properties: {
          TrailName: { 'Fn::Sub': '${AWS::StackName}-audit' },
          IsLogging: true,
          S3BucketName: { Ref: 'TrailBucket' },
          SnsTopicName: { Ref: 'Notices' },
          CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': ['TrailLogs', 'Arn'] },
          CloudWatchLogsRoleArn: { 'Fn::GetAtt': ['TrailLogsRole', 'Arn'] },
        },
      },
    },
  };
}

describe('no cycle from the CloudTrail connection rules', () => {
  test('the naive fix (trail DependsOn policies that GetAtt the trail) is a cycle', () => {
    // Prepare
    const naive = trailPinnedByReference();
    ((naive.Resources as JsonObject).Trail as JsonObject).DependsOn = ['TrailBucketPolicy', 'NoticesPolicy'];
    // Act / Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['Trail']));
  });

  test('the rules rewrite the references to the name-built ARN and order the trail after the policies and the role, with no cycle', () => {
    // Act
    const { template, report } = run(trailPinnedByReference());
    const resources = template.Resources as Record<string, JsonObject>;
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    expect(resources.Trail.DependsOn).toEqual(expect.arrayContaining(['TrailBucketPolicy', 'NoticesPolicy']));
    const built = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${AWS::StackName}-audit' };
    expect(JSON.stringify(resources.TrailBucketPolicy)).toContain(JSON.stringify(built));
    expect(JSON.stringify(resources.NoticesPolicy)).toContain(JSON.stringify(built));
    expect(JSON.stringify(template)).not.toContain('"Trail","Arn"');
    expect(report.connections?.filter((c) => c.source === 'Trail').map((c) => [c.rule, c.destination, c.status])).toEqual([
      ['CT-001', 'TrailBucket', 'added'],
      ['CT-002', 'TrailBucket', 'added'],
      ['CT-004', 'Notices', 'added'],
      ['CT-005', 'TrailLogsRole', 'added'],
    ]);
  });

  test('a second run adds nothing and reports every connection as present', () => {
    const once = run(trailPinnedByReference()).template;
    const twice = run(once);
    expect(twice.report.records.filter((r) => r.action !== 'finding' && r.action !== 'suppressed' && r.rule.startsWith('CT-'))).toEqual([]);
    expect(new Set(twice.report.connections?.filter((c) => c.source === 'Trail').map((c) => c.status))).toEqual(new Set(['present']));
  });

  test('the registry holds the CloudTrail connection rules in order', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids.indexOf('CT-001')).toBeLessThan(ids.indexOf('CT-002'));
    expect(ids.indexOf('CT-003')).toBeLessThan(ids.indexOf('CT-004'));
    expect(ids.indexOf('CT-004')).toBeLessThan(ids.indexOf('CT-005'));
  });
});
