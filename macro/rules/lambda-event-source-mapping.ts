/**
 * ESM-001: a Lambda event source mapping on an SQS queue, a Kinesis stream or a DynamoDB stream of
 * the template is created after its function's role may read that source (and decrypt it, when a
 * key of the template encrypts it).
 *
 * Lambda validates the execution role when CloudFormation creates the mapping: without the read
 * actions the create fails ("The provided execution role does not have permissions to call
 * ReceiveMessage on SQS", "… GetRecords on Kinesis"), and without `kms:Decrypt` an encrypted
 * queue's messages cannot be read. The connection is the catalogue's `lambda-event-source` kind
 * (`macro/connections/kinds/lambda-event-source.ts`), which follows the Lambda Developer Guide's
 * "Execution role permissions" per event source and aws-cdk-lib `aws-lambda-event-sources`
 * (`SqsEventSource`, `KinesisEventSource`, `DynamoEventSource` call `grantConsumeMessages`,
 * `grantRead`, `grantStreamRead` on the function's role).
 *
 * Discovery: `EventSourceArn` (`!GetAtt Q.Arn`, `!GetAtt Table.StreamArn`, a `Fn::Sub`/`Fn::Join`
 * of the ARN around `${Q.QueueName}`, every `Fn::If` branch) naming a queue, stream or table of the
 * template; `FunctionName` (`!Ref F`, `!GetAtt F.Arn`, or a function's literal name) naming a
 * function of the template, whose `Role` is a role of the template.
 *
 * Expectations
 * - Amazon MQ brokers and MSK clusters of the template: `mq:DescribeBroker` /
 *   `kafka:DescribeClusterV2` and `kafka:GetBootstrapBrokers` on the source, the six network
 *   interface actions on `*` (they take no resource ARN), and `secretsmanager:GetSecretValue` on
 *   the secret a `SourceAccessConfigurations` entry names (Lambda Developer Guide, "Using Lambda
 *   with Amazon MQ" and "… Amazon MSK", Execution role permissions).
 * - Skips: sources outside the template (reported), a function or role outside the template
 *   (reported: the role must already allow the actions), self-managed Kafka (no source resource),
 *   a mapping, role or source that skips ESM-001.
 * - Already compliant: the role's inline policies, an attached `AWS::IAM::Policy` /
 *   `ManagedPolicy`, or the AWS managed execution role policy for that source
 *   (AWSLambdaSQSQueueExecutionRole, AWSLambdaKinesisExecutionRole, AWSLambdaDynamoDBExecutionRole)
 *   allow every action on the source, and the mapping comes after the role.
 * - Fixes: adds the statements to the role's inline policy `EventSource<Mapping>` (or to a
 *   separate policy of that name attached to the role, which the mapping then depends on) and
 *   makes the mapping depend on the role. A source that may not exist whenever the role does is
 *   named by its name-built ARN (or reported when it has no name).
 */
import type { Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { EVENT_SOURCES, functionOf, LAMBDA_EVENT_SOURCE, shown } from '../connections/kinds/lambda-event-source';
import { resolve } from '../template/resolve';

const PATH = 'Properties.EventSourceArn';

/** `arn:…:sqs:…:${Q.QueueName}`, `arn:…:kinesis:…:stream/${S}`: the resource a composed ARN is built around. */
function composedSource(ctx: RuleContext, text: string): string | undefined {
  const m = /\$\{([A-Za-z0-9]+)(?:\.([A-Za-z]+))?\}$/.exec(text);
  if (!m) return undefined;
  const type = ctx.model.type(m[1]);
  if (type === 'AWS::SQS::Queue' && text.includes(':sqs:') && m[2] === 'QueueName') return m[1];
  if (type === 'AWS::Kinesis::Stream' && text.includes(':kinesis:') && m[2] === undefined) return m[1];
  return undefined;
}

export const lambdaEventSourceMapping: Rule = {
  id: 'ESM-001',
  title: 'Let Lambda functions read their event sources before the mapping is created',
  rationale:
    "Lambda checks the function role's permissions on the queue or stream when CloudFormation creates an event source mapping, and the create fails without them (an encrypted source also needs kms:Decrypt). The function's role of the template gets the Lambda Developer Guide's read actions on that one source, unless its policies (or the AWS managed execution role policy) already allow them, and the mapping waits for the role.",
  resourceTypes: ['AWS::Lambda::EventSourceMapping'],
  changes: ['AWS::IAM::Role Properties.Policies', 'AWS::IAM::Policy Properties.PolicyDocument', 'AWS::IAM::ManagedPolicy Properties.PolicyDocument', 'AWS::Lambda::EventSourceMapping DependsOn'],
  references: LAMBDA_EVENT_SOURCE.references,
  apply(mapping, ctx) {
    const fn = functionOf(ctx, mapping.id);
    for (const r of resolve(mapping.properties.EventSourceArn, ctx.model)) {
      if (r.kind === 'no-value') continue;
      let source: string | undefined;
      if (r.kind === 'resource') source = r.id;
      else if (r.kind === 'composite') source = composedSource(ctx, r.text);
      const type = source === undefined ? undefined : ctx.model.type(source);
      if (source === undefined || type === undefined) {
        const what = r.kind === 'literal' ? String(r.value) : r.kind === 'parameter' ? `parameter ${r.name}` : r.kind === 'composite' ? shown({ 'Fn::Sub': r.text }) : 'a value computed at deploy time';
        recordConnection(ctx, { rule: 'ESM-001', kind: LAMBDA_EVENT_SOURCE.id, source: mapping.id, destination: what }, 'skipped', [], 'the event source is outside this template');
        continue;
      }
      const spec = EVENT_SOURCES[type];
      if (spec === undefined) {
        ctx.finding(mapping.id, PATH, 'info', `${source} is an ${type}: its execution role permissions are not checked by ESM-001 (SQS, Kinesis, DynamoDB streams, Amazon MQ and MSK are)`);
        continue;
      }
      if (r.kind === 'resource' && r.attribute !== spec.attribute && !(spec.refIsArn && r.attribute === undefined)) {
        ctx.finding(mapping.id, PATH, 'warning', `${r.attribute === undefined ? `!Ref ${source}` : `${source}.${r.attribute}`} is not the ARN Lambda needs: use !GetAtt ${source}.${spec.attribute}`);
      }
      if (fn === undefined) {
        ctx.finding(mapping.id, 'Properties.FunctionName', 'info', `the function is not one of this template: its role must already allow ${spec.actions.join(', ')} on ${source}`);
        recordConnection(ctx, { rule: 'ESM-001', kind: LAMBDA_EVENT_SOURCE.id, source: mapping.id, destination: source }, 'skipped', [], 'the function is outside this template');
        continue;
      }
      applyConnection(ctx, LAMBDA_EVENT_SOURCE, { kind: LAMBDA_EVENT_SOURCE.id, rule: 'ESM-001', source: mapping.id, destination: source, path: PATH, principal: 'lambda.amazonaws.com', when: r.when });
    }
  },
};

