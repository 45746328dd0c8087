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
 */
import { isAbsolute, relative as relativePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isChange, type ReportRecord } from './records';
import type { FileProblem, FileResult, RuleInfo } from './results';
import { VERSION } from '../version';

/** The schema location cfn-lint writes; the same 2.1.0 schema tests/fixtures/sarif holds. */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/cos02/schemas/sarif-schema-2.1.0.json';

/** Where relative artifact URIs start: the directory tap-harden ran in (cfn-lint's convention). */
const URI_BASE_ID = 'EXECUTIONROOT';

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
  /** The directory artifact URIs are relative to (EXECUTIONROOT); default: the process's. */
  cwd?: string;
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
  const cwd = options.cwd ?? process.cwd();
  const known = new Map(options.rules.map((r) => [r.id, r]));
  // Every rule that ran (the rule set of this version), then any engine id a result uses.
  const ids: string[] = [];
  const add = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const r of results) for (const id of r.report?.rules ?? []) add(id);
  const sarifResults: JsonObject[] = [];
  for (const file of results) {
    const records = file.report?.records ?? [];
    records.forEach((record, i) => {
      add(record.rule);
      sarifResults.push(recordResult(file, record, file.positions?.[i] ?? null, cwd));
    });
    for (const p of file.problems ?? []) {
      add(p.rule);
      sarifResults.push(problemResult(file, p, cwd));
    }
  }
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));
  for (const r of sarifResults) r.ruleIndex = ruleIndex.get(r.ruleId as string) ?? -1;

  const docs = options.docsUrl.replace(/#.*$/, '');
  const descriptors = ids.map((id): JsonObject => {
    const rule = known.get(id);
    if (rule) {
      return {
        id,
        name: id,
        shortDescription: { text: rule.title },
        fullDescription: { text: rule.rationale },
        helpUri: `${docs}#${id.toLowerCase()}`,
        help: { text: `${rule.title}. ${rule.rationale} See ${docs}#${id.toLowerCase()}`, markdown: `**${rule.title}.** ${rule.rationale} [Rule documentation](${docs}#${id.toLowerCase()})` },
        defaultConfiguration: { level: 'note' },
      };
    }
    const engine = ENGINE_IDS[id];
    return {
      id,
      name: id,
      shortDescription: { text: engine?.title ?? id },
      fullDescription: { text: engine?.rationale ?? `Reported by TapHardening under ${id}.` },
      defaultConfiguration: { level: id === 'ENGINE' ? 'warning' : 'error' },
    };
  });
  const failed = results.some((r) => r.status === 'failed');
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
        invocations: [{ executionSuccessful: !failed }],
        originalUriBaseIds: { [URI_BASE_ID]: { description: { text: 'The directory in which tap-harden was run.' } } },
        results: sarifResults,
        properties: {
          tapHardening: {
            version,
            rules: results.find((r) => r.report)?.report?.rules ?? [],
            files: results.map((r) => ({ file: r.file, status: r.status, ...(r.report ? { mode: r.report.mode } : {}) })),
          },
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
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

function location(file: string, resource: string, path: string, position: { line: number; column: number } | null, cwd: string): JsonObject {
  const uri = artifactUri(file, cwd);
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
 * A file as a SARIF artifact URI: relative to `cwd` (forward slashes, each segment
 * percent-encoded) when it is inside it, as code scanning expects, else an absolute file URI.
 */
export function artifactUri(file: string, cwd: string): string {
  if (file === '<stdin>' || file === '-') return 'stdin';
  let relative = file;
  if (isAbsolute(file)) {
    relative = relativePath(cwd, file);
    if (relative.startsWith('..') || isAbsolute(relative)) return pathToFileURL(file).href;
  }
  return relative
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function recordResult(file: FileResult, record: ReportRecord, position: { line: number; column: number } | null, cwd: string): JsonObject {
  const result: JsonObject = {
    ruleId: record.rule,
    level: level(record),
    kind: record.action === 'finding' || isChange(record) || record.action === 'suppressed' ? 'fail' : 'informational',
    message: { text: message(record) },
    locations: [location(file.file, record.resource, record.path, position, cwd)],
    partialFingerprints: { 'tapHardeningRecord/v1': `${record.rule}:${record.resource}:${record.path}:${record.action}` },
    properties: { action: record.action, resource: record.resource, path: record.path, ...(file.report ? { mode: file.report.mode } : {}) },
  };
  if (record.action === 'suppressed') result.suppressions = [{ kind: 'inSource', state: 'accepted', justification: record.detail }];
  return result;
}

function problemResult(file: FileResult, problem: FileProblem, cwd: string): JsonObject {
  return {
    ruleId: problem.rule,
    level: 'error',
    kind: 'fail',
    message: { text: `${problem.resource === '-' ? 'template' : problem.resource}${problem.path && problem.path !== '-' ? ` ${problem.path}` : ''}: ${problem.message}` },
    locations: [location(file.file, problem.resource, problem.path, problem.position ?? null, cwd)],
    properties: { resource: problem.resource, path: problem.path },
  };
}
