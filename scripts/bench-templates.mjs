// Synthetic templates for `npm run bench` (scripts/bench.mjs): a realistic mix of the resources
// the rules touch and others, in units of related resources (numbered, so logical ids are unique).

const sub = (s) => ({ 'Fn::Sub': s });
const ref = (id) => ({ Ref: id });
const arn = (id) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const lambdaTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const rootPrincipal = { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') };
const keyPolicy = { Version: '2012-10-17', Statement: [{ Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: rootPrincipal, Action: 'kms:*', Resource: '*' }] };
const tags = (i, team) => [
  { Key: 'team', Value: team },
  { Key: 'cost-centre', Value: `cc-${1000 + (i % 50)}` },
];

/** Inline code and definitions of `pad` characters: how big templates get big. */
function code(i, pad) {
  const body = `exports.handler = async (event) => {\n  console.log(JSON.stringify({ unit: ${i}, records: event.Records?.length ?? 0 }));\n`;
  return pad > 0 ? `${body}${'  // '.concat('x'.repeat(90), '\n').repeat(Math.ceil(pad / 96))}};\n` : `${body}};\n`;
}

function role(i, name, policies) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: lambdaTrust,
      ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
      ...(policies ? { Policies: policies } : {}),
      Tags: tags(i, name),
    },
  };
}

function fn(i, roleId, pad) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', Role: arn(roleId), Timeout: 30, MemorySize: 256, Code: { ZipFile: code(i, pad) }, Environment: { Variables: { STAGE: ref('EnvironmentSuffix'), UNIT: String(i) } }, Tags: tags(i, 'app') },
  };
}

