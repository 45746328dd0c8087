/**
 * CF-001, LOGD-001, ESM-001 and SFN-002 write statements that could refer to the acting source, and LOGD-001 adds
 * DependsOn edges; none of them may close a dependency cycle, including where the naive fix would:
 * a key policy that names the distribution whose origin bucket the key encrypts (Key →
 * Distribution → Bucket → Key), and a log bucket's policy that names, by GetAtt, a source bucket
 * that waits for that policy. (Every fixture also runs through the whole registry, cycle-checked,
 * in fixtures.test.ts.)
 */
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import type { JsonObject } from '../../macro/template/json';
import { cycleIn } from '../support/fixtures';

/** `region: null` hardens as the CLI does without --region. */
const run = (template: JsonObject, region: string | null = 'us-east-1') => harden({ template, rules: RULES, ...(region !== null ? { region } : {}), accountId: '123456789012' });

/** A site bucket encrypted with a key of the template, behind a distribution with origin access control. */
function encryptedSite(): JsonObject {
  return {
    Resources: {
      SiteKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
      Site: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['SiteKey', 'Arn'] } } }] } },
      },
      Oac: { Type: 'AWS::CloudFront::OriginAccessControl', Properties: { OriginAccessControlConfig: { Name: 'oac', OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } } },
      Cdn: {
        Type: 'AWS::CloudFront::Distribution',
        Properties: {
          DistributionConfig: {
            Enabled: true,
            Origins: [{ Id: 'site', DomainName: { 'Fn::GetAtt': ['Site', 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': ['Oac', 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } }],
            DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
          },
        },
      },
    },
  };
}

function keyStatements(template: JsonObject): JsonObject[] {
  const key = (template.Resources as JsonObject).SiteKey as JsonObject;
  return (((key.Properties as JsonObject).KeyPolicy as JsonObject).Statement as JsonObject[]).filter((s) => JSON.stringify(s.Principal).includes('cloudfront'));
}

describe('no cycle from CloudFront origin access control grants', () => {
  test('the naive key statement (AWS:SourceArn naming the distribution) closes Key → Distribution → Bucket → Key', () => {
    // Prepare
    const naive = encryptedSite();
    ((naive.Resources as JsonObject).SiteKey as JsonObject).Properties = {
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'Cdn', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Cdn}' } } } }],
      },
    };
    // Act
    const cycle = cycleIn(naive);
    // Assess
    expect(cycle).toEqual(expect.arrayContaining(['SiteKey', 'Cdn', 'Site']));
  });

  test('CF-001 pins the bucket policy to the distribution and scopes the key statement to the account pattern, leaving no cycle', () => {
    // Prepare
    const input = encryptedSite();
    // Act
    const { template, report } = run(input);
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    const [statement] = keyStatements(template);
    expect(statement.Condition).toEqual({ ArnLike: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*' } } });
    const policy = (template.Resources as JsonObject).SitePolicy as JsonObject;
    expect(JSON.stringify(policy)).toContain('distribution/${Cdn}');
    expect(report.records.some((r) => r.rule === 'CF-001' && r.action === 'finding' && r.severity === 'warning' && r.detail.includes('key policy SiteKey'))).toBe(true);
  });

  test('a key the distribution does not reach (the origin is a literal domain) is pinned to the distribution', () => {
    // Prepare
    const input = encryptedSite();
    const resources = input.Resources as JsonObject;
    ((resources.Site as JsonObject).Properties as JsonObject).BucketName = 'acme-site';
    const origin = ((((resources.Cdn as JsonObject).Properties as JsonObject).DistributionConfig as JsonObject).Origins as JsonObject[])[0];
    origin.DomainName = 'acme-site.s3.us-east-1.amazonaws.com';
    // Act
    const { template } = run(input);
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    expect(keyStatements(template)[0].Condition).toEqual({ StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Cdn}' } } });
  });
});

/** A bucket without a name sends its server access logs to a log bucket and already waits for that bucket's policy. */
function loggingSourceThatWaits(): JsonObject {
  return {
    Resources: {
      Logs: { Type: 'AWS::S3::Bucket' },
      LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { Version: '2012-10-17', Statement: [] } } },
      Data: { Type: 'AWS::S3::Bucket', DependsOn: 'LogsPolicy', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } } } },
    },
  };
}

