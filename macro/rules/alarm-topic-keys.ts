/**
 * CW-001: a CloudWatch alarm that notifies an SNS topic encrypted with a key of the template may
 * use that key.
 *
 * CloudWatch publishes an alarm's notifications as `cloudwatch.amazonaws.com`; to an encrypted
 * topic it needs `kms:GenerateDataKey*` and `kms:Decrypt` on the topic's key ("Enable
 * compatibility between event sources from AWS services and encrypted topics", SNS Developer
 * Guide). CloudFormation creates the alarm without checking, and every action then fails, seen
 * only in the alarm's history. The connection is the catalogue's `alarm-topic-key` kind: the
 * key statement for `cloudwatch.amazonaws.com`, `StringEquals aws:SourceAccount` and `ArnLike
 * aws:SourceArn` the alarm, built from `AlarmName`
 * (`arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:<name>`) because the
 * alarm refers to the topic and the topic to its key (a `GetAtt` on the alarm would close the
 * cycle); without an AlarmName, the account's alarms in this Region, reported as a warning with
 * the fix. A key outside the template goes to the KMS preflight; `alias/aws/sns` is a finding.
 * No DependsOn: CloudWatch does not validate actions' keys at create time.
 *
 * Expectations
 * - Finds: `AlarmActions`, `OKActions`, `InsufficientDataActions` of `AWS::CloudWatch::Alarm` and
 *   `AWS::CloudWatch::CompositeAlarm`, each entry `Ref` to a topic, `GetAtt TopicArn`, or a Sub/Join
 *   ARN ending in `${Topic.TopicName}`, every `Fn::If` branch followed.
 * - Skips: topics without `KmsMasterKeyId`, topics outside the template (recorded as skipped),
 *   other actions (EC2, Auto Scaling, Systems Manager), a list computed at deploy time
 *   (reported), a topic or key that skips CW-001.
 * - Already compliant: a key statement that allows this alarm's request (any Sid; a pattern such
 *   as `alarm:app-*` matching its name; no condition at all): nothing is added.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { compositeArn, destinationsIn } from '../connections/discover';
import { ALARM_ARN, ALARM_TOPIC_KEY, CLOUDWATCH_PRINCIPAL } from '../connections/kinds/alarm-topic-key';
import { writtenAs } from '../connections/lambda-targets';
import { sourceArnOf } from '../connections/source-arn';
import { resolve, type Resolution } from '../template/resolve';

const LISTS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;

const TOPIC_SPEC = {
  type: 'AWS::SNS::Topic',
  arnForm: (r: Extract<Resolution, { kind: 'resource' }>) => (r.attribute === undefined || r.attribute === 'TopicArn' ? undefined : `${r.id}.${r.attribute} is not the topic's ARN: use !Ref ${r.id}`),
  compositeArn: compositeArn('sns', 'TopicName'),
};

function isTopicLike(ctx: RuleContext, r: Resolution): boolean {
  if (r.kind === 'resource') return ctx.model.type(r.id) === 'AWS::SNS::Topic';
  if (r.kind === 'composite') return r.text.includes(':sns:');
  if (r.kind === 'literal') return String(r.value).includes(':sns:');
  return r.kind === 'parameter';
}

function alarm(a: ResourceView, ctx: RuleContext): void {
  const values: Array<{ path: string; resolution: Resolution }> = [];
  for (const list of LISTS) {
    const entries = a.properties[list];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) {
      ctx.finding(a.id, `Properties.${list}`, 'info', 'is computed at deploy time, so the topics it notifies cannot be checked here');
      continue;
    }
    entries.forEach((entry, i) => {
      for (const resolution of resolve(entry, ctx.model)) if (resolution.kind !== 'no-value' && isTopicLike(ctx, resolution)) values.push({ path: `Properties.${list}[${i}]`, resolution });
    });
  }
  if (!values.length) return;
  const { found, external } = destinationsIn(ctx, a.id, values, TOPIC_SPEC);
  for (const x of external) {
    if (x.resolution.kind === 'parameter' && !(x.resolution.value ?? ':sns:').includes(':sns:')) continue;
    recordConnection(ctx, { rule: 'CW-001', kind: ALARM_TOPIC_KEY.id, source: a.id, destination: writtenAs(x.resolution), principal: CLOUDWATCH_PRINCIPAL }, 'skipped', [], 'the topic is outside this template: its key (if any) must already let cloudwatch.amazonaws.com use it');
  }
  const sourceArn = sourceArnOf(ctx.model, a.id, ALARM_ARN);
  for (const f of found) {
    if (ctx.model.get(f.id, ['Properties', 'KmsMasterKeyId']) === undefined) continue;
    const own = a.condition !== undefined ? [{ condition: a.condition, holds: true }] : [];
    applyConnection(ctx, ALARM_TOPIC_KEY, { kind: ALARM_TOPIC_KEY.id, rule: 'CW-001', source: a.id, destination: f.id, path: f.path, principal: CLOUDWATCH_PRINCIPAL, ...(sourceArn ? { sourceArn } : {}), when: [...f.when, ...own] });
  }
}

export const alarmTopicKeys: Rule = {
  id: 'CW-001',
  title: 'Let CloudWatch alarms use the keys of the encrypted topics they notify',
  rationale:
    'An alarm that notifies an SNS topic encrypted with a customer managed key needs the key to let cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt; CloudFormation creates it without checking, and every notification then fails, seen only in the alarm history. The key gets that statement, pinned to the alarm by aws:SourceArn built from its AlarmName, unless one already allows it.',
  resourceTypes: ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'],
  changes: ['AWS::KMS::Key Properties.KeyPolicy'],
  references: [...ALARM_TOPIC_KEY.references, 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html (AlarmActions, OKActions, InsufficientDataActions: ARNs; AlarmName generated when not given)'],
  apply: alarm,
};
