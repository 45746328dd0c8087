/**
 * fast-check generators of realistic templates: the resource types the rules touch plus
 * unrelated ones; properties present or absent; values as literals, Ref, GetAtt (both forms),
 * Sub (both forms) and Fn::If with AWS::NoValue (around whole properties, list entries and policy
 * statements); conditions and conditional resources; DependsOn as a string or a list; existing
 * bucket, key, queue and topic policies (by Ref, by name, single-object Statement, inline forms);
 * tags as a Key/Value list and as a map; log groups encrypted with a template key; connections
 * (S3 notifications to encrypted queues and topics, trails to buckets, keys, topics and log group
 * roles) beside existing narrower grants that already allow some of them.
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
