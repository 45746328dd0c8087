/**
 * References to resources inside a CloudFormation module: the module's logical id followed by the
 * resource's logical id in the module, with or without a period ("Reference module resources in
 * CloudFormation templates"). The module's resources are not in the template the macro sees, so
 * such names are not dangling; any other unknown name still is.
 */
import { HardeningError } from '../../macro/engine/errors';
import { harden } from '../../macro/engine/harden';
import { moduleOf } from '../../macro/template/modules';
import { TemplateModel } from '../../macro/template/model';
import type { JsonObject } from '../../macro/template/json';

function template(extra: JsonObject = {}): JsonObject {
  return {
    Resources: {
      Storage: { Type: 'My::S3::SampleBucket::MODULE', Properties: { BucketName: 'data' } },
      Queue: {
        Type: 'AWS::SQS::Queue',
        DependsOn: 'StorageS3Bucket',
        Properties: { QueueName: { Ref: 'Storage.S3Bucket' }, Tags: [{ Key: 'bucket', Value: { Ref: 'StorageS3Bucket' } }] },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::GetAtt': ['Storage.S3Bucket', 'Arn'] }, TopicName: { 'Fn::Sub': '${StorageS3Bucket}-events' } } },
      ...extra,
    },
    Outputs: { BucketArn: { Value: { 'Fn::GetAtt': 'Storage.S3Bucket.Arn' } } },
  };
}

describe('module references', () => {
  test('Ref, GetAtt, Sub, DependsOn and Outputs naming a resource inside a module harden without failure', () => {
    // Act
    const result = harden({ template: template(), region: 'us-east-1', accountId: '123456789012' });
    // Assess
    expect(result.template.Resources).toHaveProperty('Storage');
    expect(result.report.records.filter((r) => r.rule === 'INVARIANT')).toEqual([]);
  });

  test('a name that is neither a resource nor a module resource still fails, naming it', () => {
    // Prepare
    const input = template({ Other: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { Ref: 'Missing' } } } });
    // Act
    let error: unknown;
    try {
      harden({ template: input, region: 'us-east-1', accountId: '123456789012' });
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(HardeningError);
    expect((error as HardeningError).message).toContain('Other Properties: refers to Missing');
    expect((error as HardeningError).message).not.toContain('Storage');
  });

  test('a DependsOn on a module resource is not reported as missing by DEP-001', () => {
    // Act
    const result = harden({ template: template(), region: 'us-east-1', accountId: '123456789012' });
    // Assess
    expect(result.report.records.filter((r) => r.rule === 'DEP-001')).toEqual([]);
  });

  test('moduleOf picks the module whose id begins the name, the longest first, and only modules', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Net: { Type: 'Acme::Network::Vpc::MODULE' },
        NetEdge: { Type: 'Acme::Network::Edge::MODULE' },
        Bucket: { Type: 'AWS::S3::Bucket' },
      },
    });
    // Act / Assess
    expect(moduleOf(model, 'NetEdgeGateway')).toBe('NetEdge');
    expect(moduleOf(model, 'Net.Subnet1')).toBe('Net');
    expect(moduleOf(model, 'NetSubnet1.Arn')).toBe('Net');
    expect(moduleOf(model, 'Net')).toBeUndefined();
    expect(moduleOf(model, 'BucketPolicy')).toBeUndefined();
  });
});
