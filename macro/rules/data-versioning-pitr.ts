/**
 * DATA-002: buckets keep object versions and DynamoDB tables keep point-in-time recovery, or the
 * report says they do not.
 *
 * Without S3 Versioning an overwrite or delete is final; without DynamoDB point-in-time recovery
 * (PITR) a bad write or a deleted item can only come back from an on-demand backup, if there is
 * one. The seeds' next step was to "verify S3 versioning and DynamoDB PITR before apply". Both
 * are in-place updates (CloudFormation: `VersioningConfiguration` and
 * `PointInTimeRecoverySpecification`, "Update requires: No interruption"; the resource
 * specification marks neither as causing replacement), but both cost money (noncurrent object
 * versions are billed as storage; PITR is billed per GB), so they are reported by default and
 * enabled only with the option `DataProtection: fix`. Versioning, once enabled, can be suspended
 * but a bucket never returns to unversioned.
 *
 * Expectations
 * - Skips: a value computed by an intrinsic (`Fn::If`, a parameter): reported as not checked.
 * - Already compliant: `VersioningConfiguration.Status: Enabled`; on a table
 *   `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true`; on a global table, the
 *   same on every replica in `Replicas`.
 * - Reports, never changes: an explicit `Status: Suspended` or `PointInTimeRecoveryEnabled:
 *   false` (the template's choice).
 * - Reports (`DataProtection: report`, the default) or fixes (`fix`): a bucket without
 *   versioning, a table or replica without PITR.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { intrinsicName, isIntrinsic } from '../template/intrinsics';
import { formatPath, isObject, type Json } from '../template/json';

type Path = Array<string | number>;

export const dataVersioningPitr: Rule = {
  id: 'DATA-002',
  title: 'Keep object versions on buckets and point-in-time recovery on tables',
  rationale:
    'Without S3 Versioning an overwrite or delete is final, and without DynamoDB point-in-time recovery a bad write can only be undone from a backup that may not exist. Buckets and tables without them are reported (both cost money); the option DataProtection: fix enables them, an in-place update.',
  resourceTypes: ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'],
  changes: [
    'AWS::S3::Bucket Properties.VersioningConfiguration',
    'AWS::DynamoDB::Table Properties.PointInTimeRecoverySpecification',
    'AWS::DynamoDB::GlobalTable Properties.Replicas',
  ],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html#cfn-s3-bucket-versioningconfiguration (Update requires: No interruption)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html (a versioned bucket can be suspended, never unversioned again; noncurrent versions are billed)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html#cfn-dynamodb-table-pointintimerecoveryspecification (Update requires: No interruption)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-globaltable-replicaspecification.html (PointInTimeRecoverySpecification per replica)',
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html',
    'aws-cdk-lib/aws-s3/lib/bucket.ts (versioned), aws-cdk-lib/aws-dynamodb/lib/table.ts (pointInTimeRecoverySpecification)',
  ],
  satisfies: [
    'AwsSolutions-DDB3 (with DataProtection: fix)',
    'NIST.800.53.R5-S3BucketVersioningEnabled (with DataProtection: fix)',
    'NIST.800.53.R5-DynamoDBPITREnabled (with DataProtection: fix)',
    'Security Hub S3.14 (with DataProtection: fix)',
    'Security Hub DynamoDB.2 (with DataProtection: fix)',
    'checkov CKV_AWS_21 (with DataProtection: fix)',
    'checkov CKV_AWS_28 (with DataProtection: fix)',
  ],
  settings: [
    {
      name: 'DataProtection',
      description: 'report (default): report buckets without versioning and tables without point-in-time recovery; fix: enable them.',
      parse(value) {
        if (value === 'fix' || value === 'report') return value;
        throw new Error(`must be "fix" or "report", not ${JSON.stringify(value)}`);
      },
    },
  ],
  apply(resource, ctx) {
    if (resource.type === 'AWS::S3::Bucket') versioning(resource, ctx);
    else if (resource.type === 'AWS::DynamoDB::Table') pitr(resource, ['Properties'], resource.properties.PointInTimeRecoverySpecification, 'table', ctx);
    else replicas(resource, ctx);
  },
};

function fixing(ctx: RuleContext): boolean {
  return ctx.setting('DataProtection') === 'fix';
}

const ASK = 'set the option DataProtection: fix to have the macro enable it';

function versioning(bucket: ResourceView, ctx: RuleContext): void {
  const path: Path = ['Properties', 'VersioningConfiguration'];
  const current = bucket.properties.VersioningConfiguration;
  const at = formatPath(path);
  if (current === undefined) {
    const cost = hasNoncurrentExpiration(bucket) ? '' : ', with a lifecycle rule (NoncurrentVersionExpiration) to bound what old versions cost';
    if (fixing(ctx)) {
      ctx.set(bucket.id, path, { Status: 'Enabled' }, 'S3 Versioning enabled, so overwritten and deleted objects can be recovered (an in-place update; the bucket can later be suspended, never unversioned)', `write VersioningConfiguration: {Status: Enabled} in the template${cost}`);
    } else {
      ctx.finding(bucket.id, at, 'warning', 'S3 Versioning is not enabled: an overwrite or delete cannot be undone', `set VersioningConfiguration: {Status: Enabled}${cost}; or ${ASK}`);
    }
    return;
  }
  if (isIntrinsic(current) || (isObject(current) && isIntrinsic(current.Status))) {
    ctx.finding(bucket.id, at, 'info', 'left as written: it is computed at deploy time, so whether versioning is on cannot be checked here');
    return;
  }
  const status = isObject(current) ? current.Status : undefined;
  if (status === 'Enabled') return;
  ctx.finding(bucket.id, `${at}.Status`, 'warning', `kept ${JSON.stringify(status ?? null)} as the template sets it: overwritten and deleted objects cannot be recovered`, 'set Status: Enabled if this data must be recoverable');
}

function hasNoncurrentExpiration(bucket: ResourceView): boolean {
  return JSON.stringify(bucket.properties.LifecycleConfiguration ?? null).includes('"NoncurrentVersionExpiration');
}

function replicas(table: ResourceView, ctx: RuleContext): void {
  const list = table.properties.Replicas;
  if (!Array.isArray(list)) {
    if (list !== undefined) ctx.finding(table.id, 'Properties.Replicas', 'info', 'left as written: the replicas are computed at deploy time, so their point-in-time recovery cannot be checked here');
    return;
  }
  list.forEach((replica, i) => {
    const base: Path = ['Properties', 'Replicas', i];
    if (!isObject(replica) || intrinsicName(replica) !== undefined) {
      ctx.finding(table.id, formatPath(base), 'info', 'left as written: the replica is computed at deploy time, so its point-in-time recovery cannot be checked here');
      return;
    }
    const region = typeof replica.Region === 'string' ? replica.Region : `replica ${i}`;
    pitr(table, base, replica.PointInTimeRecoverySpecification, `replica in ${region}`, ctx);
  });
}

/** Point-in-time recovery at `base.PointInTimeRecoverySpecification` (a table's Properties, or a replica). */
function pitr(resource: ResourceView, base: Path, current: Json | undefined, what: string, ctx: RuleContext): void {
  const path: Path = [...base, 'PointInTimeRecoverySpecification'];
  const at = formatPath(path);
  const enabledPath: Path = [...path, 'PointInTimeRecoveryEnabled'];
  if (current !== undefined && (isIntrinsic(current) || !isObject(current) || isIntrinsic(current.PointInTimeRecoveryEnabled))) {
    ctx.finding(resource.id, at, 'info', `left as written: it is computed at deploy time, so whether the ${what} has point-in-time recovery cannot be checked here`);
    return;
  }
  const enabled = isObject(current) ? current.PointInTimeRecoveryEnabled : undefined;
  if (enabled === true || enabled === 'true') return;
  if (enabled === false || enabled === 'false') {
    ctx.finding(resource.id, formatPath(enabledPath), 'warning', `kept false as the template sets it: the ${what} cannot be restored to a point in time`, 'set PointInTimeRecoveryEnabled: true if this data must be recoverable');
    return;
  }
  if (fixing(ctx)) {
    const [writePath, value] = current === undefined ? [path, { PointInTimeRecoveryEnabled: true }] : [enabledPath, true];
    ctx.set(resource.id, writePath, value, `point-in-time recovery enabled on the ${what}, so it can be restored to any second of its recovery period (RecoveryPeriodInDays, 35 days by default; an in-place update, billed per GB)`, 'write PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true} in the template');
  } else {
    ctx.finding(resource.id, at, 'warning', `point-in-time recovery is not enabled on the ${what}: a bad write or delete can only be undone from a backup`, `set PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}; or ${ASK}`);
  }
}
