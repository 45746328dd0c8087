/**
 * EVT-001: an EventBridge rule's targets of the template may be reached by EventBridge.
 *
 * CloudFormation creates a rule and its targets without checking that EventBridge may deliver;
 * a target without the grant fails at every match (`FailedInvocations`), silently. aws-cdk-lib's
 * `addTarget` writes the grants by construction (`aws-events-targets/lib/*.ts`); the connections
 * are the catalogue's `events-target-*` kinds:
 * - Lambda function (alias, version): an `AWS::Lambda::Permission` for `events.amazonaws.com`,
 *   `SourceArn` the rule ("Using resource-based policies for Amazon EventBridge");
 * - SQS queue / SNS topic: a statement in its one policy for `events.amazonaws.com`
 *   (`sqs:SendMessage` / `sns:Publish`), `ArnEquals aws:SourceArn` the rule; for a queue or topic
 *   encrypted with a key of the template, the key statement (`kms:GenerateDataKey*`,
 *   `kms:Decrypt`, no source condition: see below); a key outside the template goes to the KMS preflight, an AWS managed key
 *   (`alias/aws/sqs`, `alias/aws/sns`) is a finding;
 * - a target reached through `RoleArn` (state machine, Kinesis stream, Firehose stream, event bus):
 *   the role, when it is a role of the template, trusts `events.amazonaws.com` and may perform the
 *   target's action on it (`states:StartExecution`, `kinesis:PutRecord(s)`,
 *   `firehose:PutRecord(Batch)`, `events:PutEvents`), inline policy `EventBridgeTargets`; a role
 *   outside the template is a finding naming them; no `RoleArn` at all is a finding too. A Kinesis
 *   stream encrypted with a key of the template (`StreamEncryption.KeyId`) adds
 *   `kms:GenerateDataKey` on that key to the same role ("Permissions to use user-generated KMS
 *   keys", Kinesis Data Streams Developer Guide); a key that may not exist whenever the role does
 *   is a finding;
 * - CloudWatch Logs log group (by `GetAtt Arn` or a composed `…:log-group:${Logs}` ARN): the
 *   stack's ONE `AWS::Logs::ResourcePolicy` for EventBridge (`EventsLogsResourcePolicy`, one more
 *   per Condition; CloudWatch Logs allows 10 per account and Region) gets `logs:CreateLogStream` on
 *   the log group for `events.amazonaws.com` without a source condition (EventBridge's
 *   CreateLogStream calls carry no aws:SourceArn) and `logs:PutLogEvents` pinned by `ArnEquals
 *   aws:SourceArn` to the rule (`kinds/events-target-log-group.ts` cites the pages); a `RoleArn` on
 *   such a target is a warning (EventBridge rejects it).
 * The rule's ARN is built from its `Name` (and `EventBusName`):
 * `arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/[<bus>/]<name>`; without a
 * Name, `!GetAtt Rule.Arn` (safe: nothing waits for these grants). The key statement carries no
 * source condition: EventBridge's key requests carry no aws:SourceArn or aws:SourceAccount ("Enable
 * compatibility between event sources from AWS services and encrypted topics", SNS Developer
 * Guide), as aws-cdk-lib writes it, which also keeps rule → queue → key → rule from closing.
 * No DependsOn is added: EventBridge validates none of this at create time.
 *
 * Expectations
 * - Skips: targets outside the template (recorded as skipped), target types with no grant here
 *   (reported as info), a `Targets` list or entry computed at deploy time (reported), a
 *   destination, key or role that skips EVT-001. An entry written as `Fn::If` is followed branch
 *   by branch (its guards go with each connection), except a target reached through a RoleArn
 *   there (reported as info).
 * - Already compliant: a permission, queue/topic/key statement, role policy or CloudWatch Logs
 *   resource policy (a JSON object, or a string: literal, `Fn::Sub`, `Fn::Join`) that allows this
 *   rule's request (any Sid, patterns that match the rule's ARN or the log group's, AWS managed
 *   policies of the role-grant table, wildcards): nothing is added.
 * - Conditions: the target's `Fn::If` branches and the rule's Condition go into a new permission's
 *   Condition; policy statements inherit the destination policy's condition; log group statements
 *   go into a resource policy under the one condition that implies the rule's, the log group's
 *   and the branch's (a finding when none does).
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { compositeArn, destinationsIn } from '../connections/discover';
import { EVENTS_PRINCIPAL, ruleArnOf } from '../connections/events-rules';
import { EVENTS_TARGET_FUNCTION } from '../connections/kinds/events-target-function';
import { EVENTS_TARGET_LOG_GROUP } from '../connections/kinds/events-target-log-group';
import { EVENTS_TARGET_QUEUE } from '../connections/kinds/events-target-queue';
import { EVENTS_TARGET_ROLE, ROLE_TARGETS } from '../connections/kinds/events-target-role';
import { EVENTS_TARGET_TOPIC } from '../connections/kinds/events-target-topic';
import { lambdaTargetsIn, writtenAs } from '../connections/lambda-targets';
import { FUNCTION_TYPES } from '../connections/permission';
import type { Connection, ConnectionKind } from '../connections/types';
import { intrinsicName } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import { resolve, type Guard, type Resolution } from '../template/resolve';

type Value = { path: string; resolution: Resolution };

const QUEUE_SPEC = {
  type: 'AWS::SQS::Queue',
  arnForm: (r: Extract<Resolution, { kind: 'resource' }>) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the queue's URL` : `${r.id}.${r.attribute} is not the queue's ARN`}, but a target's Arn is the queue's ARN: use !GetAtt ${r.id}.Arn`),
  compositeArn: compositeArn('sqs', 'QueueName'),
};
/** `…:log-group:${Logs}` or `…:log-group:${Logs}:*` (a log group's Ref is its name). */
function logGroupComposite(text: string): string | undefined {
  const m = /:log-group:\$\{([A-Za-z0-9]+)\}(?::\*)?$/.exec(text);
  return m && text.slice(0, m.index).includes(':logs:') ? m[1] : undefined;
}
const LOG_GROUP_SPEC = {
  type: 'AWS::Logs::LogGroup',
  arnForm: (r: Extract<Resolution, { kind: 'resource' }>) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the log group's name` : `${r.id}.${r.attribute} is not the log group's ARN`}, but a target's Arn is the log group's ARN: use !GetAtt ${r.id}.Arn`),
  compositeArn: logGroupComposite,
};
const TOPIC_SPEC = {
  type: 'AWS::SNS::Topic',
  arnForm: (r: Extract<Resolution, { kind: 'resource' }>) => (r.attribute === undefined || r.attribute === 'TopicArn' ? undefined : `${r.id}.${r.attribute} is not the topic's ARN: use !Ref ${r.id}`),
  compositeArn: compositeArn('sns', 'TopicName'),
};

