/**
 * What the golden fixtures cannot show, because they always run with a region and without
 * deploy parameter values: REGION-001 without a region, PARAM-001 against the deploy's actual
 * value (the macro event's templateParameterValues, the CLI's --param), and the dynamic
 * reference parser RDS-001 reads credentials with.
 */
import { HardeningError } from '../../macro/engine/errors';
import { harden } from '../../macro/engine/harden';
import { RULES } from '../../macro/rules';
import { dynamicReferences } from '../../macro/rules/shared/dynamic-references';
import type { JsonObject } from '../../macro/template/json';

const only = (id: string) => RULES.filter((r) => r.id === id);

function failure(run: () => unknown): HardeningError {
  try {
    run();
  } catch (e) {
    if (e instanceof HardeningError) return e;
    throw e;
  }
  throw new Error('expected a HardeningError');
}

describe('REGION-001', () => {
  const template: JsonObject = { Metadata: { TapHardening: { ExpectedRegions: ['us-east-1'] } }, Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };

  test('without a region it reports that it could not check', () => {
    // Act
    const result = harden({ template, rules: only('REGION-001') });

    // Assess
    expect(result.report.records).toStrictEqual([
      { rule: 'REGION-001', resource: '-', action: 'finding', path: 'Metadata.TapHardening.ExpectedRegions', severity: 'info', detail: 'the region the stack deploys to is not known here, so it was not checked against ExpectedRegions (us-east-1)', hint: 'pass --region to tap-harden' },
    ]);
  });

  test('the organisation default applies when the template sets nothing', () => {
    // Act
    const error = failure(() => harden({ template: { Resources: template.Resources }, defaults: '{"ExpectedRegions": ["eu-central-1"]}', region: 'us-east-1', rules: only('REGION-001') }));

    // Assess
    expect(error.problems[0]).toMatchObject({ rule: 'REGION-001', message: expect.stringContaining('deployed to us-east-1, but the option ExpectedRegions allows only eu-central-1') });
  });
});

describe('PARAM-001 checks the value the deploy passes', () => {
  const template: JsonObject = {
    Parameters: { EnvironmentSuffix: { Type: 'String', Default: 'dev' } },
    Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': 'work-${EnvironmentSuffix}' } } } },
  };

  test('a safe value passes and is named in the report', () => {
    // Act
    const result = harden({ template, parameterValues: { EnvironmentSuffix: 'pr-77' }, rules: only('PARAM-001') });

    // Assess
    expect(result.report.records[0].detail).toContain('("pr-77" matches)');
  });

  test.each([
    ['uppercase and an underscore', 'Feature_Login', 'does not match the AllowedPattern ^[a-z0-9]+(-[a-z0-9]+)*$'],
    ['a trailing hyphen', 'dev-', 'does not match the AllowedPattern ^[a-z0-9]+(-[a-z0-9]+)*$'],
    ['two hyphens in a row', 'a--b', 'does not match the AllowedPattern ^[a-z0-9]+(-[a-z0-9]+)*$'],
    ['an empty value', '', 'does not match the AllowedPattern ^[a-z0-9]+(-[a-z0-9]+)*$'],
  ])('%s fails, naming the parameter, the value and the pattern', (_name, value, why) => {
    // Act
    const error = failure(() => harden({ template, parameterValues: { EnvironmentSuffix: value }, rules: only('PARAM-001') }));

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ rule: 'PARAM-001', resource: '-', path: 'Parameters.EnvironmentSuffix' });
    expect(error.problems[0].message).toContain(`the value this deploy passes, ${JSON.stringify(value)}, ${why}`);
  });

  test('a value over 20 characters fails on the length', () => {
    // Act
    const error = failure(() => harden({ template, parameterValues: { EnvironmentSuffix: 'abcdefghij-klmnopqrst' }, rules: only('PARAM-001') }));

    // Assess
    expect(error.problems[0].message).toContain('"abcdefghij-klmnopqrst", is 21 characters long, over the MaxLength of 20 that PARAM-001 adds');
  });

  test('a parameter with its own AllowedPattern is not checked by the macro (CloudFormation checks it)', () => {
    // Prepare
    const own: JsonObject = { ...template, Parameters: { EnvironmentSuffix: { Type: 'String', AllowedPattern: '[A-Za-z_]+' } } };

    // Act
    const result = harden({ template: own, parameterValues: { EnvironmentSuffix: 'Feature_Login' }, rules: only('PARAM-001') });

    // Assess
    expect(result.report.records).toStrictEqual([]);
  });
});

describe('dynamic references', () => {
  test.each([
    ['a secret name with a JSON key', '{{resolve:secretsmanager:tap/db:SecretString:password}}', { service: 'secretsmanager', id: 'tap/db', secretString: 'SecretString', jsonKey: 'password' }],
    ['the whole secret', '{{resolve:secretsmanager:tap/db}}', { service: 'secretsmanager', id: 'tap/db' }],
    ['empty trailing segments', '{{resolve:secretsmanager:tap/db:SecretString:username::}}', { id: 'tap/db', jsonKey: 'username' }],
    [
      'a full ARN with Sub placeholders',
      '{{resolve:secretsmanager:arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:tap/db-AbCdEf:SecretString:password:AWSPREVIOUS}}',
      { id: 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:tap/db-AbCdEf', jsonKey: 'password', versionStage: 'AWSPREVIOUS' },
    ],
    ['a Ref placeholder as the secret id', '{{resolve:secretsmanager:${DbSecret}:SecretString:password}}', { id: '${DbSecret}', jsonKey: 'password' }],
    ['a Parameter Store secure string', '{{resolve:ssm-secure:/tap/db/password:3}}', { service: 'ssm-secure', id: '/tap/db/password:3' }],
  ])('parses %s', (_name, text, expected) => {
    // Act
    const refs = dynamicReferences(text);

    // Assess
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({ text, ...expected });
  });

  test('finds several references in one string and ignores text around them', () => {
    // Act
    const refs = dynamicReferences('postgres://{{resolve:secretsmanager:db:SecretString:username}}:{{resolve:secretsmanager:db:SecretString:password}}@host');

    // Assess
    expect(refs.map((r) => r.jsonKey)).toStrictEqual(['username', 'password']);
  });

  test('an unterminated reference is not a reference', () => {
    expect(dynamicReferences('{{resolve:secretsmanager:db:SecretString:password')).toStrictEqual([]);
  });
});
