/**
 * Report renderers: text for a terminal, JSON for machines, Markdown for a pull request and
 * SARIF for code-scanning tools. Each names the macro version and the rule set that ran, so a
 * reviewer can tell which rules produced what they read.
 */
import type { ConnectionRecord } from './connections';
import { hostedDocsUrl } from './docs-url';
import { renderMarkdownReport } from './markdown';
import type { Gate } from './gate';
import { byResource, isChange, summarize, type Report, type ReportRecord } from './records';
import { totals } from './results';

export { totals };
import type { FileResult, RuleInfo } from './results';
import { renderSarif } from './sarif';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'sarif';

export interface RenderOptions {
  /** The rules' titles and rationales, for Markdown's "why" list and SARIF's rule descriptors. */
  rules?: readonly RuleInfo[];
  /** Where docs/rules.md is published; default: the hosted docs of this release (docs-url.ts). */
  docsUrl?: string;
  /** The directory relative file names are relative to; default: the process's. */
  cwd?: string;
  /** The directory SARIF artifact URIs are relative to (the repository root); default: `cwd`. */
  root?: string;
  /** SARIF: report the changes too, not only findings (`--sarif-changes`). */
  sarifChanges?: boolean;
  /** The run's verdict, so SARIF's invocation and the Markdown summary agree with the exit code. */
  gate?: Gate;
  /** Markdown: where the full report is, for the line that says what was left out. */
  fullReport?: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryLine(report: Report): string {
  const s = summarize(report);
  const verb = report.mode === 'report' ? ' that would be made' : '';
  return `${plural(s.changes, 'change')}${verb}, ${plural(s.findings, 'finding')}, ${s.suppressed} suppressed`;
}

function describe(r: ReportRecord): string {
  return r.action === 'finding' ? `${r.severity ?? 'info'}` : r.action;
}

/**
 * Renders the report of one template.
 *
 * @example
 * renderReport(report, 'markdown', 'examples/data-platform.yaml', { rules: RULES });
 */
export function renderReport(report: Report, format: ReportFormat, source?: string, options: RenderOptions = {}): string {
  if (format === 'sarif') {
    return renderSarif([{ file: source ?? '<template>', status: 'unchanged', report }], sarifOptions(options));
  }
  if (format === 'json') {
    return `${JSON.stringify({ version: report.version, mode: report.mode, source: source ?? null, rules: report.rules, summary: summarize(report), records: report.records, ...(report.connections ? { connections: report.connections } : {}) }, null, 2)}\n`;
  }
  if (format === 'markdown') return renderMarkdownReport([{ file: source ?? '', status: report.records.some(isChange) ? 'changed' : 'unchanged', report }], markdownOptions(options), false);
  return renderText(report, source);
}

/**
 * Renders the results of one or more templates as one document: for several files, JSON is
 * `{version, summary, files: [...]}`, Markdown has a section per file under one total, SARIF
 * has one run whose results point into every file, and text has each file's report.
 */
export function renderResults(results: readonly FileResult[], format: ReportFormat, options: RenderOptions = {}): string {
  if (format === 'sarif') return renderSarif(results, sarifOptions(options));
  if (format === 'markdown') return renderMarkdownReport(results, markdownOptions(options), true);
  if (format === 'json') {
    const files = results.map((r) => ({
      source: r.file,
      status: r.status,
      ...(r.report ? { version: r.report.version, mode: r.report.mode, rules: r.report.rules, summary: summarize(r.report), records: r.report.records } : {}),
      ...(r.report?.connections ? { connections: r.report.connections } : {}),
      ...(r.problems ? { problems: r.problems } : {}),
      ...(r.note ? { note: r.note } : {}),
    }));
    return `${JSON.stringify({ version: firstVersion(results), summary: totals(results), files }, null, 2)}\n`;
  }
  return results
    .map((r) => (r.report ? renderText(r.report, r.file) : `TapHardening · ${r.file} · ${r.status}${r.problems ? `\n${r.problems.map((p) => `  ${p.rule} ${p.resource} ${p.path}: ${p.message}`).join('\n')}` : ''}\n`))
    .join('');
}

function markdownOptions(options: RenderOptions) {
  return {
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.docsUrl ? { docsUrl: options.docsUrl } : {}),
    ...(options.gate ? { gate: options.gate } : {}),
    ...(options.fullReport ? { fullReport: options.fullReport } : {}),
  };
}

function sarifOptions(options: RenderOptions) {
  return {
    rules: options.rules ?? [],
    docsUrl: options.docsUrl ?? hostedDocsUrl(),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.root ? { root: options.root } : {}),
    ...(options.sarifChanges ? { changes: true } : {}),
    ...(options.gate ? { gate: options.gate } : {}),
  };
}

function renderText(report: Report, source?: string): string {
  const lines = [`TapHardening ${report.version}${source ? ` · ${source}` : ''} · mode ${report.mode} · rules ${report.rules.join(' ')}`];
  for (const [resource, records] of byResource(report.records)) {
    lines.push(`  ${resource === '-' ? '(template)' : resource}`);
    for (const r of records) {
      lines.push(`    ${r.rule.padEnd(9)} ${describe(r).padEnd(10)} ${r.path ? `${r.path}: ` : ''}${r.detail}`);
      if (r.hint) lines.push(`    ${''.padEnd(9)} ${'fix'.padEnd(10)} ${r.hint}`);
    }
  }
  lines.push(...connectionLines(report.connections));
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** One line per connection: `S3N-002 Uploads → Jobs (s3.amazonaws.com) added: …` / `present: …`. */
function connectionText(c: ConnectionRecord): string {
  const what = c.added.length ? c.added.join('; ') : (c.reason ?? '');
  const why = c.added.length && c.reason ? ` (${c.reason})` : '';
  return `${c.source} → ${c.destination}${c.principal ? ` (${c.principal})` : ''} ${c.status}${what ? `: ${what}` : ''}${why}`;
}

function connectionLines(connections: readonly ConnectionRecord[] | undefined): string[] {
  if (!connections?.length) return [];
  return ['  (connections)', ...connections.map((c) => `    ${c.rule.padEnd(9)} ${connectionText(c)}`)];
}


function firstVersion(results: readonly FileResult[]): string | null {
  return results.find((r) => r.report)?.report?.version ?? null;
}
