/**
 * Intrinsic functions as rules meet them: which names an expression points at, and one
 * canonical spelling so that `!Ref X`, `!Sub "${X}"` and `!Join ["", [!Ref X]]` compare equal.
 */
import { canonicalString, getAttParts, isIntrinsic, references, type Reference } from '../../macro/template/intrinsics';
import type { Json } from '../../macro/template/json';

describe('references', () => {
  test('finds the name a Ref points at', () => {
    // Act
    const found = references({ Ref: 'LogBucket' });

    // Assess
    expect(found).toStrictEqual<Reference[]>([{ name: 'LogBucket', via: 'Ref' }]);
  });

  test('finds resource and attribute of a GetAtt in list form', () => {
    // Act
    const found = references({ 'Fn::GetAtt': ['Key', 'Arn'] });

    // Assess
    expect(found).toStrictEqual<Reference[]>([{ name: 'Key', attribute: 'Arn', via: 'GetAtt' }]);
  });

  test('finds resource and attribute of a GetAtt in dotted form, keeping a dotted attribute whole', () => {
    // Act
    const simple = references({ 'Fn::GetAtt': 'Key.Arn' });
    const nested = references({ 'Fn::GetAtt': 'Db.Endpoint.Address' });

    // Assess
    expect(simple).toStrictEqual<Reference[]>([{ name: 'Key', attribute: 'Arn', via: 'GetAtt' }]);
    expect(nested).toStrictEqual<Reference[]>([{ name: 'Db', attribute: 'Endpoint.Address', via: 'GetAtt' }]);
  });

  test('finds the resource of a GetAtt whose attribute name is given by a Ref', () => {
    // Prepare: CloudFormation allows Ref for the attribute name, never for the resource.
    const value: Json = { 'Fn::GetAtt': ['Db', { Ref: 'AttributeName' }] };

    // Act
    const found = references(value);

    // Assess
    expect(found).toStrictEqual<Reference[]>([
      { name: 'Db', via: 'GetAtt' },
      { name: 'AttributeName', via: 'Ref' },
    ]);
  });

  test('finds ${X} and ${X.Attr} placeholders of a Sub string, in order', () => {
    // Act
    const found = references({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}/${Prefix.Value}' });

    // Assess
    expect(found).toStrictEqual<Reference[]>([
      { name: 'AWS::Partition', via: 'Sub' },
      { name: 'Data', via: 'Sub' },
      { name: 'Prefix', attribute: 'Value', via: 'Sub' },
    ]);
  });

  test('does not count ${!Literal} as a reference', () => {
    // Act
    const found = references({ 'Fn::Sub': 'arn:aws:s3:::${Data}/${!aws:username}/*' });

    // Assess
    expect(found).toStrictEqual<Reference[]>([{ name: 'Data', via: 'Sub' }]);
  });

  test('leaves out names bound by the Sub variable map, and follows the values of that map', () => {
    // Prepare
    const value: Json = { 'Fn::Sub': ['${Bucket.Arn}/${Prefix}', { Prefix: { Ref: 'PrefixParam' } }] };

    // Act
    const found = references(value);

    // Assess
    expect(found).toStrictEqual<Reference[]>([
      { name: 'Bucket', attribute: 'Arn', via: 'Sub' },
      { name: 'PrefixParam', via: 'Ref' },
    ]);
  });

  test('a Sub variable that shadows a resource name is local, not a reference to that resource', () => {
    // Act
    const found = references({ 'Fn::Sub': ['${Data}-copy', { Data: 'literal-name' }] });

    // Assess
    expect(found).toStrictEqual<Reference[]>([]);
  });

  test('a Sub in list form without a variable map finds its placeholders', () => {
    // Act
    const found = references({ 'Fn::Sub': ['${Data.Arn}'] });

    // Assess
    expect(found).toStrictEqual<Reference[]>([{ name: 'Data', attribute: 'Arn', via: 'Sub' }]);
  });

  test('finds references in every branch of Fn::If and inside Fn::Join', () => {
    // Prepare
    const value: Json = {
      'Fn::If': [
        'UseCmk',
        { 'Fn::Join': ['', ['arn:aws:kms:', { Ref: 'AWS::Region' }, ':', { 'Fn::GetAtt': ['Key', 'Arn'] }]] },
        { Ref: 'AWS::NoValue' },
      ],
    };

    // Act
    const found = references(value);

    // Assess: the condition name `UseCmk` is not a reference.
    expect(found).toStrictEqual<Reference[]>([
      { name: 'AWS::Region', via: 'Ref' },
      { name: 'Key', attribute: 'Arn', via: 'GetAtt' },
      { name: 'AWS::NoValue', via: 'Ref' },
    ]);
  });

  test('walks plain objects and lists at any depth', () => {
    // Prepare
    const value: Json = { Targets: [{ Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Id: 'q' }], Role: { Ref: 'EventsRole' } };

    // Act
    const found = references(value);

    // Assess
    expect(found).toStrictEqual<Reference[]>([
      { name: 'Queue', attribute: 'Arn', via: 'GetAtt' },
      { name: 'EventsRole', via: 'Ref' },
    ]);
  });

  test('finds nothing in literals, in undefined, or in an object that has Ref beside other keys', () => {
    // Act
    const inLiterals = references({ Name: 'Ref', Count: 3, Enabled: true, Nothing: null, List: ['Data'] });
    const inUndefined = references(undefined);
    const notAnIntrinsic = references({ Ref: 'Data', Other: 1 });

    // Assess
    expect(inLiterals).toStrictEqual([]);
    expect(inUndefined).toStrictEqual([]);
    expect(notAnIntrinsic).toStrictEqual([]);
  });
});

describe('canonicalString', () => {
  test.each<[string, Json]>([
    ['Fn::Sub string', { 'Fn::Sub': '${Data.Arn}/*' }],
    ['Fn::Join of a list-form GetAtt', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Data', 'Arn'] }, '/*']] }],
    ['Fn::Join with a separator and a dotted GetAtt', { 'Fn::Join': ['/', [{ 'Fn::GetAtt': 'Data.Arn' }, '*']] }],
    ['Fn::Sub with a variable bound to a GetAtt', { 'Fn::Sub': ['${A}/*', { A: { 'Fn::GetAtt': ['Data', 'Arn'] } }] }],
    ['Fn::Sub with variables bound to a GetAtt and a literal', { 'Fn::Sub': ['${A}/${B}', { A: { 'Fn::GetAtt': ['Data', 'Arn'] }, B: '*' }] }],
    ['Fn::Sub of a Fn::Join', { 'Fn::Sub': ['${A}', { A: { 'Fn::Join': ['', [{ 'Fn::Sub': '${Data.Arn}' }, '/*']] } }] }],
  ])('spells the objects ARN of a bucket the same way from a %s', (_name, value) => {
    // Act
    const canon = canonicalString(value);

    // Assess
    expect(canon).toStrictEqual({ 'Fn::Sub': '${Data.Arn}/*' });
  });

  test.each<[string, Json]>([
    ['Ref', { Ref: 'Data' }],
    ['Sub', { 'Fn::Sub': '${Data}' }],
    ['Join of one Ref', { 'Fn::Join': ['', [{ Ref: 'Data' }]] }],
    ['Join of a Ref and an empty string', { 'Fn::Join': ['', [{ Ref: 'Data' }, '']] }],
  ])('spells a whole reference the same way from a %s', (_name, value) => {
    // Act
    const canon = canonicalString(value);

    // Assess
    expect(canon).toStrictEqual({ 'Fn::Sub': '${Data}' });
  });

  test('keeps literals literal, joining literal lists and writing numbers and booleans as text', () => {
    // Act
    const plain = canonicalString('my-bucket');
    const joined = canonicalString({ 'Fn::Join': ['-', ['team', 'data', 3]] });
    const subWithoutVariables = canonicalString({ 'Fn::Sub': 'just-text' });
    const boolean = canonicalString(false);

    // Assess
    expect(plain).toBe('my-bucket');
    expect(joined).toBe('team-data-3');
    expect(subWithoutVariables).toBe('just-text');
    expect(boolean).toBe('false');
  });

  test('a literal containing "${" stays a literal, equal to its escaped Sub spelling', () => {
    // Prepare: `${aws:username}` is an IAM policy variable, written literally.
    const literal = 'arn:aws:s3:::data/${aws:username}/*';
    const escaped: Json = { 'Fn::Sub': 'arn:aws:s3:::data/${!aws:username}/*' };

    // Act
    const fromLiteral = canonicalString(literal);
    const fromEscaped = canonicalString(escaped);

    // Assess
    expect(fromLiteral).toBe('arn:aws:s3:::data/${aws:username}/*');
    expect(fromEscaped).toBe('arn:aws:s3:::data/${aws:username}/*');
  });

  test('escapes a literal "${" beside real placeholders, whether it came from a Join or a Sub', () => {
    // Prepare
    const joined: Json = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::data/${aws:username}']] };
    const sub: Json = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::data/${!aws:username}' };

    // Act
    const fromJoin = canonicalString(joined);
    const fromSub = canonicalString(sub);

    // Assess
    expect(fromJoin).toStrictEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::data/${!aws:username}' });
    expect(fromSub).toStrictEqual(fromJoin);
  });

  test('leaves Fn::If alone, even when both branches are equal', () => {
    // Prepare
    const value: Json = { 'Fn::If': ['IsProd', { Ref: 'Data' }, { Ref: 'Data' }] };

    // Act
    const canon = canonicalString(value);

    // Assess
    expect(canon).toBe(value);
    expect(canon).not.toStrictEqual({ 'Fn::Sub': '${Data}' });
  });

  test('leaves a Join or Sub alone when one of its parts cannot be spelled as text', () => {
    // Prepare
    const join: Json = { 'Fn::Join': ['', [{ 'Fn::If': ['IsProd', 'a', 'b'] }, '-x']] };
    const sub: Json = { 'Fn::Sub': ['${A}-x', { A: { 'Fn::Select': [0, ['a', 'b']] } }] };
    const joinOfIntrinsicList: Json = { 'Fn::Join': [',', { 'Fn::GetAZs': '' }] };

    // Act & Assess
    expect(canonicalString(join)).toBe(join);
    expect(canonicalString(sub)).toBe(sub);
    expect(canonicalString(joinOfIntrinsicList)).toBe(joinOfIntrinsicList);
  });
});

describe('getAttParts', () => {
  test.each<[string, Json, [string, string] | undefined]>([
    ['dotted form', 'Key.Arn', ['Key', 'Arn']],
    ['dotted form with a dotted attribute', 'Db.Endpoint.Address', ['Db', 'Endpoint.Address']],
    ['list form', ['Key', 'Arn'], ['Key', 'Arn']],
    ['list form with a dotted attribute', ['Db', 'Endpoint.Address'], ['Db', 'Endpoint.Address']],
    ['a string without a dot', 'Key', undefined],
    ['a string starting with a dot', '.Arn', undefined],
    ['a list with an intrinsic attribute', ['Db', { Ref: 'Attr' }], undefined],
    ['a list of one', ['Key'], undefined],
    ['a list of three', ['Key', 'Arn', 'Extra'], undefined],
    ['a number', 3, undefined],
  ])('%s', (_name, arg, expected) => {
    // Act
    const parts = getAttParts(arg);

    // Assess
    expect(parts).toStrictEqual(expected);
  });
});

describe('isIntrinsic', () => {
  test.each<[string, unknown]>([
    ['Ref', { Ref: 'Data' }],
    ['Fn::Sub', { 'Fn::Sub': '${Data}' }],
    ['Fn::If', { 'Fn::If': ['IsProd', 1, 2] }],
    ['Fn::ImportValue', { 'Fn::ImportValue': 'shared-key' }],
    ['a Condition reference', { Condition: 'IsProd' }],
  ])('recognises %s', (_name, value) => {
    expect(isIntrinsic(value)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['an object with Ref beside another key', { Ref: 'Data', Other: 1 }],
    ['an empty object', {}],
    ['an object with an ordinary key', { BucketName: 'x' }],
    ['a string', 'Fn::Sub'],
    ['a list', [{ Ref: 'Data' }]],
    ['null', null],
    ['undefined', undefined],
  ])('does not take %s for an intrinsic', (_name, value) => {
    expect(isIntrinsic(value)).toBe(false);
  });
});
