/**
 * The KMS reader: classification of answers and errors, against aws-sdk-client-mock; and the
 * bundle layout that keeps the SDK out of dist/handler.js.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { readKey } from '../../macro/preflight/kms-client';

const kms = mockClient(KMSClient);
const error = (name: string, message = name) => Object.assign(new Error(message), { name });

beforeEach(() => kms.reset());

describe('readKey', () => {
  test('returns the key metadata and its parsed default policy', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Enabled: true, KeySpec: 'SYMMETRIC_DEFAULT' } });
    kms.on(GetKeyPolicyCommand, { KeyId: 'k-1', PolicyName: 'default' }).resolves({ Policy: '{"Statement":[]}' });
    const read = await readKey('alias/logs', { region: 'eu-west-1' });
    expect(read).toEqual({ status: 'ok', metadata: { KeyId: 'k-1', Enabled: true, KeySpec: 'SYMMETRIC_DEFAULT' }, policy: { Statement: [] } });
  });

  test.each([
    ['NotFoundException', 'not-found'],
    ['AccessDeniedException', 'access-denied'],
    ['ThrottlingException', 'unavailable'],
  ])('classifies %s from DescribeKey as %s', async (name, status) => {
    kms.on(DescribeKeyCommand).rejects(error(name));
    const read = await readKey('k-2', { region: 'us-east-1', maxAttempts: 1 });
    expect(read.status).toBe(status);
  });

  test('a key whose policy cannot be read is still described, with the reason', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-3' } });
    kms.on(GetKeyPolicyCommand).rejects(error('AccessDeniedException', 'not allowed'));
    const read = await readKey('k-3', { region: 'us-east-1' });
    expect(read).toMatchObject({ status: 'ok', policyError: 'not allowed' });
  });
});

describe('bundle layout', () => {
  const dist = path.join(__dirname, '../../dist');

  test('dist/handler.js holds no AWS SDK code; the KMS client is a sibling bundle', () => {
    const handler = readFileSync(path.join(dist, 'handler.js'), 'utf8');
    expect(handler).not.toMatch(/DescribeKeyCommand|@aws-sdk|smithy/);
    const sibling = readFileSync(path.join(dist, 'preflight/kms-client.js'), 'utf8');
    expect(sibling).toContain('DescribeKey');
  });

  test('the sibling bundle loads and exports readKey', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dist, 'preflight/kms-client.js')) as { readKey: unknown };
    expect(typeof mod.readKey).toBe('function');
  });
});
