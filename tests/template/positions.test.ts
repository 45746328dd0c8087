/**
 * parseTemplate(...).positionOf: where a path into the template is written, for SARIF results
 * and error messages: the deepest key or item along the path that the source has.
 */
import { parseTemplate } from '../../macro/template/yaml';

describe('positionOf', () => {
  test('YAML: keys, sequence items, short forms, and the deepest existing part of a missing path', () => {
    const parsed = parseTemplate('Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: a\n          Value: !Sub "${AWS::Region}"\n');
    expect(parsed.positionOf(['Resources', 'Data'])).toEqual({ line: 2, column: 3 });
    expect(parsed.positionOf(['Resources', 'Data', 'Properties', 'Tags', 0])).toEqual({ line: 6, column: 11 });
    // A short form's position is its value's, after the tag.
    expect(parsed.positionOf(['Resources', 'Data', 'Properties', 'Tags', 0, 'Value', 'Fn::Sub'])).toEqual({ line: 7, column: 23 });
    expect(parsed.positionOf(['Resources', 'Data', 'Properties', 'BucketEncryption', 'X'])).toEqual({ line: 4, column: 5 });
    expect(parsed.positionOf(['Outputs'])).toBeUndefined();
  });

  test('JSON: keys and array items', () => {
    const parsed = parseTemplate('{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue", "DependsOn": ["A", "B"]}\n  }\n}\n');
    expect(parsed.positionOf(['Resources', 'Q', 'Type'])).toEqual({ line: 3, column: 11 });
    expect(parsed.positionOf(['Resources', 'Q', 'DependsOn', 1])).toEqual({ line: 3, column: 57 });
    expect(parsed.positionOf(['Resources', 'Q', 'Properties'])).toEqual({ line: 3, column: 5 });
  });

  test('a value an alias expanded points at the anchored original', () => {
    const parsed = parseTemplate('Shared: &s\n  K: 1\nResources:\n  A:\n    Type: T\n    Properties: *s\n');
    expect(parsed.positionOf(['Resources', 'A', 'Properties', 'K'])).toEqual({ line: 2, column: 3 });
  });
});
