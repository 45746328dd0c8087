/**
 * CF-001: a CloudFront distribution that reaches a bucket of the template through origin access
 * control can read it: the bucket's one policy lets `cloudfront.amazonaws.com` `s3:GetObject`
 * pinned to the distribution, and the key of an SSE-KMS bucket lets it `kms:Decrypt`.
 *
 * Without the statement every request through the distribution answers 403 AccessDenied: the
 * distribution deploys, the site does not work (a silent failure). Followed: CloudFront Developer
 * Guide "Restrict access to an Amazon S3 origin" (the bucket policy statement with
 * `StringEquals AWS:SourceArn arn:aws:cloudfront::<account>:distribution/<id>`, and for SSE-KMS
 * the key policy statement for the same principal and condition; objects encrypted with the AWS
 * managed key cannot be served this way) and aws-cdk-lib `aws-cloudfront-origins/lib/s3-origin.ts`
 * (`S3BucketOrigin.withOriginAccessControl`). The connection is the catalogue's
 * `cloudfront-oac-bucket` kind, which also says when the statement uses the account's pattern
 * instead of naming the distribution (never a cycle).
 *
 * Discovery: every origin in `DistributionConfig.Origins` with an `OriginAccessControlId` (not
 * empty, in any `Fn::If` branch) whose `DomainName` names a bucket of the template:
 * `!GetAtt B.RegionalDomainName` / `DomainName` / `DualStackDomainName`, a `Fn::Sub` or `Fn::Join`
 * of `${B}.s3.…`, or the literal domain of a bucket with a literal name; each `Fn::If` branch.
 *
 * Expectations
 * - Skips: origins without origin access control; an origin access control of the template whose
 *   origin type is not `s3`; a bucket outside the template (reported); a bucket or key that skips
 *   CF-001; a distribution configuration computed by an intrinsic (reported).
 * - Already compliant: the bucket's one policy (and its key's policy) hold a statement allowing
 *   this distribution's request, by any Sid, narrower conditions included (`StringEquals
 *   AWS:SourceArn` on this distribution).
 * - Fixes: adds the statements to the bucket's one policy (created when there is none) and to the
 *   key policy of a key of the template; never an ordering edge (CloudFront does not check the
 *   policy at create time).
 * - Reports: a legacy origin access identity (not changed: moving to origin access control is the
 *   owner's choice), an origin on the bucket's website endpoint (not an S3 origin), an SSE-KMS
 *   bucket on the AWS managed key `aws/s3`, a key outside the template (KMS preflight), and a
 *   statement that had to use the account's pattern.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { bucketKmsKeys } from '../connections/bucket-encryption';
import { CLOUDFRONT_OAC_BUCKET, CLOUDFRONT_PRINCIPAL, cloudFrontScopes } from '../connections/kinds/cloudfront-oac-bucket';
import { nameText } from '../connections/source-arn';
import { canonicalString, intrinsicName } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import { resolve, type Guard } from '../template/resolve';

const ORIGINS = 'Properties.DistributionConfig.Origins';

/** `${Site}.s3.amazonaws.com`, `${Site}.s3.${AWS::Region}.amazonaws.com`, `${Site}.s3-accelerate…`. */
const SUB_DOMAIN = /^\$\{([A-Za-z0-9]+)\}\.s3[.-]/;

const BUCKET_DOMAINS = new Set(['RegionalDomainName', 'DomainName', 'DualStackDomainName']);

/** True when an `OriginAccessControlId` value may name an origin access control (not empty, in some branch). */
function usesOac(ctx: RuleContext, value: Json | undefined): boolean {
  return resolve(value, ctx.model).some((r) => r.kind !== 'no-value' && !(r.kind === 'literal' && r.value === ''));
}

/** An origin access control of the template that is not for S3 origins. */
function nonS3Oac(ctx: RuleContext, value: Json | undefined): string | undefined {
  for (const r of resolve(value, ctx.model)) {
    if (r.kind !== 'resource' || ctx.model.type(r.id) !== 'AWS::CloudFront::OriginAccessControl') continue;
    const type = ctx.model.get(r.id, ['Properties', 'OriginAccessControlConfig', 'OriginAccessControlOriginType']);
    if (typeof type === 'string' && type !== 's3') return `${r.id} is an origin access control for ${type} origins`;
  }
  return undefined;
}

interface Origin {
  bucket: string;
  path: string;
  when: Guard[];
}

