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
 * Whether the template means the bucket to be public: a policy statement that allows everyone
 * with no condition, a website configuration, or a public canned ACL. Blocking public access on
 * such a bucket makes the deploy fail (S3 rejects the public policy or ACL), so the public access
 * block rule reports instead of blocking.
 */
export function publicIntent(model: TemplateModel, bucketId: string): PublicIntent {
  const out: PublicIntent = {};
  if (model.get(bucketId, ['Properties', 'WebsiteConfiguration']) !== undefined) out.policy = 'it has a WebsiteConfiguration';
  for (const policyId of findPolicies(model, 'bucket', bucketId)) {
    const statements = model.get(policyId, ['Properties', 'PolicyDocument', 'Statement']);
    for (const s of Array.isArray(statements) ? statements : [statements]) {
      if (isObject(s) && s.Effect === 'Allow' && s.Condition === undefined && isEveryone(s)) {
        out.policy = `${policyId} allows everyone${typeof s.Sid === 'string' ? ` (statement ${s.Sid})` : ''}`;
      }
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
