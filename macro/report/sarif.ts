/**
 * SARIF 2.1.0, shaped like cfn-lint's (`cfnlint/formatters/sarif.py`): one run, the tool as
 * `driver` with its rules, and one result per report record with the rule id, a level, a
 * message and the file, line and column of the resource in the source template.
 *
 * Levels (SARIF 2.1.0 §3.27.10 knows error, warning, note, none):
 * - a finding keeps its severity: error → `error`, warning → `warning`, info → `note`;
 * - a change the macro makes (or, in report mode, would make) is a `note`: the template as
 *   written lacks it, but deploying through the macro fixes it, so it is worth seeing inline and
 *   not worth failing a build on; `--check` is the gate for "the template would change";
 * - a skip the template asked for is a `note` carrying an in-source SARIF suppression with the
 *   reason, so code scanning lists it as suppressed rather than open;
 * - a problem that stopped the run (unreadable template, engine error) is an `error`, and the
 *   invocation is marked unsuccessful.
 *
 * What code scanning needs on top ("SARIF support for code scanning", GitHub Docs):
 * - file URIs relative to the repository root (`SRCROOT`, declared in `originalUriBaseIds`),
 *   which is what GitHub resolves them against, whatever directory tap-harden ran in;
 * - `helpUri` an https link to the rule's documentation for this release;
 * - `security-severity` and `tags` per rule (rule-ranking.ts), so alerts are ranked;
 * - findings only by default: a change the macro makes at deploy time is not an alert (with
 *   `changes: true`, `--sarif-changes`, they come as notes, as before);
 * - at most 5,000 results per run (GitHub keeps no more): errors, then warnings, then notes are
 *   kept, and a run-level notification says how many were left out;
 * - `partialFingerprints` from what the result is about (file, rule, resource, path, action and
 *   its occurrence), never its line, so an alert keeps its identity when lines move.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative as relativePath, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleDocUrl } from './docs-url';
import type { Gate } from './gate';
import { isChange, type ReportRecord } from './records';
import type { FileProblem, FileResult, RuleInfo } from './results';
import { ruleRanking } from './rule-ranking';
import { VERSION } from '../version';

/** The schema location cfn-lint writes; the same 2.1.0 schema tests/fixtures/sarif holds. */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/cos02/schemas/sarif-schema-2.1.0.json';

/** Where relative artifact URIs start: the repository root (the git top level, or --sarif-root). */
const URI_BASE_ID = 'SRCROOT';

/** GitHub code scanning accepts at most 5,000 results per run. */
export const MAX_RESULTS = 5000;

/** Ids the engine reports under that are not rules in the registry. */
const ENGINE_IDS: Record<string, { title: string; rationale: string }> = {
  PARSE: { title: 'Template is readable', rationale: 'The file is not a well-formed YAML or JSON CloudFormation template, so nothing was hardened.' },
  TEMPLATE: { title: 'Template is well formed', rationale: 'The template breaks a rule of the CloudFormation template format (a resource without Type, a Resources section that is not a mapping) that the engine checks before any rule runs.' },
  OPTIONS: { title: 'TapHardening options are valid', rationale: 'An option in Metadata.TapHardening or TAP_HARDENING_DEFAULTS is unknown or has a bad value; a typo must not turn hardening off silently.' },
  INVARIANT: { title: 'Hardened template keeps the engine invariants', rationale: 'The hardened template would break an invariant (a dependency cycle, a dangling reference, a CloudFormation limit), so the run failed instead of returning it.' },
  ENGINE: { title: 'Template is processed in the expected order and size', rationale: 'Something the macro passes through unhardened (Fn::ForEach, un-expanded SAM resources) or a processed template that outgrows the inline limit.' },
};

