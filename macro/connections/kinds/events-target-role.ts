/**
 * EventBridge rule target reached through the target's `RoleArn` (EVT-001): a Step Functions
 * state machine, a Kinesis data stream, a Firehose stream, or another event bus. EventBridge
 * assumes the role to call the target's API, so the role (when it is a role of the template)
 * trusts `events.amazonaws.com` and may perform exactly that action on exactly that target; the
 * rule is created without any check, and every invocation fails otherwise (`FailedInvocations`).
 */
import { EVENTS_PRINCIPAL } from '../events-rules';
import { nameText } from '../source-arn';
import type { Json } from '../../template/json';
import type { ConnectionKind, Grant } from '../types';

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
    ];
  },
};
