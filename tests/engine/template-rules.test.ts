/**
 * What the engine gives rules beyond one resource at a time: `applyTemplate` (once per template,
 * for parameters and the deploy's region), `resourceTypes: ['*']` (every resource),
 * `ctx.setTemplate` (writes outside Resources, checked against `changes` like any write),
 * `ctx.remove` (removals, recorded in full), hints on records, and how a failing rule's message
 * is kept clear of the invariant pass's duplicate.
 */
import { HardeningError } from '../../macro/engine/errors';
import { harden, type HardenInput } from '../../macro/engine/harden';
import type { Rule } from '../../macro/rules/types';
import type { JsonObject } from '../../macro/template/json';
import { renderReport } from '../../macro/report/render';

function rule(id: string, more: Partial<Rule>): Rule {
  return { id, title: `Test rule ${id}`, rationale: 'Exercises the engine.', resourceTypes: [], changes: [], references: [], ...more };
}

function failure(input: HardenInput): HardeningError {
  try {
    harden(input);
  } catch (e) {
    if (e instanceof HardeningError) return e;
    throw e;
  }
  throw new Error('expected harden to fail');
}

const TEMPLATE: JsonObject = {
  Parameters: { Env: { Type: 'String', Default: 'dev' }, Team: { Type: 'String' } },
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic' },
    Queue: { Type: 'AWS::SQS::Queue', DependsOn: ['Topic', 'Other'] },
    Other: { Type: 'AWS::SNS::Topic' },
  },
};

describe('applyTemplate', () => {
  test('runs once per template, before apply, with the parameters', () => {
    // Prepare
    const calls: string[] = [];
    const both = rule('T-20', {
      resourceTypes: ['AWS::SNS::Topic'],
      applyTemplate: (template) => calls.push(`template ${Object.keys(template.parameters).join(',')}`),
      apply: (resource) => calls.push(`resource ${resource.id}`),
    });

    // Act
    harden({ template: TEMPLATE, rules: [both] });

    // Assess
    expect(calls).toStrictEqual(['template Env,Team', 'resource Topic', 'resource Other']);
  });

  test('a failure names the rule and resource "-"', () => {
    // Prepare
    const failing = rule('T-21', { applyTemplate: (_t, ctx) => ctx.fail('-', 'Parameters.Env', 'is wrong') });

    // Act
    const error = failure({ template: TEMPLATE, rules: [failing] });

    // Assess
    expect(error.problems).toStrictEqual([{ rule: 'T-21', resource: '-', path: 'Parameters.Env', message: 'is wrong' }]);
  });

  test('a resource cannot skip a template-level rule: the run says how to turn it off', () => {
    // Prepare
    const templateOnly = rule('T-22', { applyTemplate: () => undefined });
    const input: JsonObject = { Resources: { Topic: { Type: 'AWS::SNS::Topic', Metadata: { TapHardening: { Skip: [{ Rule: 'T-22', Reason: 'not for this one' }] } } } } };

    // Act
    const error = failure({ template: input, rules: [templateOnly] });

    // Assess
    expect(error.problems).toStrictEqual([
      { rule: 'OPTIONS', resource: 'Topic', path: 'Metadata.TapHardening.Skip', message: 'T-22 applies to the template as a whole, not to one resource: turn it off with Metadata.TapHardening.Rules: {T-22: false}' },
    ]);
  });

  test('Rules: {id: false} turns it off', () => {
    // Prepare
    let called = false;
    const templateOnly = rule('T-23', { applyTemplate: () => void (called = true) });

    // Act
    harden({ template: { ...TEMPLATE, Metadata: { TapHardening: { Rules: { 'T-23': false } } } }, rules: [templateOnly] });

    // Assess
    expect(called).toBe(false);
  });
});

describe("resourceTypes ['*']", () => {
  test('hands every resource to apply, in template order', () => {
    // Prepare
    const seen: string[] = [];
    const every = rule('T-24', { resourceTypes: ['*'], apply: (r) => void seen.push(`${r.id}:${r.type}`) });

    // Act
    harden({ template: TEMPLATE, rules: [every] });

    // Assess
    expect(seen).toStrictEqual(['Topic:AWS::SNS::Topic', 'Queue:AWS::SQS::Queue', 'Other:AWS::SNS::Topic']);
  });
});

describe('ctx.setTemplate', () => {
  const guard = (changes: string[], path: string[]): Rule =>
    rule('T-25', { changes, applyTemplate: (_t, ctx) => ctx.setTemplate(path, '^[a-z]+$', 'lowercase only', 'declare your own pattern') });

  test('writes outside Resources and records it against "-" with the full path and hint', () => {
    // Act
    const result = harden({ template: TEMPLATE, rules: [guard(['Parameters.*.AllowedPattern'], ['Parameters', 'Env', 'AllowedPattern'])] });

    // Assess
    expect((result.template.Parameters as JsonObject).Env).toStrictEqual({ Type: 'String', Default: 'dev', AllowedPattern: '^[a-z]+$' });
    expect(result.report.records).toStrictEqual([{ rule: 'T-25', resource: '-', action: 'added', path: 'Parameters.Env.AllowedPattern', detail: 'lowercase only', hint: 'declare your own pattern' }]);
  });

  test('in report mode records the change and writes nothing', () => {
    // Act
    const result = harden({ template: { ...TEMPLATE, Metadata: { TapHardening: { Mode: 'report' } } }, rules: [guard(['Parameters.*.AllowedPattern'], ['Parameters', 'Env', 'AllowedPattern'])] });

    // Assess
    expect((result.template.Parameters as JsonObject).Env).toStrictEqual({ Type: 'String', Default: 'dev' });
    expect(result.changed).toBe(true);
  });

  test.each([
    ['an undeclared key', ['Parameters.*.AllowedPattern'], ['Parameters', 'Env', 'Default'], 'T-25 wrote Parameters.Env.Default, which it does not declare in its changes'],
    ['a resource-typed declaration', ['AWS::SNS::Topic Parameters'], ['Parameters', 'Env', 'AllowedPattern'], 'T-25 wrote Parameters.Env.AllowedPattern, which it does not declare in its changes'],
    ['a write into Resources', ['Resources'], ['Resources', 'Topic', 'Properties'], 'setTemplate writes outside Resources, not at Resources.Topic.Properties'],
  ])('refuses %s as an internal error naming the rule', (_name, changes, path, message) => {
    // Act
    const error = failure({ template: TEMPLATE, rules: [guard(changes, path)] });

    // Assess
    expect(error.problems).toStrictEqual([{ rule: 'T-25', resource: '-', path: '-', message: `internal error: ${message}` }]);
  });
});

