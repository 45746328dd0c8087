/**
 * One policy per target: rules contribute statements to the target's one policy (found, or
 * created once), merged by Sid, recognising an equivalent statement already there.
 */
import { deepClone, type Json, type JsonObject } from '../../macro/template/json';
import { TemplateModel } from '../../macro/template/model';
import { DEFAULT_KEY_POLICY_STATEMENT, ensureStatement, findPolicies, type StatementOutcome } from '../../macro/template/policies';

/** The statement S3-002 adds for a bucket. */
function denyInsecureTransport(bucketId = 'Data'): JsonObject {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Sub': `\${${bucketId}.Arn}/*` }],
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}

/** A statement a service rule might add: CloudTrail may check the bucket's ACL. */
function allowCloudTrailAclCheck(bucketId = 'Data'): JsonObject {
  return {
    Sid: 'AllowCloudTrailAclCheck',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:GetBucketAcl',
    Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
  };
}

/** A bucket `Data` and, when given, a user's policy `UserPolicy` with that document. */
function bucketWithPolicy(policyDocument?: Json, bucket: JsonObject = { Type: 'AWS::S3::Bucket' }): TemplateModel {
  const resources: JsonObject = { Data: bucket };
  if (policyDocument !== undefined) {
    resources.UserPolicy = { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Data' }, PolicyDocument: policyDocument } };
  }
  return new TemplateModel({ Resources: resources });
}

describe('ensureStatement: creating the one policy', () => {
  test('creates one bucket policy for the bucket, with the bucket Condition, holding the statement', () => {
    // Prepare
    const model = new TemplateModel({
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111122223333'] } },
      Resources: { Data: { Type: 'AWS::S3::Bucket', Condition: 'IsProd' } },
    });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'DataPolicy',
      sid: 'DenyInsecureTransport',
      created: true,
      path: 'Properties.PolicyDocument.Statement[0]',
    });
    expect(model.ids()).toStrictEqual(['Data', 'DataPolicy']);
    expect(model.resource('DataPolicy')).toStrictEqual({
      Type: 'AWS::S3::BucketPolicy',
      Condition: 'IsProd',
      Properties: {
        Bucket: { Ref: 'Data' },
        PolicyDocument: { Version: '2012-10-17', Statement: [denyInsecureTransport()] },
      },
    });
    expect(Object.keys(model.resource('DataPolicy') as JsonObject)).toStrictEqual(['Type', 'Condition', 'Properties']);
  });

  test('a policy for an unconditional bucket has no Condition', () => {
    // Prepare
    const model = bucketWithPolicy();

    // Act
    ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(Object.keys(model.resource('DataPolicy') as JsonObject)).toStrictEqual(['Type', 'Properties']);
  });

  test('takes another id when the plain one is used by a resource that is not the bucket policy', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: { Data: { Type: 'AWS::S3::Bucket' }, DataPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: {} } } },
    });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome.policyId).toMatch(/^DataPolicy[0-9a-f]{10}$/);
    expect(model.type(outcome.policyId)).toBe('AWS::S3::BucketPolicy');
    expect(model.resource('DataPolicy')).toStrictEqual({ Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: {} } });
  });

  test('never creates a second policy for a target on repeated calls', () => {
    // Prepare
    const model = bucketWithPolicy();

    // Act
    const first = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());
    const second = ensureStatement(model, 'bucket', 'Data', allowCloudTrailAclCheck());
    const third = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect([first.status, second.status, third.status]).toStrictEqual(['added', 'added', 'present']);
    expect(second).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'DataPolicy',
      sid: 'AllowCloudTrailAclCheck',
      created: false,
      path: 'Properties.PolicyDocument.Statement[1]',
    });
    expect(model.idsOfType('AWS::S3::BucketPolicy')).toStrictEqual(['DataPolicy']);
    expect(model.get('DataPolicy', ['Properties', 'PolicyDocument', 'Statement'])).toStrictEqual([denyInsecureTransport(), allowCloudTrailAclCheck()]);
  });

  test('stores a copy of the statement, never the caller own object', () => {
    // Prepare
    const model = bucketWithPolicy();
    const statement = denyInsecureTransport();

    // Act
    ensureStatement(model, 'bucket', 'Data', statement);
    (statement.Condition as JsonObject).Bool = { 'aws:SecureTransport': true };

    // Assess
    expect(model.get('DataPolicy', ['Properties', 'PolicyDocument', 'Statement', 0])).toStrictEqual(denyInsecureTransport());
  });
});

