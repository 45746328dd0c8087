/**
 * DATA-001: resources that hold data keep it when they are deleted or replaced.
 *
 * Without a `DeletionPolicy`, CloudFormation deletes a resource (and its data) when it leaves the
 * template or the stack is deleted; without an `UpdateReplacePolicy`, it deletes the old
 * resource when an update replaces it. The AWS CDK retains stateful resources by default
 * (`RemovalPolicy.RETAIN` on buckets, tables, keys, log groups, …; `SNAPSHOT` on databases), and
 * cfn-lint I3011 asks for both policies on stateful types. Which types are stateful comes from
 * the resource specification's `isStateful` flag (macro/spec), not from a hand-copied list; that
 * list is wider than the CDK's L2 defaults (an `sqs.Queue` defaults to DESTROY there), and the
 * rule follows the list, as I3011 does. Only the types that take `Snapshot` are listed here: the
 * specification does not say, the DeletionPolicy documentation does.
 *
 * Expectations
 * - Skips: the option `RetainStateful: false` (throw-away stacks); an instance that belongs to a
 *   DB cluster (`AWS::RDS::DBInstance` with `DBClusterIdentifier`, every `AWS::DocDB::DBInstance`
 *   and `AWS::Neptune::DBInstance`) or is an RDS read replica (`SourceDBInstanceIdentifier`):
 *   its data lives in the cluster or the source, RDS rejects `Snapshot` on a cluster instance,
 *   and a retained instance would keep its cluster from being deleted (aws-cdk-lib gives cluster
 *   instances no retention of their own); reported. A policy computed by an intrinsic is left
 *   alone (reported).
 * - Already compliant: both policies set; an explicit policy is never changed.
 * - Fixes: adds both as `Snapshot` on the types the `DeletionPolicy` documentation lists as
 *   supporting snapshots (RDS, Redshift, EC2 volumes, ElastiCache, Neptune, DocumentDB: a cache
 *   cluster only with the redis or valkey engine, since memcached keeps no snapshots), else as
 *   `Retain`. When the template sets one of the two, the other gets the same value
 *   (`RetainExceptOnCreate` becomes `Retain` for `UpdateReplacePolicy`, which does not take it).
 *   Both are resource attributes, not properties: adding them replaces nothing. The rule runs
 *   last, so it also covers resources other rules created.
 */
import type { Rule } from './types';
import type { Json, JsonObject } from '../template/json';
import { statefulTypes } from '../spec';

/** The types the DeletionPolicy documentation lists under Snapshot. */
const SNAPSHOT_TYPES = new Set([
  'AWS::DocDB::DBCluster',
  'AWS::EC2::Volume',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
]);

/** Types whose instances always belong to a cluster that holds their data. */
const CLUSTER_INSTANCE_TYPES = new Set(['AWS::DocDB::DBInstance', 'AWS::Neptune::DBInstance']);

const POLICIES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;

