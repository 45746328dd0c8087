/**
 * Source ARNs are built from names so that a grant never refers to its source; a source without a
 * known name gets the documented fallback and says how to pin it; a name with `*` or `?` is exact.
 */
import { sourceArnOf, sourceCondition } from '../../macro/connections/source-arn';
import { TemplateModel } from '../../macro/template/model';

const model = (resources: Record<string, unknown>, parameters: Record<string, unknown> = {}, values: Record<string, string> = {}) =>
  new TemplateModel({ Parameters: parameters, Resources: resources } as never, values);

describe('sourceArnOf', () => {
  test('a bucket named by a Sub of pseudo parameters is pinned, with its GetAtt as another spelling', () => {
    const m = model({ B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-b' } } } });
    expect(sourceArnOf(m, 'B')).toEqual({ pinned: true, arn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}-b' }, exact: false, spellings: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}-b' }, { 'Fn::GetAtt': ['B', 'Arn'] }] });
  });

  test('a trail without a name falls back to the pattern for every trail of the account and region', () => {
    const m = model({ T: { Type: 'AWS::CloudTrail::Trail', Properties: {} } });
    const arn = sourceArnOf(m, 'T');
    expect(arn).toMatchObject({ pinned: false, pattern: { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*' }, why: 'T has no TrailName' });
    expect(sourceCondition(arn).ArnLike).toEqual({ 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*' } });
  });

  test('a bucket named from another resource is not pinned, and S3 falls back to the account only', () => {
    const m = model({ B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::GetAtt': ['X', 'Name'] } } }, X: { Type: 'AWS::SSM::Parameter' } });
    const arn = sourceArnOf(m, 'B');
    expect(arn?.pinned).toBe(false);
    expect(sourceCondition(arn)).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  test('a literal or known parameter value holding * or ? is matched exactly, never as a pattern', () => {
    const literal = model({ B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'a*b' } } });
    expect(sourceCondition(sourceArnOf(literal, 'B'))).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::a*b' } } });
    const param = model({ B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Name' } } } }, { Name: { Type: 'String' } }, { Name: 'x?y' });
    expect(sourceArnOf(param, 'B')).toMatchObject({ pinned: true, exact: true });
  });
});