describe('ctx.remove', () => {
  const dropper = (changes: string[], path: Array<string | number>): Rule =>
    rule('T-26', { resourceTypes: ['AWS::SQS::Queue'], changes, apply: (r, ctx) => ctx.remove(r.id, path, 'Other: removed for the test', 'refer to Other instead') });

  test('removes one list entry, keeps the others in order and records it at the list path', () => {
    // Act
    const result = harden({ template: TEMPLATE, rules: [dropper(['* DependsOn'], ['DependsOn', 1])] });

    // Assess
    expect((result.template.Resources as JsonObject).Queue).toStrictEqual({ Type: 'AWS::SQS::Queue', DependsOn: ['Topic'] });
    expect(result.report.records).toStrictEqual([{ rule: 'T-26', resource: 'Queue', action: 'removed', path: 'DependsOn', detail: 'Other: removed for the test', hint: 'refer to Other instead' }]);
  });

  test('removes a key', () => {
    // Act
    const result = harden({ template: TEMPLATE, rules: [dropper(['AWS::SQS::Queue DependsOn'], ['DependsOn'])] });

    // Assess
    expect((result.template.Resources as JsonObject).Queue).toStrictEqual({ Type: 'AWS::SQS::Queue' });
  });

  test.each([
    ['an undeclared path', ['AWS::SQS::Queue Properties'], ['DependsOn', 0], 'T-26 wrote AWS::SQS::Queue DependsOn[0], which it does not declare in its changes'],
    ['a declaration for another type', ['AWS::SNS::Topic DependsOn'], ['DependsOn'], 'T-26 wrote AWS::SQS::Queue DependsOn, which it does not declare in its changes'],
    ['a value that is not there', ['* DependsOn'], ['DependsOn', 5], 'T-26 removed Queue DependsOn[5], which does not exist'],
  ])('refuses %s as an internal error naming the rule', (_name, changes, path, message) => {
    // Act
    const error = failure({ template: TEMPLATE, rules: [dropper(changes, path)] });

    // Assess
    expect(error.problems).toStrictEqual([{ rule: 'T-26', resource: 'Queue', path: '-', message: `internal error: ${message}` }]);
  });
});

describe('hints and problems', () => {
  test('a finding and a change carry their one-line hint', () => {
    // Prepare
    const hinted = rule('T-27', {
      resourceTypes: ['AWS::SNS::Topic'],
      changes: ['AWS::SNS::Topic Properties.DisplayName'],
      apply: (r, ctx) => {
        ctx.set(r.id, ['Properties', 'DisplayName'], r.id, 'named', 'write DisplayName yourself');
        ctx.finding(r.id, 'Properties', 'warning', 'looks odd', 'look again');
      },
    });

    // Act
    const result = harden({ template: { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }, rules: [hinted] });

    // Assess
    expect(result.report.records).toStrictEqual([
      { rule: 'T-27', resource: 'Topic', action: 'added', path: 'Properties.DisplayName', detail: 'named', hint: 'write DisplayName yourself' },
      { rule: 'T-27', resource: 'Topic', action: 'finding', path: 'Properties', detail: 'looks odd', severity: 'warning', hint: 'look again' },
    ]);
  });

  test("a rule's failure on a path hides the invariant's duplicate for that path, not others", () => {
    // Prepare: Queue depends on a missing resource; Topic refers to a missing one too
    const input: JsonObject = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', DependsOn: 'Ghost' },
        Topic: { Type: 'AWS::SNS::Topic', DependsOn: 'Phantom' },
      },
    };
    const strict = rule('T-28', { resourceTypes: ['AWS::SQS::Queue'], apply: (r, ctx) => ctx.fail(r.id, 'DependsOn', 'Ghost is not a resource: remove it') });

    // Act
    const error = failure({ template: input, rules: [strict] });

    // Assess
    expect(error.problems).toStrictEqual([
      { rule: 'T-28', resource: 'Queue', path: 'DependsOn', message: 'Ghost is not a resource: remove it' },
      { rule: 'INVARIANT', resource: 'Topic', path: 'DependsOn', message: 'Phantom is not a resource in this template' },
    ]);
  });
});

describe('hints in rendered reports', () => {
  const report = {
    version: '0.0.0',
    mode: 'fix' as const,
    rules: ['T-29'],
    records: [{ rule: 'T-29', resource: 'Queue', action: 'removed' as const, path: 'DependsOn', detail: 'Key: it may not exist', hint: 'refer to Key through Fn::If' }],
  };

  test('text shows the hint on its own line under the record', () => {
    expect(renderReport(report, 'text')).toContain('    T-29      removed    DependsOn: Key: it may not exist\n              fix        refer to Key through Fn::If\n');
  });

  test('Markdown appends it to the detail', () => {
    expect(renderReport(report, 'markdown')).toContain('| Key: it may not exist Fix: refer to Key through Fn::If |');
  });
});
