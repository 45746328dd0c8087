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
