/**
 * Options. A template-level macro receives no `params` (CloudFormation passes them only to
 * `Fn::Transform`), so options come from three places, later ones winning:
 * 1. the function's environment (`TAP_HARDENING_DEFAULTS`, a JSON object: organisation defaults);
 * 2. the template's `Metadata.TapHardening` (every key but `Report`, which the macro writes);
 * 3. a resource's `Metadata.TapHardening.Skip` (per-resource suppressions with a reason).
 * Unknown keys and bad values are errors: a typo must not silently turn hardening off.
 */
import type { Problem } from './errors';
import { getOwn, hasOwn, isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import type { Rule } from '../rules/types';

export type Mode = 'fix' | 'report';

export interface Options {
  mode: Mode;
  /** Rule ids switched on or off explicitly; rules not listed are on. */
  rules: Record<string, boolean>;
  /** Rule settings by name, parsed. */
  settings: Record<string, Json>;
  /** What the KMS preflight does with keys outside the template. */
  externalKeys: 'fail' | 'warn' | 'off';
  /**
   * True when a rule may change a property of an input resource whose update replaces it
   * (DESIGN.md invariant 4); each such change is then reported as a warning instead of failing.
   */
  allowReplacement: boolean;
}

/** The key under the template's (and a resource's) Metadata that TapHardening reads. */
export const METADATA_KEY = 'TapHardening';
/** The key under `Metadata.TapHardening` that the macro writes and never reads. */
export const REPORT_KEY = 'Report';

/** Engine-level option names; rules add their own settings. */
const ENGINE_KEYS = ['Mode', 'Rules', 'ExternalKeys', 'AllowReplacement'];

/** A resource's request to skip one rule. */
export interface Suppression {
  rule: string;
  reason: string;
}

/**
 * Reads and merges options from the environment and the template.
 *
 * @example
 * resolveOptions(rules, '{"Mode":"report"}', { TapHardening: { Rules: { 'S3-003': false } } }, problems);
 * // → { mode: 'report', rules: { 'S3-003': false }, settings: {} }
 */
export function resolveOptions(rules: readonly Rule[], envDefaults: string | undefined, templateMetadata: Json | undefined, problems: Problem[]): Options {
  const options: Options = { mode: 'fix', rules: {}, settings: {}, externalKeys: 'warn', allowReplacement: false };
  const settings = new Map(rules.flatMap((r) => (r.settings ?? []).map((s) => [s.name, s] as const)));
  const ruleIds = new Set(rules.map((r) => r.id));

  const apply = (source: JsonObject, where: string): void => {
    for (const key of Object.keys(source)) {
      if (where !== 'TAP_HARDENING_DEFAULTS' && key === REPORT_KEY) continue;
      const value = source[key];
      const at = where === 'TAP_HARDENING_DEFAULTS' ? `${where}.${key}` : `Metadata.${METADATA_KEY}.${key}`;
      if (key === 'Mode') {
        if (value === 'fix' || value === 'report') options.mode = value;
        else problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: `must be "fix" or "report", not ${JSON.stringify(value)}` });
      } else if (key === 'ExternalKeys') {
        if (value === 'fail' || value === 'warn' || value === 'off') options.externalKeys = value;
        else problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: `must be "fail", "warn" or "off", not ${JSON.stringify(value)}` });
      } else if (key === 'AllowReplacement') {
        if (typeof value === 'boolean') options.allowReplacement = value;
        else problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: `must be true or false, not ${JSON.stringify(value)}` });
      } else if (key === 'Rules') {
        if (!isObject(value)) {
          problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: 'must map rule ids to true or false, e.g. {"S3-003": false}' });
          continue;
        }
        for (const id of Object.keys(value)) {
          const on = value[id];
          if (!ruleIds.has(id)) problems.push({ rule: 'OPTIONS', resource: '-', path: `${at}.${id}`, message: `is not a rule id (known: ${[...ruleIds].join(', ')})` });
          else if (typeof on !== 'boolean') problems.push({ rule: 'OPTIONS', resource: '-', path: `${at}.${id}`, message: 'must be true or false' });
          else options.rules[id] = on;
        }
      } else {
        const spec = settings.get(key);
        if (!spec) {
          problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: `is not a TapHardening option (known: ${[...ENGINE_KEYS, ...settings.keys()].join(', ')})` });
          continue;
        }
        try {
          options.settings[key] = spec.parse(value);
        } catch (e) {
          problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: (e as Error).message });
        }
      }
    }
  };

  if (envDefaults !== undefined && envDefaults.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(envDefaults);
    } catch (e) {
      problems.push({ rule: 'OPTIONS', resource: '-', path: 'TAP_HARDENING_DEFAULTS', message: `is not JSON: ${(e as Error).message}` });
    }
    if (parsed !== undefined && !isObject(parsed)) problems.push({ rule: 'OPTIONS', resource: '-', path: 'TAP_HARDENING_DEFAULTS', message: 'must be a JSON object' });
    else if (isObject(parsed)) apply(parsed, 'TAP_HARDENING_DEFAULTS');
  }
  if (isObject(templateMetadata)) {
    const own = getOwn(templateMetadata, METADATA_KEY);
    if (own !== undefined && !isObject(own)) problems.push({ rule: 'OPTIONS', resource: '-', path: `Metadata.${METADATA_KEY}`, message: 'must be a mapping of options' });
    else if (own !== undefined) apply(own, 'template');
  }
  return options;
}

/**
 * The rules each resource asked to skip, from `Metadata.TapHardening.Skip: [{Rule, Reason}]`.
 * A reason is required (as in cdk-nag suppressions) and the rule id must exist.
 */
export function readSuppressions(model: TemplateModel, ruleIds: ReadonlySet<string>, problems: Problem[]): Map<string, Suppression[]> {
  const out = new Map<string, Suppression[]>();
  for (const id of model.ids()) {
    const meta = model.get(id, ['Metadata', METADATA_KEY]);
    if (meta === undefined) continue;
    const path = `Metadata.${METADATA_KEY}`;
    if (!isObject(meta)) {
      problems.push({ rule: 'OPTIONS', resource: id, path, message: 'must be a mapping with a Skip list' });
      continue;
    }
    for (const key of Object.keys(meta)) {
      if (key !== 'Skip') problems.push({ rule: 'OPTIONS', resource: id, path: `${path}.${key}`, message: 'is not known here (a resource takes only Skip)' });
    }
    const skip = getOwn(meta, 'Skip');
    if (skip === undefined) continue;
    if (!Array.isArray(skip)) {
      problems.push({ rule: 'OPTIONS', resource: id, path: `${path}.Skip`, message: 'must be a list of {Rule, Reason}' });
      continue;
    }
    const list: Suppression[] = [];
    skip.forEach((entry, i) => {
      const at = `${path}.Skip[${i}]`;
      if (!isObject(entry) || typeof entry.Rule !== 'string') {
        problems.push({ rule: 'OPTIONS', resource: id, path: at, message: 'must be {Rule: <rule id>, Reason: <why>}' });
      } else if (!ruleIds.has(entry.Rule)) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Rule`, message: `${entry.Rule} is not a rule id` });
      } else if (!hasOwn(entry, 'Reason') || typeof entry.Reason !== 'string' || entry.Reason.trim().length < 3) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Reason`, message: `skipping ${entry.Rule} needs a Reason that says why` });
      } else {
        list.push({ rule: entry.Rule, reason: entry.Reason.trim() });
      }
    });
    if (list.length) out.set(id, list);
  }
  return out;
}
