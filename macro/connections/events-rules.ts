/**
 * The ARN of an EventBridge rule, as a grant's `aws:SourceArn` / `SourceArn` names it:
 * `arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/<name>` on the default bus,
 * `…:rule/<bus>/<name>` on a custom bus ("Amazon EventBridge resource types", Service Authorization
 * Reference: `arn:${Partition}:events:${Region}:${Account}:rule/[${EventBusName}/]${RuleName}`).
 * Built from `Name` (and `EventBusName`) when they are known without referring to the rule;
 * otherwise `!GetAtt Rule.Arn`, which is safe for the grants nothing waits for (EventBridge does
 * not check targets' permissions when the rule is created). Key statements carry no source
 * condition (EventBridge's key requests have none), so they never name the rule: `RULE_PATTERN`
 * is there for a kind whose key requests do carry it.
 * Without a Name, CloudFormation generates one ("AWS::Events::Rule": Name, "If you don't specify a
 * name, CloudFormation generates a unique physical ID"), so no ARN can be written in advance.
 */
import { canonicalString } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve } from '../template/resolve';
import { nameText } from './source-arn';
import type { SourceArn } from './types';

export const EVENTS_PRINCIPAL = 'events.amazonaws.com';

/** Every rule of this account and Region, on any bus (`*` in an ARN pattern matches `/`). */
export const RULE_PATTERN: Json = { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*' };

/** The `<bus>/` segment of the rule's ARN as Sub text ('' on the default bus), or undefined when it cannot be written. */
function busSegment(model: TemplateModel, rule: string): string | undefined {
  const bus = model.get(rule, ['Properties', 'EventBusName']);
  if (bus === undefined) return '';
  const rs = resolve(bus, model);
  if (rs.length !== 1) return undefined;
  const r = rs[0];
  if (r.kind === 'literal' && typeof r.value === 'string') {
    if (r.value === 'default') return '';
    if (r.value.startsWith('arn:')) return undefined;
    return `${r.value.replace(/\$\{/g, '${!')}/`;
  }
  if (r.kind === 'parameter') return `\${${r.name}}/`;
  // An AWS::Events::EventBus's Ref and Name are its name.
  if (r.kind === 'resource' && model.type(r.id) === 'AWS::Events::EventBus' && (r.attribute === undefined || r.attribute === 'Name')) {
    const text = canonicalString(bus);
    return isObject(text) && typeof text['Fn::Sub'] === 'string' ? `${text['Fn::Sub']}/` : undefined;
  }
  return undefined;
}

/** The rule's source ARN: name-built and pinned when it can be, else pinned by `GetAtt` (spellings both ways). */
export function ruleArnOf(model: TemplateModel, rule: string): SourceArn {
  const getAtt: Json = { 'Fn::GetAtt': [rule, 'Arn'] };
  const name = nameText(model, rule, 'Name');
  const bus = busSegment(model, rule);
  if (name !== undefined && bus !== undefined) {
    const arn = canonicalString({ 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${bus}${name}` });
    return { pinned: true, arn, exact: false, spellings: [arn, getAtt] };
  }
  return { pinned: true, arn: getAtt, exact: false, spellings: [getAtt] };
}
