/**
 * fast-check generators of realistic templates: the resource types the rules touch plus
 * unrelated ones; properties present or absent; values as literals, Ref, GetAtt (both forms),
 * Sub (both forms) and Fn::If with AWS::NoValue (around whole properties, list entries and policy
 * statements); conditions and conditional resources; DependsOn as a string or a list; existing
 * bucket, key, queue and topic policies (by Ref, by name, single-object Statement, inline forms);
 * tags as a Key/Value list and as a map; log groups encrypted with a template key; connections
 * (S3 notifications to encrypted queues and topics, trails to buckets, keys, topics and log group
 * roles) beside existing narrower grants that already allow some of them.
 * `connectionTemplate` adds templates made of connection scenarios, one per group of kinds of the
 * catalogue (S3 notifications, CloudTrail, log group keys, vended log delivery, EventBridge
 * targets, SNS subscriptions, alarms, API Gateway, event source mappings, Step Functions keys,
 * CloudFront OAC), and says which of their connections an input grant already covers.
 * Every generated template is valid as CloudFormation sees it (no dangling names, no cycles), but
 * for the tag mistakes of the seeds that TAG-001/TAG-002 fix (a map of tags on a bucket, a JSON
 * string as a key's tag value), so any failure the engine reports is a finding about the engine.
 */
import fc from 'fast-check';
import type { Json, JsonObject } from '../../macro/template/json';

const CONDITIONS = ['IsProd', 'UseCmk'];

/** The account root, as key, queue and topic policies name it. */
const ROOT: Json = { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } };

interface Plan {
  kind: 'bucket' | 'policy' | 'key' | 'topic' | 'queue' | 'function' | 'table' | 'logs' | 'parameter' | 'trail';
  condition?: string;
  variant: number;
  flags: boolean[];
}

const plan: fc.Arbitrary<Plan> = fc.record({
  kind: fc.constantFrom('bucket', 'bucket', 'bucket', 'policy', 'key', 'topic', 'queue', 'function', 'table', 'logs', 'parameter', 'trail'),
  condition: fc.option(fc.constantFrom(...CONDITIONS), { nil: undefined }),
  variant: fc.nat(7),
  flags: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
});

function ref(id: string, form: number): Json {
  switch (form % 4) {
    case 0:
      return { Ref: id };
    case 1:
      return { 'Fn::Sub': `\${${id}}` };
    case 2:
      return { 'Fn::Sub': ['${Name}', { Name: { Ref: id } }] };
    default:
      return { 'Fn::Join': ['', [{ Ref: id }]] };
  }
}

function arn(id: string, form: number): Json {
  return form % 2 === 0 ? { 'Fn::GetAtt': [id, 'Arn'] } : { 'Fn::GetAtt': `${id}.Arn` };
}

function bucket(p: Plan, id: string, keyIds: string[]): JsonObject {
  const props: JsonObject = {};
  const [named, pab, enc, versioned, website, logs] = p.flags;
  if (named) props.BucketName = p.variant % 2 ? `literal-${id.toLowerCase()}` : { 'Fn::Sub': `${id.toLowerCase()}-\${AWS::AccountId}` };
  if (pab) {
    props.PublicAccessBlockConfiguration =
      p.variant % 3 === 0
        ? { 'Fn::If': ['IsProd', { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, { Ref: 'AWS::NoValue' }] }
        : { BlockPublicAcls: true, ...(p.variant % 3 === 1 ? { BlockPublicPolicy: false } : {}) };
  }
  if (enc) {
    const key = keyIds[p.variant % Math.max(keyIds.length, 1)];
    props.BucketEncryption = {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: key ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::If': ['UseCmk', arn(key, p.variant), { Ref: 'AWS::NoValue' }] } } : { SSEAlgorithm: 'AES256' } },
      ],
    };
  }
  if (versioned) props.VersioningConfiguration = p.variant % 4 === 1 ? { 'Fn::If': ['IsProd', { Status: 'Enabled' }, { Ref: 'AWS::NoValue' }] } : { Status: 'Enabled' };
  if (website) props.WebsiteConfiguration = { IndexDocument: 'index.html' };
  if (logs) props.LoggingConfiguration = p.variant % 2 ? {} : { LogFilePrefix: 'logs/' };
  if (p.variant === 5) props.Tags = [{ Key: 'team', Value: 'data' }];
  if (p.variant === 3) props.Tags = [{ Key: 'team', Value: 'data' }, { 'Fn::If': ['IsProd', { Key: 'tier', Value: 'prod' }, { Ref: 'AWS::NoValue' }] }];
  if (p.variant === 4) props.Tags = { team: 'data', stack: { Ref: 'AWS::StackName' } }; // the map shape TAG-001 converts
  return { Type: 'AWS::S3::Bucket', ...(Object.keys(props).length ? { Properties: props } : {}) };
}

function bucketPolicy(p: Plan, bucketId: string, bucketBody: JsonObject): JsonObject {
  const name = (bucketBody.Properties as JsonObject | undefined)?.BucketName;
  const link = name !== undefined && p.variant % 3 === 0 ? name : ref(bucketId, p.variant);
  const statement: JsonObject = p.flags[0]
    ? { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: [arn(bucketId, p.variant), { 'Fn::Sub': `\${${bucketId}.Arn}/*` }], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }
    : { Sid: 'ReadOnly', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: ['s3:GetObject'], Resource: { 'Fn::Sub': `\${${bucketId}.Arn}/*` } };
  const listed: Json[] = p.variant === 4 ? [statement, { 'Fn::If': ['IsProd', { Sid: 'ProdRead', Effect: 'Allow', Principal: ROOT, Action: 's3:GetObject', Resource: { 'Fn::Sub': `\${${bucketId}.Arn}/*` } }, { Ref: 'AWS::NoValue' }] }] : [statement];
  return {
    Type: 'AWS::S3::BucketPolicy',
    Properties: { Bucket: link, PolicyDocument: { Version: '2012-10-17', Statement: p.flags[1] ? statement : listed } },
  };
}

