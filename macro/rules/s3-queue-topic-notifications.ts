/**
 * S3N-002: a bucket that notifies an SQS queue or an SNS topic is created after the queue or
 * topic policy that lets S3 deliver to it.
 *
 * S3 validates every notification destination when CloudFormation creates the bucket, by sending
 * a test event; without a queue or topic policy that lets `s3.amazonaws.com` send or publish, the
 * bucket fails with "Unable to validate the following destination configurations". The statement
 * follows the S3 guide's walkthrough: `sqs:SendMessage` / `sns:Publish` on the destination for the
 * S3 service principal, with `StringEquals aws:SourceAccount` and, when the bucket's name is known
 * without referring to the bucket, `ArnLike aws:SourceArn arn:${AWS::Partition}:s3:::<name>`. It
 * never refers to the bucket itself: the bucket depends on the policy, so that would be a cycle.
 *
 * Expectations
 * - Skips: destinations outside this template (reported), configurations computed by an
 *   intrinsic (reported), and a policy whose document is an intrinsic (reported by the helper).
 * - Already compliant: the destination's one policy (`AWS::SQS::QueuePolicy` /
 *   `QueueInlinePolicy`, `AWS::SNS::TopicPolicy` / `TopicInlinePolicy`) has an equivalent or
 *   broader statement, and the bucket depends on that policy.
 * - Fixes: adds the statement to that policy, or creates the policy with the destination's
 *   `Condition` (never a second policy for one queue or topic: the last one written would win);
 *   makes the bucket depend on it. The bucket's `DependsOn` is refused (and reported) when the
 *   policy may not exist when the bucket does (cfn-lint E3005) or already depends on the bucket:
 *   the report then says which reference to replace by the name-built ARN.
 * - Reports, without fixing: a destination encrypted with a KMS key. S3 must be allowed to use the
 *   key (kms:GenerateDataKey, kms:Decrypt for s3.amazonaws.com, the S3 guide's statement); that
 *   documented statement has no condition, and TapHardening injects only Allows scoped by
 *   aws:SourceAccount or aws:SourceArn, so the report gives the statement to add. An AWS managed
 *   key (alias/aws/sqs, alias/aws/sns) cannot be used at all: its policy cannot be changed.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { canonicalString, references } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import { resolve, type Resolution } from '../template/resolve';
import { statementCovers } from '../template/statements';
import { bucketArnFromName, destinationValues, S3_PRINCIPAL, whyNameUnknown, type DestinationKind } from './shared/s3-notifications';

interface Destination {
  kind: 'queue' | 'topic';
  type: string;
  action: string;
  /** The destination's ARN, for the statement's Resource. */
  arn: (id: string) => Json;
  /** Which Ref/GetAtt forms give the ARN S3 needs, and what to say otherwise. */
  arnForm: (r: Extract<Resolution, { kind: 'resource' }>) => string | undefined;
  /** The destination named by an `arn:...:sqs:...:${Queue.QueueName}`-style composite ARN. */
  compositeArn: (text: string) => string | undefined;
}

/**
 * Reads `…:<service>:…:${Id.<attribute>}` in linear time. (The regex
 * `/:sqs:.*:\$\{(\w+)\.QueueName\}$/` rescans the rest of the text from every `:sqs:`, which took
 * minutes on a long Sub string: found by the handler fuzzer.)
 */
function compositeArn(service: string, attribute: string): (text: string) => string | undefined {
  const tail = new RegExp(`:\\$\\{([A-Za-z0-9]+)\\.${attribute}\\}$`);
  return (text) => {
    const m = tail.exec(text);
    return m && text.slice(0, m.index).includes(`:${service}:`) ? m[1] : undefined;
  };
}