/** Which family a target value belongs to, by the type it names or the service in its ARN. */
function family(ctx: RuleContext, r: Resolution): 'lambda' | 'queue' | 'topic' | 'role' | 'logs' | 'other' {
  const type = r.kind === 'resource' ? (ctx.model.type(r.id) ?? '') : '';
  const text = r.kind === 'composite' ? r.text : r.kind === 'literal' && typeof r.value === 'string' ? r.value : '';
  if (FUNCTION_TYPES.has(type) || text.includes(':lambda:')) return 'lambda';
  if (type === 'AWS::SQS::Queue' || text.includes(':sqs:')) return 'queue';
  if (type === 'AWS::SNS::Topic' || text.includes(':sns:')) return 'topic';
  if (ROLE_TARGETS[type] !== undefined) return 'role';
  if (type === 'AWS::Logs::LogGroup' || text.includes(':log-group:')) return 'logs';
  return 'other';
}

function connect(ctx: RuleContext, rule: ResourceView, kind: ConnectionKind, id: string, path: string, when: Connection['when']): void {
  const own = rule.condition !== undefined ? [{ condition: rule.condition, holds: true }] : [];
  const c: Connection = { kind: kind.id, rule: 'EVT-001', source: rule.id, destination: id, path, principal: EVENTS_PRINCIPAL, sourceArn: ruleArnOf(ctx.model, rule.id), when: [...when, ...own] };
  applyConnection(ctx, kind, c);
}

