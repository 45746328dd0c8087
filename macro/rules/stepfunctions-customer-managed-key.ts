/**
 * SFN-002: a state machine encrypted with a customer managed key of the template has a role that
 * may use the key for it, and, when it logs, a key that lets log delivery decrypt.
 *
 * With `EncryptionConfiguration.Type: CUSTOMER_MANAGED_KMS_KEY`, Step Functions calls KMS with the
 * state machine's role; without `kms:Decrypt` and `kms:GenerateDataKey` the state machine cannot
 * start executions (and CreateStateMachine checks the key), and without the log-delivery grants
 * its logs are not written. Followed: Step Functions Developer Guide "Data at rest encryption"
 * (the role's key permissions scoped by `kms:EncryptionContext:aws:states:stateMachineArn`; for
 * logs, `kms:GenerateDataKey` scoped by `kms:EncryptionContext:SourceArn`
 * `arn:<p>:logs:<region>:<account>:*` and the key statement for `delivery.logs.amazonaws.com`) and
 * aws-cdk-lib `aws-stepfunctions/lib/state-machine.ts` (`CustomerManagedEncryptionConfiguration`).
 * The connection is the catalogue's `state-machine-key` kind. SFN-001 (the log delivery actions)
 * is unchanged and independent.
 *
 * Expectations
 * - Skips: no `EncryptionConfiguration`, or `Type: AWS_OWNED_KEY`; a key or role that skips SFN-002.
 * - Already compliant: the role's policies hold statements allowing the actions on the key for
 *   this state machine's encryption context (by any policy name, narrower or pattern conditions
 *   that match included), and the key's policy lets delivery.logs.amazonaws.com decrypt.
 * - Fixes: adds the role statements to the role's inline policy `StepFunctionsKey` (the state
 *   machine refers to the role, so CloudFormation orders them first) and the key statement to a
 *   key of the template. The state machine's ARN is built from `StateMachineName`, never a
 *   reference to the state machine (which refers to the role: a cycle).
 * - Reports: a state machine without `StateMachineName` (the condition matches this Region's
 *   state machines: a warning saying how to pin it), a role outside the template, a key outside the
 *   template (the role needs its permissions on it; the KMS preflight checks the log delivery
 *   statement).
 */
import type { Rule } from './types';
import { applyConnection } from '../connections/apply';
import { keysOf } from '../connections/keys';
import { machineLogs, STATE_MACHINE_KEY, stateMachineArn } from '../connections/kinds/state-machine-key';
import { isObject } from '../template/json';
import { resolve } from '../template/resolve';

const PATH = 'Properties.EncryptionConfiguration';

export const stepFunctionsCustomerManagedKey: Rule = {
  id: 'SFN-002',
  title: 'Let state machines use their customer managed key',
  rationale:
    "A state machine encrypted with a customer managed key uses the key through its own role, and its log delivery needs the key too; without the grants executions and logs fail. The role gets kms:Decrypt and kms:GenerateDataKey scoped to this state machine's encryption context (and kms:GenerateDataKey for log delivery), and the key lets delivery.logs.amazonaws.com decrypt, unless they are already there.",
  resourceTypes: ['AWS::StepFunctions::StateMachine'],
  changes: ['AWS::IAM::Role Properties.Policies', 'AWS::IAM::Policy Properties.PolicyDocument', 'AWS::IAM::ManagedPolicy Properties.PolicyDocument', 'AWS::KMS::Key Properties.KeyPolicy', 'AWS::StepFunctions::StateMachine DependsOn'],
  references: STATE_MACHINE_KEY.references,
  apply(machine, ctx) {
    const config = machine.properties.EncryptionConfiguration;
    if (!isObject(config)) return;
    const types = resolve(config.Type, ctx.model);
    if (!types.some((r) => r.kind === 'literal' && r.value === 'CUSTOMER_MANAGED_KMS_KEY')) return;
    const { external } = keysOf(ctx.model, config.KmsKeyId);
    for (const k of external) {
      ctx.finding(machine.id, `${PATH}.KmsKeyId`, 'info', `the key (${k.value ?? `parameter ${k.parameter}`}) is outside this template: the state machine's role needs kms:Decrypt and kms:GenerateDataKey on it${machineLogs(ctx, machine.id) ? ', and its key policy must let delivery.logs.amazonaws.com kms:Decrypt' : ''}`);
    }
    const sm = stateMachineArn(ctx, machine.id);
    const record = applyConnection(ctx, STATE_MACHINE_KEY, { kind: STATE_MACHINE_KEY.id, rule: 'SFN-002', source: machine.id, destination: machine.id, path: PATH, when: [] });
    if (!sm.pinned && record.added.some((l) => l.includes('stateMachineArn'))) {
      ctx.finding(machine.id, 'Properties.StateMachineName', 'warning', `has no StateMachineName to build its ARN from, so its role may use the key for every state machine of this Region (kms:EncryptionContext:aws:states:stateMachineArn …:stateMachine:*)`, `give ${machine.id} a StateMachineName built from literals, parameters and pseudo parameters (e.g. !Sub '\${AWS::StackName}-…')`);
    }
  },
};
