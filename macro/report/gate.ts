/**
 * The CI gate: what `--check` answers, in one place, so the exit code, the closing summary line
 * and SARIF's `invocations[0]` (`executionSuccessful`, `exitCode`) always say the same thing.
 *
 * - 2 when any template could not be read or hardened (or a pattern matched nothing): the run
 *   itself failed, and SARIF marks the invocation unsuccessful;
 * - 1 with `--check` when a template would change, or when a finding at or above `--fail-on`
 *   exists (`error` by default: a literal database password fails the gate even though nothing
 *   would change; `warning` also fails on warnings; `never` gates on changes only);
 * - 0 otherwise. Without `--check` findings never fail a run: hardening a file is not a gate.
 */
import type { Report, Severity } from './records';
import type { FileResult } from './results';

export type FailOn = 'error' | 'warning' | 'never';

export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'never'];

export interface Gate {
  /** The exit code the run ends with. */
  code: 0 | 1 | 2;
  /** Templates that would change (or were rewritten). */
  changed: number;
  /** Templates that failed. */
  failed: number;
  /** Findings at or above the threshold, over every template. */
  failing: number;
  failOn: FailOn;
  check: boolean;
  /** A path or pattern matched no template. */
  unmatched: boolean;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Whether a finding of `severity` fails the gate at `failOn`. */
export function failsAt(severity: Severity | undefined, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return RANK[severity ?? 'info'] >= RANK[failOn];
}

/** Findings of one report at or above `failOn` (suppressed records are not findings). */
export function failingFindings(report: Report | undefined, failOn: FailOn): number {
  if (!report) return 0;
  let n = 0;
  for (const r of report.records) if (r.action === 'finding' && failsAt(r.severity, failOn)) n++;
  return n;
}

/**
 * The gate over a run's results.
 *
 * @example
 * gate([{ file: 'a.yaml', status: 'unchanged', report }], { check: true, failOn: 'error' }).code; // 1 if report has an error finding
 */
export function gate(results: readonly FileResult[], options: { check: boolean; failOn?: FailOn; /** A failure outside the results (a pattern that matched nothing). */ extraFailure?: boolean }): Gate {
  const failOn = options.failOn ?? 'error';
  let changed = 0;
  let failed = 0;
  let failing = 0;
  for (const r of results) {
    if (r.status === 'failed') failed++;
    if (r.status === 'changed') changed++;
    failing += failingFindings(r.report, failOn);
  }
  let code: 0 | 1 | 2 = 0;
  if (failed > 0 || options.extraFailure === true) code = 2;
  else if (options.check && (changed > 0 || failing > 0)) code = 1;
  return { code, changed, failed, failing, failOn, check: options.check, unmatched: options.extraFailure === true };
}

/** The closing line's verdict, e.g. `check failed: 2 would change, 1 finding at error or above`. */
export function verdict(g: Gate): string {
  if (g.code === 2) return g.failed ? `error: ${g.failed} template${g.failed === 1 ? '' : 's'} could not be hardened` : 'error: a path or pattern matched no template';
  if (!g.check) return '';
  const threshold = g.failOn === 'never' ? '' : `, ${g.failing} finding${g.failing === 1 ? '' : 's'} at ${g.failOn}${g.failOn === 'error' ? '' : ' or above'}`;
  return `check ${g.code === 1 ? 'failed' : 'passed'}: ${g.changed} would change${threshold}`;
}
