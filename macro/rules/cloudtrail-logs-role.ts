/**
 * CT-005: a trail that sends its events to CloudWatch Logs has a role that CloudTrail may assume
 * and that may write to that log group, and is created after the role's permissions.
 *
 * CloudTrail validates `CloudWatchLogsRoleArn` and `CloudWatchLogsLogGroupArn` when it creates or
 * updates the trail and fails ("Access denied. Verify in IAM that the role has adequate
 * permissions", InvalidCloudWatchLogsRoleArnException) when the role does not trust
 * `cloudtrail.amazonaws.com` or may not create streams and put events in the group. The
 * connection is the catalogue's `cloudtrail-logs` kind (`macro/connections/kinds/cloudtrail-logs.ts`),
 * which follows "Role policy document for CloudTrail to use CloudWatch Logs for monitoring" and
 * aws-cdk-lib's `Trail`.
 *
 * Expectations
 * - Skips: a trail without `CloudWatchLogsRoleArn`; a trail that skips CT-005.
 * - Already compliant: the role's trust policy lets CloudTrail assume it (any Sid; conditions the
 *   trail's requests satisfy), Allows without conditions in its policies (inline, an
 *   `AWS::IAM::Policy` / `ManagedPolicy` / `RolePolicy` attached to it that exists whenever the
 *   trail does, a managed policy in every `Fn::If` branch of its `ManagedPolicyArns`) grant both
 *   actions on the log group's streams (a narrower `…:log-group:<name>:log-stream:*` included),
 *   and the trail comes after them. The connection model's role grant (`connections/role.ts`)
 *   judges this, as for ESM-001, EVT-001 and SFN-002.
 * - Fixes: appends the trust statement (`sts:AssumeRole` for `cloudtrail.amazonaws.com`, as
 *   aws-cdk-lib writes it), adds (or extends) the inline policy `CloudTrailLogs<Trail>` allowing
 *   `logs:CreateLogStream` and `logs:PutLogEvents` on the `CloudWatchLogsLogGroupArn` value (the
 *   log group's ARN ends in `:*`, which covers its streams), and orders the trail after a separate
 *   policy resource that grants them.
 * - Reports: a role outside the template (a literal ARN or a parameter): what it must allow; a
 *   log group given without a role (CloudTrail requires both); a Deny of either action in the
 *   role's policies (an Allow would not help).
 */
import type { Rule } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { CLOUDTRAIL_PRINCIPAL, trailSourceArn } from '../connections/cloudtrail';
import { destinationsIn } from '../connections/discover';
import { CLOUDTRAIL_LOGS } from '../connections/kinds/cloudtrail-logs';
import { canonicalString } from '../template/intrinsics';
import { resolve } from '../template/resolve';

export const cloudTrailLogsRole: Rule = {
  id: 'CT-005',
  title: 'Let CloudTrail deliver to CloudWatch Logs through a role that trusts it',
  rationale:
    'A trail with CloudWatchLogsRoleArn fails to create ("Access denied. Verify in IAM that the role has adequate permissions") unless the role trusts cloudtrail.amazonaws.com and may logs:CreateLogStream and logs:PutLogEvents in the log group. A role of the template gets what it lacks, and the trail comes after it.',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::IAM::Role Properties.Policies', 'AWS::IAM::Role Properties.AssumeRolePolicyDocument.Statement', 'AWS::CloudTrail::Trail DependsOn'],
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudtrail-trail.html#cfn-cloudtrail-trail-cloudwatchlogsrolearn',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (LogsRole, its policy, and the trail depending on it)',
  ],
  apply(trail, ctx) {
    const roleValue = trail.properties.CloudWatchLogsRoleArn;
    if (roleValue === undefined) {
      if (trail.properties.CloudWatchLogsLogGroupArn !== undefined) ctx.finding(trail.id, 'Properties.CloudWatchLogsRoleArn', 'error', 'CloudWatchLogsLogGroupArn is set without CloudWatchLogsRoleArn: CloudTrail needs both to deliver events to CloudWatch Logs');
      return;
    }
    const values = resolve(roleValue, ctx.model).map((resolution) => ({ path: 'Properties.CloudWatchLogsRoleArn', resolution }));
    const { found, external } = destinationsIn(ctx, trail.id, values, {
      type: 'AWS::IAM::Role',
      arnForm: (r) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the role's name` : `${r.id}.${r.attribute} is not the role's ARN`}, but CloudTrail needs its ARN: use !GetAtt ${r.id}.Arn`),
    });
    for (const e of external) {
      ctx.finding(trail.id, e.path, 'warning', 'the role is outside this template: it must trust cloudtrail.amazonaws.com and allow logs:CreateLogStream and logs:PutLogEvents in the log group, else CloudTrail rejects the trail');
      const text = canonicalString(roleValue);
      recordConnection(ctx, { rule: 'CT-005', kind: CLOUDTRAIL_LOGS.id, source: trail.id, destination: typeof text === 'string' ? text : JSON.stringify(text), principal: CLOUDTRAIL_PRINCIPAL }, 'finding', [], 'the role is outside this template: hardening cannot check or extend it');
    }
    const sourceArn = { ...trailSourceArn(ctx.model, trail.id), reported: true } as const;
    for (const f of found) {
      applyConnection(ctx, CLOUDTRAIL_LOGS, { kind: CLOUDTRAIL_LOGS.id, rule: 'CT-005', source: trail.id, destination: f.id, path: f.path, principal: CLOUDTRAIL_PRINCIPAL, sourceArn, when: f.when });
    }
  },
};