describe('findPolicies: which existing policy is the bucket policy', () => {
  test.each<[string, Json, JsonObject]>([
    ['a Ref to the bucket', { Ref: 'Data' }, { Type: 'AWS::S3::Bucket' }],
    ['a Sub "${Data}"', { 'Fn::Sub': '${Data}' }, { Type: 'AWS::S3::Bucket' }],
    ['a literal equal to the BucketName', 'team-data', { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'team-data' } }],
    [
      'a Join spelling of the Sub BucketName',
      { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'data']] },
      { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-data' } } },
    ],
    [
      'a Sub spelling of the Join BucketName',
      { 'Fn::Sub': '${AWS::StackName}-data' },
      { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-data']] } } },
    ],
  ])('finds a policy whose Bucket is %s, and adds the statement to it', (_name, link, bucket) => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Data: bucket,
        UserPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: link, PolicyDocument: { Statement: [allowCloudTrailAclCheck()] } } },
      },
    });

    // Act
    const found = findPolicies(model, 'bucket', 'Data');
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(found).toStrictEqual(['UserPolicy']);
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'UserPolicy',
      sid: 'DenyInsecureTransport',
      created: false,
      path: 'Properties.PolicyDocument.Statement[1]',
    });
    expect(model.ids()).toStrictEqual(['Data', 'UserPolicy']);
  });

  test('does not take the policy of another bucket, nor a literal that is not the BucketName', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'team-data' } },
        Other: { Type: 'AWS::S3::Bucket' },
        OtherPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Other' }, PolicyDocument: {} } },
        LiteralPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'team-data-archive', PolicyDocument: {} } },
      },
    });

    // Act
    const found = findPolicies(model, 'bucket', 'Data');

    // Assess
    expect(found).toStrictEqual([]);
  });

  test('lists every policy that applies to the bucket, in template order', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Second: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Data' } } },
        Data: { Type: 'AWS::S3::Bucket' },
        Third: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { 'Fn::If': ['IsProd', { Ref: 'Data' }, 'other'] } } },
      },
    });

    // Act
    const found = findPolicies(model, 'bucket', 'Data');

    // Assess
    expect(found).toStrictEqual(['Second', 'Third']);
  });
});

