/**
 * A destination bucket's default encryption, as the connections that write to or read from it
 * need to know it: objects of an SSE-KMS bucket are encrypted with its `KMSMasterKeyID` (or,
 * without one, with the AWS managed key `aws/s3`, whose key policy cannot be changed), so a
 * service principal that reads them (CloudFront origin access control) or writes them (vended
 * log delivery) must be let into that key.
 */
import { intrinsicName } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';

export interface BucketKms {
  /** `Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID` */
  path: string;
  /** The key the rule applies to (undefined: the AWS managed key aws/s3). */
  value?: Json;
}

/** The S3 managed key's alias, for `KeyGrant.managedAliases`. */
export const S3_MANAGED_KEY = /(^|:)alias\/aws\/s3$/;

/**
 * The SSE-KMS rules of a bucket's default encryption (`aws:kms`, `aws:kms:dsse`, or an algorithm
 * computed at deploy time with a key given), one per rule that names a key or uses `aws/s3`.
 *
 * @example
 * bucketKmsKeys(model, 'Site'); // [{ path: 'Properties.BucketEncryption…KMSMasterKeyID', value: { 'Fn::GetAtt': ['SiteKey', 'Arn'] } }]
 */
export function bucketKmsKeys(model: TemplateModel, bucketId: string): BucketKms[] {
  const rules = model.get(bucketId, ['Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration']);
  if (!Array.isArray(rules)) return [];
  const out: BucketKms[] = [];
  rules.forEach((rule, i) => {
    if (!isObject(rule) || !isObject(rule.ServerSideEncryptionByDefault)) return;
    const byDefault = rule.ServerSideEncryptionByDefault;
    const algorithm = byDefault.SSEAlgorithm;
    const key = byDefault.KMSMasterKeyID;
    const path = `Properties.BucketEncryption.ServerSideEncryptionConfiguration[${i}].ServerSideEncryptionByDefault.KMSMasterKeyID`;
    const kms = typeof algorithm === 'string' ? algorithm.startsWith('aws:kms') : intrinsicName(algorithm) !== undefined && key !== undefined;
    if (!kms) return;
    out.push(key === undefined ? { path } : { path, value: key });
  });
  return out;
}
