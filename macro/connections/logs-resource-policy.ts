/**
 * The CloudWatch Logs half of a connection: a service that writes into a log group of the
 * template on its own behalf (an EventBridge rule target) needs a CloudWatch Logs resource policy
 * (`AWS::Logs::ResourcePolicy`) that lets its principal `logs:CreateLogStream` and
 * `logs:PutLogEvents` there.
 *
 * Such a policy is account-wide, not attached to the log group: CloudWatch Logs allows at most 10
 * of them per account and Region ("AWS::Logs::ResourcePolicy", CloudFormation template reference:
 * "An account can have up to 10 resource policies per AWS Region"; PutResourcePolicy, CloudWatch
 * Logs API Reference). So every grant of one family goes into ONE policy per template (and per
 * Condition), with a deterministic logical id (`<owner><suffix>`, e.g. `EventsLogsResourcePolicy`)
 * and `PolicyName` `${AWS::StackName}-<name>` (the name is the policy's identity in the account,
 * so two stacks never overwrite each other's); statements are merged into it by Sid.
 *
 * The document is a JSON string in CloudFormation ("PolicyDocument: … formatted in JSON, and you
 * must use backslashes to escape characters that need to be escaped in JSON strings"), written as
 * a `Fn::Sub` so that it can name resources of the template (`${Logs.Arn}`); this module reads
 * such strings back (`Fn::Sub` in either form, `Fn::Join`, a literal, or a JSON object) to judge
 * what is already there.
 *
 * "Covers": a statement of any `AWS::Logs::ResourcePolicy` of the template (one that exists
 * whenever the connection does) that allows the request (`covers.ts`: principal, actions,
 * resource patterns such as `log-group:/aws/events/*:*`, conditions that hold for it). A
 * document computed in a way this cannot read does not count: the connection gets its own
 * statement, which is never wider than the connection.
 */
import { canonicalString } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import type { RuleContext } from '../rules/types';
import { statementAllows } from './covers';
import { withLiteralRequest } from './source-arn';
import type { GrantTally } from './permission';
import type { Connection, Request } from './types';

export const LOGS_RESOURCE_POLICY = 'AWS::Logs::ResourcePolicy';

/** One statement a log-writing connection needs, with the request it stands for. */
export interface LogsStatement {
  statement: JsonObject;
  request: Request;
  /** `let events.amazonaws.com logs:PutLogEvents on AuditLogs from rule Nightly only` */
  detail: string;
}

