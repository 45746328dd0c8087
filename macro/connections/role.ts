/**
 * The caller's half of a connection: a role of the template that a service assumes to act
 * (a trail's CloudWatch Logs role, an event source mapping's function role, a rule target's
 * `RoleArn`) must allow the actions on the destination, and trust that service.
 *
 * "Covers": an Allow without conditions in the role's inline `Policies`, in an `AWS::IAM::Policy`,
 * `AWS::IAM::ManagedPolicy` or `AWS::IAM::RolePolicy` of the template attached to it (one that may
 * not exist whenever the connection does, by its Condition, does not count), or in an AWS managed
 * policy of `MANAGED_POLICIES` in its `ManagedPolicyArns`, for every action on one spelling of the
 * resource (wildcards in actions and resources honoured: `logs:*`, `arn:…:log-group:app-*`). A
 * managed policy counts only when `ManagedPolicyArns` attaches it in every `Fn::If` branch. An
 * Allow with conditions is not known to hold for the service's request, so it does not count
 * (the statement is added beside it, which grants no more than the connection). A Deny there
 * that matches is a finding: an Allow would not help. `rolePolicies` is the one reader of a
 * role's policies (SFN-001 and the state machine key grant read through it too).
 *
 * Trust: a trust statement for the service without conditions counts; one with conditions counts
 * only when the kind gives the request context the service sends (`RoleTrust.context`, e.g.
 * CloudTrail's `aws:SourceArn` / `aws:SourceAccount`) and they hold for it, so a narrower trust
 * already there is never widened (DESIGN.md invariant 7).
 *
 * Fixes: the statement goes into the role's inline policy `policyName` (appended to it when
 * present, else a new `Policies` entry: changing `Policies` on an `AWS::IAM::Role` is an update
 * without interruption, and the caller's reference to the role orders the grant first), or into
 * an `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` of the template named `policyName` that is
 * already attached to the role (the caller then waits for that policy). The trust requirement
 * adds the service principal to the role's `AssumeRolePolicyDocument` (widening who may assume a
 * role of this template to the service the template connects is what the connection needs); a
 * trust policy computed by an intrinsic is a finding. A role outside the template (parameter,
 * literal ARN, import) is a finding naming what it needs.
 *
 * Sources: "AWS::IAM::Role" (CloudFormation template reference: Policies, AssumeRolePolicyDocument
 * — Update requires No interruption), "Policy evaluation logic" (IAM User Guide: an explicit Deny
 * overrides any Allow); aws-cdk-lib/aws-iam/lib/role.ts (`addToPrincipalPolicy` writes the
 * statement into the role's one DefaultPolicy) and aws-iam/lib/grant.ts (`Grant.addToPrincipal`).
 */
import { canonicalString, intrinsicName } from '../template/intrinsics';
import { canonical, isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve } from '../template/resolve';
import { wildcardMatch } from '../template/statements';
import type { RuleContext } from '../rules/types';
import type { GrantTally } from './permission';
import { trustAllows } from './covers';
import type { Connection, Request } from './types';

/**
 * AWS managed policies known to grant actions, with what they grant (on `*`), as their current
 * policy versions say (AWS Managed Policy Reference Guide pages of the same names).
 */
export const MANAGED_POLICIES: Record<string, string[]> = {
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
  'service-role/AWSLambdaBasicExecutionRole': ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaSQSQueueExecutionRole.html
  'service-role/AWSLambdaSQSQueueExecutionRole': ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaKinesisExecutionRole.html
  'service-role/AWSLambdaKinesisExecutionRole': [
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:ListStreams',
    'kinesis:SubscribeToShard',
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ],
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaDynamoDBExecutionRole.html
  'service-role/AWSLambdaDynamoDBExecutionRole': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
};

