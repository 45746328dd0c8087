/**
 * Behaviour of the template reader/writer as a platform engineer meets it: short forms,
 * values YAML would otherwise corrupt, errors that point at the right line, and output
 * that reads back to the same template.
 */
import fc from 'fast-check';
import { YAMLError } from 'yaml';
import {
  TemplateParseError,
  detectFormat,
  parseTemplate,
  serializeTemplate,
  type ParsedTemplate,
} from '../../macro/template/yaml';

/** Parses a YAML snippet and returns the value of its `Value` key. */
function valueOf(yamlSnippet: string): unknown {
  const parsed = parseTemplate(yamlSnippet, { file: 'snippet.yaml', format: 'yaml' });
  return (parsed.value as Record<string, unknown>).Value;
}

/** Runs `action` and returns the TemplateParseError it throws, failing the test otherwise. */
function parseErrorOf(action: () => unknown): TemplateParseError {
  try {
    action();
  } catch (error) {
    if (error instanceof TemplateParseError) return error;
    throw error;
  }
  throw new Error('expected a TemplateParseError, but nothing was thrown');
}

function yamlRoundTrip(value: unknown): unknown {
  return parseTemplate(serializeTemplate(value, 'yaml'), { format: 'yaml' }).value;
}

describe('detectFormat', () => {
  it.each([
    ['a .json file name wins over YAML content', 'Resources: {}', 'stack.json', 'json'],
    ['a .JSON file name is case-insensitive', 'Resources: {}', 'STACK.JSON', 'json'],
    ['.yaml with a leading brace is JSON by content', '  {"Resources": {}}', 'stack.yaml', 'json'],
    ['.yml with YAML content', 'Resources: {}', 'stack.yml', 'yaml'],
    ['.template with JSON content', '\n{ "Resources": {} }', 'stack.template', 'json'],
    ['.template with YAML content', 'AWSTemplateFormatVersion: "2010-09-09"', 'stack.template', 'yaml'],
    ['no file name, JSON content behind a byte order mark', '\uFEFF{}', undefined, 'json'],
    ['no file name, YAML starting with a comment', '# {not json}\nResources: {}', undefined, 'yaml'],
    ['empty text', '', undefined, 'yaml'],
  ])('%s', (_name, text, fileName, expected) => {
    // Act
    const format = detectFormat(text, fileName);

    // Assess
    expect(format).toBe(expected);
  });

  it('is used by parseTemplate when no format is given', () => {
    // Prepare
    const yamlLookingLikeJsonByName = '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}';

    // Act
    const parsed = parseTemplate(yamlLookingLikeJsonByName, { file: 'stack.template' });

    // Assess
    expect(parsed.format).toBe('json');
  });
});

