/**
 * What a property value points at: a trail's `S3BucketName: !Ref LogBucket` is the resource
 * `LogBucket`; a log group's `KmsKeyId: !If [UseCmk, !GetAtt Key.Arn, !Ref AWS::NoValue]` is `Key`
 * when `UseCmk` holds and nothing otherwise; a parameter or a literal is external.
 */
import type { Json } from '../../macro/template/json';
import { TemplateModel } from '../../macro/template/model';
import { resolve, resolvedResources, type Resolution } from '../../macro/template/resolve';

/** A template with two resources and two parameters; only `Env` has a known deploy value. */
function scope(): TemplateModel {
  return new TemplateModel(
    {
      Parameters: { Env: { Type: 'String' }, KeyArn: { Type: 'String' } },
      Conditions: { UseCmk: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } },
      Resources: { LogBucket: { Type: 'AWS::S3::Bucket' }, Key: { Type: 'AWS::KMS::Key' } },
    },
    { Env: 'prod' },
  );
}

describe('resolve: Ref', () => {
  test('a Ref to a resource resolves to that resource', () => {
    // Act
    const result = resolve({ Ref: 'LogBucket' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [] }]);
  });

  test('a Ref to a parameter with a known deploy value resolves to the parameter and that value', () => {
    // Act
    const result = resolve({ Ref: 'Env' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'parameter', name: 'Env', value: 'prod', when: [] }]);
  });

  test('a Ref to a parameter without a known value resolves to the parameter alone', () => {
    // Act
    const result = resolve({ Ref: 'KeyArn' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'parameter', name: 'KeyArn', when: [] }]);
  });

  test('a Ref to a pseudo parameter resolves to the pseudo parameter', () => {
    // Act
    const result = resolve({ Ref: 'AWS::AccountId' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'pseudo', name: 'AWS::AccountId', when: [] }]);
  });

  test('a Ref to AWS::NoValue resolves to no value', () => {
    // Act
    const result = resolve({ Ref: 'AWS::NoValue' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'no-value', when: [] }]);
  });

  test('a Ref to a name the template does not define is unknown', () => {
    // Act
    const result = resolve({ Ref: 'Missing' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'unknown', value: { Ref: 'Missing' }, when: [] }]);
  });
});

describe('resolve: GetAtt', () => {
  test.each<[string, Json]>([
    ['list form', { 'Fn::GetAtt': ['Key', 'Arn'] }],
    ['dotted form', { 'Fn::GetAtt': 'Key.Arn' }],
  ])('a GetAtt in %s resolves to the resource and attribute', (_name, value) => {
    // Act
    const result = resolve(value, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'Key', attribute: 'Arn', when: [] }]);
  });

  test('a GetAtt of a name that is not a resource is unknown, even when it names a parameter', () => {
    // Prepare
    const ofParameter: Json = { 'Fn::GetAtt': ['Env', 'Arn'] };
    const ofMissing: Json = { 'Fn::GetAtt': ['Missing', 'Arn'] };

    // Act
    const results = [resolve(ofParameter, scope()), resolve(ofMissing, scope())];

    // Assess
    expect(results).toStrictEqual<Resolution[][]>([
      [{ kind: 'unknown', value: ofParameter, when: [] }],
      [{ kind: 'unknown', value: ofMissing, when: [] }],
    ]);
  });
});