export interface SarifOptions {
  rules: readonly RuleInfo[];
  /** Absolute URI of docs/rules.md; rule anchors are appended (`#s3-002`). */
  docsUrl: string;
  /** The directory relative file names are relative to; default: the process's. */
  cwd?: string;
  /** The directory artifact URIs are relative to (SRCROOT): the repository root; default: `cwd`. */
  root?: string;
  /** Also report the changes the macro makes (as notes); default: findings, suppressions and problems only. */
  changes?: boolean;
  /** The run's verdict, so `executionSuccessful` and `exitCode` agree with the exit code. */
  gate?: Gate;
  /** Results per run; default and maximum MAX_RESULTS. */
  maxResults?: number;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Renders results as a SARIF 2.1.0 log.
 *
 * @example
 * renderSarif([{ file: 'stack.yaml', status: 'changed', report, positions }], { rules: RULES, docsUrl });
 */
export function renderSarif(results: readonly FileResult[], options: SarifOptions): string {
  const from = options.cwd ?? process.cwd();
  const root = options.root ?? from;
  const uriOf = (file: string): string => artifactUri(file, root, from);
  const known = new Map(options.rules.map((r) => [r.id, r]));
  // Every rule that ran (the rule set of this version), then any engine id a result uses.
  const ids: string[] = [];
  const add = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const r of results) for (const id of r.report?.rules ?? []) add(id);
  let sarifResults: JsonObject[] = [];
  for (const file of results) {
    const records = file.report?.records ?? [];
    const seen = new Map<string, number>();
    records.forEach((record, i) => {
      if (!options.changes && isChange(record)) return;
      add(record.rule);
      const result = recordResult(file, record, file.positions?.[i] ?? null, uriOf);
      const key = `${uriOf(file.file)}\u0000${record.rule}\u0000${record.resource}\u0000${record.path}\u0000${record.action}`;
      const occurrence = (seen.get(key) ?? 0) + 1;
      seen.set(key, occurrence);
      result.partialFingerprints = { 'tapHardeningRecord/v2': createHash('sha256').update(`${key}\u0000${occurrence}`).digest('hex').slice(0, 32) };
      sarifResults.push(result);
    });
    for (const p of file.problems ?? []) {
      add(p.rule);
      sarifResults.push(problemResult(file, p, uriOf));
    }
  }
  const limit = Math.min(options.maxResults ?? MAX_RESULTS, MAX_RESULTS);
  const leftOut = Math.max(0, sarifResults.length - limit);
  if (leftOut > 0) sarifResults = mostSevere(sarifResults, limit);
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));
  for (const r of sarifResults) r.ruleIndex = ruleIndex.get(r.ruleId as string) ?? -1;

  const docs = options.docsUrl.replace(/#.*$/, '');
  const descriptors = ids.map((id): JsonObject => {
    const rule = known.get(id);
    if (rule) {
      const ranking = ruleRanking(id);
      const help = ruleDocUrl(docs, id);
      return {
        id,
        name: id,
        shortDescription: { text: rule.title },
        fullDescription: { text: rule.rationale },
        helpUri: help,
        help: { text: `${rule.title}. ${rule.rationale} See ${help}`, markdown: `**${rule.title}.** ${rule.rationale} [Rule documentation](${help})` },
        defaultConfiguration: { level: 'note' },
        properties: { 'security-severity': ranking.securitySeverity, tags: ranking.tags },
      };
    }
    const engine = ENGINE_IDS[id];
    return {
      id,
      name: id,
      shortDescription: { text: engine?.title ?? id },
      fullDescription: { text: engine?.rationale ?? `Reported by TapHardening under ${id}.` },
      defaultConfiguration: { level: id === 'ENGINE' ? 'warning' : 'error' },
      properties: { tags: ['reliability', 'cloudformation'] },
    };
  });
  const failed = options.gate ? options.gate.code === 2 : results.some((r) => r.status === 'failed');
  const invocation: JsonObject = { executionSuccessful: !failed };
  if (options.gate) invocation.exitCode = options.gate.code;
  if (leftOut > 0) {
    invocation.toolExecutionNotifications = [
      {
        level: 'warning',
        descriptor: { id: 'TAPH-RESULTS-LIMIT' },
        message: { text: `${leftOut} of ${leftOut + limit} results were left out: code scanning accepts at most ${limit} per run. The most severe were kept (errors, then warnings, then notes); the JSON report (--report json) has every record.` },
      },
    ];
  }
  const version = results.find((r) => r.report)?.report?.version ?? VERSION;
  const log: JsonObject = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tap-harden',
            fullName: `TapHardening ${version}`,
            version,
            semanticVersion: version,
            informationUri: docs,
            shortDescription: { text: 'Hardens CloudFormation templates so they deploy first time and meet a security baseline, and reports every change.' },
            rules: descriptors,
          },
        },
        invocations: [invocation],
        originalUriBaseIds: { [URI_BASE_ID]: { uri: directoryUri(root), description: { text: 'The root of the repository that holds the templates (git top level, or --sarif-root).' } } },
        results: sarifResults,
        properties: {
          tapHardening: {
            version,
            rules: results.find((r) => r.report)?.report?.rules ?? [],
            files: results.map((r) => ({ file: r.file, status: r.status, ...(r.report ? { mode: r.report.mode } : {}) })),
            ...(leftOut > 0 ? { resultsLeftOut: leftOut } : {}),
          },
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Results sorted by level (error, warning, note), the first `limit` kept, in their first order. */
function mostSevere(results: JsonObject[], limit: number): JsonObject[] {
  const rank = (r: JsonObject): number => (r.level === 'error' ? 0 : r.level === 'warning' ? 1 : 2);
  const kept = results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .slice(0, limit)
    .sort((a, b) => a.i - b.i);
  return kept.map((k) => k.r);
}

/** The root as a directory URI (ending in `/`, as SARIF requires of a base). */
function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function level(record: ReportRecord): 'error' | 'warning' | 'note' {
  if (record.action !== 'finding') return 'note';
  if (record.severity === 'error') return 'error';
  return record.severity === 'warning' ? 'warning' : 'note';
}

function message(record: ReportRecord): string {
  const where = `${record.resource === '-' ? 'template' : record.resource}${record.path ? ` ${record.path}` : ''}`;
  const fix = record.hint ? ` (fix: ${record.hint})` : '';
  if (record.action === 'finding') return `${where}: ${record.detail}${fix}`;
  if (record.action === 'suppressed') return `${where}: rule skipped for this resource: ${record.detail}`;
  return `${where}: ${record.action}: ${record.detail}${fix}`;
}

function location(file: string, resource: string, path: string, position: { line: number; column: number } | null, uriOf: (file: string) => string): JsonObject {
  const uri = uriOf(file);
  const physical: JsonObject = { artifactLocation: /^file:/.test(uri) ? { uri } : { uri, uriBaseId: URI_BASE_ID } };
  // A record about the template as a whole points at its first line.
  physical.region = position ? { startLine: position.line, startColumn: position.column } : { startLine: 1, startColumn: 1 };
  const out: JsonObject = { physicalLocation: physical };
  if (resource && resource !== '-') {
    out.logicalLocations = [{ name: resource, fullyQualifiedName: `Resources.${resource}${path && path !== '-' ? `.${path}` : ''}`, kind: 'resource' }];
  }
  return out;
}

/**
 * A file as a SARIF artifact URI: relative to `root` (forward slashes, each segment
 * percent-encoded) when it is inside it, as code scanning expects, else an absolute file URI.
 * A relative file name is taken from `from` (the directory tap-harden ran in).
 */
export function artifactUri(file: string, root: string, from: string = root): string {
  if (file === '<stdin>' || file === '-') return 'stdin';
  const absolute = isAbsolute(file) ? file : resolvePath(from, file);
  const relative = relativePath(root, absolute);
  if (relative === '' || relative.startsWith('..') || isAbsolute(relative)) return pathToFileURL(absolute).href;
  return relative
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function recordResult(file: FileResult, record: ReportRecord, position: { line: number; column: number } | null, uriOf: (file: string) => string): JsonObject {
  const result: JsonObject = {
    ruleId: record.rule,
    level: level(record),
    kind: record.action === 'finding' || isChange(record) || record.action === 'suppressed' ? 'fail' : 'informational',
    message: { text: message(record) },
    locations: [location(file.file, record.resource, record.path, position, uriOf)],
    properties: { action: record.action, resource: record.resource, path: record.path, ...(file.report ? { mode: file.report.mode } : {}) },
  };
  if (record.action === 'suppressed') result.suppressions = [{ kind: 'inSource', state: 'accepted', justification: record.detail }];
  return result;
}

function problemResult(file: FileResult, problem: FileProblem, uriOf: (file: string) => string): JsonObject {
  return {
    ruleId: problem.rule,
    level: 'error',
    kind: 'fail',
    message: { text: `${problem.resource === '-' ? 'template' : problem.resource}${problem.path && problem.path !== '-' ? ` ${problem.path}` : ''}: ${problem.message}` },
    locations: [location(file.file, problem.resource, problem.path, problem.position ?? null, uriOf)],
    properties: { resource: problem.resource, path: problem.path },
  };
}
