/**
 * LAMBDA-001's table and the parts of the rule its fixtures cannot reach: the deploy's parameter
 * values (fixtures pass none), today's date, and the organisation option.
 */
import { harden } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import type { Json } from '../../macro/template/json';
import type { ReportRecord } from '../../macro/report/records';
import { knownRuntimes, RUNTIME_TABLE_DATE, runtimeLifecycle, runtimeState } from '../../macro/rules/shared/lambda-runtimes';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const fn = (runtime: Json) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: runtime, Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } });
const lambda001 = (records: ReportRecord[]) => records.filter((r) => r.rule === 'LAMBDA-001');

describe('the runtime table', () => {
  test('every row has three real dates, and every successor could be created on the day the table was taken', () => {
    for (const runtime of knownRuntimes()) {
      const life = runtimeLifecycle(runtime)!;
      for (const d of [life.deprecated, life.createBlock, life.updateBlock]) {
        expect(d).toMatch(DATE);
        expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
      }
      // dotnet10 is the successor of the .NET rows but not in cfn-lint's table (see the module doc).
      if (life.successor && life.successor !== 'dotnet10') {
        const next = runtimeLifecycle(life.successor);
        expect(next).toBeDefined();
        expect(runtimeState(next!, RUNTIME_TABLE_DATE)).toBe('current');
      }
    }
  });

  test('each date is the first day of its state', () => {
    const life = runtimeLifecycle('nodejs20.x')!;
    expect(runtimeState(life, '2026-04-29')).toBe('current');
    expect(runtimeState(life, '2026-04-30')).toBe('deprecated');
    expect(runtimeState(life, '2026-05-31')).toBe('deprecated');
    expect(runtimeState(life, '2026-06-01')).toBe('create-blocked');
    expect(runtimeState(life, '2026-07-01')).toBe('update-blocked');
    expect(runtimeLifecycle('nodejs99.x')).toBeUndefined();
    expect(runtimeLifecycle('constructor')).toBeUndefined();
  });
});

describe('LAMBDA-001 beyond the fixtures', () => {
  const withParameter = {
    Metadata: { TapHardening: { RuntimeCheckDate: '2026-12-01' } },
    Parameters: { Runtime: { Type: 'String', Default: 'nodejs24.x' } },
    Resources: { Api: fn({ Ref: 'Runtime' }) },
  };

  test("the deploy's parameter value is checked, not the Default", () => {
    // Act
    const deployed = lambda001(harden({ template: withParameter, parameterValues: { Runtime: 'nodejs18.x' } }).report.records);
    const byDefault = lambda001(harden({ template: withParameter }).report.records);
    // Assess
    expect(deployed).toHaveLength(1);
    expect(deployed[0]).toMatchObject({ resource: 'Api', severity: 'error' });
    expect(deployed[0]?.detail).toContain("runtime nodejs18.x (from the deploy's value of parameter Runtime)");
    expect(byDefault).toEqual([]);
  });

  test('without RuntimeCheckDate the day is today: a runtime blocked years ago is an error on any day', () => {
    const records = lambda001(harden({ template: { Resources: { Old: fn('nodejs4.3') } } }).report.records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ severity: 'error' });
    expect(records[0]?.detail).toContain(`as of ${new Date().toISOString().slice(0, 10)}`);
  });

  test('BlockDeprecatedRuntimes as an organisation default fails the run, naming the function and the runtime to move to', () => {
    // Act
    let error: unknown;
    try {
      harden({ template: { Resources: { Old: fn('python3.9'), New: fn('python3.13') } }, defaults: '{"BlockDeprecatedRuntimes": true}' });
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(HardeningError);
    const problems = (error as HardeningError).problems;
    expect(problems.map((p) => `${p.rule} ${p.resource} ${p.path}`)).toEqual(['LAMBDA-001 Old Properties.Runtime']);
    expect(problems[0]?.message).toContain('move the function to python3.14');
  });

  test('the runtime is never rewritten', () => {
    const template = { Metadata: { TapHardening: { RuntimeCheckDate: '2026-12-01' } }, Resources: { Old: fn('nodejs20.x') } };
    const result = harden({ template });
    expect((result.template.Resources as Record<string, { Properties: { Runtime: string } }>).Old.Properties.Runtime).toBe('nodejs20.x');
    expect(result.changed).toBe(false);
  });
});
