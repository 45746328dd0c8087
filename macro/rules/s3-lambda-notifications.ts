/**
 * S3N-001: a bucket that notifies a Lambda function is created after the permission that lets S3
 * invoke the function.
 *
 * S3 validates every notification destination when CloudFormation creates the bucket; if the
 * function's resource policy does not yet let `s3.amazonaws.com` invoke it, the bucket fails
 * with "Unable to validate the following destination configurations". The bucket must therefore
 * `DependsOn` the `AWS::Lambda::Permission`, and that permission must not refer to the bucket
 * (its `SourceArn: !GetAtt Bucket.Arn` would then close a cycle, the trap the CloudFormation
 * `NotificationConfiguration` page warns about). A bucket ARN carries no account or region, so
 * the permission names it as `arn:${AWS::Partition}:s3:::<BucketName>` and adds
 * `SourceAccount: !Ref AWS::AccountId` (S3 ARNs name no owner; aws-cdk-lib's LambdaDestination
 * sets both).
 *
 * Expectations
 * - Skips: `LambdaConfigurations` entries whose `Function` is not in this template (a literal
 *   ARN, a parameter: reported), and configurations computed by an intrinsic (reported).
 * - Already compliant: for each function (or alias, or version) the bucket notifies, a permission
 *   with that `FunctionName`, `Principal: s3.amazonaws.com`, `Action: lambda:InvokeFunction`
 *   (or `lambda:*`), and no `SourceArn` or one naming this bucket by its name, which the bucket
 *   depends on (directly or through other resources).
 * - Fixes: creates the permission when there is none (`<Bucket><Function>InvokePermission`,
 *   `SourceAccount`, and `SourceArn` when the bucket's name is known without referring to it);
 *   makes the bucket depend on it. A permission whose `SourceArn` refers to the bucket is
 *   rewritten to the name-built ARN (a replacement of the permission, which is harmless: a new
 *   statement for the same grant is created before the old one is deleted), or the run fails
 *   with how to fix it when the name is not known. A permission with neither `SourceArn` nor
 *   `SourceAccount` (checkov CKV_AWS_364) is reported: adding one would replace it.
 * - Fails: a bucket whose literal name holds `*` or `?` (a permission's SourceArn is a pattern,
 *   so it would let other buckets in).
 * - Every bucket → function connection is a line of the report's connections view.
 * - Conditions: a new permission gets the bucket's condition when that implies the function's,
 *   else the function's when that implies the bucket's (the bucket's `DependsOn` is then refused
 *   and reported, cfn-lint E3005); otherwise nothing is created and the rule reports.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { intrinsicName, references } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import { resolve, type Resolution } from '../template/resolve';
import { bucketArnFromName, bucketNameText, destinationValues, namesBucketArn, S3_PRINCIPAL, whyNameUnknown } from './shared/s3-notifications';
import { recordConnection } from '../connections/apply';
import { hasWildcard } from '../connections/source-arn';

const FUNCTION_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);
const INVOKE_ACTIONS = new Set(['lambda:invokefunction', 'lambda:*', '*']);
const WHY_ORDER = 'S3 validates notification destinations when it creates the bucket, so the permission must exist first';

/** A function (or alias or version) in this template that the bucket notifies, with where it is named. */
interface Target {
  id: string;
  path: string;
}

export const s3LambdaNotifications: Rule = {
  id: 'S3N-001',
  title: 'Create buckets after the permissions their Lambda notifications need',
  rationale:
    'S3 checks that it may invoke every notified function when CloudFormation creates the bucket, and fails with "Unable to validate the following destination configurations" when the function\'s permission does not exist yet. The bucket depends on an AWS::Lambda::Permission for s3.amazonaws.com that names the bucket by its name, never by a reference to the bucket, which would be a circular dependency.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: [
    'AWS::Lambda::Permission',
    'AWS::Lambda::Permission Properties.SourceArn',
    'AWS::Lambda::Permission Properties.SourceAccount',
    'AWS::S3::Bucket DependsOn',
  ],
  // Rewriting a SourceArn that refers to the bucket is the cycle's fix; the permission is replaced.
  replaces: ['AWS::Lambda::Permission Properties.SourceArn', 'AWS::Lambda::Permission Properties.SourceAccount'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-notificationconfiguration.html (the permission/circular dependency note)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html (Amazon S3 Notifications example; every property: Update requires Replacement; a qualified FunctionName grants only that version or alias)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html',
    'aws-cdk-lib/aws-s3-notifications/lib/lambda.ts (LambdaDestination: sourceAccount, sourceArn, the bucket depends on the permission)',
    'aws-cdk-lib/region-info/lib/default.ts (s3 has the universal principal s3.amazonaws.com in every partition)',
    'Error without it: aws/aws-sdk-js#632, hashicorp/terraform#18897 ("Unable to validate the following destination configurations")',
  ],
  apply(bucket, ctx) {
    const values = destinationValues(ctx.model, bucket.id, 'lambda');
    if (values === undefined) return;
    if (typeof values === 'string') {
      ctx.finding(bucket.id, values, 'info', 'left as written: it is computed at deploy time, so the functions it notifies cannot be checked here');
      return;
    }
    const targets = new Map<string, Target>();
    for (const { path, resolution } of values) {
      const id = targetOf(ctx, bucket.id, path, resolution);
      if (id !== undefined && !targets.has(id)) targets.set(id, { id, path });
    }
    for (const target of targets.values()) ensurePermission(bucket, target, ctx);
  },
};

