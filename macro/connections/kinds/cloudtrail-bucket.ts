/**
 * CloudTrail trail → its S3 bucket (CT-001): the bucket's one policy lets
 * `cloudtrail.amazonaws.com` check the bucket ACL and write the trail's log files, pinned to the
 * trail ("Amazon S3 bucket policy for CloudTrail": `AWSCloudTrailAclCheck` `s3:GetBucketAcl` on
 * the bucket, `AWSCloudTrailWrite` `s3:PutObject` on `<bucket>/[<prefix>/]AWSLogs/<account>/*`
 * with `s3:x-amz-acl` `bucket-owner-full-control`, both with `aws:SourceArn` the trail's ARN;
 * organization trails also write under `AWSLogs/<org-id>/*`).
 *
 * An `S3KeyPrefix` that may be empty (a parameter that allows '', an `Fn::If` with an empty or
 * `AWS::NoValue` branch) would give `<bucket>//AWSLogs/…`, a path CloudTrail never writes: the
 * Resource is an `Fn::If` instead, on the template's own condition or on a condition the macro
 * adds (`<Parameter>NotEmpty`), so each case names the path CloudTrail uses.
 */
import { isPseudoParameter, joinSub } from '../../template/intrinsics';
import { getOwn, isObject, type Json, type JsonObject } from '../../template/json';
import type { RuleContext } from '../../rules/types';
import { CLOUDTRAIL_PRINCIPAL, sourceConditions, trailContext } from '../cloudtrail';
import type { ConnectionKind, Grant } from '../types';

const CLOUDTRAIL = { Service: CLOUDTRAIL_PRINCIPAL };

/** True when the parameter may be given as '' (no MinLength, AllowedPattern or AllowedValues that rules it out). */
function mayBeEmpty(ctx: RuleContext, name: string): boolean {
  const p = getOwn(ctx.model.doc, 'Parameters');
  const def = isObject(p) ? getOwn(p, name) : undefined;
  if (!isObject(def)) return true;
  if (typeof def.MinLength === 'number' && def.MinLength >= 1) return false;
  if (typeof def.MinLength === 'string' && Number(def.MinLength) >= 1) return false;
  if (Array.isArray(def.AllowedValues)) return def.AllowedValues.some((v) => v === '');
  if (typeof def.AllowedPattern === 'string') {
    try {
      return new RegExp(`^(?:${def.AllowedPattern})$`).test('');
    } catch {
      return true;
    }
  }
  return true;
}

/** The condition `<Parameter>NotEmpty` (`!Not [!Equals [!Ref P, '']]`), added once. */
function notEmptyCondition(ctx: RuleContext, parameter: string): string {
  const name = `${parameter}NotEmpty`;
  const conditions = getOwn(ctx.model.doc, 'Conditions');
  const wanted: Json = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: parameter }, ''] }] };
  const existing = isObject(conditions) ? getOwn(conditions, name) : undefined;
  if (existing === undefined) ctx.setTemplate(['Conditions', name], wanted, `true when ${parameter} is not empty, so the CloudTrail log path has no empty S3KeyPrefix segment`);
  else if (JSON.stringify(existing) !== JSON.stringify(wanted)) ctx.fail('-', `Conditions.${name}`, `the condition ${name} is already used for something else, so the log path for an empty ${parameter} cannot be told apart: rename that condition`);
  return name;
}

/**
 * `<bucket>/[<prefix>/]AWSLogs/<account>/*` for every value the prefix can take; `Fn::If` where
 * it may be empty.
 *
 * @example
 * logPath(ctx, { Ref: 'Prefix' }, [bucketArn, '/'], accountRef);
 * // → { 'Fn::If': ['PrefixNotEmpty', { 'Fn::Sub': '${B.Arn}/${Prefix}/AWSLogs/${AWS::AccountId}/*' }, { 'Fn::Sub': '${B.Arn}/AWSLogs/${AWS::AccountId}/*' }] }
 */