/** A key policy for a key: a list, a single-object Statement, or a list with a statement under Fn::If. */
function keyPolicy(p: Plan): JsonObject {
  const admin: JsonObject = { Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: ROOT, Action: 'kms:*', Resource: '*' };
  const audit: Json = { 'Fn::If': ['UseCmk', { Sid: 'Audit', Effect: 'Allow', Principal: ROOT, Action: 'kms:DescribeKey', Resource: '*' }, { Ref: 'AWS::NoValue' }] };
  // Narrower grants for connections: S3 notifications from the generated named buckets, CloudWatch
  // Logs for the generated named log groups (/gen/<id>), CloudTrail for the generated trails.
  const narrower: Json[] = [
    { Sid: 'S3FromStackBuckets', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket*' } } } },
    { Sid: 'LogsForGenGroups', Effect: 'Allow', Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.${AWS::URLSuffix}' } }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], Resource: '*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/gen/*' } } } },
  ];
  return { Version: '2012-10-17', Statement: p.variant % 3 === 0 ? admin : p.variant % 3 === 1 ? [admin, audit] : p.variant >= 5 ? [admin, ...narrower] : [admin] };
}

/** A queue or topic policy (the list form, or the inline form of one target) for a queue or topic. */
function queueOrTopicPolicy(p: Plan, target: string, kind: 'queue' | 'topic'): JsonObject {
  const statement: JsonObject = { Sid: 'Owner', Effect: 'Allow', Principal: ROOT, Action: kind === 'queue' ? 'sqs:*' : 'sns:Publish', Resource: kind === 'queue' ? { 'Fn::GetAtt': [target, 'Arn'] } : { Ref: target } };
  // A narrower grant that already allows the generated named buckets (bucket<N>-<account>).
  const s3: JsonObject = {
    Sid: 'StackBuckets',
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: kind === 'queue' ? 'sqs:SendMessage' : 'sns:Publish',
    Resource: kind === 'queue' ? { 'Fn::GetAtt': [target, 'Arn'] } : { Ref: target },
    Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket*-${AWS::AccountId}' } } },
  };
  const document: JsonObject = { Version: '2012-10-17', Statement: p.flags[1] ? statement : p.variant >= 4 ? [statement, s3] : [statement] };
  if (p.variant % 2 === 1) {
    return kind === 'queue'
      ? { Type: 'AWS::SQS::QueueInlinePolicy', Properties: { Queue: { Ref: target }, PolicyDocument: document } }
      : { Type: 'AWS::SNS::TopicInlinePolicy', Properties: { TopicArn: { Ref: target }, PolicyDocument: document } };
  }
  return kind === 'queue'
    ? { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: target }], PolicyDocument: document } }
    : { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: target }], PolicyDocument: document } };
}

/**
 * S3 notifications from a bucket to earlier functions, queues and topics (through Fn::If when the
 * destination's condition may not hold), and, for a named bucket, the trap of a Lambda permission
 * whose SourceArn refers to the bucket (no cycle in the input: the bucket does not wait for it).
 */
function notifications(body: JsonObject, id: string, resources: JsonObject, p: Plan): void {
  const condition = body.Condition as string | undefined;
  const usable = (type: string) =>
    Object.keys(resources).filter((r) => {
      const x = resources[r] as JsonObject;
      return x.Type === type && (x.Condition === undefined || x.Condition === condition || condition === undefined);
    });
  const guarded = (target: string, value: Json): Json => {
    const c = (resources[target] as JsonObject).Condition;
    return c !== undefined && c !== condition ? { 'Fn::If': [c, value, { Ref: 'AWS::NoValue' }] } : value;
  };
  const config: JsonObject = {};
  const fns = usable('AWS::Lambda::Function');
  const queues = usable('AWS::SQS::Queue');
  const topics = usable('AWS::SNS::Topic');
  if (fns.length) config.LambdaConfigurations = fns.map((f, i) => ({ Event: 's3:ObjectCreated:*', Function: guarded(f, i % 2 ? { 'Fn::Sub': `\${${f}.Arn}` } : arn(f, p.variant)) }));
  if (queues.length) config.QueueConfigurations = queues.map((q) => ({ Event: 's3:ObjectRemoved:*', Queue: guarded(q, arn(q, p.variant)) }));
  if (topics.length) config.TopicConfigurations = topics.map((t) => ({ Event: 's3:ObjectRestore:*', Topic: guarded(t, { Ref: t }) }));
  if (Object.keys(config).length) body.Properties = { ...((body.Properties as JsonObject | undefined) ?? {}), NotificationConfiguration: config };
  resources[id] = body;
  const named = (body.Properties as JsonObject | undefined)?.BucketName !== undefined;
  const sameCondition = fns.filter((f) => (resources[f] as JsonObject).Condition === undefined || (resources[f] as JsonObject).Condition === condition);
  if (named && sameCondition.length && p.flags[5]) {
    const permission: JsonObject = {
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: sameCondition[0] }, Principal: 's3.amazonaws.com', SourceArn: arn(id, p.variant) },
    };
    if (condition) permission.Condition = condition;
    resources[`${id}Permission`] = permission;
  }
}

