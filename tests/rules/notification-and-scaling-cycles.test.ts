/**
 * S3N-001, S3N-002 and DDB-001 add DependsOn edges; none of them may close a dependency cycle,
 * including where the naive fix would: a Lambda permission whose SourceArn refers to the bucket
 * that must now depend on it (bucket ↔ permission), and a queue policy that refers to its bucket.
 * (Every rule's fixtures also run through the whole registry, cycle-checked, in fixtures.test.ts.)
 */
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import { RULES } from '../../macro/rules';
import type { JsonObject } from '../../macro/template/json';
import { references } from '../../macro/template/intrinsics';
import { casesIn, cycleIn } from '../support/fixtures';

const run = (template: JsonObject, rules = RULES) => harden({ template, rules, region: 'us-east-1', accountId: '123456789012' });

/** The bucket ↔ permission trap, as teams write it from the Lambda::Permission docs' S3 example. */
function namedBucketWithSelfReferringPermission(bucketName?: JsonObject | string): JsonObject {
  const bucket: JsonObject = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      NotificationConfiguration: { LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: { 'Fn::GetAtt': ['Processor', 'Arn'] } }] },
    },
  };
  if (bucketName !== undefined) (bucket.Properties as JsonObject).BucketName = bucketName;
  return {
    Parameters: { Env: { Type: 'String' } },
    Resources: {
      Uploads: bucket,
      Permission: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['Processor', 'Arn'] },
          Principal: 's3.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
          SourceArn: { 'Fn::GetAtt': ['Uploads', 'Arn'] },
        },
      },
      Processor: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } },
    },
  };
}

describe('no cycle from the notification and scaling rules', () => {
  test('the naive fix (bucket DependsOn a permission whose SourceArn refers to the bucket) is a cycle', () => {
    // Prepare
    const naive = namedBucketWithSelfReferringPermission({ 'Fn::Sub': 'acme-${Env}-uploads' });
    ((naive.Resources as JsonObject).Uploads as JsonObject).DependsOn = 'Permission';
    // Act
    const cycle = cycleIn(naive);
    // Assess
    expect(cycle).toEqual(expect.arrayContaining(['Uploads', 'Permission']));
  });

  test('S3N-001 orders the bucket after the permission and rewrites SourceArn, leaving no cycle', () => {
    // Prepare
    const input = namedBucketWithSelfReferringPermission({ 'Fn::Sub': 'acme-${Env}-uploads' });
    // Act
    const { template } = run(input);
    // Assess
    const resources = template.Resources as JsonObject;
    expect((resources.Uploads as JsonObject).DependsOn).toBe('Permission');
    const permission = (resources.Permission as JsonObject).Properties as JsonObject;
    expect(permission.SourceArn).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-${Env}-uploads' });
    expect(references(permission).map((r) => r.name)).not.toContain('Uploads');
    expect(cycleIn(template)).toBeUndefined();
  });

  test('S3N-001 fails, saying how to fix it, when the bucket has no name to build its ARN from', () => {
    // Prepare
    const input = namedBucketWithSelfReferringPermission();
    // Act
    let error: unknown;
    try {
      run(input);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(HardeningError);
    expect((error as Error).message).toContain('S3N-001 Permission Properties.SourceArn');
    expect((error as Error).message).toContain('Give Uploads a BucketName');
    expect((error as Error).message).toContain('remove SourceArn and keep SourceAccount');
  });

  test('S3N-002 does not make a bucket depend on a queue policy that refers to it', () => {
    // Prepare
    const [trap] = casesIn(path.join(__dirname, 'S3N-002')).filter((c) => c.name === 'cycle-policy-refers-bucket');
    // Act
    const result = run(trap.input);
    // Assess
    expect(cycleIn(result.template)).toBeUndefined();
    expect(((result.template.Resources as JsonObject).Uploads as JsonObject).DependsOn).toBeUndefined();
    expect(result.report.records.some((r) => r.rule === 'S3N-002' && r.action === 'finding' && r.detail.includes('refers to Uploads'))).toBe(true);
  });

});
