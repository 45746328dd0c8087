/**
 * CT-001: a trail's bucket policy lets CloudTrail check the bucket ACL and write its logs,
 * pinned to that trail.
 *
 * Expectations
 * - Skips: a trail whose `S3BucketName` is not a bucket of this template (reported: its policy
 *   is managed elsewhere).
 * - Already compliant: the bucket's policy holds statements that cover the ACL check and the
 *   write (any Sid), e.g. the ones from the CloudTrail documentation.
 * - Fixes: adds `AWSCloudTrailAclCheck<Trail>` (`s3:GetBucketAcl` on the bucket) and
 *   `AWSCloudTrailWrite<Trail>` (`s3:PutObject` on `<bucket>/[<S3KeyPrefix>/]AWSLogs/<account>/*`
 *   with `s3:x-amz-acl` bucket-owner-full-control) for `cloudtrail.amazonaws.com`, each with
 *   `aws:SourceArn` equal to the trail's ARN built from its `TrailName` (never `!GetAtt
 *   Trail.Arn`: the trail depends on this policy, CT-002, so that would be a cycle). A trail
 *   without `TrailName` is pinned to the account's trails (`trail/*`) plus `aws:SourceAccount`
 *   and reported; the option `NamedTrails: true` names it instead (`${AWS::StackName}-<id>`),
 *   which replaces an existing trail. An organization trail also writes under
 *   `AWSLogs/<org-id>/*`: with the option `OrganizationId` that statement is added too, else
 *   reported.
 *
 * The documentation's statements are followed, not the seed's: the seed asked for
 * `aws:SourceAccount` and `aws:SourceArn` together; AWS recommends `aws:SourceArn` alone where
 * the trail ARN is known ("Amazon S3 bucket policy for CloudTrail").
 */
import type { Rule } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { CLOUDTRAIL_PRINCIPAL, trailBucket, trailSourceArn } from '../connections/cloudtrail';
import { CLOUDTRAIL_BUCKET } from '../connections/kinds/cloudtrail-bucket';
import { canonicalString, sub } from '../template/intrinsics';
import { isObject } from '../template/json';

export const cloudTrailBucketPolicy: Rule = {
  id: 'CT-001',
  title: "Let CloudTrail write to its bucket, pinned to the trail",
  rationale:
    'Without the ACL-check and write statements in the bucket policy, creating the trail fails with InsufficientS3BucketPolicyException. Pinning them to the trail with aws:SourceArn keeps other trails (and accounts) from writing there.',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::S3::BucketPolicy', 'AWS::CloudTrail::Trail Properties.TrailName', 'Conditions.*'],
  // Only with the option NamedTrails, whose description says it replaces an existing trail.
  replaces: ['AWS::CloudTrail::Trail Properties.TrailName'],
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-troubleshooting.html (InsufficientS3BucketPolicyException)',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (Trail: s3:GetBucketAcl and s3:PutObject statements with aws:SourceArn)',
  ],
  settings: [
    {
      name: 'NamedTrails',
      description: 'true: give trails without TrailName the name ${AWS::StackName}-<logical id>, so policies pin them exactly (replaces an existing trail).',
      parse(value) {
        if (typeof value !== 'boolean') throw new Error('must be true or false');
        return value;
      },
    },
    {
      name: 'OrganizationId',
      description: "The AWS Organizations id (o-…), so an organization trail's bucket policy can allow the member accounts' log path.",
      parse(value) {
        if (typeof value === 'string' && /^o-[a-z0-9]{10,32}$/.test(value)) return value;
        throw new Error('must be an organization id like o-a1b2c3d4e5');
      },
    },
  ],
  apply(trail, ctx) {
    const bucket = trailBucket(ctx.model, trail.id);
    if (bucket === undefined) {
      ctx.finding(trail.id, 'Properties.S3BucketName', 'info', "the bucket is not in this template: its policy must allow cloudtrail.amazonaws.com s3:GetBucketAcl and s3:PutObject (see CloudTrail's \"Amazon S3 bucket policy for CloudTrail\")");
      const written = canonicalString(trail.properties.S3BucketName ?? null);
      recordConnection(ctx, { rule: 'CT-001', kind: CLOUDTRAIL_BUCKET.id, source: trail.id, destination: typeof written === 'string' ? written : JSON.stringify(written), principal: CLOUDTRAIL_PRINCIPAL }, 'skipped', [], 'the bucket is outside this template');
      return;
    }
    if (trail.properties.TrailName === undefined) {
      if (ctx.setting('NamedTrails') === true) {
        ctx.set(trail.id, ['Properties', 'TrailName'], sub(`\${AWS::StackName}-${trail.id}`), 'named so that policies can pin its ARN exactly (option NamedTrails; replaces the trail if it exists)');
      } else {
        ctx.finding(trail.id, 'Properties.TrailName', 'warning', "no TrailName, so the bucket policy can only be pinned to this account's trails (trail/*) with aws:SourceAccount. Set TrailName, or the option NamedTrails: true, for exact pinning (it replaces an existing trail)");
      }
    }
    const org = trail.properties.IsOrganizationTrail;
    if ((org === true || org === 'true' || isObject(org)) && typeof ctx.setting('OrganizationId') !== 'string') {
      ctx.finding(trail.id, 'Properties.IsOrganizationTrail', 'warning', `an organization trail also writes under AWSLogs/<org-id>/*, which cannot be allowed without the organization id: set the option OrganizationId`);
    }
    const sourceArn = trailSourceArn(ctx.model, trail.id);
    // The TrailName warning above already says how to pin the grants: the fallback is not repeated.
    applyConnection(ctx, CLOUDTRAIL_BUCKET, { kind: CLOUDTRAIL_BUCKET.id, rule: 'CT-001', source: trail.id, destination: bucket, path: 'Properties.S3BucketName', principal: CLOUDTRAIL_PRINCIPAL, sourceArn: sourceArn.pinned ? sourceArn : { ...sourceArn, reported: true }, when: [] });
  },
};
