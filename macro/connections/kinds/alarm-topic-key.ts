/**
 * CloudWatch alarm action → SNS topic encrypted with a key of the template (CW-001): the key
 * lets `cloudwatch.amazonaws.com` `kms:GenerateDataKey*` and `kms:Decrypt`, scoped (with
 * `IfExists`: the documented statement has no condition) by `aws:SourceAccount` and `aws:SourceArn` the alarm (built from its AlarmName: the alarm names the
 * topic, the topic its key, so a key policy naming the alarm by GetAtt would close a cycle;
 * without a name, the account's alarms in this Region, reported with the fix). Without it the
 * alarm's action fails at every state change ("CloudWatch Alarms does not have authorization to
 * access the SNS topic encryption key"), visible only in the alarm's history. An AWS managed key
 * (`alias/aws/sns`) cannot be used: its policy does not let CloudWatch in and cannot change.
 */
import { sourceCondition, sourceContext, type ArnShape } from '../source-arn';
import type { ConnectionKind, Grant } from '../types';

export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';

/** `arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:<AlarmName>` (metric and composite alarms alike). */
export const ALARM_ARN: ArnShape = { nameProperty: 'AlarmName', template: 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:{name}', arnAttribute: 'Arn', fallback: 'pattern' };

export const ALARM_TOPIC_KEY: ConnectionKind = {
  id: 'alarm-topic-key',
  rule: 'CW-001',
  principal: CLOUDWATCH_PRINCIPAL,
  title: 'CloudWatch alarm action → encrypted SNS topic (its key)',
  references: [
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (Enable compatibility between event sources from AWS services and encrypted topics: CloudWatch, cloudwatch.amazonaws.com, needs kms:GenerateDataKey* and kms:Decrypt in the key policy; an AWS managed key cannot be used)',
    'https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns (alarms with an encrypted topic: a customer managed key whose policy lets cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*; alias/aws/sns fails with "CloudWatch Alarms does not have authorization to access the SNS topic encryption key")',
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html (resource type alarm: arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName})',
    'aws-cdk-lib/aws-cloudwatch-actions/lib/sns.ts (SnsAction binds only the topic ARN: the key grant is left to the user) and aws-sns/lib/topic-base.ts (grantPublish grants the topic key to the principal)',
  ],
  grants(c, ctx): Grant[] {
    const key = ctx.model.get(c.destination, ['Properties', 'KmsMasterKeyId']);
    if (key === undefined) return [];
    // IfExists: the pages below give CloudWatch's key statement with no condition, and no AWS page
    // says that CloudWatch sends aws:SourceArn / aws:SourceAccount on these KMS calls; held to the
    // alarm when it does, never a notification lost when it does not.
    const condition = sourceCondition(c.sourceArn, 'aws:SourceArn', { ifExists: true });
    const pinned = c.sourceArn?.pinned === true;
    return [
      {
        to: 'key',
        owner: c.destination,
        path: 'Properties.KmsMasterKeyId',
        value: key,
        service: 'cloudwatch',
        statement: { Sid: pinned ? `AllowCloudWatchAlarm${c.source}` : 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: CLOUDWATCH_PRINCIPAL }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: condition },
        request: { principal: CLOUDWATCH_PRINCIPAL, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], context: sourceContext(c.sourceArn, ctx.accountId) },
        detail: `let cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt for ${c.source}'s notifications to ${c.destination} ${pinned ? `from ${c.source} only (aws:SourceArn built from its AlarmName)` : "from this account's alarms in this Region (aws:SourceArn pattern)"}`,
        managedAliases: /(^|:)alias\/aws\/sns$/,
      },
    ];
  },
};
