/**
 * The Markdown report, for a pull request comment or a job summary (GitHub renders both):
 *
 * 1. a heading with the version and a one-line total (and the `--check` verdict when there is
 *    one), then the summary: a table per rule and a table per template, most important first
 *    (failed, then by findings, then by changes);
 * 2. per template, a `<details>` block with the records by resource and a Mermaid diagram of the
 *    connections hardening added (from `Report.connections`);
 * 3. "Why these rules": each rule that appears, with its title and full rationale.
 *
 * Everything fits in one GitHub comment: GitHub rejects a comment body over 65,536 characters.
 * When the whole would not fit, the totals, the rule table and the rationales are kept, the
 * template table gets at most 40% of the rest (most important templates first), then as many
 * details blocks as fit, and one line says what was left out and where the full report is. Rule ids link to the hosted documentation of this release.
 */
import { hostedDocsUrl, ruleDocUrl } from './docs-url';
import { verdict, type Gate } from './gate';
import type { ConnectionRecord } from './connections';
import { byResource, summarize, type ReportRecord } from './records';
import { totals } from './results';
import type { FileResult, RuleInfo } from './results';

/** GitHub's limit on an issue or pull request comment body, in characters. */
export const COMMENT_LIMIT = 65536;

export interface MarkdownOptions {
  rules?: readonly RuleInfo[];
  /** Where docs/rules.md is published; default: the hosted docs of this release. */
  docsUrl?: string;
  gate?: Gate;
  /** Characters the document may take; default COMMENT_LIMIT. */
  limit?: number;
  /** Where the reader finds the full report when something is left out (a job URL, an artifact). */
  fullReport?: string;
  /** Edges per Mermaid diagram; beyond that the diagram says how many more there are. */
  maxDiagramEdges?: number;
}

const DEFAULT_FULL_REPORT = 'run `tap-harden --check <templates> --report json` for every record';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  // A backtick inside would end the code span early; CloudFormation names never hold one, values rarely.
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function describe(r: ReportRecord): string {
  return r.action === 'finding' ? `${r.severity ?? 'info'}` : r.action;
}

function statusWord(r: FileResult, written: boolean): string {
  if (r.status === 'changed') return written && r.note ? r.note : 'would change';
  return r.status;
}

interface RuleRow {
  id: string;
  changes: number;
  findings: number;
  suppressed: number;
  templates: number;
}

function ruleRows(results: readonly FileResult[]): RuleRow[] {
  const rows = new Map<string, RuleRow>();
  for (const r of results) {
    const seen = new Set<string>();
    for (const rec of r.report?.records ?? []) {
      const row = rows.get(rec.rule) ?? { id: rec.rule, changes: 0, findings: 0, suppressed: 0, templates: 0 };
      rows.set(rec.rule, row);
      if (rec.action === 'finding') row.findings++;
      else if (rec.action === 'suppressed') row.suppressed++;
      else row.changes++;
      if (!seen.has(rec.rule)) {
        seen.add(rec.rule);
        row.templates++;
      }
    }
    for (const p of r.problems ?? []) {
      const row = rows.get(p.rule) ?? { id: p.rule, changes: 0, findings: 0, suppressed: 0, templates: 0 };
      rows.set(p.rule, row);
      row.findings++;
      if (!seen.has(p.rule)) {
        seen.add(p.rule);
        row.templates++;
      }
    }
  }
  return [...rows.values()].sort((a, b) => b.findings - a.findings || b.changes - a.changes || a.id.localeCompare(b.id));
}

/** Failed first, then by findings, then by changes; command-line order among equals. */
function byImportance(results: readonly FileResult[]): FileResult[] {
  const weight = (r: FileResult) => {
    const s = r.report ? summarize(r.report) : { changes: 0, findings: 0, suppressed: 0 };
    return { failed: r.status === 'failed' ? 1 : 0, findings: s.findings + (r.problems?.length ?? 0), changes: s.changes };
  };
  return results
    .map((r, i) => ({ r, i, w: weight(r) }))
    .sort((a, b) => b.w.failed - a.w.failed || b.w.findings - a.w.findings || b.w.changes - a.w.changes || a.i - b.i)
    .map((x) => x.r);
}

function ruleLink(id: string, docs: string, known: ReadonlyMap<string, RuleInfo>): string {
  return known.has(id) || /^[A-Z0-9]+-\d+$/.test(id) ? `[${id}](${ruleDocUrl(docs, id)})` : id;
}

/** A Mermaid label: quotes and angle brackets as Mermaid's entity codes, so no label ends early. */
function mermaidLabel(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/[\r\n]+/g, ' ');
}

