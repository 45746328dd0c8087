/**
 * The model's removals and its writes outside Resources: what `ctx.remove` and
 * `ctx.setTemplate` stand on.
 */
import { TemplateModel } from '../../macro/template/model';

function model(): TemplateModel {
  return new TemplateModel({
    Parameters: { Env: { Type: 'String' } },
    Resources: {
      Key: { Type: 'AWS::KMS::Key' },
      Role: { Type: 'AWS::IAM::Role' },
      Logs: { Type: 'AWS::Logs::LogGroup', DependsOn: ['Role', 'Key'], Properties: { KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
    },
  });
}

describe('TemplateModel.remove', () => {
  test('removes a list entry, returns it, and refreshes the dependency graph', () => {
    // Prepare
    const m = model();
    expect(m.edges('Logs')).toEqual(new Set(['Role', 'Key']));

    // Act
    const removed = m.remove('Logs', ['DependsOn', 0]);

    // Assess
    expect(removed).toBe('Role');
    expect(m.dependsOn('Logs')).toStrictEqual(['Key']);
    expect(m.edges('Logs')).toEqual(new Set(['Key']));
  });

  test('removes a key; a missing key or index removes nothing', () => {
    // Prepare
    const m = model();

    // Act and assess
    expect(m.remove('Logs', ['DependsOn'])).toStrictEqual(['Role', 'Key']);
    expect(m.resource('Logs')).not.toHaveProperty('DependsOn');
    expect(m.remove('Logs', ['DependsOn'])).toBeUndefined();
    expect(m.remove('Logs', ['Properties', 'Missing'])).toBeUndefined();
    expect(m.remove('Role', ['DependsOn', 3])).toBeUndefined();
  });

  test('never reaches into an intrinsic', () => {
    // Prepare
    const m = model();

    // Act and assess
    expect(m.remove('Logs', ['Properties', 'KmsKeyId', 'Fn::GetAtt'])).toBeUndefined();
    expect(m.get('Logs', ['Properties', 'KmsKeyId'])).toStrictEqual({ 'Fn::GetAtt': ['Key', 'Arn'] });
  });
});

describe('TemplateModel.setTemplate and getTemplate', () => {
  test('write and read outside Resources, creating mappings on the way', () => {
    // Prepare
    const m = model();

    // Act
    m.setTemplate(['Parameters', 'Env', 'AllowedPattern'], '^[a-z]+$');
    m.setTemplate(['Metadata', 'Owner', 'Team'], 'platform');

    // Assess
    expect(m.getTemplate(['Parameters', 'Env'])).toStrictEqual({ Type: 'String', AllowedPattern: '^[a-z]+$' });
    expect(m.getTemplate(['Metadata', 'Owner', 'Team'])).toBe('platform');
    expect(m.isParameter('Env')).toBe(true);
  });

  test('refuse Resources, short paths and non-mappings', () => {
    // Prepare
    const m = model();

    // Act and assess
    expect(() => m.setTemplate(['Resources', 'Key', 'Properties'], {})).toThrow(/outside Resources/);
    expect(() => m.setTemplate(['Parameters'], {})).toThrow(/outside Resources/);
    expect(() => m.setTemplate(['Parameters', 'Env', 'Type', 'Nested'], 'x')).toThrow(/Type is not a mapping/);
  });
});
