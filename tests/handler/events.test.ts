/**
 * Every event in events/ through the built bundle (dist/handler.js), as `sam local invoke` and
 * CloudFormation would run it. The responses are golden files in tests/handler/responses/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expectOrUpdateJson } from '../support/fixtures';
import { fakeKmsEnv, startFakeKms, type FakeKms } from '../support/fake-kms';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../dist/handler.js') as { handler: (event: unknown, context?: unknown) => Promise<Record<string, unknown>> };

// The external-key event runs a real preflight from the bundled SDK against a local KMS stand-in.
// The API Gateway account preflight (APIGW-001) asks a local stand-in for GetAccount: an account
// that has no CloudWatch role yet, so the role and the Account are created as they would be.
let kms: FakeKms;
let apiGateway: Server;
const savedEnv = { ...process.env };
beforeAll(async () => {
  apiGateway = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url?.startsWith('/account')) res.end(JSON.stringify({ throttleSettings: { burstLimit: 5000, rateLimit: 10000 }, features: [] }));
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'not found' }));
    }
  });
  await new Promise<void>((resolve) => apiGateway.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_API_GATEWAY = `http://127.0.0.1:${(apiGateway.address() as AddressInfo).port}`;
  kms = await startFakeKms({
    'arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001': {
      metadata: { KeyId: '0f1e2d3c-0000-4000-8000-000000000001', Enabled: true, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' },
      policy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] },
    },
  });
  Object.assign(process.env, fakeKmsEnv(kms.url));
});
afterAll(async () => {
  process.env = savedEnv;
  await kms.close();
  await new Promise((resolve) => apiGateway.close(resolve));
});

const EVENTS = path.join(__dirname, '../../events');
const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).sort();

/** What each event must produce, beyond its golden response. */
const EXPECT: Record<string, { status: 'success' | 'failure'; mentions?: string[] }> = {
  'bad-option.json': { status: 'failure', mentions: ['OPTIONS', 'Metadata.TapHardening.Rules.S3-004'] },
  'malformed-resource.json': { status: 'failure', mentions: ['2 errors', 'TEMPLATE Nameless Type', 'TEMPLATE BadDependsOn DependsOn'] },
  'report-mode.json': { status: 'success', mentions: ['S3-001', 'S3-002', 'S3-003'] },
  's3-lambda-notifications.json': { status: 'success', mentions: ['S3N-001 ThumbnailerPermission Properties.SourceArn', 'S3N-001 Uploads DependsOn', 'arn:${AWS::Partition}:s3:::uploads-${AWS::AccountId}-${Env}'] },
  'events-rule-targets.json': { status: 'success', mentions: ['EVT-001 NightlyExporterInvokePermission', 'EVT-001 JobsPolicy', 'EVT-001 EventsRole Properties.Policies', 'states:StartExecution', 'EVT-001 EventsLogsResourcePolicy'] },
  'sns-subscriptions.json': { status: 'success', mentions: ['SNS-001 BillingPolicy', 'SNS-001 QueueKey Properties.KeyPolicy', 'SNS-001 OrdersNotifierInvokePermission'] },
  's3-queue-topic-notifications.json': { status: 'success', mentions: ['S3N-002 IngestQueuePolicy', 'S3N-002 DeletionsPolicy', 'S3N-002 Uploads DependsOn'] },
  's3-default-encryption.json': { status: 'success', mentions: ['S3-003 Data', 'S3-003 AccessLogs'] },
  's3-public-access-block.json': { status: 'success', mentions: ['S3-001 Data'] },
  's3-tls-only.json': { status: 'success', mentions: ['S3-002 DataPolicy'] },
  'dynamodb-scalable-targets.json': { status: 'success', mentions: ['DDB-001 ReadTarget Properties.ResourceId', 'DDB-001 WriteTarget Properties.ResourceId', 'table/${Orders}'] },
  'snippet-without-resources.json': { status: 'success' },
  'cloudtrail-bucket-policy.json': { status: 'success', mentions: ['CT-001 TrailBucketPolicy', 'AWSCloudTrailWriteTrail', 'audit/AWSLogs/${AWS::AccountId}/*'] },
  'cloudtrail-depends-on-policy.json': { status: 'success', mentions: ['CT-002 Trail DependsOn'] },
  'cloudtrail-key-policy.json': { status: 'success', mentions: ['CT-003 TrailKey', 'kms:EncryptionContext:aws:cloudtrail:arn'] },
  'cloudtrail-topic-policy.json': { status: 'success', mentions: ['CT-004 NoticesPolicy', 'AWSCloudTrailSNSPolicyTrail', 'CT-004 Trail DependsOn'] },
  'cloudtrail-logs-role.json': { status: 'success', mentions: ['CT-005 TrailLogsRole Properties.AssumeRolePolicyDocument.Statement[0]', 'CT-005 TrailLogsRole Properties.Policies'] },
  'kms-key-rotation.json': { status: 'success', mentions: ['KMS-001 DataKey Properties.EnableKeyRotation'] },
  'logs-key-policy.json': { status: 'success', mentions: ['LOGS-001 LogsKey', 'logs.${AWS::Region}.${AWS::URLSuffix}'] },
  'external-key-parameter.json': { status: 'success', mentions: ['LOGS-001 SharedLogs Properties.KmsKeyId: error key arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001: its key policy does not allow logs.us-east-1.amazonaws.com'] },
  'apigateway-account-role.json': { status: 'success', mentions: ['APIGW-001 ApiGatewayCloudWatchRole', 'APIGW-001 ApiGatewayAccount', 'AmazonAPIGatewayPushToCloudWatchLogs', 'CAPABILITY_IAM', 'APIGW-002 ProdStage DependsOn'] },
  'alarm-topic-keys.json': { status: 'success', mentions: ['CW-001 AlarmKey Properties.KeyPolicy', 'alarm:orders-queue-age'] },
  'apigateway-lambda-permissions.json': { status: 'success', mentions: ['APIGW-004 ListOrdersHandlerInvokePermission', '${Api}/*/GET/orders'] },
  'apigateway-stage-after-account.json': { status: 'success', mentions: ['APIGW-002 ProdStage DependsOn: depends-on Account'] },
  'apigateway-deployment-after-methods.json': { status: 'success', mentions: ['APIGW-003 Deployment DependsOn: depends-on ListOrders', 'APIGW-003 Deployment DependsOn: depends-on CreateOrder'] },
  'stepfunctions-log-delivery.json': { status: 'success', mentions: ['SFN-001 Role Properties.Policies', 'logs:CreateLogDelivery', 'logs:DescribeLogGroups'] },
  'tags-shape.json': { status: 'success', mentions: ['TAG-001 FeatureFlag Properties.Tags', 'TAG-001 Events Properties.Tags', 'TAG-001 Jobs Properties.Tags'] },
  'tags-restricted-values.json': { status: 'success', mentions: ['TAG-002 LogsKey Properties.Tags: removed tag \\"Config\\"', 'TAG-002 ErrorsAlarm Properties.Tags: removed tag \\"Owner\\"'] },
  'data-retain-stateful.json': { status: 'success', mentions: ['DATA-001 Orders DeletionPolicy: added Retain', 'DATA-001 AppLogs UpdateReplacePolicy: added Retain', 'DATA-001 Database DeletionPolicy: added Snapshot'] },
  'cloudformation-expected-regions.json': { status: 'failure', mentions: ['REGION-001 - Metadata.TapHardening.ExpectedRegions', 'deployed to eu-west-1', 'allows only us-east-1'] },
  'cloudformation-naming-parameters.json': { status: 'success', mentions: ['PARAM-001 - Parameters.EnvironmentSuffix.AllowedPattern', '^[a-z0-9]+(-[a-z0-9]+)*$', '\\"pr-1234\\" matches'] },
  'naming-parameter-bad-value.json': { status: 'failure', mentions: ['PARAM-001 - Parameters.EnvironmentSuffix', '"Feature_Login"', '^[a-z0-9]+(-[a-z0-9]+)*$'] },
  'cloudformation-conditional-depends-on.json': { status: 'success', mentions: ['DEP-001 AppQueue DependsOn: removed QueueKey: it exists only when UseCmk holds'] },
  'data-versioning-pitr.json': { status: 'success', mentions: ['DATA-002 Uploads Properties.VersioningConfiguration', 'DATA-002 Orders Properties.PointInTimeRecoverySpecification', '"PointInTimeRecoveryEnabled":true'] },
  'lambda-deprecated-runtimes.json': { status: 'success', mentions: ["LAMBDA-001 ThumbnailFunction Properties.Runtime: error runtime nodejs20.x (from the deploy's value of parameter NodeRuntime)", 'since 2026-06-01'] },
  'cloudfront-origin-access-control.json': { status: 'success', mentions: ['CF-001 SitePolicy', 'CF-001 SiteKey Properties.KeyPolicy', 'distribution/${Cdn}', 'distribution/*'] },
  'log-delivery-bucket-policy.json': { status: 'success', mentions: ['LOGD-001 LogsPolicy', 'AWSLogDeliveryWriteVpcFlowLog', 'AWSLogDeliveryAclCheck', 'S3ServerAccessLogsData', 'arn:${AWS::Partition}:iam::127311923021:root', 'LOGD-001 Web DependsOn'] },
  'lambda-event-source-mapping.json': { status: 'success', mentions: ['ESM-001 WorkerRole Properties.Policies', 'sqs:ReceiveMessage', 'kinesis:GetRecords', 'kms:Decrypt'] },
  'stepfunctions-customer-managed-key.json': { status: 'success', mentions: ['SFN-002 WorkflowRole Properties.Policies', 'kms:EncryptionContext:aws:states:stateMachineArn', 'stateMachine:${AWS::StackName}-orders', 'SFN-002 WorkflowKey Properties.KeyPolicy'] },
  'rds-bootstrap-findings.json': { status: 'success', mentions: ['RDS-001 Database Properties.MasterUserPassword: error', 'asks for JSON key Password, which DbSecret does not hold', 'RDS-001 ReportingDb Properties.MasterUserPassword: error', 'RDS-001 ReportingDb Properties.PubliclyAccessible: warning'] },
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
    const response = withoutBuild(await handler(event, { awsRequestId: 'test' }));
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

/**
 * The bundle's version carries the commit it was built from (`0.2.0+1a2b3c4`): checked here,
 * and left out of the golden files, which would otherwise change with every commit.
 */
function withoutBuild(response: Record<string, unknown>): Record<string, unknown> {
  const report = (response.fragment as { Metadata?: { TapHardening?: { Report?: { Version?: string } } } } | null)?.Metadata?.TapHardening?.Report;
  if (typeof report?.Version !== 'string') return response;
  expect(report.Version).toMatch(/^\d+\.\d+\.\d+(\+[0-9a-f]{7,40})?$/);
  const copy = JSON.parse(JSON.stringify(response)) as typeof response;
  (copy.fragment as { Metadata: { TapHardening: { Report: { Version: string } } } }).Metadata.TapHardening.Report.Version = report.Version.replace(/\+.*$/, '');
  return copy;
}

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