describe('parseTemplate: YAML short forms', () => {
  it.each([
    ['!Ref', 'Ref'],
    ['!Condition', 'Condition'],
    ['!Sub', 'Fn::Sub'],
    ['!If', 'Fn::If'],
    ['!Join', 'Fn::Join'],
    ['!Select', 'Fn::Select'],
    ['!Split', 'Fn::Split'],
    ['!FindInMap', 'Fn::FindInMap'],
    ['!Base64', 'Fn::Base64'],
    ['!Cidr', 'Fn::Cidr'],
    ['!ImportValue', 'Fn::ImportValue'],
    ['!GetAZs', 'Fn::GetAZs'],
    ['!Equals', 'Fn::Equals'],
    ['!And', 'Fn::And'],
    ['!Or', 'Fn::Or'],
    ['!Not', 'Fn::Not'],
    ['!Transform', 'Fn::Transform'],
    ['!Length', 'Fn::Length'],
    ['!ToJsonString', 'Fn::ToJsonString'],
  ])('%s on a scalar becomes {"%s": scalar}', (tag, longForm) => {
    // Act
    const value = valueOf(`Value: ${tag} some-text\n`);

    // Assess
    expect(value).toEqual({ [longForm]: 'some-text' });
  });

  it.each(['!Sub', '!If', '!Join', '!Select', '!Split', '!FindInMap', '!Cidr', '!Equals', '!And', '!Or', '!Not', '!Length', '!ToJsonString'])(
    '%s works on a block sequence and a flow sequence alike',
    (tag) => {
      // Prepare
      const block = `Value: ${tag}\n  - a\n  - b\n`;
      const flow = `Value: ${tag} [a, b]\n`;

      // Act
      const fromBlock = valueOf(block);
      const fromFlow = valueOf(flow);

      // Assess
      const expected = { [`Fn::${tag.slice(1)}`]: ['a', 'b'] };
      expect(fromBlock).toEqual(expected);
      expect(fromFlow).toEqual(expected);
    },
  );

  it.each(['!Transform', '!ToJsonString', '!ImportValue'])('%s works on a mapping', (tag) => {
    // Prepare
    const snippet = `Value: ${tag}\n  Name: AWS::Include\n  Parameters:\n    Location: s3://bucket/snippet.yaml\n`;

    // Act
    const value = valueOf(snippet);

    // Assess
    expect(value).toEqual({
      [`Fn::${tag.slice(1)}`]: { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/snippet.yaml' } },
    });
  });

  it('!Ref with a pseudo parameter keeps the colons', () => {
    // Act
    const value = valueOf('Value: !Ref AWS::AccountId\n');

    // Assess
    expect(value).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('!GetAtt Resource.Attribute splits into a two-element list', () => {
    // Act
    const value = valueOf('Value: !GetAtt Bucket.Arn\n');

    // Assess
    expect(value).toEqual({ 'Fn::GetAtt': ['Bucket', 'Arn'] });
  });

  it('!GetAtt splits at the first dot only, so dotted attribute names survive', () => {
    // Act
    const value = valueOf('Value: !GetAtt Database.Endpoint.Address\n');

    // Assess
    expect(value).toEqual({ 'Fn::GetAtt': ['Database', 'Endpoint.Address'] });
  });

  it('!GetAtt on a sequence stays a list, including a nested !Ref attribute name', () => {
    // Act
    const value = valueOf('Value: !GetAtt [Bucket, !Ref AttributeName]\n');

    // Assess
    expect(value).toEqual({ 'Fn::GetAtt': ['Bucket', { Ref: 'AttributeName' }] });
  });

  it('!GetAtt without a dot gives a one-element list for validation to reject later', () => {
    // Act
    const value = valueOf('Value: !GetAtt Bucket\n');

    // Assess
    expect(value).toEqual({ 'Fn::GetAtt': ['Bucket'] });
  });

  it('!Sub with a variable map nests other short forms', () => {
    // Act
    const value = valueOf('Value: !Sub [ "x-${A}-${B}", { A: !Ref Env, B: !GetAtt Queue.Arn } ]\n');

    // Assess
    expect(value).toEqual({
      'Fn::Sub': ['x-${A}-${B}', { A: { Ref: 'Env' }, B: { 'Fn::GetAtt': ['Queue', 'Arn'] } }],
    });
  });

  it('!If nests !Ref AWS::NoValue and !Join nests !Select and !Split', () => {
    // Prepare
    const snippet = [
      'Value: !If',
      '  - IsProd',
      '  - !Join [",", [!Select [0, !Split ["/", !Ref Path]], !Select [0, !GetAZs ""]]]',
      '  - !Ref AWS::NoValue',
      '',
    ].join('\n');

    // Act
    const value = valueOf(snippet);

    // Assess
    expect(value).toEqual({
      'Fn::If': [
        'IsProd',
        {
          'Fn::Join': [
            ',',
            [
              { 'Fn::Select': [0, { 'Fn::Split': ['/', { Ref: 'Path' }] }] },
              { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
            ],
          ],
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });

  it('a short form inside the full form of another function is accepted (the documented way to nest)', () => {
    // Act
    const value = valueOf('Value:\n  Fn::Base64: !Sub |\n    #!/bin/bash\n    echo ${AWS::Region}\n');

    // Assess
    expect(value).toEqual({ 'Fn::Base64': { 'Fn::Sub': '#!/bin/bash\necho ${AWS::Region}\n' } });
  });

  it('a full form inside a short form is accepted too', () => {
    // Act
    const value = valueOf('Value: !Base64\n  Fn::Sub: "${AWS::StackName}"\n');

    // Assess
    expect(value).toEqual({ 'Fn::Base64': { 'Fn::Sub': '${AWS::StackName}' } });
  });

  it('two short forms in a row (!Base64 !Sub) are rejected with the fix, as CloudFormation does', () => {
    // Prepare
    const text = 'Resources:\n  I:\n    UserData: !Base64 !Sub "echo ${AWS::Region}"\n';

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'stack.yaml' }));

    // Assess
    expect(error.message).toMatch(/^stack\.yaml:3:23: a node can have only one tag/);
    expect(error.message).toContain('Fn::Base64: !Sub');
  });

  it('an unknown tag is an error at the tag, not a silently passed-through string', () => {
    // Prepare
    const text = 'Resources:\n  Topic:\n    Type: !Foo AWS::SNS::Topic\n';

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'stack.yaml' }));

    // Assess
    expect(error.message).toMatch(/^stack\.yaml:3:11: unknown tag !Foo; CloudFormation accepts only the short forms !Ref, /);
    expect([error.line, error.column]).toEqual([3, 11]);
  });

  it('an unknown tag on a sequence is an error too', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('Value: !Contains [a, b]\n', { file: 'rules.yaml' }));

    // Assess
    expect(error.message).toMatch(/^rules\.yaml:1:8: unknown tag !Contains/);
  });

  it('YAML types that are not JSON data (!!binary) are rejected', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('Value: !!binary aGVsbG8=\n', { file: 'stack.yaml' }));

    // Assess
    expect(error.message).toMatch(/^stack\.yaml:1:\d+: unsupported tag !!binary/);
  });

  it('standard tags that keep JSON data (!!str) are accepted', () => {
    // Act
    const value = valueOf('Value: [!!str 123, !!int "42"]\n');

    // Assess
    expect(value).toEqual(['123', 42]);
  });
});