const DESTINATIONS: Record<'queue' | 'topic', Destination> = {
  queue: {
    kind: 'queue',
    type: 'AWS::SQS::Queue',
    action: 'sqs:SendMessage',
    arn: (id) => ({ 'Fn::GetAtt': [id, 'Arn'] }),
    arnForm: (r) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the queue's URL` : `${r.id}.${r.attribute} is not the queue's ARN`}, but S3 needs its ARN: use !GetAtt ${r.id}.Arn`),
    compositeArn: compositeArn('sqs', 'QueueName'),
  },
  topic: {
    kind: 'topic',
    type: 'AWS::SNS::Topic',
    action: 'sns:Publish',
    arn: (id) => ({ Ref: id }),
    arnForm: (r) => (r.attribute === undefined || r.attribute === 'TopicArn' ? undefined : `${r.id}.${r.attribute} is not the topic's ARN, which S3 needs: use !Ref ${r.id}`),
    compositeArn: compositeArn('sns', 'TopicName'),
  },
};

/** The AWS managed keys of SQS and SNS, whose key policies cannot be changed. */
const AWS_MANAGED_KEY = /(^|:)alias\/aws\/(sqs|sns)$/;

export const s3QueueTopicNotifications: Rule = {
  id: 'S3N-002',
  title: 'Create buckets after the queue and topic policies their notifications need',
  rationale:
    'S3 checks that it may send to every notified queue and topic when CloudFormation creates the bucket, and fails with "Unable to validate the following destination configurations" when the queue or topic policy does not allow it yet. The destination\'s one policy gets an Allow for s3.amazonaws.com scoped by aws:SourceAccount (and aws:SourceArn built from the bucket name), and the bucket depends on that policy.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: [
    'AWS::SQS::QueuePolicy',
    'AWS::SQS::QueueInlinePolicy Properties.PolicyDocument',
    'AWS::SNS::TopicPolicy',
    'AWS::SNS::TopicInlinePolicy Properties.PolicyDocument',
    'AWS::S3::Bucket DependsOn',
  ],
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html (Walkthrough: Configuring a bucket for notifications (SNS topic or SQS queue): the queue, topic and KMS key statements)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-notificationconfiguration.html',
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html and https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (AWS services as event sources of encrypted queues and topics)',
    'aws-cdk-lib/aws-s3-notifications/lib/sqs.ts and sns.ts (the destination statement; the key statement for encrypted destinations; the notification depends on the policy)',
    'aws-cdk-lib/region-info/lib/default.ts (s3 has the universal principal s3.amazonaws.com in every partition)',
    'Error without it: aws/aws-cdk#5991 ("Unable to validate the following destination configurations" for an encrypted queue)',
  ],
  apply(bucket, ctx) {
    for (const kind of ['queue', 'topic'] as const) {
      const targets = destinationsOf(bucket, kind, ctx);
      for (const id of targets) {
        allowS3(bucket, DESTINATIONS[kind], id, ctx);
        checkEncryption(bucket, DESTINATIONS[kind], id, ctx);
      }
    }
  },
};