/** The function, alias or version a `Function` value names, or undefined (reported) when it names none in this template. */
function targetOf(ctx: RuleContext, bucketId: string, path: string, r: Resolution): string | undefined {
  const model = ctx.model;
  switch (r.kind) {
    case 'no-value':
      return undefined;
    case 'resource': {
      const type = model.type(r.id) ?? '';
      if (!FUNCTION_TYPES.has(type)) {
        ctx.finding(bucketId, path, 'warning', `names ${r.id}, a ${type}, not a Lambda function: S3 cannot invoke it`);
        return undefined;
      }
      if (type === 'AWS::Lambda::Function' && r.attribute === undefined) {
        ctx.finding(bucketId, path, 'warning', `!Ref ${r.id} gives the function's name, but S3 needs its ARN: use !GetAtt ${r.id}.Arn`);
      } else if (type === 'AWS::Lambda::Function' && r.attribute !== 'Arn') {
        ctx.finding(bucketId, path, 'warning', `${r.id}.${r.attribute} is not the function's ARN: use !GetAtt ${r.id}.Arn`);
      }
      return r.id;
    }
    case 'composite': {
      // arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}
      const m = /:function:\$\{([A-Za-z0-9]+)\}$/.exec(r.text);
      if (m && model.type(m[1]) === 'AWS::Lambda::Function') return m[1];
      const named = r.references.map((x) => x.name).filter((n) => FUNCTION_TYPES.has(model.type(n) ?? ''));
      if (named.length) ctx.finding(bucketId, path, 'warning', `cannot tell which function, version or alias of ${named.join(', ')} this ARN names: make sure an AWS::Lambda::Permission for exactly that ARN lets s3.amazonaws.com invoke it, and that the bucket depends on it`);
      else ctx.finding(bucketId, path, 'info', 'names a function outside this template: its resource policy must already let s3.amazonaws.com invoke it');
      return undefined;
    }
    default:
      ctx.finding(bucketId, path, 'info', 'names a function outside this template: its resource policy must already let s3.amazonaws.com invoke it');
      return undefined;
  }
}

type SourceArnKind = 'none' | 'bucket' | 'name' | 'other';

/** How a permission's SourceArn relates to the bucket. */
function sourceArnKind(ctx: RuleContext, permission: string, bucketId: string): SourceArnKind {
  const value = ctx.model.get(permission, ['Properties', 'SourceArn']);
  if (value === undefined) return 'none';
  if (references(value).some((r) => r.name === bucketId)) return 'bucket';
  return namesBucketArn(ctx.model, value, bucketId) ? 'name' : 'other';
}

/** Permissions in the template letting S3 invoke the target, with how each names its source. */
function permissionsFor(ctx: RuleContext, target: string, bucketId: string): Array<{ id: string; source: SourceArnKind }> {
  const model = ctx.model;
  const out: Array<{ id: string; source: SourceArnKind }> = [];
  for (const id of model.idsOfType('AWS::Lambda::Permission')) {
    const props = model.get(id, ['Properties']);
    if (!isObject(props)) continue;
    if (!resolve(props.FunctionName, model).some((r) => r.kind === 'resource' && r.id === target)) continue;
    if (props.Principal !== S3_PRINCIPAL) continue;
    if (typeof props.Action !== 'string' || !INVOKE_ACTIONS.has(props.Action.toLowerCase())) continue;
    const source = sourceArnKind(ctx, id, bucketId);
    if (source !== 'other') out.push({ id, source });
  }
  return out;
}

/** The connections view's line for one bucket → function connection. */
function record(ctx: RuleContext, bucket: string, target: string, added: string[], reason?: string): void {
  recordConnection(ctx, { rule: 'S3N-001', kind: 's3-notification-lambda', source: bucket, destination: target, principal: S3_PRINCIPAL }, reason !== undefined && !added.length ? 'finding' : added.length ? 'added' : 'present', added, reason ?? (added.length ? undefined : 'everything it needs is already in the template'));
}

