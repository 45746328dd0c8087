/**
 * Every event in events/ through the built bundle (dist/handler.js), as `sam local invoke` and
 * CloudFormation would run it. The responses are golden files in tests/handler/responses/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expectOrUpdateJson } from '../support/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../dist/handler.js') as { handler: (event: unknown, context?: unknown) => Promise<Record<string, unknown>> };

const EVENTS = path.join(__dirname, '../../events');
const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).sort();

/** What each event must produce, beyond its golden response. */
const EXPECT: Record<string, { status: 'success' | 'failure'; mentions?: string[] }> = {
  'bad-option.json': { status: 'failure', mentions: ['OPTIONS', 'Metadata.TapHardening.Rules.S3-004'] },
  'malformed-resource.json': { status: 'failure', mentions: ['2 errors', 'TEMPLATE Nameless Type', 'TEMPLATE BadDependsOn DependsOn'] },
  'report-mode.json': { status: 'success', mentions: ['S3-001', 'S3-002', 'S3-003'] },
  's3-default-encryption.json': { status: 'success', mentions: ['S3-003 Data', 'S3-003 AccessLogs'] },
  's3-public-access-block.json': { status: 'success', mentions: ['S3-001 Data'] },
  's3-tls-only.json': { status: 'success', mentions: ['S3-002 DataPolicy'] },
  'snippet-without-resources.json': { status: 'success' },
};

test('every event has an expectation', () => {
  expect(files).toEqual(Object.keys(EXPECT).sort());
});

describe.each(files)('%s', (file) => {
  test('answers as its golden response says, echoing requestId, without mutating the event', async () => {
    // Prepare
    const event = JSON.parse(readFileSync(path.join(EVENTS, file), 'utf8'));
    const before = JSON.stringify(event);
    // Act
    const response = await handler(event, { awsRequestId: 'test' });
    // Assess
    expect(JSON.stringify(event)).toBe(before);
    expect(response.requestId).toBe(event.requestId);
    expect(response.status).toBe(EXPECT[file].status);
    const text = response.status === 'success' ? JSON.stringify(response.fragment) : String(response.errorMessage);
    for (const m of EXPECT[file].mentions ?? []) expect(text).toContain(m);
    if (response.status === 'failure') expect(response.fragment).toEqual(event.fragment);
    expect(response).toEqual(expectOrUpdateJson(path.join(__dirname, 'responses', file), response));
  });
});

test('a fragment without Resources comes back unchanged', async () => {
  const event = JSON.parse(readFileSync(path.join(EVENTS, 'snippet-without-resources.json'), 'utf8'));
  const response = await handler(event);
  expect(response.fragment).toEqual(event.fragment);
});

test('report mode returns the template unchanged but for the report', async () => {
  const event = JSON.parse(readFileSync(path.join(EVENTS, 'report-mode.json'), 'utf8'));
  const response = (await handler(event)) as { fragment: { Resources: unknown; Metadata: { TapHardening: { Report: { Changes: number } } } } };
  expect(response.fragment.Resources).toEqual(event.fragment.Resources);
  expect(response.fragment.Metadata.TapHardening.Report.Changes).toBeGreaterThan(0);
});
