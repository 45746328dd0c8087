/**
 * LOGS-001: a log group's KMS key policy lets CloudWatch Logs use the key.
 *
 * Expectations
 * - Skips: a log group without `KmsKeyId`; a key outside the template (a parameter value or
 *   literal ARN/alias), which the KMS preflight checks live instead.
 * - Already compliant: the key policy holds a statement that covers the one below.
 * - Fixes: for every template key that `KmsKeyId` resolves to (key ARN, key id, alias, any
 *   `Fn::If` branch), the key policy allows `logs.<region>.<url-suffix>` `kms:Encrypt*`,
 *   `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*`, scoped by
 *   `ArnLike kms:EncryptionContext:aws:logs:arn` to this account's log groups in this region — a
 *   pattern, never the log group's own ARN, which would be a Key ↔ LogGroup cycle (aws-cdk PR
 *   #28319). The statement lives in the key's own policy, so a conditional key carries it under
 *   its own condition; no DependsOn is added (the log group's reference to the key orders them,
 *   and a DependsOn on a conditional key is the seed's E3005). A `KmsKeyId: !Ref Key` (the key
 *   id) is rewritten to the key's ARN, which CloudWatch Logs requires.
 *
 * The service principal is regional: `logs.<region>.amazonaws.com`, and in the China regions
 * `logs.<region>.amazonaws.com.cn`, hence `${AWS::URLSuffix}`.
 */
import type { Rule } from './types';
import { sub } from '../template/intrinsics';
import { isObject } from '../template/json';
import { isSymmetricEncryptionKey, keysOf } from './shared/kms';

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
    const { keys, external } = keysOf(ctx.model, value);
    for (const key of external) ctx.checkKey(group.id, 'Properties.KmsKeyId', key, 'logs');
    if (isObject(value) && typeof value.Ref === 'string' && ctx.model.type(value.Ref) === 'AWS::KMS::Key') {
      ctx.set(group.id, ['Properties', 'KmsKeyId'], { 'Fn::GetAtt': [value.Ref, 'Arn'] }, 'CloudWatch Logs needs the key ARN; !Ref gives the key id');
    }
    for (const key of [...new Set(keys.map((k) => k.key))]) {
      if (isSymmetricEncryptionKey(ctx.model, key) === false) {
        ctx.finding(key, 'Properties.KeySpec', 'error', `${group.id} encrypts with this key, but CloudWatch Logs supports only symmetric encryption keys`);
        continue;
      }
      ctx.ensureStatement(
        'key',
        key,
        {
          Sid: 'AllowCloudWatchLogs',
          Effect: 'Allow',
          Principal: { Service: sub('logs.${AWS::Region}.${AWS::URLSuffix}') },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') } },
        },
        `CloudWatch Logs may use the key for log groups of this account and region (${group.id})`,
      );
    }
  },
};
