/**
 * EventBridge rule target → Lambda function (EVT-001): a Lambda permission for
 * `events.amazonaws.com` whose `SourceArn` is the rule. EventBridge does not check it when the
 * rule or its targets are created; without it every invocation fails (the rule's
 * `FailedInvocations` metric), silently.
 */
import { EVENTS_PRINCIPAL } from '../events-rules';
import type { ConnectionKind } from '../types';

export const EVENTS_TARGET_FUNCTION: ConnectionKind = {
  id: 'events-target-function',
  rule: 'EVT-001',
  principal: EVENTS_PRINCIPAL,
  title: 'EventBridge rule target → Lambda function',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html (Using resource-based policies for Amazon EventBridge, Lambda permissions: the function\'s policy lets events.amazonaws.com lambda:InvokeFunction with AWS:SourceArn the rule ARN)',
    'aws-cdk-lib/aws-events-targets/lib/lambda.ts and util.ts (addLambdaPermission: principal events.amazonaws.com, sourceArn rule.ruleArn)',
  ],
  grants: (c) => [{ to: 'permission', target: c.destination, principal: EVENTS_PRINCIPAL, detail: `let events.amazonaws.com invoke ${c.destination} from rule ${c.source} only (SourceArn)` }],
};
