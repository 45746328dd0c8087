/**
 * SNS-001 (and the later connection kinds of this file) add grants that name their source; none
 * of them may close a dependency cycle, including where the naive grant would: a key statement
 * that refers (`Ref`) to a topic whose Subscription list names the queue the key encrypts
 * (topic → queue → key → topic). (Every rule's fixtures also run through the whole registry,
 * cycle-checked, in fixtures.test.ts.)
 */
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import { deepClone, type JsonObject } from '../../macro/template/json';
import { casesIn, cycleIn } from '../support/fixtures';

const run = (template: JsonObject, rules = RULES) => harden({ template, rules, region: 'us-east-1', accountId: '123456789012' });
const only = (...ids: string[]) => RULES.filter((r) => ids.includes(r.id));
const input = (rule: string, name: string) => casesIn(path.join(__dirname, rule)).find((c) => c.name === name)!.input;
const resourcesOf = (template: JsonObject) => template.Resources as JsonObject;

describe('no cycle from the connection kinds', () => {
  test('SNS-001: a key statement referring to a topic that subscribes the key\'s queue would be a cycle; the rule pins it by pattern and says how to name it', () => {
    // Prepare
    const template = input('SNS-001', 'fix-unnamed');
    const naive = deepClone(template);
    const key = resourcesOf(naive).QueueKey as { Properties: { KeyPolicy: { Statement: JsonObject[] } } };
    key.Properties.KeyPolicy.Statement.push({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'Orders' } } } });
    // Act
    const result = run(template, only('SNS-001'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['Orders', 'Billing', 'QueueKey']));
    expect(cycleIn(result.template)).toBeUndefined();
    expect(result.report.records).toContainEqual(expect.objectContaining({ rule: 'SNS-001', resource: 'Orders', action: 'finding', severity: 'warning', hint: expect.stringContaining('TopicName') }));
  });

  test('SNS-001: with a TopicName the key statement is pinned to the topic by its name-built ARN, without a reference', () => {
    const template = deepClone(input('SNS-001', 'fix-unnamed'));
    (resourcesOf(template).Orders as { Properties: JsonObject }).Properties.TopicName = { 'Fn::Sub': '${AWS::StackName}-orders' };
    const result = run(template);
    expect(cycleIn(result.template)).toBeUndefined();
    const statements = (resourcesOf(result.template).QueueKey as { Properties: { KeyPolicy: { Statement: JsonObject[] } } }).Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}-orders' } } } }));
  });
});

describe('no cycle from EVT-001', () => {
  test('a key statement naming an unnamed rule by GetAtt would be a cycle (rule → queue → key → rule); the key statement names no source (EventBridge key requests carry none)', () => {
    // Prepare
    const template = input('EVT-001', 'fix-unnamed');
    const naive = deepClone(template);
    (resourcesOf(naive).JobsKey as { Properties: JsonObject }).Properties.KeyPolicy = {
      Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Nightly', 'Arn'] } } } }],
    };
    // Act
    const result = run(template, only('EVT-001'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['Nightly', 'Jobs', 'JobsKey']));
    expect(cycleIn(result.template)).toBeUndefined();
    const statements = (resourcesOf(result.template).JobsKey as { Properties: { KeyPolicy: { Statement: JsonObject[] } } }).Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({ Sid: 'AllowEventsDelivery', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' });
  });

  test('the permission and queue policy may name the rule by GetAtt: nothing waits for them, through the whole registry too', () => {
    const result = run(input('EVT-001', 'fix-unnamed'));
    expect(cycleIn(result.template)).toBeUndefined();
    expect((resourcesOf(result.template).NightlyExporterInvokePermission as { Properties: JsonObject }).Properties.SourceArn).toEqual({ 'Fn::GetAtt': ['Nightly', 'Arn'] });
  });
});

describe('no cycle from APIGW-004', () => {
  test('the permissions name the API and authorizer by Ref; nothing refers to them, through the whole registry (which orders the deployment after the methods)', () => {
    const template = deepClone(input('APIGW-004', 'fix'));
    resourcesOf(template).Deployment = { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } };
    resourcesOf(template).Stage = { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, DeploymentId: { Ref: 'Deployment' }, StageName: 'prod' } };
    const result = run(template);
    expect(cycleIn(result.template)).toBeUndefined();
    const permission = resourcesOf(result.template).TokenAuthorizerAuthInvokePermission as { Properties: JsonObject; DependsOn?: unknown };
    expect(permission.Properties.SourceArn).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/${TokenAuthorizer}' });
    expect(Object.values(resourcesOf(result.template)).some((r) => JSON.stringify((r as JsonObject).DependsOn ?? null).includes('InvokePermission'))).toBe(false);
  });
});

describe('no cycle from CW-001', () => {
  test('a key statement naming the alarm by GetAtt would be a cycle (alarm → topic → key → alarm); the rule builds the ARN from AlarmName, or uses the pattern and says how to name it', () => {
    // Prepare
    const template = input('CW-001', 'fix');
    const naive = deepClone(template);
    const key = resourcesOf(naive).AlarmKey as { Properties: { KeyPolicy: { Statement: JsonObject[] } } };
    key.Properties.KeyPolicy.Statement.push({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['QueueAge', 'Arn'] } } } });
    // Act
    const result = run(template, only('CW-001'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['QueueAge', 'Pager', 'AlarmKey']));
    expect(cycleIn(result.template)).toBeUndefined();
    expect(cycleIn(run(template).template)).toBeUndefined();
    expect(result.report.records).toContainEqual(expect.objectContaining({ rule: 'CW-001', resource: 'Unnamed', action: 'finding', severity: 'warning', hint: expect.stringContaining('AlarmName') }));
  });
});