export function logPath(ctx: RuleContext, prefix: Json | undefined, base: Json[], account: Json): Json {
  const without = joinSub([...base, 'AWSLogs/', account, '/*']);
  const withPrefix = (p: Json) => joinSub([...base, p, '/AWSLogs/', account, '/*']);
  const walk = (p: Json | undefined): Json => {
    if (p === undefined || p === '') return without;
    if (typeof p === 'string' || typeof p === 'number') return withPrefix(p);
    if (isObject(p) && Array.isArray(p['Fn::If']) && p['Fn::If'].length === 3 && typeof p['Fn::If'][0] === 'string') {
      const [condition, a, b] = p['Fn::If'];
      const left = walk(a);
      const right = walk(b);
      return JSON.stringify(left) === JSON.stringify(right) ? left : { 'Fn::If': [condition, left, right] };
    }
    if (isObject(p) && p.Ref === 'AWS::NoValue') return without;
    if (isObject(p) && typeof p.Ref === 'string' && !isPseudoParameter(p.Ref) && ctx.model.isParameter(p.Ref) && mayBeEmpty(ctx, p.Ref)) {
      return { 'Fn::If': [notEmptyCondition(ctx, p.Ref), withPrefix(p), without] };
    }
    return withPrefix(p);
  };
  return walk(prefix);
}

/** The trail and bucket a CT-001 connection needs, and the organization id when known. */
export const CLOUDTRAIL_BUCKET: ConnectionKind = {
  id: 'cloudtrail-bucket',
  rule: 'CT-001',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: 'CloudTrail trail → S3 bucket (log files)',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html (AWSCloudTrailAclCheck and AWSCloudTrailWrite, aws:SourceArn the trail ARN; the optional prefix; organization trails)',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (Trail: s3:GetBucketAcl and s3:PutObject statements with aws:SourceArn)',
  ],
  grants(c, ctx) {
    const trail = c.source;
    const bucket = c.destination;
    const conditions = sourceConditions(ctx.model, trail);
    const context = trailContext(ctx.model, trail, ctx.accountId);
    const bucketArn: Json = { 'Fn::GetAtt': [bucket, 'Arn'] };
    const prefix = ctx.model.get(trail, ['Properties', 'S3KeyPrefix']);
    const write = (account: Json, sid: string, detail: string): Grant => {
      const resource = logPath(ctx, prefix, [bucketArn, '/'], account);
      const alternatives = isObject(resource) && 'Fn::If' in resource ? [] : [logPath(ctx, prefix, [{ Ref: bucket }, '/'], account)].map((r) => (isObject(r) && typeof r['Fn::Sub'] === 'string' ? { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${r['Fn::Sub']}` } : r));
      const statement: JsonObject = {
        Sid: sid,
        Effect: 'Allow',
        Principal: CLOUDTRAIL,
        Action: 's3:PutObject',
        Resource: resource,
        Condition: { ...conditions, StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...conditions.StringEquals } },
      };
      return { to: 'policy', policy: 'bucket', target: bucket, statement, request: { principal: CLOUDTRAIL_PRINCIPAL, actions: ['s3:PutObject'], resources: [resource, ...alternatives], context: { ...context, 's3:x-amz-acl': ['bucket-owner-full-control'] } }, detail, pinSourceReferences: true };
    };
    const grants: Grant[] = [
      {
        to: 'policy',
        policy: 'bucket',
        target: bucket,
        statement: { Sid: `AWSCloudTrailAclCheck${trail}`, Effect: 'Allow', Principal: CLOUDTRAIL, Action: 's3:GetBucketAcl', Resource: bucketArn, Condition: conditions },
        request: { principal: CLOUDTRAIL_PRINCIPAL, actions: ['s3:GetBucketAcl'], resources: [bucketArn, { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${${bucket}}` }], context },
        detail: `CloudTrail may check the bucket ACL for ${trail}`,
        pinSourceReferences: true,
      },
      write({ Ref: 'AWS::AccountId' }, `AWSCloudTrailWrite${trail}`, `CloudTrail may write ${trail}'s logs`),
    ];
    const org = ctx.model.get(trail, ['Properties', 'IsOrganizationTrail']);
    const orgId = ctx.setting('OrganizationId');
    if ((org === true || org === 'true' || isObject(org)) && typeof orgId === 'string') {
      grants.push(write(orgId, `AWSCloudTrailOrgWrite${trail}`, `CloudTrail may write the organization's logs for ${trail}`));
    }
    return grants;
  },
};
