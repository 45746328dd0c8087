/**
 * CloudWatch Logs log group → its KMS key (LOGS-001). "Encrypt log data in CloudWatch Logs using
 * AWS KMS": the key policy lets the regional principal `logs.<region>.<url-suffix>` use the key
 * (`kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:Describe*`),
 * scoped by `kms:EncryptionContext:aws:logs:arn`: `ArnEquals` on the one log group when its name
 * is known (the guide's statement; the ARN is built from the name, never the log group's own
 * `Arn`, which would be a Key ↔ LogGroup cycle, aws-cdk PR #28319), else `ArnLike` on this
 * account's log groups in this region (`log-group:*`), reported with how to pin it. A name
 * holding `*` or `?` is matched with `StringEquals`, never as a pattern.
 */
import { sub } from '../../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../../template/json';
import { sourceArnOf } from '../source-arn';
import type { ConnectionKind } from '../types';

export const LOGS_PRINCIPAL = sub('logs.${AWS::Region}.${AWS::URLSuffix}');
const CONTEXT_KEY = 'kms:EncryptionContext:aws:logs:arn';

export const LOGS_KEY: ConnectionKind = {
  id: 'logs-key',
  rule: 'LOGS-001',
  principal: 'logs.<region>.amazonaws.com',
  title: 'CloudWatch Logs log group → its KMS key',
  references: [
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (the key policy statement for logs.<region>.amazonaws.com, with kms:EncryptionContext:aws:logs:arn ArnEquals the log group)',
    'https://github.com/aws/aws-cdk/issues/28304 and https://github.com/aws/aws-cdk/pull/28319 (the Key ↔ LogGroup cycle)',
  ],
  grants(c, ctx) {
    const source = c.sourceArn ?? sourceArnOf(ctx.model, c.source);
    const condition: JsonObject = {};
    if (source?.pinned) {
      if (source.exact) condition.StringEquals = { [CONTEXT_KEY]: source.arn };
      else condition.ArnEquals = { [CONTEXT_KEY]: source.arn };
    } else {
      condition.ArnLike = { [CONTEXT_KEY]: sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') };
    }
    const value = ctx.model.get(c.source, ['Properties', 'KmsKeyId']) ?? null;
    const context: Record<string, Json[]> = {};
    if (source?.pinned) context[CONTEXT_KEY] = source.spellings.filter((s) => !(isObject(s) && 'Fn::GetAtt' in s));
    return [
      {
        to: 'key',
        owner: c.source,
        path: 'Properties.KmsKeyId',
        value,
        service: 'logs',
        statement: {
          Sid: source?.pinned ? `AllowCloudWatchLogs${c.source}` : 'AllowCloudWatchLogs',
          Effect: 'Allow',
          Principal: { Service: LOGS_PRINCIPAL },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: condition,
        },
        request: {
          principal: LOGS_PRINCIPAL,
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: ['*'],
          context,
        },
        detail: source?.pinned ? `CloudWatch Logs may use the key for ${c.source} only` : `CloudWatch Logs may use the key for log groups of this account and region (${c.source})`,
      },
    ];
  },
};
