/**
 * What the S3 notification rules (S3N-001, S3N-002) share: the destinations a bucket's
 * `NotificationConfiguration` names, and the bucket's ARN built from its name.
 *
 * The bucket ARN matters because of the cycle trap: S3 validates every destination when it
 * creates the bucket ("Unable to validate the following destination configurations"), so the
 * bucket must depend on the permission or policy that lets S3 deliver. If that permission or
 * policy refers to the bucket (`!GetAtt Bucket.Arn`, `!Ref Bucket`), the two depend on each other.
 * A bucket ARN is `arn:<partition>:s3:::<name>` and carries no account or region, so it can be
 * built from the bucket's name without referring to the bucket, when the name is known without
 * referring to it (a literal, or a Sub/Join of parameters and pseudo parameters).
 */
import { canonicalString, intrinsicName } from '../template/intrinsics';
import { nameText, sourceCondition, sourceContext } from './source-arn';
import type { RuleContext } from '../rules/types';
import type { Connection, Grant } from './types';
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve, type Resolution } from '../template/resolve';

/** The destination lists of a `NotificationConfiguration` and the field naming each destination. */
export const DESTINATIONS = {
  lambda: { list: 'LambdaConfigurations', field: 'Function' },
  queue: { list: 'QueueConfigurations', field: 'Queue' },
  topic: { list: 'TopicConfigurations', field: 'Topic' },
} as const;

export type DestinationKind = keyof typeof DESTINATIONS;

/** One way a destination entry can resolve (one per `Fn::If` branch), with where it was written. */
export interface DestinationValue {
  /** `Properties.NotificationConfiguration.LambdaConfigurations[0].Function` */
  path: string;
  resolution: Resolution;
}

/**
 * Every value the destinations of one kind can take, or a string saying why they cannot be read
 * (the configuration or its list is computed by an intrinsic). Undefined when there are none.
 */
export function destinationValues(model: TemplateModel, bucketId: string, kind: DestinationKind): DestinationValue[] | string | undefined {
  const { list, field } = DESTINATIONS[kind];
  const config = model.get(bucketId, ['Properties', 'NotificationConfiguration']);
  if (config === undefined) return undefined;
  if (!isObject(config) || intrinsicName(config) !== undefined) return 'Properties.NotificationConfiguration';
  const entries: Json | undefined = config[list];
  if (entries === undefined) return undefined;
  const listPath = `Properties.NotificationConfiguration.${list}`;
  if (!Array.isArray(entries)) return listPath;
  const out: DestinationValue[] = [];
  entries.forEach((entry, i) => {
    const value = fieldOf(entry, field);
    if (value === undefined) return;
    const path = isObject(entry) && intrinsicName(entry) === 'Fn::If' ? `${listPath}[${i}]` : `${listPath}[${i}].${field}`;
    for (const resolution of resolve(value, model)) out.push({ path, resolution });
  });
  return out;
}

/**
 * The destination field of one configuration entry; an entry written as `Fn::If` (a notification
 * only under a condition) becomes the same `Fn::If` over its branches' fields, so that every
 * branch is followed with its guard, as for an `Fn::If` on the field itself.
 */
function fieldOf(entry: Json, field: string): Json | undefined {
  if (!isObject(entry)) return undefined;
  const fn = intrinsicName(entry);
  if (fn === undefined) return entry[field];
  if (fn === 'Ref' && entry.Ref === 'AWS::NoValue') return entry;
  const args = entry['Fn::If'];
  if (fn !== 'Fn::If' || !Array.isArray(args) || args.length !== 3) return undefined;
  const [then, otherwise] = [fieldOf(args[1], field), fieldOf(args[2], field)];
  if (then === undefined && otherwise === undefined) return undefined;
  const noValue: Json = { Ref: 'AWS::NoValue' };
  return { 'Fn::If': [args[0], then ?? noValue, otherwise ?? noValue] };
}

/**
 * The bucket's name as `Fn::Sub` text, when it is known without referring to any resource: a
 * literal, a parameter, or a Sub/Join of literals, parameters and pseudo parameters.
 */
export function bucketNameText(model: TemplateModel, bucketId: string): string | undefined {
  return nameText(model, bucketId, 'BucketName');
}

