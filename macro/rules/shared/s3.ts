/**
 * What several S3 rules need to know about a bucket: who writes logs into it, and whether its
 * policy or ACL makes it public on purpose.
 */
import { canonicalString, references } from '../../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { findPolicies } from '../../template/policies';

/** True when a value names the bucket: refers to it, or spells its literal name (or its domain). */
export function pointsAtBucket(model: TemplateModel, value: Json | undefined, bucketId: string): boolean {
  if (value === undefined) return false;
  if (references(value).some((r) => r.name === bucketId)) return true;
  const name = model.get(bucketId, ['Properties', 'BucketName']);
  if (typeof name !== 'string') return false;
  const text = canonicalString(value);
  return typeof text === 'string' && (text === name || text.startsWith(`${name}.s3.`) || text.startsWith(`${name}.s3-`));
}

/**
 * The services that deliver logs into this bucket, as words for a report, e.g.
 * `["S3 server access logs from Source"]`. These services cannot write to a bucket encrypted
 * with SSE-KMS (ELB access logs: "Enable access logs for your Application Load Balancer",
 * Elastic Load Balancing docs; CloudFront standard logs (legacy): "Configure standard logging",
 * CloudFront docs; S3 server access logs: "Enabling Amazon S3 server access logging", S3 docs).
 */
export function logDeliveries(model: TemplateModel, bucketId: string): string[] {
  const out: string[] = [];
  for (const id of model.idsOfType('AWS::S3::Bucket')) {
    const logging = model.get(id, ['Properties', 'LoggingConfiguration']);
    if (!isObject(logging)) continue;
    // Without DestinationBucketName, S3 writes the logs into the bucket itself.
    const dest = logging.DestinationBucketName;
    if ((dest === undefined && id === bucketId) || pointsAtBucket(model, dest, bucketId)) out.push(`S3 server access logs from ${id}`);
  }
  for (const id of model.idsOfType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    // Network Load Balancers accept SSE-KMS with a customer managed key ("Enable access logs for your Network Load Balancer").
    if (model.get(id, ['Properties', 'Type']) === 'network') continue;
    const attributes = model.get(id, ['Properties', 'LoadBalancerAttributes']);
    if (!Array.isArray(attributes)) continue;
    for (const a of attributes) {
      if (isObject(a) && typeof a.Key === 'string' && /^(access|connection|health_check)_logs\.s3\.bucket$/.test(a.Key) && pointsAtBucket(model, a.Value, bucketId)) {
        out.push(`load balancer ${a.Key.split('.')[0].replace(/_/g, ' ')} from ${id}`);
      }
    }
  }
  for (const id of model.idsOfType('AWS::ElasticLoadBalancing::LoadBalancer')) {
    if (pointsAtBucket(model, model.get(id, ['Properties', 'AccessLoggingPolicy', 'S3BucketName']), bucketId)) out.push(`Classic Load Balancer access logs from ${id}`);
  }
  for (const id of model.idsOfType('AWS::CloudFront::Distribution')) {
    if (pointsAtBucket(model, model.get(id, ['Properties', 'DistributionConfig', 'Logging', 'Bucket']), bucketId)) out.push(`CloudFront standard logs from ${id}`);
  }
  return out;
}

/** Canned ACLs that grant access to everyone (or every AWS account). */
const PUBLIC_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);

export interface PublicIntent {
  /** Why the bucket's policy is meant to be public (a statement, a website), or undefined. */
  policy?: string;
  /** Why the bucket's ACL is meant to be public, or undefined. */
  acl?: string;
}

/**
 * Why the bucket serves a website at its S3 website endpoint, or undefined: it has a
 * `WebsiteConfiguration` (an index document, or `RedirectAllRequestsTo`), or another bucket's
 * `WebsiteConfiguration.RedirectAllRequestsTo.HostName` names it (by reference, or by its literal
 * `BucketName`: a website endpoint's host name is the bucket name). "Amazon S3 website endpoints
 * do not support HTTPS" ("Website endpoints", Amazon S3 User Guide), so such a bucket is reached
 * over plain HTTP, by anonymous readers.
 */
export function websiteReason(model: TemplateModel, bucketId: string): string | undefined {
  if (model.get(bucketId, ['Properties', 'WebsiteConfiguration']) !== undefined) return 'it has a WebsiteConfiguration';
  for (const id of model.idsOfType('AWS::S3::Bucket')) {
    if (id === bucketId) continue;
    const host = model.get(id, ['Properties', 'WebsiteConfiguration', 'RedirectAllRequestsTo', 'HostName']);
    if (pointsAtBucket(model, host, bucketId)) return `${id} redirects every website request to it (RedirectAllRequestsTo.HostName)`;
  }
  return undefined;
}

