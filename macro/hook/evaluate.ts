/**
 * The hook's judgement of one template, made by the macro's own engine: it runs the rules exactly
 * as the macro would (same options, same organisation settings, `Locked` included) and reads the
 * report. It never changes the template; CloudFormation Hooks can only warn or fail.
 *
 * A template fails when
 * 1. the macro could not harden it (bad options, a locked setting changed, a rule that cannot
 *    apply): the macro would fail it at deploy too, so the author must fix it by hand;
 * 2. it has error findings: what the macro reports but must not fix (a literal password, …);
 * 3. the macro would change it and it does not declare `Transform: <MacroName>`: the stack would
 *    go out without what the macro adds. Declaring the transform (or making the changes by hand)
 *    fixes it.
 * The message says this in that order, most important first, within the 4,096 characters Hooks
 * keep; each finding is also an annotation with its own remediation and severity.
 *
 * Response fields: "Create Lambda functions to evaluate resources for Lambda Hooks", CloudFormation
 * Hooks User Guide (`hookStatus`, `errorCode` NonCompliant | InternalFailure, `message` truncated
 * to 4096 characters, `annotations` with `annotationName`, `status` PASSED | FAILED | SKIPPED,
 * `statusMessage`, `remediationMessage`, `remediationLink`, `severityLevel` INFORMATIONAL | LOW |
 * MEDIUM | HIGH | CRITICAL).
 */
import { HardeningError, formatProblem, type Problem } from '../engine/errors';
import { harden } from '../engine/harden';
import { isChange, type ReportRecord } from '../report/records';
import { isObject, type Json } from '../template/json';
import { parseTemplate } from '../template/yaml';

export type SeverityLevel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface HookAnnotation {
  annotationName: string;
  status: 'PASSED' | 'FAILED' | 'SKIPPED';
  statusMessage: string;
  remediationMessage?: string;
  remediationLink?: string;
  severityLevel: SeverityLevel;
}

export interface Verdict {
  compliant: boolean;
  /** Set when the template could not be evaluated at all (the hook's InternalFailure). */
  internal?: boolean;
  message: string;
  annotations: HookAnnotation[];
  /** Counts for the log line. */
  counts: { problems: number; errors: number; changes: number; warnings: number; suppressed: number; declared: boolean };
}

export interface EvaluateOptions {
  /** `TAP_HARDENING_DEFAULTS`, as the macro reads it. */
  defaults?: string;
  /** The name templates list under Transform (the macro stack's MacroName). */
  macroName: string;
  region?: string;
  accountId?: string;
  /** YYYY-MM-DD (UTC), for Skip expiry. */
  today?: string;
  /** docs/rules.md published somewhere (https), for annotation links. */
  docsUrl?: string;
}

/** Hooks keep at most 4,096 characters of the message for CloudFormation operations. */
export const MAX_MESSAGE = 4096;
/** Annotations kept per response; the rest are counted in a last one. The guide states no limit, the response must stay small. */
export const MAX_ANNOTATIONS = 50;
/** Characters per annotation field. */
const MAX_FIELD = 1000;
/** Items written out in the message per section. */
const MESSAGE_ITEMS = 10;

/** Whether the template lists the macro under Transform (a name or a list of names). */
export function declaresTransform(template: Json, macroName: string): boolean {
  if (!isObject(template)) return false;
  const t = template.Transform;
  const names = Array.isArray(t) ? t : [t];
  return names.some((n) => n === macroName);
}

/**
 * Evaluates a template given as CloudFormation received it (JSON or YAML text).
 *
 * @example
 * evaluateTemplate('Resources:\n  Data:\n    Type: AWS::S3::Bucket\n', { macroName: 'TapHardening' }).compliant; // false
 */
