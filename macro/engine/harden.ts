/**
 * The engine: validate → read options → rules in order → invariant checks → report. It never
 * mutates its input, never returns a half-hardened template (any problem throws one
 * `HardeningError` listing every problem), and is deterministic: the same input and options give
 * byte-identical output.
 */
import { HardeningError, RuleError, type Problem } from './errors';
import { checkInvariants, checkReplacements, LIMITS } from './invariants';
import { METADATA_KEY, REPORT_KEY, readSuppressions, resolveOptions, utcDay, type Mode, type Options, type Suppression } from './options';
import { validateTemplate } from './validate';
import { RULES } from '../rules';
import type { Rule, RuleContext } from '../rules/types';
import { isChange, summarize, type Report, type ReportRecord, type Severity } from '../report/records';
import { reportItem } from '../report/metadata';
import { transformAdvice } from '../sam/transform-order';
import type { ConnectionRecord } from '../report/connections';
import { addDependsOn } from '../template/depends-on';
import { deepClone, formatPath, getOwn, hasOwn, isObject, setOwn, type Json, type JsonObject } from '../template/json';
import { intrinsicName, references } from '../template/intrinsics';
import { LogicalIdAllocator } from '../template/logical-ids';
import { TemplateModel } from '../template/model';
import { ensureStatement, findPolicies } from '../template/policies';
import { VERSION } from '../version';
import { checkExternalKeys, keyNotUsed, type KeyCheckOptions, type KeyCheckRequest } from '../preflight/kms';
import { apiGatewayAccountState, type ApiGatewayAccountState, type ReadAccount } from '../preflight/apigateway';

export interface HardenInput {
  /** The template (the macro's fragment). Not mutated. */
  template: Json;
  /** Organisation defaults: the `TAP_HARDENING_DEFAULTS` JSON. */
  defaults?: string;
  region?: string;
  accountId?: string;
  /** The deploy's parameter values (the macro event's templateParameterValues). */
  parameterValues?: Record<string, unknown>;
  /** The rules to run, in order; the registry by default (tests pass others). */
  rules?: readonly Rule[];
  /** The run's date, `YYYY-MM-DD` (UTC), which a Skip's `Until` is compared with; default: today. */
  today?: string;
  /** What the account says about its API Gateway CloudWatch role (set by `hardenWithPreflight`). */
  apiGatewayAccount?: ApiGatewayAccountState;
  /**
   * Called with each rule's decision (off, skipped for a resource, what it recorded), for the
   * Lambda's debug log. Unset, the engine builds no message: the hook costs nothing when off.
   */
  debug?: DebugHook;
}

/** One rule decision: the rule, the resource (`-` for the template), and what happened. */
export type DebugHook = (decision: { rule: string; resource: string; decision: 'disabled' | 'suppressed' | 'applied' | 'failed'; records?: ReportRecord[]; reason?: string }) => void;

export interface HardenResult {
  /** The hardened template (or, in report mode, the input with the report added). */
  template: JsonObject;
  report: Report;
  /** True when a rule changed (or, in report mode, would change) the template. */
  changed: boolean;
}

/** A run up to the report: what `harden` and `hardenWithPreflight` share. */
interface Run {
  output: JsonObject;
  report: Report;
  changed: boolean;
  options: Options;
  /** The input, whose size matters only when the output outgrows the inline limit. */
  source: JsonObject;
  /** Keys outside the template that the rules asked to have checked live. */
  keyChecks: KeyCheckRequest[];
  /** False for a fragment without Resources, which comes back as it was, with no report. */
  hasResources: boolean;
}

/**
 * Hardens a template.
 *
 * @throws HardeningError listing every problem, when the input is malformed, an option is wrong,
 * a rule cannot harden a resource, or the result would break an invariant.
 * @example
 * const { template, report } = harden({ template: { Resources: { Data: { Type: 'AWS::S3::Bucket' } } } });
 */
export function harden(input: HardenInput): HardenResult {
  const run = runRules(input);
  for (const c of run.keyChecks) {
    run.report.records.push({ rule: c.rule, resource: c.resource, action: 'finding', severity: 'info', path: c.path, detail: `key ${c.key} is outside the template and was not checked live here (the macro checks it at deploy; the CLI with --preflight)` });
  }
  return finish(run);
}

