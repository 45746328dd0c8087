/**
 * parseTemplate / serializeTemplate: what CloudFormation's YAML refuses is refused with its place,
 * and numbers come back with the type and spelling they had.
 */
import { numberTextsOf, parseTemplate, serializeTemplate, TemplateParseError } from '../../macro/template/yaml';

function parseError(text: string): TemplateParseError {
  try {
    parseTemplate(text, { file: 'stack.yaml' });
  } catch (e) {
    if (e instanceof TemplateParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('YAML merge keys', () => {
  test('a merge key is refused at its line, not read as a property named "<<"', () => {
    const e = parseError('Resources:\n  Base: &b\n    Type: AWS::SNS::Topic\n  Alerts:\n    <<: *b\n');
    expect([e.line, e.column]).toEqual([5, 5]);
    expect(e.reason).toMatch(/merge keys \(<<\) are not supported by CloudFormation/);
  });

  test('a merge key in a flow mapping is refused too', () => {
    expect(parseError('Resources: {A: {<<: {Type: T}}}\n').reason).toMatch(/merge keys/);
  });

  test('a quoted "<<" is an ordinary key', () => {
    expect(parseTemplate('Mappings:\n  M:\n    "<<": {V: 1}\n').value).toEqual({ Mappings: { M: { '<<': { V: 1 } } } });
  });

  test('the serializer quotes a "<<" key, so its output reads back', () => {
    const text = serializeTemplate({ Mappings: { M: { '<<': 'x' } } }, 'yaml');
    expect(parseTemplate(text).value).toEqual({ Mappings: { M: { '<<': 'x' } } });
  });
});

describe('deep nesting', () => {
  test('YAML nested far past the limit names the place, not a stack overflow', () => {
    const e = parseError(`Resources:\n  A:\n    Type: T\n    Metadata:\n      X: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(e.line).toBe(5);
    expect(e.reason).toMatch(/nests too deeply|nests deeper than/);
    expect(e.message).not.toMatch(/call stack/);
  });

  test('JSON nested past the limit names the place', () => {
    const e = parseError(`{"Resources": {"A": {"Type": "T", "Metadata": ${'['.repeat(20000)}${']'.repeat(20000)}}}}`);
    expect(e.line).toBe(1);
    expect(e.reason).toMatch(/nests deeper than 500 levels/);
  });
});

describe('numbers keep their type and spelling', () => {
  const json = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": 2.5e5, "B": 1.0, "C": -0, "D": 10, "E": "2.5e5", "F": [1.50]}}}}';

  test('the model holds the text of numbers a double would respell, and knows they were numbers', () => {
    const parsed = parseTemplate(json);
    expect(parsed.value).toEqual({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { A: '2.5e5', B: '1.0', C: '-0', D: 10, E: '2.5e5', F: ['1.50'] } } } });
    const at = (...p: Array<string | number>) => parsed.numberTextAt?.(['Resources', 'Q', 'Properties', ...p]);
    expect([at('A'), at('B'), at('C'), at('D'), at('E'), at('F', 0)]).toEqual([true, true, true, false, false, true]);
  });

  test('JSON output writes them as the numbers they were; a string stays a string', () => {
    const parsed = parseTemplate(json);
    const text = serializeTemplate(parsed.value, 'json', { numberText: numberTextsOf(parsed) });
    expect(JSON.parse(text)).toEqual({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { A: 250000, B: 1, C: -0, D: 10, E: '2.5e5', F: [1.5] } } } });
    expect(text).toContain('"A": 2.5e5,');
    expect(text).toContain('"B": 1.0,');
    expect(text).toContain('"C": -0,');
    expect(text).toContain('"E": "2.5e5"');
  });

  test('YAML output writes them as plain numbers, spelled as in the source', () => {
    const parsed = parseTemplate(json);
    const text = serializeTemplate(parsed.value, 'yaml', { numberText: numberTextsOf(parsed) });
    expect(text).toContain('A: 2.5e5\n');
    expect(text).toContain('B: 1.0\n');
    expect(text).toContain('C: -0\n');
    expect(text).toContain('E: "2.5e5"\n');
    expect(parseTemplate(text).value).toEqual(parsed.value);
  });

  test('a YAML spelling JSON has no literal for (a leading zero) stays a string in JSON', () => {
    const parsed = parseTemplate('Resources:\n  A:\n    Type: T\n    Properties:\n      Account: 012345678901\n      Ratio: 1.10\n');
    const text = serializeTemplate(parsed.value, 'json', { numberText: numberTextsOf(parsed) });
    expect(text).toContain('"Account": "012345678901"');
    expect(text).toContain('"Ratio": 1.10');
    expect(serializeTemplate(parsed.value, 'yaml', { numberText: numberTextsOf(parsed) })).toContain('Account: 012345678901\n');
  });

  test('a value a rule replaced is not taken for the number that was there', () => {
    const parsed = parseTemplate('{"A": 2.5e5}');
    expect(serializeTemplate({ A: '2.5e6' }, 'json', { numberText: numberTextsOf(parsed) })).toBe('{\n  "A": "2.5e6"\n}\n');
  });
});
