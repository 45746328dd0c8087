/**
 * CloudTrail trail → its S3 bucket, the ordering half (CT-002): CloudTrail checks the bucket
 * policy when the trail is created (`InsufficientS3BucketPolicyException` otherwise), so the
 * trail depends on the bucket's one policy, as aws-cdk-lib's `Trail` does
 * (`aws-cloudtrail/lib/cloudtrail.ts`, aws-cdk#1172).
 */
import { CLOUDTRAIL_PRINCIPAL } from '../cloudtrail';
import type { ConnectionKind } from '../types';

export const CLOUDTRAIL_BUCKET_ORDER: ConnectionKind = {
  id: 'cloudtrail-bucket-order',
  rule: 'CT-002',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: 'CloudTrail trail after its bucket policy',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (trail.node.addDependency(bucket policy)); aws-cdk issue #1172',
  ],
  grants: (c) => [
    {
      to: 'order',
      from: c.source,
      after: { policy: 'bucket', target: c.destination },
      detail: 'CloudTrail checks the bucket policy when the trail is created',
      onCycle: { path: 'Properties.PolicyDocument', consequence: 'CloudTrail may reject the trail with InsufficientS3BucketPolicyException', rewrite: "write the trail's ARN as arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/<TrailName> instead" },
    },
  ],
};
