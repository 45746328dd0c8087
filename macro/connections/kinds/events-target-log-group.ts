/**
 * EventBridge rule target → CloudWatch Logs log group (EVT-001). EventBridge writes into the log
 * group on its own behalf, so CloudWatch Logs must have a resource policy that lets
 * `events.amazonaws.com` create the stream and put the events ("Using resource-based policies for
 * Amazon EventBridge", CloudWatch Logs permissions: "CloudWatch Logs must include a resource-based
 * policy that enables EventBridge to write to CloudWatch Logs … If you use the AWS CLI to add the
 * target, and the policy doesn't already exist, you must create it"); a `RoleArn` is not used for
 * such a target (same page: "For Amazon CloudWatch Logs targets, do not specify a RoleArn").
 *
 * The statements, in the template's one `AWS::Logs::ResourcePolicy` for EventBridge
 * (`logs-resource-policy.ts`: at most 10 such policies per account and Region):
 * - `logs:CreateLogStream` on the log group for `events.amazonaws.com`, without a source
 *   condition: EventBridge's CreateLogStream calls carry no `aws:SourceArn`, so a condition there
 *   stops every delivery (AWS's own sample, aws-samples/serverless-patterns
 *   `eventbridge-cloudwatch/template.yaml`, split its statement for that reason: "The conditional
 *   ARN for the Rule only applies to logs:PutLogEvents", pull request #618);
 * - `logs:PutLogEvents` on the log group for `events.amazonaws.com`, `ArnEquals aws:SourceArn` the
 *   rule (its name-built ARN, else `GetAtt Rule.Arn`; `StringEquals` when the name holds `*` or
 *   `?`). CloudWatch Logs resource policies support `aws:SourceArn` and `aws:SourceAccount`
 *   (PutResourcePolicy, CloudWatch Logs API Reference), and the sample above pins PutLogEvents to
 *   the rule this way.
 * aws-cdk-lib (`aws-events-targets/lib/log-group.ts`, `CloudWatchLogGroup.bind`, with
 * `log-group-resource-policy.ts`) writes one statement, `logs:PutLogEvents` and
 * `logs:CreateLogStream` on `logGroup.logGroupArn` for `events.amazonaws.com` only, without
 * conditions; the older EventBridge guide's example also names `delivery.logs.amazonaws.com`
 * (for every log group under `/aws/events/`, without conditions). That principal is the vended
 * logs delivery service, not EventBridge, and aws-cdk-lib does without it: it is not added here
 * (never widen access), though a statement that names it beside `events.amazonaws.com` counts.
 *
 * No DependsOn: EventBridge does not check a target's permissions when the target is put (the
 * guide only says the policy must exist for delivery), aws-cdk-lib does not make the rule wait
 * for its `LogGroupResourcePolicy`, and AWS's sample template has no such edge.
 */
import { EVENTS_PRINCIPAL } from '../events-rules';
import { nameText } from '../source-arn';
import type { Json } from '../../template/json';
import type { ConnectionKind, Grant } from '../types';

const LOG_GROUP_ARN = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:';

export const EVENTS_TARGET_LOG_GROUP: ConnectionKind = {
  id: 'events-target-log-group',
  rule: 'EVT-001',
  principal: EVENTS_PRINCIPAL,
  title: 'EventBridge rule target → CloudWatch Logs log group',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html (CloudWatch Logs permissions: CloudWatch Logs must include a resource-based policy that lets EventBridge create the log stream and log the events, logs:CreateLogStream and logs:PutLogEvents for events.amazonaws.com; do not specify a RoleArn for CloudWatch Logs targets)',
    'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html (the policy document is a JSON string; aws:SourceArn and aws:SourceAccount condition keys are supported; at most 10 account-level policies per Region)',
    'aws-cdk-lib/aws-events-targets/lib/log-group.ts (CloudWatchLogGroup.bind: logs:PutLogEvents and logs:CreateLogStream on the log group for events.amazonaws.com), log-group-resource-policy.ts (LogGroupResourcePolicy: PutResourcePolicy with the document as a JSON string)',
    'https://github.com/aws-samples/serverless-patterns/blob/main/eventbridge-cloudwatch/template.yaml (logs:CreateLogStream without a condition; logs:PutLogEvents with ArnEquals aws:SourceArn the rule)',
  ],
  grants(c, ctx): Grant[] {
    const lg = c.destination;
    const resource: Json = { 'Fn::GetAtt': [lg, 'Arn'] };
    const name = nameText(ctx.model, lg, 'LogGroupName');
    // `GetAtt LogGroup.Arn` is `arn:…:log-group:<name>:*`: the log group and its streams.
    const resources: Json[] = [resource, { 'Fn::Sub': `${LOG_GROUP_ARN}\${${lg}}:*` }, ...(name !== undefined ? [{ 'Fn::Sub': `${LOG_GROUP_ARN}${name}:*` }] : [])];
    const src = c.sourceArn;
    const pinned = src !== undefined && src.pinned ? src : undefined;
    const principal = { Service: EVENTS_PRINCIPAL };
    const put = {
      Sid: `EventsPutLogEvents${c.source}${lg}`,
      Effect: 'Allow',
      Principal: principal,
      Action: 'logs:PutLogEvents',
      Resource: resource,
      ...(pinned !== undefined ? { Condition: { [pinned.exact ? 'StringEquals' : 'ArnEquals']: { 'aws:SourceArn': pinned.arn } } } : {}),
    };
    return [
      {
        to: 'logs-policy',
        logGroup: lg,
        shared: { owner: 'Events', suffix: 'LogsResourcePolicy', name: 'EventsLogs' },
        statements: [
          {
            statement: { Sid: `EventsCreateLogStream${lg}`, Effect: 'Allow', Principal: principal, Action: 'logs:CreateLogStream', Resource: resource },
            request: { principal: EVENTS_PRINCIPAL, actions: ['logs:CreateLogStream'], resources, context: {} },
            detail: `let ${EVENTS_PRINCIPAL} logs:CreateLogStream in ${lg}`,
          },
          {
            statement: put,
            request: { principal: EVENTS_PRINCIPAL, actions: ['logs:PutLogEvents'], resources, context: { 'aws:SourceArn': pinned?.spellings ?? [] } },
            detail: `let ${EVENTS_PRINCIPAL} logs:PutLogEvents to ${lg} from rule ${c.source} only (aws:SourceArn)`,
          },
        ],
      },
    ];
  },
};