/**
 * A Mermaid flowchart of the connections hardening added (status `added`): one node per
 * resource, one edge per connection, labelled with the rule and the kind. Empty when none.
 *
 * @example
 * connectionsDiagram([{ rule: 'S3N-002', kind: 's3-notification-queue', source: 'Uploads', destination: 'Queue', status: 'added', added: ['queue policy'] }]);
 */
export function connectionsDiagram(connections: readonly ConnectionRecord[] | undefined, maxEdges = 60): string[] {
  const added = (connections ?? []).filter((c) => c.status === 'added');
  if (!added.length) return [];
  const ids = new Map<string, string>();
  const node = (name: string): string => {
    let id = ids.get(name);
    if (!id) ids.set(name, (id = `n${ids.size}`));
    return id;
  };
  const lines = ['```mermaid', 'flowchart LR'];
  const shown = added.slice(0, maxEdges);
  const declared = new Set<string>();
  const declare = (name: string): string => {
    const id = node(name);
    if (!declared.has(id)) {
      declared.add(id);
      lines.push(`  ${id}["${mermaidLabel(name)}"]`);
    }
    return id;
  };
  for (const c of shown) {
    const from = declare(c.source);
    const to = declare(c.destination);
    lines.push(`  ${from} -->|"${mermaidLabel(`${c.rule} ${c.kind}`)}"| ${to}`);
  }
  lines.push('```');
  if (added.length > shown.length) lines.push('', `_${added.length - shown.length} more connections hardening added are not drawn._`);
  return lines;
}

function detailsBlock(result: FileResult, docs: string, known: ReadonlyMap<string, RuleInfo>, written: boolean, maxEdges: number): string {
  const { report } = result;
  const s = report ? summarize(report) : undefined;
  const counts = s ? ` · ${plural(s.changes, 'change')}, ${plural(s.findings, 'finding')}, ${s.suppressed} suppressed` : '';
  const lines = [`<details><summary><code>${html(result.file)}</code> — ${html(statusWord(result, written))}${counts}</summary>`, ''];
  if (report?.records.length) {
    lines.push('| Resource | Rule | What | Path | Detail |', '| --- | --- | --- | --- | --- |');
    for (const [resource, records] of byResource(report.records)) {
      records.forEach((r, i) => {
        lines.push(`| ${i === 0 ? (resource === '-' ? '(template)' : code(resource)) : ''} | ${ruleLink(r.rule, docs, known)} | ${describe(r)} | ${r.path ? code(r.path) : ''} | ${cell(r.detail)}${r.hint ? ` Fix: ${cell(r.hint)}` : ''} |`);
      });
    }
    lines.push('');
  }
  if (result.problems?.length) {
    lines.push('| Resource | Rule | Problem |', '| --- | --- | --- |');
    for (const p of result.problems) {
      const where = p.position ? ` (line ${p.position.line})` : '';
      lines.push(`| ${p.resource === '-' ? '' : code(p.resource)} | ${p.rule} | ${p.path && p.path !== '-' ? `${code(p.path)}: ` : ''}${cell(p.message)}${where} |`);
    }
    lines.push('');
  }
  if (report?.connections?.length) {
    // One row per connection: what hardening added so that it works, or why nothing was needed.
    lines.push('**Connections**', '', '| Source | Destination | Rule | Kind | Status | What |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of report.connections) {
      const what = [...c.added, ...(c.reason ? [c.reason] : [])].join('; ');
      lines.push(`| ${code(c.source)} | ${code(c.destination)} | ${ruleLink(c.rule, docs, known)} | ${cell(c.kind)} | ${c.status} | ${cell(what)} |`);
    }
    lines.push('');
  }
  const diagram = connectionsDiagram(report?.connections, maxEdges);
  if (diagram.length) lines.push('Connections hardening added:', '', ...diagram, '');
  lines.push('</details>', '');
  return lines.join('\n');
}

/**
 * Renders one or more templates' results as one Markdown document that fits a GitHub comment.
 *
 * @example
 * renderMarkdownReport(results, { rules: RULES, gate });
 */
