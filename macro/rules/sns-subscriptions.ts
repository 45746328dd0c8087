/**
 * SNS-001: an SNS subscription to a Lambda function or an SQS queue of the template has the
 * permission, queue policy and key statement that let SNS deliver to it.
 *
 * CloudFormation creates an `lambda` or `sqs` subscription without checking that SNS may deliver;
 * without a Lambda permission for `sns.amazonaws.com`, or a queue policy statement for it (and,
 * for a queue encrypted with a customer managed key, a key statement), every message fails to
 * deliver, silently: the topic's `NumberOfNotificationsFailed` grows and nothing reaches the
 * function or queue. aws-cdk-lib writes these grants with every `addSubscription`
 * (`aws-sns-subscriptions/lib/lambda.ts`, `sqs.ts`). The connections are the catalogue's
 * `sns-subscription-function` and `sns-subscription-queue` kinds:
 * - function: an `AWS::Lambda::Permission` for `sns.amazonaws.com`, `lambda:InvokeFunction`,
 *   `SourceArn` the topic ("Using Lambda with Amazon SNS", Lambda Developer Guide);
 * - queue: a statement in the queue's one policy for `sns.amazonaws.com` `sqs:SendMessage`,
 *   `ArnEquals aws:SourceArn` the topic ("Subscribe an Amazon SQS queue to an Amazon SNS topic",
 *   SNS Developer Guide), and in the policy of the queue's key (a key of the template)
 *   `kms:GenerateDataKey*` and `kms:Decrypt` for the same principal and condition ("Enable
 *   compatibility between AWS services such as Amazon SNS and encrypted queues", SQS Developer
 *   Guide). A key outside the template goes to the KMS preflight; `alias/aws/sqs` is a finding.
 * The topic is named by `Ref` (its ARN): nothing waits for these grants (SNS validates nothing
 * at create time), so the reference cannot close a cycle, and it pins the grant to exactly
 * that topic, also when the topic has no TopicName. A topic outside the template (parameter,
 * literal ARN) is pinned by that value.
 *
 * Expectations
 * - Finds: `AWS::SNS::Subscription` (`TopicArn`, `Protocol`, `Endpoint`, each possibly an
 *   `Fn::If`: only branches that can hold together pair up) and the `Subscription` list of
 *   `AWS::SNS::Topic`; endpoints by `GetAtt`, `Ref` (alias, version), `Fn::Sub`/`Fn::Join` ARNs.
 * - Skips: endpoints outside the template (recorded as skipped), other protocols, a protocol or
 *   list computed at deploy time (reported), a destination that skips SNS-001.
 * - Already compliant: a permission (any FunctionName spelling, principal with or without
 *   `${AWS::URLSuffix}`, a SourceArn pattern that matches the topic, or none) or a queue/key
 *   statement that allows this topic's request, by any Sid: nothing is added.
 * - Conditions: a subscription's `Condition` and the `Fn::If` branches it came from go into the
 *   new permission's Condition (the one that implies the others, else a finding).
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { compositeArn, destinationsIn } from '../connections/discover';
import { SNS_PRINCIPAL, SNS_SUBSCRIPTION_FUNCTION } from '../connections/kinds/sns-subscription-function';
import { keyNeedsPattern, SNS_SUBSCRIPTION_QUEUE } from '../connections/kinds/sns-subscription-queue';
import { compatible, joinGuards, lambdaTargetsIn, writtenAs } from '../connections/lambda-targets';
import { sourceArnOf } from '../connections/source-arn';
import type { SourceArn } from '../connections/types';
import { intrinsicName } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import { resolve, type Guard, type Resolution } from '../template/resolve';

const topicArnOf = compositeArn('sns', 'TopicName');

/** The topic a subscription belongs to: its id (or, outside the template, the subscription's) and its pinned ARN. */
interface Topic {
  source: string;
  sourceArn: SourceArn;
  when: Guard[];
}

/** The topic's ARN built from its TopicName when known (it never refers to the topic), else `Ref` to it. */
function topicArn(ctx: RuleContext, topic: string): SourceArn {
  const named = sourceArnOf(ctx.model, topic);
  if (named?.pinned) return { ...named, exact: false };
  return { pinned: true, arn: { Ref: topic }, exact: false, spellings: [{ Ref: topic }, { 'Fn::GetAtt': [topic, 'TopicArn'] }] };
}