/**
 * Hardens a template and checks the keys outside it live (the KMS preflight), as the option
 * `ExternalKeys` says: `warn` (default) reports what it finds, `fail` fails the run, `off` skips
 * the check. The KMS client is loaded only when there is a key to check. Before the rules, the
 * API Gateway account preflight asks whether the account already has a CloudWatch role, when a
 * stage of the template logs (preflight/apigateway.ts; `readAccount` replaces the live read).
 *
 * @throws HardeningError as `harden` does, and for preflight problems in `fail` mode.
 */
export async function hardenWithPreflight(input: HardenInput, read?: KeyCheckOptions['read'], readAccount?: ReadAccount): Promise<HardenResult> {
  // Before the rules: APIGW-001 adds the account-wide Account only when the account has no role.
  const account = await apiGatewayAccountState(input.template, { ...(input.region ? { region: input.region } : {}), ...(input.defaults !== undefined ? { defaults: input.defaults } : {}) }, readAccount);
  const run = runRules(account ? { ...input, apiGatewayAccount: account } : input);
  const mode = run.options.externalKeys;
  if (run.keyChecks.length && mode !== 'off') {
    const region = input.region ?? 'us-east-1';
    const { records, problems } = await checkExternalKeys(run.keyChecks, read ? { region, mode, read } : { region, mode });
    if (problems.length) throw new HardeningError(problems);
    run.report.records.push(...records);
  } else {
    for (const c of run.keyChecks) {
      run.report.records.push({ rule: c.rule, resource: c.resource, action: 'finding', severity: 'info', path: c.path, detail: `key ${c.key} is outside the template; not checked (ExternalKeys: off)` });
    }
  }
  return finish(run);
}

function finish(run: Run): HardenResult {
  if (run.hasResources) writeReport(run.output, run.report, run.source);
  return { template: run.output, report: run.report, changed: run.changed };
}

/**
 * Runs the rules; when two new resources asked for the same logical id, runs again with that id
 * contested, so both get ids of their own whatever the template's order (template/logical-ids.ts).
 * The input is never mutated, so a second run starts from the same template. Each further run
 * needs a collision the one before did not have; three are more than any template needs.
 */
function runRules(input: HardenInput): Run {
  let contested: ReadonlySet<string> = new Set();
  for (let pass = 1; ; pass++) {
    const ids = new LogicalIdAllocator(contested);
    const run = runRulesOnce(input, ids);
    const collisions = ids.collisions();
    if (collisions.size === contested.size || pass >= 3) return run;
    contested = collisions;
  }
}

