/**
 * The Lambda half of a connection: the function's resource policy, which CloudFormation writes as
 * `AWS::Lambda::Permission` resources (one statement each). A service that invokes a function of
 * the template (SNS, EventBridge, API Gateway, S3) needs a permission for its principal,
 * `lambda:InvokeFunction`, and `SourceArn` pinned to the one source (plus `SourceAccount` when the
 * source's ARN carries no account, as for S3 buckets).
 *
 * "Covers", judged for the concrete connection: an existing permission for exactly that function
 * (any spelling of FunctionName; an alias or a qualified ARN only when the connection names that
 * same alias or version), for that principal (`!Sub sns.${AWS::URLSuffix}` included), whose
 * `SourceArn` allows this source (a wildcard in it is a pattern, as Lambda reads it with
 * `ArnLike`: `${Api}/*` covers `${Api}/prod/GET/x`), or which has no `SourceArn` and a
 * `SourceAccount` that is this account or none (it then allows more than the connection, which it
 * therefore covers: nothing is added beside it). A permission with `PrincipalOrgID` or
 * `EventSourceToken` adds a condition the service's request is not known to satisfy: not counted.
 *
 * Sources: "AWS::Lambda::Permission" (CloudFormation template reference: `SourceArn` "Use this
 * to restrict the permission to a specific resource"; `SourceAccount` for S3, "the ARN of an S3
 * bucket doesn't include an account ID"; a qualified FunctionName grants only that version or
 * alias; every property: Update requires Replacement), "Working with resource-based IAM policies
 * in Lambda" (Lambda Developer Guide: the permission becomes an `ArnLike` `AWS:SourceArn`
 * condition); aws-cdk-lib/aws-lambda/lib/function-base.ts (`addPermission`: principal, action
 * `lambda:InvokeFunction`, `sourceArn`, `sourceAccount`; one `CfnPermission` per grant, named
 * from the grantee).
 */
import { canonicalString, intrinsicName, references } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import { resolve } from '../template/resolve';
import { wildcardMatch } from '../template/statements';
import type { RuleContext } from '../rules/types';
import { literalText } from './source-arn';
import type { Connection, SourceArn } from './types';

/** Function, alias and version: the resources a permission's FunctionName may name. */
export const FUNCTION_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);

/**
 * A Lambda permission for one connection: `principal` may `lambda:InvokeFunction` the function
 * (or alias, or version) `target` of the template, for the connection's source only.
 */
export interface PermissionGrant {
  to: 'permission';
  /** Logical id of the function, alias or version the connection names. */
  target: string;
  /** `sns.amazonaws.com` */
  principal: string;
  /**
   * The source as the permission's `SourceArn` says it (pinned ARN, or the fallback pattern); when
   * not given, the connection's `sourceArn`. A source that can only be scoped by account (an S3
   * bucket without a name) gets `SourceAccount` alone.
   */
  sourceArn?: SourceArn;
  /** Write `SourceAccount: !Ref AWS::AccountId` too: the source's ARN carries no account (S3). */
  sourceAccount?: boolean;
  /** Suffix of the new permission's logical id, after the source's id (`<Topic><Fn>InvokePermission`). */
  suffix?: string;
  /** One line for the report (`let sns.amazonaws.com invoke Worker from Alerts`). */
  detail: string;
  /**
   * The resource the service validates at create time, which must come after the permission
   * (an S3 bucket that notifies the function). A refused edge is a problem of the connection.
   */
  before?: { from: string; detail: string };
  /**
   * `before.from` is the source itself (the bucket waits for its function's permission), so an
   * existing permission for this target and principal whose `SourceArn` refers to the source
   * closes a cycle. When no other permission covers the connection, the first such one is
   * rewritten to the pinned, name-built ARN (with `SourceAccount` when `sourceAccount` and it has
   * none): every property of a permission causes replacement, which is harmless (the new statement
   * is created before the old one is deleted), and the texts say so. Without a pinned ARN, or when
   * that `SourceArn` is an `Fn::If`, the run fails with `unpinned`.
   */
  pinSourceReferences?: { rewrite: string; account: string; unpinned: string };
  /** Reported on a covering permission with neither `SourceArn` nor `SourceAccount` (checkov CKV_AWS_364): adding one would replace it. */
  unscoped?: string;
}

/** What `applyConnection` keeps per connection (the tally of `apply.ts`, structurally). */
export interface GrantTally {
  added: string[];
  problems: string[];
  fallback: boolean;
}

const INVOKE = ['lambda:InvokeFunction'];

function text(value: Json | undefined): string | undefined {
  if (value === undefined) return undefined;
  const c = canonicalString(value);
  if (typeof c === 'string') return c;
  return isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : undefined;
}

/**
 * Every Sub text under which a FunctionName names exactly `target` (unqualified for a function:
 * a permission on one of its aliases or versions grants only that alias or version).
 */
