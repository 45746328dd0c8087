/**
 * S3 bucket notification (`LambdaConfigurations[].Function`) → Lambda function, alias or version
 * (S3N-001): a Lambda permission for `s3.amazonaws.com`, and the bucket after it.
 *
 * S3 validates every notification destination when CloudFormation creates the bucket; if the
 * function's resource policy does not yet let `s3.amazonaws.com` invoke it, the bucket fails with
 * "Unable to validate the following destination configurations" (the CloudFormation
 * `NotificationConfiguration` page: the bucket must depend on the permission, and the permission
 * must not refer to the bucket, which would be a circular dependency). A bucket ARN carries no
 * account or region, so the permission names the bucket as `arn:${AWS::Partition}:s3:::<BucketName>`
 * (pinned, never `!GetAtt Bucket.Arn`) and adds `SourceAccount: !Ref AWS::AccountId`
 * ("AWS::Lambda::Permission": for S3, "the ARN of an S3 bucket doesn't include an account ID");
 * a bucket without a usable name gets `SourceAccount` alone. aws-cdk-lib's `LambdaDestination`
 * (`aws-s3-notifications/lib/lambda.ts`) sets both `sourceAccount` and `sourceArn` and makes the
 * bucket's notifications depend on the permission.
 */
import { S3_PRINCIPAL, whyNameUnknown } from '../s3-notifications';
import type { ConnectionKind } from '../types';

const WHY_ORDER = 'S3 validates notification destinations when it creates the bucket, so the permission must exist first';

export const S3_NOTIFICATION_LAMBDA: ConnectionKind = {
  id: 's3-notification-lambda',
  rule: 'S3N-001',
  principal: S3_PRINCIPAL,
  title: 'S3 bucket notification → Lambda function',
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-notificationconfiguration.html (the bucket depends on the permission; a permission that refers to the bucket is a circular dependency)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html (Amazon S3 Notifications example: SourceAccount, SourceArn; every property: Update requires Replacement)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html (Granting permissions to invoke an AWS Lambda function)',
    'aws-cdk-lib/aws-s3-notifications/lib/lambda.ts (LambdaDestination: sourceAccount, sourceArn, the bucket depends on the permission)',
  ],
  grants(c, ctx) {
    const bucket = c.source;
    const target = c.destination;
    const pinned = c.sourceArn?.pinned === true;
    const unknown = pinned ? '' : `${whyNameUnknown(ctx.model, bucket)}, so its ARN cannot be built from its name. `;
    const scope = pinned ? `from ${bucket} only (SourceArn built from its BucketName)` : `from buckets of this account (SourceAccount; ${whyNameUnknown(ctx.model, bucket)}, so no SourceArn)`;
    return [
      {
        to: 'permission',
        target,
        principal: S3_PRINCIPAL,
        sourceAccount: true,
        suffix: `${target}InvokePermission`,
        detail: `lets s3.amazonaws.com invoke ${target} ${scope}`,
        before: { from: bucket, detail: WHY_ORDER },
        pinSourceReferences: {
          rewrite: `built from ${bucket}'s name: a reference to ${bucket}, which now depends on this permission, is a cycle; CloudFormation replaces the permission (harmless: the same grant is created before the old one goes)`,
          account: 'only buckets of this account (checkov CKV_AWS_364); added with the SourceArn change, which replaces the permission anyway',
          unpinned: `refers to ${bucket}, which must depend on this permission so that S3 can validate its notification to ${target} at create time: that is a circular dependency. ${unknown}Give ${bucket} a BucketName built from literals, parameters and pseudo parameters (TapHardening then writes SourceArn as arn:\${AWS::Partition}:s3:::<name>), or remove SourceArn and keep SourceAccount: !Ref AWS::AccountId`,
        },
        unscoped: 'lets s3.amazonaws.com invoke the function for a bucket in any account (checkov CKV_AWS_364): add SourceAccount: !Ref AWS::AccountId (not added: changing it replaces the permission)',
      },
    ];
  },
};