function runRulesOnce(input: HardenInput, newIds: LogicalIdAllocator): Run {
  const rules = input.rules ?? RULES;
  const problems = validateTemplate(input.template);
  if (problems.length) throw new HardeningError(problems);
  const source = input.template as JsonObject;
  const options = resolveOptions(rules, input.defaults, getOwn(source, 'Metadata'), problems);
  const report: Report = { version: VERSION, mode: options.mode, rules: rules.filter((r) => enabled(r, options)).map((r) => r.id), records: [] };
  const keyChecks: KeyCheckRequest[] = [];
  if (!hasOwn(source, 'Resources')) {
    if (problems.length) throw new HardeningError(problems);
    return { output: deepClone(source), report, changed: false, options, source, keyChecks, hasResources: false };
  }

  const model = new TemplateModel(source, parameterStrings(input.parameterValues));
  const { active: suppressions, expired } = readSuppressions(model, new Set(rules.map((r) => r.id)), problems, { today: input.today ?? utcDay(new Date()), locked: options.locked });
  // A resource cannot skip a rule about the template as a whole: say so rather than ignore it.
  for (const [id, list] of suppressions) {
    for (const s of list) {
      if (rules.find((r) => r.id === s.rule)?.apply === undefined) {
        problems.push({ rule: 'OPTIONS', resource: id, path: `Metadata.${METADATA_KEY}.Skip`, message: `${s.rule} applies to the template as a whole, not to one resource: turn it off with Metadata.${METADATA_KEY}.Rules: {${s.rule}: false}` });
      }
    }
  }
  if (problems.length) throw new HardeningError(problems);

  flagPassThrough(model, report.records);
  const addedEdges = new Map<string, string>();
  const debug = input.debug;
  const connections: ConnectionRecord[] = [];
  for (const rule of rules) {
    if (!enabled(rule, options)) {
      debug?.({ rule: rule.id, resource: '-', decision: 'disabled', reason: 'turned off by the options' });
      continue;
    }
    const ctx = contextFor(rule, model, options, input, report.records, addedEdges, suppressions, keyChecks, newIds, connections);
    if (rule.applyTemplate) {
      const before = report.records.length;
      try {
        const parameters = getOwn(model.doc, 'Parameters');
        rule.applyTemplate({ parameters: isObject(parameters) ? parameters : {} }, ctx);
        debug?.({ rule: rule.id, resource: '-', decision: 'applied', records: report.records.slice(before) });
      } catch (e) {
        problems.push(toProblem(rule, '-', e));
        debug?.({ rule: rule.id, resource: '-', decision: 'failed', reason: (problems[problems.length - 1] as Problem).message });
      }
    }
    if (!rule.apply) continue;
    const ids = rule.resourceTypes.includes('*') ? model.ids() : model.idsOfType(...rule.resourceTypes);
    for (const id of ids) {
      const skip = suppressions.get(id)?.find((s) => s.rule === rule.id);
      if (skip) {
        report.records.push({ rule: rule.id, resource: id, action: 'suppressed', path: `Metadata.${METADATA_KEY}.Skip`, detail: skip.until ? `${skip.reason} (until ${skip.until})` : skip.reason });
        debug?.({ rule: rule.id, resource: id, decision: 'suppressed', reason: skip.reason });
        continue;
      }
      const lapsed = expired.get(id)?.find((s) => s.rule === rule.id);
      if (lapsed) {
        report.records.push({ rule: rule.id, resource: id, action: 'finding', severity: 'warning', path: `${lapsed.path}.Until`, detail: `the Skip of ${rule.id} expired after ${lapsed.until}, so the rule applies again (its reason was: ${lapsed.reason})`, hint: 'let the rule fix the resource, or renew the Skip with a later Until if the reason still holds' });
      }
      const before = report.records.length;
      try {
        const properties = model.get(id, ['Properties']);
        const condition = model.condition(id);
        rule.apply({ id, type: model.type(id) as string, properties: isObject(properties) ? properties : {}, ...(condition ? { condition } : {}) }, ctx);
        debug?.({ rule: rule.id, resource: id, decision: 'applied', records: report.records.slice(before) });
      } catch (e) {
        problems.push(toProblem(rule, id, e));
        debug?.({ rule: rule.id, resource: id, decision: 'failed', reason: (problems[problems.length - 1] as Problem).message });
      }
    }
  }
  // A rule that already failed on a resource's path said it more clearly than the invariant can.
  const failed = new Set(problems.map((p) => `${p.resource} ${p.path}`));
  problems.push(...checkInvariants(model, addedEdges).filter((p) => !failed.has(`${p.resource} ${p.path}`)));
  if (!problems.length) problems.push(...checkReplacements(source, model, report.records, rules, options.allowReplacement));
  if (problems.length) throw new HardeningError(problems);

  if (connections.length) report.connections = connections;
  const changed = report.records.some(isChange);
  const output = options.mode === 'fix' ? model.doc : deepClone(source);
  return { output, report, changed, options, source, keyChecks, hasResources: true };
}

function enabled(rule: Rule, options: Options): boolean {
  return options.rules[rule.id] !== false;
}

function parameterStrings(values: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!values || typeof values !== 'object') return out;
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    // A List parameter's value; anything else is not a parameter value (and String() of a deeply
    // nested list would overflow the stack).
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) out[k] = v.map(String).join(',');
  }
  return out;
}

