/**
 * EventBridge rule target reached through the target's `RoleArn` (EVT-001): a Step Functions
 * state machine, a Kinesis data stream, a Firehose stream, or another event bus. EventBridge
 * assumes the role to call the target's API, so the role (when it is a role of the template)
 * trusts `events.amazonaws.com` and may perform exactly that action on exactly that target; the
 * rule is created without any check, and every invocation fails otherwise (`FailedInvocations`).
 * A Kinesis stream encrypted with a key of the template also needs `kms:GenerateDataKey` on that
 * key for the same role (`streamKeyGrants` below).
 */
import { EVENTS_PRINCIPAL } from '../events-rules';
import { keysOf } from '../keys';
import { nameText } from '../source-arn';
import { isObject, type Json, type JsonObject } from '../../template/json';
import { resolve } from '../../template/resolve';
import type { RuleContext } from '../../rules/types';
import type { Connection, ConnectionKind, Grant } from '../types';

/** What the role must be allowed on each target type, and how the target's ARN is written. */
export interface RoleTarget {
  actions: string[];
  arn: (id: string) => Json;
  spellings: (id: string) => Json[];
  /** The name property and the ARN around it, for the name-built spelling (a policy on `…:stateMachine:app-*` then counts). */
  name: { property: string; template: string };
}

