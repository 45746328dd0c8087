/**
 * CT-003: a trail's KMS key policy lets CloudTrail encrypt the logs and the account decrypt them.
 *
 * Expectations
 * - Skips: a trail without `KMSKeyId` (reported: Security Hub CloudTrail.2); a key outside the
 *   template (a parameter value or literal ARN/alias), which the KMS preflight checks live.
 * - Already compliant: the key policy holds statements that cover the three below.
 * - Fixes, per the CloudTrail documentation, in the key policy of every template key the trail's
 *   `KMSKeyId` resolves to (key id, key ARN, or an alias of the template):
 *   `kms:GenerateDataKey*` for `cloudtrail.amazonaws.com` with `StringLike
 *   kms:EncryptionContext:aws:cloudtrail:arn arn:<p>:cloudtrail:*:<a>:trail/*` and
 *   `aws:SourceArn` the trail's ARN; `kms:DescribeKey` for the same principal with the same
 *   `aws:SourceArn`; `kms:Decrypt` for the account root (never `*`, which cfn_nag F76, checkov
 *   CKV_AWS_33 and guard KMS_NO_WILDCARD_PRINCIPAL flag) with `Null
 *   kms:EncryptionContext:aws:cloudtrail:arn false`. A key without `KeyPolicy` gets the default
 *   account-root statement first, so it stays manageable — and that statement (`kms:*` for the
 *   account root) already covers the Decrypt statement, which is then not added twice.
 *
 * The seeds asked for `kms:CreateGrant` with `kms:GrantIsForAWSResource` and `kms:ViaService`;
 * the documentation requires neither for trails, so they are not added.
 */
import type { Rule } from './types';
import { sub } from '../template/intrinsics';
import { sourceConditions } from './shared/cloudtrail';
import { isSymmetricEncryptionKey, keysOf } from './shared/kms';

const CLOUDTRAIL = { Service: 'cloudtrail.amazonaws.com' };

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
  ],
  apply(trail, ctx) {
    const value = trail.properties.KMSKeyId;
    if (value === undefined) {
      ctx.finding(trail.id, 'Properties.KMSKeyId', 'info', 'log files are encrypted with SSE-S3 only: set KMSKeyId to a customer managed key (Security Hub CloudTrail.2)');
      return;
    }
    const { keys, external } = keysOf(ctx.model, value);
    for (const key of external) ctx.checkKey(trail.id, 'Properties.KMSKeyId', key, 'cloudtrail');
    const source = sourceConditions(ctx.model, trail.id);
    for (const key of [...new Set(keys.map((k) => k.key))]) {
      if (isSymmetricEncryptionKey(ctx.model, key) === false) {
        ctx.finding(key, 'Properties.KeySpec', 'error', `${trail.id} encrypts with this key, but CloudTrail needs a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT)`);
        continue;
      }
      ctx.ensureStatement(
        'key',
        key,
        {
          Sid: `AllowCloudTrailEncrypt${trail.id}`,
          Effect: 'Allow',
          Principal: CLOUDTRAIL,
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            ...source,
            StringLike: { ...(source.StringLike ?? {}), 'kms:EncryptionContext:aws:cloudtrail:arn': sub('arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*') },
          },
        },
        `CloudTrail may encrypt ${trail.id}'s logs`,
      );
      ctx.ensureStatement(
        'key',
        key,
        { Sid: `AllowCloudTrailDescribeKey${trail.id}`, Effect: 'Allow', Principal: CLOUDTRAIL, Action: 'kms:DescribeKey', Resource: '*', Condition: source },
        `CloudTrail may describe the key for ${trail.id}`,
      );
      ctx.ensureStatement(
        'key',
        key,
        {
          Sid: 'AllowCloudTrailLogDecrypt',
          Effect: 'Allow',
          Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } },
        },
        "the account's principals (as their IAM policies allow) may decrypt CloudTrail log files",
      );
    }
  },
};