/** The queues or topics in this template the bucket notifies, each once, in template order of entries. */
function destinationsOf(bucket: ResourceView, kind: 'queue' | 'topic', ctx: RuleContext): string[] {
  const values = destinationValues(ctx.model, bucket.id, kind as DestinationKind);
  if (values === undefined) return [];
  if (typeof values === 'string') {
    ctx.finding(bucket.id, values, 'info', `left as written: it is computed at deploy time, so the ${kind}s it notifies cannot be checked here`);
    return [];
  }
  const d = DESTINATIONS[kind];
  const out: string[] = [];
  for (const { path, resolution: r } of values) {
    let id: string | undefined;
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource') {
      if (ctx.model.type(r.id) !== d.type) {
        ctx.finding(bucket.id, path, 'warning', `names ${r.id}, a ${ctx.model.type(r.id)}, not an ${d.type}`);
        continue;
      }
      const wrong = d.arnForm(r);
      if (wrong !== undefined) ctx.finding(bucket.id, path, 'warning', wrong);
      id = r.id;
    } else if (r.kind === 'composite') {
      const named = d.compositeArn(r.text);
      if (named !== undefined && ctx.model.type(named) === d.type) id = named;
    }
    if (id === undefined) {
      ctx.finding(bucket.id, path, 'info', `names a ${kind} outside this template: its policy must already let s3.amazonaws.com ${d.action.split(':')[1] === 'Publish' ? 'publish' : 'send messages'} to it`);
      continue;
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

function allowS3(bucket: ResourceView, d: Destination, target: string, ctx: RuleContext): void {
  const model = ctx.model;
  const nameArn = bucketArnFromName(model, bucket.id);
  const condition: JsonObject = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };
  if (nameArn !== undefined) condition.ArnLike = { 'aws:SourceArn': nameArn };
  const statement: JsonObject = {
    Sid: nameArn !== undefined ? `AllowS3NotificationsFrom${bucket.id}` : 'AllowS3Notifications',
    Effect: 'Allow',
    Principal: { Service: S3_PRINCIPAL },
    Action: d.action,
    Resource: d.arn(target),
    Condition: condition,
  };
  const scope = nameArn !== undefined ? `from ${bucket.id} (aws:SourceArn built from its BucketName) in this account` : `from buckets of this account (${whyNameUnknown(model, bucket.id)}, so no aws:SourceArn)`;
  const outcome = ctx.ensureStatement(d.kind, target, statement, `let s3.amazonaws.com ${d.action} to ${target} ${scope}`);
  const policy = outcome.policyId;
  if (model.reaches(bucket.id, policy)) return;
  const edge = ctx.dependsOn(bucket.id, policy, 'S3 validates notification destinations when it creates the bucket, so the policy must allow it first');
  if (!edge.added && edge.reason === 'cycle') {
    const onBucket = references(model.get(policy, ['Properties']) ?? null).some((r) => r.name === bucket.id);
    ctx.finding(
      policy,
      'Properties.PolicyDocument',
      'warning',
      onBucket
        ? `refers to ${bucket.id} (e.g. aws:SourceArn: !GetAtt ${bucket.id}.Arn), so ${bucket.id} cannot be made to wait for it and S3 may reject the notification at create time: write the bucket's ARN as arn:\${AWS::Partition}:s3:::<BucketName> instead`
        : `depends on ${bucket.id}, so ${bucket.id} cannot be made to wait for it and S3 may reject the notification at create time: remove that dependency`,
    );
  }
}

/** KMS key statement the S3 guide gives for encrypted destinations. */
const KEY_STATEMENT: JsonObject = { Effect: 'Allow', Principal: { Service: S3_PRINCIPAL }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' };

function checkEncryption(bucket: ResourceView, d: Destination, target: string, ctx: RuleContext): void {
  const model = ctx.model;
  const keyValue = model.get(target, ['Properties', 'KmsMasterKeyId']);
  if (keyValue === undefined) return;
  const path = 'Properties.KmsMasterKeyId';
  for (const r of resolve(keyValue, model)) {
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource' && model.type(r.id) === 'AWS::KMS::Key') {
      if (!keyAllowsS3(ctx, r.id)) {
        ctx.finding(
          r.id,
          'Properties.KeyPolicy',
          'warning',
          `encrypts ${target}, which ${bucket.id} notifies: S3 cannot validate or deliver unless this key policy allows s3.amazonaws.com kms:GenerateDataKey and kms:Decrypt; add ${JSON.stringify({ Sid: 'AllowS3Notifications', ...KEY_STATEMENT })} (S3 guide; not added: it has no source condition)`,
        );
      }
      continue;
    }
    const text = canonicalString(r.kind === 'literal' ? String(r.value) : keyValue);
    if (typeof text === 'string' && AWS_MANAGED_KEY.test(text)) {
      ctx.finding(target, path, 'warning', `${text} is an AWS managed key, whose policy cannot let s3.amazonaws.com use it, so S3 cannot deliver ${bucket.id}'s notifications to this ${d.kind}: use a customer managed key`);
    } else {
      ctx.finding(target, path, 'info', `the ${d.kind} is encrypted with a key outside this template: its key policy must let s3.amazonaws.com use kms:GenerateDataKey and kms:Decrypt`);
    }
  }
}

/** True when some Allow statement of the key policy grants S3 both actions (its conditions aside). */
function keyAllowsS3(ctx: RuleContext, keyId: string): boolean {
  const statements = ctx.model.get(keyId, ['Properties', 'KeyPolicy', 'Statement']);
  const list: Json[] = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  return list.some((s) => {
    if (!isObject(s)) return false;
    const withoutCondition: JsonObject = { ...s };
    delete withoutCondition.Condition;
    return statementCovers(withoutCondition, KEY_STATEMENT);
  });
}