function table(p: Plan): JsonObject {
  const props: JsonObject = {
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  };
  if (p.flags[0]) props.TableName = `table-${p.variant}`;
  if (p.flags[1]) {
    props.GlobalSecondaryIndexes = [{ IndexName: 'by-pk', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' }, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }];
  }
  return props;
}

/** A DynamoDB scalable target for the table, its ResourceId in a right or a fixable form. */
function scalableTarget(p: Plan, tableId: string): JsonObject {
  const index = p.flags[1] && p.flags[2];
  const forms: Json[] = [{ Ref: tableId }, arn(tableId, p.variant), { 'Fn::Sub': `table/\${${tableId}}${index ? '/index/by-pk' : ''}` }, { 'Fn::Join': ['/', ['table', { Ref: tableId }]] }];
  const resourceId = index && p.variant % 4 === 3 ? forms[2] : forms[p.variant % 4];
  const target: JsonObject = {
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: { ServiceNamespace: 'dynamodb', ScalableDimension: index ? 'dynamodb:index:ReadCapacityUnits' : 'dynamodb:table:WriteCapacityUnits', ResourceId: resourceId, MinCapacity: 1, MaxCapacity: 10 },
  };
  if (p.condition) target.Condition = p.condition;
  return target;
}

/** A template with 1 to `max` resources. */
export function template(max = 12): fc.Arbitrary<JsonObject> {
  return fc.array(plan, { minLength: 1, maxLength: max }).map((plans) => {
    const resources: JsonObject = {};
    const keyIds: string[] = [];
    const bucketIds: string[] = [];
    plans.forEach((p, i) => {
      const id = `${p.kind[0].toUpperCase()}${p.kind.slice(1)}${i}`;
      let body: JsonObject;
      switch (p.kind) {
        case 'bucket':
          body = bucket(p, id, keyIds);
          bucketIds.push(id);
          if (p.variant >= 6) {
            if (p.condition) body.Condition = p.condition;
            notifications(body, id, resources, p);
            return;
          }
          break;
        case 'table': {
          body = { Type: 'AWS::DynamoDB::Table', Properties: table(p) };
          if (p.condition) body.Condition = p.condition;
          resources[id] = body;
          resources[`${id}Target`] = scalableTarget(p, id);
          return;
        }
        case 'policy': {
          const target = bucketIds[p.variant % Math.max(bucketIds.length, 1)];
          if (!target) return;
          // A policy serves its bucket: it may not exist when the bucket does not.
          const targetCondition = (resources[target] as JsonObject).Condition;
          body = bucketPolicy(p, target, resources[target] as JsonObject);
          if (typeof targetCondition === 'string') body.Condition = targetCondition;
          resources[id] = body;
          return;
        }
        case 'key':
          body = { Type: 'AWS::KMS::Key', Properties: p.flags[0] ? { EnableKeyRotation: true } : {} };
          if (p.flags[2]) (body.Properties as JsonObject).KeyPolicy = keyPolicy(p);
          // A JSON string as a tag value, which KMS rejects and TAG-002 removes.
          if (p.flags[1]) (body.Properties as JsonObject).Tags = [{ Key: 'Name', Value: id }, { Key: 'Meta', Value: '{"team":"data"}' }];
          keyIds.push(id);
          // Keys referenced through Fn::If under UseCmk exist unconditionally here.
          resources[id] = body;
          return;
        case 'topic':
          body = { Type: 'AWS::SNS::Topic', Properties: p.flags[0] ? { TopicName: p.variant % 3 === 2 ? { 'Fn::If': ['IsProd', { 'Fn::Sub': '${AWS::StackName}-events' }, { Ref: 'AWS::NoValue' }] } : { 'Fn::Sub': '${AWS::StackName}-events' } } : {} };
          if (p.flags[4]) (body.Properties as JsonObject).Tags = [{ Key: 'team', Value: 'events' }];
          if (p.flags[5] && keyIds.length) (body.Properties as JsonObject).KmsMasterKeyId = p.variant % 2 ? { Ref: keyIds[0] } : 'alias/aws/sns';
          break;
        case 'trail': {
          // A trail writing to an earlier bucket, maybe encrypted with an earlier key, notifying an
          // earlier topic and delivering to an earlier log group through a role of its own.
          const target = bucketIds.find((b) => (resources[b] as JsonObject).Condition === undefined);
          if (!target) return;
          const props: JsonObject = { IsLogging: true, S3BucketName: { Ref: target } };
          if (p.flags[0]) props.TrailName = p.variant % 2 ? `trail-${i}` : { 'Fn::Sub': `\${AWS::StackName}-trail-${i}` };
          if (p.flags[1]) props.S3KeyPrefix = p.variant % 3 === 0 ? { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] } : 'audit';
          if (p.flags[2] && keyIds.length) props.KMSKeyId = arn(keyIds[keyIds.length - 1], p.variant);
          const topic = Object.keys(resources).find((r) => (resources[r] as JsonObject).Type === 'AWS::SNS::Topic' && (resources[r] as JsonObject).Condition === undefined);
          if (p.flags[3] && topic) props.SnsTopicName = p.variant % 2 ? { Ref: topic } : { 'Fn::GetAtt': [topic, 'TopicName'] };
          const group = Object.keys(resources).find((r) => (resources[r] as JsonObject).Type === 'AWS::Logs::LogGroup' && (resources[r] as JsonObject).Condition === undefined);
          if (p.flags[4] && group) {
            resources[`${id}LogsRole`] = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: p.flags[5] ? [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] : [] } } };
            props.CloudWatchLogsLogGroupArn = { 'Fn::GetAtt': [group, 'Arn'] };
            props.CloudWatchLogsRoleArn = { 'Fn::GetAtt': [`${id}LogsRole`, 'Arn'] };
          }
          resources[id] = { Type: 'AWS::CloudTrail::Trail', Properties: props };
          return;
        }
        case 'queue': {
          const queueKey = keyIds[p.variant % Math.max(keyIds.length, 1)];
          const props: JsonObject = {};
          if (p.flags[4]) props.Tags = [{ Key: 'team', Value: 'events' }];
          if (queueKey && p.flags[0]) props.KmsMasterKeyId = { 'Fn::If': ['UseCmk', { Ref: queueKey }, { Ref: 'AWS::NoValue' }] };
          body = { Type: 'AWS::SQS::Queue', ...(Object.keys(props).length ? { Properties: props } : {}) };
          break;
        }
        case 'logs': {
          const logsKey = keyIds[p.variant % Math.max(keyIds.length, 1)];
          const props: JsonObject = { RetentionInDays: 30 };
          if (p.flags[3]) props.LogGroupName = p.variant % 2 ? `/gen/${id.toLowerCase()}` : { 'Fn::Sub': `/\${AWS::StackName}/${id.toLowerCase()}` };
          if (logsKey && p.flags[0]) props.KmsKeyId = p.flags[1] ? { 'Fn::If': ['UseCmk', arn(logsKey, p.variant), { Ref: 'AWS::NoValue' }] } : arn(logsKey, p.variant);
          if (p.flags[4]) props.Tags = [{ Key: 'team', Value: 'ops' }];
          body = { Type: 'AWS::Logs::LogGroup', Properties: props };
          break;
        }
        case 'parameter':
          // Tags as a map: the shape AWS::SSM::Parameter takes.
          body = { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v', ...(p.flags[4] ? { Tags: { team: 'ops', ...(p.flags[5] ? { tier: { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] } } : {}) } } : {}) } };
          break;
        default:
          body = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => {}' }, Role: 'arn:aws:iam::123456789012:role/x' } };
      }
      if (p.condition) body.Condition = p.condition;
      if ((p.kind === 'queue' || p.kind === 'topic') && p.flags[3] && p.flags[5]) {
        // An existing policy of the queue or topic, under the target's condition.
        const policy = queueOrTopicPolicy(p, id, p.kind);
        if (p.condition) policy.Condition = p.condition;
        resources[`${id}Policy`] = policy;
      }
      const earlier = Object.keys(resources).filter((r) => (resources[r] as JsonObject).Condition === undefined && r !== `${id}Policy`);
      if (p.flags[2] && earlier.length) {
        const targets = earlier.slice(0, 1 + (p.variant % 2));
        body.DependsOn = targets.length === 1 && p.flags[3] ? targets[0] : targets;
      }
      resources[id] = body;
    });
    const out: JsonObject = {
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { Env: { Type: 'String', Default: 'dev' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, UseCmk: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      Resources: resources,
    };
    if (bucketIds.length) out.Outputs = { First: { Value: { Ref: bucketIds[0] }, ...((resources[bucketIds[0]] as JsonObject).Condition ? { Condition: (resources[bucketIds[0]] as JsonObject).Condition } : {}) } };
    return out;
  });
}

/**
 * A connection the generator built together with an input grant that already covers it: the
 * connections view must then say `present` for it, and the documents that grant it stay as they
 * were (`documents`: logical ids of the policies, permissions and roles holding the grant).
 */
export interface CoveredConnection {
  kind: string;
  source: string;
  destination: string;
  documents: string[];
}

/** A generated template, and the connections of it that input grants already cover. */
export interface ConnectionCase {
  template: JsonObject;
  covered: CoveredConnection[];
}

/**
 * How one connection scenario is drawn: `enc` encrypts the destination (or channel) with a key of
 * the template; `grant` is none, an exact grant, or a narrower-in-shape one (a pattern over the
 * stack's names, ArnEquals on the one source); `cond` puts `Fn::If` around some properties (a
 * conditional key, a conditional target or subscription); `named` gives the sources names their
 * ARNs can be built from (a covering grant needs one: it always has a name).
 */
interface Scenario {
  enc: boolean;
  grant: 0 | 1 | 2;
  cond: boolean;
  named: boolean;
  build: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  enc: fc.boolean(),
  grant: fc.constantFrom(0 as const, 1 as const, 2 as const),
  cond: fc.boolean(),
  named: fc.boolean(),
  build: fc.nat(10),
});

