/**
 * CT-004: a trail that notifies an SNS topic is created after the topic policy (and the key
 * policy, for an encrypted topic) that lets CloudTrail publish to it, pinned to the trail.
 *
 * CloudTrail checks the topic policy when it creates or updates a trail with `SnsTopicName`, and
 * fails with `InsufficientSnsTopicPolicyException` when `cloudtrail.amazonaws.com` may not
 * publish. The connection is the catalogue's `cloudtrail-topic` kind
 * (`macro/connections/kinds/cloudtrail-topic.ts`), following "Amazon SNS topic policy for
 * CloudTrail" and aws-cdk-lib's `Trail` (`snsTopic.grantPublish`).
 *
 * Expectations
 * - Skips: a trail without `SnsTopicName`; a topic outside this template (reported: its policy
 *   must already allow CloudTrail); a topic that skips CT-004.
 * - Already compliant: the topic's one policy holds a statement that allows this trail's
 *   publish — by any Sid, narrower conditions included — the topic's key (when encrypted with a
 *   key of the template) allows CloudTrail to use it, and the trail depends on the topic policy.
 * - Fixes: adds `AWSCloudTrailSNSPolicy<Trail>` (`SNS:Publish`, `aws:SourceArn` the trail ARN
 *   built from `TrailName`, never `GetAtt`: the trail waits for the policy) to the topic's one
 *   policy (created with the topic's `Condition` when there is none), the key statement
 *   (`kms:GenerateDataKey*`, `kms:Decrypt`) to a template key of an encrypted topic, and makes the
 *   trail depend on the topic policy. A topic policy that pins `aws:SourceArn` with `GetAtt` on the
 *   trail is rewritten to the name-built ARN. A trail without `TrailName` is pinned to the
 *   account's trails (`trail/*`) with `aws:SourceAccount`, and reported.
 * - Reports: an AWS managed key (`alias/aws/sns`) on the topic (its policy cannot let CloudTrail
 *   in); a key outside the template goes to the KMS preflight.
 */
import type { Rule } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { CLOUDTRAIL_PRINCIPAL, trailSourceArn } from '../connections/cloudtrail';
import { compositeArn, destinationsIn } from '../connections/discover';
import { CLOUDTRAIL_TOPIC } from '../connections/kinds/cloudtrail-topic';
import { resolveTopics } from './shared/cloudtrail-topic';
import { canonicalString } from '../template/intrinsics';
import { canonical } from '../template/json';

export const cloudTrailTopicPolicy: Rule = {
  id: 'CT-004',
  title: 'Let CloudTrail publish to the SNS topic a trail notifies, pinned to the trail',
  rationale:
    'A trail with SnsTopicName fails to create with InsufficientSnsTopicPolicyException unless the topic policy lets cloudtrail.amazonaws.com publish (and, for an encrypted topic, the key lets it use the key). The topic policy gets SNS:Publish pinned to the trail with aws:SourceArn, and the trail depends on it.',
  resourceTypes: ['AWS::CloudTrail::Trail'],
  changes: ['AWS::SNS::TopicPolicy', 'AWS::SNS::TopicInlinePolicy Properties.PolicyDocument', 'AWS::KMS::Key Properties.KeyPolicy', 'AWS::CloudTrail::Trail DependsOn'],
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-permissions-for-sns-notifications.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-troubleshooting.html (InsufficientSnsTopicPolicyException)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudtrail-trail.html#cfn-cloudtrail-trail-snstopicname (the name or ARN of the topic)',
    'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
    'aws-cdk-lib/aws-cloudtrail/lib/cloudtrail.ts (snsTopic.grantPublish(cloudTrailPrincipal))',
  ],
  apply(trail, ctx) {
    const value = trail.properties.SnsTopicName;
    if (value === undefined) return;
    const { found, external } = destinationsIn(ctx, trail.id, resolveTopics(ctx.model, value), {
      type: 'AWS::SNS::Topic',
      // SnsTopicName takes the topic's name or ARN: Ref (the ARN), TopicArn and TopicName all name it.
      arnForm: (r) => (r.attribute === undefined || r.attribute === 'TopicArn' || r.attribute === 'TopicName' ? undefined : `${r.id}.${r.attribute} is neither the topic's name nor its ARN: use !Ref ${r.id}`),
      compositeArn: compositeArn('sns', 'TopicName'),
    });
    for (const e of external) {
      ctx.finding(trail.id, e.path, 'info', 'names a topic outside this template: its policy must already let cloudtrail.amazonaws.com SNS:Publish, pinned to this trail (see "Amazon SNS topic policy for CloudTrail")');
      const written = e.resolution.kind === 'literal' ? String(e.resolution.value) : e.resolution.kind === 'parameter' ? `parameter ${e.resolution.name}` : canonical(canonicalString(value));
      recordConnection(ctx, { rule: 'CT-004', kind: CLOUDTRAIL_TOPIC.id, source: trail.id, destination: written, principal: CLOUDTRAIL_PRINCIPAL }, 'skipped', [], 'the topic is outside this template');
    }
    const sourceArn = trailSourceArn(ctx.model, trail.id);
    for (const f of found) {
      applyConnection(ctx, CLOUDTRAIL_TOPIC, { kind: CLOUDTRAIL_TOPIC.id, rule: 'CT-004', source: trail.id, destination: f.id, path: f.path, principal: CLOUDTRAIL_PRINCIPAL, sourceArn, when: f.when });
    }
  },
};
