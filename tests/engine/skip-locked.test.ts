/**
 * Skips that mean something (a reason a reader can see, no unknown keys, an optional expiry) and
 * organisation settings a template cannot undo (`TAP_HARDENING_DEFAULTS.Locked`), through the
 * real engine and rules, and how both show in every report.
 */
import { HardeningError, type Problem } from '../../macro/engine/errors';
import { harden, type HardenInput } from '../../macro/engine/harden';
import { visibleCharacters, isCalendarDate } from '../../macro/engine/options';
import { renderReport } from '../../macro/report/render';
import { RULES } from '../../macro/rules';
import type { Json, JsonObject } from '../../macro/template/json';

function bucket(metadata?: Json, templateMetadata?: JsonObject): JsonObject {
  return {
    ...(templateMetadata ? { Metadata: { TapHardening: templateMetadata } } : {}),
    Resources: { Data: { Type: 'AWS::S3::Bucket', ...(metadata !== undefined ? { Metadata: { TapHardening: metadata } } : {}) } },
  };
}

function problemsOf(input: HardenInput): Problem[] {
  try {
    harden(input);
  } catch (e) {
    if (e instanceof HardeningError) return e.problems;
    throw e;
  }
  throw new Error('expected the run to fail');
}

const REASON = 'Public download bucket, reviewed in SEC-1234';