/** Permissions for a role of the template that acts for the connection. */
export interface RoleGrant {
  to: 'role';
  /** The resource whose property names the role, and where (`Trail`, `Properties.CloudWatchLogsRoleArn`). */
  owner: string;
  path: string;
  /** The property's value (`!GetAtt TrailLogsRole.Arn`, every `Fn::If` branch followed). */
  value: Json | undefined;
  /** The identity statement to add: `Effect`, `Action`, `Resource` (no Principal). */
  statement: JsonObject;
  /** The actions, and every spelling of the one resource they are on, for judging existing policies. */
  request: { actions: string[]; resources: Json[] };
  /** Deterministic inline policy name (`CloudTrailLogsDelivery`). */
  policyName: string;
  /** The service principal the role must trust (`cloudtrail.amazonaws.com`), when it must; see `RoleTrust`. */
  trust?: string | RoleTrust;
  /** The resource the service validates with the role at create time (the trail), when a separate policy must come first. */
  caller?: string;
  detail: string;
}

/**
 * The trust half, when a kind says more than the service: `context` is the request context the
 * service documents for its `sts:AssumeRole` call (`trailContext`), so a trust statement whose
 * conditions hold for it counts (a narrower trust is never widened beside it); without `context`
 * only a trust statement without conditions counts. `sid` and `detail` name the statement added.
 */
export interface RoleTrust {
  service: string;
  context?: Request['context'];
  sid?: string;
  detail?: string;
}

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: Json): string | undefined {
  const c = canonicalString(value);
  if (typeof c === 'string') return c;
  return isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : undefined;
}

/** The statements of a policy document; none when the document is computed by an intrinsic. */
export function statementsOf(document: Json | undefined): Json[] {
  if (!isObject(document) || intrinsicName(document) !== undefined) return [];
  return list(document.Statement);
}

/** True when a value names the role: refers to it, or is the same expression as its RoleName. */
export function namesRole(model: TemplateModel, value: Json | undefined, role: string): boolean {
  if (resolve(value, model).some((r) => r.kind === 'resource' && r.id === role)) return true;
  // The same expression as the role's RoleName names it too (`!Sub '${AWS::StackName}-logs'` in both).
  const name = model.get(role, ['Properties', 'RoleName']);
  return name !== undefined && value !== undefined && canonical(canonicalString(value)) === canonical(canonicalString(name));
}

/** One place the role's permissions come from. */
export interface RolePolicySource {
  id: string;
  statements: Json[];
  /** The role itself, or a managed policy in its ManagedPolicyArns: CloudFormation orders it before the role. */
  orderedByRole: boolean;
  /** The PolicyName / ManagedPolicyName of a separate policy resource. */
  name?: string;
}

/** The AWS managed policy an ARN names (`service-role/AWSLambdaSQSQueueExecutionRole`), if it is in the table. */
export function managedPolicyName(value: Json): string | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const m = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::aws:policy\/(.+)$/.exec(t);
  return m && MANAGED_POLICIES[m[1]] !== undefined ? m[1] : undefined;
}

/** The lists `ManagedPolicyArns` may take, one per `Fn::If` branch (NoValue: none); undefined when one is computed otherwise. */
function arnLists(value: Json | undefined): Json[][] | undefined {
  if (value === undefined) return [[]];
  if (Array.isArray(value)) return [value];
  if (isObject(value) && intrinsicName(value) === 'Fn::If') {
    const arg = value['Fn::If'];
    if (!Array.isArray(arg) || arg.length !== 3) return undefined;
    const a = arnLists(arg[1]);
    const b = arnLists(arg[2]);
    return a && b ? [...a, ...b] : undefined;
  }
  if (isObject(value) && value.Ref === 'AWS::NoValue') return [[]];
  return undefined;
}

/**
 * The AWS managed policies (of `MANAGED_POLICIES`) and the managed policies of the template that
 * `ManagedPolicyArns` attaches whichever way its `Fn::If`s go: one attached in a single branch
 * (or by an entry's own `Fn::If`) may be missing when the connection exists, so it does not count.
 */