export const ROLE_TARGETS: Record<string, RoleTarget> = {
  'AWS::StepFunctions::StateMachine': {
    actions: ['states:StartExecution'],
    arn: (id) => ({ Ref: id }),
    spellings: (id): Json[] => [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:\${${id}.Name}` }],
    name: { property: 'StateMachineName', template: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:{name}' },
  },
  'AWS::Kinesis::Stream': {
    actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
    arn: (id) => ({ 'Fn::GetAtt': [id, 'Arn'] }),
    spellings: (id) => [{ 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/\${${id}}` }],
    name: { property: 'Name', template: 'arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/{name}' },
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    arn: (id) => ({ 'Fn::GetAtt': [id, 'Arn'] }),
    spellings: (id) => [{ 'Fn::Sub': `arn:\${AWS::Partition}:firehose:\${AWS::Region}:\${AWS::AccountId}:deliverystream/\${${id}}` }],
    name: { property: 'DeliveryStreamName', template: 'arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/{name}' },
  },
  'AWS::Events::EventBus': {
    actions: ['events:PutEvents'],
    arn: (id) => ({ 'Fn::GetAtt': [id, 'Arn'] }),
    spellings: (id) => [{ 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/\${${id}}` }],
    name: { property: 'Name', template: 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/{name}' },
  },
};

export const EVENTS_TARGET_ROLE: ConnectionKind = {
  id: 'events-target-role',
  rule: 'EVT-001',
  principal: EVENTS_PRINCIPAL,
  title: 'EventBridge rule target through its role → state machine, stream, Firehose stream, event bus',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html (Using identity-based policies: for targets such as Step Functions, Kinesis and other buses EventBridge uses the IAM role named in the target, which trusts events.amazonaws.com)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-events-rule-target.html (RoleArn: the role EventBridge uses for the target when the rule is triggered)',
    'aws-cdk-lib/aws-events-targets/lib/state-machine.ts (machine.grantStartExecution(role)), kinesis-stream.ts (stream.grantWrite(role)), kinesis-firehose-stream.ts (firehose:PutRecord, firehose:PutRecordBatch), event-bus.ts (events:PutEvents), util.ts (singletonEventRole: a role trusting events.amazonaws.com)',
    'https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html (Permissions to use user-generated KMS keys: "Your Kinesis stream producers must have the kms:GenerateDataKey permission"; the default service key needs no custom IAM permissions)',
    'aws-cdk-lib/aws-kinesis/lib/stream.ts (grantWrite: this.encryptionKey?.grantEncrypt(grantee), i.e. kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey* in aws-kms/lib/key.ts)',
  ],
  grants(c, ctx): Grant[] {
    const shape = ROLE_TARGETS[ctx.model.type(c.destination) ?? ''];
    if (shape === undefined) return [];
    const arn = shape.arn(c.destination);
    const name = nameText(ctx.model, c.destination, shape.name.property);
    const named: Json[] = name === undefined ? [] : [{ 'Fn::Sub': shape.name.template.replace('{name}', name) }];
    const index = /Targets\[(\d+)\]/.exec(c.path)?.[1] ?? '0';
    const rolePath = `Properties.Targets[${index}].RoleArn`;
    const targets = ctx.model.get(c.source, ['Properties', 'Targets']);
    const entry = Array.isArray(targets) ? targets[Number(index)] : undefined;
    const value = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, Json>).RoleArn : undefined;
    return [
      {
        to: 'role',
        owner: c.source,
        path: rolePath,
        value,
        statement: { Effect: 'Allow', Action: shape.actions.length === 1 ? shape.actions[0] : [...shape.actions], Resource: arn },
        request: { actions: shape.actions, resources: [arn, ...shape.spellings(c.destination), ...named] },
        policyName: 'EventBridgeTargets',
        trust: EVENTS_PRINCIPAL,
        detail: `let EventBridge ${shape.actions.join(' and ')} on ${c.destination} for rule ${c.source}`,
      },
      ...streamKeyGrants(c, ctx, rolePath, value),
    ];
  },
};

/**
 * A Kinesis stream encrypted with a key of the template (`StreamEncryption.KeyId`, aliases and
 * `Fn::If` branches followed): the role that puts the records also needs `kms:GenerateDataKey` on
 * that key ("Permissions to use user-generated KMS keys", Kinesis Data Streams Developer Guide:
 * "Your Kinesis stream producers must have the kms:GenerateDataKey permission"). aws-cdk-lib's
 * `stream.grantWrite` gives the key's `grantEncrypt` (`kms:Encrypt`, `kms:ReEncrypt*`,
 * `kms:GenerateDataKey*`); the producer needs only the one action the guide names, so only that
 * is written (an existing statement with any of CDK's wider actions still counts). The AWS
 * managed key `alias/aws/kinesis` needs no IAM permission (same page); a key outside the template
 * is reported with what the role needs. The key policy must let IAM policies of the account grant
 * its use (the default key policy does): that is not checked here.
 */
function streamKeyGrants(c: Connection, ctx: RuleContext, rolePath: string, value: Json | undefined): Grant[] {
  const model = ctx.model;
  if (model.type(c.destination) !== 'AWS::Kinesis::Stream') return [];
  const encryption = model.get(c.destination, ['Properties', 'StreamEncryption']);
  if (!isObject(encryption) || encryption.KeyId === undefined) return [];
  const keyPath = 'Properties.StreamEncryption.KeyId';
  const { keys, external } = keysOf(model, encryption.KeyId);
  for (const key of external) {
    if (key.value !== undefined && /(^|:)alias\/aws\/kinesis$/.test(key.value)) continue;
    const what = key.value ?? `the key from parameter ${key.parameter ?? '?'}`;
    ctx.finding(c.destination, keyPath, 'info', `is encrypted with ${what}, outside this template: the role that rule ${c.source} gives EventBridge for it needs kms:GenerateDataKey on that key`);
  }
  const roles = resolve(value, model).filter((r) => r.kind === 'resource' && model.type(r.id) === 'AWS::IAM::Role').map((r) => model.condition((r as { id: string }).id));
  const grants: Grant[] = [];
  for (const key of [...new Set(keys.map((k) => k.key))]) {
    if (ctx.skips(key)) continue;
    // The statement goes into the role's policy, unconditionally: the key must exist whenever the
    // rule and the role do, else the policy would name a resource that may not be there.
    const needed = [model.condition(key), ...keys.filter((k) => k.key === key).flatMap((k) => k.when.filter((w) => w.holds).map((w) => w.condition))];
    const holders = [model.condition(c.source), ...roles];
    if (!needed.every((n) => holders.every((h) => model.conditionImplies(h, n)))) {
      ctx.finding(c.destination, keyPath, 'warning', `is encrypted with ${key}, which may not exist whenever rule ${c.source} and its role do, so no statement naming it was added: the role needs kms:GenerateDataKey on ${key} (under that key's condition)`);
      continue;
    }
    const resource: Json = { 'Fn::GetAtt': [key, 'Arn'] };
    const statement: JsonObject = { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: resource };
    grants.push({
      to: 'role',
      owner: c.source,
      path: rolePath,
      value,
      statement,
      request: { actions: ['kms:GenerateDataKey'], resources: [resource, { 'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/\${${key}}` }] },
      policyName: 'EventBridgeTargets',
      detail: `let EventBridge kms:GenerateDataKey on ${key}, which encrypts ${c.destination}, for rule ${c.source}`,
    });
  }
  return grants;
}
