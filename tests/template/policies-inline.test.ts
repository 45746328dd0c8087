/**
 * The inline policy forms (`AWS::SQS::QueueInlinePolicy`, `AWS::SNS::TopicInlinePolicy`) hold a
 * queue's or topic's whole policy just as `QueuePolicy` / `TopicPolicy` do, so the one-policy
 * helper finds and extends them instead of creating a second policy that would overwrite them.
 */
import { ensureStatement, findPolicies } from '../../macro/template/policies';
import type { JsonObject } from '../../macro/template/json';
import { TemplateModel } from '../../macro/template/model';

const statement = (resource: JsonObject, action: string): JsonObject => ({
  Sid: 'AllowS3',
  Effect: 'Allow',
  Principal: { Service: 's3.amazonaws.com' },
  Action: action,
  Resource: resource,
  Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
});

const doc = (): JsonObject => ({ Version: '2012-10-17', Statement: [{ Sid: 'Owner', Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sqs:*', Resource: '*' }] });

describe('inline queue and topic policies', () => {
  test('a QueueInlinePolicy is the queue’s policy and gets the statement', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue' },
        Other: { Type: 'AWS::SQS::Queue' },
        Inline: { Type: 'AWS::SQS::QueueInlinePolicy', Properties: { Queue: { Ref: 'Queue' }, PolicyDocument: doc() } },
      },
    });
    // Act
    const found = findPolicies(model, 'queue', 'Queue');
    const outcome = ensureStatement(model, 'queue', 'Queue', statement({ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'sqs:SendMessage'));
    // Assess
    expect(found).toEqual(['Inline']);
    expect(findPolicies(model, 'queue', 'Other')).toEqual([]);
    expect(outcome).toMatchObject({ status: 'added', policyId: 'Inline', created: false, path: 'Properties.PolicyDocument.Statement[1]' });
    expect(model.idsOfType('AWS::SQS::QueuePolicy')).toEqual([]);
  });

  test('a TopicInlinePolicy is the topic’s policy, found through TopicArn', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic' },
        Inline: { Type: 'AWS::SNS::TopicInlinePolicy', Properties: { TopicArn: { Ref: 'Topic' }, PolicyDocument: doc() } },
      },
    });
    // Act
    const outcome = ensureStatement(model, 'topic', 'Topic', statement({ Ref: 'Topic' }, 'sns:Publish'));
    // Assess
    expect(outcome).toMatchObject({ status: 'added', policyId: 'Inline', created: false });
    expect(model.idsOfType('AWS::SNS::TopicPolicy')).toEqual([]);
  });

  test('the list and inline forms are found in template order', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic' },
        Inline: { Type: 'AWS::SNS::TopicInlinePolicy', Properties: { TopicArn: { Ref: 'Topic' }, PolicyDocument: doc() } },
        Listed: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: doc() } },
      },
    });
    // Act / Assess
    expect(findPolicies(model, 'topic', 'Topic')).toEqual(['Inline', 'Listed']);
  });
});
