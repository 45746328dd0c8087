/**
 * S3-002: every bucket's policy denies requests that do not use TLS.
 *
 * Website buckets are left without the deny: "Amazon S3 website endpoints do not support HTTPS"
 * ("Website endpoints", Amazon S3 User Guide), so a TLS-only deny makes the website endpoint answer
 * 403 to every visitor. aws-cdk#18731 proposed enforceSSL by default only for buckets without
 * static website hosting, for this reason. TLS for a site comes from CloudFront in front of the
 * bucket (origin access control on the bucket's REST endpoint, which supports HTTPS), and then the
 * bucket needs no website configuration and takes the deny.
 *
 * Expectations
 * - Skips: a bucket whose policy document is an intrinsic (reported: it cannot be edited); a
 *   website bucket (`WebsiteConfiguration`, or the target of another bucket's
 *   `RedirectAllRequestsTo.HostName`), reported as a warning that says how to get TLS.
 * - Already compliant: the bucket's policy holds an equivalent Deny (any Sid; `"*"` or
 *   `{AWS: "*"}`; `s3:*` or `*`; the bucket and its objects; `aws:SecureTransport` false).
 * - Fixes: adds the statement to the bucket's one `AWS::S3::BucketPolicy` (found through its
 *   `Bucket` reference, or a literal equal to the bucket's `BucketName`), or creates that policy
 *   with the bucket's `Condition`. Never a second policy for one bucket.
 */
import type { Rule } from './types';
import { websiteReason } from './shared/s3';

export const s3TlsOnly: Rule = {
  id: 'S3-002',
  title: 'Deny requests to buckets that do not use TLS',
  rationale:
    'Without a bucket policy that denies aws:SecureTransport false, clients may read and write over plain HTTP. This is the statement aws-cdk-lib writes for enforceSSL, and what cdk-nag AwsSolutions-S10 and Security Hub S3.5 check.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: ['AWS::S3::BucketPolicy'],
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html (Enforce encryption of data in transit)',
    'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    'aws-cdk-lib/aws-s3/lib/bucket.ts (enforceSSLStatement)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html (Amazon S3 website endpoints do not support HTTPS)',
    'https://github.com/aws/aws-cdk/pull/18731 (SSL enforced by default only for buckets without static website hosting)',
  ],
  satisfies: ['AwsSolutions-S10', 'NIST.800.53.R5-S3BucketSSLRequestsOnly', 'Security Hub S3.5', 'guard S3_BUCKET_SSL_REQUESTS_ONLY'],
  apply(bucket, ctx) {
    const website = websiteReason(ctx.model, bucket.id);
    if (website !== undefined) {
      ctx.finding(
        bucket.id,
        bucket.properties.WebsiteConfiguration !== undefined ? 'Properties.WebsiteConfiguration' : '',
        'warning',
        `no TLS-only deny: ${website}, and S3 website endpoints do not support HTTPS, so the deny would answer 403 to every visitor; the site is served over plain HTTP`,
        'for TLS, serve the site through CloudFront with origin access control on the bucket (not its website endpoint) and remove the WebsiteConfiguration; the deny is then added',
      );
      return;
    }
    ctx.ensureStatement(
      'bucket',
      bucket.id,
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, { 'Fn::Sub': `\${${bucket.id}.Arn}/*` }],
        Condition: { Bool: { 'aws:SecureTransport': false } },
      },
      'deny requests that do not use TLS',
    );
  },
};