const sub = (text: string): Json => ({ 'Fn::Sub': text });
const noValue: Json = { Ref: 'AWS::NoValue' };
const statements = (...list: Json[]): JsonObject => ({ Version: '2012-10-17', Statement: list });

function fnBody(role?: string): JsonObject {
  return { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => {};' }, Role: role ? { 'Fn::GetAtt': [role, 'Arn'] } : 'arn:aws:iam::123456789012:role/worker' } };
}

/** A key with the account-admin statement and the given ones. */
function keyBody(extra: Json[]): JsonObject {
  return { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, KeyPolicy: statements({ Sid: 'AccountAdmin', Effect: 'Allow', Principal: ROOT, Action: 'kms:*', Resource: '*' }, ...extra) } };
}

function roleBody(service: string, policies: Json[] = []): JsonObject {
  const props: JsonObject = { AssumeRolePolicyDocument: statements({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }) };
  if (policies.length) props.Policies = policies;
  return { Type: 'AWS::IAM::Role', Properties: props };
}

/** The value naming a key: the key itself, or the key only when UseCmk holds. */
function keyRef(key: string, s: Scenario, form: Json = { Ref: key }): Json {
  return s.cond ? { 'Fn::If': ['UseCmk', form, noValue] } : form;
}

function queuePolicy(queue: string, statement: JsonObject): JsonObject {
  return { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: queue }], PolicyDocument: statements(statement) } };
}

function topicPolicy(topic: string, statement: JsonObject): JsonObject {
  return { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: topic }], PolicyDocument: statements(statement) } };
}

/** `ArnEquals` on the exact ARN (grant 1), or `ArnLike` on a pattern that matches it (grant 2). */
function sourceCond(s: Scenario, exact: string, pattern: string, key = 'aws:SourceArn'): JsonObject {
  return s.grant === 1 ? { ArnEquals: { [key]: sub(exact) } } : { ArnLike: { [key]: sub(pattern) } };
}

type Builder = (s: Scenario, p: string, r: JsonObject, covered: CoveredConnection[]) => void;

/** S3 notifications → function, queue, topic (S3N-001, S3N-002). */
const s3Notifications: Builder = (s, p, r, covered) => {
  const bucket = `${p}Uploads`;
  const [fnId, queue, topic, key] = [`${p}Handler`, `${p}Jobs`, `${p}Events`, `${p}Key`];
  const name = `${p.toLowerCase()}-uploads-\${AWS::AccountId}`;
  const exact = `arn:\${AWS::Partition}:s3:::${name}`;
  const pattern = `arn:\${AWS::Partition}:s3:::${p.toLowerCase()}-*`;
  const kmsGrant = { Sid: 'S3Notifications', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: sourceCond(s, exact, pattern) };
  if (s.enc) r[key] = keyBody(s.grant ? [kmsGrant] : []);
  r[fnId] = fnBody();
  r[queue] = { Type: 'AWS::SQS::Queue', ...(s.enc ? { Properties: { KmsMasterKeyId: keyRef(key, s) } } : {}) };
  r[topic] = { Type: 'AWS::SNS::Topic', ...(s.enc ? { Properties: { KmsMasterKeyId: keyRef(key, s) } } : {}) };
  const depends: string[] = [];
  if (s.grant) {
    r[`${queue}Policy`] = queuePolicy(queue, { Sid: 'FromUploads', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] }, Condition: sourceCond(s, exact, pattern) });
    r[`${topic}Policy`] = topicPolicy(topic, { Sid: 'FromUploads', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topic }, Condition: sourceCond(s, exact, pattern) });
    r[`${fnId}Permission`] = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fnId }, Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: sub(s.grant === 1 ? exact : pattern) } };
    depends.push(`${queue}Policy`, `${topic}Policy`, `${fnId}Permission`);
    const keyDocs = s.enc ? [key] : [];
    covered.push(
      { kind: 's3-notification-queue', source: bucket, destination: queue, documents: [`${queue}Policy`, ...keyDocs] },
      { kind: 's3-notification-topic', source: bucket, destination: topic, documents: [`${topic}Policy`, ...keyDocs] },
      { kind: 's3-notification-lambda', source: bucket, destination: fnId, documents: [`${fnId}Permission`] },
    );
  }
  const queueTarget: Json = { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': [queue, 'Arn'] } };
  r[bucket] = {
    Type: 'AWS::S3::Bucket',
    ...(depends.length ? { DependsOn: depends } : {}),
    Properties: {
      ...(s.named || s.grant ? { BucketName: sub(name) } : {}),
      NotificationConfiguration: {
        LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
        QueueConfigurations: [s.cond ? { 'Fn::If': ['IsProd', queueTarget, noValue] } : queueTarget],
        TopicConfigurations: [{ Event: 's3:ObjectRemoved:*', Topic: { Ref: topic } }],
      },
    },
  };
};