export const dataRetainStateful: Rule = {
  id: 'DATA-001',
  title: 'Keep the data of stateful resources when they are deleted or replaced',
  rationale:
    'Without DeletionPolicy and UpdateReplacePolicy, removing a bucket, table, key, log group, queue, secret or database from the template, deleting the stack or an update that replaces it deletes the data. Stateful types (the resource specification\'s isStateful flag) get Retain, or Snapshot where the type supports it, as the AWS CDK does by default and cfn-lint I3011 asks.',
  resourceTypes: statefulTypes(),
  changes: ['* DeletionPolicy', '* UpdateReplacePolicy'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html (Retain on any resource; Snapshot on AWS::DocDB::DBCluster, AWS::EC2::Volume, AWS::ElastiCache::CacheCluster, AWS::ElastiCache::ReplicationGroup, AWS::Neptune::DBCluster, AWS::RDS::DBCluster, AWS::RDS::DBInstance, AWS::Redshift::Cluster)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html (Delete, Retain or Snapshot; no RetainExceptOnCreate)',
    '@aws-cdk/aws-service-spec (isStateful), generated into macro/spec',
    'aws-cdk-lib/core/lib/removal-policy.ts and aws-s3/lib/bucket.ts, aws-dynamodb/lib/table.ts, aws-kms/lib/key.ts, aws-logs/lib/log-group.ts (RemovalPolicy.RETAIN by default)',
    'aws-cdk-lib/aws-rds/lib/private/util.ts (helperRemovalPolicy: cluster instances get no retention of their own; clusters default to SNAPSHOT)',
    'aws-cloudformation/aws-cloudformation-resource-providers-rds#85 (a cluster DBInstance that requests a snapshot is rejected)',
    'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups.html (snapshots of Valkey and Redis OSS caches; of Memcached only serverless) and API_CreateSnapshot.html (SnapshotFeatureNotSupportedFault for a Memcached cluster)',
  ],
  satisfies: ['cfn-lint I3011'],
  settings: [
    {
      name: 'RetainStateful',
      description: 'false: do not add DeletionPolicy / UpdateReplacePolicy to stateful resources (throw-away stacks). Default true.',
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
    if (current.DeletionPolicy !== undefined && current.UpdateReplacePolicy !== undefined) return;
    const snapshot = supportsSnapshot(resource.type, resource.properties.Engine);
    const fallback = snapshot ? 'Snapshot' : 'Retain';
    const note = resource.type === 'AWS::ElastiCache::CacheCluster' && !snapshot ? '; only a redis or valkey engine keeps snapshots' : '';
    for (const policy of POLICIES) {
      if (current[policy] !== undefined) continue;
      const other = policy === 'DeletionPolicy' ? current.UpdateReplacePolicy : current.DeletionPolicy;
      if (typeof other === 'string') {
        const value = policy === 'UpdateReplacePolicy' && other === 'RetainExceptOnCreate' ? 'Retain' : other;
        ctx.set(resource.id, [policy], value, `${value}, to match the ${policy === 'DeletionPolicy' ? 'UpdateReplacePolicy' : 'DeletionPolicy'} the template sets (${other}): a replacement treats the data as a delete does`);
      } else {
        const what =
          policy === 'DeletionPolicy'
            ? `${snapshot ? 'a final snapshot is taken' : 'the resource and its data stay'} when it leaves the stack (${resource.type} is stateful${note})`
            : `${snapshot ? 'the old resource is snapshotted' : 'the old resource and its data stay'} when an update replaces it`;
        const hint = policy === 'DeletionPolicy' ? 'set both policies in the template to choose (Delete for data you can lose), or RetainStateful: false for a throw-away stack' : undefined;
        ctx.set(resource.id, [policy], fallback, `${fallback}: ${what}`, hint);
      }
    }
  },
};

/** Why an instance's data lives in its cluster or source (and its policy belongs there), or undefined. */
function dataElsewhere(type: string, properties: JsonObject): string | undefined {
  const member = 'a cluster instance keeps its data in the cluster, whose policy covers it; RDS rejects Snapshot on a cluster instance, and a retained instance would keep the cluster from being deleted';
  if (CLUSTER_INSTANCE_TYPES.has(type)) return `every ${type} belongs to a cluster: ${member}`;
  if (type !== 'AWS::RDS::DBInstance') return undefined;
  if (properties.DBClusterIdentifier !== undefined) return `it belongs to the cluster named by DBClusterIdentifier: ${member}`;
  if (properties.SourceDBInstanceIdentifier !== undefined) return 'it is a read replica (SourceDBInstanceIdentifier): its source holds the data, and RDS takes no final snapshot of a replica';
  return undefined;
}

/** Snapshot where the documentation lists the type; a cache cluster only with a literal engine that keeps backups. */
function supportsSnapshot(type: string, engine: Json | undefined): boolean {
  if (!SNAPSHOT_TYPES.has(type)) return false;
  if (type !== 'AWS::ElastiCache::CacheCluster') return true;
  return typeof engine === 'string' && ['redis', 'valkey'].includes(engine.toLowerCase());
}

