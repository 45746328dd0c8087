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
import { canonicalString, intrinsicName, isPseudoParameter, subVariables } from '../../template/intrinsics';
import { isObject, type Json } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { resolve, type Resolution } from '../../template/resolve';

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
    if (!isObject(entry) || intrinsicName(entry) !== undefined) return;
    const path = `${listPath}[${i}].${field}`;
    for (const resolution of resolve(entry[field], model)) out.push({ path, resolution });
  });
  return out;
}

/** `${` in literal text written into a `Fn::Sub` string. */
function escapeSub(text: string): string {
  return text.replace(/\$\{/g, '${!');
}

/**
 * The bucket's name as `Fn::Sub` text, when it is known without referring to any resource: a
 * literal, a parameter, or a Sub/Join of literals, parameters and pseudo parameters.
 */
export function bucketNameText(model: TemplateModel, bucketId: string): string | undefined {
  const name = model.get(bucketId, ['Properties', 'BucketName']);
  if (name === undefined) return undefined;
  const canon = canonicalString(name);
  if (typeof canon === 'string') return escapeSub(canon);
  if (!isObject(canon) || typeof canon['Fn::Sub'] !== 'string') return undefined;
  const text = canon['Fn::Sub'];
  const known = subVariables(text).every((v) => v.attribute === undefined && v.name !== 'AWS::NoValue' && (isPseudoParameter(v.name) || model.isParameter(v.name)));
  return known ? text : undefined;
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
  const text = typeof canon === 'string' ? escapeSub(canon) : isObject(canon) && typeof canon['Fn::Sub'] === 'string' ? canon['Fn::Sub'] : undefined;
  const m = text === undefined ? null : /^arn:(?:\$\{AWS::Partition\}|aws(?:-[a-z-]+)?):s3:::(.+)$/.exec(text);
  return m !== null && m[1] === name;
}

/** The service principal of Amazon S3, the same in every partition (aws-cdk-lib `region-info/lib/default.ts`: universal). */
export const S3_PRINCIPAL = 's3.amazonaws.com';
