/**
 * The API Gateway account preflight: it asks the account (GetAccount) only when a stage of the
 * template logs, APIGW-001 adds the role and the account-wide Account only when the account has
 * no CloudWatch role, and "could not check" never fails the deploy (the Account is added as
 * before, with a warning). The live reader is tested against a stand-in SDK with the members it
 * uses: bounded attempts and deadline, and the error classes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hardenWithPreflight } from '../../macro/engine/harden';
import { apiGatewayAccountState, needsAccountCheck } from '../../macro/preflight/apigateway';
import { readAccount, type AccountRead, type ApiGatewaySdk } from '../../macro/preflight/apigateway-client';
import type { JsonObject } from '../../macro/template/json';
import { parseTemplate } from '../../macro/template/yaml';

const fixture = (name: string): JsonObject => parseTemplate(readFileSync(path.join(__dirname, `../rules/APIGW-001/${name}.input.yaml`), 'utf8'), { file: name }).value as JsonObject;
const ROLE = 'arn:aws:iam::123456789012:role/central-apigw-logs';

async function harden(template: JsonObject, answer: AccountRead | Error) {
  const asked: string[] = [];
  const read = async (region: string): Promise<AccountRead> => {
    asked.push(region);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const result = await hardenWithPreflight({ template, region: 'eu-west-1', accountId: '123456789012' }, undefined, read);
  const resources = result.template.Resources as JsonObject;
  return { asked, resources, records: result.report.records.filter((r) => r.rule.startsWith('APIGW')) };
}

describe('when the preflight asks', () => {
  test('a stage that logs makes it ask; a template without one, or with its own Account role, or with the rule off, does not', () => {
    const logging = fixture('fix');
    expect(needsAccountCheck(logging, undefined)).toBe(true);
    expect(needsAccountCheck(fixture('compliant-not-logging'), undefined)).toBe(false);
    expect(needsAccountCheck(fixture('compliant'), undefined)).toBe(false);
    expect(needsAccountCheck({ ...logging, Metadata: { TapHardening: { ApiGatewayCloudWatchRole: false } } }, undefined)).toBe(false);
    expect(needsAccountCheck(logging, '{"Rules": {"APIGW-001": false}}')).toBe(false);
    expect(needsAccountCheck({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }, undefined)).toBe(false);
  });

  test('without a region it does not ask and says why', async () => {
    const read = jest.fn();
    await expect(apiGatewayAccountState(fixture('fix'), {}, read)).resolves.toEqual({ status: 'unknown', reason: 'the region is not known' });
    expect(read).not.toHaveBeenCalled();
  });
});

describe('APIGW-001 with the account\'s answer', () => {
  test('an account that already has a CloudWatch role gets no role and no Account, and no stage is ordered after one', async () => {
    // Act
    const { asked, resources, records } = await harden(fixture('fix'), { status: 'ok', cloudwatchRoleArn: ROLE });
    // Assess
    expect(asked).toEqual(['eu-west-1']);
    expect(Object.keys(resources)).not.toEqual(expect.arrayContaining(['ApiGatewayAccount']));
    expect(Object.keys(resources).filter((id) => id.startsWith('ApiGateway'))).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ rule: 'APIGW-001', resource: 'ProdStage', severity: 'info', detail: expect.stringContaining(`already has an API Gateway CloudWatch role in this region (${ROLE}, checked live)`) })]);
  });

  test('an account without a role gets the role and the Account, and the logging stage is ordered after it', async () => {
    const { resources, records } = await harden(fixture('fix'), { status: 'ok' });
    expect(resources).toHaveProperty('ApiGatewayCloudWatchRole');
    expect(resources).toHaveProperty('ApiGatewayAccount');
    expect((resources.ProdStage as JsonObject).DependsOn).toBe('ApiGatewayAccount');
    expect(records).toContainEqual(expect.objectContaining({ resource: 'ApiGatewayAccount', severity: 'info', detail: 'checked live: the account has no API Gateway CloudWatch role in this region' }));
  });

  test('with the central role option and no role in the account, the Account points at the central role and no role is created', async () => {
    const { resources } = await harden(fixture('option-central-role'), { status: 'ok' });
    expect(resources).not.toHaveProperty('ApiGatewayCloudWatchRole');
    expect((resources.ApiGatewayAccount as JsonObject).Properties).toEqual({ CloudWatchRoleArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ApiGatewayCloudWatch' } });
  });

  test.each([
    ['access denied', { status: 'access-denied', message: 'AccessDeniedException: not allowed' } as AccountRead],
    ['a network error', { status: 'unavailable', message: 'TimeoutError: timed out' } as AccountRead],
    ['a reader that throws', new Error('the client bundle is missing')],
  ])('could not check (%s): the deploy goes on, the role and Account are added as before, with a warning', async (_what, answer) => {
    const { resources, records } = await harden(fixture('fix'), answer);
    expect(resources).toHaveProperty('ApiGatewayCloudWatchRole');
    expect(resources).toHaveProperty('ApiGatewayAccount');
    expect(records).toContainEqual(expect.objectContaining({ resource: 'ApiGatewayAccount', severity: 'warning', detail: expect.stringContaining('could not check the account') }));
  });

  test('a template without a logging stage is not asked about', async () => {
    const { asked } = await harden(fixture('compliant-not-logging'), { status: 'ok' });
    expect(asked).toEqual([]);
  });
});

/** A stand-in for @aws-sdk/client-api-gateway: `answers` in order, one per send. */
function fakeSdk(answers: Array<{ cloudwatchRoleArn?: string } | Error | 'hang'>) {
  const calls: unknown[] = [];
  const configs: unknown[] = [];
  const sdk: ApiGatewaySdk = {
    APIGatewayClient: class {
      constructor(config: unknown) {
        configs.push(config);
      }
      async send(command: unknown, options?: { abortSignal?: AbortSignal }) {
        calls.push(command);
        const next = answers.shift() ?? new Error('no more answers');
        if (next === 'hang') {
          return new Promise<never>((_, reject) => options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
        }
        if (next instanceof Error) throw next;
        return next;
      }
    } as unknown as ApiGatewaySdk['APIGatewayClient'],
    GetAccountCommand: class {
      constructor(readonly input: unknown) {}
    } as unknown as ApiGatewaySdk['GetAccountCommand'],
  };
  return { sdk, calls, configs };
}
const named = (name: string) => Object.assign(new Error(`${name} from API Gateway`), { name });

describe('readAccount', () => {
  test('returns the role ARN, or none when the account has no role', async () => {
    const one = fakeSdk([{ cloudwatchRoleArn: ROLE }]);
    await expect(readAccount({ region: 'eu-west-1', sdk: one.sdk })).resolves.toEqual({ status: 'ok', cloudwatchRoleArn: ROLE });
    expect(one.configs).toEqual([{ region: 'eu-west-1', maxAttempts: 1, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } }]);
    await expect(readAccount({ region: 'eu-west-1', sdk: fakeSdk([{}]).sdk })).resolves.toEqual({ status: 'ok' });
  });

  test('access denied is classified and not retried', async () => {
    const f = fakeSdk([named('UnauthorizedException'), { cloudwatchRoleArn: ROLE }]);
    await expect(readAccount({ region: 'eu-west-1', sdk: f.sdk })).resolves.toMatchObject({ status: 'access-denied' });
    expect(f.calls).toHaveLength(1);
  });

  test('throttling is retried once, then reported as unavailable', async () => {
    const retried = fakeSdk([named('TooManyRequestsException'), { cloudwatchRoleArn: ROLE }]);
    await expect(readAccount({ region: 'eu-west-1', sdk: retried.sdk })).resolves.toEqual({ status: 'ok', cloudwatchRoleArn: ROLE });
    const exhausted = fakeSdk([named('TooManyRequestsException'), named('TooManyRequestsException'), { cloudwatchRoleArn: ROLE }]);
    await expect(readAccount({ region: 'eu-west-1', sdk: exhausted.sdk })).resolves.toMatchObject({ status: 'unavailable', message: expect.stringContaining('TooManyRequestsException') });
    expect(exhausted.calls).toHaveLength(2);
  });

  test('a call that hangs ends at the deadline as unavailable', async () => {
    const f = fakeSdk(['hang']);
    await expect(readAccount({ region: 'eu-west-1', sdk: f.sdk, deadlineMs: 50 })).resolves.toMatchObject({ status: 'unavailable' });
  });

  test('without the SDK package the read is unavailable, never a throw', async () => {
    jest.resetModules();
    jest.doMock(
      '@aws-sdk/client-api-gateway',
      () => {
        throw new Error("Cannot find module '@aws-sdk/client-api-gateway'");
      },
      { virtual: true },
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../macro/preflight/apigateway-client') as typeof import('../../macro/preflight/apigateway-client');
    await expect(fresh.readAccount({ region: 'eu-west-1' })).resolves.toMatchObject({ status: 'unavailable', message: expect.stringContaining('API Gateway client is not available') });
    jest.dontMock('@aws-sdk/client-api-gateway');
  });

  test('loads @aws-sdk/client-api-gateway by name when no SDK is given', async () => {
    jest.resetModules();
    const f = fakeSdk([{ cloudwatchRoleArn: ROLE }]);
    jest.doMock('@aws-sdk/client-api-gateway', () => f.sdk, { virtual: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../macro/preflight/apigateway-client') as typeof import('../../macro/preflight/apigateway-client');
    await expect(fresh.readAccount({ region: 'us-west-2' })).resolves.toEqual({ status: 'ok', cloudwatchRoleArn: ROLE });
    expect(f.configs).toEqual([expect.objectContaining({ region: 'us-west-2' })]);
    jest.dontMock('@aws-sdk/client-api-gateway');
  });
});
