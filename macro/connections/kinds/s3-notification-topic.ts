/**
 * S3 bucket notification → SNS topic (S3N-002). The grants are those of `s3DestinationGrants`:
 * the topic policy statement for `s3.amazonaws.com` `sns:Publish`, the key statement when the
 * topic is encrypted with a key of the template, and the bucket after the topic policy.
 */
import { S3_PRINCIPAL, s3DestinationGrants } from '../s3-notifications';
import type { ConnectionKind } from '../types';

export const S3_NOTIFICATION_TOPIC: ConnectionKind = {
  id: 's3-notification-topic',
  rule: 'S3N-002',
  principal: S3_PRINCIPAL,
  title: 'S3 bucket notification → SNS topic',
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html (Walkthrough: the SNS topic policy and the KMS key policy statements for s3.amazonaws.com)',
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (Enable compatibility between event sources from AWS services and encrypted topics: kms:GenerateDataKey* and kms:Decrypt for the service principal)',
    'aws-cdk-lib/aws-s3-notifications/lib/sns.ts (topic.addToResourcePolicy for s3.amazonaws.com sns:Publish; with the S3_TRUST_KEY_POLICY_FOR_SNS_SUBSCRIPTIONS feature flag, kms:GenerateDataKey* and kms:Decrypt on the topic key; the configuration depends on the topic)',
  ],
  grants: (c, ctx) =>
    s3DestinationGrants(c, ctx, {
      policy: 'topic',
      action: 'sns:Publish',
      resource: (id) => ({ Ref: id }),
      spellings: (id) => [{ 'Fn::GetAtt': [id, 'TopicArn'] }],
    }),
};