describe('Skip reasons', () => {
  test.each<[string, string]>([
    ['n/a', 'n/a'],
    ['dots', '...........'],
    ['dashes and spaces', '- - - - - - - - - - - -'],
    ['zero-width spaces', '\u200B'.repeat(30)],
    ['invisible characters between few letters', 'o\u200Bk\u2060 \u00ADo\uFEFFk'],
    ['Hangul fillers, letters that render as nothing', '\u3164'.repeat(12)],
    ['nine letters', 'not a bug'],
  ])('a reason of %s is refused, naming the path and the count', (_name, reason) => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: reason }] });

    // Act
    const problems = problemsOf({ template: input });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ rule: 'OPTIONS', resource: 'Data', path: 'Metadata.TapHardening.Skip[0].Reason' });
    expect(problems[0].message).toContain('at least 10 letters or digits');
    expect(problems[0].message).toContain(`has ${visibleCharacters(reason)})`);
  });

  test('letters and digits of any script count, punctuation and invisible characters do not', () => {
    expect(visibleCharacters('n/a')).toBe(2);
    expect(visibleCharacters('公開ダウンロード用のバケット')).toBe(14);
    expect(visibleCharacters('SEC-1234 ok')).toBe(9);
    expect(visibleCharacters('a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF')).toBe(5);
    expect(visibleCharacters('\u3164\u115F\u1160\uFFA0')).toBe(0);
  });

  test('a reason in another script is accepted and recorded as written', () => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: '公開ダウンロード用のバケット' }] });

    // Act
    const { report } = harden({ template: input });

    // Assess
    expect(report.records).toContainEqual({ rule: 'S3-001', resource: 'Data', action: 'suppressed', path: 'Metadata.TapHardening.Skip', detail: '公開ダウンロード用のバケット' });
  });

  test('unknown keys in a Skip entry are an error naming each of them', () => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON, Ticket: 'SEC-1234', Untill: '2030-01-01' }] });

    // Act
    const problems = problemsOf({ template: input });

    // Assess
    expect(problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: 'Data', path: 'Metadata.TapHardening.Skip[0]', message: 'Ticket, Untill are not keys of a Skip entry (known: Rule, Reason, Until)' },
    ]);
  });

  test.each<[string, Json]>([
    ['a day that does not exist', '2026-02-30'],
    ['a month that does not exist', '2026-13-01'],
    ['another date format', '31/12/2026'],
    ['a number', 20261231],
    ['a date and time', '2026-12-31T00:00:00Z'],
  ])('Until with %s is an error', (_name, until) => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON, Until: until }] });

    // Act
    const problems = problemsOf({ template: input, today: '2026-06-01' });

    // Assess
    expect(problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: 'Data', path: 'Metadata.TapHardening.Skip[0].Until', message: `must be a date written YYYY-MM-DD (the last day the skip holds), not ${JSON.stringify(until)}` },
    ]);
  });

  test('calendar dates: leap days exist only in leap years', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2100-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
  });

  test.each(['2026-05-31', '2026-06-01'])('a Skip holds up to and including its Until day (today %s)', (today) => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON, Until: '2026-06-01' }] });

    // Act
    const { report, template } = harden({ template: input, today });

    // Assess
    expect(report.records).toContainEqual({ rule: 'S3-001', resource: 'Data', action: 'suppressed', path: 'Metadata.TapHardening.Skip', detail: `${REASON} (until 2026-06-01)` });
    expect((template.Resources as JsonObject).Data).not.toHaveProperty('Properties.PublicAccessBlockConfiguration');
  });

  test('after its Until day the rule applies again and the report says the Skip expired', () => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON, Until: '2026-06-01' }] });

    // Act
    const { report, template } = harden({ template: input, today: '2026-06-02' });

    // Assess
    expect(report.records.filter((r) => r.action === 'suppressed')).toEqual([]);
    expect(report.records).toContainEqual({
      rule: 'S3-001',
      resource: 'Data',
      action: 'finding',
      severity: 'warning',
      path: 'Metadata.TapHardening.Skip[0].Until',
      detail: `the Skip of S3-001 expired after 2026-06-01, so the rule applies again (its reason was: ${REASON})`,
      hint: 'let the rule fix the resource, or renew the Skip with a later Until if the reason still holds',
    });
    expect((template.Resources as JsonObject).Data).toHaveProperty('Properties.PublicAccessBlockConfiguration');
  });

  test('the reason shows in the text, JSON, Markdown and SARIF reports (SARIF as an in-source suppression)', () => {
    // Prepare
    const { report } = harden({ template: bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON }] }) });

    // Act
    const text = renderReport(report, 'text', 'stack.yaml');
    const json = JSON.parse(renderReport(report, 'json', 'stack.yaml'));
    const markdown = renderReport(report, 'markdown', 'stack.yaml', { rules: RULES });
    const sarif = JSON.parse(renderReport(report, 'sarif', 'stack.yaml', { rules: RULES, docsUrl: 'https://example.com/docs/rules.md' }));

    // Assess
    expect(text).toContain(REASON);
    expect(json.records).toContainEqual(expect.objectContaining({ rule: 'S3-001', action: 'suppressed', detail: REASON }));
    expect(markdown).toContain(REASON);
    const suppressed = sarif.runs[0].results.filter((r: { suppressions?: unknown[] }) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions).toEqual([expect.objectContaining({ kind: 'inSource', justification: REASON })]);
  });
});