/** A log group → its key (LOGS-001); the narrower grant is ArnEquals on the one log group. */
const logsKey: Builder = (s, p, r, covered) => {
  const [group, key] = [`${p}Logs`, `${p}LogsKey`];
  const name = `/${p.toLowerCase()}/app`;
  const exact = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}`;
  const grant = { Sid: 'LogsForApp', Effect: 'Allow', Principal: { Service: sub('logs.${AWS::Region}.${AWS::URLSuffix}') }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], Resource: '*', Condition: sourceCond(s, exact, `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/${p.toLowerCase()}/*`, 'kms:EncryptionContext:aws:logs:arn') };
  r[key] = keyBody(s.grant ? [grant] : []);
  r[group] = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30, ...(s.named || s.grant ? { LogGroupName: name } : {}), KmsKeyId: keyRef(key, s, { 'Fn::GetAtt': [key, 'Arn'] }) } };
  if (s.grant) covered.push({ kind: 'logs-key', source: group, destination: key, documents: [key] });
};

/** An EventBridge rule → function, queue, topic, and a state machine through a role (EVT-001). */
const eventsTargets: Builder = (s, p, r, covered) => {
  const [rule, fnId, queue, topic, machine, role, key] = [`${p}Rule`, `${p}Target`, `${p}Queue`, `${p}Topic`, `${p}Machine`, `${p}EventsRole`, `${p}QueueKey`];
  const name = `\${AWS::StackName}-${p.toLowerCase()}`;
  const exact = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${name}`;
  const pattern = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/\${AWS::StackName}-*`;
  if (s.enc) r[key] = keyBody(s.grant ? [{ Sid: 'EventsDelivery', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' }] : []);
  r[fnId] = fnBody();
  r[queue] = { Type: 'AWS::SQS::Queue', ...(s.enc ? { Properties: { KmsMasterKeyId: keyRef(key, s) } } : {}) };
  r[topic] = { Type: 'AWS::SNS::Topic' };
  r[machine] = { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: sub(`\${AWS::StackName}-${p.toLowerCase()}-flow`), RoleArn: 'arn:aws:iam::123456789012:role/workflow', DefinitionString: '{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}' } };
  const start = s.grant === 1
    ? { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: machine } }
    : { Effect: 'Allow', Action: 'states:Start*', Resource: sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*') };
  r[role] = roleBody('events.amazonaws.com', s.grant ? [{ PolicyName: 'StartMachines', PolicyDocument: statements(start) }] : []);
  if (s.grant) {
    r[`${fnId}Permission`] = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: sub(s.grant === 1 ? exact : pattern) } };
    r[`${queue}Policy`] = queuePolicy(queue, { Sid: 'StackRules', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] }, Condition: sourceCond(s, exact, pattern) });
    r[`${topic}Policy`] = topicPolicy(topic, { Sid: 'StackRules', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topic }, Condition: sourceCond(s, exact, pattern) });
    covered.push(
      { kind: 'events-target-function', source: rule, destination: fnId, documents: [`${fnId}Permission`] },
      { kind: 'events-target-queue', source: rule, destination: queue, documents: [`${queue}Policy`, ...(s.enc ? [key] : [])] },
      // EVT-001 reports a target entry written as Fn::If (it does not follow it), so only the unconditional one is a connection.
      ...(s.cond ? [] : [{ kind: 'events-target-topic', source: rule, destination: topic, documents: [`${topic}Policy`] }]),
      { kind: 'events-target-role', source: rule, destination: machine, documents: [role] },
    );
  }
  const topicTarget: Json = { Id: 'topic', Arn: { Ref: topic } };
  r[rule] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      ...(s.named || s.grant ? { Name: sub(name) } : {}),
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        { Id: 'fn', Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } },
        { Id: 'queue', Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        s.cond ? { 'Fn::If': ['IsProd', topicTarget, noValue] } : topicTarget,
        { Id: 'machine', Arn: { Ref: machine }, RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } },
      ],
    },
  };
};

