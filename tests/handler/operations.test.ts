/**
 * The Lambda's operations output, from the built bundle in a child process as Lambda runs it:
 * the one invocation log line stays under CloudWatch Logs' 256 KB event limit however many
 * records a template yields, carries the Lambda context and counts by rule and resource; DEBUG
 * explains each rule's decisions; EMF metrics count invocations, failures, changes and findings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boundedList, LOG_EVENT_LIMIT, summarizeForLog } from '../../macro/report/log-line';
import type { Report, ReportRecord } from '../../macro/report/records';

const BUNDLE = path.join(__dirname, '../../dist/handler.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-ops-'));

/** Runs the bundle on `fragment` with `env`, as a fresh (cold) on-demand Lambda would. */
function invoke(fragment: unknown, env: Record<string, string>, extra: { transformId?: string } = {}) {
  const event = { region: 'eu-west-1', accountId: '123456789012', fragment, transformId: extra.transformId ?? '123456789012::TapHardening', params: {}, requestId: 'r-1', templateParameterValues: {} };
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(event));
  const script = `require(${JSON.stringify(BUNDLE)}).handler(JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8')), { functionName: 'TapHardening-macro', awsRequestId: 'aws-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:TapHardening-macro', memoryLimitInMB: '512', functionVersion: '$LATEST' }).then((r) => process.stderr.write(r.status))`;
  const base = { PATH: process.env.PATH ?? '', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', POWERTOOLS_SERVICE_NAME: 'tap-hardening', POWERTOOLS_METRICS_NAMESPACE: 'TapHardening' };
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...base, ...env }, maxBuffer: 64 * 1024 * 1024 });
  // Powertools writes errors to stderr; the script writes the response status last, without a newline.
  const err = r.stderr.split('\n');
  const status = err.pop() ?? '';
  const lines = [...r.stdout.split('\n'), ...err].filter(Boolean);
  return { status, lines, json: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/**
 * KMS keys with tag values KMS rejects (JSON strings): each key yields rotation, retention and
 * one removal per tag, and no new resource, so 490 keys stay within the 500-resource limit.
 */
function keys(n: number, tags: number, idLength: number): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    resources[`K${String(i).padStart(idLength - 1, '0')}`] = { Type: 'AWS::KMS::Key', Properties: { Tags: Array.from({ length: tags }, (_, t) => ({ Key: `t${t}`, Value: `{"owner":"team-${t}"}` })) } };
  }
  return { Resources: resources };
}

/** Buckets without any hardening: each yields several records (public access, TLS, encryption, retention…). */
function buckets(n: number, idLength = 8): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) resources[`B${String(i).padStart(idLength - 1, '0')}`] = { Type: 'AWS::S3::Bucket' };
  return { Resources: resources };
}

