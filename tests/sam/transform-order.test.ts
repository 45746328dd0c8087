import { transformAdvice } from '../../macro/sam/transform-order';
import { harden } from '../../macro/engine/harden';

const FN = [{ id: 'Api', type: 'AWS::Serverless::Function' }];

describe('transform-order advice', () => {
  test('no advice when SAM is listed before TapHardening, even with SAM resources left (the CLI reading the source)', () => {
    expect(transformAdvice({ Transform: ['AWS::Serverless-2016-10-31', 'TapHardening'], Resources: {} }, FN, [])).toEqual([]);
    expect(transformAdvice({ Transform: 'AWS::Serverless-2016-10-31', Resources: {} }, FN, [])).toEqual([]);
    expect(transformAdvice({ Transform: ['AWS::LanguageExtensions', 'AWS::Serverless-2016-10-31', '123456789012::TapHardening'], Resources: {} }, FN, [])).toEqual([]);
  });

  test('TapHardening before SAM: one warning on Transform and one per SAM resource', () => {
    // Act
    const records = transformAdvice({ Transform: ['TapHardening', 'AWS::Serverless-2016-10-31'], Resources: {} }, FN, []);
    // Assess
    expect(records.map((r) => `${r.resource} ${r.path} ${r.severity}`)).toEqual(['- Transform warning', 'Api Type warning']);
    expect(records[0]?.detail).toContain('list TapHardening after AWS::Serverless-2016-10-31');
  });

  test('SAM resources without the SAM transform listed (or no Transform in the fragment): the per-resource advice', () => {
    const records = transformAdvice({ Resources: {} }, FN, []);
    expect(records).toHaveLength(1);
    expect(records[0]?.detail).toContain('list TapHardening after AWS::Serverless-2016-10-31');
  });

  test('AWS::LanguageExtensions after TapHardening or after SAM is advised against; in the right order a loop is only noted', () => {
    const after = transformAdvice({ Transform: ['TapHardening', 'AWS::LanguageExtensions'], Resources: {} }, [], ['Fn::ForEach::Queues']);
    expect(after.map((r) => `${r.resource} ${r.severity}`)).toEqual(['- warning', 'Fn::ForEach::Queues warning']);
    const beforeSam = transformAdvice({ Transform: ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions', 'TapHardening'], Resources: {} }, [], []);
    expect(beforeSam.map((r) => r.detail)).toEqual([expect.stringContaining('AWS::Serverless-2016-10-31 is listed before AWS::LanguageExtensions')]);
    const right = transformAdvice({ Transform: ['AWS::LanguageExtensions', 'TapHardening'], Resources: {} }, [], ['Fn::ForEach::Queues']);
    expect(right.map((r) => r.severity)).toEqual(['info']);
    expect(transformAdvice({ Transform: ['AWS::LanguageExtensions', 'TapHardening'], Resources: {} }, [], [])).toEqual([]);
  });

  test('the engine reads the template: a right-order SAM template gets no per-resource warnings', () => {
    // Prepare
    const template = { Transform: ['AWS::Serverless-2016-10-31', 'TapHardening'], Resources: { Api: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs24.x', Handler: 'i.h', InlineCode: 'x' } } } };
    // Act
    const wrong = harden({ template: { ...template, Transform: ['TapHardening', 'AWS::Serverless-2016-10-31'] } }).report.records.filter((r) => r.rule === 'ENGINE');
    const right = harden({ template }).report.records.filter((r) => r.rule === 'ENGINE');
    // Assess
    expect(right).toEqual([]);
    expect(wrong.map((r) => r.resource)).toEqual(['-', 'Api']);
  });
});
