/**
 * Applies a connection's grants through the rule context (so every change is recorded and
 * checked against the rule's declared changes) and writes the connection's line in the report's
 * connections view. What a kind says once, this does the same way for every kind:
 * - a policy statement goes into the target's one policy unless a statement there already allows
 *   the concrete request (`covers.ts`), by any Sid;
 * - a key statement goes into each key of the template the value names (every `Fn::If` branch,
 *   aliases followed); a key outside the template is handed to the KMS preflight; an AWS managed
 *   key, whose policy cannot change, is a finding;
 * - an ordering edge is added unless the order already holds, and a refused edge is a finding
 *   that says why;
 * - a grant scoped by the fallback pattern (no name known) is a warning that says how to pin it.
 */
import { canonicalString, references } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import { findPolicies } from '../template/policies';
import type { ConnectionRecord, ConnectionStatus } from '../report/connections';
import type { RuleContext } from '../rules/types';
import { isSymmetricEncryptionKey, keysOf } from './keys';
import { statementAllows } from './covers';
import { destinationArnOf, withLiteralRequest } from './source-arn';
import { pinSourceReferences } from './rewrite';
import type { Connection, ConnectionKind, Grant, KeyGrant, OrderGrant, PolicyGrant } from './types';
import { applyPermission } from './permission';
import { applyRole } from './role';
import { applyLogsPolicy } from './logs-resource-policy';

const POLICY_LABEL = { bucket: 'bucket policy', queue: 'queue policy', topic: 'topic policy', key: 'key policy' } as const;

interface Tally {
  added: string[];
  problems: string[];
  /** A statement was written that relies on the fallback scope. */
  fallback: boolean;
}

function applyPolicy(ctx: RuleContext, c: Connection, g: PolicyGrant, t: Tally): void {
  if (g.pinSourceReferences && c.sourceArn?.pinned) {
    const n = pinSourceReferences(ctx, g.policy, g.target, c.source, c.sourceArn.arn);
    if (n) t.added.push(`${POLICY_LABEL[g.policy]} of ${g.target}: ${n} reference${n === 1 ? '' : 's'} to ${c.source}'s ARN built from its name`);
  }
  // A queue's or topic's policy may name it by the ARN its name builds, literally or not.
  const named = g.policy === 'queue' || g.policy === 'topic' ? destinationArnOf(ctx.model, g.target) : undefined;
  const request = withLiteralRequest(ctx, named === undefined ? g.request : { ...g.request, resources: [...g.request.resources, named] });
  const outcome = ctx.ensureStatement(g.policy, g.target, g.statement, g.detail, { covers: (s) => statementAllows(s, request) });
  if (outcome.status === 'added') {
    t.added.push(`${POLICY_LABEL[g.policy]} ${outcome.policyId}: ${g.detail}`);
    if (c.sourceArn !== undefined && !c.sourceArn.pinned) t.fallback = true;
  } else if (outcome.status === 'blocked') {
    t.problems.push(`${POLICY_LABEL[g.policy]} ${outcome.policyId} cannot be edited: ${outcome.reason}`);
  }
}

function applyKey(ctx: RuleContext, c: Connection, g: KeyGrant, t: Tally): void {
  const { keys, external } = keysOf(ctx.model, g.value);
  for (const key of g.checksExternal === false ? [] : external) {
    const text = key.value ?? '';
    if (g.managedAliases !== undefined && g.managedAliases.test(text)) {
      const why = `${text} is an AWS managed key, whose key policy cannot be changed, so ${c.principal ?? 'the service'} cannot use it for ${c.source} → ${c.destination}: use a customer managed key`;
      ctx.finding(g.owner, g.path, 'warning', why);
      t.problems.push(why);
    } else {
      ctx.checkKey(g.owner, g.path, key, g.service);
    }
  }
  const request = withLiteralRequest(ctx, g.request);
  for (const key of [...new Set(keys.map((k) => k.key))]) {
    if (ctx.skips(key)) continue;
    if (g.pinSourceReferences && c.sourceArn?.pinned) {
      const n = pinSourceReferences(ctx, 'key', key, c.source, c.sourceArn.arn);
      if (n) t.added.push(`key policy of ${key}: ${n} reference${n === 1 ? '' : 's'} to ${c.source}'s ARN built from its name`);
    }
    if (isSymmetricEncryptionKey(ctx.model, key) === false) {
      if (g.checksExternal === false) continue;
      const why = `${g.owner} is encrypted with ${key}, which is not a symmetric encryption key, so ${c.principal ?? 'the service'} cannot use it`;
      ctx.finding(key, 'Properties.KeySpec', 'error', why);
      t.problems.push(why);
      continue;
    }
    const outcome = ctx.ensureStatement('key', key, g.statement, g.detail, { covers: (s) => statementAllows(s, request) });
    if (outcome.status === 'added') {
      t.added.push(`key policy ${key}: ${g.detail}`);
      if (c.sourceArn !== undefined && !c.sourceArn.pinned) t.fallback = true;
    } else if (outcome.status === 'blocked') {
      t.problems.push(`key policy of ${key} cannot be edited: ${outcome.reason}`);
    }
  }
}

