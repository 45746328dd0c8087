/**
 * The engine: validate → read options → rules in order → invariant checks → report. It never
 * mutates its input, never returns a half-hardened template (any problem throws one
 * `HardeningError` listing every problem), and is deterministic: the same input and options give
 * byte-identical output.
 */
import { HardeningError, RuleError, type Problem } from './errors';
import { checkInvariants, LIMITS } from './invariants';
import { METADATA_KEY, REPORT_KEY, readSuppressions, resolveOptions, type Mode, type Options, type Suppression } from './options';
import { validateTemplate } from './validate';
import { RULES } from '../rules';
import type { Rule, RuleContext } from '../rules/types';
import { isChange, summarize, type Report, type ReportRecord, type Severity } from '../report/records';
import { addDependsOn } from '../template/depends-on';
import { deepClone, formatPath, getOwn, hasOwn, isObject, setOwn, type Json, type JsonObject } from '../template/json';
import { newLogicalId } from '../template/logical-ids';
import { TemplateModel } from '../template/model';
import { ensureStatement, findPolicies } from '../template/policies';
import { VERSION } from '../version';
import { checkExternalKeys, type KeyCheckOptions, type KeyCheckRequest } from '../preflight/kms';

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
}

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
  sourceBytes: number;
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
 * the check. The KMS client is loaded only when there is a key to check.
 *
 * @throws HardeningError as `harden` does, and for preflight problems in `fail` mode.
 */
export async function hardenWithPreflight(input: HardenInput, read?: KeyCheckOptions['read']): Promise<HardenResult> {
  const run = runRules(input);
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
  if (run.hasResources) writeReport(run.output, run.report, run.sourceBytes);
  return { template: run.output, report: run.report, changed: run.changed };
}

function runRules(input: HardenInput): Run {
  const rules = input.rules ?? RULES;
  const problems = validateTemplate(input.template);
  if (problems.length) throw new HardeningError(problems);
  const source = input.template as JsonObject;
  const options = resolveOptions(rules, input.defaults, getOwn(source, 'Metadata'), problems);
  const report: Report = { version: VERSION, mode: options.mode, rules: rules.filter((r) => enabled(r, options)).map((r) => r.id), records: [] };
  const keyChecks: KeyCheckRequest[] = [];
  if (!hasOwn(source, 'Resources')) {
    if (problems.length) throw new HardeningError(problems);
    return { output: deepClone(source), report, changed: false, options, sourceBytes: 0, keyChecks, hasResources: false };
  }

  const model = new TemplateModel(source, parameterStrings(input.parameterValues));
  const suppressions = readSuppressions(model, new Set(rules.map((r) => r.id)), problems);
  if (problems.length) throw new HardeningError(problems);

  flagPassThrough(model, report.records);
  const addedEdges = new Map<string, string>();
  for (const rule of rules) {
    if (!enabled(rule, options)) continue;
    const ctx = contextFor(rule, model, options, input, report.records, addedEdges, suppressions, keyChecks);
    for (const id of model.idsOfType(...rule.resourceTypes)) {
      const skip = suppressions.get(id)?.find((s) => s.rule === rule.id);
      if (skip) {
        report.records.push({ rule: rule.id, resource: id, action: 'suppressed', path: `Metadata.${METADATA_KEY}.Skip`, detail: skip.reason });
        continue;
      }
      try {
        const properties = model.get(id, ['Properties']);
        const condition = model.condition(id);
        rule.apply({ id, type: model.type(id) as string, properties: isObject(properties) ? properties : {}, ...(condition ? { condition } : {}) }, ctx);
      } catch (e) {
        problems.push(toProblem(rule, id, e));
      }
    }
  }
  problems.push(...checkInvariants(model, addedEdges));
  if (problems.length) throw new HardeningError(problems);

  const changed = report.records.some(isChange);
  const output = options.mode === 'fix' ? model.doc : deepClone(source);
  return { output, report, changed, options, sourceBytes: byteSize(source), keyChecks, hasResources: true };
}

function enabled(rule: Rule, options: Options): boolean {
  return options.rules[rule.id] !== false;
}

function parameterStrings(values: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!values || typeof values !== 'object') return out;
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.map(String).join(',');
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
 * (when SAM runs after it). Neither is an error, but what they generate is not hardened.
 */
