/**
 * Whether a statement already in a policy covers one a rule wants to add, so a statement the user
 * wrote under another Sid (or in another spelling) counts as present, and a narrower one does not.
 */
import type { Json, JsonObject } from '../../macro/template/json';
import { statementCovers } from '../../macro/template/statements';

/** The statement S3-002 adds to the bucket `Data`. */
function denyInsecureTransport(): JsonObject {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [{ 'Fn::GetAtt': ['Data', 'Arn'] }, { 'Fn::Sub': '${Data.Arn}/*' }],
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}

/** The wanted statement with some members replaced (`undefined` removes one). */
function variant(changes: Record<string, Json | undefined>): JsonObject {
  const out = denyInsecureTransport();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

describe('statementCovers: equivalent statements', () => {
  test('a statement covers itself', () => {
    expect(statementCovers(denyInsecureTransport(), denyInsecureTransport())).toBe(true);
  });

  test('the Sid does not matter', () => {
    // Prepare
    const have = variant({ Sid: 'UsersOwnTlsStatement' });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(true);
    expect(statementCovers(variant({ Sid: undefined }), denyInsecureTransport())).toBe(true);
  });

  test.each<[string, Json]>([
    ['{AWS: "*"}', { AWS: '*' }],
    ['{AWS: ["*"]}', { AWS: ['*'] }],
  ])('Principal %s is the same as "*"', (_name, principal) => {
    // Act & Assess: both ways round.
    expect(statementCovers(variant({ Principal: principal }), denyInsecureTransport())).toBe(true);
    expect(statementCovers(denyInsecureTransport(), variant({ Principal: principal }))).toBe(true);
  });

  test.each<[string, Json]>([
    ['the string "false"', 'false'],
    ['a list holding false', [false]],
    ['a list holding "false"', ['false']],
  ])('a condition value of %s is the same as boolean false', (_name, value) => {
    // Prepare
    const have = variant({ Condition: { Bool: { 'aws:SecureTransport': value } } });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(true);
  });

  test('condition keys compare case-insensitively', () => {
    // Prepare
    const have = variant({ Condition: { Bool: { 'AWS:SECURETRANSPORT': 'false' } } });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(true);
  });

  test('a single action or resource is the same as a list of one', () => {
    // Prepare
    const want = variant({ Action: 's3:GetObject', Resource: { 'Fn::Sub': '${Data.Arn}/*' } });
    const have = variant({ Action: ['s3:GetObject'], Resource: [{ 'Fn::Sub': '${Data.Arn}/*' }] });

    // Act & Assess
    expect(statementCovers(have, want)).toBe(true);
    expect(statementCovers(want, have)).toBe(true);
  });

  test.each<[string, Json, string]>([
    ['s3:* covers s3:GetObject', 's3:*', 's3:GetObject'],
    ['* covers s3:GetObject', '*', 's3:GetObject'],
    ['* covers s3:*', '*', 's3:*'],
    ['s3:Get* covers s3:GetObject', 's3:Get*', 's3:GetObject'],
    ['actions compare case-insensitively', 'S3:getobject', 's3:GetObject'],
    ['one of several actions is enough', ['s3:PutObject', 's3:GetObject'], 's3:GetObject'],
  ])('%s', (_name, haveAction, wantAction) => {
    // Act & Assess
    expect(statementCovers(variant({ Action: haveAction }), variant({ Action: wantAction }))).toBe(true);
  });

  test('resources spelled with Join, dotted GetAtt and Sub compare equal', () => {
    // Prepare
    const have = variant({
      Resource: [
        { 'Fn::GetAtt': 'Data.Arn' },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Data', 'Arn'] }, '/*']] },
      ],
    });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(true);
  });

  test('a Join ARN of a bucket Ref equals the Sub ARN, in any order of the resources', () => {
    // Prepare
    const want = variant({
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}/*' }],
    });
    const have = variant({
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Data' }, '/*']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Data' }]] },
      ],
    });

    // Act & Assess
    expect(statementCovers(have, want)).toBe(true);
  });

  test('Resource "*" covers any resource', () => {
    expect(statementCovers(variant({ Resource: '*' }), denyInsecureTransport())).toBe(true);
  });

  test('a statement without a condition covers one that has a condition', () => {
    expect(statementCovers(variant({ Condition: undefined }), denyInsecureTransport())).toBe(true);
  });

  test('a principal "*" covers a service principal; a list of services covers one of them', () => {
    // Prepare
    const want = variant({ Principal: { Service: 'cloudtrail.amazonaws.com' } });
    const services = variant({ Principal: { Service: ['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com'] } });

    // Act & Assess
    expect(statementCovers(denyInsecureTransport(), want)).toBe(true);
    expect(statementCovers(services, want)).toBe(true);
  });

  test('equal NotAction statements cover each other', () => {
    // Prepare
    const notAction = variant({ Action: undefined, NotAction: ['s3:GetObject'] });

    // Act & Assess
    expect(statementCovers(notAction, variant({ Action: undefined, NotAction: ['s3:GetObject'] }))).toBe(true);
  });
});

describe('statementCovers: statements that do not cover', () => {
  test('a different effect', () => {
    expect(statementCovers(variant({ Effect: 'Allow' }), denyInsecureTransport())).toBe(false);
  });

  test('narrower resources: the bucket without its objects', () => {
    // Prepare
    const have = variant({ Resource: { 'Fn::GetAtt': ['Data', 'Arn'] } });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(false);
  });

  test('resources of another bucket', () => {
    // Prepare
    const have = variant({ Resource: [{ 'Fn::GetAtt': ['Other', 'Arn'] }, { 'Fn::Sub': '${Other.Arn}/*' }] });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(false);
  });

  test('an extra condition on the existing statement', () => {
    // Prepare
    const have = variant({
      Condition: { Bool: { 'aws:SecureTransport': false }, StringEquals: { 'aws:PrincipalAccount': '111122223333' } },
    });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(false);
  });

  test('a condition with another value', () => {
    // Prepare
    const have = variant({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(false);
  });

  test.each<[string, Json, string]>([
    ['s3:GetObject does not cover s3:*', 's3:GetObject', 's3:*'],
    ['s3:Get* does not cover s3:PutObject', 's3:Get*', 's3:PutObject'],
    ['sqs:* does not cover s3:GetObject', 'sqs:*', 's3:GetObject'],
  ])('narrower actions: %s', (_name, haveAction, wantAction) => {
    expect(statementCovers(variant({ Action: haveAction }), variant({ Action: wantAction }))).toBe(false);
  });

  test('a NotAction statement does not cover an Action statement, nor the other way round', () => {
    // Prepare
    const notAction = variant({ Action: undefined, NotAction: 's3:GetObject' });

    // Act & Assess
    expect(statementCovers(notAction, denyInsecureTransport())).toBe(false);
    expect(statementCovers(denyInsecureTransport(), notAction)).toBe(false);
  });

  test('a narrower principal', () => {
    // Prepare
    const have = variant({ Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } } });

    // Act & Assess
    expect(statementCovers(have, denyInsecureTransport())).toBe(false);
  });

  test('a statement without a principal does not cover one with a principal', () => {
    expect(statementCovers(variant({ Principal: undefined }), denyInsecureTransport())).toBe(false);
  });

  test('something that is not a statement', () => {
    // Act & Assess
    expect(statementCovers('DenyInsecureTransport', denyInsecureTransport())).toBe(false);
    expect(statementCovers([denyInsecureTransport()], denyInsecureTransport())).toBe(false);
    expect(statementCovers({ 'Fn::If': ['IsProd', denyInsecureTransport(), { Ref: 'AWS::NoValue' }] }, denyInsecureTransport())).toBe(false);
  });
});