describe('ensureStatement: merging into an existing policy', () => {
  test('appends to a Statement written as a single object, making it a list', () => {
    // Prepare
    const model = bucketWithPolicy({ Version: '2012-10-17', Statement: allowCloudTrailAclCheck() });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'UserPolicy',
      sid: 'DenyInsecureTransport',
      created: false,
      path: 'Properties.PolicyDocument.Statement[1]',
    });
    expect(model.get('UserPolicy', ['Properties', 'PolicyDocument'])).toStrictEqual({
      Version: '2012-10-17',
      Statement: [allowCloudTrailAclCheck(), denyInsecureTransport()],
    });
  });

  test('adds a Statement list to a document that has none', () => {
    // Prepare
    const model = bucketWithPolicy({ Version: '2012-10-17' });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toMatchObject({ status: 'added', path: 'Properties.PolicyDocument.Statement[0]' });
    expect(model.get('UserPolicy', ['Properties', 'PolicyDocument'])).toStrictEqual({ Version: '2012-10-17', Statement: [denyInsecureTransport()] });
  });

  test('an equivalent statement under another Sid counts as present, and nothing changes', () => {
    // Prepare
    const users = { ...denyInsecureTransport(), Sid: 'UsersTlsOnly', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const model = bucketWithPolicy({ Version: '2012-10-17', Statement: [users] });
    const before = deepClone(model.doc);

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({ status: 'present', policyId: 'UserPolicy', sid: 'UsersTlsOnly' });
    expect(model.doc).toStrictEqual(before);
  });

  test('an equivalent statement without a Sid counts as present, with no sid in the outcome', () => {
    // Prepare
    const { Sid: _sid, ...withoutSid } = denyInsecureTransport();
    const model = bucketWithPolicy({ Statement: [withoutSid] });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({ status: 'present', policyId: 'UserPolicy' });
  });

  test('a Sid used by a different statement gets the TapHardening suffix, and the user statement is kept', () => {
    // Prepare
    const users = { ...allowCloudTrailAclCheck(), Sid: 'DenyInsecureTransport' };
    const model = bucketWithPolicy({ Statement: [users] });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'UserPolicy',
      sid: 'DenyInsecureTransportTapHardening',
      created: false,
      path: 'Properties.PolicyDocument.Statement[1]',
    });
    expect(model.get('UserPolicy', ['Properties', 'PolicyDocument', 'Statement'])).toStrictEqual([
      users,
      { ...denyInsecureTransport(), Sid: 'DenyInsecureTransportTapHardening' },
    ]);
  });

  test('is blocked when both the Sid and its suffixed form are used by other statements', () => {
    // Prepare
    const model = bucketWithPolicy({
      Statement: [
        { ...allowCloudTrailAclCheck(), Sid: 'DenyInsecureTransport' },
        { ...allowCloudTrailAclCheck(), Sid: 'DenyInsecureTransportTapHardening', Action: 's3:ListBucket' },
      ],
    });
    const before = deepClone(model.doc);

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'blocked',
      policyId: 'UserPolicy',
      reason: 'Sids DenyInsecureTransport and DenyInsecureTransportTapHardening are both used by other statements',
    });
    expect(model.doc).toStrictEqual(before);
  });

  test('is blocked when the policy document is an intrinsic, and changes nothing', () => {
    // Prepare
    const model = bucketWithPolicy({ 'Fn::If': ['IsProd', { Statement: [] }, { Ref: 'AWS::NoValue' }] });
    const before = deepClone(model.doc);

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'blocked',
      policyId: 'UserPolicy',
      reason: 'Properties.PolicyDocument is an intrinsic (Fn::If), so its statements cannot be edited',
    });
    expect(model.doc).toStrictEqual(before);
  });

  test('is blocked when the Statement is an intrinsic, and changes nothing', () => {
    // Prepare
    const model = bucketWithPolicy({ Version: '2012-10-17', Statement: { 'Fn::If': ['IsProd', [denyInsecureTransport()], []] } });
    const before = deepClone(model.doc);

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'blocked',
      policyId: 'UserPolicy',
      reason: 'Properties.PolicyDocument.Statement is an intrinsic (Fn::If), so it cannot be edited',
    });
    expect(model.doc).toStrictEqual(before);
  });

  test('is blocked when the policy has no document to edit', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: { Data: { Type: 'AWS::S3::Bucket' }, UserPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Data' } } } },
    });

    // Act
    const outcome = ensureStatement(model, 'bucket', 'Data', denyInsecureTransport());

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'blocked',
      policyId: 'UserPolicy',
      reason: 'Properties.PolicyDocument is missing, so its statements cannot be edited',
    });
  });
});

