/**
 * What the log-delivery connections (LOGD-001) share: where each source writes in the bucket
 * (its prefix), the statements of the CloudWatch Logs vended-log delivery principal, and the
 * Elastic Load Balancing account table for Application and Classic Load Balancer access logs.
 *
 * Sources:
 * - CloudWatch Logs User Guide, "Logs sent to Amazon S3" (Enabling logging from AWS services):
 *   `delivery.logs.amazonaws.com` gets `AWSLogDeliveryWrite` (`s3:PutObject` on
 *   `bucket/[prefix/]AWSLogs/<account>/*` with `s3:x-amz-acl bucket-owner-full-control`) and
 *   `AWSLogDeliveryAclCheck` (`s3:GetBucketAcl` on the bucket), both with `StringEquals
 *   aws:SourceAccount <account>` and `ArnLike aws:SourceArn arn:<p>:logs:<region>:<account>:*`;
 *   an SSE-KMS bucket's key lets the same principal use it under the same conditions. The service
 *   adds these statements itself only when it may edit the bucket policy, and a policy the
 *   template owns is rewritten on the next stack update, so they belong in the template.
 * - Amazon VPC User Guide, "Amazon S3 bucket permissions for flow logs" and "Required key policy
 *   for use with SSE-KMS" (the same statements; `kms:GenerateDataKey*` for the principal).
 * - Elastic Load Balancing, "Enable access logs for your Network Load Balancer" (the same
 *   statements; SSE-S3 or SSE-KMS with a customer managed key whose policy lets
 *   delivery.logs.amazonaws.com use it), "Enable access logs for your Application Load Balancer"
 *   and "Enable access logs for your Classic Load Balancer" (Regions available before August 2022:
 *   the Elastic Load Balancing account of the Region, `arn:<p>:iam::<elb-account-id>:root`; later
 *   Regions: the service principal `logdelivery.elasticloadbalancing.amazonaws.com`; `s3:PutObject`
 *   on `bucket/[prefix/]AWSLogs/<account>/*`; SSE-S3 only).
 * - aws-cdk-lib `region-info/build-tools/fact-tables.ts` (`ELBV2_ACCOUNTS`: "Any not listed
 *   regions use the service principal logdelivery.elasticloadbalancing.amazonaws.com") and
 *   `aws-elasticloadbalancingv2/lib/shared/base-load-balancer.ts` (`logAccessLogs`: the
 *   statements, and the load balancer depends on the bucket's policy, aws-cdk#1633).
 */
import { canonicalString, isPseudoParameter, subVariables } from '../template/intrinsics';
import { canonical, isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve, type Guard } from '../template/resolve';
import { statementAllows } from './covers';
import { nameText } from './source-arn';
import type { Request } from './types';

/** The CloudWatch Logs vended-log delivery principal (the same in every partition, as the guides write it). */
export const DELIVERY_PRINCIPAL = 'delivery.logs.amazonaws.com';

/** The Elastic Load Balancing log delivery principal of Regions opened from August 2022. */
export const ELB_DELIVERY_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';

/**
 * The Elastic Load Balancing account per Region for Regions available before August 2022 (ELB
 * guides, "Attach a policy to your S3 bucket"; aws-cdk-lib region-info `ELBV2_ACCOUNTS`).
 */
export const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-south-1': '718504428378',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
  'eu-central-1': '054676820928',
  'eu-north-1': '897822967062',
  'eu-south-1': '635631232127',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-gov-east-1': '190560391635',
  'us-gov-west-1': '048591011584',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
};

