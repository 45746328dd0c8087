/**
 * Lambda event source mapping → its function's role (ESM-001): Lambda polls the source with the
 * function's execution role, and checks that role's permissions when CloudFormation creates the
 * mapping ("The provided execution role does not have permissions to call ReceiveMessage on SQS";
 * "… to call GetRecords on Kinesis"), so the role needs the source's read actions, and
 * `kms:Decrypt` when the source is encrypted with a key of the template, before the mapping.
 *
 * Actions, per source, as the Lambda Developer Guide's "Execution role permissions" sections
 * give them (and the AWS managed policies of the same sets count as covering):
 * - SQS ("Using Lambda with Amazon SQS"): `sqs:ReceiveMessage`, `sqs:DeleteMessage`,
 *   `sqs:GetQueueAttributes` on the queue (AWSLambdaSQSQueueExecutionRole); an encrypted queue:
 *   `kms:Decrypt` on its key (aws-cdk-lib `aws-sqs/lib/queue-base.ts` `grantConsumeMessages`).
 * - Kinesis ("Using Lambda with Kinesis"): `kinesis:DescribeStream`, `DescribeStreamSummary`,
 *   `GetRecords`, `GetShardIterator`, `ListShards`, `SubscribeToShard` on the stream
 *   (AWSLambdaKinesisExecutionRole); `kms:Decrypt` for a stream encrypted with a key of the
 *   template (aws-cdk-lib `aws-kinesis/lib/stream.ts` `grantRead`).
 * - DynamoDB Streams ("Using Lambda with DynamoDB"): `dynamodb:DescribeStream`, `GetRecords`,
 *   `GetShardIterator` on the stream and `dynamodb:ListStreams` (on `*`, as aws-cdk-lib
 *   `aws-dynamodb/lib/table.ts` `grantStreamRead` writes it; AWSLambdaDynamoDBExecutionRole);
 *   `kms:Decrypt` for a table encrypted with a key of the template.
 * aws-cdk-lib `aws-lambda-event-sources/lib/sqs.ts`, `kinesis.ts`, `dynamodb.ts` call those grants
 * on the function's role, and `aws-lambda/lib/event-source-mapping.ts` is created after the role's
 * default policy (the function depends on it).
 */
import { canonicalString } from '../../template/intrinsics';
import { isObject, type Json } from '../../template/json';
import { resolve } from '../../template/resolve';
import type { RuleContext } from '../../rules/types';
import { keysOf } from '../keys';
import type { RoleGrant } from '../role';
import { nameText } from '../source-arn';
import type { Connection, ConnectionKind, Grant } from '../types';

/** What one kind of event source needs from the function's role. */
export interface EventSourceSpec {
  type: string;
  /** The GetAtt attribute that is the ARN Lambda reads (`Arn`, `StreamArn`). */
  attribute: string;
  /** The actions on the source's ARN. */
  actions: string[];
  /** Actions that take no resource ARN (granted on `*`). */
  anyResource?: string[];
  /** The name property and ARN template, to write the ARN without referring to the source when it is conditional. */
  nameArn?: { property: string; template: string };
  /** Where the source names its KMS key, when it is encrypted. */
  key?(ctx: RuleContext, source: string): { path: string; value: Json } | undefined;
  managedPolicy: string;
  /** `Ref` gives the ARN too (MSK clusters). */
  refIsArn?: boolean;
  /** The mapping's `SourceAccessConfigurations` may name a Secrets Manager secret Lambda reads. */
  secret?: boolean;
}

/** The network interface actions Lambda needs to reach a broker or cluster in a VPC (the Lambda guide's MQ and MSK pages; the SAM MQ event's note lists the same six). */
const VPC_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'];

/** Access configuration types whose URI is a Secrets Manager secret. */
const SECRET_TYPES = new Set(['BASIC_AUTH', 'SASL_SCRAM_256_AUTH', 'SASL_SCRAM_512_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE']);

