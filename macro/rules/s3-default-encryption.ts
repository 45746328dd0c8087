/**
 * S3-003: every bucket has default encryption written explicitly.
 *
 * Website buckets (`WebsiteConfiguration`, or the target of another bucket's
 * `RedirectAllRequestsTo.HostName`), and any other bucket S3-001 recognises as public by intent (a
 * policy that lets everyone in, a public canned ACL), stay SSE-S3 whatever `S3DefaultKmsKey` says: the website
 * endpoint serves anonymous readers, who cannot call KMS, so SSE-KMS objects answer 403 there
 * ("Website endpoints", Amazon S3 User Guide: "Amazon S3 website endpoints do not support HTTPS",
 * and objects must be publicly readable; "Setting permissions for website access"). aws-cdk#18731
 * keeps website buckets out of its secure-by-default settings for the same reason.
 *
 * Expectations
 * - Skips: a bucket with any `BucketEncryption` (never changed; an SSE-KMS bucket that receives
 *   service logs, or that serves a website, is reported, since those readers and writers cannot
 *   use it).
 * - Fixes: a website or public-by-intent bucket gets SSE-S3 (reported, with how to get TLS and SSE-KMS: CloudFront
 *   with origin access control). A bucket that receives S3 server access logs, load balancer logs
 *   or CloudFront standard logs gets SSE-S3 (`AES256`): the one default every log-delivering service can write
 *   to. Any other bucket gets SSE-KMS with the key named by the option `S3DefaultKmsKey` (a key's
 *   logical id in this template, a key ARN or an alias name) and `BucketKeyEnabled: true`, or
 *   SSE-S3 when the option is not set. A key in the template whose `Condition` the bucket's does
 *   not imply cannot be referenced: SSE-S3 then, and a warning.
 */
import type { Rule } from './types';
import { isObject, type Json, type JsonObject } from '../template/json';
import { logDeliveries, publicIntent, websiteReason } from './shared/s3';

const PATH = ['Properties', 'BucketEncryption'];

function sse(algorithm: 'AES256' | 'aws:kms', key?: Json): Json {
  const byDefault: JsonObject = { SSEAlgorithm: algorithm };
  if (key !== undefined) byDefault.KMSMasterKeyID = key;
  const rule: JsonObject = { ServerSideEncryptionByDefault: byDefault };
  if (algorithm === 'aws:kms') rule.BucketKeyEnabled = true;
  return { ServerSideEncryptionConfiguration: [rule] };
}

const WEBSITE_HINT = 'for TLS and SSE-KMS, serve the content through CloudFront with origin access control (and a key statement for cloudfront.amazonaws.com) instead of to anonymous readers or the website endpoint';

function isKmsEncrypted(value: Json | undefined): boolean {
  return JSON.stringify(value ?? null).includes('"aws:kms');
}

export const s3DefaultEncryption: Rule = {
  id: 'S3-003',
  title: 'Encrypt every bucket by default',
  rationale:
    'Default encryption written in the template makes the choice of key reviewable and satisfies the detectors that look for it. Buckets that receive service logs get SSE-S3, because S3 server access logging, load balancers and CloudFront cannot write to SSE-KMS buckets.',
  resourceTypes: ['AWS::S3::Bucket'],
  changes: ['AWS::S3::Bucket Properties.BucketEncryption'],
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html (only SSE-S3 is supported)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html',
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html',
    'aws-cdk-lib/aws-s3/lib/bucket.ts (BucketEncryption, bucketKeyEnabled)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html (Amazon S3 website endpoints do not support HTTPS; content must be publicly readable)',
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (origin access control; SSE-KMS objects need a key statement for cloudfront.amazonaws.com)',
    'https://github.com/aws/aws-cdk/pull/18731 (website buckets kept out of secure-by-default settings)',
  ],
  satisfies: ['checkov CKV_AWS_19', 'NIST.800.53.R5-S3DefaultEncryptionKMS (with S3DefaultKmsKey)'],
  settings: [
    {
      name: 'S3DefaultKmsKey',
      description: 'The KMS key for buckets without default encryption: a key logical id in the template, a key ARN, or alias/<name>.',
      parse(value) {
        if (typeof value === 'string' && /^([A-Za-z0-9]+|arn:[^\s]+|alias\/[A-Za-z0-9/_-]+)$/.test(value)) return value;
        if (isObject(value)) return value; // an intrinsic, e.g. {"Fn::ImportValue": "..."}
        throw new Error('must be a KMS key logical id, a key ARN or alias/<name>');
      },
    },
  ],
  apply(bucket, ctx) {
    const current = bucket.properties.BucketEncryption;
    const deliveries = logDeliveries(ctx.model, bucket.id);
    // A website, or a bucket whose policy or ACL lets everyone read (as S3-001 recognises it):
    // anonymous readers cannot call KMS, so SSE-KMS objects would answer them 403.
    const intent = publicIntent(ctx.model, bucket.id);
    const website = websiteReason(ctx.model, bucket.id) ?? intent.policy ?? intent.acl;
    if (current !== undefined) {
      if (deliveries.length && isKmsEncrypted(current)) {
        ctx.finding(bucket.id, PATH.join('.'), 'warning', `uses SSE-KMS but receives ${deliveries.join(', ')}, which cannot be written to SSE-KMS buckets: use AES256`);
      }
      if (website !== undefined && isKmsEncrypted(current)) {
        ctx.finding(bucket.id, PATH.join('.'), 'warning', `uses SSE-KMS but ${website}: anonymous readers cannot decrypt SSE-KMS objects and get 403`, WEBSITE_HINT);
      }
      return;
    }
    if (website !== undefined) {
      const kms = ctx.setting('S3DefaultKmsKey') !== undefined ? ', not the S3DefaultKmsKey' : '';
      ctx.set(bucket.id, PATH, sse('AES256'), `SSE-S3${kms}, because ${website}: anonymous readers cannot decrypt SSE-KMS objects`, WEBSITE_HINT);
      return;
    }
    if (deliveries.length) {
      ctx.set(bucket.id, PATH, sse('AES256'), `SSE-S3, because the bucket receives ${deliveries.join(', ')}`);
      return;
    }
    const key = ctx.setting('S3DefaultKmsKey');
    if (key === undefined) {
      ctx.set(bucket.id, PATH, sse('AES256'), 'SSE-S3 (set the option S3DefaultKmsKey to use a customer managed key)');
      return;
    }
    if (typeof key === 'string' && /^[A-Za-z0-9]+$/.test(key)) {
      if (ctx.model.type(key) !== 'AWS::KMS::Key') {
        ctx.fail(bucket.id, PATH.join('.'), `the option S3DefaultKmsKey names ${key}, which is not an AWS::KMS::Key in this template`);
      }
      if (!ctx.model.conditionImplies(bucket.condition, ctx.model.condition(key))) {
        ctx.set(bucket.id, PATH, sse('AES256'), `SSE-S3: the key ${key} has Condition ${ctx.model.condition(key)}, which the bucket's condition does not imply`);
        ctx.finding(bucket.id, PATH.join('.'), 'warning', `could not use ${key}: it may not exist when the bucket does`);
        return;
      }
      ctx.set(bucket.id, PATH, sse('aws:kms', { 'Fn::GetAtt': [key, 'Arn'] }), `SSE-KMS with ${key} and an S3 Bucket Key`);
      return;
    }
    ctx.set(bucket.id, PATH, sse('aws:kms', key), `SSE-KMS with ${typeof key === 'string' ? key : 'the configured key'} and an S3 Bucket Key`);
  },
};