describe('no cycle from log delivery grants', () => {
  test('the naive statement (aws:SourceArn !GetAtt Data.Arn) in a policy Data waits for is a cycle', () => {
    // Prepare
    const naive = loggingSourceThatWaits();
    const policy = (naive.Resources as JsonObject).LogsPolicy as JsonObject;
    ((policy.Properties as JsonObject).PolicyDocument as JsonObject).Statement = [
      { Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: { 'Fn::Sub': '${Logs.Arn}/*' }, Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['Data', 'Arn'] } } } },
    ];
    // Act
    const cycle = cycleIn(naive);
    // Assess
    expect(cycle).toEqual(expect.arrayContaining(['Data', 'LogsPolicy']));
  });

  test('LOGD-001 scopes that statement by aws:SourceAccount and says how to pin it, leaving no cycle', () => {
    // Prepare
    const input = loggingSourceThatWaits();
    // Act
    const { template, report } = run(input);
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    const statements = ((((template.Resources as JsonObject).LogsPolicy as JsonObject).Properties as JsonObject).PolicyDocument as JsonObject).Statement as JsonObject[];
    const logging = statements.find((s) => JSON.stringify(s.Principal).includes('logging.s3'));
    expect(logging?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect(report.records.some((r) => r.rule === 'LOGD-001' && r.resource === 'Data' && r.severity === 'warning' && (r.hint ?? '').includes('BucketName'))).toBe(true);
  });

  test('flow logs and load balancers wait for the log bucket policy without a cycle, in a template where the policy names them nowhere', () => {
    // Prepare
    const input: JsonObject = {
      Resources: {
        Logs: { Type: 'AWS::S3::Bucket' },
        Flow: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: 'vpc-1', ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: { 'Fn::GetAtt': ['Logs', 'Arn'] } } },
        Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: ['subnet-1', 'subnet-2'], LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'Logs' } }] } },
      },
    };
    // Act
    const { template } = run(input);
    // Assess
    const resources = template.Resources as JsonObject;
    expect((resources.Flow as JsonObject).DependsOn).toBe('LogsPolicy');
    expect((resources.Alb as JsonObject).DependsOn).toBe('LogsPolicy');
    expect(cycleIn(template)).toBeUndefined();
  });
});

describe('the Application Load Balancer log principal follows the Region', () => {
  const alb = (): JsonObject => ({
    Resources: {
      Logs: { Type: 'AWS::S3::Bucket' },
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: ['subnet-1', 'subnet-2'], LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'Logs' } }] } },
    },
  });
  const principalIn = (template: JsonObject): unknown => {
    const statements = ((((template.Resources as JsonObject).LogsPolicy as JsonObject).Properties as JsonObject).PolicyDocument as JsonObject).Statement as JsonObject[];
    return statements.find((s) => s.Sid === 'AllowELBAccessLogsAlb')?.Principal;
  };

  test.each([
    ['eu-west-1', { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::156460612806:root' } }],
    ['us-gov-west-1', { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::048591011584:root' } }],
    ['ap-southeast-5', { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }],
  ])('in %s the statement names %j', (region, principal) => {
    // Act
    const { template } = run(alb(), region);
    // Assess
    expect(principalIn(template)).toEqual(principal);
  });

  test('without a Region nothing is written and the report says why', () => {
    // Act
    const { template, report } = run(alb(), null);
    // Assess
    expect(JSON.stringify(template)).not.toContain('AllowELBAccessLogsAlb');
    expect(report.records.some((r) => r.rule === 'LOGD-001' && r.resource === 'Alb' && r.detail.includes('Region is not known'))).toBe(true);
  });
});

describe('no cycle from event source mapping grants', () => {
  test('a mapping the role already waits for is not made to wait for the role, and the output has no cycle', () => {
    // Prepare
    const input: JsonObject = {
      Resources: {
        Jobs: { Type: 'AWS::SQS::Queue' },
        WorkerRole: {
          Type: 'AWS::IAM::Role',
          DependsOn: 'JobsMapping',
          Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
        },
        JobsMapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: 'acme-worker', EventSourceArn: { 'Fn::GetAtt': ['Jobs', 'Arn'] } } },
        Worker: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'acme-worker', Runtime: 'nodejs24.x', Handler: 'index.handler', Role: { 'Fn::GetAtt': ['WorkerRole', 'Arn'] }, Code: { ZipFile: 'x' } } },
      },
    };
    // Act
    const { template, report } = run(input);
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    expect((template.Resources as JsonObject).JobsMapping as JsonObject).not.toHaveProperty('DependsOn');
    expect(report.connections?.find((c) => c.rule === 'ESM-001')?.status).toBe('finding');
  });
});

describe('no cycle from state machine key grants', () => {
  const machine = (name?: string): JsonObject => ({
    Resources: {
      Key: { Type: 'AWS::KMS::Key' },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          ...(name ? { StateMachineName: name } : {}),
          RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
          EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
        },
      },
    },
  });

  test('the naive role statement (encryption context !Ref Machine) closes Machine → Role → Machine', () => {
    // Prepare
    const naive = machine('orders');
    ((naive.Resources as JsonObject).Role as JsonObject).Properties = {
      ...(((naive.Resources as JsonObject).Role as JsonObject).Properties as JsonObject),
      Policies: [{ PolicyName: 'Key', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: 'Machine' } } } }] } }],
    };
    // Act
    const cycle = cycleIn(naive);
    // Assess
    expect(cycle).toEqual(expect.arrayContaining(['Machine', 'Role']));
  });

  test.each([['orders', 'stateMachine:orders'], [undefined, 'stateMachine:*']])('SFN-002 writes the ARN from the name (%s), never a reference to the state machine', (name, tail) => {
    // Act
    const { template } = run(machine(name));
    // Assess
    expect(cycleIn(template)).toBeUndefined();
    const policies = (((template.Resources as JsonObject).Role as JsonObject).Properties as JsonObject).Policies as JsonObject[];
    const text = JSON.stringify(policies);
    expect(text).toContain(tail);
    expect(text).not.toContain('"Machine"');
  });
});
