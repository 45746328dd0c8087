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
 *   that lets `s3.amazonaws.com` `lambda:InvokeFunction` (or `lambda:*`) exactly that
 *   `FunctionName`, with no `SourceArn` or one naming this bucket by its name (see the last
 *   point for the whole test), which the bucket depends on (directly or through other resources).
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
 * - The grants are the catalogue's `s3-notification-lambda` kind
 *   (`macro/connections/kinds/s3-notification-lambda.ts`): the model's Lambda `permission` grant,
 *   as for EVT-001, SNS-001 and APIGW-004. An existing permission counts when it names exactly
 *   that function, alias or version, lets `s3.amazonaws.com` (or `*`) invoke it, has a
 *   `SourceAccount` that is this account (or none), a `SourceArn` that is this bucket's (or none),
 *   and exists whenever the connection does (its Condition implied).
 * - Conditions: a new permission gets the bucket's condition when that implies the function's,
 *   else the function's when that implies the bucket's (the bucket's `DependsOn` is then refused
 *   and reported, cfn-lint E3005); otherwise nothing is created and the rule reports.
 */
import type { Rule, RuleContext } from './types';
import type { Resolution } from '../template/resolve';
import { destinationValues, S3_PRINCIPAL } from './shared/s3-notifications';
import { applyConnection } from '../connections/apply';
import { S3_NOTIFICATION_LAMBDA } from '../connections/kinds/s3-notification-lambda';
import { FUNCTION_TYPES } from '../connections/permission';
import { sourceArnOf } from '../connections/source-arn';

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
    const source = sourceArnOf(ctx.model, bucket.id);
    // A Lambda permission's SourceArn is matched as a pattern: a name holding * or ? would let other
    // buckets in, and cannot be written exactly there.
    if (source?.pinned && source.exact) {
      ctx.fail(bucket.id, 'Properties.BucketName', `holds * or ?, which a Lambda permission's SourceArn would read as a pattern matching other buckets too: give ${bucket.id} a name without them`);
    }
    // The permission's text says the account-only scope itself (the connection view says it too).
    const sourceArn = source !== undefined && !source.pinned ? { ...source, reported: true } : source;
    for (const target of targets.values()) {
      applyConnection(ctx, S3_NOTIFICATION_LAMBDA, { kind: S3_NOTIFICATION_LAMBDA.id, rule: 'S3N-001', source: bucket.id, destination: target.id, path: target.path, principal: S3_PRINCIPAL, sourceArn, when: [] });
    }
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
