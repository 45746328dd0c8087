/**
 * CloudWatch Logs resource policies keep their document as a JSON string: what the template
 * already has is read back from every way it may be written, and what the rule writes reads back
 * to the same statements (so a second run finds its own statements and adds nothing).
 */
import { logsPolicyDocument, logsPolicyStatements, statementAllows } from '../../macro/connections';
import type { Json } from '../../macro/template/json';

const put = {
  principal: 'events.amazonaws.com',
  actions: ['logs:PutLogEvents'],
  resources: [{ 'Fn::GetAtt': ['Audit', 'Arn'] }],
  context: { 'aws:SourceArn': [{ 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/nightly' }] },
};

describe('CloudWatch Logs resource policy documents', () => {
  test('a written document reads back to the statements it was written from, intrinsics included', () => {
    // Prepare
    const statement = {
      Sid: 'Put',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'logs:PutLogEvents',
      Resource: { 'Fn::GetAtt': ['Audit', 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/nightly' } } },
    };
    // Act
    const document = logsPolicyDocument([statement]);
    const back = logsPolicyStatements(document);
    // Assess
    expect(document).toEqual({ 'Fn::Sub': expect.stringContaining('"Resource":"${Audit.Arn}"') });
    expect(back).toHaveLength(1);
    expect(statementAllows(back?.[0] ?? null, put)).toBe(true);
  });

  test('a literal `${` in a written value stays literal', () => {
    // Act
    const back = logsPolicyStatements(logsPolicyDocument([{ Sid: 'X', Effect: 'Allow', Resource: 'arn:aws:logs:us-east-1:1:log-group:${odd}:*' }]));
    // Assess
    expect(back).toEqual([{ Sid: 'X', Effect: 'Allow', Resource: 'arn:aws:logs:us-east-1:1:log-group:${odd}:*' }]);
  });

  test('reads a Sub with a variable map, a Join, a literal string and a JSON object alike', () => {
    // Prepare
    const text = '{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"${logArn}"}]}';
    const documents: Json[] = [
      { 'Fn::Sub': [text, { logArn: { 'Fn::GetAtt': ['Audit', 'Arn'] } }] },
      { 'Fn::Join': ['', ['{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"', { 'Fn::GetAtt': ['Audit', 'Arn'] }, '"}]}']] },
      { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'logs:PutLogEvents', Resource: { 'Fn::GetAtt': ['Audit', 'Arn'] } }] },
    ];
    // Act
    const read = documents.map((d) => logsPolicyStatements(d));
    // Assess
    for (const statements of read) expect(statements?.some((s) => statementAllows(s, { ...put, context: {} }))).toBe(true);
    expect(logsPolicyStatements('{"Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}')).toEqual([{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }]);
  });

  test('a document computed in a way it cannot read, or that is not JSON, gives nothing to judge', () => {
    // Assess
    expect(logsPolicyStatements({ 'Fn::If': ['C', '{"Statement":[]}', '{"Statement":[]}'] })).toBeUndefined();
    expect(logsPolicyStatements('{"Statement": [')).toBeUndefined();
    expect(logsPolicyStatements({ Ref: 'PolicyParam' })).toBeUndefined();
  });
});
