/**
 * Vended log delivery → a bucket of the template (LOGD-001): four kinds, one per source, said once
 * each. Facts and pages: `../log-delivery.ts`.
 *
 * - `vpc-flow-log-bucket` (`AWS::EC2::FlowLog`, `LogDestinationType: s3`) and
 *   `nlb-access-log-bucket` (`AWS::ElasticLoadBalancingV2::LoadBalancer`, `Type: network`): the
 *   CloudWatch Logs delivery principal `delivery.logs.amazonaws.com` — `AWSLogDeliveryWrite` and
 *   `AWSLogDeliveryAclCheck` in the bucket's one policy with `aws:SourceAccount` and `aws:SourceArn`
 *   (the guides pin the delivery to this account's CloudWatch Logs ARNs, not to the flow log or
 *   load balancer, whose ARN the service does not send), the key statement for an SSE-KMS bucket,
 *   and the source after the policy (the service checks the bucket when the source is created and
 *   otherwise writes the statements itself, into a policy the next stack update rewrites).
 * - `elb-access-log-bucket` (Application and Classic Load Balancers): the Region's ELB account
 *   (`arn:<p>:iam::<elb-account-id>:root`) or, in Regions opened from August 2022, the service
 *   principal `logdelivery.elasticloadbalancing.amazonaws.com`, `s3:PutObject` on
 *   `bucket/[prefix/]AWSLogs/<account>/*` as the ELB guides write it; SSE-S3 only (S3-003 reports
 *   an SSE-KMS target); the load balancer after the policy ("Access Denied for bucket" when
 *   access logging is enabled before the policy allows it).
 * - `s3-access-log-bucket` (`LoggingConfiguration` of a bucket): `logging.s3.amazonaws.com`
 *   `s3:PutObject` on `bucket/<LogFilePrefix>*` with `aws:SourceArn` the source bucket and
 *   `aws:SourceAccount` (S3 User Guide, "Enabling Amazon S3 server access logging": "Grant
 *   permissions to the logging service principal by using a bucket policy"; aws-cdk-lib
 *   `aws-s3/lib/bucket.ts` `allowLogDelivery`); no ordering edge, since S3 does not check the
 *   policy when logging is configured.
 */
import type { Json, JsonObject } from '../../template/json';
import { isObject } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { findPolicies } from '../../template/policies';
import { resolve, type Resolution } from '../../template/resolve';
import type { RuleContext } from '../../rules/types';
import { bucketKmsKeys, S3_MANAGED_KEY } from '../bucket-encryption';
import {
  bucketByName,
  deliveryCondition,
  deliveryContext,
  DELIVERY_PRINCIPAL,
  accountStatementAllows,
  elbPrincipal,
  ELB_ACCOUNTS,
  ELB_DELIVERY_PRINCIPAL,
  literalPrefix,
  logObjects,
  objectSpellings,
  type LogTarget,
} from '../log-delivery';
import { nameText, sourceCondition, sourceContext } from '../source-arn';
import type { Connection, ConnectionKind, Grant, SourceArn } from '../types';