function external(ctx: RuleContext, rule: ResourceView, kind: ConnectionKind, v: Value, what: string): void {
  ctx.finding(rule.id, v.path, 'info', `names ${what} outside this template: it must already let events.amazonaws.com deliver to it`);
  recordConnection(ctx, { rule: 'EVT-001', kind: kind.id, source: rule.id, destination: writtenAs(v.resolution), principal: EVENTS_PRINCIPAL }, 'skipped', [], `the target is outside this template`);
}

/**
 * One target entry. `branch` and `guards`: an entry written as `Fn::If` is followed branch by
 * branch (`Properties.Targets[0].Fn::If[1]`), each connection existing only under its branch.
 */
function target(ctx: RuleContext, rule: ResourceView, index: number, entry: Record<string, unknown>, branch = '', guards: Guard[] = []): void {
  const at = `Properties.Targets[${index}]${branch}`;
  const path = `${at}.Arn`;
  const values: Value[] = resolve(entry.Arn as never, ctx.model).map((resolution) => ({ path, resolution: { ...resolution, when: [...guards, ...resolution.when] } }));
  const by = (f: ReturnType<typeof family>) => values.filter((v) => v.resolution.kind !== 'no-value' && family(ctx, v.resolution) === f);

  const lambda = lambdaTargetsIn(ctx, rule.id, by('lambda'), 'EventBridge');
  for (const x of lambda.external) external(ctx, rule, EVENTS_TARGET_FUNCTION, x, 'a function');
  for (const f of lambda.found) connect(ctx, rule, EVENTS_TARGET_FUNCTION, f.id, f.path, f.when);

  for (const [f, spec, kind, noun] of [['queue', QUEUE_SPEC, EVENTS_TARGET_QUEUE, 'a queue'], ['topic', TOPIC_SPEC, EVENTS_TARGET_TOPIC, 'a topic']] as const) {
    const { found, external: ext } = destinationsIn(ctx, rule.id, by(f), spec);
    for (const x of ext) external(ctx, rule, kind, x, noun);
    for (const d of found) connect(ctx, rule, kind, d.id, d.path, d.when);
  }

  // "Using resource-based policies for Amazon EventBridge" (Important): for Lambda, SNS and SQS
  // targets, which EventBridge reaches through their resource policies, do not specify a RoleArn:
  // delivery may fail, in particular to SQS and SNS targets encrypted with AWS KMS.
  const viaPolicy = (['lambda', 'queue', 'topic'] as const).filter((f) => by(f).length > 0);
  if (entry.RoleArn !== undefined && viaPolicy.length > 0) {
    const what = viaPolicy.map((f) => ({ lambda: 'a Lambda function', queue: 'an SQS queue', topic: 'an SNS topic' })[f]).join(' or ');
    ctx.finding(rule.id, `${at}.RoleArn`, 'warning', `is set on a target that is ${what}, which EventBridge reaches through its resource policy: AWS advises against a RoleArn there (delivery may fail, in particular to KMS-encrypted queues and topics); remove RoleArn`);
  }

  for (const v of by('role')) {
    const r = v.resolution as Extract<Resolution, { kind: 'resource' }>;
    if (branch !== '') {
      // The role kind reads the entry's RoleArn at Targets[i]; under Fn::If that is the whole If.
      ctx.finding(rule.id, at, 'info', `reaches ${r.id} through a RoleArn in an Fn::If branch: its role's permissions are not checked here`);
      continue;
    }
    if (entry.RoleArn === undefined) {
      ctx.finding(rule.id, `Properties.Targets[${index}]`, 'warning', `has no RoleArn: EventBridge needs a role trusting events.amazonaws.com that may ${ROLE_TARGETS[ctx.model.type(r.id) ?? ''].actions.join(' and ')} on ${r.id}`);
      recordConnection(ctx, { rule: 'EVT-001', kind: EVENTS_TARGET_ROLE.id, source: rule.id, destination: r.id, principal: EVENTS_PRINCIPAL }, 'finding', [], 'the target has no RoleArn');
      continue;
    }
    connect(ctx, rule, EVENTS_TARGET_ROLE, r.id, v.path, r.when);
  }
  for (const v of by('other')) {
    const r = v.resolution;
    const what = r.kind === 'resource' ? `${r.id}, a ${ctx.model.type(r.id)}: no grant for this target type is checked here` : `${writtenAs(r)}, outside this template: it must already let EventBridge reach it`;
    ctx.finding(rule.id, v.path, 'info', `names ${what}`);
  }
  const logs = destinationsIn(ctx, rule.id, by('logs'), LOG_GROUP_SPEC);
  if (entry.RoleArn !== undefined && (logs.found.length > 0 || logs.external.length > 0)) {
    ctx.finding(rule.id, `${at}.RoleArn`, 'warning', 'is set on a CloudWatch Logs target, which EventBridge does not support (PutTargets: "RoleArn is not supported for target"): EventBridge writes to log groups through their resource policy; remove RoleArn');
  }
  for (const x of logs.external) external(ctx, rule, EVENTS_TARGET_LOG_GROUP, x, 'a log group (its AWS::Logs::ResourcePolicy must let events.amazonaws.com logs:CreateLogStream and logs:PutLogEvents)');
  for (const d of logs.found) connect(ctx, rule, EVENTS_TARGET_LOG_GROUP, d.id, d.path, d.when);
}

