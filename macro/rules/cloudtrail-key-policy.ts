/**
 * CT-003: the KMS keys that encrypt a trail's log files let CloudTrail use them, pinned to the
 * trail; readers are the key owner's choice.
 *
 * The connections are the catalogue's `cloudtrail-key` (the trail's `KMSKeyId`) and
 * `cloudtrail-bucket-key` (the bucket's default encryption key, used when the trail sets none):
 * see `macro/connections/kinds/cloudtrail-key.ts` for the statements and the pages they follow
 * ("Configure AWS KMS key policies for CloudTrail"; the S3 guide on SSE-KMS and S3 Bucket Keys).
 *
 * Expectations
 * - Skips: a trail without `KMSKeyId` whose bucket has no SSE-KMS default key of the template
 *   (reported: Security Hub CloudTrail.2); a key outside the template (a parameter value or
 *   literal ARN/alias), which the KMS preflight checks live; a key that skips CT-003.
 * - Already compliant: the key policy holds statements that allow CloudTrail's requests for this
 *   trail — by any Sid, narrower conditions included (the trail's own ARN where the guide's
 *   pattern would do).
 * - Fixes: in the key policy of every template key the trail's `KMSKeyId` resolves to (key id,
 *   key ARN, an alias of the template, every `Fn::If` branch): the encrypt and describe
 *   statements, and `kms:Decrypt` for CloudTrail when the bucket uses an S3 Bucket Key (the guide
 *   requires it to create or update the trail). It no longer gives the account root
 *   `kms:Decrypt`: reading logs is the key owner's policy choice, and a key locked to named roles
 *   must stay so. A key without `KeyPolicy` gets the default account statement first, as KMS
 *   would. A key policy that pins `aws:SourceArn` with `GetAtt` on the trail is rewritten to the
 *   name-built ARN (the trail refers to the key, so the reference is a cycle).
 *
 * The seeds asked for `kms:CreateGrant` with `kms:GrantIsForAWSResource` and `kms:ViaService`;
 * the documentation requires neither for trails, so they are not added.
 */
import type { Rule, RuleContext } from './types';
import { applyConnection } from '../connections/apply';
import { CLOUDTRAIL_PRINCIPAL, trailBucket, trailSourceArn } from '../connections/cloudtrail';
import { keysOf } from '../connections/keys';
import { bucketEncryption, CLOUDTRAIL_BUCKET_KEY, CLOUDTRAIL_KEY } from '../connections/kinds/cloudtrail-key';
import { bucketNameText } from '../connections/s3-notifications';
import { canonicalString } from '../template/intrinsics';
import type { Json } from '../template/json';
import { resolve } from '../template/resolve';

export const cloudTrailKeyPolicy: Rule = {
  id: 'CT-003',
  title: 'Let CloudTrail use the key that encrypts its logs',
  rationale:
    'A trail whose key policy does not allow CloudTrail fails at create with "Insufficient permissions to access S3 bucket or KMS key". The statements follow the CloudTrail documentation, scoped to the trail with aws:SourceArn and to CloudTrail encryption contexts.',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::KMS::Key Properties.KeyPolicy'],
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html',
    'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html and bucket-key.html (a default SSE-KMS key encrypts objects CloudTrail writes; the aws:s3:arn encryption context)',
  ],
  apply(trail, ctx) {
    const value = trail.properties.KMSKeyId;
    const bucket = trailBucket(ctx.model, trail.id);
    const sourceArn = { ...trailSourceArn(ctx.model, trail.id), reported: true } as const;
    const base = { rule: 'CT-003', source: trail.id, principal: CLOUDTRAIL_PRINCIPAL, sourceArn, when: [] };
    const usesDefault = value === undefined || resolve(value, ctx.model).some((r) => r.kind === 'no-value');
    const defaultKeys = bucket !== undefined && usesDefault ? bucketEncryption(ctx.model, bucket).keys : [];
    if (value === undefined && defaultKeys.length === 0) {
      ctx.finding(trail.id, 'Properties.KMSKeyId', 'info', 'log files are encrypted with SSE-S3 only: set KMSKeyId to a customer managed key (Security Hub CloudTrail.2)');
      return;
    }
    if (value !== undefined) {
      applyConnection(ctx, CLOUDTRAIL_KEY, { ...base, kind: CLOUDTRAIL_KEY.id, destination: keyNames(ctx, value), path: 'Properties.KMSKeyId' });
    }
    if (bucket !== undefined && defaultKeys.length) {
      if (bucketNameText(ctx.model, bucket) === undefined) {
        ctx.finding(bucket, 'Properties.BucketName', 'warning', `the default encryption key's statement for ${trail.id} cannot name ${bucket}'s objects (kms:EncryptionContext:aws:s3:arn), as its name is not known here: it allows CloudTrail through S3 for any bucket`, `give ${bucket} a BucketName built from literals, parameters and pseudo parameters`);
      }
      applyConnection(ctx, CLOUDTRAIL_BUCKET_KEY, { ...base, kind: CLOUDTRAIL_BUCKET_KEY.id, destination: defaultKeys.map((k) => keyNames(ctx, k)).join(', '), path: 'Properties.S3BucketName' });
    }
  },
};

/** The keys of the template a value names, for the connections view (or the value as written). */
function keyNames(ctx: RuleContext, value: Json): string {
  const { keys, external } = keysOf(ctx.model, value);
  const names = [...new Set(keys.map((k) => k.key)), ...external.map((e) => e.value ?? `parameter ${e.parameter ?? '?'}`)];
  return names.join(', ') || JSON.stringify(canonicalString(value));
}