/** Statements in the template's one CloudWatch Logs resource policy of a family of connections. */
export interface LogsPolicyGrant {
  to: 'logs-policy';
  /** The log group of the template the statements are on. */
  logGroup: string;
  statements: LogsStatement[];
  /**
   * The one policy the family shares: its owner (`Events`, not a resource: the policy serves every
   * rule of the template), the logical id suffix (`LogsResourcePolicy`), and the PolicyName stem
   * (`EventsLogs` → `${AWS::StackName}-EventsLogs`).
   */
  shared: { owner: string; suffix: string; name: string };
}

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function mapStrings(value: Json, f: (s: string) => Json): Json {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

function parsed(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/**
 * The statements of a resource policy's `PolicyDocument`, with every string value as the template
 * would spell it (`"${Logs.Arn}"` in a Sub becomes `{ 'Fn::Sub': '${Logs.Arn}' }`), or undefined
 * when the document cannot be read here.
 *
 * @example
 * logsPolicyStatements({ 'Fn::Sub': '{"Statement":[{"Effect":"Allow","Resource":"${Logs.Arn}"}]}' });
 * // → [{ Effect: 'Allow', Resource: { 'Fn::Sub': '${Logs.Arn}' } }]
 */
export function logsPolicyStatements(document: Json | undefined): Json[] | undefined {
  if (document === undefined) return undefined;
  if (isObject(document) && !Object.keys(document).some((k) => k === 'Ref' || k.startsWith('Fn::'))) return list(document.Statement);
  const text = canonicalString(document);
  let doc: Json | undefined;
  if (typeof text === 'string') doc = parsed(text);
  else if (isObject(text) && typeof text['Fn::Sub'] === 'string') {
    const raw = parsed(text['Fn::Sub']);
    doc = raw === undefined ? undefined : mapStrings(raw, (s) => canonicalString({ 'Fn::Sub': s }));
  }
  return isObject(doc) ? list(doc.Statement) : undefined;
}

/** A value as `Fn::Sub` text (literal `${` escaped), or undefined when it cannot be written so. */
function subText(value: Json): Json | undefined {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) {
    const out = value.map(subText);
    return out.some((v) => v === undefined) ? undefined : (out as Json[]);
  }
  const c = canonicalString(value);
  if (typeof c === 'string') return c.replace(/\$\{/g, '${!');
  if (isObject(c) && typeof c['Fn::Sub'] === 'string') return c['Fn::Sub'];
  if (!isObject(value)) return undefined;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const t = subText(v);
    if (t === undefined) return undefined;
    out[k] = t;
  }
  return out;
}

/** The document for `statements` as one `Fn::Sub` string, or undefined when a value cannot be written into it. */
export function logsPolicyDocument(statements: readonly Json[]): Json | undefined {
  const body = subText({ Version: '2012-10-17', Statement: [...statements] });
  return body === undefined ? undefined : { 'Fn::Sub': JSON.stringify(body) };
}

/** The one condition under which the statements are needed exactly when the connection may exist, or why none is. */
function neededCondition(ctx: RuleContext, c: Connection, logGroup: string): { condition: string | undefined } | { why: string } {
  const model = ctx.model;
  // As for Lambda permissions (`permission.ts`): a branch taken when a condition does not hold
  // cannot be said by a Condition name, so the statement is kept under the other conditions; its
  // aws:SourceArn still names this one rule.
  const needed = [model.condition(c.source), model.condition(logGroup), ...c.when.filter((w) => w.holds).map((w) => w.condition)].filter((x): x is string => x !== undefined);
  const unique = [...new Set(needed)];
  if (unique.length === 0) return { condition: undefined };
  const one = unique.find((a) => unique.every((b) => model.conditionImplies(a, b)));
  return one !== undefined ? { condition: one } : { why: `it would need all of the Conditions ${unique.join(', ')}` };
}

function policyName(g: LogsPolicyGrant, condition: string | undefined): Json {
  return { 'Fn::Sub': `\${AWS::StackName}-${g.shared.name}${condition !== undefined ? `-${condition}` : ''}` };
}

function sameValue(a: Json | undefined, b: Json): boolean {
  return a !== undefined && JSON.stringify(canonicalString(a)) === JSON.stringify(canonicalString(b));
}

/**
 * Puts the statements into the template's one policy of the family (creating it under the
 * connection's condition), unless a resource policy of the template already allows each request.
 * Called by `applyGrant` (`apply.ts`).
 */
export function applyLogsPolicy(ctx: RuleContext, c: Connection, g: LogsPolicyGrant, t: GrantTally): void {
  const model = ctx.model;
  const cond = neededCondition(ctx, c, g.logGroup);
  const known = 'condition' in cond ? cond.condition : model.condition(c.source);
  const policies = model.idsOfType(LOGS_RESOURCE_POLICY);
  const readable = policies.filter((id) => model.conditionImplies(known, model.condition(id))).map((id) => logsPolicyStatements(model.get(id, ['Properties', 'PolicyDocument'])) ?? []);
  // Literal spellings (`arn:aws:logs:us-east-1:123456789012:log-group:…`) count, as for every grant (`withLiteralRequest`).
  const missing = g.statements.filter((s) => {
    const request = withLiteralRequest(ctx, s.request);
    return !readable.some((statements) => statements.some((st) => statementAllows(st, request)));
  });
  if (missing.length === 0) return;
  const what = missing.map((s) => s.detail).join('; ');
  if ('why' in cond) {
    const why = `no AWS::Logs::ResourcePolicy lets ${c.principal ?? 'the service'} write to ${g.logGroup} for ${c.source}, and none was added: ${cond.why}; add a condition that is their Fn::And and a resource policy under it (${what})`;
    ctx.finding(c.source, c.path, 'warning', why);
    t.problems.push(why);
    return;
  }
  const name = policyName(g, cond.condition);
  const ours = policies.find((id) => model.condition(id) === cond.condition && sameValue(model.get(id, ['Properties', 'PolicyName']), name));
  if (ours === undefined) {
    const document = logsPolicyDocument(missing.map((s) => s.statement));
    if (document === undefined) {
      const why = `the resource policy for ${c.source} → ${g.logGroup} cannot be written as a JSON string (a value is computed at deploy time): ${what}`;
      ctx.finding(c.source, c.path, 'warning', why);
      t.problems.push(why);
      return;
    }
    const detail = `AWS::Logs::ResourcePolicy, one for every EventBridge log target of this stack (CloudWatch Logs allows 10 per account and Region): ${what}`;
    const id = ctx.createResource(g.shared.owner, `${g.shared.suffix}${cond.condition ?? ''}`, { Type: LOGS_RESOURCE_POLICY, Properties: { PolicyName: name, PolicyDocument: document } }, detail, { condition: cond.condition ?? null });
    t.added.push(`resource policy ${id}: ${what}`);
    return;
  }
  const current = logsPolicyStatements(model.get(ours, ['Properties', 'PolicyDocument']));
  const merged = current === undefined ? undefined : [...current];
  if (merged !== undefined) {
    for (const s of missing) {
      const at = merged.findIndex((st) => isObject(st) && st.Sid === s.statement.Sid);
      if (at >= 0) merged[at] = s.statement;
      else merged.push(s.statement);
    }
  }
  const document = merged === undefined ? undefined : logsPolicyDocument(merged);
  if (document === undefined) {
    const why = `${ours}'s PolicyDocument cannot be read or rewritten here, so nothing was added to it: ${what}`;
    ctx.finding(ours, 'Properties.PolicyDocument', 'warning', why);
    t.problems.push(why);
    return;
  }
  ctx.set(ours, ['Properties', 'PolicyDocument'], document, what);
  t.added.push(`resource policy ${ours}: ${what}`);
}
