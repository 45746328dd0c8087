/**
 * "Covers", judged for the concrete connection. A statement already in the policy covers a
 * connection when, for this connection's actual request, it allows it: same principal (or `*`),
 * every action (IAM wildcards honoured), the resource (or `*`, or a pattern matching it), and
 * every one of its conditions is satisfied by the request context this connection sends. A
 * narrower statement (`ArnLike aws:SourceArn arn:…:s3:::${AWS::StackName}-uploads*` for a bucket
 * named `${AWS::StackName}-uploads`; `ArnEquals` on the one log group) therefore counts, by any
 * Sid, and nothing is added beside it (DESIGN.md invariant 7).
 *
 * Values are compared in `Fn::Sub` text (`canonicalString`), so `!Ref AWS::AccountId` and
 * `!Sub '${AWS::AccountId}'` agree; a pattern's `*` matches across a `${…}` of the value (it
 * matches anything there). A condition on a key the request does not carry, or an operator other
 * than String/Arn Equals/Like (with or without `IfExists`), is not known to hold: the statement
 * does not count, and the connection gets its own pinned statement.
 */
import { canonicalString } from '../template/intrinsics';
import { canonical, isObject, type Json, type JsonObject } from '../template/json';
import { wildcardMatch } from '../template/statements';
import type { Request } from './types';

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// Statements are compared with the same few request values over and over: each value's canonical
// form is worked out once (objects by identity; the template's values are not mutated meanwhile
// within one judgement).
const CANON = new WeakMap<object, string>();
const TEXT = new WeakMap<object, string | undefined>();

function canon(value: Json): string {
  if (value === null || typeof value !== 'object') return canonical(canonicalString(value));
  let c = CANON.get(value);
  if (c === undefined) CANON.set(value, (c = canonical(canonicalString(value))));
  return c;
}

/** A value as comparable text: literal text, or the text of its `Fn::Sub`; undefined for other intrinsics. */
function text(value: Json): string | undefined {
  if (value !== null && typeof value === 'object') {
    if (TEXT.has(value)) return TEXT.get(value);
    const t = textOf(value);
    TEXT.set(value, t);
    return t;
  }
  return textOf(value);
}

function textOf(value: Json): string | undefined {
  const c = canonicalString(value);
  if (typeof c === 'string') return c;
  if (typeof c === 'number' || typeof c === 'boolean') return String(c);
  return isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : undefined;
}

function same(a: Json, b: Json): boolean {
  return canon(a) === canon(b);
}

/** A pattern value matches a concrete value: equal, or (for `*`/`?` patterns) a wildcard match of their texts. */
function matches(pattern: Json, value: Json): boolean {
  if (same(pattern, value)) return true;
  const p = text(pattern);
  const v = text(value);
  return p !== undefined && v !== undefined && /[*?]/.test(p) && wildcardMatch(p, v);
}

function principalAllows(statement: JsonObject, principal: Json): boolean {
  const p = statement.Principal;
  if (p === '*') return true;
  if (!isObject(p)) return false;
  if (list(p.AWS).some((v) => v === '*')) return true;
  return list(p.Service).some((v) => same(v, principal));
}

function actionsAllow(statement: JsonObject, actions: readonly string[]): boolean {
  if (statement.Action === undefined) return false;
  const have = list(statement.Action).filter((a): a is string => typeof a === 'string');
  return actions.every((a) => have.some((p) => wildcardMatch(p, a)));
}

/** The values a request's resource takes, one per `Fn::If` branch (an `AWS::NoValue` branch takes none). */
function branches(value: Json): Json[] {
  if (isObject(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) return [...branches(value['Fn::If'][1]), ...branches(value['Fn::If'][2])];
  if (isObject(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

/**
 * The statement names the resource: as written (the same `Fn::If` included), or, for a resource
 * that depends on a condition (a trail's log path with an optional `S3KeyPrefix`), each path it
 * can take: a statement listing both covers it.
 */
function resourceAllows(statement: JsonObject, resources: readonly Json[]): boolean {
  if (statement.Resource === undefined) return false;
  const have = list(statement.Resource);
  const allows = (r: Json) => have.some((h) => h === '*' || matches(h, r));
  return resources.some((r) => {
    if (allows(r)) return true;
    const values = branches(r);
    return values.length > 1 && values.every(allows);
  });
}

const OPERATORS = /^(StringEquals|StringLike|ArnEquals|ArnLike)(IfExists)?$/;

/** Every condition of the statement holds for a request with this context. */
function conditionsHold(statement: JsonObject, context: Request['context']): boolean {
  const c = statement.Condition;
  if (c === undefined) return true;
  if (!isObject(c)) return false;
  const keys = new Map(Object.keys(context).map((k) => [k.toLowerCase(), context[k]]));
  for (const op of Object.keys(c)) {
    const m = OPERATORS.exec(op);
    const block = c[op];
    if (!m || !isObject(block)) return false;
    const pattern = m[1] !== 'StringEquals';
    for (const key of Object.keys(block)) {
      const values = keys.get(key.toLowerCase());
      if (values === undefined) return false;
      const allowed = list(block[key]);
      const holds = values.some((v) => allowed.some((a) => (pattern ? matches(a, v) : same(a, v))));
      if (!holds) return false;
    }
  }
  return true;
}

/**
 * True when `statement` allows the connection's request as it will be made.
 *
 * @example
 * statementAllows(
 *   { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Q', 'Arn'] },
 *     Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}-uploads*' } } } },
 *   { principal: 's3.amazonaws.com', actions: ['sqs:SendMessage'], resources: [{ 'Fn::GetAtt': ['Q', 'Arn'] }],
 *     context: { 'aws:SourceArn': [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}-uploads' }] } },
 * ); // true
 */
export function statementAllows(statement: Json, request: Request): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined || statement.NotResource !== undefined) return false;
  return principalAllows(statement, request.principal) && actionsAllow(statement, request.actions) && resourceAllows(statement, request.resources) && conditionsHold(statement, request.context);
}

/** As `statementAllows`, for a statement of a role's trust policy: no Resource. */
export function trustAllows(statement: Json, request: Request): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined) return false;
  return principalAllows(statement, request.principal) && actionsAllow(statement, request.actions) && conditionsHold(statement, request.context);
}
