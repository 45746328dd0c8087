/**
 * EventBridge rule target → SNS topic (EVT-001): the topic's one policy lets
 * `events.amazonaws.com` `sns:Publish`, `ArnEquals aws:SourceArn` the rule; a topic encrypted
 * with a key of the template gets the key statement (`kms:GenerateDataKey*`, `kms:Decrypt`),
 * without source conditions (see `events-target-queue.ts`).
 */
import { EVENTS_PRINCIPAL, RULE_PATTERN } from '../events-rules';
import { serviceDestinationGrants } from '../service-destinations';
import type { ConnectionKind } from '../types';

export const EVENTS_TARGET_TOPIC: ConnectionKind = {
  id: 'events-target-topic',
  rule: 'EVT-001',
  principal: EVENTS_PRINCIPAL,
  title: 'EventBridge rule target → SNS topic',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html (Amazon SNS permissions: sns:Publish for events.amazonaws.com; encrypted topics need kms:GenerateDataKey and kms:Decrypt in the key policy)',
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (Enable compatibility between event sources from AWS services and encrypted topics)',
    'aws-cdk-lib/aws-events-targets/lib/sns.ts (SnsTopic.bind: topic.grantPublish(events.amazonaws.com); the topic key grants the same principal)',
  ],
  grants: (c, ctx) =>
    serviceDestinationGrants(c, ctx, { principal: EVENTS_PRINCIPAL, policy: 'topic', service: 'events', sidPrefix: 'Events', keyPattern: RULE_PATTERN, label: `rule ${c.source}`, patternLabel: 'every rule of this account and Region', keySourceConditions: false }),
};
