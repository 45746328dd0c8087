/**
 * CloudTrail trail → the KMS keys that encrypt its log files (CT-003).
 *
 * The trail's own key (`KMSKeyId`), per "Configure AWS KMS key policies for CloudTrail":
 * - "Granting encrypt permissions": `kms:GenerateDataKey*` for `cloudtrail.amazonaws.com` with
 *   `StringLike kms:EncryptionContext:aws:cloudtrail:arn arn:<p>:cloudtrail:*:<a>:trail/*` and
 *   `aws:SourceArn` the trail;
 * - "Enable CloudTrail to describe KMS key properties": `kms:DescribeKey`, same `aws:SourceArn`;
 * - "If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions are
 *   required to create or update a trail with SSE-KMS encryption enabled": `kms:Decrypt` for the
 *   CloudTrail principal, same `aws:SourceArn`, only when the trail's bucket has
 *   `BucketKeyEnabled`. The guide's reader statement (`kms:Decrypt` for the principals that may
 *   read the logs) is the key owner's choice and is not added.
 *
 * The bucket's default encryption key, when the trail has no `KMSKeyId` (in some branch) and the
 * bucket's `ServerSideEncryptionByDefault` names a key of the template: S3 encrypts CloudTrail's
 * log objects with it on CloudTrail's behalf, so the key lets `cloudtrail.amazonaws.com`
 * `kms:GenerateDataKey*` (and `kms:Decrypt` with an S3 Bucket Key) through S3 only
 * (`kms:ViaService s3.<r>.<suffix>`) and for this bucket's objects
 * (`kms:EncryptionContext:aws:s3:arn`, the bucket ARN built from its name: the bucket refers to
 * the key, so the key policy cannot refer to the bucket). S3 guide "Specifying server-side
 * encryption with AWS KMS (SSE-KMS)" (the requester needs kms:GenerateDataKey; the encryption
 * context is the object ARN, or the bucket ARN with an S3 Bucket Key).
 */
import { sub } from '../../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { resolve } from '../../template/resolve';
import type { RuleContext } from '../../rules/types';
import { CLOUDTRAIL_PRINCIPAL, sourceConditions, trailBucket, trailContext } from '../cloudtrail';
import { sourceArnOf } from '../source-arn';
import type { Connection, ConnectionKind, Grant, KeyGrant } from '../types';

const CLOUDTRAIL = { Service: CLOUDTRAIL_PRINCIPAL };
const TRAIL_CONTEXT = sub('arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*');

/** A bucket's default encryption: the key values SSE-KMS rules name, and whether an S3 Bucket Key may be on. */
export function bucketEncryption(model: TemplateModel, bucket: string): { keys: Json[]; bucketKey: boolean } {
  const rules = model.get(bucket, ['Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration']);
  const keys: Json[] = [];
  let bucketKey = false;
  for (const rule of Array.isArray(rules) ? rules : []) {
    if (!isObject(rule)) continue;
    const byDefault = rule.ServerSideEncryptionByDefault;
    if (isObject(byDefault) && byDefault.KMSMasterKeyID !== undefined) {
      const algorithms = resolve(byDefault.SSEAlgorithm, model);
      if (algorithms.some((a) => a.kind !== 'literal' || String(a.value).startsWith('aws:kms'))) keys.push(byDefault.KMSMasterKeyID);
    }
    if (resolve(rule.BucketKeyEnabled, model).some((r) => r.kind !== 'no-value' && !(r.kind === 'literal' && (r.value === false || r.value === 'false')))) bucketKey = true;
  }
  return { keys, bucketKey };
}