describe('Locked organisation settings', () => {
  const ORG = JSON.stringify({ Mode: 'fix', ExternalKeys: 'fail', Locked: ['Mode', 'ExternalKeys', 'S3-001'] });

  test('a template that changes a locked option fails, naming it and that the organisation locked it', () => {
    // Prepare
    const input = bucket(undefined, { Mode: 'report', ExternalKeys: 'off' });

    // Act
    const problems = problemsOf({ template: input, defaults: ORG });

    // Assess
    expect(problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Mode', message: 'Mode is locked by the organisation (TAP_HARDENING_DEFAULTS.Locked), so a template cannot change it: it stays "fix"; remove Mode from the template' },
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.ExternalKeys', message: 'ExternalKeys is locked by the organisation (TAP_HARDENING_DEFAULTS.Locked), so a template cannot change it: it stays "fail"; remove ExternalKeys from the template' },
    ]);
  });

  test('a locked option set to the value it already has is no change', () => {
    const { report } = harden({ template: bucket(undefined, { Mode: 'fix' }), defaults: ORG });
    expect(report.mode).toBe('fix');
  });

  test('a locked option the organisation did not set is locked at its default', () => {
    const problems = problemsOf({ template: bucket(undefined, { AllowReplacement: true }), defaults: JSON.stringify({ Locked: ['AllowReplacement'] }) });
    expect(problems).toEqual([expect.objectContaining({ path: 'Metadata.TapHardening.AllowReplacement', message: expect.stringContaining('it stays false') })]);
  });

  test('a locked rule setting cannot be changed either', () => {
    const problems = problemsOf({ template: bucket(undefined, { RetainStateful: false }), defaults: JSON.stringify({ Locked: ['RetainStateful'] }) });
    expect(problems).toEqual([expect.objectContaining({ path: 'Metadata.TapHardening.RetainStateful', message: expect.stringContaining('RetainStateful is locked by the organisation') })]);
  });

  test('a template that turns off a locked rule fails', () => {
    // Act
    const problems = problemsOf({ template: bucket(undefined, { Rules: { 'S3-001': false, 'S3-003': false } }), defaults: ORG });

    // Assess: S3-003 is not locked, so turning it off is fine
    expect(problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Rules.S3-001', message: 'S3-001 is locked by the organisation (TAP_HARDENING_DEFAULTS.Locked), so a template cannot turn it off; remove it from Rules' },
    ]);
  });

  test('with Rules locked, no rule can be turned on or off by a template', () => {
    const problems = problemsOf({ template: bucket(undefined, { Rules: { 'S3-003': false } }), defaults: JSON.stringify({ Locked: ['Rules'] }) });
    expect(problems).toEqual([expect.objectContaining({ path: 'Metadata.TapHardening.Rules.S3-003', message: expect.stringContaining('Rules is locked by the organisation') })]);
  });

  test('a resource that skips a locked rule fails, naming the rule and the lock', () => {
    // Prepare
    const input = bucket({ Skip: [{ Rule: 'S3-001', Reason: REASON }, { Rule: 'S3-003', Reason: REASON }] });

    // Act
    const problems = problemsOf({ template: input, defaults: ORG });

    // Assess
    expect(problems).toStrictEqual<Problem[]>([
      { rule: 'OPTIONS', resource: 'Data', path: 'Metadata.TapHardening.Skip[0].Rule', message: 'S3-001 is locked by the organisation (TAP_HARDENING_DEFAULTS.Locked), so a resource cannot skip it: fix the resource, or ask the platform team to unlock S3-001' },
    ]);
  });

  test('unlocked options keep their precedence: the template wins over the organisation', () => {
    const { report } = harden({ template: bucket(undefined, { Mode: 'fix' }), defaults: JSON.stringify({ Mode: 'report', Locked: ['S3-001'] }) });
    expect(report.mode).toBe('fix');
  });

  test.each<[string, Json, string, string]>([
    ['an unknown item', ['S3-999'], 'TAP_HARDENING_DEFAULTS.Locked[0]', '"S3-999" is neither a rule id nor a TapHardening option'],
    ['not a list', 'Mode', 'TAP_HARDENING_DEFAULTS.Locked', 'must be a list of rule ids and option names'],
  ])('Locked with %s is an error', (_name, locked, path, message) => {
    const problems = problemsOf({ template: bucket(), defaults: JSON.stringify({ Locked: locked }) });
    expect(problems).toEqual([expect.objectContaining({ rule: 'OPTIONS', path, message: expect.stringContaining(message) })]);
  });

  test('a template cannot lock anything itself', () => {
    const problems = problemsOf({ template: bucket(undefined, { Locked: ['Mode'] }) });
    expect(problems).toStrictEqual<Problem[]>([{ rule: 'OPTIONS', resource: '-', path: 'Metadata.TapHardening.Locked', message: 'only the organisation sets Locked (in TAP_HARDENING_DEFAULTS), not a template' }]);
  });
});
