/**
 * The report: one record per change a rule made, per finding it could not fix, and per
 * suppression a template asked for. Records are the only way rules talk to users.
 */

import type { ConnectionRecord } from './connections';

/** What happened: a change to the template, or a finding, or a suppression. */
export type RecordAction =
  /** A property or value was added where there was none. */
  | 'added'
  /** An existing value was rewritten (the rule's doc says when it may). */
  | 'updated'
  /** A value was removed (and the record holds it in full). */
  | 'removed'
  /** A new resource was added to the template. */
  | 'created'
  /** A policy statement was added to a policy. */
  | 'statement'
  /** A DependsOn edge was added. */
  | 'depends-on'
  /** Something the rule cannot (or may not) fix; see severity. */
  | 'finding'
  /** The resource asked to skip the rule, with a reason. */
  | 'suppressed';

export type Severity = 'error' | 'warning' | 'info';

export interface ReportRecord {
  rule: string;
  resource: string;
  action: RecordAction;
  /** Where, inside the resource (`Properties.PublicAccessBlockConfiguration.BlockPublicAcls`), or '' for the whole resource. */
  path: string;
  /** What and why, in one sentence. */
  detail: string;
  /** How to fix (a finding) or how the template could say it itself (a change), in one line. */
  hint?: string;
  /** Findings only. */
  severity?: Severity;
}

export function isChange(record: ReportRecord): boolean {
  return record.action !== 'finding' && record.action !== 'suppressed';
}

export interface Report {
  /** The macro's version (package.json), so a processed template tells what hardened it. */
  version: string;
  mode: 'fix' | 'report';
  /** The rules that ran, in order. */
  rules: string[];
  records: ReportRecord[];
  /** One entry per service-to-service connection the template makes (see `connections.ts`); absent when none was looked at. */
  connections?: ConnectionRecord[];
}

export function summarize(report: Report): { changes: number; findings: number; suppressed: number } {
  let changes = 0;
  let findings = 0;
  let suppressed = 0;
  for (const r of report.records) {
    if (r.action === 'finding') findings++;
    else if (r.action === 'suppressed') suppressed++;
    else changes++;
  }
  return { changes, findings, suppressed };
}

/**
 * Records grouped by resource, resources in order of first appearance, records in report order.
 *
 * @example
 * byResource([{ resource: 'A', ... }, { resource: 'B', ... }, { resource: 'A', ... }]); // Map { A => [2], B => [1] }
 */
export function byResource(records: readonly ReportRecord[]): Map<string, ReportRecord[]> {
  const groups = new Map<string, ReportRecord[]>();
  for (const r of records) {
    const group = groups.get(r.resource);
    if (group) group.push(r);
    else groups.set(r.resource, [r]);
  }
  return groups;
}
