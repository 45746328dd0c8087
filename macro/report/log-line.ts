/**
 * What the handler's one log line per invocation carries about the records, sized to fit one
 * CloudWatch Logs event. "CloudWatch Logs quotas", Amazon CloudWatch Logs User Guide: the maximum
 * event size is 256 KB; a longer line is split by Lambda or dropped, and then Logs Insights can no
 * longer parse it as JSON. A template of a few hundred resources has thousands of records, over
 * half a megabyte written out, so the counts by rule and by resource are always logged and the
 * records themselves only while they fit, with the number left out. The full report is in the
 * processed template's Metadata and in the CLI's reports.
 */
import type { ReportRecord } from './records';

/**
 * Bytes the records part may take. The event limit is 262,144 bytes; the rest of the line (the
 * logger's own keys, the request ids, the counts and the two count maps) is measured and taken
 * off, and this margin covers what the logger adds after that (timestamp, level, service).
 */
export const LOG_EVENT_BYTES = 256 * 1024;
const MARGIN_BYTES = 4 * 1024;

export interface LoggedRecords {
  recordsByRule: Record<string, number>;
  recordsByResource: Record<string, number>;
  records: ReportRecord[];
  recordsLeftOut: number;
}

/**
 * The records part of the log entry, so that `JSON.stringify({...rest, ...part})` stays under
 * {@link LOG_EVENT_BYTES}.
 *
 * @param rest the other keys of the entry, measured as they will be written
 * @example
 * logger.info('hardened', { ...rest, ...recordsForLog(report.records, rest) });
 */
export function recordsForLog(records: readonly ReportRecord[], rest: Record<string, unknown>): LoggedRecords {
  const recordsByRule: Record<string, number> = Object.create(null) as Record<string, number>;
  const recordsByResource: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const r of records) {
    recordsByRule[r.rule] = (recordsByRule[r.rule] ?? 0) + 1;
    recordsByResource[r.resource] = (recordsByResource[r.resource] ?? 0) + 1;
  }
  const kept = whileFits(records, { ...rest, recordsByRule, recordsByResource, records: [], recordsLeftOut: records.length });
  return { recordsByRule: { ...recordsByRule }, recordsByResource: { ...recordsByResource }, records: kept, recordsLeftOut: records.length - kept.length };
}

/**
 * The problems part of a failure's log entry, capped the same way: a template with an error on
 * each of hundreds of resources has hundreds of problems (the errorMessage is cut at 4,000
 * characters already).
 *
 * @example
 * logger.error('hardening failed', { ...rest, ...problemsForLog(error.problems, rest) });
 */
export function problemsForLog<T>(problems: readonly T[], rest: Record<string, unknown>): { problems: T[]; problemsLeftOut: number } {
  const kept = whileFits(problems, { ...rest, problems: [], problemsLeftOut: problems.length });
  return { problems: kept, problemsLeftOut: problems.length - kept.length };
}

/** The first items of `items` that fit, written out, beside the `fixed` rest of the entry. */
function whileFits<T>(items: readonly T[], fixed: Record<string, unknown>): T[] {
  let budget = LOG_EVENT_BYTES - MARGIN_BYTES - Buffer.byteLength(JSON.stringify(fixed));
  const kept: T[] = [];
  for (const item of items) {
    // +1 for the comma between items.
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size > budget) break;
    budget -= size;
    kept.push(item);
  }
  return kept;
}
