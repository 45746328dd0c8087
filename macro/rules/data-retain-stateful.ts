/**
 * DATA-001: resources that hold data keep it when they are deleted or replaced, as aws-cdk-lib
 * does by default for each type.
 *
 * Without a `DeletionPolicy`, CloudFormation deletes a resource (and its data) when it leaves the
 * template or the stack is deleted; without an `UpdateReplacePolicy`, it deletes the old
 * resource when an update replaces it. Which types hold data comes from the resource
 * specification's `isStateful` flag (macro/spec), as cfn-lint I3011 asks for both policies on
 * them. What each type gets follows the default `removalPolicy` of its aws-cdk-lib L2 construct
 * where there is one (the table below, one aws-cdk-lib file per type), so a template hardened
 * here behaves as the same stack written with the CDK: buckets, tables, keys and log groups are
 * retained, databases snapshotted, while queues and secrets are deleted with the stack (the CDK
 * destroys them by default) and nested stacks get no policy at all (a retained nested stack keeps
 * running, unmanaged, after its parent is deleted). Types without an aws-cdk-lib L2 get
 * `Snapshot` where the DeletionPolicy documentation lists the type (ElastiCache with the redis or
 * valkey engine, Neptune, Redshift), else `Retain`, as cfn-lint I3011 asks.
 *
 * | Type | Default | Source |
 * | --- | --- | --- |
 * | AWS::S3::Bucket | Retain | aws-cdk-lib/aws-s3/lib/bucket.ts ("The bucket will be orphaned") |
 * | AWS::DynamoDB::Table | Retain | aws-cdk-lib/aws-dynamodb/lib/table.ts (RemovalPolicy.RETAIN) |
 * | AWS::DynamoDB::GlobalTable | Retain | aws-cdk-lib/aws-dynamodb/lib/table-v2.ts (RemovalPolicy.RETAIN) |
 * | AWS::KMS::Key | Retain | aws-cdk-lib/aws-kms/lib/key.ts (RemovalPolicy.Retain) |
 * | AWS::Logs::LogGroup | Retain | aws-cdk-lib/aws-logs/lib/log-group.ts (RemovalPolicy.Retain) |
 * | AWS::Cognito::UserPool | Retain | aws-cdk-lib/aws-cognito/lib/user-pool.ts (RemovalPolicy.RETAIN) |
 * | AWS::EFS::FileSystem | Retain | aws-cdk-lib/aws-efs/lib/efs-file-system.ts (RemovalPolicy.RETAIN) |
 * | AWS::FSx::FileSystem | Retain | aws-cdk-lib/aws-fsx/lib/file-system.ts (RemovalPolicy.RETAIN) |
 * | AWS::Kinesis::Stream | Retain | aws-cdk-lib/aws-kinesis/lib/stream.ts (RemovalPolicy.RETAIN) |
 * | AWS::Backup::BackupVault | Retain | aws-cdk-lib/aws-backup/lib/vault.ts (RemovalPolicy.RETAIN) |
 * | AWS::OpenSearchService::Domain | Retain | aws-cdk-lib/aws-opensearchservice/lib/domain.ts (RemovalPolicy.RETAIN) |
 * | AWS::Elasticsearch::Domain | Retain | aws-cdk-lib/aws-elasticsearch/lib/domain.ts (RemovalPolicy.RETAIN) |
 * | AWS::DocDB::DBCluster | Retain | aws-cdk-lib/aws-docdb/lib/cluster.ts ("Retain cluster") |
 * | AWS::EC2::Volume | Retain | aws-cdk-lib/aws-ec2/lib/volume.ts (RemovalPolicy.RETAIN) |
 * | AWS::RDS::DBCluster | Snapshot | aws-cdk-lib/aws-rds/lib/cluster.ts (RemovalPolicy.SNAPSHOT) |
 * | AWS::RDS::DBInstance | Snapshot | aws-cdk-lib/aws-rds/lib/instance.ts (RemovalPolicy.SNAPSHOT) |
 * | AWS::SQS::Queue | none (deleted) | aws-cdk-lib/aws-sqs/lib/queue.ts (RemovalPolicy.DESTROY) |
 * | AWS::SecretsManager::Secret | none (deleted) | aws-cdk-lib/aws-secretsmanager/lib/secret.ts (removalPolicy "Not set") |
 * | AWS::CloudFormation::Stack | none (deleted) | aws-cdk-lib/core/lib/nested-stack.ts (no removal policy) |
 *
 * A retained resource with a physical name the template fixes (a literal, or a name built from
 * parameters and pseudo parameters only: the property the resource specification marks as the
 * type's name, macro/spec `physicalNameProperty`) outlives the stack, so deleting the stack and
 * creating it again, or a replacement, fails with "<name> already exists": that is reported as a
 * warning, with the fix.
 *
 * Expectations
 * - Skips: the option `RetainStateful: false` (throw-away stacks); a type whose aws-cdk-lib
 *   default is to delete it (queues, secrets, nested stacks: reported as info, with how to keep
 *   it); an instance that belongs to a DB cluster (`AWS::RDS::DBInstance` with
 *   `DBClusterIdentifier`, every `AWS::DocDB::DBInstance` and `AWS::Neptune::DBInstance`) or is an
 *   RDS read replica (`SourceDBInstanceIdentifier`): its data lives in the cluster or the source,
 *   RDS rejects `Snapshot` on a cluster instance, and a retained instance would keep its cluster
 *   from being deleted (aws-cdk-lib gives cluster instances no retention of their own); reported.
 *   A policy computed by an intrinsic is left alone (reported).
 * - Already compliant: both policies set; an explicit policy is never changed.
 * - Fixes: adds both as the type's default above. When the template sets one of the two, the
 *   other gets the same value (`RetainExceptOnCreate` becomes `Retain` for `UpdateReplacePolicy`,
 *   which does not take it), whatever the type. Both are resource attributes, not properties:
 *   adding them replaces nothing. The rule runs last, so it also covers resources other rules
 *   created.
 * - Warns: a retained resource (by this rule or the template) whose physical name is fixed.
 */