describe('parseTemplate: YAML scalars CloudFormation reads differently from YAML 1.1', () => {
  it('an unquoted account id with a leading zero keeps every digit as a string', () => {
    // Prepare
    const text = [
      'Mappings:',
      '  Accounts:',
      '    Prod:',
      '      Id: 012345678901',
      '      Ids: [012345678901, 000000000000]',
      '      Octalish: 0755',
      '',
    ].join('\n');

    // Act
    const { value } = parseTemplate(text, { format: 'yaml' });

    // Assess
    expect(value).toEqual({
      Mappings: { Accounts: { Prod: { Id: '012345678901', Ids: ['012345678901', '000000000000'], Octalish: '0755' } } },
    });
  });

  it('an account id used as a mapping key keeps its leading zero', () => {
    // Act
    const value = valueOf('Value:\n  012345678901: prod\n  123456789012: dev\n');

    // Assess
    expect(value).toEqual({ '012345678901': 'prod', '123456789012': 'dev' });
  });

  it.each(['2010-09-09', '"2010-09-09"', "'2010-09-09'"])(
    'AWSTemplateFormatVersion: %s stays the string 2010-09-09',
    (written) => {
      // Act
      const { value } = parseTemplate(`AWSTemplateFormatVersion: ${written}\n`, { format: 'yaml' });

      // Assess
      expect(value).toEqual({ AWSTemplateFormatVersion: '2010-09-09' });
    },
  );

  it('a timestamp with a time stays a string', () => {
    // Act
    const value = valueOf('Value: 2024-01-02T03:04:05Z\n');

    // Assess
    expect(value).toBe('2024-01-02T03:04:05Z');
  });

  it.each(['yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'On', 'OFF'])('%s stays a string', (word) => {
    // Act
    const value = valueOf(`Value: ${word}\n`);

    // Assess
    expect(value).toBe(word);
  });

  it('true, false and null (YAML 1.2 spellings) are booleans and null', () => {
    // Act
    const value = valueOf('Value: [true, false, True, FALSE, null, ~, ]\n');

    // Assess
    expect(value).toEqual([true, false, true, false, null, null]);
  });

  it('a key with no value is null', () => {
    // Act
    const { value } = parseTemplate('Outputs:\n', { format: 'yaml' });

    // Assess
    expect(value).toEqual({ Outputs: null });
  });

  it('numbers that print back exactly stay numbers', () => {
    // Act
    const value = valueOf('Value: [0, 5, -1, 3.5, 0.25, 9007199254740991, 1e+21]\n');

    // Assess
    expect(value).toEqual([0, 5, -1, 3.5, 0.25, Number.MAX_SAFE_INTEGER, 1e21]);
  });

  it.each([
    ['an integer beyond Number.MAX_SAFE_INTEGER', '12345678901234567890'],
    ['a version with a trailing zero', '1.10'],
    ['an engine version like 8.0', '8.0'],
    ['a hexadecimal literal', '0x1F'],
    ['a YAML 1.2 octal literal', '0o17'],
    ['an exponent not written the way JavaScript prints it', '1e3'],
    ['an explicit plus sign', '+12'],
    ['negative zero', '-0'],
    ['infinity', '.inf'],
    ['not-a-number', '.nan'],
  ])('%s keeps its source text (%s)', (_name, written) => {
    // Act
    const value = valueOf(`Value: ${written}\n`);

    // Assess
    expect(value).toBe(written);
  });

  it('multi-line block literals keep their text exactly', () => {
    // Prepare
    const text = ['Value: |', '  import json', '  def handler(event, context):', '      return {"ok": True}', ''].join('\n');

    // Act
    const value = valueOf(text);

    // Assess
    expect(value).toBe('import json\ndef handler(event, context):\n    return {"ok": True}\n');
  });
});

describe('parseTemplate: anchors and aliases', () => {
  it('resolves aliases into independent copies, so mutating one place does not change another', () => {
    // Prepare
    const text = [
      'Tags: &tags',
      '  - Key: team',
      '    Value: platform',
      'Resources:',
      '  A: {Type: AWS::SNS::Topic, Properties: {Tags: *tags}}',
      '  B: {Type: AWS::SQS::Queue, Properties: {Tags: *tags}}',
      '',
    ].join('\n');

    // Act
    const template = parseTemplate(text, { format: 'yaml' }).value as {
      Resources: Record<string, { Properties: { Tags: Array<Record<string, string>> } }>;
    };
    template.Resources.A!.Properties.Tags[0]!.Value = 'changed';

    // Assess
    expect(template.Resources.B!.Properties.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
  });

  it('an alias refers to the latest anchor of that name before it', () => {
    // Prepare
    const text = 'A: &x 1\nB: *x\nC: &x 2\nD: *x\n';

    // Act
    const { value } = parseTemplate(text, { format: 'yaml' });

    // Assess
    expect(value).toEqual({ A: 1, B: 1, C: 2, D: 2 });
  });

  it('an alias to a node that contains it is an error instead of endless recursion', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('A: &loop [1, *loop]\n', { file: 'loop.yaml' }));

    // Assess
    expect(error.message).toBe('loop.yaml:1:14: alias *loop refers to a node that contains it');
  });

  it('an exponential alias bomb ("billion laughs") is stopped quickly', () => {
    // Prepare
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const started = Date.now();

    // Act
    const error = parseErrorOf(() => parseTemplate(`${lines.join('\n')}\n`, { file: 'bomb.yaml' }));

    // Assess
    expect(error.message).toMatch(/aliases expand to more than \d+ nodes/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an alias to an undefined anchor is an error', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('A: *missing\n', { file: 'stack.yaml' }));

    // Assess
    expect(error.message).toMatch(/^stack\.yaml:1:4: .*missing/);
  });
});

describe('parseTemplate: duplicate keys', () => {
  it('two Resources sections in YAML name the key and both lines', () => {
    // Prepare
    const text = [
      'Resources:',
      '  A:',
      '    Type: AWS::SNS::Topic',
      'Outputs: {}',
      'Resources:',
      '  B:',
      '    Type: AWS::SQS::Queue',
      '',
    ].join('\n');

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'template.yaml' }));

    // Assess
    expect(error.message).toBe('template.yaml:5:1: duplicate key "Resources" (first at line 1, again at line 5)');
    expect([error.line, error.column]).toEqual([5, 1]);
  });

  it('a repeated logical id in YAML names it and both lines', () => {
    // Prepare
    const text = [
      'Resources:',
      '  Bucket:',
      '    Type: AWS::S3::Bucket',
      '  Queue:',
      '    Type: AWS::SQS::Queue',
      '  Bucket:',
      '    Type: AWS::S3::Bucket',
      '',
    ].join('\n');

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'template.yaml' }));

    // Assess
    expect(error.message).toBe('template.yaml:6:3: duplicate key "Bucket" (first at line 2, again at line 6)');
  });

  it('a repeated property in a YAML flow mapping is found too', () => {
    // Prepare
    const text = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: a, BucketName: b}\n';

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'template.yaml' }));

    // Assess
    expect(error.message).toBe('template.yaml:4:33: duplicate key "BucketName" (first at line 4, again at line 4)');
  });

  it('keys that differ only in quoting are the same key', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('123: a\n"123": b\n', { file: 'template.yaml' }));

    // Assess
    expect(error.message).toBe('template.yaml:2:1: duplicate key "123" (first at line 1, again at line 2)');
  });

  it('two Resources sections in JSON name the key and both lines (JSON.parse would keep the last silently)', () => {
    // Prepare
    const text = ['{', '  "Resources": {},', '  "Resources": {', '    "B": {"Type": "AWS::SQS::Queue"}', '  }', '}', ''].join('\n');

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'template.json' }));

    // Assess
    expect(error.message).toBe('template.json:3:3: duplicate key "Resources" (first at line 2, again at line 3)');
  });

  it('a repeated property deep inside JSON is reported', () => {
    // Prepare
    const text = '{"Resources": {"B": {"Type": "AWS::S3::Bucket",\n  "Properties": {"BucketName": "a",\n\n "BucketName": "b"}}}}';

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'template.json' }));

    // Assess
    expect(error.message).toBe('template.json:4:2: duplicate key "BucketName" (first at line 2, again at line 4)');
  });
});