function managedPoliciesOf(model: TemplateModel, role: string): { managed: string[]; attached: Set<string> } {
  const lists = arnLists(model.get(role, ['Properties', 'ManagedPolicyArns']));
  if (lists === undefined) return { managed: [], attached: new Set() };
  const per = lists.map((arns) => {
    const managed = new Set<string>();
    const attached = new Set<string>();
    for (const arn of arns) {
      const name = managedPolicyName(arn);
      if (name !== undefined) managed.add(name);
      for (const r of resolve(arn, model)) if (r.kind === 'resource' && r.when.length === 0) attached.add(r.id);
    }
    return { managed, attached };
  });
  const [first, ...rest] = per;
  return {
    managed: [...first.managed].filter((m) => rest.every((p) => p.managed.has(m))),
    attached: new Set([...first.attached].filter((a) => rest.every((p) => p.attached.has(a)))),
  };
}

/** Every policy that applies to the role in this template (the role's own first), under `condition`. */
export function rolePolicies(model: TemplateModel, role: string, condition: string | undefined): RolePolicySource[] {
  const out: RolePolicySource[] = [];
  const inline = model.get(role, ['Properties', 'Policies']);
  const own: Json[] = Array.isArray(inline) ? inline.flatMap((p) => (isObject(p) ? statementsOf(p.PolicyDocument) : [])) : [];
  const { managed, attached } = managedPoliciesOf(model, role);
  for (const name of managed) own.push({ Effect: 'Allow', Action: MANAGED_POLICIES[name], Resource: '*' });
  out.push({ id: role, orderedByRole: true, statements: own });
  for (const id of model.idsOfType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy')) {
    if (!model.conditionImplies(condition, model.condition(id))) continue;
    const type = model.type(id);
    const link = type === 'AWS::IAM::RolePolicy' ? [model.get(id, ['Properties', 'RoleName'])] : model.get(id, ['Properties', 'Roles']);
    const linked = Array.isArray(link) && link.some((entry) => namesRole(model, entry, role));
    const viaArns = type === 'AWS::IAM::ManagedPolicy' && attached.has(id);
    if (!linked && !viaArns) continue;
    const nameKey = type === 'AWS::IAM::ManagedPolicy' ? 'ManagedPolicyName' : 'PolicyName';
    const name = model.get(id, ['Properties', nameKey]);
    const source: RolePolicySource = { id, orderedByRole: viaArns, statements: statementsOf(model.get(id, ['Properties', 'PolicyDocument'])) };
    if (typeof name === 'string') source.name = name;
    out.push(source);
  }
  return out;
}

function patternMatches(pattern: Json, value: Json): boolean {
  const p = text(pattern);
  const v = text(value);
  if (p === undefined || v === undefined) return false;
  return p === v || (/[*?]/.test(p) && wildcardMatch(p, v));
}

/** True when an identity statement allows (or, with `effect: 'Deny'`, denies) `action` on one of `resources`, without conditions. */
export function identityAllows(statement: Json, action: string, resources: readonly Json[], effect: 'Allow' | 'Deny' = 'Allow'): boolean {
  if (!isObject(statement) || statement.Effect !== effect) return false;
  if (statement.NotAction !== undefined || statement.NotResource !== undefined) return false;
  if (effect === 'Allow' && statement.Condition !== undefined) return false;
  const actions = list(statement.Action).filter((a): a is string => typeof a === 'string');
  if (!actions.some((a) => wildcardMatch(a, action))) return false;
  return list(statement.Resource).some((h) => h === '*' || resources.some((r) => patternMatches(h, r)));
}

/** The roles of the template a value names, or what it names instead (for the finding). */
function rolesIn(ctx: RuleContext, g: RoleGrant): { roles: string[]; outside: string[] } {
  const model = ctx.model;
  const roles: string[] = [];
  const outside: string[] = [];
  for (const r of resolve(g.value, model)) {
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource' && model.type(r.id) === 'AWS::IAM::Role') {
      if (r.attribute !== 'Arn') ctx.finding(g.owner, g.path, 'warning', `${r.attribute === undefined ? `!Ref ${r.id} gives the role's name` : `${r.id}.${r.attribute} is not the role's ARN`}, but the service needs its ARN: write !GetAtt ${r.id}.Arn`);
      roles.push(r.id);
      continue;
    }
    const named = r.kind === 'composite' ? r.references.filter((x) => model.type(x.name) === 'AWS::IAM::Role').map((x) => x.name) : [];
    if (named.length) {
      roles.push(...named);
      continue;
    }
    outside.push(r.kind === 'parameter' ? `parameter ${r.name}` : r.kind === 'resource' ? `${r.id}.${r.attribute ?? 'Ref'} (not an AWS::IAM::Role)` : r.kind === 'literal' ? String(r.value) : 'a value computed at deploy time');
  }
  return { roles: [...new Set(roles)], outside };
}