describe('the invocation log line', () => {
  test('stays under 256 KB for a template with thousands of records: counts always, records capped with the number left out', () => {
    // Prepare: 490 keys with long logical ids and 8 bad tags each: over 5,000 records.
    const template = keys(490, 8, 200);
    const { status, lines, json } = invoke(template, { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' });
    // Assess
    expect(status).toBe('success');
    const index = json.findIndex((l) => l.message === 'hardened');
    const line = json[index] as { changes: number; findings: number; suppressed: number; byRule: Record<string, { changes: number; findings: number; suppressed: number }>; byResource: Record<string, number>; records: unknown[]; recordsOmitted: number; fullReport?: string };
    const size = Buffer.byteLength(lines[index] as string, 'utf8');
    expect(size).toBeLessThan(LOG_EVENT_LIMIT);
    const total = line.changes + line.findings + line.suppressed;
    expect(total).toBeGreaterThan(5000);
    expect(line.recordsOmitted).toBeGreaterThan(0);
    expect(line.records.length + line.recordsOmitted).toBe(total);
    expect(line.fullReport).toContain('--report json');
    const byRule = Object.values(line.byRule).reduce((n, c) => n + c.changes + c.findings + c.suppressed, 0);
    expect(byRule).toBe(total);
    expect(Object.keys(line.byResource)).toHaveLength(490);
    // The figure for the record: the largest line this test makes.
    writeFileSync(path.join(tmp, 'largest-log-line.txt'), `${size} bytes, ${line.records.length} of ${total} records\n`);
  });

  test('a small template logs every record, with the Lambda context fields', () => {
    const { json } = invoke(buckets(2), { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' });
    const line = json.find((l) => l.message === 'hardened') as Record<string, unknown>;
    expect(line).toMatchObject({ function_name: 'TapHardening-macro', function_request_id: 'aws-1', cold_start: true, recordsOmitted: 0, service: 'tap-hardening' });
    expect(line.fullReport).toBeUndefined();
    expect((line.records as unknown[]).length).toBe((line.changes as number) + (line.findings as number) + (line.suppressed as number));
  });

  test('a caller-sized transformId is cut, so it cannot push the line over the limit', () => {
    const { lines, json } = invoke(buckets(2), { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' }, { transformId: 'x'.repeat(400_000) });
    const i = json.findIndex((l) => l.message === 'hardened');
    expect(Buffer.byteLength(lines[i] as string)).toBeLessThan(LOG_EVENT_LIMIT);
    expect((json[i]!.transformId as string).length).toBeLessThanOrEqual(512);
  });

  test('summarizeForLog keeps records in order until the budget, and counts the rest', () => {
    const records: ReportRecord[] = Array.from({ length: 5000 }, (_, i) => ({ rule: i % 2 ? 'S3-001' : 'S3-002', resource: `R${i % 10}`, action: 'added', path: 'Properties.X', detail: 'd'.repeat(100) }));
    const report: Report = { version: '0', mode: 'fix', rules: ['S3-001', 'S3-002'], records };
    const summary = summarizeForLog(report, { requestId: 'r' }, 100_000);
    expect(Buffer.byteLength(JSON.stringify({ requestId: 'r', ...summary }))).toBeLessThanOrEqual(100_000);
    expect(summary.records).toEqual(records.slice(0, summary.records.length));
    expect(summary.records.length + summary.recordsOmitted).toBe(5000);
    expect(summary.byRule).toEqual({ 'S3-002': { changes: 2500, findings: 0, suppressed: 0 }, 'S3-001': { changes: 2500, findings: 0, suppressed: 0 } });
    expect(summary.byResource.R3).toBe(500);
  });
});

describe('the failure line', () => {
  test('a template that fails with thousands of problems logs as many as fit, and the number left out', () => {
    const problems = Array.from({ length: 20_000 }, (_, i) => ({ rule: 'TEMPLATE', resource: `R${i}`, path: 'Type', message: 'the resource has no Type: every resource needs one' }));
    const line = boundedList('problems', problems);
    expect(Buffer.byteLength(JSON.stringify(line))).toBeLessThan(LOG_EVENT_LIMIT - 16 * 1024);
    expect((line.problems as unknown[]).length + (line.problemsOmitted as number)).toBe(20_000);
    expect(boundedList('problems', problems.slice(0, 3))).toEqual({ problems: problems.slice(0, 3) });
  });

  test('end to end: the bundle stays under the limit on such a template', () => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) resources[`R${String(i).padStart(60, '0')}`] = { Properties: {} };
    const { status, lines, json } = invoke({ Resources: resources }, { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' });
    expect(status).toBe('failure');
    const i = json.findIndex((l) => l.message === 'hardening failed');
    expect(Buffer.byteLength(lines[i] as string)).toBeLessThan(LOG_EVENT_LIMIT);
    expect(json[i]!.problemsOmitted as number).toBeGreaterThan(0);
  });
});

describe('log levels', () => {
  test('DEBUG explains each rule decision; INFO writes none', () => {
    const debug = invoke(buckets(1), { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_METRICS_DISABLED: 'true' }).json.filter((l) => l.message === 'rule decision');
    const s3 = debug.find((l) => l.rule === 'S3-001' && l.resource === 'B0000000') as { decision: string; outcome: string[] };
    expect(s3.decision).toBe('applied');
    expect(s3.outcome.join(' ')).toContain('PublicAccessBlockConfiguration');
    expect(debug.some((l) => l.rule === 'KMS-001')).toBe(false); // no key in the template: the rule has nothing to decide
    expect(debug.some((l) => (l.outcome as string) === 'no change: already compliant, or nothing this rule handles')).toBe(true);
    expect(invoke(buckets(1), { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' }).json.filter((l) => l.message === 'rule decision')).toEqual([]);
  });

  test("Lambda's application log level (AWS_LAMBDA_LOG_LEVEL) wins when stricter, which is why template.yaml sets both", () => {
    const lines = invoke(buckets(1), { POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' }).json;
    expect(lines.filter((l) => l.message === 'rule decision')).toEqual([]);
    expect(lines.some((l) => l.message === 'hardened')).toBe(true);
  });
});

describe('EMF metrics', () => {
  type Emf = { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;
  const emf = (lines: Array<Record<string, unknown>>) => lines.filter((l) => '_aws' in l) as Emf[];

  test('invocations, failures, duration, changes and findings, and per rule with a Rule dimension', () => {
    const docs = emf(invoke(buckets(1), { POWERTOOLS_LOG_LEVEL: 'SILENT' }).json);
    const main = docs.find((d) => 'Invocations' in d)!;
    expect(main._aws.CloudWatchMetrics[0]!.Namespace).toBe('TapHardening');
    expect(main).toMatchObject({ Invocations: 1, Failures: 0, service: 'tap-hardening' });
    expect(main.Changes as number).toBeGreaterThan(0);
    expect(typeof main.Duration).toBe('number');
    const s3 = docs.find((d) => d.Rule === 'S3-001')!;
    expect(s3._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'Rule']]);
    expect(s3.Changes).toBe(1);
    expect(docs.some((d) => 'ColdStart' in d)).toBe(true);
  });

  test('a failed invocation counts as a failure', () => {
    const docs = emf(invoke({ Resources: { A: { Type: 5 } } }, { POWERTOOLS_LOG_LEVEL: 'SILENT' }).json);
    expect(docs.find((d) => 'Invocations' in d)).toMatchObject({ Invocations: 1, Failures: 1 });
  });
});
