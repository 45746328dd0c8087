/**
 * rewriteTemplate (--write): the source document edited where hardening changed it, nothing
 * else; a fresh serialisation when an edit cannot be made safely.
 */
import { parseTemplate } from '../../macro/template/yaml';
import { rewriteTemplate } from '../../macro/template/yaml-rewrite';
import type { Json } from '../../macro/template/json';

const rewrite = (text: string, after: Json) => {
  const { value, format } = parseTemplate(text);
  const out = rewriteTemplate(text, format, value as Json, after);
  expect(parseTemplate(out.text).value).toEqual(after);
  return out;
};

describe('rewriteTemplate', () => {
  test('keeps comments, short forms, quoting and blank lines, and puts a new key after the key it follows', () => {
    const text = '# head\nResources:\n  A:\n    Type: AWS::S3::Bucket # the bucket\n\n    Properties:\n      Name: !Sub "x-${AWS::Region}"\n      Tags: [{Key: a, Value: "1"}]\n  B:\n    Type: AWS::SNS::Topic\n';
    const after = {
      Resources: {
        A: { Type: 'AWS::S3::Bucket', Properties: { Name: { 'Fn::Sub': 'x-${AWS::Region}' }, Encryption: { Enabled: true }, Tags: [{ Key: 'a', Value: '1' }] } },
        APolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'A' } } },
        B: { Type: 'AWS::SNS::Topic' },
      },
    };
    const out = rewrite(text, after);
    expect(out.kept).toBe('document');
    expect(out.text).toBe(
      '# head\nResources:\n  A:\n    Type: AWS::S3::Bucket # the bucket\n\n    Properties:\n      Name: !Sub "x-${AWS::Region}"\n      Encryption:\n        Enabled: true\n      Tags: [{Key: a, Value: "1"}]\n  APolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref A\n  B:\n    Type: AWS::SNS::Topic\n',
    );
  });

  test('a comment after the last value of a mapping stays when a comment line follows it and keys are added', () => {
    const text = 'Resources:\n  A:\n    Type: AWS::S3::Bucket # the bucket\n    # notes on A\n  B:\n    Type: AWS::SNS::Topic # the topic\n  # end of resources\n';
    const after = { Resources: { A: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' }, B: { Type: 'AWS::SNS::Topic', DeletionPolicy: 'Delete' } } };
    const out = rewrite(text, after);
    expect(out.kept).toBe('document');
    expect(out.text).toBe('Resources:\n  A:\n    Type: AWS::S3::Bucket # the bucket\n    DeletionPolicy: Retain\n    # notes on A\n  B:\n    Type: AWS::SNS::Topic # the topic\n    DeletionPolicy: Delete\n  # end of resources\n');
  });

  test('a changed value is a fresh node with the old comment; an appended list item keeps the others', () => {
    const text = 'Resources:\n  A:\n    Type: T\n    DependsOn: [X] # order\n    Properties:\n      Arn: !GetAtt X.Arn # old\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', DependsOn: ['X', 'Z'], Properties: { Arn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x' } } } } });
    expect(out.text).toContain('DependsOn: [X, Z] # order');
    expect(out.text).toContain('Arn: !Sub arn:${AWS::Partition}:s3:::x # old');
  });

  test('keeps a 4-space layout, and sequences not indented under their key', () => {
    const four = 'Resources:\n    A:\n        Type: T\n        Properties:\n            L:\n                - 1\n';
    expect(rewrite(four, { Resources: { A: { Type: 'T', Properties: { L: [1], M: ['a'] } } } }).text).toBe(`${four}            M:\n                - a\n`);
    const flat = 'Resources:\n  A:\n    Type: T\n    Properties:\n      L:\n      - 1\n';
    expect(rewrite(flat, { Resources: { A: { Type: 'T', Properties: { L: [1], M: ['a'] } } } }).text).toBe(`${flat}      M:\n      - a\n`);
  });

  test('new strings that YAML 1.1 readers would take for booleans are quoted', () => {
    const out = rewrite('Resources: {}\n', { Resources: { A: { Type: 'T', Properties: { On: 'yes' } } } });
    expect(out.text).toContain('"On": "yes"');
  });

  test('a change inside an anchored node that an alias shares falls back to writing the template afresh', () => {
    const text = 'Resources:\n  A:\n    Type: T\n    Properties: &p\n      X: 1\n  B:\n    Type: T\n    Properties: *p\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { X: 1, Y: 2 } }, B: { Type: 'T', Properties: { X: 1 } } } });
    expect(out.kept).toBe('reserialised');
  });

  test('JSON keeps its indentation', () => {
    const out = rewriteTemplate('{\n    "Resources": {}\n}\n', 'json', { Resources: {} }, { Resources: { A: { Type: 'T' } } });
    expect(out.text).toBe('{\n    "Resources": {\n        "A": {\n            "Type": "T"\n        }\n    }\n}\n');
  });
});

describe('rewriteTemplate keeps the layout of what hardening left alone', () => {
  test('blank lines after section keys and folded blocks stay; the new key is indented by the file step', () => {
    const text = 'Description: >\n  A folded description that\n  spans two lines.\n\nResources:\n\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: logs\n\n  Other:\n    Type: AWS::SNS::Topic\n';
    const { value } = parseTemplate(text);
    const after = JSON.parse(JSON.stringify(value)) as { Resources: { Data: { Properties: Record<string, Json> } } };
    after.Resources.Data.Properties.VersioningConfiguration = { Status: 'Enabled' };
    const out = rewrite(text, after as unknown as Json);
    expect(out.kept).toBe('document');
    expect(out.text).toBe(text.replace('BucketName: logs\n', 'BucketName: logs\n      VersioningConfiguration:\n        Status: Enabled\n'));
  });

  test('a new entry in a section whose entries are set apart by blank lines is set apart too', () => {
    const text = 'Resources:\n\n  A:\n    Type: T\n\n  B:\n    Type: T\n\nOutputs: {}\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T' }, B: { Type: 'T' }, C: { Type: 'U' } }, Outputs: {} });
    expect(out.text).toBe('Resources:\n\n  A:\n    Type: T\n\n  B:\n    Type: T\n\n  C:\n    Type: U\n\nOutputs: {}\n');
  });

  test("new text uses the file's quote style, long forms, item offset and sequence indentation", () => {
    const text = "Resources:\n    A:\n        Type: 'T'\n        Properties:\n            Name:\n                Fn::Sub: '${AWS::StackName}'\n            Tags:\n                -   Key: 'a'\n                    Value: 'b'\n";
    const out = rewrite(text, {
      Resources: { A: { Type: 'T', Properties: { Name: { 'Fn::Sub': '${AWS::StackName}' }, Tags: [{ Key: 'a', Value: 'b' }, { Key: 'c', Value: { Ref: 'P' } }] } } },
    });
    expect(out.text).toBe(`${text}                -   Key: 'c'\n                    Value:\n                        Ref: 'P'\n`);
  });

  test('a file that quotes its strings gets quoted strings, with short-form payloads as the file writes them', () => {
    const text = 'Resources:\n  Data:\n    Type: "AWS::S3::Bucket"\n    Properties:\n      BucketName: !Ref Name\n      Tags:\n        - Key: "team"\n          Value: !Ref Team\n';
    const out = rewrite(text, {
      Resources: {
        Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Name' }, Tags: [{ Key: 'team', Value: { Ref: 'Team' } }] } },
        Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Data' }, Keys: ['a', 'yes'] } },
      },
    });
    expect(out.text).toBe(`${text}  Policy:\n    Type: "AWS::S3::BucketPolicy"\n    Properties:\n      Bucket: !Ref Data\n      Keys:\n        - "a"\n        - "yes"\n`);
  });

  test('CRLF files come back CRLF only, new lines included', () => {
    const text = 'Resources:\r\n  A:\r\n    Type: T\r\n    Properties:\r\n      Text: >\r\n        folded\r\n        lines\r\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { Text: 'folded lines\n', New: ['x'] } } } });
    expect(out.text).toBe(`${text}      New:\r\n        - x\r\n`);
    expect(out.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  test('a removed list item takes only its own lines; a changed one is edited where it is', () => {
    const text = 'Resources:\n  A:\n    Type: T\n    Properties:\n      Tags:\n        - Key: keep # comment\n          Value: "1"\n        - Key: drop\n          Value: "{bad}"\n        - Key: last\n          Value: x\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { Tags: [{ Key: 'keep', Value: '1' }, { Key: 'last', Value: 'z' }] } } } });
    expect(out.text).toBe('Resources:\n  A:\n    Type: T\n    Properties:\n      Tags:\n        - Key: keep # comment\n          Value: "1"\n        - Key: last\n          Value: z\n');
  });

  test('a flow collection gets its new entries inline', () => {
    const text = 'Resources:\n  A: {Type: T, Properties: {N: 1}}\n  B:\n    Type: T\n    DependsOn: [A]\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { N: 1, M: [true] } }, B: { Type: 'T', DependsOn: ['A', 'C'] } } });
    expect(out.text).toBe('Resources:\n  A: {Type: T, Properties: {N: 1, M: [true]}}\n  B:\n    Type: T\n    DependsOn: [A, C]\n');
  });

  test('a file without a final line break gets new lines before its end, and still none at the end', () => {
    const out = rewrite('Resources:\n  A:\n    Type: T', { Resources: { A: { Type: 'T', DeletionPolicy: 'Retain' } } });
    expect(out.text).toBe('Resources:\n  A:\n    Type: T\n    DeletionPolicy: Retain');
  });

  test('a change to a short-form payload edits inside it', () => {
    const text = 'Resources:\n  A:\n    Type: T\n    Properties:\n      V: !If\n        - C # keep\n        - [a]\n        - !Ref AWS::NoValue\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { V: { 'Fn::If': ['C', ['a', 'b'], { Ref: 'AWS::NoValue' }] } } } } });
    expect(out.text).toBe(text.replace('[a]', '[a, b]'));
  });

  test('when the layout cannot be kept, the reason names the line and the anchor', () => {
    const text = 'Resources:\n  A:\n    Type: T\n    Properties: &p\n      X: 1\n  B:\n    Type: T\n    Properties: *p\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { X: 1, Y: 2 } }, B: { Type: 'T', Properties: { X: 1 } } } });
    expect(out.kept).toBe('reserialised');
    expect(out.reason).toMatch(/line 4: .*&p.*\*p/);
  });

  test('JSON keeps its key spacing, one-line objects and the spelling of its numbers', () => {
    const text = '{\r\n  "Resources" : {\r\n    "Q" : { "Type" : "T", "Properties" : { "Size" : 2.5e5, "Delay" : 1.0, "Zero" : -0 } }\r\n  }\r\n}\r\n';
    const before = parseTemplate(text).value as Json;
    const out = rewriteTemplate(text, 'json', before, { Resources: { Q: { Type: 'T', Properties: { Size: '2.5e5', Delay: '1.0', Zero: '-0' }, DeletionPolicy: 'Retain' }, P: { Type: 'U' } } });
    expect(out.text).toBe(
      '{\r\n  "Resources" : {\r\n    "Q" : { "Type" : "T", "Properties" : { "Size" : 2.5e5, "Delay" : 1.0, "Zero" : -0 }, "DeletionPolicy" : "Retain" },\r\n    "P" : {\r\n      "Type" : "U"\r\n    }\r\n  }\r\n}\r\n',
    );
  });

  test('written afresh, a template still keeps its line ending and number spellings', () => {
    const text = 'Resources:\r\n  A:\r\n    Type: T\r\n    Properties: &p\r\n      Size: 2.5e5\r\n  B:\r\n    Type: T\r\n    Properties: *p\r\n';
    const out = rewrite(text, { Resources: { A: { Type: 'T', Properties: { Size: '2.5e5', Extra: 2 } }, B: { Type: 'T', Properties: { Size: '2.5e5' } } } });
    expect(out.kept).toBe('reserialised');
    expect(out.text).toBe('Resources:\r\n  A:\r\n    Type: T\r\n    Properties:\r\n      Size: 2.5e5\r\n      Extra: 2\r\n  B:\r\n    Type: T\r\n    Properties:\r\n      Size: 2.5e5\r\n');
  });
});
