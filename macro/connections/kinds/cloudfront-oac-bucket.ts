/**
 * CloudFront distribution → S3 origin bucket through origin access control (CF-001).
 *
 * CloudFront signs its requests to the origin as the service principal `cloudfront.amazonaws.com`,
 * and S3 answers 403 unless the bucket's one policy lets that principal `s3:GetObject`, pinned to
 * the distribution by `AWS:SourceArn` (CloudFront Developer Guide, "Restrict access to an Amazon S3
 * origin": "Give the origin access control permission to access the S3 bucket"); objects of an
 * SSE-KMS bucket also need the key to let it `kms:Decrypt` under the same condition ("SSE-KMS":
 * the key policy statement for `cloudfront.amazonaws.com`). aws-cdk-lib
 * `aws-cloudfront-origins/lib/s3-origin.ts` (`S3BucketOrigin.withOriginAccessControl`) writes the
 * same: `s3:GetObject` on `bucket/*` for READ, `kms:Decrypt` on the key, both with
 * `AWS:SourceArn` `arn:<p>:cloudfront::<a>:distribution/<id>`.
 *
 * The distribution ARN can only be written with `Ref` on the distribution (its id is generated),
 * which is fine for the bucket policy: the distribution refers to the bucket, the policy to the
 * distribution, and CloudFront does not check the policy when it creates the distribution, so no
 * ordering edge is needed. It is not fine when the distribution already depends on the policy (or
 * on the key: the distribution names the bucket, and the bucket its key, so a key statement that
 * refers to the distribution closes Key → Distribution → Bucket → Key), nor when the distribution
 * may not exist when the policy does (its `Condition`): then the statement uses the account's
 * pattern `arn:<p>:cloudfront::<a>:distribution/*`, as aws-cdk-lib does for the key ("a wildcard is
 * used in the Key policy condition to match all Distribution IDs" to avoid the circular
 * dependency), and the rule reports it.
 */
import type { Json } from '../../template/json';
import { findPolicies } from '../../template/policies';
import type { RuleContext } from '../../rules/types';
import { nameText } from '../source-arn';
import { keysOf } from '../keys';
import { bucketKmsKeys, S3_MANAGED_KEY } from '../bucket-encryption';
import type { Connection, ConnectionKind, Grant } from '../types';

/** The CloudFront service principal, the same in every partition (aws-cdk-lib region-info: universal). */
export const CLOUDFRONT_PRINCIPAL = 'cloudfront.amazonaws.com';

/** The ARN of one distribution of the template (its `Ref` is the distribution id). */
export function distributionArn(distribution: string): Json {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distribution}}` };
}

/** Every distribution of this account: the fallback when the one distribution cannot be named. */
export const DISTRIBUTION_PATTERN: Json = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*' };

function spellings(distribution: string): Json[] {
  return [distributionArn(distribution), { 'Fn::Sub': `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distribution}.Id}` }];
}

/**
 * Whether a statement in `holder`'s policy may name the distribution by `Ref`: the distribution
 * does not already wait for the holder (that would be a cycle) and exists whenever the holder does.
 */
function mayRefer(ctx: RuleContext, distribution: string, holder: string): boolean {
  return !ctx.model.reaches(distribution, holder) && ctx.model.conditionImplies(ctx.model.condition(holder), ctx.model.condition(distribution));
}

/** Where the distribution can be named: in the bucket's policy, and in the keys of its default encryption. */
export function cloudFrontScopes(ctx: RuleContext, c: Pick<Connection, 'source' | 'destination'>): { bucket: boolean; keys: boolean } {
  const policy = findPolicies(ctx.model, 'bucket', c.destination)[0];
  // A policy still to be created is new: nothing waits for it, and it takes the bucket's Condition.
  const bucket = policy === undefined ? ctx.model.conditionImplies(ctx.model.condition(c.destination), ctx.model.condition(c.source)) : mayRefer(ctx, c.source, policy);
  const keys = bucketKmsKeys(ctx.model, c.destination).every((k) => keysOf(ctx.model, k.value).keys.every((t) => mayRefer(ctx, c.source, t.key)));
  return { bucket, keys };
}

function condition(c: Connection, pinned: boolean): Record<string, Record<string, Json>> {
  return pinned ? { StringEquals: { 'AWS:SourceArn': distributionArn(c.source) } } : { ArnLike: { 'AWS:SourceArn': DISTRIBUTION_PATTERN } };
}

function grants(c: Connection, ctx: RuleContext): Grant[] {
  const scopes = cloudFrontScopes(ctx, c);
  const sid = `AllowCloudFrontOAC${c.source}`;
  const objects: Json = { 'Fn::Sub': `\${${c.destination}.Arn}/*` };
  const name = nameText(ctx.model, c.destination, 'BucketName');
  const context = { 'aws:SourceArn': spellings(c.source) };
  const scope = (pinned: boolean): string => (pinned ? `pinned to ${c.source} by AWS:SourceArn` : `for the distributions of this account (AWS:SourceArn distribution/*), since naming ${c.source} there would close a cycle or outlive its Condition`);
  const out: Grant[] = [
    {
      to: 'policy',
      policy: 'bucket',
      target: c.destination,
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: CLOUDFRONT_PRINCIPAL }, Action: 's3:GetObject', Resource: objects, Condition: condition(c, scopes.bucket) },
      request: { principal: CLOUDFRONT_PRINCIPAL, actions: ['s3:GetObject'], resources: name === undefined ? [objects] : [objects, { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${name}/*` }], context },
      detail: `let cloudfront.amazonaws.com s3:GetObject on the objects of ${c.destination} ${scope(scopes.bucket)}`,
    },
  ];
  for (const k of bucketKmsKeys(ctx.model, c.destination)) {
    if (k.value === undefined) continue;
    out.push({
      to: 'key',
      owner: c.destination,
      path: k.path,
      value: k.value,
      service: 'cloudfront',
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: CLOUDFRONT_PRINCIPAL }, Action: 'kms:Decrypt', Resource: '*', Condition: condition(c, scopes.keys) },
      request: { principal: CLOUDFRONT_PRINCIPAL, actions: ['kms:Decrypt'], resources: ['*'], context },
      detail: `let cloudfront.amazonaws.com kms:Decrypt the objects of ${c.destination} ${scope(scopes.keys)}`,
      managedAliases: S3_MANAGED_KEY,
    });
  }
  return out;
}

export const CLOUDFRONT_OAC_BUCKET: ConnectionKind = {
  id: 'cloudfront-oac-bucket',
  rule: 'CF-001',
  principal: CLOUDFRONT_PRINCIPAL,
  title: 'CloudFront origin access control → S3 origin bucket',
  references: [
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (Restrict access to an Amazon S3 origin: the bucket policy lets cloudfront.amazonaws.com s3:GetObject with StringEquals AWS:SourceArn the distribution ARN; SSE-KMS: the key policy lets cloudfront.amazonaws.com kms:Decrypt with the same condition)',
    'aws-cdk-lib/aws-cloudfront-origins/lib/s3-origin.ts (S3BucketOrigin.withOriginAccessControl: READ is s3:GetObject on the objects and kms:Decrypt on the key; the key statement matches distribution/* to avoid the Key → Distribution → Bucket → Key cycle)',
  ],
  grants,
};
