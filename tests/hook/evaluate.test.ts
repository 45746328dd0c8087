/**
 * The hook's verdict on a template, directly: which templates fail and why, in what order the
 * message says it, and that a large template still gets a short message and few annotations.
 */
import { declaresTransform, evaluateTemplate, MAX_ANNOTATIONS, MAX_MESSAGE } from '../../macro/hook/evaluate';

const buckets = (n: number, transform?: string): string =>
  JSON.stringify({ ...(transform ? { Transform: transform } : {}), Resources: Object.fromEntries(Array.from({ length: n }, (_, i) => [`Data${i}`, { Type: 'AWS::S3::Bucket' }])) });

test('the Transform counts when it is the macro name, alone or in the list', () => {
  expect(declaresTransform({ Transform: 'TapHardening' }, 'TapHardening')).toBe(true);
  expect(declaresTransform({ Transform: ['AWS::Serverless-2016-10-31', 'TapHardening'] }, 'TapHardening')).toBe(true);
  expect(declaresTransform({ Transform: 'AWS::Serverless-2016-10-31' }, 'TapHardening')).toBe(false);
  expect(declaresTransform({ Transform: ['TapHardening'] }, 'OrgHardening')).toBe(false);
  expect(declaresTransform({}, 'TapHardening')).toBe(false);
});

test('the macro name comes from the deployment: another name does not count', () => {
  expect(evaluateTemplate(buckets(1, 'TapHardening'), { macroName: 'OrgHardening' }).compliant).toBe(false);
  expect(evaluateTemplate(buckets(1, 'OrgHardening'), { macroName: 'OrgHardening' }).compliant).toBe(true);
});

test('a large template: one annotation per rule for the changes, and a message within the limit', () => {
  // Act
  const v = evaluateTemplate(buckets(60), { macroName: 'TapHardening' });

  // Assess
  expect(v.compliant).toBe(false);
  expect(v.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(v.annotations.length).toBeLessThanOrEqual(MAX_ANNOTATIONS);
  const s3001 = v.annotations.find((a) => a.annotationName === 'S3-001');
  expect(s3001).toMatchObject({ status: 'FAILED', severityLevel: 'MEDIUM', statusMessage: expect.stringMatching(/^would make 60 changes to 60 resources \(Data0, Data1, /) });
  expect(v.message).toContain('[1] S3-001 on Data0, Data1, Data2 and 57 more, e.g. S3-001 Data0 Properties.PublicAccessBlockConfiguration');
});

test('a template the macro cannot harden fails first with what to fix by hand', () => {
  const v = evaluateTemplate('Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Metadata:\n      TapHardening:\n        Skip:\n          - Rule: S3-001\n            Reason: n/a\n', { macroName: 'TapHardening' });
  expect(v.compliant).toBe(false);
  expect(v.internal).toBeUndefined();
  expect(v.message).toMatch(/^TapHardening: not compliant: the macro cannot harden this template \(1 error\), so it would fail the deploy once the template declares it: fix by hand: \[1\] OPTIONS Data Metadata\.TapHardening\.Skip\[0\]\.Reason: skipping S3-001 needs a Reason/);
});

test('a template that cannot be read is not judged: the hook reports it cannot evaluate', () => {
  const v = evaluateTemplate('Resources: [\n', { macroName: 'TapHardening' });
  expect(v).toMatchObject({ compliant: false, internal: true, message: expect.stringMatching(/^TapHardening could not read the template: template:/) });
});

test('an expired Skip makes the rule apply again, on the hook too', () => {
  const template = 'Transform: TapHardening\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n    Metadata:\n      TapHardening:\n        Skip:\n          - Rule: S3-001\n            Reason: Public download bucket, reviewed in SEC-1234\n            Until: 2026-01-31\n';
  const before = evaluateTemplate(template, { macroName: 'TapHardening', today: '2026-01-31' });
  const after = evaluateTemplate(template, { macroName: 'TapHardening', today: '2026-02-01' });
  expect(before.annotations).toContainEqual(expect.objectContaining({ annotationName: 'S3-001 Data', status: 'SKIPPED' }));
  expect(after.annotations).toContainEqual(expect.objectContaining({ annotationName: 'S3-001 Data', status: 'FAILED', severityLevel: 'LOW', statusMessage: expect.stringContaining('the Skip of S3-001 expired after 2026-01-31') }));
});

test('invalid organisation defaults are the hook failing to evaluate, not the template being non-compliant', () => {
  // Prepare: TAP_HARDENING_DEFAULTS as the platform team mistyped it
  const defaults = '{"Mode": "fix",';

  // Act
  const v = evaluateTemplate(buckets(1, 'TapHardening'), { macroName: 'TapHardening', defaults });

  // Assess
  expect(v).toMatchObject({ compliant: false, internal: true, annotations: [] });
  expect(v.message).toMatch(/^TapHardening could not evaluate the template: the organisation defaults \(TAP_HARDENING_DEFAULTS\) are invalid: .*is not JSON/);
});