describe('ensureStatement: queues, topics and keys', () => {
  const allowEvents = (arn: Json): JsonObject => ({
    Sid: 'AllowEventBridge',
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: arn,
  });

  test('creates a queue policy whose Queues list holds the queue', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Jobs: { Type: 'AWS::SQS::Queue' } } });
    const statement = allowEvents({ 'Fn::GetAtt': ['Jobs', 'Arn'] });

    // Act
    const outcome = ensureStatement(model, 'queue', 'Jobs', statement);

    // Assess
    expect(outcome).toMatchObject({ status: 'added', policyId: 'JobsPolicy', created: true });
    expect(model.resource('JobsPolicy')).toStrictEqual({
      Type: 'AWS::SQS::QueuePolicy',
      Properties: { Queues: [{ Ref: 'Jobs' }], PolicyDocument: { Version: '2012-10-17', Statement: [statement] } },
    });
  });

  test('finds a queue policy that lists the queue among others', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Jobs: { Type: 'AWS::SQS::Queue' },
        Other: { Type: 'AWS::SQS::Queue' },
        Shared: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Other' }, { Ref: 'Jobs' }], PolicyDocument: { Statement: [] } } },
      },
    });

    // Act
    const outcome = ensureStatement(model, 'queue', 'Jobs', allowEvents({ 'Fn::GetAtt': ['Jobs', 'Arn'] }));

    // Assess
    expect(findPolicies(model, 'queue', 'Jobs')).toStrictEqual(['Shared']);
    expect(outcome).toMatchObject({ status: 'added', policyId: 'Shared', created: false, path: 'Properties.PolicyDocument.Statement[0]' });
    expect(model.idsOfType('AWS::SQS::QueuePolicy')).toStrictEqual(['Shared']);
  });

  test('creates a topic policy whose Topics list holds the topic, with the topic Condition', () => {
    // Prepare
    const model = new TemplateModel({
      Conditions: { IsProd: { 'Fn::Equals': ['a', 'a'] } },
      Resources: { Alerts: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' } },
    });
    const statement = allowEvents({ Ref: 'Alerts' });

    // Act
    const outcome = ensureStatement(model, 'topic', 'Alerts', statement);
    const again = ensureStatement(model, 'topic', 'Alerts', statement);

    // Assess
    expect(outcome).toMatchObject({ status: 'added', policyId: 'AlertsPolicy', created: true });
    expect(again).toStrictEqual<StatementOutcome>({ status: 'present', policyId: 'AlertsPolicy', sid: 'AllowEventBridge' });
    expect(model.resource('AlertsPolicy')).toStrictEqual({
      Type: 'AWS::SNS::TopicPolicy',
      Condition: 'IsProd',
      Properties: { Topics: [{ Ref: 'Alerts' }], PolicyDocument: { Version: '2012-10-17', Statement: [statement] } },
    });
  });

  const allowLogs: JsonObject = {
    Sid: 'AllowCloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
    Resource: '*',
  };

  test('a key with no KeyPolicy gets the default key policy statement first, on the key itself', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Key: { Type: 'AWS::KMS::Key' } } });

    // Act
    const outcome = ensureStatement(model, 'key', 'Key', allowLogs);

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'Key',
      sid: 'AllowCloudWatchLogs',
      created: true,
      path: 'Properties.KeyPolicy.Statement[1]',
    });
    expect(model.ids()).toStrictEqual(['Key']);
    expect(model.get('Key', ['Properties', 'KeyPolicy'])).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EnableIAMUserPermissions',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
          Action: 'kms:*',
          Resource: '*',
        },
        allowLogs,
      ],
    });
  });

  test('the default key policy statement in the template is a copy: editing it leaves the shared default alone', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Key: { Type: 'AWS::KMS::Key' } } });
    const pristine = deepClone(DEFAULT_KEY_POLICY_STATEMENT);
    ensureStatement(model, 'key', 'Key', allowLogs);

    // Act
    model.set('Key', ['Properties', 'KeyPolicy', 'Statement', 0, 'Sid'], 'Changed');

    // Assess
    expect(DEFAULT_KEY_POLICY_STATEMENT).toStrictEqual(pristine);
  });

  test('a key with a KeyPolicy gets the statement appended, and no default statement', () => {
    // Prepare
    const admin = { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/Admin' }, Action: 'kms:*', Resource: '*' };
    const model = new TemplateModel({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [admin] } } } } });

    // Act
    const outcome = ensureStatement(model, 'key', 'Key', allowLogs);

    // Assess
    expect(outcome).toStrictEqual<StatementOutcome>({
      status: 'added',
      policyId: 'Key',
      sid: 'AllowCloudWatchLogs',
      created: false,
      path: 'Properties.KeyPolicy.Statement[1]',
    });
    expect(model.get('Key', ['Properties', 'KeyPolicy', 'Statement'])).toStrictEqual([admin, allowLogs]);
  });

  test('a key policy is never duplicated on repeated calls', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Key: { Type: 'AWS::KMS::Key' } } });

    // Act
    ensureStatement(model, 'key', 'Key', allowLogs);
    const again = ensureStatement(model, 'key', 'Key', allowLogs);

    // Assess
    expect(again).toStrictEqual<StatementOutcome>({ status: 'present', policyId: 'Key', sid: 'AllowCloudWatchLogs' });
    expect(model.get('Key', ['Properties', 'KeyPolicy', 'Statement'])).toHaveLength(2);
    expect(model.ids()).toStrictEqual(['Key']);
  });
});