export function evaluateTemplate(text: string, options: EvaluateOptions): Verdict {
  const empty = { problems: 0, errors: 0, changes: 0, warnings: 0, suppressed: 0, declared: false };
  let template: Json;
  try {
    template = parseTemplate(text, { file: 'template' }).value as Json;
  } catch (e) {
    // TemplateParseError names the line and column.
    const why = e instanceof Error ? e.message : String(e);
    return { compliant: false, internal: true, message: clip(`TapHardening could not read the template: ${why}`, MAX_MESSAGE), annotations: [], counts: empty };
  }
  const declared = declaresTransform(template, options.macroName);
  let records: ReportRecord[];
  try {
    records = harden({
      template,
      ...(options.defaults !== undefined ? { defaults: options.defaults } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.accountId ? { accountId: options.accountId } : {}),
      ...(options.today ? { today: options.today } : {}),
    }).report.records;
  } catch (e) {
    if (e instanceof HardeningError) {
      // A broken TAP_HARDENING_DEFAULTS is the platform team's setting, not the template's fault:
      // the hook could not evaluate, so it answers InternalFailure instead of blaming the stack.
      const setting = e.problems.filter((p) => p.path.startsWith('TAP_HARDENING_DEFAULTS'));
      if (setting.length) return { compliant: false, internal: true, message: clip(`TapHardening could not evaluate the template: the organisation defaults (TAP_HARDENING_DEFAULTS) are invalid: ${setting.map((p) => formatProblem(p)).join('; ')}`, MAX_MESSAGE), annotations: [], counts: { ...empty, declared } };
      return cannotHarden(e.problems, declared, options);
    }
    return { compliant: false, internal: true, message: clip(`TapHardening could not evaluate the template: internal error: ${e instanceof Error ? e.message : String(e)}`, MAX_MESSAGE), annotations: [], counts: { ...empty, declared } };
  }

  const errors = records.filter((r) => r.action === 'finding' && r.severity === 'error');
  const warnings = records.filter((r) => r.action === 'finding' && r.severity === 'warning');
  const changes = records.filter(isChange);
  const suppressed = records.filter((r) => r.action === 'suppressed');
  const missing = changes.length > 0 && !declared;
  const counts = { problems: 0, errors: errors.length, changes: changes.length, warnings: warnings.length, suppressed: suppressed.length, declared };
  const link = (rule: string): { remediationLink: string } | object => (options.docsUrl ? { remediationLink: `${options.docsUrl}#${rule.toLowerCase()}` } : {});

  const annotations: HookAnnotation[] = [
    ...errors.map((r) => annotation(r, 'FAILED', 'HIGH', r.hint ?? 'fix this by hand: the macro reports it but must not rewrite it', link(r.rule))),
    ...(missing ? changeAnnotations(changes, errors.length + warnings.length + suppressed.length, options.macroName, link) : []),
    ...warnings.map((r) => annotation(r, 'FAILED', 'LOW', r.hint, link(r.rule))),
    ...suppressed.map((r) => annotation(r, 'SKIPPED', 'INFORMATIONAL', undefined, link(r.rule))),
  ];

  const parts: string[] = [];
  if (errors.length) {
    parts.push(`${plural(errors.length, 'error finding')} to fix by hand: ${items(errors.map(describe))}`);
  }
  if (missing) {
    parts.push(
      `the template does not declare Transform: ${options.macroName}, and the macro would make ${plural(changes.length, 'change')} to it (${byRule(changes)}): add ${options.macroName} to Transform (last, after AWS::Serverless-2016-10-31 if the template uses SAM) so they are made at deploy, or make them by hand (tap-harden <template> writes them out): ${changes.length <= MESSAGE_ITEMS ? items(changes.map(describe)) : items(ruleGroups(changes).map(describeGroup))}`,
    );
  }
  const compliant = parts.length === 0;
  const tail = [warnings.length ? plural(warnings.length, 'warning') : '', suppressed.length ? `${suppressed.length} skipped by the template` : ''].filter(Boolean).join(', ');
  let message: string;
  if (compliant) {
    const why = changes.length ? `it declares Transform: ${options.macroName}, which makes the macro's ${plural(changes.length, 'change')} at deploy` : 'the macro would change nothing';
    message = `TapHardening: compliant: no error findings, and ${why}${tail ? ` (${tail}; see the annotations)` : ''}.`;
  } else {
    message = `TapHardening: not compliant: ${parts.map((p, i) => (parts.length > 1 ? `(${i + 1}) ${p}.` : `${p}.`)).join(' ')}${tail ? ` Also ${tail}; see the annotations.` : ''}`;
  }
  return { compliant, message: clip(message, MAX_MESSAGE), annotations: capped(annotations), counts };
}

/** The macro would fail this template too: each problem is something to fix by hand. */
function cannotHarden(problems: Problem[], declared: boolean, options: EvaluateOptions): Verdict {
  const lines = problems.map(formatProblem);
  const message = `TapHardening: not compliant: the macro cannot harden this template (${plural(problems.length, 'error')}), so it would fail the deploy${declared ? '' : ' once the template declares it'}: fix by hand: ${items(lines)}`;
  const annotations = problems.map<HookAnnotation>((p) => ({
    annotationName: name(p.rule, p.resource),
    status: 'FAILED',
    statusMessage: clip(`${p.path && p.path !== '-' ? `${p.path}: ` : ''}${p.message}`, MAX_FIELD),
    remediationMessage: clip(p.rule === 'OPTIONS' ? 'correct the TapHardening metadata (or the organisation defaults) as the message says' : 'fix the template as the message says', MAX_FIELD),
    ...(options.docsUrl && /^[A-Z0-9]+-\d+$/.test(p.rule) ? { remediationLink: `${options.docsUrl}#${p.rule.toLowerCase()}` } : {}),
    severityLevel: 'HIGH',
  }));
  return { compliant: false, message: clip(message, MAX_MESSAGE), annotations: capped(annotations), counts: { problems: problems.length, errors: 0, changes: 0, warnings: 0, suppressed: 0, declared } };
}

