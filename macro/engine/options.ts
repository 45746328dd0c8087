/**
 * Options. A template-level macro receives no `params` (CloudFormation passes them only to
 * `Fn::Transform`), so options come from three places, later ones winning:
 * 1. the function's environment (`TAP_HARDENING_DEFAULTS`, a JSON object: organisation defaults);
 * 2. the template's `Metadata.TapHardening` (every key but `Report`, which the macro writes);
 * 3. a resource's `Metadata.TapHardening.Skip` (per-resource suppressions with a reason).
 * Unknown keys and bad values are errors: a typo must not silently turn hardening off.
 */
import type { Problem } from './errors';
import { deepEqual, getOwn, hasOwn, isObject, type Json, type JsonObject } from '../template/json';
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
  /**
   * Rule ids and option names the organisation locked (`TAP_HARDENING_DEFAULTS.Locked`): a
   * template may not change them and a resource may not skip a locked rule.
   */
  locked: ReadonlySet<string>;
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
  /** The last day (YYYY-MM-DD, UTC) the skip holds; after it the rule applies again. */
  until?: string;
}

/** A skip whose `Until` date has passed: the rule applies again and the report says so. */
export interface ExpiredSuppression extends Suppression {
  until: string;
  /** Where the entry is, e.g. `Metadata.TapHardening.Skip[0]`. */
  path: string;
}

/** The skips that hold for this run, by logical id, and the ones that expired. */
export interface Suppressions {
  active: Map<string, Suppression[]>;
  expired: Map<string, ExpiredSuppression[]>;
}

/** The keys a Skip entry may have. */
const SKIP_KEYS = ['Rule', 'Reason', 'Until'];

/** What a reason must have at least: letters or digits that can be seen. */
export const MIN_REASON_CHARACTERS = 10;

/**
 * The letters and digits of a reason that a reader can see: whitespace, punctuation, symbols and
 * invisible characters (format characters such as U+200B, and default-ignorable code points such
 * as the Hangul fillers, which are letters that render as nothing) do not count.
 *
 * @example
 * visibleCharacters('n/a');                  // 2
 * visibleCharacters('Owned by\u200B team'); // 11
 */
export function visibleCharacters(text: string): number {
  let n = 0;
  for (const ch of text) if (/[\p{L}\p{N}]/u.test(ch) && !/\p{Default_Ignorable_Code_Point}/u.test(ch)) n++;
  return n;
}

/** True for `YYYY-MM-DD` naming a day of the calendar (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The run's date as `YYYY-MM-DD` in UTC. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Reads and merges options from the environment and the template.
 *
 * @example
 * resolveOptions(rules, '{"Mode":"report"}', { TapHardening: { Rules: { 'S3-003': false } } }, problems);
 * // → { mode: 'report', rules: { 'S3-003': false }, settings: {} }
 */
