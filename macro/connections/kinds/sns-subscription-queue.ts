/**
 * SNS subscription (`Protocol: sqs`) → SQS queue (SNS-001): the queue's one policy lets
 * `sns.amazonaws.com` `sqs:SendMessage`, with `ArnEquals aws:SourceArn` the topic; a queue
 * encrypted with a key of the template gets the key statement for the same principal
 * (`kms:GenerateDataKey*`, `kms:Decrypt`, same condition). SNS does not check either when the
 * subscription is created (no ordering edge); without them every delivery fails silently.
 * `alias/aws/sqs`, the AWS managed key, cannot be used: its policy cannot let SNS in.
 */
import type { Connection, ConnectionKind, Grant } from '../types';
import type { RuleContext } from '../../rules/types';
import { isObject, type Json } from '../../template/json';
import { SNS_PRINCIPAL, topicLabel } from './sns-subscription-function';

/** The condition pinning a grant to one topic, as the SNS and SQS guides and aws-cdk-lib write it. */
export function topicCondition(c: Connection): Record<string, Record<string, Json>> {
  const arn = c.sourceArn?.pinned ? c.sourceArn.arn : c.sourceArn?.pattern;
  return arn === undefined ? {} : { [c.sourceArn?.pinned ? 'ArnEquals' : 'ArnLike']: { 'aws:SourceArn': arn } };
}

/**
 * True when the key statement cannot name the topic by `Ref`: the topic refers to the queue (its
 * `Subscription` list), the queue to its key, so a key policy referring to the topic is a cycle.
 * The topic has no name to build its ARN from (else the ARN is name-built), so the key statement
 * falls back to the account's topics in this Region (`arn:…:sns:<region>:<account>:*`), which the
 * rule reports with the fix (give the topic a TopicName).
 */
export function keyNeedsPattern(c: Connection, ctx: RuleContext): boolean {
  const arn = c.sourceArn?.pinned ? c.sourceArn.arn : undefined;
  return isObject(arn) && arn.Ref === c.source && ctx.model.reaches(c.source, c.destination);
}

export const TOPIC_PATTERN = { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*' };

export const SNS_SUBSCRIPTION_QUEUE: ConnectionKind = {
  id: 'sns-subscription-queue',
  rule: 'SNS-001',
  principal: SNS_PRINCIPAL,
  title: 'SNS subscription → SQS queue',
  references: [
    'https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html (Subscribe a queue to a topic: the queue policy lets sns.amazonaws.com sqs:SendMessage with ArnEquals aws:SourceArn the topic)',
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html (Enable compatibility between AWS services such as Amazon SNS and encrypted queues: kms:GenerateDataKey and kms:Decrypt for the service principal in the key policy)',
    'aws-cdk-lib/aws-sns-subscriptions/lib/sqs.ts (SqsSubscription.bind: queue.addToResourcePolicy sqs:SendMessage for sns.amazonaws.com, ArnEquals aws:SourceArn topicArn; the queue key gets kms:Decrypt and kms:GenerateDataKey for the same principal, scoped by aws:SourceArn with SNS_SUBSCRIPTIONS_SQS_DECRYPTION_POLICY)',
  ],
  grants(c: Connection, ctx: RuleContext): Grant[] {
    const condition = topicCondition(c);
    const context = { 'aws:SourceArn': c.sourceArn?.spellings ?? [] };
    const sid = `AllowSnsFrom${c.source}`;
    const queueArn = { 'Fn::GetAtt': [c.destination, 'Arn'] };
    const grants: Grant[] = [
      {
        to: 'policy',
        policy: 'queue',
        target: c.destination,
        statement: { Sid: sid, Effect: 'Allow', Principal: { Service: SNS_PRINCIPAL }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: condition },
        request: { principal: SNS_PRINCIPAL, actions: ['sqs:SendMessage'], resources: [queueArn, { 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${${c.destination}.QueueName}` }], context },
        detail: `let sns.amazonaws.com sqs:SendMessage to ${c.destination} from ${topicLabel(c, ctx)} only (aws:SourceArn)`,
      },
    ];
    const key = ctx.model.get(c.destination, ['Properties', 'KmsMasterKeyId']);
    if (key !== undefined) {
      const pattern = keyNeedsPattern(c, ctx);
      const keyCondition = pattern ? { ArnLike: { 'aws:SourceArn': TOPIC_PATTERN } } : condition;
      const keyContext = pattern ? { 'aws:SourceArn': [...(c.sourceArn?.spellings ?? []), TOPIC_PATTERN] } : context;
      grants.push({
        to: 'key',
        owner: c.destination,
        path: 'Properties.KmsMasterKeyId',
        value: key,
        service: 'sns',
        statement: { Sid: sid, Effect: 'Allow', Principal: { Service: SNS_PRINCIPAL }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: keyCondition },
        request: { principal: SNS_PRINCIPAL, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], context: keyContext },
        detail: `let sns.amazonaws.com kms:GenerateDataKey* and kms:Decrypt for messages to ${c.destination} from ${pattern ? "the account's topics in this Region (aws:SourceArn pattern)" : `${topicLabel(c, ctx)} only (aws:SourceArn)`}`,
        managedAliases: /(^|:)alias\/aws\/sqs$/,
      });
    }
    return grants;
  },
};