function bucketsOf(ctx: RuleContext, dist: ResourceView, value: Json | undefined, path: string): Origin[] {
  const out: Origin[] = [];
  const buckets = ctx.model.idsOfType('AWS::S3::Bucket');
  for (const r of resolve(value, ctx.model)) {
    let bucket: string | undefined;
    if (r.kind === 'resource' && ctx.model.type(r.id) === 'AWS::S3::Bucket') {
      if (r.attribute === 'WebsiteURL') {
        ctx.finding(dist.id, path, 'info', `names the website endpoint of ${r.id}, a custom origin that origin access control cannot sign for: use !GetAtt ${r.id}.RegionalDomainName`);
        continue;
      }
      if (r.attribute !== undefined && BUCKET_DOMAINS.has(r.attribute)) bucket = r.id;
    } else if (r.kind === 'composite') {
      const m = SUB_DOMAIN.exec(r.text);
      if (m && ctx.model.type(m[1]) === 'AWS::S3::Bucket') bucket = m[1];
    } else if (r.kind === 'literal' && typeof r.value === 'string') {
      const text = r.value;
      bucket = buckets.find((b) => {
        const name = nameText(ctx.model, b, 'BucketName');
        return name !== undefined && !name.includes('${') && (text.startsWith(`${name}.s3.`) || text.startsWith(`${name}.s3-`));
      });
    }
    if (bucket === undefined) {
      if (r.kind !== 'no-value') {
        const written = r.kind === 'literal' ? String(r.value) : r.kind === 'parameter' ? `parameter ${r.name}` : JSON.stringify(canonicalString(r.kind === 'composite' ? { 'Fn::Sub': r.text } : null));
        recordConnection(ctx, { rule: CLOUDFRONT_OAC_BUCKET.rule, kind: CLOUDFRONT_OAC_BUCKET.id, source: dist.id, destination: written, principal: CLOUDFRONT_PRINCIPAL }, 'skipped', [], 'the origin is not a bucket of this template');
      }
      continue;
    }
    if (!out.some((o) => o.bucket === bucket)) out.push({ bucket, path, when: r.when });
  }
  return out;
}

export const cloudFrontOriginAccessControl: Rule = {
  id: 'CF-001',
  title: 'Let CloudFront origin access control read its origin buckets',
  rationale:
    'A distribution whose origin access control reaches a bucket that does not allow cloudfront.amazonaws.com answers every request with 403 AccessDenied. The bucket\'s one policy gets s3:GetObject for CloudFront pinned to the distribution with AWS:SourceArn, and the key of an SSE-KMS bucket gets kms:Decrypt under the same condition, unless a statement there already allows it.',
  resourceTypes: ['AWS::CloudFront::Distribution'],
  changes: ['AWS::S3::BucketPolicy', 'AWS::KMS::Key Properties.KeyPolicy'],
  references: [
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (Restrict access to an Amazon S3 origin: "Give the origin access control permission to access the S3 bucket", StringEquals AWS:SourceArn the distribution ARN; SSE-KMS: the key policy statement for cloudfront.amazonaws.com)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-distribution-origin.html (OriginAccessControlId; S3OriginConfig.OriginAccessIdentity empty with origin access control)',
    'aws-cdk-lib/aws-cloudfront-origins/lib/s3-origin.ts (S3BucketOrigin.withOriginAccessControl: s3:GetObject and kms:Decrypt with AWS:SourceArn; distribution/* in the key policy against the circular dependency)',
  ],
  apply(dist, ctx) {
    const config = dist.properties.DistributionConfig;
    if (!isObject(config)) return;
    const origins = config.Origins;
    if (origins === undefined) return;
    if (!Array.isArray(origins)) {
      ctx.finding(dist.id, ORIGINS, 'info', 'left as written: the origins are computed at deploy time, so their buckets cannot be checked here');
      return;
    }
    origins.forEach((origin, i) => {
      if (!isObject(origin) || intrinsicName(origin) !== undefined) return;
      const at = `${ORIGINS}[${i}]`;
      const s3 = origin.S3OriginConfig;
      const oai = isObject(s3) ? s3.OriginAccessIdentity : undefined;
      if (oai !== undefined && oai !== '' && !usesOac(ctx, origin.OriginAccessControlId)) {
        ctx.finding(dist.id, `${at}.S3OriginConfig.OriginAccessIdentity`, 'info', 'uses a legacy origin access identity, left as it is: its bucket policy is the owner\'s', 'origin access control (OriginAccessControlId, with OriginAccessIdentity "") is what AWS recommends and what CF-001 grants for');
        return;
      }
      if (!usesOac(ctx, origin.OriginAccessControlId)) return;
      if (nonS3Oac(ctx, origin.OriginAccessControlId) !== undefined) return;
      for (const o of bucketsOf(ctx, dist, origin.DomainName, `${at}.DomainName`)) connect(dist, o, ctx);
    });
  },
};

function connect(dist: ResourceView, o: Origin, ctx: RuleContext): void {
  const c = { kind: CLOUDFRONT_OAC_BUCKET.id, rule: CLOUDFRONT_OAC_BUCKET.rule, source: dist.id, destination: o.bucket, path: o.path, principal: CLOUDFRONT_PRINCIPAL, when: o.when };
  if (!ctx.skips(o.bucket)) {
    for (const k of bucketKmsKeys(ctx.model, o.bucket)) {
      if (k.value === undefined) ctx.finding(o.bucket, k.path, 'warning', `is SSE-KMS with the AWS managed key aws/s3, whose key policy cannot let CloudFront (${dist.id}) decrypt its objects`, 'give the bucket a customer managed key (KMSMasterKeyID) or use SSE-S3');
    }
  }
  const scopes = cloudFrontScopes(ctx, c);
  const record = applyConnection(ctx, CLOUDFRONT_OAC_BUCKET, c);
  const wide = record.added.filter((line) => (line.startsWith('bucket policy') && !scopes.bucket) || (line.startsWith('key policy') && !scopes.keys));
  if (wide.length) {
    ctx.finding(dist.id, o.path, 'warning', `the grants for ${dist.id} → ${o.bucket} in ${wide.map((l) => l.split(':')[0]).join(', ')} match every distribution of this account (AWS:SourceArn distribution/*): naming ${dist.id} there would close a dependency cycle or refer to it where it may not exist`, `after the first deploy, pin them to the distribution's ARN (arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/<id>)`);
  }
}