function flagPassThrough(model: TemplateModel, records: ReportRecord[]): void {
  for (const key of Object.keys(model.resources)) {
    if (key.startsWith('Fn::ForEach::')) {
      records.push({ rule: 'ENGINE', resource: key, action: 'finding', severity: 'warning', path: '', detail: 'Fn::ForEach is not expanded yet: list AWS::LanguageExtensions before TapHardening in Transform so the resources it generates are hardened' });
    }
  }
  for (const id of model.ids()) {
    if ((model.type(id) ?? '').startsWith('AWS::Serverless::')) {
      records.push({ rule: 'ENGINE', resource: id, action: 'finding', severity: 'warning', path: 'Type', detail: `${model.type(id)} is not expanded yet: list TapHardening after AWS::Serverless-2016-10-31 in Transform so the resources SAM generates are hardened` });
    }
  }
}

function contextFor(rule: Rule, model: TemplateModel, options: Options, input: HardenInput, records: ReportRecord[], addedEdges: Map<string, string>, suppressions: ReadonlyMap<string, readonly Suppression[]>, keyChecks: KeyCheckRequest[]): RuleContext {
  const record = (resource: string, action: ReportRecord['action'], path: string, detail: string, severity?: Severity): void => {
    records.push(severity ? { rule: rule.id, resource, action, path, detail, severity } : { rule: rule.id, resource, action, path, detail });
  };
  const declared = (type: string, path: string): void => {
    const where = path ? `${type} ${path}` : type;
    if (!rule.changes.some((c) => where === c || where.startsWith(`${c}.`) || where.startsWith(`${c}[`) || (path && c === type))) {
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
    setting: (name) => options.settings[name],
    skips: (resource) => suppressions.get(resource)?.some((s) => s.rule === rule.id) ?? false,
    set(resource, path, value, detail) {
      const at = formatPath(path);
      declared(model.type(resource) ?? '?', at);
      const before = model.get(resource, path);
      const edgesBefore = new Set(model.edges(resource));
      model.set(resource, path, value);
      noteNewEdges(resource, edgesBefore);
      record(resource, before === undefined ? 'added' : 'updated', at, detail);
    },
    ensureStatement(kind, target, statement, detail) {
      const existing = findPolicies(model, kind, target)[0];
      const edgesBefore = new Set(existing === undefined ? [] : model.edges(existing));
      const outcome = ensureStatement(model, kind, target, statement);
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
      const id = newLogicalId(owner, suffix, (x) => model.isResource(x) || hasOwn(model.resources, x));
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
      if (key.value === undefined) {
        record(resource, 'finding', path, `the key comes from parameter ${key.parameter ?? '?'}, whose value is not known here, so it was not checked`, 'info');
      } else if (!keyChecks.some((c) => c.resource === resource && c.key === key.value && c.service === service)) {
        keyChecks.push({ rule: rule.id, resource, path, key: key.value, service });
      }
    },
    finding(resource, path, severity, detail) {
      record(resource, 'finding', path, detail, severity);
    },
    fail(resource, path, message): never {
      throw new RuleError(resource, path, message);
    },
  };
  return ctx;
}

function byteSize(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** Compact enough for the 51,200-byte inline template limit: a summary and the first records. */
const REPORT_ITEMS = 50;

/**
 * Writes the compact report to `Metadata.TapHardening.Report`, afresh on every run, and checks
 * the size limits of the processed template.
 */
function writeReport(output: JsonObject, report: Report, inputBytes: number): void {
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
  const size = byteSize(output);
  if (size > LIMITS.templateBytes) {
    throw new HardeningError([{ rule: 'INVARIANT', resource: '-', path: '-', message: `the processed template is ${size} bytes; CloudFormation allows ${LIMITS.templateBytes}` }]);
  }
  if (size > LIMITS.inlineTemplateBytes && inputBytes <= LIMITS.inlineTemplateBytes) {
    const warning: ReportRecord = { rule: 'ENGINE', resource: '-', action: 'finding', severity: 'warning', path: '', detail: `the processed template grew to ${size} bytes, over the ${LIMITS.inlineTemplateBytes}-byte limit for a template body sent inline: deploy it from S3` };
    report.records.push(warning);
    compact.Findings = counts.findings + 1;
    (compact.Items as Json[]).push(compactRecord(warning));
  }
}

function compactRecord(r: ReportRecord): string {
  const text = `${r.rule} ${r.resource}${r.path ? ` ${r.path}` : ''}: ${r.action === 'finding' ? `${r.severity} ` : `${r.action} `}${r.detail}`;
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

export type { Mode };
