/**
 * Report renderers: text for a terminal, JSON for machines, Markdown for a pull request and
 * SARIF for code-scanning tools. Each names the macro version and the rule set that ran, so a
 * reviewer can tell which rules produced what they read.
 */
import type { ConnectionRecord } from './connections';
import { summarize, type Report, type ReportRecord } from './records';
import type { FileResult, RuleInfo } from './results';
import { renderSarif } from './sarif';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'sarif';

export interface RenderOptions {
  /** The rules' titles and rationales, for Markdown's "why" list and SARIF's rule descriptors. */
  rules?: readonly RuleInfo[];
  /**
   * Where docs/rules.md lives. Markdown links are relative (`docs/rules.md#s3-002`) unless this is
   * set; SARIF needs an absolute URI and gets one from the CLI.
   */
  docsUrl?: string;
  /** The directory SARIF artifact URIs are relative to; default: the process's. */
  cwd?: string;
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
    return renderSarif([{ file: source ?? '<template>', status: 'unchanged', report }], { rules: options.rules ?? [], docsUrl: options.docsUrl ?? 'docs/rules.md', ...(options.cwd ? { cwd: options.cwd } : {}) });
  }
  if (format === 'json') {
    return `${JSON.stringify({ version: report.version, mode: report.mode, source: source ?? null, rules: report.rules, summary: summarize(report), records: report.records, ...(report.connections ? { connections: report.connections } : {}) }, null, 2)}\n`;
  }
  if (format === 'markdown') return renderMarkdown([{ file: source ?? '', status: 'unchanged', report }], options, false);
  return renderText(report, source);
}

/**
 * Renders the results of one or more templates as one document: for several files, JSON is
 * `{version, summary, files: [...]}`, Markdown has a section per file under one total, SARIF
 * has one run whose results point into every file, and text has each file's report.
 */
export function renderResults(results: readonly FileResult[], format: ReportFormat, options: RenderOptions = {}): string {
  if (format === 'sarif') return renderSarif(results, { rules: options.rules ?? [], docsUrl: options.docsUrl ?? 'docs/rules.md', ...(options.cwd ? { cwd: options.cwd } : {}) });
  if (format === 'markdown') return renderMarkdown(results, options, true);
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

/** Records grouped by resource, resources in order of first appearance, records in report order. */
function byResource(records: readonly ReportRecord[]): Map<string, ReportRecord[]> {
  const groups = new Map<string, ReportRecord[]>();
  for (const r of records) {
    const group = groups.get(r.resource);
    if (group) group.push(r);
    else groups.set(r.resource, [r]);
  }
  return groups;
}

/** Totals over several files, for the JSON and Markdown headers and the CLI's closing line. */
export function totals(results: readonly FileResult[]): { files: number; changed: number; unchanged: number; failed: number; skipped: number; changes: number; findings: number; suppressed: number } {
  const t = { files: results.length, changed: 0, unchanged: 0, failed: 0, skipped: 0, changes: 0, findings: 0, suppressed: 0 };
  for (const r of results) {
    t[r.status]++;
    if (r.report) {
      const s = summarize(r.report);
      t.changes += s.changes;
      t.findings += s.findings;
      t.suppressed += s.suppressed;
    }
  }
  return t;
}

function firstVersion(results: readonly FileResult[]): string | null {
  return results.find((r) => r.report)?.report?.version ?? null;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  // A backtick inside would end the code span early; CloudFormation names never hold one, values rarely.
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

function anchor(docs: string, id: string): string {
  return `${docs}#${id.toLowerCase()}`;
}

/** The first sentence, for a one-line rationale. */
function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return (m ? m[1] : text).replace(/\s+/g, ' ').trim();
}

function renderMarkdown(results: readonly FileResult[], options: RenderOptions, many: boolean): string {
  const docs = options.docsUrl ?? 'docs/rules.md';
  const ruleInfo = new Map((options.rules ?? []).map((r) => [r.id, r]));
  const lines: string[] = [];
  const version = firstVersion(results);
  const ruleSet = results.find((r) => r.report)?.report?.rules ?? [];
  if (many) {
    const t = totals(results);
    lines.push(`### TapHardening${version ? ` ${version}` : ''}: ${plural(t.files, 'template')}`, '');
    lines.push(`**${t.changed} would change, ${t.unchanged} unchanged, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}** · ${plural(t.changes, 'change')}, ${plural(t.findings, 'finding')}, ${t.suppressed} suppressed`, '');
    if (ruleSet.length) lines.push(`Rules: ${ruleSet.join(' ')}`, '');
  }
  const used = new Set<string>();
  for (const result of results) {
    const { report } = result;
    if (!many) {
      lines.push(`### TapHardening ${report?.version ?? ''}${result.file ? ` — \`${result.file}\`` : ''}`, '');
    } else {
      lines.push(`#### \`${cell(result.file)}\` — ${result.status}${result.note ? ` (${cell(result.note)})` : ''}`, '');
    }
    if (report) {
      lines.push(`**${summaryLine(report)}** (mode \`${report.mode}\`)`, '');
      if (!many) lines.push(`Rules: ${report.rules.join(' ')}`, '');
      if (report.records.length) {
        lines.push('| Resource | Rule | What | Path | Detail |', '| --- | --- | --- | --- | --- |');
        for (const [resource, records] of byResource(report.records)) {
          records.forEach((r, i) => {
            const known = ruleInfo.has(r.rule);
            if (known) used.add(r.rule);
            const rule = known || /^[A-Z0-9]+-\d+$/.test(r.rule) ? `[${r.rule}](${anchor(docs, r.rule)})` : r.rule;
            lines.push(`| ${i === 0 ? (resource === '-' ? '(template)' : code(resource)) : ''} | ${rule} | ${describe(r)} | ${r.path ? code(r.path) : ''} | ${cell(r.detail)}${r.hint ? ` Fix: ${cell(r.hint)}` : ''} |`);
          });
        }
        lines.push('');
      }
      if (report.connections?.length) {
        lines.push('**Connections**', '', '| Source | Destination | Rule | Kind | Status | What |', '| --- | --- | --- | --- | --- | --- |');
        for (const c of report.connections) {
          const what = [...c.added, ...(c.reason ? [c.reason] : [])].join('; ');
          lines.push(`| ${code(c.source)} | ${code(c.destination)} | ${c.rule} | ${cell(c.kind)} | ${c.status} | ${cell(what)} |`);
        }
        lines.push('');
      }
    }
    if (result.problems?.length) {
      lines.push('| Resource | Rule | Problem |', '| --- | --- | --- |');
      for (const p of result.problems) {
        const where = p.position ? ` (line ${p.position.line})` : '';
        lines.push(`| ${p.resource === '-' ? '' : code(p.resource)} | ${p.rule} | ${p.path && p.path !== '-' ? `${code(p.path)}: ` : ''}${cell(p.message)}${where} |`);
      }
      lines.push('');
    }
  }
  const why = [...ruleInfo.values()].filter((r) => used.has(r.id));
  if (why.length) {
    lines.push('**Why these rules**', '');
    for (const r of why) lines.push(`- [${r.id}](${anchor(docs, r.id)}) ${cell(r.title)}: ${cell(firstSentence(r.rationale))}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