/** SNS subscriptions → function and (encrypted) queue (SNS-001). */
const snsSubscriptions: Builder = (s, p, r, covered) => {
  const [topic, fnId, queue, key] = [`${p}Orders`, `${p}Notifier`, `${p}Billing`, `${p}BillingKey`];
  const name = `\${AWS::StackName}-${p.toLowerCase()}-orders`;
  const exact = `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:${name}`;
  const pattern = `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:\${AWS::StackName}-*`;
  if (s.enc) r[key] = keyBody(s.grant ? [{ Sid: 'TopicDelivery', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: sourceCond(s, exact, pattern) }] : []);
  r[topic] = { Type: 'AWS::SNS::Topic', ...(s.named || s.grant ? { Properties: { TopicName: sub(name) } } : {}) };
  r[queue] = { Type: 'AWS::SQS::Queue', ...(s.enc ? { Properties: { KmsMasterKeyId: keyRef(key, s) } } : {}) };
  r[fnId] = fnBody();
  if (s.grant) {
    r[`${queue}Policy`] = queuePolicy(queue, { Sid: 'StackTopics', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] }, Condition: sourceCond(s, exact, pattern) });
    r[`${fnId}Permission`] = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fnId }, Principal: 'sns.amazonaws.com', SourceArn: sub(s.grant === 1 ? exact : pattern) } };
    covered.push(
      { kind: 'sns-subscription-queue', source: topic, destination: queue, documents: [`${queue}Policy`, ...(s.enc ? [key] : [])] },
      { kind: 'sns-subscription-function', source: topic, destination: fnId, documents: [`${fnId}Permission`] },
    );
  }
  r[`${queue}Subscription`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: topic }, Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': [queue, 'Arn'] }, ...(s.cond ? { RawMessageDelivery: { 'Fn::If': ['IsProd', true, noValue] } } : {}) } };
  r[`${fnId}Subscription`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: topic }, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] } } };
};

/** An alarm → an encrypted topic (CW-001). */
const alarmTopic: Builder = (s, p, r, covered) => {
  const [alarm, topic, key] = [`${p}Alarm`, `${p}Pager`, `${p}PagerKey`];
  const name = `\${AWS::StackName}-${p.toLowerCase()}-age`;
  const exact = `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${name}`;
  const pattern = `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:\${AWS::StackName}-*`;
  r[key] = keyBody(s.grant ? [{ Sid: 'StackAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: sourceCond(s, exact, pattern) }] : []);
  r[topic] = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: keyRef(key, s) } };
  r[alarm] = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      ...(s.named || s.grant ? { AlarmName: sub(name) } : {}),
      AlarmActions: [{ Ref: topic }],
      Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: 600, ComparisonOperator: 'GreaterThanThreshold',
    },
  };
  if (s.grant) covered.push({ kind: 'alarm-topic-key', source: alarm, destination: topic, documents: [key] });
};

/** A REST API method → function (APIGW-004). */
const apiFunction: Builder = (s, p, r, covered) => {
  const [api, res, method, fnId] = [`${p}Api`, `${p}Orders`, `${p}ListOrders`, `${p}ApiHandler`];
  r[api] = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: `${p.toLowerCase()}-orders` } };
  r[res] = { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: api }, ParentId: { 'Fn::GetAtt': [api, 'RootResourceId'] }, PathPart: 'orders' } };
  r[fnId] = fnBody();
  r[method] = {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: api }, ResourceId: { Ref: res }, HttpMethod: 'GET', AuthorizationType: s.cond ? { 'Fn::If': ['IsProd', 'AWS_IAM', 'NONE'] } : 'NONE',
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fnId}.Arn}/invocations`) },
    },
  };
  if (s.grant) {
    r[`${fnId}Permission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: s.grant === 1 ? 'apigateway.amazonaws.com' : sub('apigateway.${AWS::URLSuffix}'), SourceArn: sub(`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*/GET/orders${s.grant === 1 ? '' : '*'}`) },
    };
    covered.push({ kind: 'apigateway-function', source: method, destination: fnId, documents: [`${fnId}Permission`] });
  }
};

/** Event source mappings from a queue, a Kinesis stream and a DynamoDB stream (ESM-001). */
const eventSources: Builder = (s, p, r, covered) => {
  const [queue, stream, tbl, role, fnId, key] = [`${p}Work`, `${p}Clicks`, `${p}Table`, `${p}WorkerRole`, `${p}Worker`, `${p}WorkKey`];
  const qname = `\${AWS::StackName}-${p.toLowerCase()}-work`;
  if (s.enc) r[key] = keyBody([]);
  r[queue] = { Type: 'AWS::SQS::Queue', Properties: { ...(s.named || s.grant ? { QueueName: sub(qname) } : {}), ...(s.enc ? { KmsMasterKeyId: keyRef(key, s) } : {}) } };
  r[stream] = { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1, ...(s.named || s.grant ? { Name: sub(`\${AWS::StackName}-${p.toLowerCase()}-clicks`) } : {}) } };
  r[tbl] = { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], StreamSpecification: { StreamViewType: 'NEW_IMAGE' } } };
  const consume: Json[] = [
    { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: s.grant === 1 ? sub(`arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${qname}`) : sub('arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}-*') },
    { Effect: 'Allow', Action: ['kinesis:Get*', 'kinesis:List*', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:SubscribeToShard'], Resource: sub('arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${AWS::StackName}-*') },
    { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [tbl, 'StreamArn'] } },
    { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
    ...(s.enc ? [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] } }] : []),
  ];
  r[role] = roleBody('lambda.amazonaws.com', s.grant ? [{ PolicyName: 'Consume', PolicyDocument: statements(...consume) }] : []);
  r[fnId] = fnBody(role);
  r[`${queue}Mapping`] = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: fnId }, EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] }, BatchSize: s.cond ? { 'Fn::If': ['IsProd', 10, noValue] } : 10 } };
  r[`${stream}Mapping`] = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, EventSourceArn: { 'Fn::GetAtt': [stream, 'Arn'] }, StartingPosition: 'LATEST' } };
  r[`${tbl}Mapping`] = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: fnId }, EventSourceArn: { 'Fn::GetAtt': [tbl, 'StreamArn'] }, StartingPosition: 'TRIM_HORIZON' } };
  if (s.grant) for (const source of [queue, stream, tbl]) covered.push({ kind: 'lambda-event-source', source: `${source}Mapping`, destination: source, documents: [role] });
};

