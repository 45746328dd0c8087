import { quoteForTemplate, reportItem } from '../../macro/report/metadata';
import { harden } from '../../macro/engine/harden';
import type { JsonObject } from '../../macro/template/json';

describe('report text in the template', () => {
  test('a ${Name} is written in the literal form Fn::Sub uses, and a dynamic reference cannot open', () => {
    expect(quoteForTemplate('{{resolve:secretsmanager:${Secret}:SecretString:password}}')).toBe('{ {resolve:secretsmanager:${!Secret}:SecretString:password}}');
    expect(quoteForTemplate('arn:${AWS::Partition}:s3:::${Bucket.Arn}')).toBe('arn:${!AWS::Partition}:s3:::${!Bucket.Arn}');
    expect(quoteForTemplate('{{ resolve:ssm:/a/b}}')).toBe('{ { resolve:ssm:/a/b}}');
  });

  test('text that is already literal, or has nothing to quote, is left as it is', () => {
    expect(quoteForTemplate('${!Literal} and $5 and {json}')).toBe('${!Literal} and $5 and {json}');
  });

  test('a long item is cut to 240 characters and still holds no ${ or {{resolve:', () => {
    // Prepare
    const detail = `${'x'.repeat(200)}{{resolve:secretsmanager:\${Secret}:SecretString:password}}`;
    // Act
    const item = reportItem({ rule: 'RDS-001', resource: 'Db', action: 'finding', severity: 'warning', path: 'Properties.MasterUserPassword', detail });
    // Assess
    expect(item.length).toBeLessThanOrEqual(240);
    expect(item).not.toMatch(/\$\{[A-Za-z0-9_:.]+\}|\{\{\s*resolve:/);
  });

  test('the processed template quotes, while the full report keeps the text as it was', () => {
    // Prepare
    const template = {
      Resources: {
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password' } } },
        Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', DBInstanceClass: 'db.t3.micro', MasterUsername: 'app', MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:pass}}' } } },
      },
    };
    // Act
    const result = harden({ template });
    // Assess
    const items = ((result.template.Metadata as JsonObject).TapHardening as JsonObject).Report as JsonObject;
    const text = JSON.stringify(items);
    expect(text).not.toMatch(/\$\{[A-Za-z0-9_:.]+\}|\{\{\s*resolve:/);
    expect(text).toContain('${!Secret}');
    expect(JSON.stringify(result.report.records)).toContain('{{resolve:secretsmanager:${Secret}:SecretString:pass}}');
  });
});