import type { Rule, RuleContext, ResourceView } from './types';
import { isObject, type Json, type JsonObject } from '../template/json';
import { resolve } from '../template/resolve';
import { physicalNameProperty, statefulTypes } from '../spec';

type Default = 'Retain' | 'Snapshot' | 'none';

/** The default removal policy of each type's aws-cdk-lib L2 construct, and the file that sets it. */
const CDK_DEFAULTS: Readonly<Record<string, { policy: Default; source: string }>> = {
  'AWS::S3::Bucket': { policy: 'Retain', source: 'aws-cdk-lib/aws-s3/lib/bucket.ts (removalPolicy: "The bucket will be orphaned")' },
  'AWS::DynamoDB::Table': { policy: 'Retain', source: 'aws-cdk-lib/aws-dynamodb/lib/table.ts (RemovalPolicy.RETAIN)' },
  'AWS::DynamoDB::GlobalTable': { policy: 'Retain', source: 'aws-cdk-lib/aws-dynamodb/lib/table-v2.ts (RemovalPolicy.RETAIN)' },
  'AWS::KMS::Key': { policy: 'Retain', source: 'aws-cdk-lib/aws-kms/lib/key.ts (RemovalPolicy.Retain)' },
  'AWS::Logs::LogGroup': { policy: 'Retain', source: 'aws-cdk-lib/aws-logs/lib/log-group.ts (RemovalPolicy.Retain)' },
  'AWS::Cognito::UserPool': { policy: 'Retain', source: 'aws-cdk-lib/aws-cognito/lib/user-pool.ts (RemovalPolicy.RETAIN)' },
  'AWS::EFS::FileSystem': { policy: 'Retain', source: 'aws-cdk-lib/aws-efs/lib/efs-file-system.ts (RemovalPolicy.RETAIN)' },
  'AWS::FSx::FileSystem': { policy: 'Retain', source: 'aws-cdk-lib/aws-fsx/lib/file-system.ts (RemovalPolicy.RETAIN)' },
  'AWS::Kinesis::Stream': { policy: 'Retain', source: 'aws-cdk-lib/aws-kinesis/lib/stream.ts (RemovalPolicy.RETAIN)' },
  'AWS::Backup::BackupVault': { policy: 'Retain', source: 'aws-cdk-lib/aws-backup/lib/vault.ts (RemovalPolicy.RETAIN)' },
  'AWS::OpenSearchService::Domain': { policy: 'Retain', source: 'aws-cdk-lib/aws-opensearchservice/lib/domain.ts (RemovalPolicy.RETAIN)' },
  'AWS::Elasticsearch::Domain': { policy: 'Retain', source: 'aws-cdk-lib/aws-elasticsearch/lib/domain.ts (RemovalPolicy.RETAIN)' },
  'AWS::DocDB::DBCluster': { policy: 'Retain', source: 'aws-cdk-lib/aws-docdb/lib/cluster.ts (removalPolicy: "Retain cluster")' },
  'AWS::EC2::Volume': { policy: 'Retain', source: 'aws-cdk-lib/aws-ec2/lib/volume.ts (RemovalPolicy.RETAIN)' },
  'AWS::RDS::DBCluster': { policy: 'Snapshot', source: 'aws-cdk-lib/aws-rds/lib/cluster.ts (RemovalPolicy.SNAPSHOT)' },
  'AWS::RDS::DBInstance': { policy: 'Snapshot', source: 'aws-cdk-lib/aws-rds/lib/instance.ts (RemovalPolicy.SNAPSHOT)' },
  'AWS::SQS::Queue': { policy: 'none', source: 'aws-cdk-lib/aws-sqs/lib/queue.ts (RemovalPolicy.DESTROY)' },
  'AWS::SecretsManager::Secret': { policy: 'none', source: 'aws-cdk-lib/aws-secretsmanager/lib/secret.ts (removalPolicy "Not set": deleted with the stack)' },
  'AWS::CloudFormation::Stack': { policy: 'none', source: 'aws-cdk-lib/core/lib/nested-stack.ts (no removal policy: the nested stack is deleted with its parent)' },
};