const REFERENCES = {
  logs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html (Logs sent to Amazon S3: AWSLogDeliveryWrite and AWSLogDeliveryAclCheck for delivery.logs.amazonaws.com with aws:SourceAccount and aws:SourceArn arn:aws:logs:<region>:<account>:*; the key statement for SSE-KMS buckets)',
  vpc: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html (Amazon S3 bucket permissions for flow logs; Required key policy for use with SSE-KMS: kms:GenerateDataKey* for delivery.logs.amazonaws.com)',
  nlb: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html (Enable access logs for your Network Load Balancer: the delivery.logs.amazonaws.com bucket policy; SSE-S3 or SSE-KMS with a customer managed key)',
  alb: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html (Enable access logs for your Application Load Balancer: the ELB account of the Region before August 2022, else logdelivery.elasticloadbalancing.amazonaws.com; s3:PutObject on bucket/prefix/AWSLogs/<account>/*; SSE-S3 only)',
  clb: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html (Enable access logs for your Classic Load Balancer: the same principals and statement)',
  s3: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html (Grant permissions to the logging service principal by using a bucket policy: logging.s3.amazonaws.com s3:PutObject with aws:SourceArn the source bucket and aws:SourceAccount)',
  cdkElb: 'aws-cdk-lib/aws-elasticloadbalancingv2/lib/shared/base-load-balancer.ts (logAccessLogs: the statements per load balancer type and Region; the load balancer depends on the bucket policy, aws-cdk#1633) and region-info/build-tools/fact-tables.ts (ELBV2_ACCOUNTS)',
  cdkS3: 'aws-cdk-lib/aws-s3/lib/bucket.ts (allowLogDelivery: logging.s3.amazonaws.com s3:PutObject on the prefix, ArnLike aws:SourceArn the source buckets, StringEquals aws:SourceAccount)',
};

/** The resolutions of a value that may be true (`true`, `'true'`, in some `Fn::If` branch). */
function mayBeTrue(model: TemplateModel, value: Json | undefined): boolean {
  return resolve(value, model).some((r) => (r.kind === 'literal' && (r.value === true || r.value === 'true')) || r.kind === 'parameter' || r.kind === 'unknown');
}

function literal(model: TemplateModel, value: Json | undefined): string | undefined {
  const rs = resolve(value, model);
  return rs.length === 1 && rs[0].kind === 'literal' && typeof rs[0].value === 'string' ? rs[0].value : undefined;
}

/** What a source's property names: its buckets of the template, and the values outside it (for the report). */
export interface Targets {
  found: LogTarget[];
  external: Array<{ path: string; resolution: Resolution }>;
}

function push(out: Targets, t: LogTarget): void {
  if (!out.found.some((f) => f.bucket === t.bucket && f.path === t.path)) out.found.push(t);
}

const BUCKET_ARN = [/^\$\{([A-Za-z0-9]+)\.Arn\}(.*)$/, /^arn:\$\{AWS::Partition\}:s3:::\$\{([A-Za-z0-9]+)\}(.*)$/];

/** Flow logs: `LogDestination` is the bucket's ARN, optionally with `/folder/` (`!GetAtt B.Arn`, `!Sub '${B.Arn}/flows/'`). */
export function flowLogTargets(model: TemplateModel, id: string): Targets {
  const out: Targets = { found: [], external: [] };
  const type = model.get(id, ['Properties', 'LogDestinationType']);
  if (literal(model, type) !== 's3') return out;
  const path = 'Properties.LogDestination';
  for (const r of resolve(model.get(id, ['Properties', 'LogDestination']), model)) {
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource' && model.type(r.id) === 'AWS::S3::Bucket' && r.attribute === 'Arn') {
      push(out, { bucket: r.id, path, prefix: '', when: r.when });
      continue;
    }
    if (r.kind === 'composite') {
      const m = BUCKET_ARN.map((re) => re.exec(r.text)).find((x) => x !== null);
      if (m && model.type(m[1]) === 'AWS::S3::Bucket') {
        const rest = m[2].replace(/^\//, '');
        push(out, { bucket: m[1], path, prefix: rest.includes('${') ? undefined : rest, when: r.when });
        continue;
      }
    }
    if (r.kind === 'literal' && typeof r.value === 'string') {
      const m = /^arn:aws[a-z-]*:s3:::([^/]+)\/?(.*)$/.exec(r.value);
      const bucket = m ? bucketByName(model, { kind: 'literal', value: m[1], when: r.when }) : undefined;
      if (m && bucket !== undefined) {
        push(out, { bucket, path, prefix: m[2], when: r.when });
        continue;
      }
    }
    out.external.push({ path, resolution: r });
  }
  return out;
}

/** The ELBv2 load balancer type (`application` when absent), or undefined when computed at deploy time. */
export function loadBalancerType(model: TemplateModel, id: string): string | undefined {
  const type = model.get(id, ['Properties', 'Type']);
  return type === undefined ? 'application' : literal(model, type);
}

/** ELBv2 access logs: `access_logs.s3.enabled`, `access_logs.s3.bucket` (the bucket's name), `access_logs.s3.prefix`. */
export function elbv2Targets(model: TemplateModel, id: string): Targets {
  const out: Targets = { found: [], external: [] };
  const attributes = model.get(id, ['Properties', 'LoadBalancerAttributes']);
  if (!Array.isArray(attributes)) return out;
  const at = (key: string): { value: Json; index: number } | undefined => {
    const index = attributes.findIndex((a) => isObject(a) && a.Key === key);
    const entry = attributes[index];
    return index < 0 || !isObject(entry) || entry.Value === undefined ? undefined : { value: entry.Value, index };
  };
  const enabled = at('access_logs.s3.enabled');
  const bucket = at('access_logs.s3.bucket');
  if (enabled === undefined || bucket === undefined || !mayBeTrue(model, enabled.value)) return out;
  const prefix = at('access_logs.s3.prefix');
  const path = `Properties.LoadBalancerAttributes[${bucket.index}].Value`;
  for (const r of resolve(bucket.value, model)) {
    if (r.kind === 'no-value') continue;
    const id2 = bucketByName(model, r);
    if (id2 === undefined) out.external.push({ path, resolution: r });
    else push(out, { bucket: id2, path, prefix: literalPrefix(model, prefix?.value), when: r.when });
  }
  return out;
}

/** Classic Load Balancer access logs: `AccessLoggingPolicy` `Enabled`, `S3BucketName`, `S3BucketPrefix`. */
export function clbTargets(model: TemplateModel, id: string): Targets {
  const out: Targets = { found: [], external: [] };
  const policy = model.get(id, ['Properties', 'AccessLoggingPolicy']);
  if (!isObject(policy) || !mayBeTrue(model, policy.Enabled)) return out;
  const path = 'Properties.AccessLoggingPolicy.S3BucketName';
  for (const r of resolve(policy.S3BucketName, model)) {
    if (r.kind === 'no-value') continue;
    const bucket = bucketByName(model, r);
    if (bucket === undefined) out.external.push({ path, resolution: r });
    else push(out, { bucket, path, prefix: literalPrefix(model, policy.S3BucketPrefix), when: r.when });
  }
  return out;
}

/** S3 server access logs: `LoggingConfiguration.DestinationBucketName` (the bucket itself when absent), `LogFilePrefix`. */
export function s3LoggingTargets(model: TemplateModel, id: string): Targets {
  const out: Targets = { found: [], external: [] };
  const logging = model.get(id, ['Properties', 'LoggingConfiguration']);
  if (!isObject(logging)) return out;
  const path = 'Properties.LoggingConfiguration.DestinationBucketName';
  const prefix = literalPrefix(model, logging.LogFilePrefix);
  if (logging.DestinationBucketName === undefined) {
    push(out, { bucket: id, path: 'Properties.LoggingConfiguration', prefix, when: [] });
    return out;
  }
  for (const r of resolve(logging.DestinationBucketName, model)) {
    if (r.kind === 'no-value') continue;
    const bucket = bucketByName(model, r);
    if (bucket === undefined) out.external.push({ path, resolution: r });
    else push(out, { bucket, path, prefix, when: r.when });
  }
  return out;
}

function targetOf(targets: Targets, c: Connection): LogTarget {
  return targets.found.find((t) => t.bucket === c.destination && t.path === c.path) ?? { bucket: c.destination, path: c.path, when: c.when };
}

/** The key half for a bucket encrypted with a key of the template, for `delivery.logs.amazonaws.com`. */
function deliveryKeyGrants(c: Connection, ctx: RuleContext, sid: string): Grant[] {
  const out: Grant[] = [];
  for (const k of bucketKmsKeys(ctx.model, c.destination)) {
    if (k.value === undefined) continue;
    out.push({
      to: 'key',
      owner: c.destination,
      path: k.path,
      value: k.value,
      service: 'delivery',
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: DELIVERY_PRINCIPAL }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*', Condition: deliveryCondition() },
      request: { principal: DELIVERY_PRINCIPAL, actions: ['kms:GenerateDataKey'], resources: ['*'], context: deliveryContext(ctx.accountId) },
      detail: `let delivery.logs.amazonaws.com use the key for the logs ${c.source} writes to ${c.destination} (aws:SourceAccount, aws:SourceArn this account's CloudWatch Logs)`,
      managedAliases: S3_MANAGED_KEY,
    });
  }
  return out;
}

function order(c: Connection, what: string, why: string): Grant {
  return {
    to: 'order',
    from: c.source,
    after: { policy: 'bucket', target: c.destination },
    detail: `${what} ${why}`,
    onCycle: { path: 'Properties.PolicyDocument', consequence: `${what} may find the bucket closed to it`, rewrite: 'write the bucket ARN from its name instead' },
  };
}

/** Why a vended-log source waits for the policy. */
const VENDED_ORDER = "checks the bucket's policy when delivery is set up, and otherwise writes its own statements into the policy, which the template then rewrites on its next update";

/** AWSLogDeliveryWrite and AWSLogDeliveryAclCheck for one source, its key statement and its ordering edge. */
function vendedGrants(c: Connection, ctx: RuleContext, t: LogTarget, accountSegment: string, what: string): Grant[] {
  const objects = logObjects(c.destination, t.prefix, accountSegment);
  const bucketArn: Json = { 'Fn::GetAtt': [c.destination, 'Arn'] };
  const name = nameText(ctx.model, c.destination, 'BucketName');
  const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };
  const grants: Grant[] = [
    {
      to: 'policy',
      policy: 'bucket',
      target: c.destination,
      statement: { Sid: `AWSLogDeliveryWrite${c.source}`, Effect: 'Allow', Principal: { Service: DELIVERY_PRINCIPAL }, Action: 's3:PutObject', Resource: objects, Condition: deliveryCondition(acl) },
      request: { principal: DELIVERY_PRINCIPAL, actions: ['s3:PutObject'], resources: objectSpellings(ctx.model, c.destination, objects), context: deliveryContext(ctx.accountId, { 's3:x-amz-acl': ['bucket-owner-full-control'] }) },
      detail: `AWSLogDeliveryWrite: let delivery.logs.amazonaws.com s3:PutObject ${what} into ${c.destination} (aws:SourceAccount, aws:SourceArn this account's CloudWatch Logs)`,
    },
    {
      to: 'policy',
      policy: 'bucket',
      target: c.destination,
      statement: { Sid: 'AWSLogDeliveryAclCheck', Effect: 'Allow', Principal: { Service: DELIVERY_PRINCIPAL }, Action: 's3:GetBucketAcl', Resource: bucketArn, Condition: deliveryCondition() },
      request: { principal: DELIVERY_PRINCIPAL, actions: ['s3:GetBucketAcl'], resources: name === undefined ? [bucketArn] : [bucketArn, { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${name}` }], context: deliveryContext(ctx.accountId) },
      detail: `AWSLogDeliveryAclCheck: let delivery.logs.amazonaws.com s3:GetBucketAcl on ${c.destination} (aws:SourceAccount, aws:SourceArn this account's CloudWatch Logs)`,
    },
    ...deliveryKeyGrants(c, ctx, `AWSLogDeliveryKey${c.source}`),
  ];
  grants.push(order(c, what, VENDED_ORDER));
  return grants;
}

export const VPC_FLOW_LOG_BUCKET: ConnectionKind = {
  id: 'vpc-flow-log-bucket',
  rule: 'LOGD-001',
  principal: DELIVERY_PRINCIPAL,
  title: 'VPC flow log → S3 bucket',
  references: [REFERENCES.logs, REFERENCES.vpc],
  grants: (c, ctx) => {
    const hive = ctx.model.get(c.source, ['Properties', 'DestinationOptions', 'HiveCompatiblePartitions']);
    // Hive-compatible flow log keys are AWSLogs/aws-account-id=<account>/… (VPC guide, "Flow log files").
    const account = hive === true || hive === 'true' ? 'aws-account-id=${AWS::AccountId}' : '${AWS::AccountId}';
    return vendedGrants(c, ctx, targetOf(flowLogTargets(ctx.model, c.source), c), account, 'flow logs');
  },
};

export const NLB_ACCESS_LOG_BUCKET: ConnectionKind = {
  id: 'nlb-access-log-bucket',
  rule: 'LOGD-001',
  principal: DELIVERY_PRINCIPAL,
  title: 'Network Load Balancer access logs → S3 bucket',
  references: [REFERENCES.logs, REFERENCES.nlb, REFERENCES.cdkElb],
  grants: (c, ctx) => vendedGrants(c, ctx, targetOf(elbv2Targets(ctx.model, c.source), c), '${AWS::AccountId}', 'Network Load Balancer access logs'),
};

/** The ELB access-log statement for a Region (the ELB account or the service principal, as the guide gives it). */
export function elbStatement(c: Connection, ctx: RuleContext, region: string): { statement: JsonObject; objects: Json } {
  const t = targetOf(ctx.model.type(c.source) === 'AWS::ElasticLoadBalancing::LoadBalancer' ? clbTargets(ctx.model, c.source) : elbv2Targets(ctx.model, c.source), c);
  const objects = logObjects(c.destination, t.prefix);
  return { statement: { Sid: `AllowELBAccessLogs${c.source}`, Effect: 'Allow', Principal: elbPrincipal(region), Action: 's3:PutObject', Resource: objects }, objects };
}

export const ELB_ACCESS_LOG_BUCKET: ConnectionKind = {
  id: 'elb-access-log-bucket',
  rule: 'LOGD-001',
  title: 'Application or Classic Load Balancer access logs → S3 bucket',
  references: [REFERENCES.alb, REFERENCES.clb, REFERENCES.cdkElb],
  grants: (c, ctx) => {
    const region = ctx.region as string;
    const { statement, objects } = elbStatement(c, ctx, region);
    const principal = elbPrincipal(region);
    const order_ = order(c, 'Elastic Load Balancing', 'checks that it may write to the bucket when access logging is turned on ("Access Denied for bucket"), so the policy must allow it first');
    const account = ELB_ACCOUNTS[region];
    if (account !== undefined) {
      // A statement naming the ELB account (by ARN or bare id) covers the connection: only the order is left to add.
      const request = { principal: `elb:${region}`, actions: ['s3:PutObject'], resources: objectSpellings(ctx.model, c.destination, objects), context: {} };
      const policy = findPolicies(ctx.model, 'bucket', c.destination)[0];
      const raw = policy === undefined ? undefined : ctx.model.get(policy, ['Properties', 'PolicyDocument', 'Statement']);
      const statements = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      if (statements.some((s) => accountStatementAllows(s, account, request))) return [order_];
    }
    const who = 'Service' in principal ? ELB_DELIVERY_PRINCIPAL : `the Elastic Load Balancing account of ${region}`;
    return [
      {
        to: 'policy',
        policy: 'bucket',
        target: c.destination,
        statement,
        request: { principal: 'Service' in principal ? ELB_DELIVERY_PRINCIPAL : `elb:${region}`, actions: ['s3:PutObject'], resources: objectSpellings(ctx.model, c.destination, objects), context: {} },
        detail: `let ${who} s3:PutObject the access logs of ${c.source} under AWSLogs/<this account>/ in ${c.destination}`,
      },
      order_,
    ];
  },
};

/** The source bucket's ARN for `aws:SourceArn`: built from its name, else `GetAtt` when nothing makes the source wait for the policy. */
export function loggingSourceArn(ctx: RuleContext, source: string, destination: string, pinned: SourceArn | undefined): SourceArn | undefined {
  if (pinned?.pinned) return pinned;
  const policy = findPolicies(ctx.model, 'bucket', destination)[0];
  if (policy !== undefined && ctx.model.reaches(source, policy)) return pinned;
  const arn: Json = { 'Fn::GetAtt': [source, 'Arn'] };
  return { pinned: true, arn, exact: false, spellings: [arn] };
}

export const S3_ACCESS_LOG_BUCKET: ConnectionKind = {
  id: 's3-access-log-bucket',
  rule: 'LOGD-001',
  principal: 'logging.s3.amazonaws.com',
  title: 'S3 server access logs → S3 bucket',
  references: [REFERENCES.s3, REFERENCES.cdkS3],
  grants: (c, ctx) => {
    const t = targetOf(s3LoggingTargets(ctx.model, c.source), c);
    const objects: Json = { 'Fn::Sub': `\${${c.destination}.Arn}/${t.prefix === undefined ? '' : t.prefix}*` };
    const scope = c.sourceArn?.pinned ? `pinned to ${c.source} by aws:SourceArn` : `for the buckets of this account (aws:SourceAccount only: ${c.sourceArn?.pinned === false ? c.sourceArn.why : 'no source ARN'})`;
    return [
      {
        to: 'policy',
        policy: 'bucket',
        target: c.destination,
        statement: { Sid: `S3ServerAccessLogs${c.source}`, Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: objects, Condition: sourceCondition(c.sourceArn) },
        request: { principal: 'logging.s3.amazonaws.com', actions: ['s3:PutObject'], resources: objectSpellings(ctx.model, c.destination, objects), context: sourceContext(c.sourceArn, ctx.accountId) },
        detail: `let logging.s3.amazonaws.com s3:PutObject the server access logs of ${c.source} into ${c.destination} ${scope}`,
      },
    ];
  },
};