function ensurePermission(bucket: ResourceView, target: Target, ctx: RuleContext): void {
  const model = ctx.model;
  const nameArn = bucketArnFromName(model, bucket.id);
  // A Lambda permission's SourceArn is matched as a pattern: a name holding * or ? would let other
  // buckets in, and cannot be written exactly there.
  const nameText = bucketNameText(model, bucket.id);
  if (nameArn !== undefined && nameText !== undefined && hasWildcard(model, nameText)) {
    ctx.fail(bucket.id, 'Properties.BucketName', `holds * or ?, which a Lambda permission's SourceArn would read as a pattern matching other buckets too: give ${bucket.id} a name without them`);
  }
  const added: string[] = [];
  const found = permissionsFor(ctx, target.id, bucket.id);
  const usable = found.find((p) => p.source !== 'bucket');
  let permission: string | undefined = usable?.id;

  if (permission === undefined && found.length) {
    // The naive fix's trap: this permission refers to the bucket, and the bucket is about to depend on it.
    permission = found[0].id;
    const sourceArn = model.get(permission, ['Properties', 'SourceArn']) as Json;
    if (nameArn === undefined || intrinsicName(sourceArn) === 'Fn::If') {
      ctx.fail(
        permission,
        'Properties.SourceArn',
        `refers to ${bucket.id}, which must depend on this permission so that S3 can validate its notification to ${target.id} at create time: that is a circular dependency. ${nameArn === undefined ? `${whyNameUnknown(model, bucket.id)}, so its ARN cannot be built from its name. ` : ''}Give ${bucket.id} a BucketName built from literals, parameters and pseudo parameters (TapHardening then writes SourceArn as arn:\${AWS::Partition}:s3:::<name>), or remove SourceArn and keep SourceAccount: !Ref AWS::AccountId`,
      );
    }
    const addAccount = model.get(permission, ['Properties', 'SourceAccount']) === undefined;
    ctx.set(
      permission,
      ['Properties', 'SourceArn'],
      nameArn,
      `built from ${bucket.id}'s name: a reference to ${bucket.id}, which now depends on this permission, is a cycle; CloudFormation replaces the permission (harmless: the same grant is created before the old one goes)`,
    );
    if (addAccount) ctx.set(permission, ['Properties', 'SourceAccount'], { Ref: 'AWS::AccountId' }, 'only buckets of this account (checkov CKV_AWS_364); added with the SourceArn change, which replaces the permission anyway');
    added.push(`permission ${permission}: SourceArn built from ${bucket.id}'s name`);
  }

  if (permission === undefined) {
    permission = createPermission(bucket, target, nameArn, ctx);
    if (permission === undefined) {
      record(ctx, bucket.id, target.id, added, 'no single condition fits a new permission');
      return;
    }
    added.push(`permission ${permission}: lambda:InvokeFunction for s3.amazonaws.com`);
  } else if (usable !== undefined) {
    const props = model.get(permission, ['Properties']) as JsonObject;
    if (props.SourceArn === undefined && props.SourceAccount === undefined) {
      ctx.finding(permission, 'Properties.SourceAccount', 'warning', 'lets s3.amazonaws.com invoke the function for a bucket in any account (checkov CKV_AWS_364): add SourceAccount: !Ref AWS::AccountId (not added: changing it replaces the permission)');
    }
  }

  if (!model.reaches(bucket.id, permission)) {
    const edge = ctx.dependsOn(bucket.id, permission, WHY_ORDER);
    if (edge.added) added.push(`${bucket.id} DependsOn ${permission}`);
    else if (edge.reason === 'cycle' || edge.reason === 'conditional') {
      record(ctx, bucket.id, target.id, added, `${bucket.id} cannot be made to wait for ${permission}`);
      return;
    }
  }
  record(ctx, bucket.id, target.id, added);
}

/** Creates the permission for the target, with the right Condition; undefined (reported) when no single condition fits. */
function createPermission(bucket: ResourceView, target: Target, nameArn: Json | undefined, ctx: RuleContext): string | undefined {
  const model = ctx.model;
  const functionCondition = model.condition(target.id);
  let condition: string | undefined;
  if (model.conditionImplies(bucket.condition, functionCondition)) condition = undefined; // the bucket's own, inherited
  else if (functionCondition !== undefined && model.conditionImplies(functionCondition, bucket.condition)) condition = functionCondition;
  else {
    ctx.finding(
      bucket.id,
      target.path,
      'warning',
      `no AWS::Lambda::Permission lets S3 invoke ${target.id}, and none was added: it would need both Condition ${bucket.condition} (the bucket's) and ${functionCondition} (the function's); add a condition that is their Fn::And and a permission under it`,
    );
    return undefined;
  }
  const properties: JsonObject = {
    Action: 'lambda:InvokeFunction',
    FunctionName: model.type(target.id) === 'AWS::Lambda::Function' ? { 'Fn::GetAtt': [target.id, 'Arn'] } : { Ref: target.id },
    Principal: S3_PRINCIPAL,
    SourceAccount: { Ref: 'AWS::AccountId' },
  };
  if (nameArn !== undefined) properties.SourceArn = nameArn;
  const body: JsonObject = condition === undefined ? { Type: 'AWS::Lambda::Permission', Properties: properties } : { Type: 'AWS::Lambda::Permission', Condition: condition, Properties: properties };
  const scope = nameArn !== undefined ? `from ${bucket.id} only (SourceArn built from its BucketName)` : `from buckets of this account (SourceAccount; ${whyNameUnknown(model, bucket.id)}, so no SourceArn)`;
  return ctx.createResource(bucket.id, `${target.id}InvokePermission`, body, `lets s3.amazonaws.com invoke ${target.id} ${scope}`);
}

