/**
 * The KMS preflight: keys the template points at but cannot fix (a parameter value, a literal
 * ARN or alias) are checked live before CloudFormation fails twenty minutes later.
 *
 * Per key: `DescribeKey` — it exists, is enabled, is a symmetric encryption key, and (for
 * CloudWatch Logs, which requires it) lives in the stack's region; `GetKeyPolicy` — the service
 * principal has a statement allowing the actions it needs. The policy check is structural
 * (principal and actions, wildcards honoured), not an IAM evaluator: conditions are not judged.
 * Access denied, throttling that outlasts the retries, or a network error is reported as
 * "could not verify", never a failure, and never hangs the deploy.
 *
 * A key the deploy does not use is not checked: one chosen by an `Fn::If` branch whose condition
 * has the other value for the deploy's parameter values, or on a resource whose Condition is
 * false (template/conditions.ts evaluates what it can; a condition it cannot is checked as if it
 * held). An empty `KeyArn` parameter behind `!If [UseCmk, !Ref KeyArn, !Ref AWS::NoValue]` is so
 * never sent to KMS.
 *
 * Sources: "Encrypt log data in CloudWatch Logs using AWS KMS" (symmetric keys only, same
 * region, `logs.<region>.amazonaws.com`); "Configure AWS KMS key policies for CloudTrail".
 */
import type { Problem } from '../engine/errors';
import type { ReportRecord } from '../report/records';
import { isObject, type Json } from '../template/json';
import { wildcardMatch } from '../template/statements';
import type { KeyRead } from './kms-client';
import { loadKmsClient } from './load';
import { notTaken, type DeployFacts } from '../template/conditions';
import type { TemplateModel } from '../template/model';
import type { Guard } from '../template/resolve';

export type KeyService = 'logs' | 'cloudtrail' | 's3' | 'cloudtrail-topic' | 'sns' | 'events' | 'cloudwatch' | 'cloudfront' | 'delivery';

export interface KeyCheckRequest {
  rule: string;
  resource: string;
  path: string;
  /** Key id, key ARN, alias name or alias ARN, as the deploy will pass it. */
  key: string;
  service: KeyService;
}

export type ExternalKeysMode = 'fail' | 'warn' | 'off';

export interface KeyCheckOptions {
  region: string;
  mode: Exclude<ExternalKeysMode, 'off'>;
  /** Replaces the live reader (tests). */
  read?: (key: string, region: string) => Promise<KeyRead>;
}

