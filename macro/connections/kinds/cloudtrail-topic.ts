/**
 * CloudTrail trail → SNS topic (`SnsTopicName`, CT-004). "Amazon SNS topic policy for
 * CloudTrail": the topic policy allows `cloudtrail.amazonaws.com` `SNS:Publish` on the topic,
 * with `aws:SourceArn` the trail's ARN (the guide's confused-deputy condition); without it the
 * trail fails with `InsufficientSnsTopicPolicyException`. A topic encrypted with a key of the
 * template: the key lets the same principal `kms:GenerateDataKey*` and `kms:Decrypt` ("Encrypting
 * … topics": an AWS service that publishes to an encrypted topic needs both). The trail comes
 * after the topic policy, as aws-cdk-lib's `Trail` does with `topic.grantPublish`
 * (`aws-cloudtrail/lib/cloudtrail.ts`).
 */
import { CLOUDTRAIL_PRINCIPAL, sourceConditions, trailContext } from '../cloudtrail';
import type { ConnectionKind, Grant } from '../types';

const CLOUDTRAIL = { Service: CLOUDTRAIL_PRINCIPAL };

export const CLOUDTRAIL_TOPIC: ConnectionKind = {
  id: 'cloudtrail-topic',
  rule: 'CT-004',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: 'CloudTrail trail → SNS topic (log file notifications)',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-permissions-for-sns-notifications.html (Amazon SNS topic policy for CloudTrail: SNS:Publish for cloudtrail.amazonaws.com with aws:SourceArn the trail)',
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (AWS services publishing to an encrypted topic need kms:GenerateDataKey* and kms:Decrypt)',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (snsTopic.grantPublish(cloudTrailPrincipal); the trail depends on the topic policy)',
  ],
  grants(c, ctx) {
    const trail = c.source;
    const topic = c.destination;
    const condition = sourceConditions(ctx.model, trail);
    const context = trailContext(ctx.model, trail, ctx.accountId);
    const sid = `AWSCloudTrailSNSPolicy${trail}`;
    const grants: Grant[] = [
      {
        to: 'policy',
        policy: 'topic',
        target: topic,
        statement: { Sid: sid, Effect: 'Allow', Principal: CLOUDTRAIL, Action: 'SNS:Publish', Resource: { Ref: topic }, Condition: condition },
        request: { principal: CLOUDTRAIL_PRINCIPAL, actions: ['sns:Publish'], resources: [{ Ref: topic }, { 'Fn::GetAtt': [topic, 'TopicArn'] }], context },
        detail: `CloudTrail may publish ${trail}'s notifications to ${topic}`,
        pinSourceReferences: true,
      },
    ];
    const key = ctx.model.get(topic, ['Properties', 'KmsMasterKeyId']);
    if (key !== undefined) {
      grants.push({
        to: 'key',
        owner: topic,
        path: 'Properties.KmsMasterKeyId',
        value: key,
        service: 'cloudtrail-topic',
        statement: { Sid: sid, Effect: 'Allow', Principal: CLOUDTRAIL, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: condition },
        request: { principal: CLOUDTRAIL_PRINCIPAL, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], context },
        detail: `CloudTrail may use the key of ${topic} for ${trail}'s notifications`,
        managedAliases: /(^|:)alias\/aws\/sns$/,
        pinSourceReferences: true,
      });
    }
    grants.push({
      to: 'order',
      from: trail,
      after: { policy: 'topic', target: topic },
      detail: 'CloudTrail checks that it may publish to the topic when the trail is created',
      onCycle: { path: 'Properties.PolicyDocument', consequence: 'CloudTrail may reject the trail with InsufficientSnsTopicPolicyException', rewrite: "write the trail's ARN as arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/<TrailName> instead" },
    });
    return grants;
  },
};
