/**
 * SFN-001: a state machine that logs to CloudWatch Logs has a role that may set up log delivery.
 *
 * Step Functions sends execution logs through CloudWatch Logs log delivery, which it configures
 * with the state machine's own role when the state machine is created or updated. Without the
 * eight `logs:` delivery actions the Step Functions developer guide lists ("IAM policies for
 * logging to CloudWatch Logs"), CreateStateMachine fails with "The state machine IAM Role is not
 * authorized to access the Log Destination" (aws-cdk#26432, aws-samples/serverless-patterns#102).
 * aws-cdk-lib's StateMachine grants the same actions on "*" whenever logs have a destination (in
 * the role's default policy, with the state machine depending on the role and that policy).
 * "*" is required, not chosen: the guide grants them on "*"; the five `*LogDelivery` actions act on
 * the account's log deliveries, not on a log group (the Service Authorization Reference lists no
 * resource type for them), and the CloudWatch Logs guide ("Logs sent to CloudWatch Logs") asks for
 * a wildcard Resource on DescribeLogGroups, DescribeResourcePolicies and PutResourcePolicy. None of
 * them reads or writes log events. This is an identity policy on the state machine's own role, not
 * a resource policy: there is no principal to scope with aws:SourceAccount.
 *
 * Expectations
 * - Skips: no `LoggingConfiguration`, or `Level: OFF` (the default when Level is absent). A Level
 *   given by a parameter with an unknown deploy value, or differing between `Fn::If` branches,
 *   counts as logging.
 * - Reports: a `RoleArn` outside the template (a literal ARN, a parameter, an import), or the
 *   attribute of a resource that is not an `AWS::IAM::Role`: the role cannot be checked or edited.
 *   A role whose policies deny one of the actions is reported too: an Allow would not help.
 * - Already compliant: for each action, an Allow on "*" without conditions (wildcards such as
 *   `logs:*` count) in the role's inline `Policies`, or in an `AWS::IAM::Policy`,
 *   `AWS::IAM::ManagedPolicy` or `AWS::IAM::RolePolicy` of the template attached to the role (one
 *   that may not exist when the state machine does, by its Condition, does not count; nor does a
 *   managed policy that `ManagedPolicyArns` attaches in only some `Fn::If` branches). The role's
 *   policies are read by the connection model's `rolePolicies` (`connections/role.ts`). A separate
 *   policy resource is attached after the role is created, so the state machine is then made to
 *   depend on it, unless it already does (a managed policy in the role's ManagedPolicyArns orders
 *   itself before the role).
 * - Fixes: appends an inline policy `StepFunctionsLogDelivery` (or `…TapHardening` when the name
 *   is taken) with the eight actions on "*" to the role's `Policies` (created if absent), in
 *   every `Fn::If` branch's role. Inline, because the state machine already refers to the role,
 *   so CloudFormation orders the grant before it without a new DependsOn; changing `Policies` on
 *   an `AWS::IAM::Role` is an update without interruption. `Ref Role` (a role name) as RoleArn is
 *   a failure: Step Functions needs the ARN.
 */
import type { Rule, RuleContext } from './types';
import { intrinsicName } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve } from '../template/resolve';
import { alternatives } from './shared/apigateway';
import { identityAllows, rolePolicies, type RolePolicySource } from '../connections/role';

/** The actions, in the order of the Step Functions developer guide's example policy. */
const ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const POLICY_NAME = 'StepFunctionsLogDelivery';
const ERROR = '"The state machine IAM Role is not authorized to access the Log Destination"';

/** Why the logging configuration turns logging on (or may), or undefined when it does not. */
function logs(model: TemplateModel, config: Json | undefined): string | undefined {
  let maybe = false;
  for (const alt of alternatives(config)) {
    if (alt === undefined) continue;
    if (!isObject(alt) || intrinsicName(alt) !== undefined) {
      maybe = true;
      continue;
    }
    for (const r of resolve(alt.Level, model)) {
      const known = r.kind === 'literal' ? String(r.value) : r.kind === 'parameter' ? r.value : r.kind === 'no-value' ? 'OFF' : undefined;
      if (known === undefined) maybe = true;
      else if (known.toUpperCase() !== 'OFF') return `logging Level ${known}`;
    }
  }
  return maybe ? 'a logging Level known only at deploy time' : undefined;
}


function grant(): JsonObject {
  return { Sid: 'StepFunctionsLogDelivery', Effect: 'Allow', Action: [...ACTIONS], Resource: '*' };
}

