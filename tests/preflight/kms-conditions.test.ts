/**
 * The KMS preflight checks only keys the deploy uses: a key in an `Fn::If` branch that the
 * deploy's parameter values do not take, or on a resource whose Condition is false, is not sent
 * to KMS (reported instead); a condition that cannot be evaluated here is checked as before.
 */
import { hardenWithPreflight } from '../../macro/engine/harden';
import type { KeyRead } from '../../macro/preflight/kms-client';
import { evaluateCondition } from '../../macro/template/conditions';
import { TemplateModel } from '../../macro/template/model';
import type { JsonObject } from '../../macro/template/json';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222';
const GOOD: KeyRead = {
  status: 'ok',
  metadata: { KeyId: '1111-2222', Enabled: true, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' },
  policy: { Statement: [{ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:*', Resource: '*' }] },
};

function template(): JsonObject {
  return {
    Parameters: { KeyArn: { Type: 'String', Default: '' }, Env: { Type: 'String' } },
    Conditions: {
      UseCmk: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KeyArn' }, ''] }] },
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      ProdInIreland: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
    },
    Resources: {
      AppLogs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::If': ['UseCmk', { Ref: 'KeyArn' }, { Ref: 'AWS::NoValue' }] } } },
      ProdLogs: { Type: 'AWS::Logs::LogGroup', Condition: 'ProdInIreland', Properties: { KmsKeyId: KEY } },
    },
  };
}

async function run(parameterValues: Record<string, string>) {
  const asked: string[] = [];
  const read = async (key: string): Promise<KeyRead> => {
    asked.push(key);
    return GOOD;
  };
  const result = await hardenWithPreflight({ template: template(), region: 'eu-west-1', accountId: '123456789012', parameterValues }, read);
  return { asked, records: result.report.records.filter((r) => r.rule === 'LOGS-001' && r.action === 'finding') };
}

describe('the KMS preflight and conditions', () => {
  test('an empty key parameter behind a false condition, and a resource whose condition is false, are not checked', async () => {
    // Act
    const { asked, records } = await run({ KeyArn: '', Env: 'dev' });
    // Assess
    expect(asked).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({ resource: 'AppLogs', severity: 'info', detail: expect.stringContaining('not checked: it is chosen by Fn::If only when condition UseCmk is true, and UseCmk is false') }),
      expect.objectContaining({ resource: 'ProdLogs', severity: 'info', detail: expect.stringContaining('has Condition ProdInIreland, which is false for this deploy') }),
    ]);
  });

  test('the branches the deploy takes are checked', async () => {
    // Act
    const { asked } = await run({ KeyArn: KEY, Env: 'prod' });
    // Assess
    expect(asked).toEqual([KEY]);
  });

  test('a condition that cannot be evaluated (no value for Env) is checked as if it held', async () => {
    // Act
    const { asked } = await run({ KeyArn: KEY });
    // Assess
    expect(asked).toEqual([KEY]);
  });

  test('conditions evaluate Equals, Not, And, Or and Condition over parameters and pseudo parameters', () => {
    // Prepare
    const model = new TemplateModel(
      {
        Parameters: { A: { Type: 'String' }, B: { Type: 'String' } },
        Conditions: {
          AIsX: { 'Fn::Equals': [{ Ref: 'A' }, 'x'] },
          BIsY: { 'Fn::Equals': ['y', { Ref: 'B' }] },
          Either: { 'Fn::Or': [{ Condition: 'AIsX' }, { Condition: 'BIsY' }] },
          Both: { 'Fn::And': [{ Condition: 'AIsX' }, { Condition: 'BIsY' }] },
          China: { 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws-cn'] },
          Loop: { Condition: 'Loop' },
        },
        Resources: {},
      },
      { A: 'x' },
    );
    // Act / Assess
    expect(evaluateCondition(model, 'AIsX', {})).toBe(true);
    expect(evaluateCondition(model, 'BIsY', {})).toBeUndefined();
    expect(evaluateCondition(model, 'Either', {})).toBe(true);
    expect(evaluateCondition(model, 'Both', {})).toBeUndefined();
    expect(evaluateCondition(model, 'China', { region: 'cn-north-1' })).toBe(true);
    expect(evaluateCondition(model, 'China', { region: 'eu-west-1' })).toBe(false);
    expect(evaluateCondition(model, 'China', {})).toBeUndefined();
    expect(evaluateCondition(model, 'Loop', {})).toBeUndefined();
    expect(evaluateCondition(model, 'Missing', {})).toBeUndefined();
  });
});
