/**
 * What the CloudTrail rules share: the trail's ARN (built, never `!GetAtt Trail.Arn`, which
 * would close a cycle once the trail depends on the policies that name it) and its bucket.
 *
 * ARN format: "Amazon Resource Names for CloudTrail", `arn:<p>:cloudtrail:<r>:<a>:trail/<name>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
 */
import { canonicalString } from '../template/intrinsics';
import { canonical, isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve } from '../template/resolve';
import type { SourceArn } from './types';

const ARN_PREFIX = 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/';

/**
 * The trail's exact ARN as a `Fn::Sub`, when its `TrailName` is known; undefined otherwise.
 * A name that refers to the trail itself could not be used (it would be a cycle), so it counts
 * as unknown.
 */
export function trailArn(model: TemplateModel, trail: string): Json | undefined {
  const name = model.get(trail, ['Properties', 'TrailName']);
  if (name === undefined) return undefined;
  if (JSON.stringify(name).includes(`"${trail}"`) || JSON.stringify(name).includes(`\${${trail}`)) return undefined;
  const text = canonicalString(name);
  if (typeof text === 'string') return { 'Fn::Sub': `${ARN_PREFIX}${text.replace(/\$\{/g, '${!')}` };
  if (isObject(text) && typeof text['Fn::Sub'] === 'string') return { 'Fn::Sub': `${ARN_PREFIX}${text['Fn::Sub']}` };
  return { 'Fn::Sub': [`${ARN_PREFIX}\${TrailName}`, { TrailName: name }] };
}

/** Every trail of this account and region: what a trail without a known name is pinned to. */
export const ACCOUNT_TRAILS: Json = { 'Fn::Sub': `${ARN_PREFIX}*` };

/**
 * The `aws:SourceArn` condition entries for a trail: exact when its name is known, else the
 * account's trails plus `aws:SourceAccount`.
 */
export function sourceConditions(model: TemplateModel, trail: string): SourceConditions {
  const arn = trailArn(model, trail);
  if (arn !== undefined) return { StringEquals: { 'aws:SourceArn': arn } };
  return { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, StringLike: { 'aws:SourceArn': ACCOUNT_TRAILS } };
}

/** `aws:SourceArn` (and, without a trail name, `aws:SourceAccount`) condition blocks. */
export type SourceConditions = { StringEquals: JsonObject; StringLike?: JsonObject } & JsonObject;

/** The template bucket a trail writes to: `S3BucketName` as Ref, Sub "${B}", or B's literal name. */
export function trailBucket(model: TemplateModel, trail: string): string | undefined {
  const value = model.get(trail, ['Properties', 'S3BucketName']);
  if (value === undefined) return undefined;
  for (const r of resolve(value, model)) {
    if (r.kind === 'resource' && !r.attribute && model.type(r.id) === 'AWS::S3::Bucket') return r.id;
  }
  const key = canonical(canonicalString(value));
  return model.idsOfType('AWS::S3::Bucket').find((b) => {
    const name = model.get(b, ['Properties', 'BucketName']);
    return name !== undefined && canonical(canonicalString(name)) === key;
  });
}

/** The CloudTrail service principal, the same in every partition (aws-cdk-lib region-info: universal). */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * The trail as the source of a connection: pinned to its name-built ARN (matched exactly, as
 * the CloudTrail guide's `StringEquals aws:SourceArn` does), or the account's trails (`trail/*`)
 * with the options that pin it (`TrailName`, or the option `NamedTrails: true`).
 */
export function trailSourceArn(model: TemplateModel, trail: string): SourceArn {
  const arn = trailArn(model, trail);
  const getAtt: Json = { 'Fn::GetAtt': [trail, 'Arn'] };
  if (arn !== undefined) return { pinned: true, arn, exact: true, spellings: [arn, canonicalString(arn), getAtt] };
  return {
    pinned: false,
    pattern: ACCOUNT_TRAILS,
    spellings: [getAtt],
    why: `${trail} has no TrailName`,
    fix: `set TrailName on ${trail}, or the option NamedTrails: true (it replaces an existing trail)`,
  };
}

/** The request context CloudTrail sends for a trail: `aws:SourceArn` (every spelling) and `aws:SourceAccount`. */
export function trailContext(model: TemplateModel, trail: string, accountId?: string): Record<string, Json[]> {
  const account: Json[] = [{ Ref: 'AWS::AccountId' }];
  if (accountId !== undefined) account.push(accountId);
  return { 'aws:SourceArn': trailSourceArn(model, trail).spellings, 'aws:SourceAccount': account };
}
