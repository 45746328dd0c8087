/**
 * LOGS-001: a log group's KMS key policy lets CloudWatch Logs use the key, for that log group.
 *
 * The connection is the catalogue's `logs-key` kind (`macro/connections/kinds/logs-key.ts`),
 * following "Encrypt log data in CloudWatch Logs using AWS KMS".
 *
 * Expectations
 * - Skips: a log group without `KmsKeyId`; a key outside the template (a parameter value or
 *   literal ARN/alias), which the KMS preflight checks live instead; a key that skips LOGS-001.
 * - Already compliant: the key policy holds a statement that allows CloudWatch Logs for this log
 *   group — by any Sid, narrower conditions included (`ArnEquals` on this one log group).
 * - Fixes: for every template key that `KmsKeyId` resolves to (key ARN, key id, alias, any
 *   `Fn::If` branch), the key policy allows `logs.<region>.<url-suffix>` `kms:Encrypt*`,
 *   `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*`, with
 *   `ArnEquals kms:EncryptionContext:aws:logs:arn` the log group's ARN built from its
 *   `LogGroupName` (never its `Arn`: a Key ↔ LogGroup cycle, aws-cdk PR #28319). A log group
 *   without a known name gets the account-and-region pattern (`log-group:*`) and a warning saying
 *   how to pin it. The statement lives in the key's own policy, so a conditional key carries it
 *   under its own condition; no DependsOn is added (the log group's reference to the key orders
 *   them, and a DependsOn on a conditional key is the seed's E3005). `KmsKeyId` given as the key
 *   id (`!Ref Key`) or as an alias (`!Ref Alias` of the template, or `alias/…` naming one) is
 *   rewritten to the key's ARN, which CloudWatch Logs requires (CreateLogGroup, AssociateKmsKey).
 *
 * The service principal is regional: `logs.<region>.amazonaws.com`, and in the China regions
 * `logs.<region>.amazonaws.com.cn`, hence `${AWS::URLSuffix}`.
 */
import type { Rule, RuleContext } from './types';
import { applyConnection } from '../connections/apply';
import { keysOf } from '../connections/keys';
import { LOGS_KEY } from '../connections/kinds/logs-key';
import { sourceArnOf } from '../connections/source-arn';
import { canonicalString } from '../template/intrinsics';
import { canonical, isObject, type Json } from '../template/json';

export const logsKeyPolicy: Rule = {
  id: 'LOGS-001',
  title: 'Let CloudWatch Logs use the key of an encrypted log group',
  rationale:
    'Without a key policy statement for the regional CloudWatch Logs principal, creating the log group fails with "The specified KMS key does not exist or is not allowed to be used with Arn …" (aws-cdk#28304). The statement is scoped to log groups of this account and region by encryption context.',
  resourceTypes: ['AWS::Logs::LogGroup'],
  changes: ['AWS::KMS::Key Properties.KeyPolicy', 'AWS::Logs::LogGroup Properties.KmsKeyId'],
  references: [
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html#cfn-logs-loggroup-kmskeyid',
    'https://github.com/aws/aws-cdk/issues/28304 and https://github.com/aws/aws-cdk/pull/28319',
  ],
  apply(group, ctx) {
    const value = group.properties.KmsKeyId;
    if (value === undefined) return;
    const arn = keyArn(ctx, value);
    if (canonical(arn) !== canonical(value)) ctx.set(group.id, ['Properties', 'KmsKeyId'], arn, 'CloudWatch Logs needs the key ARN; a key id or an alias is rejected');
    const { keys, external } = keysOf(ctx.model, arn);
    const names = [...new Set(keys.map((k) => k.key)), ...external.map((e) => e.value ?? `parameter ${e.parameter ?? '?'}`)];
    const sourceArn = sourceArnOf(ctx.model, group.id);
    applyConnection(ctx, LOGS_KEY, { kind: LOGS_KEY.id, rule: 'LOGS-001', source: group.id, destination: names.join(', ') || JSON.stringify(canonicalString(value)), path: 'Properties.KmsKeyId', principal: 'logs.<region>.amazonaws.com', ...(sourceArn ? { sourceArn } : {}), when: [] });
  },
};

/**
 * The key's ARN for a `KmsKeyId` that names a key of the template by id (`!Ref Key`) or through
 * an alias of the template (`!Ref Alias`, `alias/…`), in every `Fn::If` branch; other values as
 * written.
 */
function keyArn(ctx: RuleContext, value: Json): Json {
  if (isObject(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) {
    const [condition, a, b] = value['Fn::If'];
    return { 'Fn::If': [condition, keyArn(ctx, a), keyArn(ctx, b)] };
  }
  const direct = isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
  if (direct !== undefined && ctx.model.type(direct) === 'AWS::KMS::Key') return { 'Fn::GetAtt': [direct, 'Arn'] };
  const viaAlias = (direct !== undefined && ctx.model.type(direct) === 'AWS::KMS::Alias') || (typeof value === 'string' && value.startsWith('alias/'));
  if (viaAlias) {
    const targets = [...new Set(keysOf(ctx.model, value).keys.filter((k) => k.alias !== undefined).map((k) => k.key))];
    if (targets.length === 1) return { 'Fn::GetAtt': [targets[0], 'Arn'] };
  }
  return value;
}