export function resolveOptions(rules: readonly Rule[], envDefaults: string | undefined, templateMetadata: Json | undefined, problems: Problem[]): Options {
  const locked = new Set<string>();
  const options: Options = { mode: 'fix', rules: {}, settings: {}, externalKeys: 'warn', allowReplacement: false, locked };
  const settings = new Map(rules.flatMap((r) => (r.settings ?? []).map((s) => [s.name, s] as const)));
  const ruleIds = new Set(rules.map((r) => r.id));

  const apply = (source: JsonObject, where: string): void => {
    const fromTemplate = where !== 'TAP_HARDENING_DEFAULTS';
    // Locked items are checked against what the organisation's defaults made of them.
    const before = fromTemplate && locked.size ? snapshot(options) : undefined;
    for (const key of Object.keys(source)) {
      if (fromTemplate && key === REPORT_KEY) continue;
      const value = source[key];
      const at = fromTemplate ? `Metadata.${METADATA_KEY}.${key}` : `${where}.${key}`;
      if (key === LOCKED_KEY) {
        if (fromTemplate) problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: `only the organisation sets ${LOCKED_KEY} (in TAP_HARDENING_DEFAULTS), not a template` });
        else readLocked(value, at, locked, ruleIds, [...ENGINE_KEYS, ...settings.keys()], problems);
      } else if (key === 'Mode') {
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
    if (before) problems.push(...lockedChanges(before, snapshot(options), source, locked));
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

/** The key of `TAP_HARDENING_DEFAULTS` that lists what templates may not change. */
export const LOCKED_KEY = 'Locked';

function readLocked(value: Json, at: string, locked: Set<string>, ruleIds: ReadonlySet<string>, optionNames: readonly string[], problems: Problem[]): void {
  if (!Array.isArray(value)) {
    problems.push({ rule: 'OPTIONS', resource: '-', path: at, message: 'must be a list of rule ids and option names, e.g. ["Mode", "S3-002"]' });
    return;
  }
  value.forEach((item, i) => {
    if (typeof item === 'string' && (ruleIds.has(item) || optionNames.includes(item))) locked.add(item);
    else problems.push({ rule: 'OPTIONS', resource: '-', path: `${at}[${i}]`, message: `${JSON.stringify(item)} is neither a rule id nor a TapHardening option (options: ${optionNames.join(', ')})` });
  });
}

interface OptionValues {
  mode: Mode;
  externalKeys: Options['externalKeys'];
  allowReplacement: boolean;
  rules: Record<string, boolean>;
  settings: Record<string, Json>;
}

function snapshot(options: Options): OptionValues {
  return { mode: options.mode, externalKeys: options.externalKeys, allowReplacement: options.allowReplacement, rules: { ...options.rules }, settings: { ...options.settings } };
}

/**
 * What a template changed of the locked items: an option set to another value than the
 * organisation's (or the default), a locked rule turned off (or on), any change of `Rules` when
 * `Rules` itself is locked. Setting a locked option to the value it already has changes nothing.
 */
function lockedChanges(before: OptionValues, after: OptionValues, source: JsonObject, locked: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  const at = (key: string): string => `Metadata.${METADATA_KEY}.${key}`;
  const why = (item: string): string => `${item} is locked by the organisation (TAP_HARDENING_DEFAULTS.${LOCKED_KEY}), so a template cannot change it`;
  const engine: Array<[string, unknown, unknown]> = [
    ['Mode', before.mode, after.mode],
    ['ExternalKeys', before.externalKeys, after.externalKeys],
    ['AllowReplacement', before.allowReplacement, after.allowReplacement],
  ];
  for (const [key, was, now] of engine) {
    if (locked.has(key) && hasOwn(source, key) && was !== now) out.push({ rule: 'OPTIONS', resource: '-', path: at(key), message: `${why(key)}: it stays ${JSON.stringify(was)}; remove ${key} from the template` });
  }
  for (const key of Object.keys(after.settings)) {
    if (locked.has(key) && hasOwn(source, key) && !deepEqual(before.settings[key], after.settings[key])) {
      const was = before.settings[key] === undefined ? 'its default' : JSON.stringify(before.settings[key]);
      out.push({ rule: 'OPTIONS', resource: '-', path: at(key), message: `${why(key)}: it stays ${was}; remove ${key} from the template` });
    }
  }
  const templateRules = getOwn(source, 'Rules');
  if (isObject(templateRules)) {
    for (const id of Object.keys(templateRules)) {
      const was = before.rules[id] !== false;
      const now = after.rules[id] !== false;
      if (was === now) continue;
      if (locked.has(id)) out.push({ rule: 'OPTIONS', resource: '-', path: `${at('Rules')}.${id}`, message: `${id} is locked by the organisation (TAP_HARDENING_DEFAULTS.${LOCKED_KEY}), so a template cannot turn it ${now ? 'on' : 'off'}; remove it from Rules` });
      else if (locked.has('Rules')) out.push({ rule: 'OPTIONS', resource: '-', path: `${at('Rules')}.${id}`, message: `${why('Rules')}: remove Rules from the template` });
    }
  }
  return out;
}

/**
 * The rules each resource asked to skip, from `Metadata.TapHardening.Skip: [{Rule, Reason, Until}]`.
 * The rule id must exist and must not be locked by the organisation; the reason must say why in
 * at least ten visible letters or digits (so `n/a`, `...` or invisible characters are refused);
 * `Until: YYYY-MM-DD` (optional) is the last day the skip holds, compared with `today` (UTC);
 * any other key is an error, so a misspelt `Untill` never makes a skip last for ever.
 */
export function readSuppressions(model: TemplateModel, ruleIds: ReadonlySet<string>, problems: Problem[], options: { today: string; locked?: ReadonlySet<string> }): Suppressions {
  const active = new Map<string, Suppression[]>();
  const expired = new Map<string, ExpiredSuppression[]>();
  const locked = options.locked ?? new Set<string>();
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
    const gone: ExpiredSuppression[] = [];
    skip.forEach((entry, i) => {
      const at = `${path}.Skip[${i}]`;
      if (!isObject(entry) || typeof entry.Rule !== 'string') {
        problems.push({ rule: 'OPTIONS', resource: id, path: at, message: 'must be {Rule: <rule id>, Reason: <why>} (and optionally Until: YYYY-MM-DD)' });
        return;
      }
      const unknown = Object.keys(entry).filter((k) => !SKIP_KEYS.includes(k));
      if (unknown.length) {
        problems.push({ rule: 'OPTIONS', resource: id, path: at, message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a key' : 'are not keys'} of a Skip entry (known: ${SKIP_KEYS.join(', ')})` });
        return;
      }
      const rule = entry.Rule;
      if (!ruleIds.has(rule)) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Rule`, message: `${rule} is not a rule id` });
        return;
      }
      if (locked.has(rule)) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Rule`, message: `${rule} is locked by the organisation (TAP_HARDENING_DEFAULTS.${LOCKED_KEY}), so a resource cannot skip it: fix the resource, or ask the platform team to unlock ${rule}` });
        return;
      }
      const reason = getOwn(entry, 'Reason');
      if (typeof reason !== 'string' || visibleCharacters(reason) < MIN_REASON_CHARACTERS) {
        const seen = typeof reason === 'string' ? ` (${JSON.stringify(reason.trim())} has ${visibleCharacters(reason)})` : '';
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Reason`, message: `skipping ${rule} needs a Reason that says why: at least ${MIN_REASON_CHARACTERS} letters or digits${seen}` });
        return;
      }
      const until = getOwn(entry, 'Until');
      if (until !== undefined && (typeof until !== 'string' || !isCalendarDate(until))) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `${at}.Until`, message: `must be a date written YYYY-MM-DD (the last day the skip holds), not ${JSON.stringify(until)}` });
        return;
      }
      const s: Suppression = { rule, reason: reason.trim(), ...(until !== undefined ? { until } : {}) };
      if (until !== undefined && options.today > until) gone.push({ ...s, until, path: at });
      else list.push(s);
    });
    if (list.length) active.set(id, list);
    if (gone.length) expired.set(id, gone);
  }
  return { active, expired };
}