/** `arn:${AWS::Partition}:s3:::<name>`, or undefined when the name is not known (see `bucketNameText`). */
export function bucketArnFromName(model: TemplateModel, bucketId: string): Json | undefined {
  const text = bucketNameText(model, bucketId);
  return text === undefined ? undefined : { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${text}` };
}

/** Why the bucket's ARN cannot be built from its name, for a message. */
export function whyNameUnknown(model: TemplateModel, bucketId: string): string {
  return model.get(bucketId, ['Properties', 'BucketName']) === undefined
    ? `${bucketId} has no BucketName`
    : `${bucketId}'s BucketName is not built from literals, parameters and pseudo parameters only`;
}

/**
 * True when an ARN value names exactly this bucket by its name (`arn:<any partition>:s3:::<name>`),
 * without referring to the bucket resource.
 */
export function namesBucketArn(model: TemplateModel, value: Json, bucketId: string): boolean {
  const name = bucketNameText(model, bucketId);
  if (name === undefined) return false;
  const canon = canonicalString(value);
  const text = typeof canon === 'string' ? canon.replace(/\$\{/g, '${!') : isObject(canon) && typeof canon['Fn::Sub'] === 'string' ? canon['Fn::Sub'] : undefined;
  const m = text === undefined ? null : /^arn:(?:\$\{AWS::Partition\}|aws(?:-[a-z-]+)?):s3:::(.+)$/.exec(text);
  return m !== null && m[1] === name;
}

/** The service principal of Amazon S3, the same in every partition (aws-cdk-lib `region-info/lib/default.ts`: universal). */
export const S3_PRINCIPAL = 's3.amazonaws.com';

/** The AWS managed keys of SQS and SNS, whose key policies cannot be changed (so S3 cannot be let in). */
export const SQS_SNS_MANAGED_KEY = /(^|:)alias\/aws\/(sqs|sns)$/;

/** What differs between the queue and the topic kinds. */
export interface S3Destination {
  policy: 'queue' | 'topic';
  action: string;
  /** The destination's ARN, as the statement's Resource. */
  resource(id: string): Json;
  /** Other spellings of the same ARN, for judging statements already there. */
  spellings(id: string): Json[];
}

/**
 * The grants of an S3 notification to a queue or topic (S3N-002), said once for both kinds:
 * 1. the destination's one policy lets `s3.amazonaws.com` send or publish, scoped by
 *    `aws:SourceAccount` and, when the bucket's name is known, `aws:SourceArn` built from it (the
 *    S3 guide's walkthrough statement; aws-cdk-lib `aws-s3-notifications/lib/sqs.ts`, `sns.ts`);
 * 2. no role: S3 acts as its service principal;
 * 3. a destination encrypted with a key of the template: the key lets `s3.amazonaws.com`
 *    `kms:GenerateDataKey*` and `kms:Decrypt` (aws-cdk-lib `sqs.ts`: "if this queue is encrypted,
 *    we need to allow S3 to read messages since that's how it verifies that the notification
 *    destination configuration is valid"; the S3 walkthrough's key statement), with the same
 *    source conditions (the SQS guide "Access management for encrypted Amazon SQS queues with
 *    least privilege policies" scopes the event source's key statement by aws:SourceArn); a key
 *    outside the template goes to the KMS preflight;
 * 4. the bucket depends on the destination's policy: S3 sends a test event at create time.
 */
export function s3DestinationGrants(c: Connection, ctx: RuleContext, d: S3Destination): Grant[] {
  const src = c.sourceArn;
  const pinned = src?.pinned === true;
  const sid = pinned ? `AllowS3NotificationsFrom${c.source}` : 'AllowS3Notifications';
  const condition = sourceCondition(src);
  const context = sourceContext(src, ctx.accountId);
  const scope = pinned ? `from ${c.source} (aws:SourceArn built from its BucketName) in this account` : `from buckets of this account (${src?.pinned === false ? src.why : whyNameUnknown(ctx.model, c.source)}, so no aws:SourceArn)`;
  const resource = d.resource(c.destination);
  const grants: Grant[] = [
    {
      to: 'policy',
      policy: d.policy,
      target: c.destination,
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: S3_PRINCIPAL }, Action: d.action, Resource: resource, Condition: condition },
      request: { principal: S3_PRINCIPAL, actions: [d.action], resources: [resource, ...d.spellings(c.destination)], context },
      detail: `let s3.amazonaws.com ${d.action} to ${c.destination} ${scope}`,
    },
  ];
  const key = ctx.model.get(c.destination, ['Properties', 'KmsMasterKeyId']);
  if (key !== undefined) {
    grants.push({
      to: 'key',
      owner: c.destination,
      path: 'Properties.KmsMasterKeyId',
      value: key,
      service: 's3',
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: S3_PRINCIPAL }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: condition },
      request: { principal: S3_PRINCIPAL, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], context },
      detail: `let s3.amazonaws.com kms:GenerateDataKey* and kms:Decrypt for notifications to ${c.destination} ${scope}`,
      managedAliases: SQS_SNS_MANAGED_KEY,
    });
  }
  grants.push({
    to: 'order',
    from: c.source,
    after: { policy: d.policy, target: c.destination },
    detail: 'S3 validates notification destinations when it creates the bucket, so the policy must allow it first',
    onCycle: { path: 'Properties.PolicyDocument', consequence: 'S3 may reject the notification at create time', rewrite: "write the bucket's ARN as arn:${AWS::Partition}:s3:::<BucketName> instead" },
  });
  return grants;
}