export const EVENT_SOURCES: Record<string, EventSourceSpec> = {
  'AWS::SQS::Queue': {
    type: 'AWS::SQS::Queue',
    attribute: 'Arn',
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    nameArn: { property: 'QueueName', template: 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:{name}' },
    key: (ctx, id) => {
      const value = ctx.model.get(id, ['Properties', 'KmsMasterKeyId']);
      return value === undefined ? undefined : { path: 'Properties.KmsMasterKeyId', value };
    },
    managedPolicy: 'AWSLambdaSQSQueueExecutionRole',
  },
  'AWS::Kinesis::Stream': {
    type: 'AWS::Kinesis::Stream',
    attribute: 'Arn',
    actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:SubscribeToShard'],
    nameArn: { property: 'Name', template: 'arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/{name}' },
    key: (ctx, id) => {
      const enc = ctx.model.get(id, ['Properties', 'StreamEncryption', 'KeyId']);
      return enc === undefined ? undefined : { path: 'Properties.StreamEncryption.KeyId', value: enc };
    },
    managedPolicy: 'AWSLambdaKinesisExecutionRole',
  },
  'AWS::DynamoDB::Table': {
    type: 'AWS::DynamoDB::Table',
    attribute: 'StreamArn',
    actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    anyResource: ['dynamodb:ListStreams'],
    key: (ctx, id) => {
      const value = ctx.model.get(id, ['Properties', 'SSESpecification', 'KMSMasterKeyId']);
      return value === undefined ? undefined : { path: 'Properties.SSESpecification.KMSMasterKeyId', value };
    },
    managedPolicy: 'AWSLambdaDynamoDBExecutionRole',
  },
  // "Using Lambda with Amazon MQ" (Execution role permissions): mq:DescribeBroker, the broker's
  // credentials secret, and the network interface actions Lambda needs in the broker's VPC.
  'AWS::AmazonMQ::Broker': {
    type: 'AWS::AmazonMQ::Broker',
    attribute: 'Arn',
    actions: ['mq:DescribeBroker'],
    anyResource: VPC_ACTIONS,
    secret: true,
    managedPolicy: '',
  },
  // "Using Lambda with Amazon MSK" (Execution role permissions; the AWSLambdaMSKExecutionRole set):
  // kafka:DescribeClusterV2 and kafka:GetBootstrapBrokers on the cluster, and the network
  // interface actions; a BASIC_AUTH / SASL_SCRAM secret when the mapping names one.
  'AWS::MSK::Cluster': {
    type: 'AWS::MSK::Cluster',
    attribute: 'Arn',
    refIsArn: true,
    actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
    anyResource: VPC_ACTIONS,
    secret: true,
    managedPolicy: 'AWSLambdaMSKExecutionRole',
  },
};

/** The source's ARN as the role statement may write it: `GetAtt`, or built from its name when the source may not exist whenever the role does. */
export function sourceArnForRole(ctx: RuleContext, source: string, role: string | undefined, spec: EventSourceSpec): Json | undefined {
  const getAtt: Json = { 'Fn::GetAtt': [source, spec.attribute] };
  if (role === undefined || ctx.model.conditionImplies(ctx.model.condition(role), ctx.model.condition(source))) return getAtt;
  if (spec.nameArn === undefined) return undefined;
  const name = nameText(ctx.model, source, spec.nameArn.property);
  return name === undefined ? undefined : { 'Fn::Sub': spec.nameArn.template.replace('{name}', name) };
}

function spellings(ctx: RuleContext, source: string, spec: EventSourceSpec): Json[] {
  const out: Json[] = [{ 'Fn::GetAtt': [source, spec.attribute] }];
  if (spec.nameArn !== undefined) {
    const name = nameText(ctx.model, source, spec.nameArn.property);
    if (name !== undefined) out.push({ 'Fn::Sub': spec.nameArn.template.replace('{name}', name) });
  }
  return out;
}

/** The role grants of one mapping: read actions, `*`-only actions, `kms:Decrypt` on each key of the template, and the mapping after the role. */
export function eventSourceGrants(c: Connection, ctx: RuleContext, role: { function: string; value: Json | undefined; id?: string }): Grant[] {
  const spec = EVENT_SOURCES[ctx.model.type(c.destination) ?? ''];
  if (spec === undefined) return [];
  const arn = sourceArnForRole(ctx, c.destination, role.id, spec);
  const grants: Grant[] = [];
  const base = { to: 'role' as const, owner: role.function, path: 'Properties.Role', value: role.value, caller: c.source, policyName: `EventSource${c.source}` };
  if (arn === undefined) {
    ctx.finding(c.source, c.path, 'warning', `${c.destination} may not exist when ${role.id ?? 'the role'} does (its Condition), and has no ${spec.nameArn?.property ?? 'name'} to write its ARN from, so ${role.id ?? 'the role'} was not given ${spec.actions.join(', ')} on it`, `give ${c.destination} a ${spec.nameArn?.property ?? 'name'} built from literals, parameters and pseudo parameters, or the role the same Condition`);
  } else {
    grants.push({ ...base, statement: { Effect: 'Allow', Action: spec.actions, Resource: arn }, request: { actions: spec.actions, resources: spellings(ctx, c.destination, spec) }, detail: `let ${role.function} read ${c.destination} for ${c.source} (${spec.actions.join(', ')})` } satisfies RoleGrant);
  }
  if (spec.anyResource !== undefined) {
    grants.push({ ...base, statement: { Effect: 'Allow', Action: spec.anyResource, Resource: '*' }, request: { actions: spec.anyResource, resources: ['*'] }, detail: `let ${role.function} ${spec.anyResource.join(', ')} for ${c.source} (the action takes no resource ARN)` } satisfies RoleGrant);
  }
  if (spec.secret) {
    const configs = ctx.model.get(c.source, ['Properties', 'SourceAccessConfigurations']);
    for (const entry of Array.isArray(configs) ? configs : []) {
      if (!isObject(entry) || typeof entry.Type !== 'string' || !SECRET_TYPES.has(entry.Type) || entry.URI === undefined) continue;
      const secrets = resolve(entry.URI, ctx.model).filter((r) => r.kind === 'resource');
      if (secrets.some((r) => r.kind === 'resource' && role.id !== undefined && !ctx.model.conditionImplies(ctx.model.condition(role.id), ctx.model.condition(r.id)))) continue;
      grants.push({ ...base, statement: { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: entry.URI }, request: { actions: ['secretsmanager:GetSecretValue'], resources: [entry.URI] }, detail: `let ${role.function} read the ${entry.Type} secret of ${c.source}` } satisfies RoleGrant);
    }
  }
  const key = spec.key?.(ctx, c.destination);
  if (key !== undefined) {
    for (const k of [...new Set(keysOf(ctx.model, key.value).keys.map((x) => x.key))]) {
      const keyArn: Json = { 'Fn::GetAtt': [k, 'Arn'] };
      if (role.id !== undefined && !ctx.model.conditionImplies(ctx.model.condition(role.id), ctx.model.condition(k))) continue;
      grants.push({ ...base, statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }, request: { actions: ['kms:Decrypt'], resources: [keyArn, { Ref: k }] }, detail: `let ${role.function} kms:Decrypt with ${k}, which encrypts ${c.destination}` } satisfies RoleGrant);
    }
  }
  if (role.id !== undefined) grants.push({ to: 'order', from: c.source, after: role.id, detail: 'Lambda checks the function role\'s permissions on the event source when it creates the mapping' });
  return grants;
}