/** A step functions definition with `states` Task states (an object the engine walks). */
function definition(i, fnId, states) {
  const out = { Comment: `unit ${i}`, StartAt: 'S0', States: {} };
  for (let s = 0; s < states; s++) {
    out.States[`S${s}`] = {
      Type: 'Task',
      Resource: sub(`arn:\${AWS::Partition}:states:::lambda:invoke`),
      Parameters: { FunctionName: arn(fnId), 'Payload.$': '$', Meta: { step: s, unit: i } },
      Retry: [{ ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      ...(s + 1 < states ? { Next: `S${s + 1}` } : { End: true }),
    };
  }
  return out;
}

const UNITS = [
  // S3 → Lambda, SQS and SNS notifications, with the bucket's, queue's and topic's policies.
  (i, pad) => ({
    [`Uploads${i}`]: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: sub(`uploads-${i}-\${AWS::AccountId}-\${EnvironmentSuffix}`),
        NotificationConfiguration: {
          LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'images/' }] } }, Function: arn(`Thumbnail${i}`) }],
          QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: arn(`Index${i}`) }],
          TopicConfigurations: [{ Event: 's3:ObjectRemoved:*', Topic: ref(`Deletions${i}`) }],
        },
        Tags: tags(i, 'media'),
      },
    },
    [`Uploads${i}Policy`]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: ref(`Uploads${i}`), PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'ReadFromAccount', Effect: 'Allow', Principal: rootPrincipal, Action: ['s3:GetObject'], Resource: sub(`\${Uploads${i}.Arn}/*`) }] } },
    },
    [`Thumbnail${i}Role`]: role(i, 'media', [{ PolicyName: 'read', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: sub(`arn:\${AWS::Partition}:s3:::uploads-${i}-\${AWS::AccountId}-\${EnvironmentSuffix}/*`) }] } }]),
    [`Thumbnail${i}`]: fn(i, `Thumbnail${i}Role`, pad),
    [`Thumbnail${i}Permission`]: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref(`Thumbnail${i}`), Principal: 's3.amazonaws.com', SourceArn: arn(`Uploads${i}`) } },
    [`Index${i}`]: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 345600, Tags: tags(i, 'media') } },
    [`Index${i}Policy`]: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [ref(`Index${i}`)], PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Owner', Effect: 'Allow', Principal: rootPrincipal, Action: 'sqs:*', Resource: arn(`Index${i}`) }] } } },
    [`Deletions${i}`]: { Type: 'AWS::SNS::Topic', Properties: { TopicName: sub(`deletions-${i}-\${EnvironmentSuffix}`) } },
    [`Deletions${i}Policy`]: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [ref(`Deletions${i}`)], PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Owner', Effect: 'Allow', Principal: rootPrincipal, Action: 'sns:Publish', Resource: ref(`Deletions${i}`) }] } } },
  }),
  // A function writing to a log group encrypted with a customer managed key.
  (i, pad) => ({
    [`Logs${i}Key`]: { Type: 'AWS::KMS::Key', Properties: { Description: `Encrypts the logs of unit ${i}`, KeyPolicy: keyPolicy } },
    [`Worker${i}Logs`]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: sub(`/aws/lambda/worker-${i}-\${EnvironmentSuffix}`), RetentionInDays: 30, KmsKeyId: arn(`Logs${i}Key`) } },
    [`Worker${i}Role`]: role(i, 'workers'),
    [`Worker${i}`]: fn(i, `Worker${i}Role`, pad),
  }),
  // An audit trail: key, bucket with its policy, trail.
  (i) => ({
    [`Trail${i}Key`]: { Type: 'AWS::KMS::Key', Properties: { Description: 'Encrypts CloudTrail log files', EnableKeyRotation: true, KeyPolicy: keyPolicy } },
    [`Trail${i}Bucket`]: { Type: 'AWS::S3::Bucket', Properties: { BucketName: sub(`audit-${i}-\${AWS::AccountId}-\${EnvironmentSuffix}`), VersioningConfiguration: { Status: 'Enabled' } } },
    [`Trail${i}BucketPolicy`]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: ref(`Trail${i}Bucket`), PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'DenyDeletes', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: arn(`Trail${i}Bucket`) }] } },
    },
    [`Trail${i}`]: { Type: 'AWS::CloudTrail::Trail', Properties: { TrailName: sub(`audit-${i}-\${EnvironmentSuffix}`), S3BucketName: ref(`Trail${i}Bucket`), S3KeyPrefix: 'cloudtrail', KMSKeyId: arn(`Trail${i}Key`), IsLogging: true, EnableLogFileValidation: true } },
  }),
  // A REST API with logging stage, its function and log group.
  (i, pad) => ({
    [`Api${i}Role`]: role(i, 'api'),
    [`Api${i}Function`]: fn(i, `Api${i}Role`, pad),
    [`Api${i}`]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: sub(`orders-${i}-\${EnvironmentSuffix}`), EndpointConfiguration: { Types: ['REGIONAL'] } } },
    [`Api${i}Orders`]: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref(`Api${i}`), ParentId: { 'Fn::GetAtt': [`Api${i}`, 'RootResourceId'] }, PathPart: 'orders' } },
    ...Object.fromEntries(
      ['GET', 'POST'].map((verb) => [
        `Api${i}${verb}`,
        {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: ref(`Api${i}`),
            ResourceId: ref(`Api${i}Orders`),
            HttpMethod: verb,
            AuthorizationType: 'AWS_IAM',
            Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Api${i}Function.Arn}/invocations`) },
          },
        },
      ]),
    ),
    [`Api${i}Permission`]: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: arn(`Api${i}Function`), Principal: 'apigateway.amazonaws.com', SourceArn: sub(`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${Api${i}}/*`) } },
    [`Api${i}Deployment`]: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref(`Api${i}`) } },
    [`Api${i}AccessLogs`]: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } },
    [`Api${i}Stage`]: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: ref(`Api${i}`),
        DeploymentId: ref(`Api${i}Deployment`),
        StageName: 'prod',
        TracingEnabled: true,
        AccessLogSetting: { DestinationArn: arn(`Api${i}AccessLogs`), Format: '$context.requestId $context.status' },
        MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'INFO', MetricsEnabled: true }],
      },
    },
  }),
  // A state machine that logs, with its role and log group.
  (i, pad) => ({
    [`Flow${i}Logs`]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: sub(`/aws/vendedlogs/states/flow-${i}-\${EnvironmentSuffix}`), RetentionInDays: 30 } },
    [`Flow${i}Role`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'invoke', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:flow-${i}-*`) }] } }],
      },
    },
    [`Flow${i}`]: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        RoleArn: arn(`Flow${i}Role`),
        Definition: definition(i, `Flow${i}Role`, pad > 0 ? Math.max(3, Math.round(pad / 400)) : 3),
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arn(`Flow${i}Logs`) } }] },
      },
    },
  }),
  // A provisioned table with auto scaling.
  (i) => ({
    [`Orders${i}`]: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: sub(`orders-${i}-\${EnvironmentSuffix}`),
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    },
    [`Orders${i}WriteTarget`]: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ServiceNamespace: 'dynamodb', ScalableDimension: 'dynamodb:table:WriteCapacityUnits', ResourceId: ref(`Orders${i}`), MinCapacity: 5, MaxCapacity: 50 } },
  }),
  // Topics with subscriptions.
  (i) => ({
    [`Events${i}`]: { Type: 'AWS::SNS::Topic', Properties: { TopicName: sub(`events-${i}-\${EnvironmentSuffix}`), Tags: tags(i, 'events') } },
    [`Events${i}Queue`]: { Type: 'AWS::SQS::Queue' },
    [`Events${i}Subscription`]: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: ref(`Events${i}`), Protocol: 'sqs', Endpoint: arn(`Events${i}Queue`) } },
  }),
];

/** A template of exactly `n` resources (the last unit cut short by whole resources), inline code padded by `pad` characters. */
export function synth(n, pad = 0) {
  const resources = {};
  let count = 0;
  for (let i = 0; count < n; i++) {
    for (const [id, body] of Object.entries(UNITS[i % UNITS.length](i, pad))) {
      if (count >= n) break;
      resources[id] = body;
      count++;
    }
  }
  // A unit cut short leaves references to resources that are not there: drop the resources that
  // hold them (until none does), and fill up with topics.
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const id of Object.keys(resources)) {
      const refs = [...JSON.stringify(resources[id]).matchAll(/"Ref":"([A-Za-z0-9]+)"|"Fn::GetAtt":\["([A-Za-z0-9]+)"|\$\{([A-Za-z0-9]+)[.}]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      if (refs.some((r) => r !== 'EnvironmentSuffix' && !(r in resources))) {
        delete resources[id];
        dropped = true;
      }
    }
  }
  let filler = 0;
  while (Object.keys(resources).length < n) resources[`Filler${filler++}`] = { Type: 'AWS::SNS::Topic' };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Synthetic benchmark template: ${n} resources`,
    Parameters: { EnvironmentSuffix: { Type: 'String', Default: 'dev', AllowedPattern: '^[a-z0-9-]{1,20}$' } },
    Resources: resources,
    Outputs: { FirstBucket: { Value: ref('Uploads0') } },
  };
}

export const event = (fragment) => ({ region: 'us-east-1', accountId: '123456789012', fragment, transformId: '123456789012::TapHardening', params: {}, requestId: 'bench', templateParameterValues: { EnvironmentSuffix: 'dev' } });