describe('parseTemplate: syntax errors point at file:line:col', () => {
  it('invalid YAML wraps the yaml error as the cause', () => {
    // Prepare
    const text = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n   Properties: {}\n';

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'bad.yaml' }));

    // Assess
    expect(error.message).toMatch(/^bad\.yaml:4:\d+: \S/);
    expect(error.line).toBe(4);
    expect(error.file).toBe('bad.yaml');
    expect(error.cause).toBeInstanceOf(YAMLError);
    expect(error.name).toBe('TemplateParseError');
    expect(error).toBeInstanceOf(Error);
  });

  it('tabs used as YAML indentation are reported where they are', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('Resources:\n\tA: 1\n', { file: 'tabs.yaml' }));

    // Assess
    expect(error.message).toMatch(/^tabs\.yaml:2:1: .*[Tt]ab/);
  });

  it.each([
    ['a trailing comma', '{\n  "Resources": {},\n}', 'stack.json:3:1: trailing comma before "}"'],
    ['a missing comma', '{\n  "A": 1\n  "B": 2\n}', 'stack.json:3:3: unexpected character "\\"" after a property value (expected "," or "}")'],
    ['an unquoted key', '{\n  Resources: {}\n}', 'stack.json:2:3: unexpected character "R" where a property name in double quotes was expected'],
    ['single quotes', "{'A': 1}", 'stack.json:1:2: unexpected character "\'" where a property name in double quotes was expected'],
    ['a comment', '{\n  // nope\n}', 'stack.json:2:3: comments are not allowed in JSON'],
    ['an unterminated string', '{"A": "abc', 'stack.json:1:7: unterminated string'],
    ['a raw line break in a string', '{"A": "ab\ncd"}', 'stack.json:1:7: unterminated string (line break inside a string; use \\n)'],
    ['a bad escape', '{"A": "a\\qb"}', 'stack.json:1:9: invalid escape \\q in string'],
    ['an unquoted account id', '{"A": 012345678901}', 'stack.json:1:7: numbers must not have leading zeros in JSON; quote values such as account ids ("012345678901")'],
    ['a truncated document', '{"A": [1, 2', 'stack.json:1:12: unexpected end of input'],
    ['content after the template', '{}\n{}', 'stack.json:2:1: unexpected character "{" after the end of the template'],
    ['a misspelt literal', '{"A": tru}', 'stack.json:1:7: unexpected character "t" where a value was expected'],
  ])('invalid JSON with %s', (_name, text, expected) => {
    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'stack.json' }));

    // Assess
    expect(error.message).toBe(expected);
  });

  it('a JSON error carries line and column as fields too', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('{\n  "A": 1,\n  "B": }\n', { file: 'stack.json' }));

    // Assess
    expect(error).toMatchObject({ file: 'stack.json', line: 3, column: 8, name: 'TemplateParseError' });
  });

  it('two YAML documents in one file are an error at the second', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('Resources: {}\n---\nResources: {}\n', { file: 'multi.yaml' }));

    // Assess
    expect(error.message).toMatch(/^multi\.yaml:2:1: a template file must contain a single YAML document/);
  });

  it('a single document with explicit start and end markers is fine', () => {
    // Act
    const { value } = parseTemplate('---\nResources: {}\n...\n', { format: 'yaml' });

    // Assess
    expect(value).toEqual({ Resources: {} });
  });

  it.each([
    ['a YAML sequence', '- Resources\n', 'yaml', 'a sequence'],
    ['a YAML string', 'just words\n', 'yaml', 'a string'],
    ['an empty YAML file', '', 'yaml', 'empty'],
    ['a YAML file with only comments', '# TODO\n', 'yaml', 'empty'],
    ['a JSON array', '[{"Resources": {}}]', 'json', 'a sequence'],
    ['a JSON number', '  42', 'json', 'a number'],
    ['an empty JSON file', '  \n', 'json', 'empty'],
  ] as const)('%s at top level is not a template', (_name, text, format, found) => {
    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'x', format }));

    // Assess
    expect(error.message).toMatch(/^x:\d+:\d+: a template must be a mapping, but the document is /);
    expect(error.message).toContain(found);
  });

  it('a file name is optional in messages', () => {
    // Act
    const error = parseErrorOf(() => parseTemplate('[]'));

    // Assess
    expect(error.message).toBe('<template>:1:1: a template must be a mapping, but the document is a sequence');
  });

  it('TemplateParseError can be built without a position', () => {
    // Act
    const error = new TemplateParseError('cannot read file', 'stack.yaml', undefined, undefined, { cause: 'EACCES' });

    // Assess
    expect(error.message).toBe('stack.yaml: cannot read file');
    expect(error.reason).toBe('cannot read file');
    expect(error.cause).toBe('EACCES');
  });

  it('deep nesting is an error rather than a stack overflow', () => {
    // Prepare
    const text = `{"A": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`;

    // Act
    const error = parseErrorOf(() => parseTemplate(text, { file: 'deep.json' }));

    // Assess
    expect(error.message).toMatch(/^deep\.json:1:\d+: the template nests deeper than \d+ levels/);
  });
});

