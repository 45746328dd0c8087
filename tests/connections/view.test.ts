/**
 * The connections view: every connection hardening looked at is one entry of Report.connections,
 * saying what was added or why nothing was, and every report format shows it.
 */
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import { renderReport } from '../../macro/report/render';

const template = {
  Resources: {
    Uploads: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: 'acme-uploads',
        NotificationConfiguration: {
          QueueConfigurations: [
            { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['Jobs', 'Arn'] } },
            { Event: 's3:ObjectRemoved:*', Queue: 'arn:aws:sqs:us-east-1:111122223333:elsewhere' },
          ],
        },
      },
    },
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { Ref: 'Key' } } },
    Key: { Type: 'AWS::KMS::Key' },
  },
};
const run = (t: unknown) => harden({ template: t as never, rules: RULES.filter((r) => r.id === 'S3N-002') });

describe('connections view', () => {
  test('one entry per connection: what was added, and the external one skipped', () => {
    // Act
    const { report, template: out } = run(template);
    // Assess
    expect(report.connections).toEqual([
      { rule: 'S3N-002', kind: 's3-notification-queue', source: 'Uploads', destination: 'arn:aws:sqs:us-east-1:111122223333:elsewhere', principal: 's3.amazonaws.com', status: 'skipped', added: [], reason: 'the queue is outside this template' },
      {
        rule: 'S3N-002',
        kind: 's3-notification-queue',
        source: 'Uploads',
        destination: 'Jobs',
        principal: 's3.amazonaws.com',
        status: 'added',
        added: [
          'queue policy JobsPolicy: let s3.amazonaws.com sqs:SendMessage to Jobs from Uploads (aws:SourceArn built from its BucketName) in this account',
          'key policy Key: let s3.amazonaws.com kms:GenerateDataKey* and kms:Decrypt for notifications to Jobs from Uploads (aws:SourceArn built from its BucketName) in this account',
          'Uploads DependsOn JobsPolicy',
        ],
      },
    ]);
    // A second run finds everything in place.
    expect(run(out).report.connections?.find((c) => c.destination === 'Jobs')).toMatchObject({ status: 'present', added: [], reason: 'everything it needs is already in the template' });
  });

  test('text, JSON and Markdown show the connections', () => {
    const { report } = run(template);
    expect(renderReport(report, 'text')).toContain('\n    S3N-002   Uploads → Jobs (s3.amazonaws.com) added: queue policy JobsPolicy');
    expect(JSON.parse(renderReport(report, 'json')).connections).toEqual(report.connections);
    const md = renderReport(report, 'markdown');
    expect(md).toContain('| Source | Destination | Rule | Kind | Status | What |');
    expect(md).toContain('| `Uploads` | `Jobs` | [S3N-002](https://github.com/tap-hardening/tap-hardening/blob/v0.2.0/docs/rules.md#s3n-002) | s3-notification-queue | added | queue policy JobsPolicy');
  });

  test('a template without connections has no connections view', () => {
    const { report } = run({ Resources: { B: { Type: 'AWS::S3::Bucket' } } });
    expect(report.connections).toBeUndefined();
    expect(renderReport(report, 'text')).not.toContain('(connections)');
  });
});
