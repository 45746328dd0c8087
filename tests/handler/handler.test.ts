/** The handler's contract on bad events and options, at source level. */
import { handler } from '../../macro/handler';


const event = (fragment: unknown, extra: Record<string, unknown> = {}) => ({
  region: 'eu-west-1',
  accountId: '123456789012',
  fragment,
  transformId: '123456789012::TapHardening',
  params: {},
  requestId: 'r-1',
  templateParameterValues: {},
  ...extra,
});

describe('handler', () => {
  test.each([
    ['null', null],
    ['a string', 'hello'],
    ['a list', [1, 2]],
  ])('answers failure, never throws, when the event is %s', async (_name, bad) => {
    const response = await handler(bad);
    expect(response.status).toBe('failure');
    expect(response.errorMessage).toContain('EVENT');
  });

  test('answers failure when the requestId is missing', async () => {
    const response = await handler({ ...event({ Resources: {} }), requestId: undefined });
    expect(response).toMatchObject({ status: 'failure', requestId: '' });
    expect(response.errorMessage).toContain('requestId');
  });

  test.each([
    ['Resources is a list', { Resources: [] }, 'TEMPLATE - Resources'],
    ['a resource is a string', { Resources: { A: 'x' } }, 'TEMPLATE A -'],
    ['Type is a number', { Resources: { A: { Type: 5 } } }, 'TEMPLATE A Type'],
    ['DependsOn is an object', { Resources: { A: { Type: 'AWS::SNS::Topic', DependsOn: { x: 1 } } } }, 'TEMPLATE A DependsOn'],
    ['the fragment is a list', [], 'fragment'],
  ])('answers failure naming the place when %s', async (_name, fragment, expected) => {
    const response = await handler(event(fragment));
    expect(response.status).toBe('failure');
    expect(response.requestId).toBe('r-1');
    expect(response.errorMessage).toContain(expected);
  });

  test('applies organisation defaults from TAP_HARDENING_DEFAULTS, and the template overrides them', async () => {
    process.env.TAP_HARDENING_DEFAULTS = JSON.stringify({ Rules: { 'S3-001': false, 'S3-002': false } });
    try {
      const response = await handler(event({ Metadata: { TapHardening: { Rules: { 'S3-002': true } } }, Resources: { B: { Type: 'AWS::S3::Bucket' } } }));
      const fragment = response.fragment as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
      expect(fragment.Resources.B.Properties?.PublicAccessBlockConfiguration).toBeUndefined();
      expect(fragment.Resources.BPolicy).toBeDefined();
    } finally {
      delete process.env.TAP_HARDENING_DEFAULTS;
    }
  });

  test('a broken TAP_HARDENING_DEFAULTS is a failure that says so', async () => {
    process.env.TAP_HARDENING_DEFAULTS = '{not json';
    try {
      const response = await handler(event({ Resources: {} }));
      expect(response.status).toBe('failure');
      expect(response.errorMessage).toContain('TAP_HARDENING_DEFAULTS');
    } finally {
      delete process.env.TAP_HARDENING_DEFAULTS;
    }
  });

  test('a __proto__ logical id is data, not a prototype change', async () => {
    const fragment = JSON.parse('{"Resources": {"__proto__": {"Type": "AWS::SNS::Topic"}}}');
    const response = await handler(event(fragment));
    expect(response.status).toBe('failure'); // not alphanumeric
    expect(({} as Record<string, unknown>).Type).toBeUndefined();
  });

  test('uses the deploy parameter values', async () => {
    const response = await handler(
      event({ Parameters: { Name: { Type: 'String' } }, Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Name' } } } } }, { templateParameterValues: { Name: 'x' } }),
    );
    expect(response.status).toBe('success');
  });
});
