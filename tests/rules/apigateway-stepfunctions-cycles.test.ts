/**
 * APIGW-001, APIGW-002, APIGW-003 and SFN-001 add DependsOn edges and references; none of them may
 * close a dependency cycle, including where the naive fix would: an Account already ordered after
 * the stage, a method that refers to its deployment, a policy that refers to its state machine.
 * And APIGW-003 on a large API. (Every rule's fixtures also run through the whole registry, cycle-
 * checked, in fixtures.test.ts.)
 */
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import { deepClone, type JsonObject } from '../../macro/template/json';
import { casesIn, cycleIn, readTemplate } from '../support/fixtures';

const run = (template: JsonObject, rules = RULES) => harden({ template, rules, region: 'us-east-1', accountId: '123456789012' });
const only = (...ids: string[]) => RULES.filter((r) => ids.includes(r.id));
const trap = (rule: string) => casesIn(path.join(__dirname, rule)).find((c) => c.name === 'cycle-trap')!.input;
const resourcesOf = (template: JsonObject) => template.Resources as JsonObject;
const dependsOn = (template: JsonObject, id: string): unknown => (resourcesOf(template)[id] as JsonObject).DependsOn;

const VERBS = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * A REST API with `count` methods, four per path (the 500-resource quota leaves room for 300
 * methods and their paths), one deployment and a logging stage.
 */
function largeApi(count: number): JsonObject {
  const resources: JsonObject = { Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'large' } } };
  for (let i = 0; i < count; i++) {
    const path = `Path${Math.floor(i / VERBS.length)}`;
    if (i % VERBS.length === 0) {
      resources[path] = { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: path.toLowerCase() } };
    }
    resources[`Method${i}`] = {
      Type: 'AWS::ApiGateway::Method',
      Properties: { RestApiId: { Ref: 'Api' }, ResourceId: { Ref: path }, HttpMethod: VERBS[i % VERBS.length], AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } },
    };
  }
  resources.Deployment = { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } };
  resources.Stage = {
    Type: 'AWS::ApiGateway::Stage',
    Properties: { RestApiId: { Ref: 'Api' }, DeploymentId: { Ref: 'Deployment' }, StageName: 'prod', MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'INFO' }] },
  };
  return { Resources: resources };
}

describe('no cycle from the API Gateway and Step Functions rules', () => {
  test('APIGW-002: the naive Stage → Account edge would be a cycle; the rule refuses it and says why', () => {
    // Prepare
    const input = trap('APIGW-002');
    const naive = deepClone(input);
    (resourcesOf(naive).ProdStage as JsonObject).DependsOn = 'Account';
    // Act
    const result = run(input, only('APIGW-002'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['ProdStage', 'Account']));
    expect(cycleIn(result.template)).toBeUndefined();
    expect(dependsOn(result.template, 'ProdStage')).toBeUndefined();
    expect(result.report.records).toContainEqual(expect.objectContaining({ rule: 'APIGW-002', resource: 'ProdStage', action: 'finding', severity: 'warning' }));
  });

  test('APIGW-003: the naive Deployment → method edge would be a cycle when the method refers to the deployment', () => {
    // Prepare
    const input = trap('APIGW-003');
    const naive = deepClone(input);
    (resourcesOf(naive).Deployment as JsonObject).DependsOn = ['RootGet', 'Forward'];
    // Act
    const result = run(input, only('APIGW-003'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['Deployment', 'Forward']));
    expect(cycleIn(result.template)).toBeUndefined();
    expect(dependsOn(result.template, 'Deployment')).toBe('RootGet');
  });

  test('SFN-001: waiting for a policy that refers to the state machine would be a cycle; the grant goes inline instead', () => {
    // Prepare
    const input = trap('SFN-001');
    const naive = deepClone(input);
    (resourcesOf(naive).Machine as JsonObject).DependsOn = 'RolePolicy';
    // Act
    const result = run(input, only('SFN-001'));
    // Assess
    expect(cycleIn(naive)).toEqual(expect.arrayContaining(['Machine', 'RolePolicy']));
    expect(cycleIn(result.template)).toBeUndefined();
    expect(dependsOn(result.template, 'Machine')).toBeUndefined();
    const role = resourcesOf(result.template).Role as JsonObject;
    expect((role.Properties as JsonObject).Policies).toEqual([expect.objectContaining({ PolicyName: 'StepFunctionsLogDelivery' })]);
  });

  test('APIGW-001 then APIGW-002: the new Account depends on the API and the stages on the Account, without a cycle', () => {
    // Prepare
    const input = casesIn(path.join(__dirname, 'APIGW-001')).find((c) => c.name === 'fix')!.input;
    // Act
    const result = run(input, only('APIGW-001', 'APIGW-002', 'APIGW-003'));
    // Assess
    expect(cycleIn(result.template)).toBeUndefined();
    expect(dependsOn(result.template, 'ApiGatewayAccount')).toBe('Api');
    expect(dependsOn(result.template, 'ProdStage')).toBe('ApiGatewayAccount');
    expect(dependsOn(result.template, 'DevStage')).toBeUndefined();
  });

  test.each(['rest-api.yaml', 'step-functions.yaml'])('examples/%s hardens with the whole registry, without a cycle, and a second run changes nothing', (file) => {
    // Prepare
    const input = readTemplate(path.join(__dirname, '../../examples', file));
    // Act
    const first = run(input);
    const second = run(first.template);
    // Assess
    expect(cycleIn(first.template)).toBeUndefined();
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
  });

});

describe('APIGW-003 on a large API', () => {
  // Time is measured by `npm run bench`, never asserted here.
  test('300 methods: the deployment depends on each once', () => {
    // Prepare
    const input = largeApi(300);
    // Act
    const result = run(input, only('APIGW-003'));
    // Assess
    const edges = dependsOn(result.template, 'Deployment') as string[];
    expect(edges).toHaveLength(300);
    expect(new Set(edges).size).toBe(300);
  });

  test('300 methods through the whole registry: no cycle, and idempotent', () => {
    // Act
    const first = run(largeApi(300));
    const second = run(first.template);
    // Assess
    expect(cycleIn(first.template)).toBeUndefined();
    expect(second.report.records.filter((r) => r.action !== 'finding' && r.action !== 'suppressed')).toEqual([]);
  });
});