function trailKeyGrants(c: Connection, ctx: RuleContext, value: Json): Grant[] {
  const trail = c.source;
  const source = sourceConditions(ctx.model, trail);
  const context = trailContext(ctx.model, trail, ctx.accountId);
  const key = (statement: JsonObject, actions: string[], extra: Record<string, Json[]>, detail: string, first: boolean): KeyGrant => ({
    to: 'key',
    owner: trail,
    path: 'Properties.KMSKeyId',
    value,
    service: 'cloudtrail',
    statement,
    request: { principal: CLOUDTRAIL_PRINCIPAL, actions, resources: ['*'], context: { ...context, ...extra } },
    detail,
    pinSourceReferences: true,
    ...(first ? {} : { checksExternal: false }),
  });
  const grants: Grant[] = [
    key(
      {
        Sid: `AllowCloudTrailEncrypt${trail}`,
        Effect: 'Allow',
        Principal: CLOUDTRAIL,
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { ...source, StringLike: { ...(isObject(source.StringLike) ? source.StringLike : {}), 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_CONTEXT } },
      },
      ['kms:GenerateDataKey'],
      { 'kms:EncryptionContext:aws:cloudtrail:arn': [sub(`arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/*`)] },
      `CloudTrail may encrypt ${trail}'s logs`,
      true,
    ),
    key({ Sid: `AllowCloudTrailDescribeKey${trail}`, Effect: 'Allow', Principal: CLOUDTRAIL, Action: 'kms:DescribeKey', Resource: '*', Condition: source }, ['kms:DescribeKey'], {}, `CloudTrail may describe the key for ${trail}`, false),
  ];
  const bucket = trailBucket(ctx.model, trail);
  if (bucket !== undefined && bucketEncryption(ctx.model, bucket).bucketKey) {
    grants.push(key({ Sid: `AllowCloudTrailDecrypt${trail}`, Effect: 'Allow', Principal: CLOUDTRAIL, Action: 'kms:Decrypt', Resource: '*', Condition: source }, ['kms:Decrypt'], {}, `CloudTrail may decrypt with the key, which it needs to create or update ${trail} because ${bucket} uses an S3 Bucket Key`, false));
  }
  return grants;
}

function bucketKeyGrants(c: Connection, ctx: RuleContext, bucket: string): Grant[] {
  const { keys, bucketKey } = bucketEncryption(ctx.model, bucket);
  const arn = sourceArnOf(ctx.model, bucket);
  const bucketText = arn?.pinned && isObject(arn.arn) && typeof arn.arn['Fn::Sub'] === 'string' ? arn.arn['Fn::Sub'] : undefined;
  const via = sub('s3.${AWS::Region}.${AWS::URLSuffix}');
  const condition: JsonObject = { StringEquals: { 'kms:ViaService': via } };
  const context: Record<string, Json[]> = { 'kms:ViaService': [via] };
  if (bucketText !== undefined) {
    condition.ArnLike = { 'kms:EncryptionContext:aws:s3:arn': [sub(bucketText), sub(`${bucketText}/*`)] };
    // What S3 sends for one of this trail's log objects: the bucket ARN with an S3 Bucket Key, else the object's.
    context['kms:EncryptionContext:aws:s3:arn'] = [bucketKey ? sub(bucketText) : sub(`${bucketText}/AWSLogs/\${AWS::AccountId}/CloudTrail/log.json.gz`)];
  }
  const actions = bucketKey ? ['kms:GenerateDataKey*', 'kms:Decrypt'] : 'kms:GenerateDataKey*';
  const objects = bucketText;
  return keys.map((value, i) => ({
    to: 'key' as const,
    owner: bucket,
    path: 'Properties.BucketEncryption',
    value,
    service: 'cloudtrail' as const,
    statement: { Sid: `AllowCloudTrailBucketEncryption${c.source}`, Effect: 'Allow', Principal: CLOUDTRAIL, Action: actions, Resource: '*', Condition: condition },
    request: { principal: CLOUDTRAIL_PRINCIPAL, actions: bucketKey ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:GenerateDataKey'], resources: ['*'], context },
    detail: `S3 may encrypt ${c.source}'s log objects in ${bucket} with its default key for CloudTrail${objects === undefined ? ` (any bucket: ${bucket}'s name is not known here)` : ''}`,
    ...(i > 0 ? { checksExternal: false } : {}),
  }));
}

/** The trail's own key (`KMSKeyId`): encrypt, describe, and decrypt with an S3 Bucket Key. */
export const CLOUDTRAIL_KEY: ConnectionKind = {
  id: 'cloudtrail-key',
  rule: 'CT-003',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: 'CloudTrail trail → its KMS key',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html (Required KMS key policy elements for trails: encrypt, describe, and kms:Decrypt with an S3 Bucket Key; aws:SourceArn as a best practice)',
  ],
  grants: (c, ctx) => trailKeyGrants(c, ctx, ctx.model.get(c.source, ['Properties', 'KMSKeyId']) ?? null),
};

/** The trail's bucket's default encryption key, used when the trail sets no key of its own. */
export const CLOUDTRAIL_BUCKET_KEY: ConnectionKind = {
  id: 'cloudtrail-bucket-key',
  rule: 'CT-003',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: "CloudTrail trail → its bucket's default encryption key",
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html and UsingKMSEncryption.html (the requester needs kms:GenerateDataKey; the aws:s3:arn encryption context)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html (with an S3 Bucket Key the encryption context is the bucket ARN)',
    'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service (kms:ViaService)',
  ],
  grants(c, ctx) {
    const bucket = trailBucket(ctx.model, c.source);
    return bucket === undefined ? [] : bucketKeyGrants(c, ctx, bucket);
  },
};