/** A state machine with a customer managed key (SFN-002). */
const stateMachineKey: Builder = (s, p, r, covered) => {
  const [key, role, machine] = [`${p}FlowKey`, `${p}FlowRole`, `${p}Flow`];
  const name = `\${AWS::StackName}-${p.toLowerCase()}-flow`;
  const ctxKey = 'kms:EncryptionContext:aws:states:stateMachineArn';
  const exact = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}`;
  const cond: JsonObject = s.grant === 1 ? { StringEquals: { [ctxKey]: sub(exact) } } : { StringLike: { [ctxKey]: sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-*') } };
  r[key] = keyBody([]);
  r[role] = roleBody('states.amazonaws.com', s.grant ? [{ PolicyName: 'Keys', PolicyDocument: statements({ Effect: 'Allow', Action: s.grant === 1 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : 'kms:*', Resource: { 'Fn::GetAtt': [key, 'Arn'] }, Condition: cond }) }] : []);
  r[machine] = {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      ...(s.named || s.grant ? { StateMachineName: sub(name) } : {}),
      RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      DefinitionString: '{"StartAt":"Pass","States":{"Pass":{"Type":"Pass","End":true}}}',
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, ...(s.cond ? { KmsDataKeyReusePeriodSeconds: { 'Fn::If': ['IsProd', 300, noValue] } } : {}) },
    },
  };
  if (s.grant) covered.push({ kind: 'state-machine-key', source: machine, destination: machine, documents: [role, key] });
};

/** A distribution reading a bucket through origin access control (CF-001), the bucket maybe SSE-KMS. */
const cloudFront: Builder = (s, p, r, covered) => {
  const [bucket, oac, cdn, key] = [`${p}Site`, `${p}SiteOac`, `${p}Cdn`, `${p}SiteKey`];
  const name = `${p.toLowerCase()}-site-\${AWS::AccountId}`;
  const distribution = `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/`;
  if (s.enc) r[key] = keyBody(s.grant ? [{ Sid: 'CdnDecrypt', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': sub(`${distribution}*`) } } }] : []);
  const byDefault: JsonObject = s.enc ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef(key, s) } : { SSEAlgorithm: 'AES256' };
  r[bucket] = { Type: 'AWS::S3::Bucket', Properties: { ...(s.named || s.grant ? { BucketName: sub(name) } : {}), BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: byDefault }] }, PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } } };
  r[oac] = { Type: 'AWS::CloudFront::OriginAccessControl', Properties: { OriginAccessControlConfig: { Name: `${p.toLowerCase()}-oac`, OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } } };
  r[cdn] = {
    Type: 'AWS::CloudFront::Distribution',
    Properties: {
      DistributionConfig: {
        Enabled: true,
        ...(s.cond ? { DefaultRootObject: { 'Fn::If': ['IsProd', 'index.html', noValue] } } : {}),
        Origins: [{ Id: 'site', DomainName: { 'Fn::GetAtt': [bucket, 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': [oac, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } }],
        DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      },
    },
  };
  if (s.grant) {
    r[`${bucket}Policy`] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: bucket },
        PolicyDocument: statements({ Sid: 'ReadThroughCdn', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Resource: sub(`arn:\${AWS::Partition}:s3:::${name}/*`), Condition: s.grant === 1 ? { ArnEquals: { 'aws:SourceArn': sub(`${distribution}\${${cdn}.Id}`) } } : { ArnLike: { 'aws:SourceArn': sub(`${distribution}*`) } } }),
      },
    };
    covered.push({ kind: 'cloudfront-oac-bucket', source: cdn, destination: bucket, documents: [`${bucket}Policy`, ...(s.enc ? [key] : [])] });
  }
};

/** One log bucket receiving VPC flow logs, ALB and NLB access logs and S3 server access logs (LOGD-001). */
const logDelivery: Builder = (s, p, r, covered) => {
  const [logs, data, vpc, flow, alb, nlb] = [`${p}LogBucket`, `${p}Data`, `${p}Vpc`, `${p}FlowLog`, `${p}Web`, `${p}Ingress`];
  const name = `${p.toLowerCase()}-logs-\${AWS::AccountId}`;
  const dataName = `${p.toLowerCase()}-data-\${AWS::AccountId}`;
  r[logs] = { Type: 'AWS::S3::Bucket', Properties: { ...(s.named || s.grant ? { BucketName: sub(name) } : {}), ...(s.cond ? { VersioningConfiguration: { 'Fn::If': ['IsProd', { Status: 'Enabled' }, noValue] } } : {}) } };
  r[data] = { Type: 'AWS::S3::Bucket', Properties: { ...(s.named || s.grant ? { BucketName: sub(dataName) } : {}), LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 's3/' } } };
  r[vpc] = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };
  r[flow] = { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: vpc }, ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: sub(`\${${logs}.Arn}/flows/`) } };
  const lbAttributes = (prefix?: string): Json[] => [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: logs } }, ...(prefix ? [{ Key: 'access_logs.s3.prefix', Value: prefix }] : [])];
  r[alb] = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], LoadBalancerAttributes: lbAttributes('alb') } };
  r[nlb] = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network', Subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], LoadBalancerAttributes: lbAttributes('nlb') } };
  if (s.grant) {
    const delivery = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*') } };
    const write = (prefix: string): Json => ({ Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:PutObject', Resource: sub(`\${${logs}.Arn}/${prefix}AWSLogs/\${AWS::AccountId}/*`), Condition: { ...delivery, StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    r[`${logs}Policy`] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: logs },
        PolicyDocument: statements(
          { Sid: 'AclCheck', Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: { 'Fn::GetAtt': [logs, 'Arn'] }, Condition: delivery },
          write(s.grant === 1 ? 'flows/' : '*/'),
          ...(s.grant === 1 ? [write('nlb/')] : []),
          { Sid: 'ElbWrites', Effect: 'Allow', Principal: { AWS: sub('arn:${AWS::Partition}:iam::127311923021:root') }, Action: 's3:PutObject', Resource: sub(`\${${logs}.Arn}/alb/AWSLogs/\${AWS::AccountId}/*`) },
          { Sid: 'ServerAccessLogs', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: sub(`\${${logs}.Arn}/s3/*`), Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sub(`arn:\${AWS::Partition}:s3:::${s.grant === 1 ? dataName : `${p.toLowerCase()}-*`}`) } } },
        ),
      },
    };
    for (const src of [flow, alb, nlb, data]) (r[src] as JsonObject).DependsOn = `${logs}Policy`;
    covered.push(
      { kind: 'vpc-flow-log-bucket', source: flow, destination: logs, documents: [`${logs}Policy`] },
      { kind: 'elb-access-log-bucket', source: alb, destination: logs, documents: [`${logs}Policy`] },
      { kind: 'nlb-access-log-bucket', source: nlb, destination: logs, documents: [`${logs}Policy`] },
      { kind: 's3-access-log-bucket', source: data, destination: logs, documents: [`${logs}Policy`] },
    );
  }
};