function topicsOf(ctx: RuleContext, sub: ResourceView): Topic[] {
  const out: Topic[] = [];
  for (const r of resolve(sub.properties.TopicArn, ctx.model)) {
    if (r.kind === 'no-value') continue;
    let id: string | undefined;
    if (r.kind === 'resource') {
      if (ctx.model.type(r.id) !== 'AWS::SNS::Topic') {
        ctx.finding(sub.id, 'Properties.TopicArn', 'warning', `names ${r.id}, a ${ctx.model.type(r.id)}, not an AWS::SNS::Topic`);
        continue;
      }
      if (r.attribute !== undefined && r.attribute !== 'TopicArn') ctx.finding(sub.id, 'Properties.TopicArn', 'warning', `${r.id}.${r.attribute} is not the topic's ARN: use !Ref ${r.id}`);
      id = r.id;
    } else if (r.kind === 'composite') {
      const named = topicArnOf(r.text);
      if (named !== undefined && ctx.model.type(named) === 'AWS::SNS::Topic') id = named;
    }
    if (id !== undefined) {
      out.push({ source: id, sourceArn: topicArn(ctx, id), when: r.when });
      continue;
    }
    const value: Json = r.kind === 'parameter' ? { Ref: r.name } : r.kind === 'literal' ? String(r.value) : r.kind === 'composite' ? { 'Fn::Sub': r.text } : null;
    if (value === null) {
      ctx.finding(sub.id, 'Properties.TopicArn', 'info', 'is computed at deploy time, so the grants of this subscription cannot be pinned to its topic: none were added');
      continue;
    }
    out.push({ source: sub.id, sourceArn: { pinned: true, arn: value, exact: false, spellings: [value] }, when: r.when });
  }
  return out;
}

/** One subscription entry: its protocol and endpoint values, where they are written. */
interface Entry {
  protocolPath: string;
  endpointPath: string;
  protocol: Json | undefined;
  endpoint: Json | undefined;
  when: Guard[];
}

function protocolsOf(ctx: RuleContext, owner: string, e: Entry): Array<{ protocol: string; when: Guard[] }> {
  const out: Array<{ protocol: string; when: Guard[] }> = [];
  for (const r of resolve(e.protocol, ctx.model, e.when)) {
    const value = r.kind === 'literal' ? String(r.value) : r.kind === 'parameter' ? r.value : undefined;
    if (r.kind === 'no-value') continue;
    if (value === undefined) {
      ctx.finding(owner, e.protocolPath, 'info', 'is known only at deploy time: if it is lambda or sqs, the endpoint must already let sns.amazonaws.com deliver to it');
      continue;
    }
    out.push({ protocol: value.toLowerCase(), when: r.when });
  }
  return out;
}

function connect(ctx: RuleContext, owner: string, topic: Topic, e: Entry): void {
  const model = ctx.model;
  for (const p of protocolsOf(ctx, owner, e)) {
    if (p.protocol !== 'lambda' && p.protocol !== 'sqs') continue;
    if (!compatible(p.when, topic.when)) continue;
    const values = resolve(e.endpoint, model, joinGuards(topic.when, p.when))
      .filter((r) => compatible(r.when, p.when) && compatible(r.when, topic.when))
      .map((resolution) => ({ path: e.endpointPath, resolution }));
    const kind = p.protocol === 'lambda' ? SNS_SUBSCRIPTION_FUNCTION : SNS_SUBSCRIPTION_QUEUE;
    const { found, external } =
      p.protocol === 'lambda'
        ? lambdaTargetsIn(ctx, owner, values, 'SNS')
        : destinationsIn(ctx, owner, values, {
            type: 'AWS::SQS::Queue',
            arnForm: (r) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the queue's URL` : `${r.id}.${r.attribute} is not the queue's ARN`}, but an sqs subscription's Endpoint is the queue's ARN: use !GetAtt ${r.id}.Arn`),
            compositeArn: compositeArn('sqs', 'QueueName'),
          });
    for (const x of external) reportExternal(ctx, owner, kind.id, topic.source, x.path, x.resolution, p.protocol);
    for (const f of found) {
      const c = { kind: kind.id, rule: 'SNS-001', source: topic.source, destination: f.id, path: f.path, principal: SNS_PRINCIPAL, sourceArn: topic.sourceArn, when: joinGuards(f.when, p.when, topic.when) };
      if (kind === SNS_SUBSCRIPTION_QUEUE && model.get(f.id, ['Properties', 'KmsMasterKeyId']) !== undefined && keyNeedsPattern(c, ctx) && !ctx.skips(f.id)) {
        ctx.finding(
          topic.source,
          'Properties.TopicName',
          'warning',
          `${topic.source} refers to ${f.id} and ${f.id} to its key, so the key statement cannot refer to ${topic.source}: it lets SNS use the key for every topic of this account and Region (aws:SourceArn pattern)`,
          `give ${topic.source} a TopicName built from literals, parameters and pseudo parameters so the key statement can name it`,
        );
      }
      applyConnection(ctx, kind, c);
    }
  }
}