/** What each service must be allowed to do with the key (the documented statements' actions). */
const NEEDS: Record<KeyService, { principal: (region: string) => string[]; actions: string[] }> = {
  logs: {
    principal: (region) => [`logs.${region}.amazonaws.com`, `logs.${region}.amazonaws.com.cn`],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey', 'kms:DescribeKey'],
  },
  cloudtrail: { principal: () => ['cloudtrail.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:DescribeKey'] },
  // S3 event notifications to an encrypted queue or topic (aws-s3-notifications/lib/sqs.ts, sns.ts).
  s3: { principal: () => ['s3.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  // CloudTrail publishing to an encrypted topic ("Amazon SNS topic policy for CloudTrail").
  'cloudtrail-topic': { principal: () => ['cloudtrail.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  // SNS subscriptions to an encrypted queue (aws-sns-subscriptions/lib/sqs.ts), EventBridge targets
  // that are encrypted queues or topics (aws-events-targets/lib/sqs.ts, sns.ts), alarm actions to an
  // encrypted topic (SNS guide, "Enable compatibility between event sources from AWS services and encrypted topics").
  sns: { principal: () => ['sns.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  events: { principal: () => ['events.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  cloudwatch: { principal: () => ['cloudwatch.amazonaws.com'], actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
  // CloudFront origin access control reading SSE-KMS objects (aws-cloudfront-origins/lib/s3-origin.ts: READ is kms:Decrypt).
  cloudfront: { principal: () => ['cloudfront.amazonaws.com'], actions: ['kms:Decrypt'] },
  // Vended log delivery to SSE-KMS buckets ("Logs sent to Amazon S3": kms:GenerateDataKey* for delivery.logs.amazonaws.com).
  delivery: { principal: () => ['delivery.logs.amazonaws.com'], actions: ['kms:GenerateDataKey'] },
};

const SERVICE_NAMES: Record<KeyService, string> = { logs: 'CloudWatch Logs', cloudtrail: 'CloudTrail', s3: 'Amazon S3', 'cloudtrail-topic': 'CloudTrail', sns: 'Amazon SNS', events: 'Amazon EventBridge', cloudwatch: 'CloudWatch alarms', cloudfront: 'CloudFront', delivery: 'CloudWatch Logs log delivery' };

/**
 * Why a key reference on `resource`, chosen under `when`, is not used by this deploy (so it is
 * not checked), or undefined when it is or may be used.
 *
 * @example
 * keyNotUsed(model, 'AppLogs', [{ condition: 'UseCmk', holds: true }], { region: 'eu-west-1' });
 */
export function keyNotUsed(model: TemplateModel, resource: string, when: readonly Guard[], facts: DeployFacts): string | undefined {
  return notTaken(model, resource, when, facts);
}

/** The region in a KMS ARN (`arn:<p>:kms:<region>:<account>:key/…`), if the value is one. */
export function arnRegion(key: string): string | undefined {
  const m = /^arn:[^:]+:kms:([^:]+):/.exec(key);
  return m ? m[1] : undefined;
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The actions the policy allows the principal (by Allow statements that name it). */
export function missingActions(policy: unknown, principals: string[], actions: string[]): string[] {
  const statements = isObject(policy as Json) ? list((policy as { Statement?: unknown }).Statement) : [];
  const granted: string[] = [];
  for (const s of statements) {
    if (!isObject(s as Json)) continue;
    const st = s as { Effect?: unknown; Principal?: unknown; Action?: unknown };
    if (st.Effect !== 'Allow' || !isObject(st.Principal as Json)) continue;
    const services = list((st.Principal as { Service?: unknown }).Service).filter((p): p is string => typeof p === 'string');
    if (!services.some((p) => principals.includes(p))) continue;
    granted.push(...list(st.Action).filter((a): a is string => typeof a === 'string'));
  }
  return actions.filter((a) => !granted.some((g) => wildcardMatch(g, a)));
}

function issuesOf(read: Extract<KeyRead, { status: 'ok' }>, service: KeyService, stackRegion: string, keyRegion: string): string[] {
  const out: string[] = [];
  const m = read.metadata;
  if (m.Enabled === false || (m.KeyState !== undefined && m.KeyState !== 'Enabled')) out.push(`the key is not enabled (state ${m.KeyState ?? 'disabled'})`);
  if (m.KeySpec !== undefined && m.KeySpec !== 'SYMMETRIC_DEFAULT') out.push(`the key is ${m.KeySpec}; ${SERVICE_NAMES[service]} needs a symmetric encryption key`);
  if (m.KeyUsage !== undefined && m.KeyUsage !== 'ENCRYPT_DECRYPT') out.push(`the key's usage is ${m.KeyUsage}, not ENCRYPT_DECRYPT`);
  if (service === 'logs' && keyRegion !== stackRegion) out.push(`the key is in ${keyRegion}, but CloudWatch Logs needs a key in the log group's region (${stackRegion})`);
  if (read.policyError === undefined) {
    const need = NEEDS[service];
    const missing = missingActions(read.policy, need.principal(stackRegion), need.actions);
    if (missing.length) out.push(`its key policy does not allow ${need.principal(stackRegion)[0]} ${missing.join(', ')}`);
  }
  return out;
}

/**
 * Checks each distinct key once, all keys in parallel, and turns what it finds into report
 * records (mode `warn`) or problems (mode `fail`; "could not verify" stays a warning).
 */
export async function checkExternalKeys(requests: readonly KeyCheckRequest[], options: KeyCheckOptions): Promise<{ records: ReportRecord[]; problems: Problem[] }> {
  const read = options.read ?? ((key: string, region: string) => loadKmsClient().readKey(key, { region }));
  const records: ReportRecord[] = [];
  const problems: Problem[] = [];
  const byKey = new Map<string, Promise<KeyRead>>();
  for (const r of requests) {
    const region = arnRegion(r.key) ?? options.region;
    if (!byKey.has(r.key)) byKey.set(r.key, read(r.key, region).catch((e: unknown) => ({ status: 'unavailable' as const, message: e instanceof Error ? e.message : String(e) })));
  }
  for (const r of requests) {
    const result = await (byKey.get(r.key) as Promise<KeyRead>);
    const region = arnRegion(r.key) ?? options.region;
    if (result.status === 'access-denied' || result.status === 'unavailable') {
      records.push({ rule: r.rule, resource: r.resource, action: 'finding', severity: 'warning', path: r.path, detail: `could not verify key ${r.key}: ${result.message}` });
      continue;
    }
    const report = (issue: string): void => {
      const message = `key ${r.key}: ${issue}`;
      if (options.mode === 'fail') problems.push({ rule: r.rule, resource: r.resource, path: r.path, message });
      else records.push({ rule: r.rule, resource: r.resource, action: 'finding', severity: 'error', path: r.path, detail: message });
    };
    if (result.status !== 'ok') {
      report(`it does not exist in ${region} (or this account cannot see it)`);
      continue;
    }
    if (result.policyError !== undefined) {
      records.push({ rule: r.rule, resource: r.resource, action: 'finding', severity: 'warning', path: r.path, detail: `could not read the key policy of ${r.key}: ${result.policyError}` });
    }
    const issues = issuesOf(result, r.service, options.region, region);
    issues.forEach(report);
    if (issues.length === 0 && result.policyError === undefined) {
      records.push({ rule: r.rule, resource: r.resource, action: 'finding', severity: 'info', path: r.path, detail: `key ${r.key} checked live: enabled, symmetric${r.service === 'logs' ? ', in this region' : ''}, and its policy allows ${NEEDS[r.service].principal(options.region)[0]}` });
    }
  }
  return { records, problems };
}