/**
 * A trail → bucket, key (its own, or under Fn::If the bucket's default key), topic and log group
 * through a role (CT-001…CT-005); covered with the guide's statements, exact or by a pattern over
 * the stack's trails.
 */
const trail: Builder = (s, p, r, covered) => {
  const [bucket, key, topic, group, role, trailId] = [`${p}AuditBucket`, `${p}TrailKey`, `${p}TrailTopic`, `${p}TrailLogs`, `${p}TrailRole`, `${p}Trail`];
  const named = s.named || s.grant > 0;
  const bucketName = `${p.toLowerCase()}-audit-\${AWS::AccountId}`;
  const groupName = `/${p.toLowerCase()}/trail`;
  const exact = `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/\${AWS::StackName}-${p.toLowerCase()}`;
  const pattern = 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${AWS::StackName}-*';
  const trailCond = sourceCond(s, exact, pattern);
  const cloudtrail = { Service: 'cloudtrail.amazonaws.com' };
  const via = { StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.${AWS::URLSuffix}') } };
  const bucketArn = `arn:\${AWS::Partition}:s3:::${bucketName}`;
  if (s.enc) {
    r[key] = keyBody(s.grant ? [
      { Sid: 'TrailEncrypt', Effect: 'Allow', Principal: cloudtrail, Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*', Condition: trailCond },
      { Sid: 'TrailThroughS3', Effect: 'Allow', Principal: cloudtrail, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: s.grant === 1 ? { ...via, ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [sub(bucketArn), sub(`${bucketArn}/*`)] } } : via },
    ] : []);
  }
  r[bucket] = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      ...(named ? { BucketName: sub(bucketName) } : {}),
      ...(s.enc ? { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } } }] } } : {}),
    },
  };
  r[topic] = { Type: 'AWS::SNS::Topic' };
  r[group] = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90, ...(named ? { LogGroupName: groupName } : {}) } };
  const streams = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${s.grant === 1 ? groupName : `/${p.toLowerCase()}/*`}:log-stream:*`;
  r[role] = roleBody('cloudtrail.amazonaws.com', s.grant ? [{ PolicyName: 'TrailLogs', PolicyDocument: statements({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: sub(streams) }) }] : []);
  const depends: string[] = [];
  if (s.grant) {
    const logs = (prefix: string): Json => sub(`\${${bucket}.Arn}/${prefix}AWSLogs/\${AWS::AccountId}/*`);
    r[`${bucket}Policy`] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: bucket },
        PolicyDocument: statements(
          { Sid: 'TrailAclCheck', Effect: 'Allow', Principal: cloudtrail, Action: 's3:GetBucketAcl', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] }, Condition: trailCond },
          { Sid: 'TrailWrite', Effect: 'Allow', Principal: cloudtrail, Action: 's3:PutObject', Resource: s.cond ? [logs(''), logs('prod/')] : logs(''), Condition: { ...trailCond, StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
        ),
      },
    };
    r[`${topic}Policy`] = topicPolicy(topic, { Sid: 'TrailNotices', Effect: 'Allow', Principal: cloudtrail, Action: 'sns:Publish', Resource: { Ref: topic }, Condition: trailCond });
    depends.push(`${bucket}Policy`, `${topic}Policy`);
    covered.push(
      { kind: 'cloudtrail-bucket', source: trailId, destination: bucket, documents: [`${bucket}Policy`] },
      { kind: 'cloudtrail-bucket-order', source: trailId, destination: bucket, documents: [] },
      { kind: 'cloudtrail-topic', source: trailId, destination: topic, documents: [`${topic}Policy`] },
      { kind: 'cloudtrail-logs', source: trailId, destination: role, documents: [role] },
      ...(s.enc ? [{ kind: 'cloudtrail-key', source: trailId, destination: key, documents: [key] }] : []),
      ...(s.enc && s.cond ? [{ kind: 'cloudtrail-bucket-key', source: trailId, destination: key, documents: [key] }] : []),
    );
  }
  r[trailId] = {
    Type: 'AWS::CloudTrail::Trail',
    ...(depends.length ? { DependsOn: depends } : {}),
    Properties: {
      IsLogging: true,
      ...(named ? { TrailName: sub(`\${AWS::StackName}-${p.toLowerCase()}`) } : {}),
      S3BucketName: { Ref: bucket },
      ...(s.cond ? { S3KeyPrefix: { 'Fn::If': ['IsProd', 'prod', noValue] } } : {}),
      // Under Fn::If the trail may have no key of its own, and S3 then uses the bucket's default key.
      ...(s.enc ? { KMSKeyId: s.cond ? { 'Fn::If': ['UseCmk', { 'Fn::GetAtt': [key, 'Arn'] }, noValue] } : { 'Fn::GetAtt': [key, 'Arn'] } } : {}),
      SnsTopicName: { 'Fn::GetAtt': [topic, 'TopicName'] },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [group, 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
    },
  };
};

const BUILDERS: Builder[] = [s3Notifications, logsKey, eventsTargets, snsSubscriptions, alarmTopic, apiFunction, eventSources, stateMachineKey, cloudFront, logDelivery, trail];

/**
 * A template of one to three connection scenarios (every kind of the catalogue appears in one of
 * them), each drawn encrypted or not, with no grant, an exact one or a narrower one already in the
 * input, and `Fn::If` on some properties; `covered` lists the connections an input grant covers.
 */
export function connectionTemplate(): fc.Arbitrary<ConnectionCase> {
  return fc.array(scenario, { minLength: 1, maxLength: 3 }).map((list) => {
    const resources: JsonObject = {};
    const covered: CoveredConnection[] = [];
    list.forEach((s, i) => BUILDERS[s.build % BUILDERS.length](s, `C${i}`, resources, covered));
    return {
      template: {
        AWSTemplateFormatVersion: '2010-09-09',
        Parameters: { Env: { Type: 'String', Default: 'dev' } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, UseCmk: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
        Resources: resources,
      },
      covered,
    };
  });
}
