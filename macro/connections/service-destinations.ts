/**
 * The grants of a service principal delivering to a queue or topic of the template, said once for
 * the kinds that do it (EventBridge rule targets, alarm actions): the statement in the
 * destination's one policy (`sqs:SendMessage` / `sns:Publish`), pinned by `ArnEquals
 * aws:SourceArn` to the one source, and the key statement when the destination is encrypted with a
 * key of the template (`kms:GenerateDataKey*`, `kms:Decrypt`, same pin).
 *
 * The key statement must not refer to a source that refers to the destination (the rule names
 * its target queue; the queue names its key; a key policy naming the rule by `GetAtt` closes the
 * cycle): then a name-built ARN is used, and without a name the source type's pattern
 * (`keyPattern`), which the rule reports with how to pin it (`keyNeedsPattern`).
 */
import { references } from '../template/intrinsics';
import type { Json } from '../template/json';
import type { RuleContext } from '../rules/types';
import type { KeyService } from '../preflight/kms';
import type { Connection, Grant } from './types';

export interface ServiceDestination {
  principal: string;
  policy: 'queue' | 'topic';
  service: KeyService;
  /** `Events` → Sid `AllowEventsFrom<Source>` */
  sidPrefix: string;
  /** The source's ARN pattern (`arn:…:events:<r>:<a>:rule/*`) for a key statement that cannot name it. */
  keyPattern: Json;
  /** `rule Nightly` */
  label: string;
  /** `every rule of this account and Region`: what the fallback pattern allows. */
  patternLabel: string;
  /**
   * False when the service's key requests carry no `aws:SourceArn` / `aws:SourceAccount` (the SNS
   * guide, "Enable compatibility between event sources from AWS services and encrypted topics":
   * those condition keys are not supported in the key policy for EventBridge-to-encrypted
   * topics): the key statement is then scoped by principal and action only, as aws-cdk-lib
   * writes it for EventBridge (`aws-events-targets/lib/sqs.ts`, `sns.ts`); a condition there
   * would make every delivery fail.
   */
  keySourceConditions: boolean;
}

const SHAPE = {
  queue: {
    action: 'sqs:SendMessage',
    resource: (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] }),
    spellings: (id: string): Json[] => [{ 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${${id}.QueueName}` }],
    managed: /(^|:)alias\/aws\/sqs$/,
  },
  topic: {
    action: 'sns:Publish',
    resource: (id: string): Json => ({ Ref: id }),
    spellings: (id: string): Json[] => [{ 'Fn::GetAtt': [id, 'TopicArn'] }],
    managed: /(^|:)alias\/aws\/sns$/,
  },
} as const;

/** True when the pinned source ARN refers to the source, which refers (maybe through others) to the destination. */
export function keyNeedsPattern(c: Connection, ctx: RuleContext): boolean {
  if (!c.sourceArn?.pinned) return false;
  return references(c.sourceArn.arn).some((r) => r.name === c.source) && ctx.model.reaches(c.source, c.destination);
}

function pin(arn: Json | undefined, pattern: boolean): Record<string, Record<string, Json>> {
  if (arn === undefined) return {};
  return { [pattern ? 'ArnLike' : 'ArnEquals']: { 'aws:SourceArn': arn } };
}

/** The policy and key grants of a delivery from `c.source` to the queue or topic `c.destination`. */
export function serviceDestinationGrants(c: Connection, ctx: RuleContext, d: ServiceDestination): Grant[] {
  const shape = SHAPE[d.policy];
  const src = c.sourceArn;
  const arn = src === undefined ? undefined : src.pinned ? src.arn : src.pattern;
  const isPattern = src !== undefined && !src.pinned;
  const spellings = src?.spellings ?? [];
  const sid = `Allow${d.sidPrefix}From${c.source}`;
  const resource = shape.resource(c.destination);
  const scope = isPattern ? `from ${d.patternLabel} (aws:SourceArn pattern)` : `from ${d.label} only (aws:SourceArn)`;
  const grants: Grant[] = [
    {
      to: 'policy',
      policy: d.policy,
      target: c.destination,
      statement: { Sid: sid, Effect: 'Allow', Principal: { Service: d.principal }, Action: shape.action, Resource: resource, Condition: pin(arn, isPattern) },
      request: { principal: d.principal, actions: [shape.action], resources: [resource, ...shape.spellings(c.destination)], context: { 'aws:SourceArn': isPattern && arn !== undefined ? [...spellings, arn] : spellings } },
      detail: `let ${d.principal} ${shape.action} to ${c.destination} ${scope}`,
    },
  ];
  const key = ctx.model.get(c.destination, ['Properties', 'KmsMasterKeyId']);
  if (key !== undefined) {
    const conditioned = d.keySourceConditions;
    const pattern = conditioned && (isPattern || keyNeedsPattern(c, ctx));
    const keyArn = pattern ? (isPattern ? arn : d.keyPattern) : arn;
    grants.push({
      to: 'key',
      owner: c.destination,
      path: 'Properties.KmsMasterKeyId',
      value: key,
      service: d.service,
      statement: conditioned
        ? { Sid: sid, Effect: 'Allow', Principal: { Service: d.principal }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: pin(keyArn, pattern) }
        : { Sid: `Allow${d.sidPrefix}Delivery`, Effect: 'Allow', Principal: { Service: d.principal }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' },
      request: { principal: d.principal, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], context: conditioned ? { 'aws:SourceArn': keyArn !== undefined ? [...spellings, keyArn] : spellings } : {} },
      detail: `let ${d.principal} kms:GenerateDataKey* and kms:Decrypt for messages to ${c.destination} ${!conditioned ? '(its key requests carry no aws:SourceArn to pin)' : pattern ? `from ${d.patternLabel} (aws:SourceArn pattern)` : `from ${d.label} only (aws:SourceArn)`}`,
      managedAliases: shape.managed,
    });
  }
  return grants;
}
