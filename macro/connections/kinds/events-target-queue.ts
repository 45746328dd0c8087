/**
 * EventBridge rule target → SQS queue (EVT-001): the queue's one policy lets
 * `events.amazonaws.com` `sqs:SendMessage`, `ArnEquals aws:SourceArn` the rule; a queue encrypted
 * with a key of the template gets the key statement (`kms:GenerateDataKey*`, `kms:Decrypt` for
 * `events.amazonaws.com`), without source conditions: EventBridge's key requests carry no
 * `aws:SourceArn` / `aws:SourceAccount` (see `service-destinations.ts`), and a key statement
 * naming the rule would close rule → queue → key → rule (aws-cdk#11158).
 */
import { EVENTS_PRINCIPAL, RULE_PATTERN } from '../events-rules';
import { serviceDestinationGrants } from '../service-destinations';
import type { ConnectionKind } from '../types';

export const EVENTS_TARGET_QUEUE: ConnectionKind = {
  id: 'events-target-queue',
  rule: 'EVT-001',
  principal: EVENTS_PRINCIPAL,
  title: 'EventBridge rule target → SQS queue',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html (Amazon SQS permissions: sqs:SendMessage for events.amazonaws.com with ArnEquals aws:SourceArn the rule; an encrypted queue\'s key must let EventBridge kms:GenerateDataKey and kms:Decrypt)',
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html (Enable compatibility between AWS services such as Amazon EventBridge and encrypted queues)',
    'aws-cdk-lib/aws-events-targets/lib/sqs.ts (SqsQueue.bind: queue.grantSendMessages / addToResourcePolicy with aws:SourceArn the rule, dropped for encrypted queues: aws-cdk#11158)',
  ],
  grants: (c, ctx) =>
    serviceDestinationGrants(c, ctx, { principal: EVENTS_PRINCIPAL, policy: 'queue', service: 'events', sidPrefix: 'Events', keyPattern: RULE_PATTERN, label: `rule ${c.source}`, patternLabel: 'every rule of this account and Region', keySourceConditions: false }),
};
