/**
 * S3 bucket notification → SQS queue (S3N-002). The grants are those of `s3DestinationGrants`:
 * the queue policy statement for `s3.amazonaws.com` `sqs:SendMessage`, the key statement when the
 * queue is encrypted with a key of the template, and the bucket after the queue policy.
 */
import { S3_PRINCIPAL, s3DestinationGrants } from '../s3-notifications';
import type { ConnectionKind } from '../types';

export const S3_NOTIFICATION_QUEUE: ConnectionKind = {
  id: 's3-notification-queue',
  rule: 'S3N-002',
  principal: S3_PRINCIPAL,
  title: 'S3 bucket notification → SQS queue',
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html (Walkthrough: the SQS queue policy and the KMS key policy statements for s3.amazonaws.com)',
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-least-privilege-policy.html (the event source key statement scoped by aws:SourceArn)',
    'aws-cdk-lib/aws-s3-notifications/lib/sqs.ts (queue.grantSendMessages; the key statement for an encrypted queue; the notification depends on the queue policy)',
  ],
  grants: (c, ctx) =>
    s3DestinationGrants(c, ctx, {
      policy: 'queue',
      action: 'sqs:SendMessage',
      resource: (id) => ({ 'Fn::GetAtt': [id, 'Arn'] }),
      spellings: (id) => [{ 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${${id}.QueueName}` }],
    }),
};
