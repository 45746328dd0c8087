/**
 * CT-002: a trail is created after its bucket's policy.
 *
 * Expectations
 * - Skips: a trail whose bucket is not in this template, or has no policy resource (reported).
 * - Already compliant: the trail depends on the policy (directly or through other resources).
 * - Fixes: adds the policy to the trail's `DependsOn` (no duplicates; never to a policy that may
 *   not exist when the trail does, cfn-lint E3005; never a cycle).
 */
import type { Rule } from './types';
import { findPolicies } from '../template/policies';
import { applyConnection } from '../connections/apply';
import { CLOUDTRAIL_PRINCIPAL, trailBucket } from '../connections/cloudtrail';
import { CLOUDTRAIL_BUCKET_ORDER } from '../connections/kinds/cloudtrail-bucket-order';

export const cloudTrailAfterBucketPolicy: Rule = {
  id: 'CT-002',
  title: 'Create trails after their bucket policy',
  rationale:
    'CloudTrail checks the bucket policy when the trail is created; without an ordering edge CloudFormation may create both at once and the trail fails with InsufficientS3BucketPolicyException. aws-cdk-lib makes the trail depend on the policy for the same reason.',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::CloudTrail::Trail DependsOn'],
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (trail.node.addDependency(bucket policy)); aws-cdk issue #1172',
  ],
  apply(trail, ctx) {
    const bucket = trailBucket(ctx.model, trail.id);
    if (bucket === undefined) return;
    const policy = findPolicies(ctx.model, 'bucket', bucket)[0];
    if (policy === undefined) {
      ctx.finding(trail.id, 'DependsOn', 'warning', `${bucket} has no bucket policy, so CloudTrail cannot write to it (CT-001 adds one)`);
      return;
    }
    applyConnection(ctx, CLOUDTRAIL_BUCKET_ORDER, { kind: CLOUDTRAIL_BUCKET_ORDER.id, rule: 'CT-002', source: trail.id, destination: bucket, path: 'Properties.S3BucketName', principal: CLOUDTRAIL_PRINCIPAL, when: [] });
  },
};
