/**
 * SNS subscription (`Protocol: lambda`) → Lambda function (SNS-001): a Lambda permission for
 * `sns.amazonaws.com` whose `SourceArn` is the topic. SNS does not check the permission when the
 * subscription is created, so no ordering edge is needed; without the permission every delivery
 * fails silently (the topic's `NumberOfNotificationsFailed`).
 */
import type { RuleContext } from '../../rules/types';
import type { Connection, ConnectionKind } from '../types';

/** `topic Orders`, or for a topic outside the template `the topic of <subscription>`. */
export function topicLabel(c: Connection, ctx: RuleContext): string {
  return ctx.model.type(c.source) === 'AWS::SNS::Topic' ? `topic ${c.source}` : `the topic of ${c.source}`;
}

export const SNS_PRINCIPAL = 'sns.amazonaws.com';

export const SNS_SUBSCRIPTION_FUNCTION: ConnectionKind = {
  id: 'sns-subscription-function',
  rule: 'SNS-001',
  principal: SNS_PRINCIPAL,
  title: 'SNS subscription → Lambda function',
  references: [
    'https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html (Using Lambda with Amazon SNS: the function\'s resource-based policy must let sns.amazonaws.com lambda:InvokeFunction, with --source-arn the topic ARN)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html (SourceArn restricts the permission to one resource)',
    'aws-cdk-lib/aws-sns-subscriptions/lib/lambda.ts (LambdaSubscription.bind: fn.addPermission with principal sns.amazonaws.com and sourceArn topic.topicArn)',
  ],
  grants: (c, ctx) => [{ to: 'permission', target: c.destination, principal: SNS_PRINCIPAL, detail: `let sns.amazonaws.com invoke ${c.destination} from ${topicLabel(c, ctx)} only (SourceArn)` }],
};
