/**
 * Policy statements: whether one already present covers one a rule wants to add, so that a
 * statement the user wrote under another Sid (or in another spelling) counts as present.
 *
 * "Covers" is structural, not an IAM evaluator: same effect; every wanted principal, action and
 * resource is matched by the existing statement (wildcards in actions honoured); and the existing
 * statement has no condition the wanted one lacks (fewer conditions apply more broadly).
 */
import { canonicalString } from './intrinsics';
import { canonical, isObject, type Json, type JsonObject } from './json';

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Principals as `type → canonical values`; `"*"` is `{AWS: "*"}`. */
function principals(stmt: JsonObject): Map<string, Set<string>> | 'none' {
  const p = stmt.Principal;
  const out = new Map<string, Set<string>>();
  if (p === undefined) return 'none';
  if (p === '*') {
    out.set('AWS', new Set(['"*"']));
    return out;
  }
  if (!isObject(p)) {
    out.set('?', new Set([canonical(p)]));
    return out;
  }
  for (const type of Object.keys(p)) out.set(type, new Set(list(p[type]).map((v) => canonical(canonicalString(v)))));
  return out;
}

function principalsCover(have: JsonObject, want: JsonObject): boolean {
  const h = principals(have);
  const w = principals(want);
  if (h === 'none' || w === 'none') return h === w;
  if (h.get('AWS')?.has('"*"')) return true;
  for (const [type, values] of w) {
    const hv = h.get(type);
    if (!hv) return false;
    for (const v of values) if (!hv.has(v)) return false;
  }
  return true;
}

/**
 * IAM's wildcard match (`*` any run, `?` one character, case-insensitive), in O(pattern × value)
 * time at worst. A pattern turned into a backtracking regex (`*?*?*?…*Z` → `^.*..*..*.….*Z$`)
 * took seconds to minutes on a user's policy (found by the handler fuzzer).
 *
 * @example
 * wildcardMatch('kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext'); // true
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let i = 0;
  let j = 0;
  // Where the last `*` was, and where in the value it started matching: on a mismatch, that star
  // takes one more character and matching resumes after it (earlier stars never need to move).
  let star = -1;
  let resume = 0;
  while (j < v.length) {
    if (i < p.length && (p[i] === '?' || p[i] === v[j]) && p[i] !== '*') {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      resume = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

function actionsCover(have: JsonObject, want: JsonObject): boolean {
  if (have.NotAction !== undefined || want.NotAction !== undefined) return canonical(have.NotAction) === canonical(want.NotAction) && have.Action === undefined;
  const h = list(have.Action).filter((a): a is string => typeof a === 'string');
  return list(want.Action).every((a) => typeof a === 'string' && h.some((p) => wildcardMatch(p, a)));
}

function resourcesCover(have: JsonObject, want: JsonObject): boolean {
  if (have.NotResource !== undefined || want.NotResource !== undefined) return canonical(have.NotResource) === canonical(want.NotResource);
  const h = new Set(list(have.Resource).map((r) => canonical(canonicalString(r))));
  if (h.has('"*"')) return true;
  return list(want.Resource).every((r) => h.has(canonical(canonicalString(r))));
}

/** Condition entries as canonical `operator|key|values` strings (keys are case-insensitive). */
function conditionEntries(stmt: JsonObject): Set<string> | undefined {
  const c = stmt.Condition;
  const out = new Set<string>();
  if (c === undefined) return out;
  if (!isObject(c)) return undefined;
  for (const op of Object.keys(c)) {
    const block = c[op];
    if (!isObject(block)) return undefined;
    for (const key of Object.keys(block)) {
      const values = list(block[key])
        .map((v) => (typeof v === 'boolean' || typeof v === 'number' ? String(v) : v))
        .map((v) => canonical(canonicalString(v)))
        .sort();
      out.add(`${op}|${key.toLowerCase()}|${values.join(',')}`);
    }
  }
  return out;
}

function conditionsCover(have: JsonObject, want: JsonObject): boolean {
  const h = conditionEntries(have);
  const w = conditionEntries(want);
  if (!h || !w) return canonical(have.Condition) === canonical(want.Condition);
  for (const entry of h) if (!w.has(entry)) return false;
  return true;
}

/**
 * True when `have` grants (or denies) at least what `want` does, under no extra condition.
 *
 * @example
 * statementCovers(
 *   { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [...], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
 *   { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [...], Condition: { Bool: { 'aws:SecureTransport': false } } },
 * ); // true
 */
export function statementCovers(have: Json, want: JsonObject): boolean {
  if (!isObject(have)) return false;
  return (
    have.Effect === want.Effect &&
    principalsCover(have, want) &&
    actionsCover(have, want) &&
    resourcesCover(have, want) &&
    conditionsCover(have, want)
  );
}
