/**
 * The one log line the Lambda writes per invocation, kept within CloudWatch Logs' event limit:
 * "Each log event can be no larger than 256 KB" (PutLogEvents, Amazon CloudWatch Logs API
 * Reference). A larger line is split or dropped on its way there, and the record of what the
 * macro did to a stack is lost exactly when the template was big.
 *
 * So the line always carries the counts (by rule and by resource, which stay small: a template
 * has at most 500 resources and the rule set is fixed), and as many records as fit in what is
 * left of the budget, in report order, with `recordsOmitted` saying how many did not fit. The full
 * report is the CLI's (`tap-harden <template> --report json`), which runs the same engine.
 */
import { type Report, type ReportRecord } from './records';

/** CloudWatch Logs' limit per event, in bytes (UTF-8). */
export const LOG_EVENT_LIMIT = 256 * 1024;

/**
 * What the line may take, leaving room for what the logger adds around our keys (level,
 * timestamp, service, the Lambda context fields, the sampling rate: under 1 KB) and for the
 * 26 bytes CloudWatch counts per event.
 */
export const LOG_LINE_BUDGET = LOG_EVENT_LIMIT - 8 * 1024;

export interface RuleCounts {
  changes: number;
  findings: number;
  suppressed: number;
}

export interface InvocationSummary {
  byRule: Record<string, RuleCounts>;
  byResource: Record<string, number>;
  records: ReportRecord[];
  recordsOmitted: number;
  /** Present only when records were left out: where the full report is. */
  fullReport?: string;
}

/** Counts per rule (changes, findings, suppressions), in the order rules first appear. */
export function countsByRule(report: Report): Record<string, RuleCounts> {
  const out: Record<string, RuleCounts> = {};
  for (const r of report.records) {
    const c = (out[r.rule] ??= { changes: 0, findings: 0, suppressed: 0 });
    if (r.action === 'finding') c.findings++;
    else if (r.action === 'suppressed') c.suppressed++;
    else c.changes++;
  }
  return out;
}

/** Records per resource (`-` for the template as a whole). */
export function countsByResource(report: Report): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of report.records) out[r.resource] = (out[r.resource] ?? 0) + 1;
  return out;
}

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * The report part of the log line, within `budget` bytes once the rest of the line (`base`,
 * the other keys the handler logs) is counted.
 *
 * @example
 * const summary = summarizeForLog(result.report, { requestId, mode });
 * logger.info('hardened', { requestId, mode, ...summary });
 */
export function summarizeForLog(report: Report, base: Record<string, unknown>, budget: number = LOG_LINE_BUDGET): InvocationSummary {
  const summary: InvocationSummary = { byRule: countsByRule(report), byResource: countsByResource(report), records: [], recordsOmitted: 0 };
  // The fixed part, with room for the omission note and the largest count it could hold.
  const fixed = bytes({ ...base, ...summary, recordsOmitted: report.records.length, fullReport: FULL_REPORT });
  let left = budget - fixed;
  // The records as one list are the records one by one with a comma each, less one: measuring
  // the list once tells whether all fit, the usual case, without a JSON.stringify per record.
  if (report.records.length > 0 && bytes(report.records) - 1 <= left) {
    summary.records = report.records.slice();
    return summary;
  }
  let i = 0;
  for (; i < report.records.length; i++) {
    const record = report.records[i] as ReportRecord;
    // A comma between array items.
    const size = bytes(record) + 1;
    if (size > left) break;
    left -= size;
    summary.records.push(record);
  }
  summary.recordsOmitted = report.records.length - i;
  if (summary.recordsOmitted > 0) summary.fullReport = FULL_REPORT;
  return summary;
}

/**
 * A list for the failure line, cut to `budget` bytes, with `<key>Omitted` when cut: a template
 * can fail with thousands of problems (the errorMessage CloudFormation shows is cut separately).
 *
 * @example
 * logger.error('hardening failed', { ...boundedList('problems', e.problems) });
 */
export function boundedList<T>(key: string, list: readonly T[], budget: number = LOG_LINE_BUDGET - 16 * 1024): Record<string, T[] | number> {
  const kept: T[] = [];
  let left = budget;
  for (const item of list) {
    const size = bytes(item) + 1;
    if (size > left) break;
    left -= size;
    kept.push(item);
  }
  return kept.length === list.length ? { [key]: kept } : { [key]: kept, [`${key}Omitted`]: list.length - kept.length };
}

const FULL_REPORT = 'records left out to keep this line under the 256 KB CloudWatch Logs event limit; the full report: tap-harden <template> --report json (the same engine and version)';