/** Makes sure `role` may set up log delivery for `machine`. */
function ensureGrant(ctx: RuleContext, machine: string, condition: string | undefined, role: string, why: string): void {
  const model = ctx.model;
  const found = rolePolicies(model, role, condition);
  for (const action of ACTIONS) {
    const deny = found.find((s) => s.statements.some((st) => identityAllows(st, action, ['*'], 'Deny')));
    if (deny) {
      ctx.finding(deny.id, deny.id === role ? 'Properties.Policies' : 'Properties.PolicyDocument', 'warning', `denies ${action} to ${role}, which ${machine} needs to log to CloudWatch Logs: creating it fails with ${ERROR}`);
      return;
    }
  }
  const needed = new Set<RolePolicySource>();
  const covered = ACTIONS.every((action) => {
    const source = found.find((s) => s.statements.some((st) => identityAllows(st, action, ['*'])));
    if (source) needed.add(source);
    return source !== undefined;
  });
  // A separate policy is attached after the role exists: the state machine must wait for it,
  // unless that policy refers to the state machine (a cycle), when an inline grant is the way.
  const separate = [...needed].filter((s) => !s.orderedByRole && !model.reaches(machine, s.id));
  const cyclic = separate.find((s) => model.reaches(s.id, machine));
  if (covered && cyclic === undefined) {
    for (const source of separate) ctx.dependsOn(machine, source.id, `it grants ${role} the log-delivery actions, and is attached only after the role is created`);
    return;
  }
  const reason = cyclic === undefined ? why : `${why}; ${cyclic.id} grants them but refers to ${machine}, so ${machine} cannot wait for it`;

  const path = ['Properties', 'Policies'];
  const policies = model.get(role, path);
  if (policies !== undefined && !Array.isArray(policies)) {
    ctx.finding(role, 'Properties.Policies', 'warning', `cannot add the log-delivery actions ${machine} needs: Properties.Policies is computed at deploy time; grant ${ACTIONS.join(', ')} on "*" yourself, else creating ${machine} fails with ${ERROR}`);
    return;
  }
  const used = new Set((policies ?? []).map((p) => (isObject(p) && typeof p.PolicyName === 'string' ? p.PolicyName : '')));
  const name = [POLICY_NAME, `${POLICY_NAME}TapHardening`].find((n) => !used.has(n));
  if (name === undefined) {
    ctx.finding(role, 'Properties.Policies', 'warning', `cannot add the log-delivery actions ${machine} needs: the policy names ${POLICY_NAME} and ${POLICY_NAME}TapHardening are both taken`);
    return;
  }
  const entry: JsonObject = { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: [grant()] } };
  const detail = `${name}: the CloudWatch Logs delivery actions Step Functions needs to log ${machine} (${reason}), on "*": they support no resource-level permissions`;
  if (policies === undefined) ctx.set(role, path, [entry], detail);
  else ctx.set(role, [...path, policies.length], entry, detail);
}

export const stepFunctionsLogDelivery: Rule = {
  id: 'SFN-001',
  title: 'Let state machines that log set up CloudWatch Logs delivery',
  rationale:
    'A state machine with logging turned on configures CloudWatch Logs log delivery with its own role when it is created; without the eight logs: delivery actions from the Step Functions developer guide, creation fails with "The state machine IAM Role is not authorized to access the Log Destination". aws-cdk-lib grants the same actions; here they go inline on the role, so the state machine\'s reference to the role orders the grant first.',
  resourceTypes: ['AWS::StepFunctions::StateMachine'],
  changes: ['AWS::IAM::Role Properties.Policies', 'AWS::StepFunctions::StateMachine DependsOn'],
  references: [
    'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html (IAM policies for logging to CloudWatch Logs)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-stepfunctions-statemachine-loggingconfiguration.html (Level defaults to OFF)',
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html (the *LogDelivery actions have no resource type)',
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html (wildcard Resource for DescribeLogGroups, DescribeResourcePolicies, PutResourcePolicy)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html (Policies: Update requires No interruption)',
    'aws-cdk-lib/aws-stepfunctions/lib/state-machine.ts (buildLoggingConfiguration)',
  ],
  apply(machine, ctx) {
    const model = ctx.model;
    const why = logs(model, machine.properties.LoggingConfiguration);
    if (why === undefined) return;
    const roleArn = machine.properties.RoleArn;
    const roles: string[] = [];
    for (const r of resolve(roleArn, model)) {
      if (r.kind === 'no-value') continue;
      if (r.kind === 'resource' && model.type(r.id) === 'AWS::IAM::Role') {
        if (r.attribute === undefined) ctx.fail(machine.id, 'Properties.RoleArn', `!Ref ${r.id} gives the role's name, but Step Functions needs its ARN: write !GetAtt ${r.id}.Arn`);
        if (r.attribute === 'Arn') roles.push(r.id);
        continue;
      }
      const named = r.kind === 'composite' ? r.references.filter((ref) => ref.attribute === undefined && model.type(ref.name) === 'AWS::IAM::Role').map((ref) => ref.name) : [];
      if (named.length) {
        roles.push(...named);
        continue;
      }
      const what = r.kind === 'parameter' ? `parameter ${r.name}` : r.kind === 'resource' ? `${r.id}.${r.attribute ?? 'Ref'} (not an AWS::IAM::Role)` : r.kind === 'literal' ? String(r.value) : 'computed at deploy time';
      ctx.finding(machine.id, 'Properties.RoleArn', 'info', `the role (${what}) is not in this template, so its permissions cannot be checked: it must allow ${ACTIONS.join(', ')} on "*", else creating the state machine fails with ${ERROR}`);
    }
    for (const role of [...new Set(roles)]) ensureGrant(ctx, machine.id, machine.condition, role, why);
  },
};