/** Who writes ELB (ALB, CLB) access logs in a Region: the ELB account's root, or the service principal. */
export function elbPrincipal(region: string): { AWS: Json } | { Service: string } {
  const account = ELB_ACCOUNTS[region];
  return account === undefined ? { Service: ELB_DELIVERY_PRINCIPAL } : { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:root` } };
}

/** Where one source writes into one bucket of the template. */
export interface LogTarget {
  bucket: string;
  /** Where the property names the bucket (`Properties.LogDestination`). */
  path: string;
  /**
   * The key prefix the service writes under, as `Fn::Sub` text (`flows/`, `''` for none), or
   * undefined when it is computed at deploy time (the statement then covers every prefix).
   */
  prefix?: string;
  when: Guard[];
}

/**
 * `Fn::Sub` text of a value known without referring to resources (a literal, a parameter, a Sub of
 * literals, parameters and pseudo parameters); `''` when absent; undefined otherwise.
 */
export function knownText(model: TemplateModel, value: Json | undefined): string | undefined {
  if (value === undefined) return '';
  const canon = canonicalString(value);
  if (typeof canon === 'string') return canon.replace(/\$\{/g, '${!');
  if (!isObject(canon) || typeof canon['Fn::Sub'] !== 'string') return undefined;
  const text = canon['Fn::Sub'];
  return subVariables(text).every((v) => v.attribute === undefined && v.name !== 'AWS::NoValue' && (isPseudoParameter(v.name) || model.isParameter(v.name))) ? text : undefined;
}

/**
 * A key prefix as written in the template, when it is literal text (`''` when absent). A prefix
 * with a parameter may be empty at deploy time, which would make `bucket//AWSLogs/…`: it is left
 * undefined, and the statement covers every prefix (`bucket/*AWSLogs/…`).
 */
export function literalPrefix(model: TemplateModel, value: Json | undefined): string | undefined {
  const text = knownText(model, value);
  return text !== undefined && subVariables(text).length === 0 ? text : undefined;
}

/** A key prefix as the path segment before `AWSLogs/`: `logs` → `logs/`, `''` → `''`. */
export function prefixSegment(prefix: string): string {
  if (prefix === '') return '';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The bucket a bucket-name value names (`!Ref B`, or the literal name of a bucket of the template), else undefined. */
export function bucketByName(model: TemplateModel, r: ReturnType<typeof resolve>[number]): string | undefined {
  if (r.kind === 'resource') return model.type(r.id) === 'AWS::S3::Bucket' && r.attribute === undefined ? r.id : undefined;
  if (r.kind !== 'literal' || typeof r.value !== 'string') return undefined;
  const text = r.value;
  return model.idsOfType('AWS::S3::Bucket').find((b) => {
    const name = nameText(model, b, 'BucketName');
    return name !== undefined && !name.includes('${') && name === text;
  });
}

/** The objects a source may write, for a Resource: `${B.Arn}/<prefix>AWSLogs/${AWS::AccountId}/*`. */
export function logObjects(bucket: string, prefix: string | undefined, accountSegment = '${AWS::AccountId}'): Json {
  return { 'Fn::Sub': `\${${bucket}.Arn}/${prefix === undefined ? '*' : prefixSegment(prefix)}AWSLogs/${accountSegment}/*` };
}

/** Other spellings of a bucket-ARN-based Sub text: the name-built ARN, when the name is known. */
export function objectSpellings(model: TemplateModel, bucket: string, objects: Json): Json[] {
  const out: Json[] = [objects];
  const name = nameText(model, bucket, 'BucketName');
  const text = isObject(objects) && typeof objects['Fn::Sub'] === 'string' ? objects['Fn::Sub'] : undefined;
  if (name !== undefined && text !== undefined) out.push({ 'Fn::Sub': text.replace(`\${${bucket}.Arn}`, `arn:\${AWS::Partition}:s3:::${name}`) });
  return out;
}

/** The CloudWatch Logs delivery source pattern the guides pin `aws:SourceArn` to. */
export const DELIVERY_SOURCE: Json = { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' };

/** The guides' conditions for `delivery.logs.amazonaws.com`. */
export function deliveryCondition(extra: Record<string, Json> = {}): JsonObject {
  return { StringEquals: { ...extra, 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': DELIVERY_SOURCE } };
}

/** The request context `deliveryCondition` stands for. */
export function deliveryContext(accountId: string | undefined, extra: Record<string, Json[]> = {}): Record<string, Json[]> {
  const account: Json[] = [{ Ref: 'AWS::AccountId' }];
  if (accountId !== undefined) account.push(accountId);
  return { ...extra, 'aws:SourceAccount': account, 'aws:SourceArn': [DELIVERY_SOURCE] };
}

/**
 * True when `statement` allows `request` for a principal given as an AWS account (`AWS:
 * arn:<p>:iam::<account>:root` or the bare account id): `statementAllows` judges service
 * principals, so the account is read as a service name here.
 */
export function accountStatementAllows(statement: Json, account: string, request: Request): boolean {
  if (!isObject(statement) || !isObject(statement.Principal)) return false;
  const aws = statement.Principal.AWS;
  const values = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
  const spelled = values.some((v) => {
    const text = canonical(canonicalString(v));
    return text === canonical(account) || text === canonical({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:root` }) || /^"arn:aws[a-z-]*:iam::(\d{12}):root"$/.exec(text)?.[1] === account;
  });
  if (!spelled) return false;
  return statementAllows({ ...statement, Principal: { Service: request.principal } }, request);
}
