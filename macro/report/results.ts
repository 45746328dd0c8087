/**
 * What one template came to, for the renderers that cover one file or many: its report, where
 * each record sits in the source, or the problems that stopped it. Plain data, so a worker
 * thread can send it to the main thread as it is.
 */
import { gate, type FailOn } from './gate';
import { summarize, type Report } from './records';
import type { Rule } from '../rules/types';
import type { SourcePosition } from '../template/yaml';

/** What the renderers need to know about a rule: its id, title and why it exists. */
export type RuleInfo = Pick<Rule, 'id' | 'title' | 'rationale'>;

/** A reason a template could not be hardened: an engine problem, or `PARSE` for unreadable input. */
export interface FileProblem {
  rule: string;
  resource: string;
  path: string;
  message: string;
  position?: SourcePosition;
}

export type FileStatus =
  /** A rule changed (or, in report mode, would change) the template. */
  | 'changed'
  | 'unchanged'
  /** Unreadable, or the engine refused it: see `problems`. */
  | 'failed'
  /** Not a CloudFormation template (no `Resources`): nothing to harden. */
  | 'skipped';

export interface FileResult {
  /** The file as named on the command line, or `<stdin>`. */
  file: string;
  status: FileStatus;
  report?: Report;
  /** The source position of each record of `report`, in the same order; null when it has none (a template-wide record). */
  positions?: Array<SourcePosition | null>;
  problems?: FileProblem[];
  /** What happened to the file besides hardening, e.g. "written". */
  note?: string;
  /** With --write: why the file was left unwritten (its layout cannot be kept, and --reformat was not given). */
  unwritten?: string;
}

/**
 * Overall exit status for a set of results: 2 if any failed, else with `check` 1 if any changed
 * or has a finding at or above `failOn`, else 0 (gate.ts, which the CLI uses).
 */
export function exitCode(results: readonly FileResult[], check: boolean, failOn: FailOn = 'error'): number {
  return gate(results, { check, failOn }).code;
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