function applyOrder(ctx: RuleContext, g: OrderGrant, t: Tally): void {
  const to = typeof g.after === 'string' ? g.after : findPolicies(ctx.model, g.after.policy, g.after.target)[0];
  if (to === undefined || !ctx.model.isResource(to) || ctx.model.reaches(g.from, to)) return;
  const edge = ctx.dependsOn(g.from, to, g.detail);
  if (edge.added) {
    t.added.push(`${g.from} DependsOn ${to}`);
    return;
  }
  if (edge.reason !== 'cycle' && edge.reason !== 'conditional') return;
  t.problems.push(`${g.from} cannot be made to wait for ${to} (${edge.reason === 'cycle' ? 'it would close a cycle' : 'its condition does not imply that one'})`);
  if (edge.reason === 'cycle' && g.onCycle !== undefined) {
    const refers = references(ctx.model.get(to, ['Properties']) ?? null).some((r) => r.name === g.from);
    ctx.finding(
      to,
      g.onCycle.path,
      'warning',
      refers
        ? `refers to ${g.from} (e.g. aws:SourceArn: !GetAtt ${g.from}.Arn), so ${g.from} cannot be made to wait for it and ${g.onCycle.consequence}: ${g.onCycle.rewrite}`
        : `depends on ${g.from}, so ${g.from} cannot be made to wait for it and ${g.onCycle.consequence}: remove that dependency`,
    );
  }
}

function applyGrant(ctx: RuleContext, c: Connection, g: Grant, t: Tally): void {
  if (g.to === 'policy') applyPolicy(ctx, c, g, t);
  else if (g.to === 'key') applyKey(ctx, c, g, t);
  else if (g.to === 'permission') applyPermission(ctx, c, g, t);
  else if (g.to === 'role') applyRole(ctx, c, g, t);
  else if (g.to === 'logs-policy') applyLogsPolicy(ctx, c, g, t);
  else applyOrder(ctx, g, t);
}

function subText(value: Json): string {
  const c = canonicalString(value);
  return typeof c === 'string' ? c : isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : JSON.stringify(c);
}

/**
 * Puts everything `kind` says the connection needs into the template and records the
 * connection in the report's connections view. A destination that skips the rule gets nothing.
 *
 * @example
 * const c = { kind: 's3-notification-queue', rule: 'S3N-002', source: 'Uploads', destination: 'Jobs', path: '…', principal: 's3.amazonaws.com', when: [] };
 * applyConnection(ctx, S3_NOTIFICATION_QUEUE, c); // → { status: 'added', added: ['queue policy JobsPolicy: …', 'Uploads DependsOn JobsPolicy'], … }
 */
export function applyConnection(ctx: RuleContext, kind: ConnectionKind, c: Connection): ConnectionRecord {
  if (ctx.skips(c.destination)) return recordConnection(ctx, c, 'skipped', [], `${c.destination} skips ${c.rule}`);
  const t: Tally = { added: [], problems: [], fallback: false };
  for (const g of kind.grants(c, ctx)) applyGrant(ctx, c, g, t);
  if (t.fallback && c.sourceArn !== undefined && !c.sourceArn.pinned && c.sourceArn.reported !== true) {
    const scope = c.sourceArn.pattern !== undefined ? `to every source matching ${subText(c.sourceArn.pattern)}` : 'to this account only (aws:SourceAccount)';
    ctx.finding(c.source, c.path, 'warning', `the grants for ${c.source} → ${c.destination} are scoped ${scope}, not to ${c.source}: ${c.sourceArn.why}`, c.sourceArn.fix);
  }
  const status: ConnectionStatus = t.problems.length ? 'finding' : t.added.length ? 'added' : 'present';
  const reason = t.problems.length ? t.problems.join('; ') : t.added.length ? undefined : 'everything it needs is already in the template';
  return recordConnection(ctx, c, status, t.added, reason);
}

/** Records a connection without applying grants: one outside the template, or one that cannot be followed. */
export function recordConnection(ctx: RuleContext, c: Pick<Connection, 'rule' | 'kind' | 'source' | 'destination' | 'principal'>, status: ConnectionStatus, added: string[], reason?: string): ConnectionRecord {
  const record: ConnectionRecord = { rule: c.rule, kind: c.kind, source: c.source, destination: c.destination, status, added };
  if (c.principal !== undefined) record.principal = c.principal;
  if (reason !== undefined) record.reason = reason;
  ctx.connection(record);
  return record;
}