/** Why a type the CDK deletes by default is left so, for the report. */
const NOT_RETAINED: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'aws-cdk-lib deletes queues with the stack by default (its messages are transient)',
  'AWS::SecretsManager::Secret': 'aws-cdk-lib deletes secrets with the stack by default (Secrets Manager keeps a deleted secret recoverable for its recovery window)',
  'AWS::CloudFormation::Stack': 'a nested stack is never retained by default: a retained nested stack keeps running, unmanaged, after its parent is deleted, and its own resources carry their own policies',
};

/** The types the DeletionPolicy documentation lists under Snapshot, for types without an aws-cdk-lib L2. */
const SNAPSHOT_TYPES = new Set(['AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::Neptune::DBCluster', 'AWS::Redshift::Cluster']);

/** Types whose instances always belong to a cluster that holds their data. */
const CLUSTER_INSTANCE_TYPES = new Set(['AWS::DocDB::DBInstance', 'AWS::Neptune::DBInstance']);

const POLICIES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;

export const dataRetainStateful: Rule = {
  id: 'DATA-001',
  title: 'Keep the data of stateful resources when they are deleted or replaced, as aws-cdk-lib does',
  rationale:
    'Without DeletionPolicy and UpdateReplacePolicy, removing a bucket, table, key, log group or database from the template, deleting the stack or an update that replaces it deletes the data. Stateful types (the resource specification\'s isStateful flag) get the default removal policy of their aws-cdk-lib construct: Retain, or Snapshot for RDS; queues, secrets and nested stacks none, as in the CDK. A retained resource with a fixed name is reported, since re-creating the stack then collides with it.',
  resourceTypes: statefulTypes(),
  changes: ['* DeletionPolicy', '* UpdateReplacePolicy'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html (Retain on any resource; Snapshot on AWS::DocDB::DBCluster, AWS::EC2::Volume, AWS::ElastiCache::CacheCluster, AWS::ElastiCache::ReplicationGroup, AWS::Neptune::DBCluster, AWS::RDS::DBCluster, AWS::RDS::DBInstance, AWS::Redshift::Cluster)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html (Delete, Retain or Snapshot; no RetainExceptOnCreate)',
    '@aws-cdk/aws-service-spec (isStateful; the physical-name property), generated into macro/spec',
    'aws-cdk-lib/core/lib/removal-policy.ts (RemovalPolicy: DESTROY, RETAIN, SNAPSHOT)',
    ...Object.entries(CDK_DEFAULTS).map(([type, d]) => `${d.source}: ${type} ${d.policy === 'none' ? 'gets no policy' : `gets ${d.policy}`}`),
    'aws-cdk-lib/aws-rds/lib/private/util.ts (helperRemovalPolicy: cluster instances get no retention of their own)',
    'aws-cloudformation/aws-cloudformation-resource-providers-rds#85 (a cluster DBInstance that requests a snapshot is rejected)',
    'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups.html (snapshots of Valkey and Redis OSS caches; of Memcached only serverless) and API_CreateSnapshot.html (SnapshotFeatureNotSupportedFault for a Memcached cluster)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html (a custom name: the resource cannot be replaced, and a name must be unique)',
  ],
  satisfies: ['cfn-lint I3011'],
  settings: [
    {
      name: 'RetainStateful',
      description: 'false: do not add DeletionPolicy / UpdateReplacePolicy to stateful resources (throw-away stacks). Default true: each stateful type gets its aws-cdk-lib default (see the DATA-001 table in the README).',
      parse(value) {
        if (typeof value !== 'boolean') throw new Error('must be true or false');
        return value;
      },
    },
  ],
  apply(resource, ctx) {
    if (ctx.setting('RetainStateful') === false) return;
    const body = ctx.model.resource(resource.id);
    if (!body) return;
    const elsewhere = dataElsewhere(resource.type, resource.properties);
    if (elsewhere !== undefined) {
      if (body.DeletionPolicy === undefined && body.UpdateReplacePolicy === undefined) {
        ctx.finding(resource.id, 'DeletionPolicy', 'info', `no policy added: ${elsewhere}`);
      }
      return;
    }
    const current = { DeletionPolicy: body.DeletionPolicy, UpdateReplacePolicy: body.UpdateReplacePolicy };
    if (POLICIES.some((p) => current[p] !== undefined && typeof current[p] !== 'string')) {
      ctx.finding(resource.id, POLICIES.find((p) => typeof current[p] === 'object') ?? 'DeletionPolicy', 'info', 'left as written: a policy is computed at deploy time, so the other cannot be matched to it');
      return;
    }
    if (current.DeletionPolicy !== undefined && current.UpdateReplacePolicy !== undefined) {
      warnNamed(resource, current.DeletionPolicy, ctx);
      return;
    }
    const chosen = defaultFor(resource.type, resource.properties.Engine);
    if (current.DeletionPolicy === undefined && current.UpdateReplacePolicy === undefined && chosen.policy === 'none') {
      ctx.finding(resource.id, 'DeletionPolicy', 'info', `no policy added: ${NOT_RETAINED[resource.type] ?? 'aws-cdk-lib deletes this type with the stack by default'} (${chosen.source})`, 'set DeletionPolicy and UpdateReplacePolicy: Retain in the template to keep it');
      return;
    }
    const fallback = chosen.policy === 'none' ? 'Retain' : chosen.policy;
    const snapshot = fallback === 'Snapshot';
    const note = resource.type === 'AWS::ElastiCache::CacheCluster' && !snapshot ? '; only a redis or valkey engine keeps snapshots' : '';
    const written = { ...current };
    for (const policy of POLICIES) {
      if (written[policy] !== undefined) continue;
      const other = policy === 'DeletionPolicy' ? written.UpdateReplacePolicy : written.DeletionPolicy;
      if (typeof other === 'string') {
        const value = policy === 'UpdateReplacePolicy' && other === 'RetainExceptOnCreate' ? 'Retain' : other;
        ctx.set(resource.id, [policy], value, `${value}, to match the ${policy === 'DeletionPolicy' ? 'UpdateReplacePolicy' : 'DeletionPolicy'} the template sets (${other}): a replacement treats the data as a delete does`);
        current[policy] = value;
      } else {
        const what =
          policy === 'DeletionPolicy'
            ? `${snapshot ? 'a final snapshot is taken' : 'the resource and its data stay'} when it leaves the stack (${resource.type} is stateful; ${chosen.source}${note})`
            : `${snapshot ? 'the old resource is snapshotted' : 'the old resource and its data stay'} when an update replaces it`;
        const hint = policy === 'DeletionPolicy' ? 'set both policies in the template to choose (Delete for data you can lose), or RetainStateful: false for a throw-away stack' : undefined;
        ctx.set(resource.id, [policy], fallback, `${fallback}: ${what}`, hint);
        current[policy] = fallback;
      }
    }
    warnNamed(resource, current.DeletionPolicy, ctx);
  },
};