describe('resolve: Sub and Join', () => {
  test('Sub "${X}" is a whole reference to the resource X', () => {
    // Act
    const result = resolve({ 'Fn::Sub': '${LogBucket}' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [] }]);
  });

  test('Sub "${X.Arn}" is a whole reference to the resource X and its attribute', () => {
    // Act
    const result = resolve({ 'Fn::Sub': '${Key.Arn}' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'Key', attribute: 'Arn', when: [] }]);
  });

  test('Sub "${P}" of a parameter and "${AWS::Region}" resolve like a Ref', () => {
    // Act
    const parameter = resolve({ 'Fn::Sub': '${Env}' }, scope());
    const pseudo = resolve({ 'Fn::Sub': '${AWS::Region}' }, scope());

    // Assess
    expect(parameter).toStrictEqual<Resolution[]>([{ kind: 'parameter', name: 'Env', value: 'prod', when: [] }]);
    expect(pseudo).toStrictEqual<Resolution[]>([{ kind: 'pseudo', name: 'AWS::Region', when: [] }]);
  });

  test('Sub with a variable map bound to a Ref is a whole reference to what the Ref names', () => {
    // Act
    const result = resolve({ 'Fn::Sub': ['${Name}', { Name: { Ref: 'LogBucket' } }] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [] }]);
  });

  test('Join of one Ref is a whole reference', () => {
    // Act
    const result = resolve({ 'Fn::Join': ['', [{ Ref: 'LogBucket' }]] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [] }]);
  });

  test('a Sub that builds a string around references is composite, listing them in order', () => {
    // Act
    const result = resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/*' }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([
      {
        kind: 'composite',
        text: 'arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/*',
        references: [
          { name: 'AWS::Partition', via: 'Sub' },
          { name: 'LogBucket', via: 'Sub' },
          { name: 'AWS::AccountId', via: 'Sub' },
        ],
        when: [],
      },
    ]);
  });

  test('a Join that builds a string around a GetAtt is composite, in its Sub spelling', () => {
    // Act
    const result = resolve({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LogBucket', 'Arn'] }, '/*']] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([
      { kind: 'composite', text: '${LogBucket.Arn}/*', references: [{ name: 'LogBucket', attribute: 'Arn', via: 'Sub' }], when: [] },
    ]);
  });

  test('a Join or Sub of literals only is a literal', () => {
    // Act
    const joined = resolve({ 'Fn::Join': ['-', ['team', 'logs']] }, scope());
    const escaped = resolve({ 'Fn::Sub': 'logs/${!aws:username}' }, scope());

    // Assess
    expect(joined).toStrictEqual<Resolution[]>([{ kind: 'literal', value: 'team-logs', when: [] }]);
    expect(escaped).toStrictEqual<Resolution[]>([{ kind: 'literal', value: 'logs/${aws:username}', when: [] }]);
  });

  test('Sub "${X.Arn}" of a name the template does not define is unknown, spelled as the GetAtt it stands for', () => {
    // Act
    const missing = resolve({ 'Fn::Sub': '${Missing.Arn}' }, scope());
    const parameterAttribute = resolve({ 'Fn::Sub': '${Env.Arn}' }, scope());

    // Assess
    expect(missing).toStrictEqual<Resolution[]>([{ kind: 'unknown', value: { 'Fn::GetAtt': ['Missing', 'Arn'] }, when: [] }]);
    expect(parameterAttribute).toStrictEqual<Resolution[]>([{ kind: 'unknown', value: { 'Fn::GetAtt': ['Env', 'Arn'] }, when: [] }]);
  });

  test('a Join holding a Fn::If is unknown as a whole', () => {
    // Prepare
    const value: Json = { 'Fn::Join': ['', [{ 'Fn::If': ['UseCmk', 'a', 'b'] }, '-x']] };

    // Act
    const result = resolve(value, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'unknown', value, when: [] }]);
  });
});

describe('resolve: Select', () => {
  test.each<[string, Json]>([
    ['a number', 1],
    ['a numeric string', '1'],
  ])('picks the element whose index is %s, and resolves it', (_name, index) => {
    // Act
    const result = resolve({ 'Fn::Select': [index, ['literal', { Ref: 'LogBucket' }]] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [] }]);
  });

  test('an index out of range, or a list computed at deploy time, is unknown', () => {
    // Prepare
    const outOfRange: Json = { 'Fn::Select': [2, ['a', 'b']] };
    const computed: Json = { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] };

    // Act
    const results = [resolve(outOfRange, scope()), resolve(computed, scope())];

    // Assess
    expect(results).toStrictEqual<Resolution[][]>([
      [{ kind: 'unknown', value: outOfRange, when: [] }],
      [{ kind: 'unknown', value: computed, when: [] }],
    ]);
  });
});

describe('resolve: Fn::If', () => {
  test('gives one value per branch, each under the guard that selects it', () => {
    // Act
    const result = resolve({ 'Fn::If': ['UseCmk', { 'Fn::GetAtt': ['Key', 'Arn'] }, { Ref: 'AWS::NoValue' }] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([
      { kind: 'resource', id: 'Key', attribute: 'Arn', when: [{ condition: 'UseCmk', holds: true }] },
      { kind: 'no-value', when: [{ condition: 'UseCmk', holds: false }] },
    ]);
  });

  test('a nested Fn::If carries both guards, outer first', () => {
    // Prepare
    const value: Json = {
      'Fn::If': ['UseCmk', { 'Fn::If': ['InEu', { Ref: 'Key' }, { Ref: 'KeyArn' }] }, 'alias/aws/s3'],
    };

    // Act
    const result = resolve(value, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([
      { kind: 'resource', id: 'Key', when: [{ condition: 'UseCmk', holds: true }, { condition: 'InEu', holds: true }] },
      { kind: 'parameter', name: 'KeyArn', when: [{ condition: 'UseCmk', holds: true }, { condition: 'InEu', holds: false }] },
      { kind: 'literal', value: 'alias/aws/s3', when: [{ condition: 'UseCmk', holds: false }] },
    ]);
  });

  test('a Fn::If inside a Select is followed through the selected element', () => {
    // Act
    const result = resolve({ 'Fn::Select': [0, [{ 'Fn::If': ['UseCmk', { Ref: 'Key' }, { Ref: 'AWS::NoValue' }] }]] }, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([
      { kind: 'resource', id: 'Key', when: [{ condition: 'UseCmk', holds: true }] },
      { kind: 'no-value', when: [{ condition: 'UseCmk', holds: false }] },
    ]);
  });

  test('a malformed Fn::If is unknown', () => {
    // Prepare
    const value: Json = { 'Fn::If': ['UseCmk', { Ref: 'Key' }] };

    // Act
    const result = resolve(value, scope());

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'unknown', value, when: [] }]);
  });
});

describe('resolve: literals and other values', () => {
  test('strings, numbers and booleans are literals; a missing value is no value', () => {
    // Act
    const results = [resolve('my-logs', scope()), resolve(30, scope()), resolve(true, scope()), resolve(undefined, scope())];

    // Assess
    expect(results).toStrictEqual<Resolution[][]>([
      [{ kind: 'literal', value: 'my-logs', when: [] }],
      [{ kind: 'literal', value: 30, when: [] }],
      [{ kind: 'literal', value: true, when: [] }],
      [{ kind: 'no-value', when: [] }],
    ]);
  });

  test('objects, lists and other intrinsics are unknown', () => {
    // Prepare
    const values: Json[] = [{ Key: 'Value' }, ['a'], null, { 'Fn::ImportValue': 'shared-key-arn' }];

    // Act
    const results = values.map((v) => resolve(v, scope()));

    // Assess
    expect(results).toStrictEqual<Resolution[][]>(values.map((value) => [{ kind: 'unknown', value, when: [] }]));
  });

  test('guards passed in are kept on every result', () => {
    // Act
    const result = resolve({ Ref: 'LogBucket' }, scope(), [{ condition: 'InEu', holds: false }]);

    // Assess
    expect(result).toStrictEqual<Resolution[]>([{ kind: 'resource', id: 'LogBucket', when: [{ condition: 'InEu', holds: false }] }]);
  });
});

describe('resolvedResources', () => {
  test('lists only the resources among the branches, with their guards', () => {
    // Act
    const found = resolvedResources({ 'Fn::If': ['UseCmk', { 'Fn::GetAtt': ['Key', 'Arn'] }, { Ref: 'KeyArn' }] }, scope());

    // Assess
    expect(found).toStrictEqual([{ id: 'Key', attribute: 'Arn', when: [{ condition: 'UseCmk', holds: true }] }]);
  });
});