export function renderMarkdownReport(results: readonly FileResult[], options: MarkdownOptions = {}, many = results.length > 1): string {
  const docs = options.docsUrl ?? hostedDocsUrl();
  const limit = options.limit ?? COMMENT_LIMIT;
  const maxEdges = options.maxDiagramEdges ?? 60;
  const known = new Map((options.rules ?? []).map((r) => [r.id, r]));
  const written = results.some((r) => r.note?.startsWith('written'));
  const version = results.find((r) => r.report)?.report?.version;
  const ruleSet = results.find((r) => r.report)?.report?.rules ?? [];

  // 1. Heading and totals.
  const head: string[] = [];
  const t = totals(results);
  const mode = results.find((r) => r.report)?.report?.mode;
  if (many) head.push(`### TapHardening${version ? ` ${version}` : ''}: ${plural(results.length, 'template')}`, '');
  else head.push(`### TapHardening${version ? ` ${version}` : ''}${results[0]?.file ? ` — \`${results[0].file}\`` : ''}`, '');
  const state = many ? `${t.changed} ${written ? 'changed' : 'would change'}, ${t.unchanged} unchanged, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''} · ` : '';
  const verb = !many && mode === 'report' ? ' that would be made' : '';
  const said = options.gate ? verdict(options.gate) : '';
  head.push(`**${state}${plural(t.changes, 'change')}${verb}, ${plural(t.findings, 'finding')}, ${t.suppressed} suppressed**${mode ? ` (mode \`${mode}\`)` : ''}${said ? ` · ${said}` : ''}`, '');
  if (ruleSet.length) head.push(`Rules: ${ruleSet.join(' ')}`, '');

  // 2. Summary per rule (bounded by the rule set) and per template (capped below if need be).
  const rules = ruleRows(results);
  if (rules.length) {
    head.push('| Rule | Changes | Findings | Suppressed | Templates |', '| --- | ---: | ---: | ---: | ---: |');
    for (const r of rules) {
      const title = known.get(r.id)?.title;
      head.push(`| ${ruleLink(r.id, docs, known)}${title ? ` ${cell(title)}` : ''} | ${r.changes} | ${r.findings} | ${r.suppressed} | ${r.templates} |`);
    }
    head.push('');
  }
  const ordered = byImportance(results);
  const templateRows = (many ? ordered : []).map((r) => {
    const s = r.report ? summarize(r.report) : { changes: 0, findings: 0, suppressed: 0 };
    return `| ${code(r.file)} | ${cell(statusWord(r, written))} | ${s.changes} | ${s.findings + (r.problems?.length ?? 0)} | ${s.suppressed} |`;
  });

  // 3. Why: every rule that appears, with its full rationale.
  const why: string[] = [];
  const used = rules.map((r) => known.get(r.id)).filter((r): r is RuleInfo => r !== undefined);
  if (used.length) {
    why.push('<details><summary>Why these rules</summary>', '');
    for (const r of used) why.push(`- ${ruleLink(r.id, docs, known)} **${cell(r.title)}.** ${cell(r.rationale)}`);
    why.push('', '</details>', '');
  }
  const whyText = why.join('\n');

  // Fit: the head and the why list always; template rows and details blocks while they fit.
  const noteRoom = 400 + (options.fullReport?.length ?? 0);
  let used_ = head.join('\n').length + whyText.length + noteRoom + 1;
  const tableHead = many ? ['| Template | Status | Changes | Findings | Suppressed |', '| --- | --- | ---: | ---: | ---: |'] : [];
  let rowsShown = 0;
  if (many) {
    // The table may take at most 40% of what is left, so the details of the most important
    // templates still fit next to it.
    used_ += tableHead.join('\n').length + 2;
    const tableLimit = used_ + Math.floor((limit - used_) * 0.4);
    for (const row of templateRows) {
      if (used_ + row.length + 1 > tableLimit) break;
      used_ += row.length + 1;
      rowsShown++;
    }
  }
  const blocks: string[] = [];
  let blocksLeft = 0;
  let recordsLeft = 0;
  for (const r of ordered) {
    if (!r.report?.records.length && !r.problems?.length) continue;
    const block = detailsBlock(r, docs, known, written, maxEdges);
    if (used_ + block.length + 1 > limit) {
      blocksLeft++;
      recordsLeft += (r.report?.records.length ?? 0) + (r.problems?.length ?? 0);
      continue;
    }
    used_ += block.length + 1;
    blocks.push(block);
  }

  const out = [...head];
  if (many) {
    out.push(...tableHead, ...templateRows.slice(0, rowsShown));
    if (rowsShown < templateRows.length) out.push('', `_${templateRows.length - rowsShown} more templates are not listed in this table._`);
    out.push('');
  }
  out.push(...blocks);
  if (blocksLeft > 0 || rowsShown < templateRows.length) {
    const parts: string[] = [];
    if (blocksLeft > 0) parts.push(`the details of ${plural(blocksLeft, 'template')} (${plural(recordsLeft, 'record')})`);
    if (rowsShown < templateRows.length) parts.push(`${plural(templateRows.length - rowsShown, 'row')} of the template table`);
    out.push(`> **Left out to fit GitHub's ${limit.toLocaleString('en-US')}-character comment limit:** ${parts.join(' and ')}. The counts above cover every template. Full report: ${options.fullReport ?? DEFAULT_FULL_REPORT}.`, '');
  }
  out.push(whyText);
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