/** The text a value shows in the report. */
export function shown(value: Json): string {
  const c = canonicalString(value);
  return typeof c === 'string' ? c : JSON.stringify(c);
}

export const LAMBDA_EVENT_SOURCE: ConnectionKind = {
  id: 'lambda-event-source',
  rule: 'ESM-001',
  title: 'Lambda event source mapping → SQS queue, Kinesis stream, DynamoDB stream (the function role reads the source)',
  references: [
    'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (Execution role permissions: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes; kms:Decrypt for an encrypted queue)',
    'https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-permissions.html (Execution role permissions for Kinesis event sources)',
    'https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html (Execution role permissions: dynamodb:DescribeStream, GetRecords, GetShardIterator, ListStreams)',
    'aws-cdk-lib/aws-lambda-event-sources/lib/sqs.ts, kinesis.ts, dynamodb.ts (queue.grantConsumeMessages, stream.grantRead, table.grantStreamRead on the function role)',
  ],
  grants: (c, ctx) => {
    const fn = functionOf(ctx, c.source);
    if (fn === undefined) return [];
    const value = ctx.model.get(fn, ['Properties', 'Role']);
    const roles = [...new Set(resolve(value, ctx.model).flatMap((r) => (r.kind === 'resource' && ctx.model.type(r.id) === 'AWS::IAM::Role' ? [r.id] : [])))];
    return eventSourceGrants(c, ctx, roles.length === 1 ? { function: fn, value, id: roles[0] } : { function: fn, value });
  },
};

/**
 * The function of the template a mapping's `FunctionName` names: `!Ref F`, `!GetAtt F.Arn`, or the
 * literal `FunctionName` of a function of the template (one function: a mapping has one).
 */
export function functionOf(ctx: RuleContext, mapping: string): string | undefined {
  for (const r of resolve(ctx.model.get(mapping, ['Properties', 'FunctionName']), ctx.model)) {
    if (r.kind === 'resource' && ctx.model.type(r.id) === 'AWS::Lambda::Function') return r.id;
    if (r.kind === 'literal' && typeof r.value === 'string') {
      const text = r.value;
      const found = ctx.model.idsOfType('AWS::Lambda::Function').find((f) => ctx.model.get(f, ['Properties', 'FunctionName']) === text);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
