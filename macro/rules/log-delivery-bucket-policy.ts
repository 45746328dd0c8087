/**
 * LOGD-001: a bucket of the template that receives vended logs — VPC flow logs, Network,
 * Application and Classic Load Balancer access logs, S3 server access logs — holds, in its one
 * bucket policy, the statements the delivering service needs, and the key statement when the
 * service may write SSE-KMS objects with a key of the template.
 *
 * What fails without it: Elastic Load Balancing refuses to turn on access logging ("Access Denied
 * for bucket: <name>. Please check S3bucket permission") and the stack rolls back; flow logs and
 * NLB logs, when the deploying role may edit the bucket policy, get their statements written by the
 * service itself into a policy the template owns, so the next stack update (or the policy S3-002
 * created) replaces them and delivery stops silently; S3 server access logs are dropped silently.
 * The connections are the catalogue's `vpc-flow-log-bucket`, `nlb-access-log-bucket`,
 * `elb-access-log-bucket` and `s3-access-log-bucket` kinds (`macro/connections/kinds/`), whose
 * statements follow, word for word in their conditions:
 * - CloudWatch Logs User Guide "Logs sent to Amazon S3" and Amazon VPC User Guide "Amazon S3 bucket
 *   permissions for flow logs": `AWSLogDeliveryWrite` / `AWSLogDeliveryAclCheck` for
 *   `delivery.logs.amazonaws.com` with `aws:SourceAccount` and `aws:SourceArn
 *   arn:<p>:logs:<region>:<account>:*`; "Required key policy for use with SSE-KMS";
 * - Elastic Load Balancing "Enable access logs for your Network Load Balancer" (the same
 *   statements; SSE-KMS with a customer managed key allowed), "… Application Load Balancer" and
 *   "… Classic Load Balancer" (Regions available before August 2022: the Region's ELB account
 *   `arn:<p>:iam::<elb-account-id>:root`; later Regions:
 *   `logdelivery.elasticloadbalancing.amazonaws.com`; `s3:PutObject` on
 *   `bucket/[prefix/]AWSLogs/<account>/*`), with the account table of aws-cdk-lib region-info;
 * - S3 User Guide "Enabling Amazon S3 server access logging" (`logging.s3.amazonaws.com`
 *   `s3:PutObject` on `bucket/<prefix>*`, `aws:SourceArn` the source bucket, `aws:SourceAccount`),
 *   as aws-cdk-lib `aws-s3/lib/bucket.ts` `allowLogDelivery` writes it.
 * The flow log and the load balancers are made to depend on the bucket policy (the service
 * checks the bucket when logging is turned on; aws-cdk-lib `base-load-balancer.ts` does the same).
 *
 * Expectations
 * - Skips: sources whose bucket is outside the template (reported), a flow log to CloudWatch Logs
 *   or Firehose, a Gateway Load Balancer, access logging that is off, a destination that skips
 *   LOGD-001, an Application or Classic Load Balancer when the Region is not known (reported: the
 *   principal depends on it).
 * - Already compliant: the bucket's one policy holds statements allowing the delivery — by any
 *   Sid, narrower conditions included (a flow-log statement on exactly this prefix; an ELB
 *   statement naming the account by id).
 * - Fixes: adds the statements to the bucket's one policy (created when there is none: never a
 *   second policy), the key statement to a key of the template, and the source's DependsOn on the
 *   policy (refused, and reported, when it would close a cycle or outlive a Condition).
 * - Reports: a key outside the template (KMS preflight), an SSE-KMS bucket on `aws/s3` (its policy
 *   cannot let the delivery service in), a Region without an ELB principal known.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { bucketKmsKeys } from '../connections/bucket-encryption';
import {
  clbTargets,
  elbv2Targets,
  ELB_ACCESS_LOG_BUCKET,
  flowLogTargets,
  loadBalancerType,
  loggingSourceArn,
  NLB_ACCESS_LOG_BUCKET,
  S3_ACCESS_LOG_BUCKET,
  s3LoggingTargets,
  VPC_FLOW_LOG_BUCKET,
  type Targets,
} from '../connections/kinds/log-delivery-bucket';
import { ELB_ACCOUNTS, ELB_DELIVERY_PRINCIPAL } from '../connections/log-delivery';
import { sourceArnOf } from '../connections/source-arn';
import type { ConnectionKind } from '../connections/types';
import { canonicalString } from '../template/intrinsics';

function written(r: Targets['external'][number]['resolution']): string {
  if (r.kind === 'literal') return String(r.value);
  if (r.kind === 'parameter') return `parameter ${r.name}`;
  if (r.kind === 'resource') return r.attribute === undefined ? r.id : `${r.id}.${r.attribute}`;
  return JSON.stringify(canonicalString(r.kind === 'composite' ? { 'Fn::Sub': r.text } : null));
}

function connect(source: ResourceView, kind: ConnectionKind, targets: Targets, ctx: RuleContext, principal?: string): void {
  for (const e of targets.external) {
    ctx.finding(source.id, e.path, 'info', `names ${written(e.resolution)}, not a bucket of this template: its policy must already let ${principal ?? 'the delivery service'} write there`);
    recordConnection(ctx, { rule: kind.rule, kind: kind.id, source: source.id, destination: written(e.resolution), ...(principal ? { principal } : {}) }, 'skipped', [], 'the bucket is outside this template');
  }
  for (const t of targets.found) {
    if (kind !== S3_ACCESS_LOG_BUCKET && !ctx.skips(t.bucket)) {
      for (const k of bucketKmsKeys(ctx.model, t.bucket)) {
        if (k.value === undefined && (kind === VPC_FLOW_LOG_BUCKET || kind === NLB_ACCESS_LOG_BUCKET)) {
          ctx.finding(t.bucket, k.path, 'warning', `is SSE-KMS with the AWS managed key aws/s3, whose key policy cannot let delivery.logs.amazonaws.com write the logs of ${source.id}`, 'give the bucket a customer managed key (KMSMasterKeyID) or use SSE-S3');
        }
      }
    }
    const base = { kind: kind.id, rule: kind.rule, source: source.id, destination: t.bucket, path: t.path, when: t.when, ...(principal ? { principal } : {}) };
    if (kind === S3_ACCESS_LOG_BUCKET) {
      const sourceArn = loggingSourceArn(ctx, source.id, t.bucket, sourceArnOf(ctx.model, source.id));
      applyConnection(ctx, kind, sourceArn ? { ...base, sourceArn } : base);
    } else {
      applyConnection(ctx, kind, base);
    }
  }
}

export const logDeliveryBucketPolicy: Rule = {
  id: 'LOGD-001',
  title: 'Let vended log delivery write to log buckets of the template',
  rationale:
    "Load balancers refuse to turn on access logging when the bucket's policy does not let the delivery principal write, and flow logs and S3 server access logs stop silently when their statements are missing or are rewritten by the template's own bucket policy. The bucket's one policy gets the statements each guide gives (delivery.logs.amazonaws.com with aws:SourceAccount and aws:SourceArn; the Region's ELB principal; logging.s3.amazonaws.com pinned to the source bucket), the key statement for SSE-KMS flow-log and NLB buckets, and the source waits for the policy.",
  resourceTypes: ['AWS::EC2::FlowLog', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancing::LoadBalancer', 'AWS::S3::Bucket'],
  changes: [
    'AWS::S3::BucketPolicy',
    'AWS::KMS::Key Properties.KeyPolicy',
    'AWS::EC2::FlowLog DependsOn',
    'AWS::ElasticLoadBalancingV2::LoadBalancer DependsOn',
    'AWS::ElasticLoadBalancing::LoadBalancer DependsOn',
  ],
  references: [
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html (Logs sent to Amazon S3: AWSLogDeliveryWrite, AWSLogDeliveryAclCheck, aws:SourceAccount, aws:SourceArn; SSE-KMS key statement)',
    'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html (Amazon S3 bucket permissions for flow logs; Required key policy for use with SSE-KMS)',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html (Network Load Balancer access logs: delivery.logs.amazonaws.com; SSE-S3 or SSE-KMS with a customer managed key)',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html (Application Load Balancer access logs: the ELB account per Region before August 2022, else logdelivery.elasticloadbalancing.amazonaws.com; SSE-S3 only)',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html (Classic Load Balancer access logs: the same principals)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html (logging.s3.amazonaws.com s3:PutObject with aws:SourceArn the source bucket and aws:SourceAccount)',
    'aws-cdk-lib/aws-elasticloadbalancingv2/lib/shared/base-load-balancer.ts (logAccessLogs; the load balancer depends on the bucket policy) and region-info/build-tools/fact-tables.ts (ELBV2_ACCOUNTS)',
    'aws-cdk-lib/aws-s3/lib/bucket.ts (allowLogDelivery)',
  ],
  apply(resource, ctx) {
    if (resource.type === 'AWS::EC2::FlowLog') {
      connect(resource, VPC_FLOW_LOG_BUCKET, flowLogTargets(ctx.model, resource.id), ctx, 'delivery.logs.amazonaws.com');
    } else if (resource.type === 'AWS::S3::Bucket') {
      connect(resource, S3_ACCESS_LOG_BUCKET, s3LoggingTargets(ctx.model, resource.id), ctx, 'logging.s3.amazonaws.com');
    } else if (resource.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
      const targets = elbv2Targets(ctx.model, resource.id);
      if (targets.found.length + targets.external.length === 0) return;
      const type = loadBalancerType(ctx.model, resource.id);
      if (type === 'network') connect(resource, NLB_ACCESS_LOG_BUCKET, targets, ctx, 'delivery.logs.amazonaws.com');
      else if (type === 'application') elb(resource, targets, ctx);
      else if (type === undefined) ctx.finding(resource.id, 'Properties.Type', 'info', 'the load balancer type is computed at deploy time, so the principal that writes its access logs is not known: the log bucket was not checked');
    } else {
      elb(resource, clbTargets(ctx.model, resource.id), ctx);
    }
  },
};

function elb(resource: ResourceView, targets: Targets, ctx: RuleContext): void {
  if (targets.found.length + targets.external.length === 0) return;
  if (ctx.region === undefined) {
    for (const t of targets.found) {
      ctx.finding(resource.id, t.path, 'warning', `the Region is not known, and the principal that writes access logs depends on it (the Region's Elastic Load Balancing account, or ${ELB_DELIVERY_PRINCIPAL}): ${t.bucket}'s policy was not checked`, 'harden with the Region the stack deploys to (the macro always knows it)');
      recordConnection(ctx, { rule: ELB_ACCESS_LOG_BUCKET.rule, kind: ELB_ACCESS_LOG_BUCKET.id, source: resource.id, destination: t.bucket }, 'skipped', [], 'the Region is not known');
    }
    return;
  }
  const principal = ELB_ACCOUNTS[ctx.region] === undefined ? ELB_DELIVERY_PRINCIPAL : undefined;
  connect(resource, ELB_ACCESS_LOG_BUCKET, targets, ctx, principal);
}
