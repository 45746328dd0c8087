/**
 * The KMS preflight end to end against aws-sdk-client-mock: the real reader (retries, error
 * classification) and the checks, for each outcome the issue names.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { checkExternalKeys, missingActions, type KeyCheckRequest } from '../../macro/preflight/kms';

const kms = mockClient(KMSClient);
const error = (name: string) => Object.assign(new Error(`${name} from KMS`), { name });
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222';
const logsRequest: KeyCheckRequest = { rule: 'LOGS-001', resource: 'AppLogs', path: 'Properties.KmsKeyId', key: KEY, service: 'logs' };
const trailRequest: KeyCheckRequest = { rule: 'CT-003', resource: 'Trail', path: 'Properties.KMSKeyId', key: KEY, service: 'cloudtrail' };

const LOGS_POLICY = {
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' },
    { Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], Resource: '*' },
  ],
};
const GOOD_KEY = { KeyId: '1111-2222', Arn: KEY, Enabled: true, KeyState: 'Enabled' as const, KeySpec: 'SYMMETRIC_DEFAULT' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const };

beforeEach(() => kms.reset());

const run = (requests: KeyCheckRequest[], mode: 'warn' | 'fail' = 'warn', region = 'eu-west-1') => checkExternalKeys(requests, { region, mode });

describe('the KMS preflight', () => {
  test('a compliant key is reported as checked, with no problem', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: GOOD_KEY });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    const out = await run([logsRequest]);
    expect(out.problems).toEqual([]);
    expect(out.records).toEqual([expect.objectContaining({ severity: 'info', detail: expect.stringContaining('checked live') })]);
  });

  test('a key policy without the service statement is an error finding (warn) or a failure (fail)', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: GOOD_KEY });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [LOGS_POLICY.Statement[0]] }) });
    const warned = await run([trailRequest]);
    expect(warned.records[0]).toMatchObject({ severity: 'error', detail: expect.stringContaining('does not allow cloudtrail.amazonaws.com kms:GenerateDataKey, kms:DescribeKey') });
    const failed = await run([trailRequest], 'fail');
    expect(failed.problems).toEqual([{ rule: 'CT-003', resource: 'Trail', path: 'Properties.KMSKeyId', message: expect.stringContaining('does not allow') }]);
  });

  test('a disabled key fails in fail mode, naming the key and the resource', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...GOOD_KEY, Enabled: false, KeyState: 'Disabled' } });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    const out = await run([logsRequest], 'fail');
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0].message).toBe(`key ${KEY}: the key is not enabled (state Disabled)`);
  });

  test('an asymmetric key is an error', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...GOOD_KEY, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' } });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    const out = await run([logsRequest], 'fail');
    expect(out.problems.map((p) => p.message)).toEqual([expect.stringContaining('RSA_2048'), expect.stringContaining('SIGN_VERIFY')]);
  });

  test('a key in another region fails for CloudWatch Logs, which needs the same region', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: GOOD_KEY });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    const out = await run([logsRequest], 'fail', 'us-east-1');
    expect(out.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('the key is in eu-west-1, but CloudWatch Logs needs a key in the log group'));
  });

  test('access denied is "could not verify", a warning even in fail mode', async () => {
    kms.on(DescribeKeyCommand).rejects(error('AccessDeniedException'));
    const out = await run([logsRequest], 'fail');
    expect(out.problems).toEqual([]);
    expect(out.records[0]).toMatchObject({ severity: 'warning', detail: expect.stringContaining('could not verify') });
  });

  test('a key that does not exist fails in fail mode', async () => {
    kms.on(DescribeKeyCommand).rejects(error('NotFoundException'));
    const out = await run([logsRequest], 'fail');
    expect(out.problems[0].message).toContain('does not exist in eu-west-1');
  });

  test('throttling is retried, and a later success counts', async () => {
    kms.on(DescribeKeyCommand).rejectsOnce(error('ThrottlingException')).resolves({ KeyMetadata: GOOD_KEY });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    const out = await run([logsRequest], 'fail');
    expect(out.problems).toEqual([]);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(2);
  });

  test('throttling that outlasts the retries is "could not verify", after a bounded number of calls', async () => {
    kms.on(DescribeKeyCommand).rejects(error('ThrottlingException'));
    const out = await run([logsRequest], 'fail');
    expect(out.problems).toEqual([]);
    expect(out.records[0].detail).toContain('could not verify');
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(3);
  });

  test('each key is read once however many resources use it', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: GOOD_KEY });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(LOGS_POLICY) });
    await run([logsRequest, { ...logsRequest, resource: 'Other' }]);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
  });
});

test('missingActions honours wildcards and ignores statements for other principals', () => {
  const policy = { Statement: [{ Effect: 'Allow', Principal: { Service: ['cloudtrail.amazonaws.com'] }, Action: 'kms:Gen*', Resource: '*' }] };
  expect(missingActions(policy, ['cloudtrail.amazonaws.com'], ['kms:GenerateDataKey', 'kms:DescribeKey'])).toEqual(['kms:DescribeKey']);
  expect(missingActions(policy, ['logs.eu-west-1.amazonaws.com'], ['kms:Encrypt'])).toEqual(['kms:Encrypt']);
});

describe('hardenWithPreflight', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hardenWithPreflight, harden } = require('../../macro/engine/harden') as typeof import('../../macro/engine/harden');
  const template = (externalKeys?: string) => ({
    ...(externalKeys ? { Metadata: { TapHardening: { ExternalKeys: externalKeys } } } : {}),
    Parameters: { KeyArn: { Type: 'String' } },
    Resources: { AppLogs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { Ref: 'KeyArn' } } } },
  });
  const disabled = async () => ({ status: 'ok' as const, metadata: { ...GOOD_KEY, Enabled: false, KeyState: 'Disabled' as const }, policy: LOGS_POLICY });

  test('fails the run in ExternalKeys: fail mode, naming the rule, the resource and the key', async () => {
    await expect(hardenWithPreflight({ template: template('fail'), region: 'eu-west-1', parameterValues: { KeyArn: KEY } }, disabled)).rejects.toThrow(
      `1 error: LOGS-001 AppLogs Properties.KmsKeyId: key ${KEY}: the key is not enabled (state Disabled)`,
    );
  });

  test('reports in the default warn mode, and does not read keys in off mode', async () => {
    const warned = await hardenWithPreflight({ template: template(), region: 'eu-west-1', parameterValues: { KeyArn: KEY } }, disabled);
    expect(warned.report.records).toContainEqual(expect.objectContaining({ rule: 'LOGS-001', severity: 'error' }));
    const read = jest.fn(disabled);
    const off = await hardenWithPreflight({ template: template('off'), region: 'eu-west-1', parameterValues: { KeyArn: KEY } }, read);
    expect(read).not.toHaveBeenCalled();
    expect(off.report.records).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('ExternalKeys: off') }));
  });

  test('a key from a parameter without a known value is reported as not checked', async () => {
    const read = jest.fn(disabled);
    const out = await hardenWithPreflight({ template: template(), region: 'eu-west-1' }, read);
    expect(read).not.toHaveBeenCalled();
    expect(out.report.records).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('parameter KeyArn, whose value is not known') }));
  });

  test('the synchronous engine never reads keys and says so', () => {
    const out = harden({ template: template(), region: 'eu-west-1', parameterValues: { KeyArn: KEY } });
    expect(out.report.records).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('not checked live here') }));
  });
});
