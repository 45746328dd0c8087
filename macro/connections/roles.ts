/**
 * The caller's half of a connection: what a role of the template may do, and whom it trusts.
 * A role's permissions are the union of its inline `Policies` and the policy resources attached
 * to it (`AWS::IAM::Policy` / `AWS::IAM::RolePolicy` naming it, `AWS::IAM::ManagedPolicy` listing
 * it or listed in its `ManagedPolicyArns`), so every one is read before anything is added.
 */
import { canonicalString } from '../template/intrinsics';
import { canonical, isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve } from '../template/resolve';
import type { RuleContext } from '../rules/types';
import { identityAllows, trustAllows } from './covers';
import type { RolePolicyGrant, TrustGrant } from './types';

function list(value: Json | undefined): Json[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function statementsOf(document: Json | undefined): Json[] {
  return isObject(document) ? list(document.Statement) : [];
}

function names(model: TemplateModel, value: Json | undefined, role: string): boolean {
  const roleName = model.get(role, ['Properties', 'RoleName']);
  return list(value).some((v) => resolve(v, model).some((r) => r.kind === 'resource' && r.id === role) || (roleName !== undefined && canonical(canonicalString(v)) === canonical(canonicalString(roleName))));
}

/** Where the role's permissions live: `[resource id, statements]`, the role itself first. */
export function rolePolicies(model: TemplateModel, role: string): Array<{ id: string; statements: Json[] }> {
  const out: Array<{ id: string; statements: Json[] }> = [];
  const inline = model.get(role, ['Properties', 'Policies']);
  out.push({ id: role, statements: list(inline).flatMap((p) => (isObject(p) ? statementsOf(p.PolicyDocument) : [])) });
  for (const id of model.idsOfType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    if (names(model, model.get(id, ['Properties', 'Roles']), role)) out.push({ id, statements: statementsOf(model.get(id, ['Properties', 'PolicyDocument'])) });
  }
  for (const id of model.idsOfType('AWS::IAM::RolePolicy')) {
    if (names(model, model.get(id, ['Properties', 'RoleName']), role)) out.push({ id, statements: statementsOf(model.get(id, ['Properties', 'PolicyDocument'])) });
  }
  for (const arn of list(model.get(role, ['Properties', 'ManagedPolicyArns']))) {
    for (const r of resolve(arn, model)) {
      if (r.kind === 'resource' && model.type(r.id) === 'AWS::IAM::ManagedPolicy' && !out.some((o) => o.id === r.id)) out.push({ id: r.id, statements: statementsOf(model.get(r.id, ['Properties', 'PolicyDocument'])) });
    }
  }
  return out;
}

export type RoleOutcome = { status: 'present'; in: string } | { status: 'added'; path: string } | { status: 'blocked'; reason: string };

/** Makes sure the role may do what the grant says (see `RolePolicyGrant`). */
export function ensureRolePermission(ctx: RuleContext, g: RolePolicyGrant): RoleOutcome {
  for (const p of rolePolicies(ctx.model, g.role)) {
    if (p.statements.some((s) => identityAllows(s, g.request))) return { status: 'present', in: p.id };
  }
  const policies = ctx.model.get(g.role, ['Properties', 'Policies']);
  if (policies !== undefined && !Array.isArray(policies)) return { status: 'blocked', reason: `its Policies are computed by an intrinsic, so ${g.policyName} cannot be added` };
  const used = new Set((policies ?? []).map((p) => (isObject(p) && typeof p.PolicyName === 'string' ? p.PolicyName : '')));
  if (used.has(g.policyName)) return { status: 'blocked', reason: `it already has an inline policy named ${g.policyName} that does not allow this` };
  const index = policies === undefined ? 0 : policies.length;
  const entry: JsonObject = { PolicyName: g.policyName, PolicyDocument: { Version: '2012-10-17', Statement: [g.statement] } };
  if (policies === undefined) ctx.set(g.role, ['Properties', 'Policies'], [entry], g.detail);
  else ctx.set(g.role, ['Properties', 'Policies', index], entry, g.detail);
  return { status: 'added', path: `Properties.Policies[${index}]` };
}

/** Makes sure the role trusts the service (see `TrustGrant`). */
export function ensureTrust(ctx: RuleContext, g: TrustGrant): RoleOutcome {
  const path = ['Properties', 'AssumeRolePolicyDocument'];
  const doc = ctx.model.get(g.role, path);
  if (!isObject(doc) || Object.keys(doc).some((k) => k === 'Ref' || k.startsWith('Fn::'))) return { status: 'blocked', reason: 'its AssumeRolePolicyDocument is not a document that can be read and extended here' };
  const raw = doc.Statement;
  const statements = list(raw);
  if (statements.some((s) => trustAllows(s, g.request))) return { status: 'present', in: g.role };
  if (raw !== undefined && !Array.isArray(raw) && !isObject(raw)) return { status: 'blocked', reason: 'its trust Statement is computed by an intrinsic' };
  if (Array.isArray(raw)) ctx.set(g.role, [...path, 'Statement', raw.length], g.statement, g.detail);
  else ctx.set(g.role, [...path, 'Statement'], [...statements, g.statement], g.detail);
  return { status: 'added', path: `Properties.AssumeRolePolicyDocument.Statement[${statements.length}]` };
}
