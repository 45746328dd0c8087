/**
 * "Covers" is judged for the concrete connection: a statement that allows this request, by any
 * Sid and however narrowly, is enough; one whose conditions the request does not satisfy is not.
 */
import { statementAllows } from '../../macro/connections/covers';
import type { Request } from '../../macro/connections/types';

const sub = (text: string) => ({ 'Fn::Sub': text });
const QUEUE = { 'Fn::GetAtt': ['Jobs', 'Arn'] };
const request: Request = {
  principal: 's3.amazonaws.com',
  actions: ['sqs:SendMessage'],
  resources: [QUEUE],
  context: {
    'aws:SourceAccount': [{ Ref: 'AWS::AccountId' }, '123456789012'],
    'aws:SourceArn': [sub('arn:${AWS::Partition}:s3:::${AWS::StackName}-uploads'), { 'Fn::GetAtt': ['Uploads', 'Arn'] }],
  },
};
const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE, ...extra });

describe('statementAllows', () => {
  test('a pattern on the stack name that matches this bucket covers it', () => {
    expect(statementAllows(allow({ Condition: { ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:s3:::${AWS::StackName}-uploads*') } } }), request)).toBe(true);
  });

  test('a pattern that names other buckets does not', () => {
    expect(statementAllows(allow({ Condition: { ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:s3:::${AWS::StackName}-logs*') } } }), request)).toBe(false);
  });

  test('the source named by GetAtt, and the account as digits, count as the same values', () => {
    expect(statementAllows(allow({ Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Uploads', 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } } }), request)).toBe(true);
  });

  test('StringEquals is exact: a wildcard in its value is not a pattern', () => {
    expect(statementAllows(allow({ Condition: { StringEquals: { 'aws:SourceArn': sub('arn:${AWS::Partition}:s3:::*') } } }), request)).toBe(false);
  });

  test('a condition on a key the request does not carry, or an unknown operator, is not known to hold', () => {
    expect(statementAllows(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }), request)).toBe(false);
    expect(statementAllows(allow({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), request)).toBe(false);
  });

  test('wildcard actions and resources, any Sid, and the any-principal form count', () => {
    expect(statementAllows({ Sid: 'Whatever', Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' }, request)).toBe(true);
    expect(statementAllows(allow({ Resource: sub('arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*') }), { ...request, resources: [sub('arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}')] })).toBe(true);
  });

  test('a Deny, another principal, a missing action or NotAction never covers', () => {
    expect(statementAllows(allow({ Effect: 'Deny' }), request)).toBe(false);
    expect(statementAllows(allow({ Principal: { Service: 'sns.amazonaws.com' } }), request)).toBe(false);
    expect(statementAllows(allow({ Action: 'sqs:ReceiveMessage' }), request)).toBe(false);
    expect(statementAllows({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, NotAction: 'sqs:DeleteQueue', Resource: '*' }, request)).toBe(false);
  });
});