export function functionSpellings(ctx: RuleContext, target: string): Set<string> {
  const model = ctx.model;
  const out = new Set<string>([`\${${target}}`]);
  const arnPrefix = 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:';
  if (model.type(target) === 'AWS::Lambda::Function') {
    out.add(`\${${target}.Arn}`);
    out.add(`${arnPrefix}\${${target}}`);
    const name = text(model.get(target, ['Properties', 'FunctionName']));
    if (name !== undefined) {
      out.add(name);
      out.add(`${arnPrefix}${name}`);
    }
  } else if (model.type(target) === 'AWS::Lambda::Alias') {
    // An alias's Ref is its ARN: `<function ARN>:<alias name>`.
    const fn = model.get(target, ['Properties', 'FunctionName']);
    const aliasName = text(model.get(target, ['Properties', 'Name']));
    const fnIds = resolve(fn, model).filter((r) => r.kind === 'resource').map((r) => (r as { id: string }).id);
    if (aliasName !== undefined) for (const f of fnIds) for (const s of functionSpellings(ctx, f)) out.add(`${s}:${aliasName}`);
  }
  // A version's Ref is its qualified ARN: only `${Version}` names exactly it.
  return out;
}

/** The principal as Sub text with `${AWS::URLSuffix}` read as `amazonaws.com` (the commercial and GovCloud suffix, as service principals are written). */
function principalText(value: Json | undefined): string | undefined {
  const t = text(value);
  return t?.replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com');
}

function accountOk(ctx: RuleContext, value: Json | undefined): boolean {
  if (value === undefined) return true;
  const t = text(value);
  return t === '${AWS::AccountId}' || (ctx.accountId !== undefined && t === ctx.accountId);
}

/** The values a source may be spelt with, as Sub text (the pinned ARN or the pattern first). */
function sourceTexts(source: SourceArn | undefined): string[] {
  if (source === undefined) return [];
  const first = source.pinned ? [source.arn] : source.pattern !== undefined ? [source.pattern] : [];
  return [...first, ...source.spellings].map((s) => text(s)).filter((s): s is string => s !== undefined);
}

/** The permission lets `g.principal` invoke exactly `g.target`, whatever its source scope. */
function invokes(ctx: RuleContext, props: JsonObject, g: PermissionGrant): boolean {
  const action = typeof props.Action === 'string' ? props.Action : '';
  if (!INVOKE.every((a) => wildcardMatch(action, a))) return false;
  const principal = principalText(props.Principal);
  if (principal !== '*' && principal !== g.principal) return false;
  if (props.PrincipalOrgID !== undefined || props.EventSourceToken !== undefined) return false;
  const fn = text(props.FunctionName);
  return fn !== undefined && functionSpellings(ctx, g.target).has(fn);
}

/** The permission `pinSourceReferences` rewrites: the first for this target and principal whose SourceArn refers to the source. */
function referringPermission(ctx: RuleContext, c: Connection, g: PermissionGrant): string | undefined {
  return ctx.model.idsOfType('AWS::Lambda::Permission').find((id) => {
    const props = ctx.model.get(id, ['Properties']);
    return isObject(props) && props.SourceArn !== undefined && references(props.SourceArn).some((r) => r.name === c.source) && invokes(ctx, props, g);
  });
}

/** Rewrites the permission's SourceArn that refers to the source to the pinned ARN (see `PermissionGrant.pinSourceReferences`). */
function pinPermission(ctx: RuleContext, c: Connection, g: PermissionGrant, id: string, source: SourceArn | undefined, t: GrantTally): void {
  const pin = g.pinSourceReferences as NonNullable<PermissionGrant['pinSourceReferences']>;
  const value = ctx.model.get(id, ['Properties', 'SourceArn']) as Json;
  if (source === undefined || !source.pinned || intrinsicName(value) === 'Fn::If') ctx.fail(id, 'Properties.SourceArn', pin.unpinned);
  if (source === undefined || !source.pinned) return;
  const addAccount = g.sourceAccount === true && ctx.model.get(id, ['Properties', 'SourceAccount']) === undefined;
  ctx.set(id, ['Properties', 'SourceArn'], source.arn, pin.rewrite);
  if (addAccount) ctx.set(id, ['Properties', 'SourceAccount'], { Ref: 'AWS::AccountId' }, pin.account);
  t.added.push(`permission ${id}: SourceArn built from ${c.source}'s name`);
}

/**
 * True when the existing permission `id` lets `g.principal` invoke exactly `g.target` for this
 * connection's source.
 */
export function permissionCovers(ctx: RuleContext, id: string, g: PermissionGrant, source: SourceArn | undefined): boolean {
  const props = ctx.model.get(id, ['Properties']);
  if (!isObject(props) || !invokes(ctx, props, g)) return false;
  if (!accountOk(ctx, props.SourceAccount)) return false;
  if (props.SourceArn === undefined) return true;
  const have = text(props.SourceArn);
  if (have === undefined) return false;
  const texts = sourceTexts(source);
  const spelt = [...texts, ...texts.map((s) => literalText(ctx, s)).filter((s): s is string => s !== undefined)];
  return spelt.some((s) => s === have || (/[*?]/.test(have) && wildcardMatch(have, s)));
}

