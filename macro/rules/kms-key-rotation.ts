/**
 * KMS-001: symmetric customer managed keys rotate their key material.
 *
 * Expectations
 * - Skips: asymmetric and HMAC keys (`KeySpec` other than SYMMETRIC_DEFAULT, or `KeyUsage`
 *   other than ENCRYPT_DECRYPT) and keys with imported material (`Origin: EXTERNAL`): KMS
 *   cannot rotate them; a `KeySpec` or `KeyUsage` computed at deploy time (reported).
 * - Already compliant: `EnableKeyRotation: true`.
 * - Fixes: adds `EnableKeyRotation: true` when it is missing. An explicit `false` is kept and
 *   reported.
 */
import type { Rule } from './types';
import { isIntrinsic } from '../template/intrinsics';
import { isSymmetricEncryptionKey } from './shared/kms';

export const kmsKeyRotation: Rule = {
  id: 'KMS-001',
  title: 'Rotate symmetric KMS keys',
  rationale:
    'Automatic rotation limits how much data one version of key material protects; Security Hub KMS.4 and cdk-nag AwsSolutions-KMS5 flag symmetric keys without it. Rotation is an in-place update and changes nothing for callers.',
  resourceTypes: ['AWS::KMS::Key'],
  changes: ['AWS::KMS::Key Properties.EnableKeyRotation'],
  references: [
    'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html#cfn-kms-key-enablekeyrotation',
    'aws-cdk-lib/aws-kms/lib/key.ts (enableKeyRotation)',
  ],
  satisfies: ['AwsSolutions-KMS5', 'Security Hub KMS.4', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', 'checkov CKV_AWS_7'],
  apply(key, ctx) {
    const rotation = key.properties.EnableKeyRotation;
    const origin = key.properties.Origin;
    const symmetric = isSymmetricEncryptionKey(ctx.model, key.id);
    if (symmetric === false || origin === 'EXTERNAL' || origin === 'EXTERNAL_KEY_STORE') return;
    if (symmetric === undefined) {
      ctx.finding(key.id, 'Properties.KeySpec', 'info', 'KeySpec or KeyUsage is computed at deploy time, so rotation is left as written');
      return;
    }
    if (rotation === undefined) ctx.set(key.id, ['Properties', 'EnableKeyRotation'], true, 'rotate the key material automatically');
    else if (rotation === false || rotation === 'false') ctx.finding(key.id, 'Properties.EnableKeyRotation', 'warning', 'kept false as the template sets it; symmetric keys should rotate (Security Hub KMS.4)');
    else if (isIntrinsic(rotation)) ctx.finding(key.id, 'Properties.EnableKeyRotation', 'info', 'left as written: it is computed at deploy time, so it cannot be checked here');
  },
};