export const eventsRuleTargets: Rule = {
  id: 'EVT-001',
  title: 'Let EventBridge reach the targets its rules name',
  rationale:
    'CloudFormation creates rules and targets without checking that EventBridge may invoke, send, publish or write to them; a target without its grant fails at every match (FailedInvocations), silently. Functions get a permission pinned to the rule, queues and topics (and their keys) a statement pinned by aws:SourceArn, log groups a statement in the stack\'s one CloudWatch Logs resource policy, and roles of targets reached through RoleArn the trust and action they need (and kms:GenerateDataKey on an encrypted stream\'s key), unless they are already there.',
  resourceTypes: ['AWS::Events::Rule'],
  changes: [
    'AWS::Lambda::Permission',
    'AWS::SQS::QueuePolicy',
    'AWS::SQS::QueueInlinePolicy Properties.PolicyDocument',
    'AWS::SNS::TopicPolicy',
    'AWS::SNS::TopicInlinePolicy Properties.PolicyDocument',
    'AWS::KMS::Key Properties.KeyPolicy',
    'AWS::IAM::Role Properties.Policies',
    'AWS::IAM::Role Properties.AssumeRolePolicyDocument',
    'AWS::IAM::Policy Properties.PolicyDocument',
    'AWS::IAM::ManagedPolicy Properties.PolicyDocument',
    'AWS::Logs::ResourcePolicy',
    'AWS::Logs::ResourcePolicy Properties.PolicyDocument',
  ],
  references: [
    ...EVENTS_TARGET_FUNCTION.references,
    ...EVENTS_TARGET_QUEUE.references.slice(1),
    ...EVENTS_TARGET_TOPIC.references.slice(1),
    ...EVENTS_TARGET_ROLE.references,
    ...EVENTS_TARGET_LOG_GROUP.references,
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html (resource type rule: arn:${Partition}:events:${Region}:${Account}:rule/[${EventBusName}/]${RuleName})',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html (Name: generated when not given)',
  ],
  apply(rule, ctx) {
    const targets = rule.properties.Targets;
    if (targets === undefined) return;
    if (!Array.isArray(targets)) {
      ctx.finding(rule.id, 'Properties.Targets', 'info', 'is computed at deploy time, so its targets cannot be checked here');
      return;
    }
    const visit = (entry: Json, i: number, branch: string, guards: Guard[]): void => {
      const fn = isObject(entry) ? intrinsicName(entry) : undefined;
      const args = isObject(entry) ? entry['Fn::If'] : undefined;
      if (fn === 'Fn::If' && Array.isArray(args) && args.length === 3 && typeof args[0] === 'string') {
        visit(args[1], i, `${branch}.Fn::If[1]`, [...guards, { condition: args[0], holds: true }]);
        visit(args[2], i, `${branch}.Fn::If[2]`, [...guards, { condition: args[0], holds: false }]);
        return;
      }
      if (fn === 'Ref' && isObject(entry) && entry.Ref === 'AWS::NoValue') return;
      if (!isObject(entry) || fn !== undefined) {
        ctx.finding(rule.id, `Properties.Targets[${i}]${branch}`, 'info', 'is computed at deploy time, so this target cannot be checked here');
        return;
      }
      target(ctx, rule, i, entry, branch, guards);
    };
    targets.forEach((entry, i) => visit(entry, i, '', []));
  },
};