/** The one condition under which a new permission exists exactly when the connection may, or undefined (with why) when none does. */
function permissionCondition(ctx: RuleContext, c: Connection, target: string): { condition: string | null } | { why: string } {
  const model = ctx.model;
  // A branch taken when a condition does not hold (`!If [C, other, this]`) cannot be said by a
  // Condition name: the permission is then kept under the other conditions. That does not widen
  // access: its SourceArn still names this one source, which invokes the function only in that branch.
  const needed = [model.condition(c.source), model.condition(target), ...c.when.filter((w) => w.holds).map((w) => w.condition)].filter((x): x is string => x !== undefined);
  const unique = [...new Set(needed)];
  if (unique.length === 0) return { condition: null };
  const one = unique.find((a) => unique.every((b) => model.conditionImplies(a, b)));
  if (one !== undefined) return { condition: one };
  return { why: `it would need all of the Conditions ${unique.join(', ')}; add a condition that is their Fn::And and a permission under it` };
}

/**
 * Puts the permission in (or finds the one that covers it) and orders `before.from` after it.
 * Called by `applyGrant` (`apply.ts`).
 */
export function applyPermission(ctx: RuleContext, c: Connection, g: PermissionGrant, t: GrantTally): void {
  const model = ctx.model;
  const source = g.sourceArn ?? c.sourceArn;
  if (ctx.skips(g.target)) return;
  const covering = () => model.idsOfType('AWS::Lambda::Permission').find((id) => permissionCovers(ctx, id, g, source) && model.conditionImplies(permissionConditionOf(ctx, c, g.target), model.condition(id)) && (g.pinSourceReferences === undefined || !references(model.get(id, ['Properties', 'SourceArn']) ?? null).some((r) => r.name === c.source)));
  let permission = covering();
  const referring = permission === undefined && g.pinSourceReferences !== undefined ? referringPermission(ctx, c, g) : undefined;
  if (referring !== undefined) {
    pinPermission(ctx, c, g, referring, source, t);
    permission = referring;
  } else if (permission !== undefined && g.unscoped !== undefined) {
    const props = model.get(permission, ['Properties']) as JsonObject;
    if (props.SourceArn === undefined && props.SourceAccount === undefined) ctx.finding(permission, 'Properties.SourceAccount', 'warning', g.unscoped);
  }
  if (permission === undefined) {
    if (source !== undefined && source.pinned && source.exact) {
      const why = `${c.source}'s name holds * or ?, which a Lambda permission's SourceArn would read as a pattern: no permission was added for ${g.principal} to invoke ${g.target}; rename ${c.source}`;
      ctx.finding(c.source, c.path, 'error', why);
      t.problems.push(why);
      return;
    }
    const cond = permissionCondition(ctx, c, g.target);
    if ('why' in cond) {
      const why = `no AWS::Lambda::Permission lets ${g.principal} invoke ${g.target} for ${c.source}, and none was added: ${cond.why}`;
      ctx.finding(c.source, c.path, 'warning', why);
      t.problems.push(why);
      return;
    }
    const properties: JsonObject = {
      Action: 'lambda:InvokeFunction',
      FunctionName: model.type(g.target) === 'AWS::Lambda::Function' ? { 'Fn::GetAtt': [g.target, 'Arn'] } : { Ref: g.target },
      Principal: g.principal,
    };
    const arn = source === undefined ? undefined : source.pinned ? source.arn : source.pattern;
    // SourceAccount first, as AWS::Lambda::Permission's Amazon S3 Notifications example writes it.
    if (g.sourceAccount || arn === undefined) properties.SourceAccount = { Ref: 'AWS::AccountId' };
    if (arn !== undefined) properties.SourceArn = arn;
    permission = ctx.createResource(c.source, g.suffix ?? `${g.target}InvokePermission`, { Type: 'AWS::Lambda::Permission', Properties: properties }, g.detail, { condition: cond.condition });
    t.added.push(`permission ${permission}: ${g.detail}`);
    if (source !== undefined && !source.pinned) t.fallback = true;
  }
  if (g.before === undefined || model.reaches(g.before.from, permission)) return;
  const edge = ctx.dependsOn(g.before.from, permission, g.before.detail);
  if (edge.added) t.added.push(`${g.before.from} DependsOn ${permission}`);
  else if (edge.reason === 'cycle' || edge.reason === 'conditional') {
    t.problems.push(`${g.before.from} cannot be made to wait for ${permission} (${edge.reason === 'cycle' ? 'it would close a cycle' : 'its condition does not imply that one'})`);
  }
}

/** The strongest single condition the connection is known to hold under (for judging an existing permission's Condition). */
function permissionConditionOf(ctx: RuleContext, c: Connection, target: string): string | undefined {
  const cond = permissionCondition(ctx, c, target);
  return 'condition' in cond ? (cond.condition ?? undefined) : ctx.model.condition(c.source);
}