function reportExternal(ctx: RuleContext, owner: string, kind: string, source: string, path: string, r: Resolution, protocol: string): void {
  const noun = protocol === 'lambda' ? 'function' : 'queue';
  ctx.finding(owner, path, 'info', `names a ${noun} outside this template: its ${protocol === 'lambda' ? 'resource policy' : 'queue policy'} must already let sns.amazonaws.com deliver to it`);
  recordConnection(ctx, { rule: 'SNS-001', kind, source, destination: writtenAs(r), principal: SNS_PRINCIPAL }, 'skipped', [], `the ${noun} is outside this template`);
}

function fromSubscription(sub: ResourceView, ctx: RuleContext): void {
  const own: Guard[] = sub.condition !== undefined ? [{ condition: sub.condition, holds: true }] : [];
  for (const topic of topicsOf(ctx, sub)) {
    connect(ctx, sub.id, { ...topic, when: joinGuards(topic.when, own) }, { protocolPath: 'Properties.Protocol', endpointPath: 'Properties.Endpoint', protocol: sub.properties.Protocol, endpoint: sub.properties.Endpoint, when: [] });
  }
}

function fromTopic(topic: ResourceView, ctx: RuleContext): void {
  const list = topic.properties.Subscription;
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    ctx.finding(topic.id, 'Properties.Subscription', 'info', 'is computed at deploy time, so the endpoints it subscribes cannot be checked here');
    return;
  }
  const source: Topic = { source: topic.id, sourceArn: topicArn(ctx, topic.id), when: [] };
  list.forEach((entry, i) => {
    if (!isObject(entry) || intrinsicName(entry) !== undefined) {
      ctx.finding(topic.id, `Properties.Subscription[${i}]`, 'info', 'is computed at deploy time, so its endpoint cannot be checked here');
      return;
    }
    connect(ctx, topic.id, source, { protocolPath: `Properties.Subscription[${i}].Protocol`, endpointPath: `Properties.Subscription[${i}].Endpoint`, protocol: entry.Protocol, endpoint: entry.Endpoint, when: [] });
  });
}

export const snsSubscriptions: Rule = {
  id: 'SNS-001',
  title: 'Let SNS deliver to the functions and queues its subscriptions name',
  rationale:
    'CloudFormation creates lambda and sqs subscriptions without checking that SNS may deliver: without a Lambda permission for sns.amazonaws.com, or a queue policy statement (and a key statement for a queue encrypted with a customer managed key), every message fails silently. The function gets a permission pinned to the topic by SourceArn, the queue and its key a statement pinned by aws:SourceArn, unless one already allows it.',
  resourceTypes: ['AWS::SNS::Subscription', 'AWS::SNS::Topic'],
  changes: ['AWS::Lambda::Permission', 'AWS::SQS::QueuePolicy', 'AWS::SQS::QueueInlinePolicy Properties.PolicyDocument', 'AWS::KMS::Key Properties.KeyPolicy'],
  references: [
    ...SNS_SUBSCRIPTION_FUNCTION.references,
    ...SNS_SUBSCRIPTION_QUEUE.references,
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html (Endpoint: the ARN of the function or queue)',
  ],
  apply(resource, ctx) {
    if (resource.type === 'AWS::SNS::Subscription') fromSubscription(resource, ctx);
    else fromTopic(resource, ctx);
  },
};
