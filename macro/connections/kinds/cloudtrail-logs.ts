/**
 * CloudTrail trail → CloudWatch Logs through a role (`CloudWatchLogsRoleArn`,
 * `CloudWatchLogsLogGroupArn`, CT-005). "Sending events to CloudWatch Logs" and "Role policy
 * document for CloudTrail to use CloudWatch Logs for monitoring": the role is assumed by
 * `cloudtrail.amazonaws.com` and may `logs:CreateLogStream` and `logs:PutLogEvents` in that log
 * group; CloudTrail checks both when the trail is created or updated ("Access denied. Verify in
 * IAM that the role has adequate permissions", InvalidCloudWatchLogsRoleArnException). aws-cdk-lib
 * `Trail` writes exactly this: a role `assumedBy: new ServicePrincipal('cloudtrail.amazonaws.com')`
 * (no condition), `logs:PutLogEvents` and `logs:CreateLogStream` on `logGroup.logGroupArn`, and
 * the trail depends on the role's policy (`aws-cloudtrail/lib/cloudtrail.ts`).
 */
import { isObject, type Json } from '../../template/json';
import { sub } from '../../template/intrinsics';
import { resolve, type Resolution } from '../../template/resolve';
import { CLOUDTRAIL_PRINCIPAL, trailContext } from '../cloudtrail';
import { nameText } from '../source-arn';
import type { RoleGrant } from '../role';
import type { ConnectionKind, Grant } from '../types';

const ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** Spellings of the log group's stream ARN CloudTrail writes to, for judging existing statements. */
function streamSpellings(model: Parameters<typeof nameText>[0], value: Json, group: string | undefined): Json[] {
  const out: Json[] = [value];
  if (group === undefined) return out;
  out.push({ 'Fn::GetAtt': [group, 'Arn'] });
  const name = nameText(model, group, 'LogGroupName');
  if (name !== undefined) {
    const base = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}`;
    out.push(sub(`${base}:*`), sub(`${base}:log-stream:\${AWS::AccountId}_CloudTrail_\${AWS::Region}`));
  }
  return out;
}

/** One resolution of the log group value, written back as CloudFormation would take it. */
function valueOf(r: Resolution): Json | undefined {
  switch (r.kind) {
    case 'resource':
      return r.attribute === undefined ? { Ref: r.id } : { 'Fn::GetAtt': [r.id, r.attribute] };
    case 'parameter':
      return { Ref: r.name };
    case 'literal':
      return String(r.value);
    case 'composite':
      return { 'Fn::Sub': r.text };
    case 'unknown':
      return r.value;
    default:
      return undefined;
  }
}

export const CLOUDTRAIL_LOGS: ConnectionKind = {
  id: 'cloudtrail-logs',
  rule: 'CT-005',
  principal: CLOUDTRAIL_PRINCIPAL,
  title: 'CloudTrail trail → CloudWatch Logs log group, through its role',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html (logs:CreateLogStream and logs:PutLogEvents on the log group\'s streams)',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html (the role CloudTrail assumes)',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (LogsRole assumedBy cloudtrail.amazonaws.com; logs:PutLogEvents, logs:CreateLogStream on logGroupArn; the trail depends on the role policy)',
  ],
  grants(c, ctx) {
    const trail = c.source;
    const groupValue = ctx.model.get(trail, ['Properties', 'CloudWatchLogsLogGroupArn']);
    const context = trailContext(ctx.model, trail, ctx.accountId);
    const trust = {
      service: CLOUDTRAIL_PRINCIPAL,
      context,
      sid: `AllowCloudTrailAssume${trail}`,
      detail: `CloudTrail may assume the role to deliver ${trail}'s events to CloudWatch Logs`,
    };
    // Every value the log group can take (an Fn::If branch without one has no log group to allow).
    const groups = resolve(groupValue, ctx.model).map(valueOf).filter((v): v is Json => v !== undefined);
    const distinct = groups.filter((v, i) => groups.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
    const first = distinct[0];
    const group = isObject(first) && Array.isArray(first['Fn::GetAtt']) && typeof first['Fn::GetAtt'][0] === 'string' && ctx.model.type(first['Fn::GetAtt'][0]) === 'AWS::Logs::LogGroup' ? first['Fn::GetAtt'][0] : undefined;
    const role: RoleGrant = {
      to: 'role',
      owner: trail,
      path: c.path,
      // The connection's one role: an Fn::If between roles is one connection per role.
      value: { 'Fn::GetAtt': [c.destination, 'Arn'] },
      statement: { Effect: 'Allow', Action: [...ACTIONS], Resource: distinct.length === 1 ? first : distinct },
      // Several log groups (Fn::If branches) are one spelling that no single ARN matches: only `*` covers them all.
      request: { actions: [...ACTIONS], resources: distinct.length === 1 ? streamSpellings(ctx.model, first, group) : [distinct] },
      policyName: `CloudTrailLogs${trail}`,
      trust,
      caller: trail,
      detail: `CloudTrail may write ${trail}'s events to the log group through this role`,
    };
    // Without a log group value there is nothing to allow, but the role must still trust CloudTrail.
    const grants: Grant[] = distinct.length ? [role] : [{ ...role, request: { actions: [], resources: [] } }];
    grants.push({ to: 'order', from: trail, after: c.destination, detail: 'CloudTrail checks the role when the trail is created' });
    return grants;
  },
};