describe('parseTemplate: prototype-pollution keys', () => {
  const pollutedKeys = ['polluted', 'Type'];

  afterEach(() => {
    for (const key of pollutedKeys) delete (Object.prototype as Record<string, unknown>)[key];
  });

  it.each([
    ['YAML', '__proto__:\n  polluted: yes\nconstructor: c\nprototype: p\n', 'yaml'],
    ['JSON', '{"__proto__": {"polluted": "yes"}, "constructor": "c", "prototype": "p"}', 'json'],
  ] as const)('in %s, __proto__, constructor and prototype are stored as own data keys', (_name, text, format) => {
    // Act
    const { value } = parseTemplate(text, { format });

    // Assess
    const template = value as Record<string, unknown>;
    expect(Object.keys(template)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getOwnPropertyDescriptor(template, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(Object.getPrototypeOf(template)).toBe(Object.prototype);
    expect(template.constructor).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect('polluted' in Object.prototype).toBe(false);
  });

  it('a logical id named __proto__ gets a resource position without touching Object.prototype', () => {
    // Act
    const { resourcePositions } = parseTemplate('Resources:\n  __proto__:\n    Type: AWS::SNS::Topic\n', { format: 'yaml' });

    // Assess
    expect(Object.getOwnPropertyDescriptor(resourcePositions, '__proto__')?.value).toEqual({ line: 2, column: 3 });
    expect(({} as Record<string, unknown>).line).toBeUndefined();
  });

  it('a __proto__ key survives a YAML and a JSON round trip', () => {
    // Prepare
    const { value } = parseTemplate('{"Resources": {"__proto__": {"Type": "AWS::SNS::Topic"}}}', { format: 'json' });

    // Act
    const viaYaml = yamlRoundTrip(value);
    const viaJson = parseTemplate(serializeTemplate(value, 'json'), { format: 'json' }).value;

    // Assess
    const resources = (viaYaml as { Resources: object }).Resources;
    expect(Object.getOwnPropertyDescriptor(resources, '__proto__')?.value).toEqual({ Type: 'AWS::SNS::Topic' });
    expect(viaJson).toEqual(value);
    expect(({} as Record<string, unknown>).Type).toBeUndefined();
  });
});

describe('parseTemplate: resourcePositions', () => {
  it('gives the line and column of each logical id in YAML', () => {
    // Prepare
    const text = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Parameters:',
      '  Env: {Type: String}',
      'Resources:',
      '  Bucket:',
      '    Type: AWS::S3::Bucket',
      '',
      '  # a comment between resources',
      '  Queue: {Type: AWS::SQS::Queue}',
      '  "Quoted": {Type: AWS::SNS::Topic}',
      'Outputs: {}',
      '',
    ].join('\n');

    // Act
    const { resourcePositions } = parseTemplate(text, { format: 'yaml' });

    // Assess
    expect(resourcePositions).toEqual({
      Bucket: { line: 5, column: 3 },
      Queue: { line: 9, column: 3 },
      Quoted: { line: 10, column: 3 },
    });
  });

  it('works with Windows line endings and a byte order mark', () => {
    // Prepare
    const text = '\uFEFFResources:\r\n  A:\r\n    Type: AWS::SNS::Topic\r\n  B:\r\n    Type: AWS::SNS::Topic\r\n';

    // Act
    const { resourcePositions, value } = parseTemplate(text, { format: 'yaml' });

    // Assess
    expect(resourcePositions).toEqual({ A: { line: 2, column: 3 }, B: { line: 4, column: 3 } });
    expect(value).toEqual({ Resources: { A: { Type: 'AWS::SNS::Topic' }, B: { Type: 'AWS::SNS::Topic' } } });
  });

  it('gives the position of each logical id key in JSON, ignoring nested Resources keys', () => {
    // Prepare
    const text = [
      '{',
      '  "Metadata": {"Resources": {"NotAResource": 1}},',
      '  "Resources": {',
      '    "Bucket": {"Type": "AWS::S3::Bucket"},',
      '',
      '      "Queue": {"Type": "AWS::SQS::Queue"}',
      '  }',
      '}',
    ].join('\n');

    // Act
    const { resourcePositions } = parseTemplate(text, { format: 'json' });

    // Assess
    expect(resourcePositions).toEqual({ Bucket: { line: 4, column: 5 }, Queue: { line: 6, column: 7 } });
  });

  it('is empty when there is no Resources section', () => {
    // Act
    const parsed: ParsedTemplate = parseTemplate('Description: nothing yet\n');

    // Assess
    expect(parsed.resourcePositions).toEqual({});
  });
});

describe('parseTemplate: JSON values', () => {
  it('decodes escapes, keeps key order and plain values', () => {
    // Prepare
    const text = '{"b": "caf\\u00e9 \\"quoted\\"\\n\\t\\/", "a": [true, false, null, -1.5, 0, 1e-7], "c": {}}';

    // Act
    const { value, format } = parseTemplate(text);

    // Assess
    expect(format).toBe('json');
    expect(value).toEqual({ b: 'café "quoted"\n\t/', a: [true, false, null, -1.5, 0, 1e-7], c: {} });
    expect(Object.keys(value as object)).toEqual(['b', 'a', 'c']);
  });

  it('keeps numbers that would lose precision as their source text', () => {
    // Act
    const { value } = parseTemplate('{"Big": 12345678901234567890, "Float": 1.10, "Fine": 42}');

    // Assess
    expect(value).toEqual({ Big: '12345678901234567890', Float: '1.10', Fine: 42 });
  });

  it('parses a 1 MB template exactly, with every resource located', () => {
    // Prepare
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) {
      resources[`Bucket${i}`] = {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: { 'Fn::Sub': `\${AWS::StackName}-bucket-${i}` },
          Tags: [{ Key: 'owner', Value: { Ref: 'Owner' } }, { Key: 'index', Value: i }],
          NotificationConfiguration: { TopicConfigurations: [{ Event: 's3:ObjectCreated:*', Topic: { 'Fn::GetAtt': ['Topic', 'Arn'] } }] },
          Description: 'é "escaped" text\n'.repeat(5),
        },
      };
    }
    const text = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 2);
    expect(text.length).toBeGreaterThan(1_000_000);

    // Act
    const parsed = parseTemplate(text, { file: 'big.json' });

    // Assess (speed is measured by npm run bench, never asserted here)
    expect(parsed.value).toEqual(JSON.parse(text));
    expect(Object.keys(parsed.resourcePositions)).toHaveLength(2000);
  });
});

