/**
 * Step Functions state machine → its customer managed key (SFN-002). With
 * `EncryptionConfiguration.Type: CUSTOMER_MANAGED_KMS_KEY`, Step Functions encrypts the definition
 * and execution data with the key on behalf of the state machine's role, so that role needs
 * `kms:Decrypt` and `kms:GenerateDataKey` on the key, scoped by the encryption context
 * `kms:EncryptionContext:aws:states:stateMachineArn` (Step Functions Developer Guide, "Data at
 * rest encryption in Step Functions": the execution role's key permissions; aws-cdk-lib
 * `aws-stepfunctions/lib/state-machine.ts` grants exactly these, with that condition on the state
 * machine's ARN). When the state machine also logs to CloudWatch Logs, the role needs
 * `kms:GenerateDataKey` with `kms:EncryptionContext:SourceArn`
 * `arn:<p>:logs:<region>:<account>:*`, and the key must let `delivery.logs.amazonaws.com`
 * `kms:Decrypt` (the same guide's "Encrypting logs" statements; `state-machine.ts` adds both).
 *
 * The state machine's ARN is built from `StateMachineName` when it is known (the state machine
 * refers to its role, so the role's policy may not refer to the state machine: a cycle); otherwise
 * the condition matches this account's state machines in the Region (`StringLike …:stateMachine:*`),
 * reported with how to pin it.
 */
import type { Json, JsonObject } from '../../template/json';
import { resolve } from '../../template/resolve';
import type { RuleContext } from '../../rules/types';
import { keysOf } from '../keys';
import { DELIVERY_PRINCIPAL } from '../log-delivery';
import { roleAllows } from '../role-conditions';
import type { RoleGrant } from '../role';
import { hasWildcard, nameText } from '../source-arn';
import type { Connection, ConnectionKind, Grant } from '../types';