/** The type's default: its aws-cdk-lib construct's, else Snapshot where documented (a cache cluster only with an engine that keeps backups), else Retain. */
function defaultFor(type: string, engine: Json | undefined): { policy: Default; source: string } {
  const cdk = CDK_DEFAULTS[type];
  if (cdk !== undefined) return cdk;
  const snapshot = SNAPSHOT_TYPES.has(type) && (type !== 'AWS::ElastiCache::CacheCluster' || (typeof engine === 'string' && ['redis', 'valkey'].includes(engine.toLowerCase())));
  return { policy: snapshot ? 'Snapshot' : 'Retain', source: `no aws-cdk-lib construct; ${snapshot ? 'the DeletionPolicy documentation lists Snapshot for it' : 'cfn-lint I3011'}` };
}

/**
 * A retained resource whose physical name the template fixes blocks its own re-creation: the
 * retained copy keeps the name. Fixed means every branch of the value is a literal, or a string
 * built from parameters and pseudo parameters only (no attribute of another resource).
 */
function warnNamed(resource: ResourceView, deletion: Json | undefined, ctx: RuleContext): void {
  if (deletion !== 'Retain' && deletion !== 'RetainExceptOnCreate') return;
  const property = physicalNameProperty(resource.type);
  if (property === undefined) return;
  const value = resource.properties[property];
  if (value === undefined) return;
  const resolutions = resolve(value, ctx.model);
  const fixed = resolutions.every((r) => {
    if (r.kind === 'literal' || r.kind === 'parameter' || r.kind === 'pseudo' || r.kind === 'no-value') return true;
    if (r.kind === 'composite') return r.references.every((ref) => !ctx.model.isResource(ref.name));
    return false;
  });
  if (!fixed || resolutions.every((r) => r.kind === 'no-value')) return;
  const shown = typeof value === 'string' ? ` "${value}"` : isObject(value) ? ' (built from parameters and pseudo parameters)' : '';
  ctx.finding(
    resource.id,
    `Properties.${property}`,
    'warning',
    `is retained (DeletionPolicy ${deletion}) and has the fixed name${shown}: after the stack is deleted the retained ${resource.type} keeps that name, so creating the stack again fails because the name already exists`,
    `leave ${property} out so CloudFormation generates a unique name, or import the retained resource into the new stack (or delete it) before re-creating, or set DeletionPolicy: Delete if the data can go`,
  );
}

/** Why an instance's data lives in its cluster or source (and its policy belongs there), or undefined. */
function dataElsewhere(type: string, properties: JsonObject): string | undefined {
  const member = 'a cluster instance keeps its data in the cluster, whose policy covers it; RDS rejects Snapshot on a cluster instance, and a retained instance would keep the cluster from being deleted';
  if (CLUSTER_INSTANCE_TYPES.has(type)) return `every ${type} belongs to a cluster: ${member}`;
  if (type !== 'AWS::RDS::DBInstance') return undefined;
  if (properties.DBClusterIdentifier !== undefined) return `it belongs to the cluster named by DBClusterIdentifier: ${member}`;
  if (properties.SourceDBInstanceIdentifier !== undefined) return 'it is a read replica (SourceDBInstanceIdentifier): its source holds the data, and RDS takes no final snapshot of a replica';
  return undefined;
}