describe('serializeTemplate: JSON', () => {
  it('is JSON.stringify with two-space indent and a final newline', () => {
    // Prepare
    const template = { AWSTemplateFormatVersion: '2010-09-09', Resources: { T: { Type: 'AWS::SNS::Topic' } } };

    // Act
    const text = serializeTemplate(template, 'json');

    // Assess
    expect(text).toBe(
      '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "T": {\n      "Type": "AWS::SNS::Topic"\n    }\n  }\n}\n',
    );
  });
});

describe('serializeTemplate: YAML', () => {
  it('writes short forms, quotes ambiguous strings and indents sequences under their key', () => {
    // Prepare
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        IsProdInEu: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
      },
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Condition: 'IsProd',
          Properties: {
            BucketName: { 'Fn::Sub': '${AWS::StackName}-logs' },
            Owner: '012345678901',
            Versioned: 'yes',
            Count: 3,
            Enabled: true,
            Topic: { 'Fn::GetAtt': ['Topic', 'Arn'] },
            Endpoint: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
          },
        },
      },
    };

    // Act
    const text = serializeTemplate(template, 'yaml');

    // Assess
    expect(text).toBe(
      [
        'AWSTemplateFormatVersion: "2010-09-09"',
        'Conditions:',
        '  IsProd: !Equals',
        '    - !Ref Env',
        '    - prod',
        '  IsProdInEu: !And',
        '    - !Condition IsProd',
        '    - !Equals',
        '      - !Ref AWS::Region',
        '      - eu-west-1',
        'Resources:',
        '  Bucket:',
        '    Type: AWS::S3::Bucket',
        '    Condition: IsProd',
        '    Properties:',
        '      BucketName: !Sub ${AWS::StackName}-logs',
        '      Owner: "012345678901"',
        '      Versioned: "yes"',
        '      Count: 3',
        '      Enabled: true',
        '      Topic: !GetAtt Topic.Arn',
        '      Endpoint: !GetAtt Db.Endpoint.Address',
        '',
      ].join('\n'),
    );
  });

  it.each(['true', 'false', 'True', 'null', 'Null', '~', '', '123', '-1', '1.5', '1e3', '0x1F', '0o17', '012345678901', 'yes', 'No', 'on', 'OFF', 'y', 'n', '2010-09-09', '.inf', '.nan', '<<', '1_000', '12:30'])(
    'quotes the string %j so every YAML reader keeps it a string',
    (ambiguous) => {
      // Act
      const text = serializeTemplate({ Value: ambiguous, [ambiguous]: 'key' }, 'yaml');

      // Assess
      expect(text).not.toMatch(new RegExp(`^Value: ${ambiguous.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      expect(yamlRoundTrip({ Value: ambiguous, [ambiguous]: 'key' })).toEqual({ Value: ambiguous, [ambiguous]: 'key' });
    },
  );

  it('writes multi-line strings (inline code, JSON policies) as literal blocks', () => {
    // Prepare
    const code = 'import json\n\ndef handler(event, context):\n    return {"statusCode": 200}\n';
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*' }] }, null, 2);

    // Act
    const text = serializeTemplate({ Code: { ZipFile: { 'Fn::Sub': code } }, Policy: policy }, 'yaml');

    // Assess
    expect(text).toContain('  ZipFile: !Sub |\n    import json\n\n    def handler(event, context):\n        return {"statusCode": 200}\n');
    expect(text).toContain('Policy: |-\n  {\n    "Version": "2012-10-17",');
    expect(yamlRoundTrip({ Code: { ZipFile: { 'Fn::Sub': code } }, Policy: policy })).toEqual({
      Code: { ZipFile: { 'Fn::Sub': code } },
      Policy: policy,
    });
  });

  it('never folds long strings', () => {
    // Prepare
    const arn = `arn:aws:iam::123456789012:role/${'very-long-role-name-'.repeat(20)}`;
    const sentence = 'word '.repeat(100).trim();

    // Act
    const text = serializeTemplate({ Arn: arn, Description: sentence }, 'yaml');

    // Assess
    expect(text).toBe(`Arn: ${arn}\nDescription: ${sentence}\n`);
  });

  it('keeps key order, including for keys that are not valid identifiers', () => {
    // Prepare
    const template = { z: 1, 'Fn::Transform': 'x', 'a b': 2, 'key: with colon': 3, '#hash': 4, a: 5 };

    // Act
    const text = serializeTemplate(template, 'yaml');

    // Assess
    expect(Object.keys(parseTemplate(text).value as object)).toEqual(['z', 'Fn::Transform', 'a b', 'key: with colon', '#hash', 'a']);
  });

  it('falls back to the full form where a short form would not read back the same', () => {
    // Prepare
    const template = {
      RefToNumber: { Ref: 5 },
      ConditionList: { Condition: ['a'] },
      NestedShortForm: { 'Fn::Base64': { 'Fn::Sub': 'echo ${AWS::Region}' } },
      GetAttString: { 'Fn::GetAtt': 'Bucket.Arn' },
      GetAttDottedResource: { 'Fn::GetAtt': ['Odd.Name', 'Arn'] },
      SubNull: { 'Fn::Sub': null },
    };

    // Act
    const text = serializeTemplate(template, 'yaml');

    // Assess
    expect(text).toBe(
      [
        'RefToNumber:',
        '  Ref: 5',
        'ConditionList:',
        '  Condition:',
        '    - a',
        'NestedShortForm:',
        '  Fn::Base64: !Sub echo ${AWS::Region}',
        'GetAttString:',
        '  Fn::GetAtt: Bucket.Arn',
        'GetAttDottedResource: !GetAtt',
        '  - Odd.Name',
        '  - Arn',
        'SubNull:',
        '  Fn::Sub: null',
        '',
      ].join('\n'),
    );
    expect(yamlRoundTrip(template)).toEqual(template);
  });

  it('treats undefined, non-finite numbers and -0 the way JSON output does', () => {
    // Prepare
    const template = { Kept: 1, Dropped: undefined, List: [undefined, Number.NaN, -0], Inf: Number.POSITIVE_INFINITY };

    // Act
    const fromYaml = yamlRoundTrip(template);
    const fromJson = JSON.parse(serializeTemplate(template, 'json')) as unknown;

    // Assess
    expect(fromYaml).toEqual({ Kept: 1, List: [null, null, 0], Inf: null });
    expect(fromYaml).toEqual(fromJson);
  });

  it('rejects circular structures like JSON.stringify does', () => {
    // Prepare
    const template: Record<string, unknown> = { Resources: {} };
    (template.Resources as Record<string, unknown>).Self = template;

    // Act
    const act = (): string => serializeTemplate(template, 'yaml');

    // Assess
    expect(act).toThrow(TypeError);
  });
});

/**
 * A realistic template using every short form, nested forms, inline code, policy strings,
 * account ids and YAML 1.1 look-alikes. Written the way people write them by hand.
 */
const REALISTIC_TEMPLATE = `AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::LanguageExtensions
Description: >-
  Data platform: VPC, bucket, queue, function and
  an exported endpoint. Folded text on purpose.

Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  VpcCidr:
    Type: String
    Default: 10.0.0.0/16
  EnableLogging:
    Type: String
    AllowedValues: ["yes", "no"]
    Default: yes
  Subnets:
    Type: CommaDelimitedList
    Default: "a,b,c"

Mappings:
  Accounts:
    prod:
      Id: 012345678901
      LogRetention: 365
    dev:
      Id: "000000000000"
      LogRetention: 7
  Versions:
    Engine:
      Postgres: 14.10
      Python: 3.10

Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  LoggingOn: !Equals
    - !Ref EnableLogging
    - "yes"
  ProdWithLogging: !And [!Condition IsProd, !Condition LoggingOn]
  AnyLogging: !Or
    - !Condition ProdWithLogging
    - !Equals [!Select [0, !Ref Subnets], a]
  HasThreeSubnets: !Equals [!Length [!Ref Subnets], 3]

Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref VpcCidr
      EnableDnsSupport: true
      Tags:
        - Key: Name
          Value: !Sub "\${AWS::StackName}-vpc"
        - Key: cost-centre
          Value: 0042

  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      AvailabilityZone: !Select [0, !GetAZs ""]
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 6, 8]]
      MapPublicIpOnLaunch: false

  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      AvailabilityZone: !Select
        - 1
        - Fn::GetAZs: !Ref AWS::Region
      CidrBlock: !Select [1, !Cidr [!GetAtt [Vpc, CidrBlock], 6, 8]]

  LogBucket:
    Type: AWS::S3::Bucket
    Condition: AnyLogging
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: !Join
        - "-"
        - - !Ref AWS::StackName
          - logs
          - !FindInMap [Accounts, !Ref Env, Id]
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !ImportValue shared-kms-key-arn
      LifecycleConfiguration:
        Rules:
          - Id: expire
            Status: Enabled
            ExpirationInDays: !FindInMap [Accounts, !Ref Env, LogRetention]

  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !If [IsProd, !Sub "\${AWS::StackName}-prod", !Ref AWS::NoValue]
      VisibilityTimeout: 300
      RedrivePolicy: !ToJsonString
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 5

  DeadLetters:
    Type: AWS::SQS::Queue

  FunctionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: queue
          PolicyDocument: !Sub |
            {
              "Version": "2012-10-17",
              "Statement": [{
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                "Resource": "\${Queue.Arn}"
              }]
            }

  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !Join ["", [python, !FindInMap [Versions, Engine, Python]]]
      Handler: index.handler
      Role: !GetAtt FunctionRole.Arn
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue
          ACCOUNT: !Sub
            - "\${Account}"
            - Account: !FindInMap [Accounts, !Ref Env, Id]
          DEBUG: off
          EMPTY: ""
          NOTHING: ~
      Code:
        ZipFile: |
          import json, os

          def handler(event, context):
              # keep trailing spaces and blank lines exactly   
              body = {"queue": os.environ["QUEUE_URL"], "ok": True}
              return {"statusCode": 200, "body": json.dumps(body)}

  Instance:
    Type: AWS::EC2::Instance
    Condition: IsDev
    Properties:
      ImageId: "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}"
      SubnetId: !Ref SubnetA
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash -xe
          echo "region: \${AWS::Region}" > /tmp/info
          yum install -y aws-cfn-bootstrap
      Tags:
        - Key: Split
          Value: !Select [2, !Split [":", !Sub "arn:aws:s3:::\${LogBucket}"]]

  Included:
    Type: AWS::SNS::Topic
    Properties:
      Fn::Transform:
        Name: AWS::Include
        Parameters:
          Location: s3://bucket/topic-properties.yaml
      TopicName: !Transform
        Name: Uppercase
        Parameters: {Value: !Ref Env}

Outputs:
  VpcId:
    Value: !Ref Vpc
    Export:
      Name: !Sub "\${AWS::StackName}-VpcId"
  Endpoint:
    Condition: IsProd
    Value: !GetAtt Database.Endpoint.Address
  Encoded:
    Value: !Base64 "plain text"
  LongArn:
    Value: arn:aws:iam::123456789012:role/a-very-long-role-name-that-goes-well-past-eighty-characters-in-width
`;

describe('round trip', () => {
  it('YAML → value → YAML → value gives deep-equal values on a large realistic template', () => {
    // Prepare
    const first = parseTemplate(REALISTIC_TEMPLATE, { file: 'realistic.yaml' });

    // Act
    const written = serializeTemplate(first.value, 'yaml');
    const second = parseTemplate(written, { file: 'written.yaml' });

    // Assess
    expect(second.value).toEqual(first.value);
    expect(Object.keys(second.resourcePositions)).toEqual(Object.keys(first.resourcePositions));
    expect(serializeTemplate(second.value, 'yaml')).toBe(written);
  });

  it('reads the realistic template the way CloudFormation would', () => {
    // Act
    const { value, resourcePositions } = parseTemplate(REALISTIC_TEMPLATE, { file: 'realistic.yaml' });

    // Assess
    const template = value as Record<string, Record<string, Record<string, unknown>>>;
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Description).toBe('Data platform: VPC, bucket, queue, function and an exported endpoint. Folded text on purpose.');
    expect(template.Parameters!.EnableLogging).toEqual({ Type: 'String', AllowedValues: ['yes', 'no'], Default: 'yes' });
    expect(template.Mappings).toEqual({
      Accounts: { prod: { Id: '012345678901', LogRetention: 365 }, dev: { Id: '000000000000', LogRetention: 7 } },
      Versions: { Engine: { Postgres: '14.10', Python: '3.10' } },
    });
    expect(template.Conditions!.IsDev).toEqual({ 'Fn::Not': [{ Condition: 'IsProd' }] });
    expect(template.Conditions!.HasThreeSubnets).toEqual({ 'Fn::Equals': [{ 'Fn::Length': [{ Ref: 'Subnets' }] }, 3] });
    expect(template.Resources!.SubnetA).toEqual({
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: { Ref: 'Vpc' },
        AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
        CidrBlock: { 'Fn::Select': [0, { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 6, 8] }] },
        MapPublicIpOnLaunch: false,
      },
    });
    expect(template.Resources!.Queue).toMatchObject({
      Properties: {
        RedrivePolicy: { 'Fn::ToJsonString': { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] }, maxReceiveCount: 5 } },
      },
    });
    expect(template.Resources!.Vpc).toMatchObject({ Properties: { Tags: [{}, { Key: 'cost-centre', Value: '0042' }] } });
    expect(template.Resources!.Function).toMatchObject({
      Properties: { Environment: { Variables: { DEBUG: 'off', EMPTY: '', NOTHING: null } } },
    });
    expect(template.Outputs!.Endpoint).toEqual({ Condition: 'IsProd', Value: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] } });
    const lineOf = (text: string): number => REALISTIC_TEMPLATE.split('\n').indexOf(text) + 1;
    expect(resourcePositions.Vpc).toEqual({ line: lineOf('  Vpc:'), column: 3 });
    expect(resourcePositions.Included).toEqual({ line: lineOf('  Included:'), column: 3 });
    expect(Object.keys(resourcePositions)).toHaveLength(10);
  });

  it('YAML → value → JSON → value → YAML → value keeps the same template', () => {
    // Prepare
    const fromYaml = parseTemplate(REALISTIC_TEMPLATE).value;

    // Act
    const fromJson = parseTemplate(serializeTemplate(fromYaml, 'json'), { file: 'out.json' });
    const backToYaml = yamlRoundTrip(fromJson.value);

    // Assess
    expect(fromJson.format).toBe('json');
    expect(fromJson.value).toEqual(fromYaml);
    expect(backToYaml).toEqual(fromYaml);
  });

  it('any JSON-like template survives YAML and JSON serialization (property-based)', () => {
    // Prepare: keys and strings biased towards what breaks YAML writers.
    const trickyText = fc
      .array(
        fc.constantFrom('a', 'Z', '0', '1', '.', '-', ' ', '  ', '\n', '\t', '\r', '#', ':', ': ', '"', "'", '|', '>', '!', '&', '*', '%', '@', '`', '?', ',', '[', ']', '{', '}', '${', 'é', '\u2028', '\u0085', '\uFEFF', '\u0000', '\uD800', 'yes', 'true', 'null', '~', '<<', '---', '...', '0x', 'e5'),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(''));
    const key = fc.oneof(trickyText, fc.string(), fc.constantFrom('Ref', 'Condition', 'Fn::Sub', 'Fn::GetAtt', 'Fn::Base64', 'Fn::If', '__proto__'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      ),
      leaf: fc.oneof(
        trickyText,
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
      ),
    }));
    const template = fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 });

    // Act + Assess
    fc.assert(
      fc.property(template, (value) => {
        const expected = JSON.parse(JSON.stringify(value)) as unknown;
        expect(yamlRoundTrip(value)).toEqual(expected);
        expect(parseTemplate(serializeTemplate(value, 'json'), { format: 'json' }).value).toEqual(expected);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});