/** The changes a template lacks: one annotation each while they fit, else one per rule. */
function changeAnnotations(changes: readonly ReportRecord[], others: number, macroName: string, link: (rule: string) => object): HookAnnotation[] {
  const remedy = (hint?: string): string => `declare Transform: ${macroName} so the macro makes ${hint === undefined ? 'these changes' : 'this change'} at deploy, or make it by hand${hint ? `: ${hint}` : ''}`;
  if (changes.length + others <= MAX_ANNOTATIONS) return changes.map((r) => annotation(r, 'FAILED', 'MEDIUM', remedy(r.hint ?? ''), link(r.rule)));
  return ruleGroups(changes).map((g) => ({
    annotationName: g.rule,
    status: 'FAILED',
    statusMessage: clip(`would make ${plural(g.records.length, 'change')} to ${plural(g.resources.length, 'resource')} (${g.resources.join(', ')}), e.g. ${describe(g.records[0])}`, MAX_FIELD),
    remediationMessage: clip(remedy(), MAX_FIELD),
    ...link(g.rule),
    severityLevel: 'MEDIUM',
  }));
}

interface RuleGroup {
  rule: string;
  records: ReportRecord[];
  resources: string[];
}

/** Records by rule, in the order the rules ran, with the resources each touches. */
function ruleGroups(records: readonly ReportRecord[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const r of records) {
    let g = groups.get(r.rule);
    if (!g) groups.set(r.rule, (g = { rule: r.rule, records: [], resources: [] }));
    g.records.push(r);
    if (!g.resources.includes(r.resource)) g.resources.push(r.resource);
  }
  return [...groups.values()];
}

function describeGroup(g: RuleGroup): string {
  const names = g.resources.length > 3 ? `${g.resources.slice(0, 3).join(', ')} and ${g.resources.length - 3} more` : g.resources.join(', ');
  return `${g.rule} on ${names}, e.g. ${describe(g.records[0])}`;
}

function annotation(r: ReportRecord, status: HookAnnotation['status'], severityLevel: SeverityLevel, remediation: string | undefined, extra: object): HookAnnotation {
  const what = r.action === 'finding' ? r.severity ?? 'info' : r.action === 'suppressed' ? 'skipped' : `would be ${r.action === 'statement' ? 'given a statement' : r.action === 'depends-on' ? 'made to depend on' : r.action}`;
  return {
    annotationName: name(r.rule, r.resource),
    status,
    statusMessage: clip(`${r.path ? `${r.path}: ` : ''}${what}: ${r.detail}`, MAX_FIELD),
    ...(remediation ? { remediationMessage: clip(remediation, MAX_FIELD) } : {}),
    ...extra,
    severityLevel,
  };
}

function name(rule: string, resource: string): string {
  return clip(`${rule} ${resource === '-' ? '(template)' : resource}`, 256);
}

function describe(r: ReportRecord): string {
  const what = r.action === 'finding' ? '' : `${r.action}: `;
  return `${r.rule} ${r.resource}${r.path ? ` ${r.path}` : ''}: ${what}${r.detail}${r.hint && r.action === 'finding' ? ` (fix: ${r.hint})` : ''}`;
}

/** `S3-001 ×3, S3-002 ×2`, in the order the rules ran. */
function byRule(records: readonly ReportRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.rule, (counts.get(r.rule) ?? 0) + 1);
  return [...counts].map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule)).join(', ');
}

function items(lines: readonly string[]): string {
  const shown = lines.slice(0, MESSAGE_ITEMS).map((l, i) => `[${i + 1}] ${clip(l, 400)}`);
  if (lines.length > MESSAGE_ITEMS) shown.push(`… and ${lines.length - MESSAGE_ITEMS} more (tap-harden <template> lists every one)`);
  return shown.join(' ');
}

function capped(list: HookAnnotation[]): HookAnnotation[] {
  if (list.length <= MAX_ANNOTATIONS) return list;
  const kept = list.slice(0, MAX_ANNOTATIONS - 1);
  const rest = list.slice(MAX_ANNOTATIONS - 1);
  kept.push({
    annotationName: 'TapHardening (more)',
    status: rest.some((a) => a.status === 'FAILED') ? 'FAILED' : 'SKIPPED',
    statusMessage: `${rest.length} more annotations not listed; run tap-harden on the template to see every record`,
    severityLevel: rest[0].severityLevel,
  });
  return kept;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half: the message must stay valid UTF-16.
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