export const LOGS_SOURCE: Json = { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' };

/** The state machine's ARN from its name (pinned), or the Region's pattern. */
export function stateMachineArn(ctx: RuleContext, machine: string): { arn: Json; pinned: boolean; exact: boolean } {
  const name = nameText(ctx.model, machine, 'StateMachineName');
  if (name === undefined) return { arn: { 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*' }, pinned: false, exact: false };
  return { arn: { 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}` }, pinned: true, exact: hasWildcard(ctx.model, name) };
}

/** The roles of the template `RoleArn` names. */
export function machineRoles(ctx: RuleContext, machine: string): string[] {
  return [...new Set(resolve(ctx.model.get(machine, ['Properties', 'RoleArn']), ctx.model).flatMap((r) => (r.kind === 'resource' && ctx.model.type(r.id) === 'AWS::IAM::Role' ? [r.id] : [])))];
}

/** Whether the state machine sends logs (a Level other than OFF, or one known only at deploy time). */
export function machineLogs(ctx: RuleContext, machine: string): boolean {
  const level = ctx.model.get(machine, ['Properties', 'LoggingConfiguration', 'Level']);
  if (level === undefined) return false;
  return resolve(level, ctx.model).some((r) => !(r.kind === 'literal' && String(r.value).toUpperCase() === 'OFF') && r.kind !== 'no-value' && !(r.kind === 'parameter' && r.value?.toUpperCase() === 'OFF'));
}

function grants(c: Connection, ctx: RuleContext): Grant[] {
  const model = ctx.model;
  const value = model.get(c.source, ['Properties', 'EncryptionConfiguration', 'KmsKeyId']);
  const roleValue = model.get(c.source, ['Properties', 'RoleArn']);
  const roles = machineRoles(ctx, c.source);
  const sm = stateMachineArn(ctx, c.source);
  const op = sm.pinned ? 'StringEquals' : 'StringLike';
  const named = [...new Set(keysOf(model, value).keys.map((k) => k.key))];
  const keys = named.filter((k) => roles.every((r) => model.conditionImplies(model.condition(r), model.condition(k))));
  for (const k of named.filter((x) => !keys.includes(x))) {
    ctx.finding(c.source, 'Properties.EncryptionConfiguration.KmsKeyId', 'warning', `${k} has Condition ${model.condition(k)}, which the role's condition does not imply, so the role was not given kms:Decrypt and kms:GenerateDataKey on it (a reference to ${k} would fail when it is absent)`, `give the role the same Condition as ${k}, or a separate policy under it`);
  }
  const out: Grant[] = [];
  const logs = machineLogs(ctx, c.source);
  const condition = model.condition(c.source);
  for (const key of keys) {
    const keyArn: Json = { 'Fn::GetAtt': [key, 'Arn'] };
    const resources = [keyArn, { Ref: key }];
    const base = { to: 'role' as const, owner: c.source, path: 'Properties.RoleArn', value: roleValue, caller: c.source, policyName: 'StepFunctionsKey' };
    const smContext = { 'kms:EncryptionContext:aws:states:stateMachineArn': [sm.arn] };
    const actions = ['kms:Decrypt', 'kms:GenerateDataKey'];
    if (roles.length === 0 || !roles.every((r) => roleAllows(model, r, condition, actions, resources, smContext))) {
      out.push({
        ...base,
        statement: { Effect: 'Allow', Action: actions, Resource: keyArn, Condition: { [op]: { 'kms:EncryptionContext:aws:states:stateMachineArn': sm.arn } } },
        request: { actions, resources },
        detail: `let the role of ${c.source} kms:Decrypt and kms:GenerateDataKey with ${key} for ${sm.pinned ? `${c.source} only` : "this Region's state machines"} (kms:EncryptionContext:aws:states:stateMachineArn)`,
      } satisfies RoleGrant);
    }
    if (!logs) continue;
    const logContext = { 'kms:EncryptionContext:SourceArn': [LOGS_SOURCE] };
    if (roles.length === 0 || !roles.every((r) => roleAllows(model, r, condition, ['kms:GenerateDataKey'], resources, logContext))) {
      out.push({
        ...base,
        statement: { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn, Condition: { StringEquals: { 'kms:EncryptionContext:SourceArn': LOGS_SOURCE } } },
        request: { actions: ['kms:GenerateDataKey'], resources },
        detail: `let the role of ${c.source} kms:GenerateDataKey with ${key} for its log delivery (kms:EncryptionContext:SourceArn this account's CloudWatch Logs)`,
      } satisfies RoleGrant);
    }
  }
  if (logs && value !== undefined) {
    const statement: JsonObject = { Sid: 'AllowStepFunctionsLogDelivery', Effect: 'Allow', Principal: { Service: DELIVERY_PRINCIPAL }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:SourceArn': LOGS_SOURCE } } };
    out.push({
      to: 'key',
      owner: c.source,
      path: 'Properties.EncryptionConfiguration.KmsKeyId',
      value,
      service: 'delivery',
      statement,
      request: { principal: DELIVERY_PRINCIPAL, actions: ['kms:Decrypt'], resources: ['*'], context: { 'kms:EncryptionContext:SourceArn': [LOGS_SOURCE] } },
      detail: `let delivery.logs.amazonaws.com kms:Decrypt the log data of ${c.source} (kms:EncryptionContext:SourceArn this account's CloudWatch Logs)`,
    });
  }
  return out;
}

export const STATE_MACHINE_KEY: ConnectionKind = {
  id: 'state-machine-key',
  rule: 'SFN-002',
  title: 'Step Functions state machine → its customer managed key (role grants, log delivery key statement)',
  references: [
    'https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html (Data at rest encryption: the execution role needs kms:Decrypt and kms:GenerateDataKey with kms:EncryptionContext:aws:states:stateMachineArn; for logs, kms:GenerateDataKey with kms:EncryptionContext:SourceArn arn:aws:logs:<region>:<account>:* and the key statement for delivery.logs.amazonaws.com)',
    'aws-cdk-lib/aws-stepfunctions/lib/state-machine.ts (CustomerManagedEncryptionConfiguration: the role statements with those conditions and the delivery.logs.amazonaws.com key statement)',
  ],
  grants,
};
