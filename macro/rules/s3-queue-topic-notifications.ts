/**
 * S3N-002: a bucket that notifies an SQS queue or an SNS topic is created after the queue or
 * topic policy (and the key policy, for an encrypted destination) that lets S3 deliver to it.
 *
 * S3 validates every notification destination when CloudFormation creates the bucket, by sending
 * a test event; without a queue or topic policy that lets `s3.amazonaws.com` send or publish, the
 * bucket fails with "Unable to validate the following destination configurations", and so it
 * does when the destination is encrypted with a key that S3 may not use (aws/aws-cdk#5991). The
 * connections are the catalogue's `s3-notification-queue` and `s3-notification-topic` kinds
 * (`macro/connections/kinds/`), whose grants follow the S3 guide's walkthrough and aws-cdk-lib
 * `aws-s3-notifications/lib/sqs.ts` and `sns.ts`:
 * - destination policy: `sqs:SendMessage` / `sns:Publish` for the S3 service principal, with
 *   `StringEquals aws:SourceAccount` and, when the bucket's name is known without referring to
 *   the bucket, `ArnLike aws:SourceArn arn:${AWS::Partition}:s3:::<name>` (never a reference to
 *   the bucket: the bucket depends on the policy, so that would be a cycle);
 * - key policy, for a destination encrypted with a key of the template (`KmsMasterKeyId`: the
 *   key, its ARN, or an alias of the template): `kms:GenerateDataKey*` and `kms:Decrypt` for
 *   `s3.amazonaws.com` with the same conditions (the SQS guide "Access management for encrypted
 *   Amazon SQS queues with least privilege policies" scopes the event source's key statement by
 *   aws:SourceArn);
 * - the bucket `DependsOn` the destination's policy.
 *
 * Expectations
 * - Skips: destinations outside this template (reported), configurations computed by an
 *   intrinsic (reported), a policy whose document is an intrinsic (reported), a destination or
 *   key that skips S3N-002.
 * - Already compliant: the destination's one policy (`AWS::SQS::QueuePolicy` /
 *   `QueueInlinePolicy`, `AWS::SNS::TopicPolicy` / `TopicInlinePolicy`), and its key's policy,
 *   hold a statement that allows this bucket's request — by any Sid, narrower conditions
 *   included (`ArnLike aws:SourceArn arn:…:s3:::${AWS::StackName}-uploads*` for a bucket named
 *   `${AWS::StackName}-uploads`) — and the bucket depends on that policy.
 * - Fixes: adds the statements (creating the policy, with the destination's `Condition`, when
 *   there is none: never a second policy for one queue or topic, the last one written would win)
 *   and makes the bucket depend on the policy. The bucket's `DependsOn` is refused (and
 *   reported) when the policy may not exist when the bucket does (cfn-lint E3005) or already
 *   depends on the bucket: the report then says which reference to replace by the name-built ARN.
 * - Reports: a bucket without a name known at hardening time (its statements are scoped by
 *   aws:SourceAccount only: a warning saying how to pin them), a destination encrypted with an
 *   AWS managed key (alias/aws/sqs, alias/aws/sns: its policy cannot let S3 in), and a key outside
 *   the template (checked by the KMS preflight).
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { compositeArn, destinationsIn, type DestinationSpec } from '../connections/discover';
import { destinationValues, S3_PRINCIPAL } from '../connections/s3-notifications';
import { sourceArnOf } from '../connections/source-arn';
import { S3_NOTIFICATION_QUEUE } from '../connections/kinds/s3-notification-queue';
import { S3_NOTIFICATION_TOPIC } from '../connections/kinds/s3-notification-topic';
import type { ConnectionKind } from '../connections/types';
import { canonicalString } from '../template/intrinsics';

interface Destination {
  kind: ConnectionKind;
  noun: 'queue' | 'topic';
  verb: string;
  spec: DestinationSpec;
}

const DESTINATIONS: Record<'queue' | 'topic', Destination> = {
  queue: {
    kind: S3_NOTIFICATION_QUEUE,
    noun: 'queue',
    verb: 'send messages',
    spec: {
      type: 'AWS::SQS::Queue',
      arnForm: (r) => (r.attribute === 'Arn' ? undefined : `${r.attribute === undefined ? `!Ref ${r.id} gives the queue's URL` : `${r.id}.${r.attribute} is not the queue's ARN`}, but S3 needs its ARN: use !GetAtt ${r.id}.Arn`),
      compositeArn: compositeArn('sqs', 'QueueName'),
    },
  },
  topic: {
    kind: S3_NOTIFICATION_TOPIC,
    noun: 'topic',
    verb: 'publish',
    spec: {
      type: 'AWS::SNS::Topic',
      arnForm: (r) => (r.attribute === undefined || r.attribute === 'TopicArn' ? undefined : `${r.id}.${r.attribute} is not the topic's ARN, which S3 needs: use !Ref ${r.id}`),
      compositeArn: compositeArn('sns', 'TopicName'),
    },
  },
};

export const s3QueueTopicNotifications: Rule = {
  id: 'S3N-002',
  title: 'Create buckets after the queue and topic policies their notifications need',
  rationale:
    'S3 checks that it may send to every notified queue and topic when CloudFormation creates the bucket, and fails with "Unable to validate the following destination configurations" when the queue or topic policy, or the key policy of an encrypted destination, does not allow it yet. The destination\'s one policy (and its key\'s policy) gets an Allow for s3.amazonaws.com scoped by aws:SourceAccount and aws:SourceArn built from the bucket name, unless a statement there already allows this bucket, and the bucket depends on that policy.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: [
    'AWS::SQS::QueuePolicy',
    'AWS::SQS::QueueInlinePolicy Properties.PolicyDocument',
    'AWS::SNS::TopicPolicy',
    'AWS::SNS::TopicInlinePolicy Properties.PolicyDocument',
    'AWS::KMS::Key Properties.KeyPolicy',
    'AWS::S3::Bucket DependsOn',
  ],
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html (Walkthrough: Configuring a bucket for notifications (SNS topic or SQS queue): the queue, topic and KMS key statements)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-notificationconfiguration.html',
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-least-privilege-policy.html (the key statement for an AWS service event source, scoped by aws:SourceArn)',
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (AWS services as event sources of encrypted topics: kms:GenerateDataKey* and kms:Decrypt)',
    'aws-cdk-lib/aws-s3-notifications/lib/sqs.ts and sns.ts (the destination statement; the key statement for encrypted destinations; the notification depends on the policy)',
    'aws-cdk-lib/region-info/lib/default.ts (s3 has the universal principal s3.amazonaws.com in every partition)',
    'Error without it: aws/aws-cdk#5991 ("Unable to validate the following destination configurations" for an encrypted queue)',
  ],
  apply(bucket, ctx) {
    for (const noun of ['queue', 'topic'] as const) connect(bucket, DESTINATIONS[noun], ctx);
  },
};

function connect(bucket: ResourceView, d: Destination, ctx: RuleContext): void {
  const values = destinationValues(ctx.model, bucket.id, d.noun);
  if (values === undefined) return;
  if (typeof values === 'string') {
    ctx.finding(bucket.id, values, 'info', `left as written: it is computed at deploy time, so the ${d.noun}s it notifies cannot be checked here`);
    return;
  }
  const { found, external } = destinationsIn(ctx, bucket.id, values, d.spec);
  for (const e of external) {
    ctx.finding(bucket.id, e.path, 'info', `names a ${d.noun} outside this template: its policy must already let s3.amazonaws.com ${d.verb} to it`);
    const written = e.resolution.kind === 'literal' ? String(e.resolution.value) : e.resolution.kind === 'parameter' ? `parameter ${e.resolution.name}` : JSON.stringify(canonicalString(e.resolution.kind === 'composite' ? { 'Fn::Sub': e.resolution.text } : null));
    recordConnection(ctx, { rule: d.kind.rule, kind: d.kind.id, source: bucket.id, destination: written, principal: S3_PRINCIPAL }, 'skipped', [], `the ${d.noun} is outside this template`);
  }
  const sourceArn = sourceArnOf(ctx.model, bucket.id);
  for (const f of found) {
    applyConnection(ctx, d.kind, { kind: d.kind.id, rule: d.kind.rule, source: bucket.id, destination: f.id, path: f.path, principal: S3_PRINCIPAL, ...(sourceArn ? { sourceArn } : {}), when: f.when });
  }
}
