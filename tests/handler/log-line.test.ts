/**
 * The one log line per invocation stays within a CloudWatch Logs event (256 KB): counts by rule
 * and by resource always, the records capped with the number left out. A template of a few
 * hundred buckets has more than a thousand records, over half a megabyte written out whole.
 */
import { captureOutput } from '../support/captured-output';

type Handler = (event: unknown, context?: unknown) => Promise<Record<string, unknown>>;

// The handler logs at INFO, as in Lambda; its Logger reads the level when the module loads.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../macro/handler') as { handler: Handler };
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const CLOUDWATCH_EVENT_BYTES = 256 * 1024;

const logged = captureOutput();

function buckets(n: number): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    resources[`Bucket${i}${'x'.repeat(60)}`] = { Type: 'AWS::S3::Bucket', Properties: { BucketName: `name-${'y'.repeat(40)}-${i}`, Tags: [{ Key: 'a', Value: 'b' }] } };
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
}

function lines(): Array<{ bytes: number; entry: Record<string, unknown> }> {
  return logged
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ bytes: Buffer.byteLength(l), entry: JSON.parse(l) as Record<string, unknown> }));
}

describe('the invocation log line', () => {
  test('stays under 256 KB for a template with over a thousand records, with counts and the number left out', async () => {
    // Prepare
    const event = { region: 'us-east-1', accountId: '123456789012', fragment: buckets(245), transformId: 'x::TapHardening', params: {}, requestId: 'r-log', templateParameterValues: {} };

    // Act
    const response = await handler(event, { awsRequestId: 'a' });

    // Assess
    expect(response.status).toBe('success');
    const all = lines();
    expect(all).toHaveLength(1);
    const [{ bytes, entry }] = all;
    expect(bytes).toBeLessThan(CLOUDWATCH_EVENT_BYTES);
    const total = (entry.changes as number) + (entry.findings as number) + (entry.suppressed as number);
    expect(total).toBeGreaterThan(1000);
    const records = entry.records as unknown[];
    expect(records.length).toBeGreaterThan(0);
    expect(records.length + (entry.recordsOmitted as number)).toBe(total);
    expect(entry.recordsOmitted).toBeGreaterThan(0);
    const byRule = entry.byRule as Record<string, { changes: number; findings: number; suppressed: number }>;
    expect(Object.values(byRule).reduce((a, c) => a + c.changes + c.findings + c.suppressed, 0)).toBe(total);
    expect(byRule['S3-001']?.changes).toBe(245);
    const byResource = entry.byResource as Record<string, number>;
    expect(Object.keys(byResource)).toHaveLength(490);
    expect(Object.values(byResource).reduce((a, b) => a + b, 0)).toBe(total);
  });

  test('keeps every record of a small template, and says none was left out', async () => {
    // Prepare
    const event = { region: 'us-east-1', accountId: '123456789012', fragment: buckets(2), transformId: 'x::TapHardening', params: {}, requestId: 'r-small', templateParameterValues: {} };

    // Act
    await handler(event, { awsRequestId: 'a' });

    // Assess
    const [{ entry }] = lines();
    const total = (entry.changes as number) + (entry.findings as number) + (entry.suppressed as number);
    expect((entry.records as unknown[]).length).toBe(total);
    expect(entry.recordsOmitted).toBe(0);
  });

  test('a failure with hundreds of problems stays under 256 KB too, with the number left out', async () => {
    // Prepare: every bucket skips three rules with reasons that say nothing, each an error.
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) {
      resources[`Bucket${i}${'x'.repeat(200)}`] = { Type: 'AWS::S3::Bucket', Metadata: { TapHardening: { Skip: [{ Rule: 'S3-001', Reason: 'n/a' }, { Rule: 'S3-002', Reason: '...' }, { Rule: 'S3-003', Reason: '-' }] } } };
    }
    const event = { region: 'us-east-1', accountId: '123456789012', fragment: { Resources: resources }, transformId: 'x::TapHardening', params: {}, requestId: 'r-fail', templateParameterValues: {} };

    // Act
    const response = await handler(event, { awsRequestId: 'a' });

    // Assess
    expect(response.status).toBe('failure');
    const [{ bytes, entry }] = lines();
    expect(bytes).toBeLessThan(CLOUDWATCH_EVENT_BYTES);
    const problems = entry.problems as unknown[];
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length + (entry.problemsOmitted as number)).toBe(1200);
    expect(entry.problemsOmitted).toBeGreaterThan(0);
  });
});