/**
 * Whether the template means the bucket to be public: a policy statement that allows everyone
 * and that S3 counts as public (no condition, or conditions that do not pin it to fixed values of
 * the keys S3 accepts, see `pinnedBy`), a website (see `websiteReason`), or a public canned ACL.
 * Blocking public access on such a bucket makes the deploy fail (S3 rejects the public policy or
 * ACL), so the public access block rule reports instead of blocking.
 */
export function publicIntent(model: TemplateModel, bucketId: string): PublicIntent {
  const out: PublicIntent = {};
  const website = websiteReason(model, bucketId);
  if (website !== undefined) out.policy = website;
  for (const policyId of findPolicies(model, 'bucket', bucketId)) {
    const statements = model.get(policyId, ['Properties', 'PolicyDocument', 'Statement']);
    for (const s of Array.isArray(statements) ? statements : [statements]) {
      if (!isObject(s) || s.Effect !== 'Allow' || !isEveryone(s)) continue;
      const sid = typeof s.Sid === 'string' ? ` (statement ${s.Sid})` : '';
      if (s.Condition === undefined) out.policy = `${policyId} allows everyone${sid}`;
      else if (pinnedBy(model, s.Condition) === undefined) out.policy = `${policyId} allows everyone${sid} under a condition that S3 still counts as public (it pins no fixed value of aws:SourceArn, aws:SourceAccount, aws:SourceVpc(e), aws:SourceIp, aws:PrincipalOrgID or the like)`;
    }
  }
  const acl = model.get(bucketId, ['Properties', 'AccessControl']);
  if (typeof acl === 'string' && PUBLIC_ACLS.has(acl)) out.acl = `its AccessControl is ${acl}`;
  return out;
}

function isEveryone(statement: JsonObject): boolean {
  const p = statement.Principal;
  if (p === '*') return true;
  if (!isObject(p)) return false;
  const aws = p.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/**
 * The condition keys whose fixed values make a statement for everyone non-public, lower case
 * (condition keys are case-insensitive). "Blocking public access to your Amazon S3 storage", The
 * meaning of "public" (Amazon S3 User Guide): a bucket policy is non-public only when it grants
 * access to fixed values (no wildcard, no policy variable) of a principal, a set of CIDRs with
 * aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
 * aws:userid (outside the pattern AROLEID:*), s3:DataAccessPointArn, s3:DataAccessPointAccount,
 * aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn (and the PutPublicAccessBlock API
 * reference adds s3:x-amz-server-side-encryption-aws-kms-key-id).
 */
const PINNING_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:sourceip',
  'aws:userid',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/** Operators that compare a key with the listed values (not negations, not `IfExists`). */
const PINNING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike', 'ipaddress']);

/**
 * The first condition key that pins a statement to fixed values, as S3 judges "public", or
 * undefined when none does: a key of `PINNING_KEYS` under an equality operator, every value fixed
 * (no `*` or `?`, no `${...}` policy variable; a deploy-time value such as `!Ref AWS::AccountId`
 * is fixed unless its text shows a wildcard), and for aws:SourceIp no `/0` range.
 */
export function pinnedBy(model: TemplateModel, condition: Json | undefined): string | undefined {
  if (!isObject(condition)) return undefined;
  for (const operator of Object.keys(condition)) {
    const op = operator.toLowerCase().replace(/^foranyvalue:/, '');
    if (!PINNING_OPERATORS.has(op)) continue;
    const keys = condition[operator];
    if (!isObject(keys)) continue;
    for (const key of Object.keys(keys)) {
      const k = key.toLowerCase();
      if (!PINNING_KEYS.has(k) || (op === 'ipaddress') !== (k === 'aws:sourceip')) continue;
      const values = Array.isArray(keys[key]) ? (keys[key] as Json[]) : [keys[key]];
      if (values.length && values.every((v) => isFixed(model, v, k === 'aws:sourceip'))) return key;
    }
  }
  return undefined;
}

function isFixed(model: TemplateModel, value: Json, cidr: boolean): boolean {
  let text: Json = canonicalString(value);
  if (isObject(text) && typeof text.Ref === 'string' && model.isParameter(text.Ref)) text = model.parameterValue(text.Ref) ?? '';
  if (isObject(text) && typeof text['Fn::Sub'] === 'string') text = text['Fn::Sub'].replace(/\$\{[^}]*\}/g, '');
  if (typeof text === 'number' || typeof text === 'boolean') return true;
  if (typeof text !== 'string') return true; // computed at deploy time, and no wildcard can be seen
  if (/[*?]/.test(text) || text.includes('${')) return false;
  return !(cidr && /\/0$/.test(text));
}
