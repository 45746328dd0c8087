/**
 * Report renderers: text for a terminal, JSON for machines, Markdown for a pull request.
 */
import { summarize, type Report, type ReportRecord } from './records';

export type ReportFormat = 'text' | 'json' | 'markdown';

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
 * Renders a report.
 *
 * @example
 * renderReport(report, 'text', 'examples/data-platform.yaml');
 */
export function renderReport(report: Report, format: ReportFormat, source?: string): string {
  if (format === 'json') {
    return `${JSON.stringify({ version: report.version, mode: report.mode, source: source ?? null, rules: report.rules, summary: summarize(report), records: report.records }, null, 2)}\n`;
  }
  if (format === 'markdown') return renderMarkdown(report, source);
  const lines = [`TapHardening ${report.version}${source ? ` · ${source}` : ''} · mode ${report.mode} · rules ${report.rules.join(' ')}`];
  const byResource = new Map<string, ReportRecord[]>();
  for (const r of report.records) byResource.set(r.resource, [...(byResource.get(r.resource) ?? []), r]);
  for (const [resource, records] of byResource) {
    lines.push(`  ${resource}`);
    for (const r of records) lines.push(`    ${r.rule.padEnd(9)} ${describe(r).padEnd(10)} ${r.path ? `${r.path}: ` : ''}${r.detail}`);
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderMarkdown(report: Report, source?: string): string {
  const lines = [`### TapHardening ${report.version}${source ? ` — \`${source}\`` : ''}`, '', `**${summaryLine(report)}** (mode \`${report.mode}\`)`, ''];
  if (report.records.length) {
    lines.push('| Resource | Rule | What | Path | Detail |', '| --- | --- | --- | --- | --- |');
    for (const r of report.records) {
      lines.push(`| \`${cell(r.resource)}\` | [${r.rule}](docs/rules.md#${r.rule.toLowerCase()}) | ${describe(r)} | ${r.path ? `\`${cell(r.path)}\`` : ''} | ${cell(r.detail)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