function needs(g: RoleGrant): string {
  const resources = list(g.statement.Resource).map((r) => text(r) ?? JSON.stringify(r));
  const trust = typeof g.trust === 'string' ? g.trust : g.trust?.service;
  return `${g.request.actions.join(', ')} on ${resources.join(', ')}${trust !== undefined ? ` and trust ${trust}` : ''}`;
}

/** Makes the role trust `service`, unless a statement of its trust policy already lets it assume the role. */
function ensureTrust(ctx: RuleContext, c: Connection, role: string, trust: RoleTrust, t: GrantTally): void {
  const model = ctx.model;
  const { service, context } = trust;
  const path = ['Properties', 'AssumeRolePolicyDocument'];
  const doc = model.get(role, path);
  const trusts = (s: Json): boolean =>
    isObject(s) &&
    s.Effect === 'Allow' &&
    s.NotPrincipal === undefined &&
    s.NotAction === undefined &&
    list(s.Action).some((a) => typeof a === 'string' && wildcardMatch(a, 'sts:AssumeRole')) &&
    isObject(s.Principal) &&
    list(s.Principal.Service).some((p) => text(p)?.replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com') === service) &&
    // Conditions are judged only against the context the kind says the service sends (covers.ts).
    (s.Condition === undefined || (context !== undefined && trustAllows({ ...s, Principal: { Service: service } }, { principal: service, actions: ['sts:AssumeRole'], resources: [], context })));
  if (!isObject(doc) || intrinsicName(doc) !== undefined || (doc.Statement !== undefined && !Array.isArray(doc.Statement) && !isObject(doc.Statement))) {
    const why = `${role}'s AssumeRolePolicyDocument is computed at deploy time, so it cannot be checked: it must let ${service} sts:AssumeRole for ${c.source} → ${c.destination}`;
    ctx.finding(role, 'Properties.AssumeRolePolicyDocument', 'warning', why);
    t.problems.push(why);
    return;
  }
  const statements = list(doc.Statement);
  if (statements.some(trusts)) return;
  const statement: JsonObject = { ...(trust.sid !== undefined ? { Sid: trust.sid } : {}), Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' };
  const detail = trust.detail ?? `lets ${service} assume ${role}, which ${c.source} gives it to reach ${c.destination}`;
  if (Array.isArray(doc.Statement)) ctx.set(role, [...path, 'Statement', doc.Statement.length], statement, detail);
  else ctx.set(role, [...path, 'Statement'], [...statements, statement], detail);
  t.added.push(`role ${role} trust: ${service}`);
}

/** Puts the role's permissions (and trust) in, or finds what covers them. Called by `applyGrant` (`apply.ts`). */
export function applyRole(ctx: RuleContext, c: Connection, g: RoleGrant, t: GrantTally): void {
  const model = ctx.model;
  const { roles, outside } = rolesIn(ctx, g);
  for (const what of outside) {
    const why = `the role (${what}) is not in this template, so it cannot be checked or changed: it needs ${needs(g)}`;
    ctx.finding(g.owner, g.path, 'warning', why);
    t.problems.push(why);
  }
  const condition = model.condition(g.owner);
  for (const role of roles) {
    if (ctx.skips(role)) continue;
    if (g.trust !== undefined) ensureTrust(ctx, c, role, typeof g.trust === 'string' ? { service: g.trust } : g.trust, t);
    const found = rolePolicies(model, role, condition);
    const denied = g.request.actions.find((a) => found.some((s) => s.statements.some((st) => identityAllows(st, a, [...g.request.resources, '*'], 'Deny'))));
    if (denied !== undefined) {
      const deny = found.find((s) => s.statements.some((st) => identityAllows(st, denied, [...g.request.resources, '*'], 'Deny'))) as RolePolicySource;
      const why = `denies ${denied} to ${role}, which ${c.source} → ${c.destination} needs: an Allow would not help`;
      ctx.finding(deny.id, deny.id === role ? 'Properties.Policies' : 'Properties.PolicyDocument', 'warning', why);
      t.problems.push(why);
      continue;
    }
    const used = new Set<RolePolicySource>();
    const covered = g.request.actions.every((a) => {
      const s = found.find((src) => src.statements.some((st) => identityAllows(st, a, g.request.resources)));
      if (s) used.add(s);
      return s !== undefined;
    });
    let separate = covered ? [...used].filter((s) => !s.orderedByRole) : [];
    if (!covered) {
      const target = writeStatement(ctx, c, g, role, found, t);
      if (target === undefined) continue;
      separate = target.orderedByRole ? [] : [target];
    }
    if (g.caller === undefined) continue;
    for (const s of separate) {
      if (model.reaches(g.caller, s.id)) continue;
      const edge = ctx.dependsOn(g.caller, s.id, `it grants ${role} what ${c.source} → ${c.destination} needs, and is attached only after the role is created`);
      if (edge.added) t.added.push(`${g.caller} DependsOn ${s.id}`);
      else if (edge.reason === 'cycle' || edge.reason === 'conditional') t.problems.push(`${g.caller} cannot be made to wait for ${s.id}`);
    }
  }
}

/** Adds the statement to the policy named `policyName` (separate and attached, or inline), returning where it went. */
function writeStatement(ctx: RuleContext, c: Connection, g: RoleGrant, role: string, found: RolePolicySource[], t: GrantTally): RolePolicySource | undefined {
  const model = ctx.model;
  const detail = `${g.policyName}: ${g.detail}`;
  const separate = found.find((s) => s.id !== role && s.name === g.policyName && model.type(s.id) !== 'AWS::IAM::RolePolicy');
  if (separate !== undefined) {
    const doc = model.get(separate.id, ['Properties', 'PolicyDocument']);
    if (isObject(doc) && intrinsicName(doc) === undefined && Array.isArray(doc.Statement)) {
      ctx.set(separate.id, ['Properties', 'PolicyDocument', 'Statement', doc.Statement.length], g.statement, detail);
      t.added.push(`policy ${separate.id}: ${g.detail}`);
      return separate;
    }
  }
  const path = ['Properties', 'Policies'];
  const policies = model.get(role, path);
  if (policies !== undefined && !Array.isArray(policies)) {
    const why = `cannot add what ${c.source} → ${c.destination} needs to ${role}: Properties.Policies is computed at deploy time; grant ${needs(g)} yourself`;
    ctx.finding(role, 'Properties.Policies', 'warning', why);
    t.problems.push(why);
    return undefined;
  }
  const entries = policies ?? [];
  const at = entries.findIndex((p) => isObject(p) && p.PolicyName === g.policyName);
  if (at >= 0) {
    const doc = (entries[at] as JsonObject).PolicyDocument;
    if (!isObject(doc) || intrinsicName(doc) !== undefined || (doc.Statement !== undefined && !Array.isArray(doc.Statement))) {
      const why = `cannot add what ${c.source} → ${c.destination} needs to ${role}: its policy ${g.policyName} is not a list of statements; grant ${needs(g)} yourself`;
      ctx.finding(role, `Properties.Policies[${at}]`, 'warning', why);
      t.problems.push(why);
      return undefined;
    }
    if (Array.isArray(doc.Statement)) ctx.set(role, [...path, at, 'PolicyDocument', 'Statement', doc.Statement.length], g.statement, detail);
    else ctx.set(role, [...path, at, 'PolicyDocument', 'Statement'], [g.statement], detail);
  } else {
    const entry: JsonObject = { PolicyName: g.policyName, PolicyDocument: { Version: '2012-10-17', Statement: [g.statement] } };
    if (policies === undefined) ctx.set(role, path, [entry], detail);
    else ctx.set(role, [...path, entries.length], entry, detail);
  }
  t.added.push(`role ${role} ${g.policyName}: ${g.detail}`);
  return found[0];
}