function toProblem(rule: Rule, id: string, e: unknown): Problem {
  if (e instanceof RuleError) return { rule: rule.id, resource: e.resource, path: e.path, message: e.message };
  // A crashing rule is a reported error naming itself, never a crash of the macro.
  return { rule: rule.id, resource: id, path: '-', message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

/**
 * Entries the macro passes through untouched and reports: `Fn::ForEach` loops (when
 * AWS::LanguageExtensions runs after the macro) and un-expanded `AWS::Serverless::*` resources
 * (when SAM runs after it). Neither is an error, but what they generate is not hardened; the
 * advice reads the template's Transform and is given only when the order is wrong.
 */
function flagPassThrough(model: TemplateModel, records: ReportRecord[]): void {
  const forEach = Object.keys(model.resources).filter((key) => key.startsWith('Fn::ForEach::'));
  const serverless = model.ids().flatMap((id) => ((model.type(id) ?? '').startsWith('AWS::Serverless::') ? [{ id, type: model.type(id) as string }] : []));
  records.push(...transformAdvice(model.doc, serverless, forEach));
}

function contextFor(rule: Rule, model: TemplateModel, options: Options, input: HardenInput, records: ReportRecord[], addedEdges: Map<string, string>, suppressions: ReadonlyMap<string, readonly Suppression[]>, keyChecks: KeyCheckRequest[], ids: LogicalIdAllocator, connections: ConnectionRecord[]): RuleContext {
  const record = (resource: string, action: ReportRecord['action'], path: string, detail: string, severity?: Severity, hint?: string): void => {
    const r: ReportRecord = { rule: rule.id, resource, action, path, detail };
    if (severity) r.severity = severity;
    if (hint) r.hint = hint;
    records.push(r);
  };
  /** `type` undefined: a write outside Resources, at a path from the template's root. */
  // Rules write the same few paths over and over: each answer is worked out once per run.
  const checked = new Map<string, boolean>();
  const declared = (type: string | undefined, path: string): void => {
    const key = `${type ?? ''}\u0000${path}`;
    let ok = checked.get(key);
    if (ok === undefined) checked.set(key, (ok = declares(rule.changes, type, path)));
    if (!ok) {
      const where = type === undefined ? path : path ? `${type} ${path}` : type;
      throw new Error(`${rule.id} wrote ${where}, which it does not declare in its changes`);
    }
  };
  /** Remembers the dependency edges of `resource` that this rule's write added, so a cycle names the rule. */
  const noteNewEdges = (resource: string, before: ReadonlySet<string>): void => {
    for (const to of model.edges(resource)) {
      if (!before.has(to) && !addedEdges.has(`${resource}>${to}`)) addedEdges.set(`${resource}>${to}`, rule.id);
    }
  };
  const ctx: RuleContext = {
    model,
    ...(input.region ? { region: input.region } : {}),
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(input.apiGatewayAccount ? { apiGatewayAccount: input.apiGatewayAccount } : {}),
    setting: (name) => options.settings[name],
    skips: (resource) => suppressions.get(resource)?.some((s) => s.rule === rule.id) ?? false,
    set(resource, path, value, detail, hint) {
      const at = formatPath(path);
      declared(model.type(resource) ?? '?', at);
      // `Properties: !If [C, {...}, {...}]` is valid CloudFormation, but its properties exist only
      // at deploy time: nothing can be written into them (found by the handler fuzzer).
      const computed = path[0] === 'Properties' && path.length > 1 ? intrinsicName(model.get(resource, ['Properties'])) : undefined;
      if (computed === 'Ref' || computed?.startsWith('Fn::')) {
        record(resource, 'finding', at, `not written, as Properties is one ${computed} computed at deploy time (put the ${computed} around single property values to have them hardened): ${detail}`, 'warning');
        return;
      }
      const before = model.get(resource, path);
      // The edges a write adds are the resources its value names (or, under DependsOn, lists).
      const had = model.edges(resource);
      const named = path[0] === 'DependsOn' ? (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : []) : ['Metadata', 'Type', 'Condition'].includes(String(path[0])) ? [] : references(value).map((r) => r.name);
      const fresh = [...new Set(named)].filter((to) => to !== resource && model.isResource(to) && !had.has(to));
      model.set(resource, path, value);
      for (const to of fresh) if (!addedEdges.has(`${resource}>${to}`)) addedEdges.set(`${resource}>${to}`, rule.id);
      record(resource, before === undefined ? 'added' : 'updated', at, detail, undefined, hint);
    },
    remove(resource, path, detail, hint) {
      declared(model.type(resource) ?? '?', formatPath(path));
      if (model.remove(resource, path) === undefined) throw new Error(`${rule.id} removed ${resource} ${formatPath(path)}, which does not exist`);
      const last = path[path.length - 1];
      record(resource, 'removed', formatPath(typeof last === 'number' ? path.slice(0, -1) : path), detail, undefined, hint);
    },
    setTemplate(path, value, detail, hint) {
      const at = formatPath(path);
      declared(undefined, at);
      const before = model.getTemplate(path);
      model.setTemplate(path, value);
      record('-', before === undefined ? 'added' : 'updated', at, detail, undefined, hint);
    },
    ensureStatement(kind, target, statement, detail, options) {
      const existing = findPolicies(model, kind, target)[0];
      const edgesBefore = new Set(existing === undefined ? [] : model.edges(existing));
      const outcome = ensureStatement(model, kind, target, statement, { ...options, newId: (owner, suffix, taken) => ids.allocate(owner, suffix, taken) });
      if (outcome.status === 'added') {
        noteNewEdges(outcome.policyId, outcome.policyId === existing ? edgesBefore : new Set());
        declared(model.type(outcome.policyId) ?? '?', outcome.created && kind !== 'key' ? '' : outcome.path);
        if (outcome.created && kind !== 'key') record(outcome.policyId, 'created', '', `${model.type(outcome.policyId)} for ${target}: ${detail}`);
        else record(outcome.policyId, 'statement', outcome.path, `${outcome.sid}: ${detail}`);
      } else if (outcome.status === 'blocked') {
        record(outcome.policyId, 'finding', '', `cannot add ${String(statement.Sid)} (${detail}): ${outcome.reason}`, 'warning');
      }
      return outcome;
    },
    dependsOn(from, to, detail) {
      const outcome = addDependsOn(model, from, to);
      if (outcome.added) {
        declared(model.type(from) ?? '?', 'DependsOn');
        addedEdges.set(`${from}>${to}`, rule.id);
        record(from, 'depends-on', 'DependsOn', `${to}: ${detail}`);
      } else if (outcome.reason === 'conditional' || outcome.reason === 'cycle') {
        const why = outcome.reason === 'cycle' ? `${to} already depends on ${from}, so the edge would close a cycle` : `${to} has Condition ${model.condition(to)}, which ${from}'s condition does not imply (cfn-lint E3005)`;
        record(from, 'finding', 'DependsOn', `not made to depend on ${to} (${detail}): ${why}`, 'warning');
      }
      return outcome;
    },
    createResource(owner, suffix, body, detail, options) {
      const id = ids.allocate(owner, suffix, (x) => model.isResource(x) || hasOwn(model.resources, x));
      const typed = body.Type;
      declared(typeof typed === 'string' ? typed : '?', '');
      const condition = options !== undefined && 'condition' in options ? (options.condition ?? undefined) : model.condition(owner);
      const withCondition: JsonObject = condition !== undefined && body.Condition === undefined ? { Type: body.Type, Condition: condition, ...body } : body;
      model.addResource(id, withCondition);
      noteNewEdges(id, new Set());
      record(id, 'created', '', detail);
      return id;
    },
    checkKey(resource, path, key, service) {
      const skipped = keyNotUsed(model, resource, key.when ?? [], input);
      if (skipped !== undefined) {
        record(resource, 'finding', path, `key ${key.value ?? `from parameter ${key.parameter ?? '?'}`} not checked: ${skipped}`, 'info');
      } else if (key.value === undefined) {
        record(resource, 'finding', path, `the key comes from parameter ${key.parameter ?? '?'}, whose value is not known here, so it was not checked`, 'info');
      } else if (!keyChecks.some((c) => c.resource === resource && c.key === key.value && c.service === service)) {
        keyChecks.push({ rule: rule.id, resource, path, key: key.value, service });
      }
    },
    finding(resource, path, severity, detail, hint) {
      record(resource, 'finding', path, detail, severity, hint);
    },
    connection(entry) {
      connections.push(entry);
    },
    fail(resource, path, message): never {
      throw new RuleError(resource, path, message);
    },
  };
  return ctx;
}

/**
 * Whether a rule's `changes` declare a write. A declaration is a `Type Path` prefix
 * (`AWS::S3::Bucket Properties.BucketEncryption`; `*` as the type or as a path segment matches
 * any), a bare type (a resource it may create, or anything on that type), or a path from the
 * template's root for writes outside Resources (`Parameters.*.AllowedPattern`).
 */
function declares(changes: readonly string[], type: string | undefined, path: string): boolean {
  return changes.some((c) => {
    const space = c.indexOf(' ');
    if (type === undefined) return space < 0 && !c.includes('::') && covers(c, path);
    if (space < 0) return c === type;
    const declaredType = c.slice(0, space);
    return (declaredType === type || declaredType === '*') && path !== '' && covers(c.slice(space + 1), path);
  });
}

/** True when `path` is the declared path or lies under it. */
function covers(declared: string, path: string): boolean {
  const pattern = declared
    .split('.')
    .map((seg) => (seg === '*' ? '[^.[]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('\\.');
  return new RegExp(`^${pattern}(?:$|[.[])`).test(path);
}

function byteSize(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Whether a text is more than `limit` bytes in UTF-8. A character takes one to three bytes, so the
 * length often decides without counting the bytes of a large text (which costs about as much as
 * serialising it).
 */
function exceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text) > limit;
}

/**
 * Whether a template's JSON text is at most `limit` bytes, serialising it a resource at a time
 * and stopping once past the limit: a large template is not serialised whole a second time.
 */
function fitsIn(template: JsonObject, limit: number): boolean {
  let size = 2; // {}
  for (const [i, key] of Object.keys(template).entries()) {
    const value = template[key];
    size += (i > 0 ? 1 : 0) + byteSize(key) + 1;
    if (key === 'Resources' && isObject(value)) {
      size += 2;
      for (const [j, id] of Object.keys(value).entries()) {
        size += (j > 0 ? 1 : 0) + byteSize(id) + 1 + byteSize(value[id]);
        if (size > limit) return false;
      }
    } else {
      size += byteSize(value);
    }
    if (size > limit) return false;
  }
  return true;
}

/** Compact enough for the 51,200-byte inline template limit: a summary and the first records. */
const REPORT_ITEMS = 50;

/**
 * Writes the compact report to `Metadata.TapHardening.Report`, afresh on every run, and checks
 * the size limits of the processed template.
 */
function writeReport(output: JsonObject, report: Report, input: JsonObject): void {
  const counts = summarize(report);
  const items = report.records.slice(0, REPORT_ITEMS).map((r) => compactRecord(r));
  if (report.records.length > REPORT_ITEMS) items.push(`… and ${report.records.length - REPORT_ITEMS} more in the macro's log`);
  const compact: JsonObject = {
    Version: VERSION,
    Mode: report.mode,
    Rules: report.rules.join(' '),
    Changes: counts.changes,
    Findings: counts.findings,
    Suppressed: counts.suppressed,
    Items: items,
  };
  let metadata = getOwn(output, 'Metadata');
  if (!isObject(metadata)) {
    metadata = {};
    setOwn(output, 'Metadata', metadata);
  }
  let own = getOwn(metadata, METADATA_KEY);
  if (!isObject(own)) {
    own = {};
    setOwn(metadata, METADATA_KEY, own);
  }
  setOwn(own, REPORT_KEY, compact);
  const text = JSON.stringify(output);
  if (exceeds(text, LIMITS.templateBytes)) {
    throw new HardeningError([{ rule: 'INVARIANT', resource: '-', path: '-', message: `the processed template is ${Buffer.byteLength(text)} bytes; CloudFormation allows ${LIMITS.templateBytes}` }]);
  }
  if (exceeds(text, LIMITS.inlineTemplateBytes) && fitsIn(input, LIMITS.inlineTemplateBytes)) {
    const size = Buffer.byteLength(text);
    const warning: ReportRecord = { rule: 'ENGINE', resource: '-', action: 'finding', severity: 'warning', path: '', detail: `the processed template grew to ${size} bytes, over the ${LIMITS.inlineTemplateBytes}-byte limit for a template body sent inline: deploy it from S3` };
    report.records.push(warning);
    compact.Findings = counts.findings + 1;
    (compact.Items as Json[]).push(compactRecord(warning));
  }
}

/** One record, as one line the template can hold (see reportItem: quoted, never read as an intrinsic). */
function compactRecord(r: ReportRecord): string {
  return reportItem(r);
}

export type { Mode };
