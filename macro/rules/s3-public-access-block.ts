/**
 * S3-001: every bucket blocks public access, with all four flags written explicitly.
 *
 * Expectations
 * - Skips: a `PublicAccessBlockConfiguration` that is an intrinsic (left as written, reported).
 * - Already compliant: all four flags are `true`.
 * - Fixes: adds the block, or the missing flags, as `true`. A flag the user set to `false` is
 *   kept and reported (a website bucket may need it); a flag given by an intrinsic is kept.
 *   When the template means the bucket to be public (a policy allowing everyone, a website
 *   configuration or the target of another bucket's website redirect, a public canned ACL) the
 *   flags that would make the deploy fail are not added: that is reported as a warning instead.
 *   A statement allowing everyone under a condition counts as public unless the condition pins
 *   fixed values of the keys S3 names in "Blocking public access to your Amazon S3 storage" (The
 *   meaning of "public"): with `BlockPublicPolicy: true`, S3 rejects such a policy, so the
 *   template's own policy would fail to deploy (`shared/s3.ts`, `pinnedBy`).
 */
import type { Rule } from './types';
import { isIntrinsic } from '../template/intrinsics';
import { isObject } from '../template/json';
import { publicIntent } from './shared/s3';

const BLOCK = ['Properties', 'PublicAccessBlockConfiguration'];
const COMPUTED = 'left as written: it is computed at deploy time, so it cannot be checked here';
/** The flags, and which kind of public intent each would break. */
const FLAGS = [
  ['BlockPublicAcls', 'acl'],
  ['BlockPublicPolicy', 'policy'],
  ['IgnorePublicAcls', 'acl'],
  ['RestrictPublicBuckets', 'policy'],
] as const;

export const s3PublicAccessBlock: Rule = {
  id: 'S3-001',
  title: 'Block public access on every bucket',
  rationale:
    'A bucket without a public access block can be made public by one ACL or policy statement. All four flags are written explicitly, as the guard rule S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED and Security Hub S3.8 expect.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: ['AWS::S3::Bucket Properties.PublicAccessBlockConfiguration'],
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html (The meaning of "public": non-public only with fixed values of certain condition keys)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html (website endpoints serve anonymous readers over HTTP)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-publicaccessblockconfiguration.html',
    'aws-cdk-lib/aws-s3/lib/bucket.ts (BlockPublicAccess.BLOCK_ALL)',
  ],
  satisfies: ['Security Hub S3.8', 'guard S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', 'NIST.800.53.R5-S3BucketLevelPublicAccessProhibited', 'checkov CKV_AWS_53-56'],
  apply(bucket, ctx) {
    const block = bucket.properties.PublicAccessBlockConfiguration;
    const path = BLOCK.join('.');
    if (block !== undefined && (!isObject(block) || isIntrinsic(block))) {
      ctx.finding(bucket.id, path, 'info', COMPUTED);
      return;
    }
    const intent = publicIntent(ctx.model, bucket.id);
    const wanted = FLAGS.filter(([, breaks]) => intent[breaks] === undefined).map(([flag]) => flag);
    for (const [flag, breaks] of FLAGS) {
      const reason = intent[breaks];
      if (reason !== undefined && block?.[flag] === undefined) {
        ctx.finding(bucket.id, `${path}.${flag}`, 'warning', `not set to true because ${reason}: S3 would reject that at deploy. Serve the content through CloudFront with origin access control and make the bucket private, or set ${flag}: false explicitly to record the choice`);
      }
    }
    if (block === undefined) {
      if (wanted.length) ctx.set(bucket.id, BLOCK, Object.fromEntries(wanted.map((f) => [f, true])), `block public access (${wanted.join(', ')})`);
      return;
    }
    for (const flag of wanted) {
      const value = block[flag];
      if (value === undefined) ctx.set(bucket.id, [...BLOCK, flag], true, `${flag} was not set; set to true`);
      else if (value === false || value === 'false') ctx.finding(bucket.id, `${path}.${flag}`, 'warning', 'kept false as the template sets it; if the bucket need not be public, set it to true');
      else if (isIntrinsic(value)) ctx.finding(bucket.id, `${path}.${flag}`, 'info', COMPUTED);
    }
  },
};
