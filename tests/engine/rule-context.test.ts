/**
 * What a rule that decides once for several resources gets from its context: `ctx.skips` tells
 * which resources opted out of the rule, and `ctx.createResource` takes the new resource's
 * Condition from the rule when the resource serves several owners (one per account and region).
 */
import { harden } from '../../macro/engine/harden';
import type { Rule } from '../../macro/rules/types';
import type { JsonObject } from '../../macro/template/json';

function queueRule(id: string, apply: Rule['apply']): Rule {
  return { id, title: `Test rule ${id}`, rationale: 'Exercises the engine.', resourceTypes: ['AWS::SNS::Topic'], changes: ['AWS::SQS::Queue'], references: [], apply };
}

function topics(conditions: Array<string | undefined>, skip?: number): JsonObject {
  const resources: JsonObject = {};
  conditions.forEach((condition, i) => {
    const topic: JsonObject = { Type: 'AWS::SNS::Topic' };
    if (condition) topic.Condition = condition;
    if (i === skip) topic.Metadata = { TapHardening: { Skip: [{ Rule: 'T-9', Reason: 'owned by another team' }] } };
    resources[`Topic${i}`] = topic;
  });
  return {
    Parameters: { Env: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
    Resources: resources,
  };
}

/** T-9: one shared queue for all topics that did not opt out, under their common condition if any. */
const sharedQueue = queueRule('T-9', (topic, ctx) => {
  const serving = ctx.model.idsOfType('AWS::SNS::Topic').filter((id) => !ctx.skips(id));
  if (serving[0] !== topic.id) return;
  const conditions = new Set(serving.map((id) => ctx.model.condition(id)));
  const shared = conditions.size === 1 ? [...conditions][0] : undefined;
  ctx.createResource('Shared', 'Queue', { Type: 'AWS::SQS::Queue' }, `for ${serving.join(', ')}`, { condition: shared ?? null });
});

describe('RuleContext for resources that serve several owners', () => {
  test('ctx.skips is true only for resources that asked to skip this rule', () => {
    // Prepare
    const seen: Array<[string, boolean]> = [];
    const probe = queueRule('T-9', (_topic, ctx) => {
      for (const id of ctx.model.idsOfType('AWS::SNS::Topic')) seen.push([id, ctx.skips(id)]);
    });

    // Act
    harden({ template: topics([undefined, undefined], 1), rules: [probe] });

    // Assess: apply runs for Topic0 only (Topic1 is suppressed), and sees Topic1 skipping
    expect(seen).toStrictEqual([
      ['Topic0', false],
      ['Topic1', true],
    ]);
  });

  test('a shared resource takes the condition all its owners share, from a fixed owner name', () => {
    // Act
    const result = harden({ template: topics(['IsProd', 'IsProd']), rules: [sharedQueue] });

    // Assess
    expect((result.template.Resources as JsonObject).SharedQueue).toStrictEqual({ Type: 'AWS::SQS::Queue', Condition: 'IsProd' });
  });

  test('condition null makes it unconditional, even when a resource has the owner name and a Condition', () => {
    // Prepare: owners under different conditions, and a resource named like the fixed owner
    const input = topics(['IsProd', 'IsDev']);
    (input.Resources as JsonObject).Shared = { Type: 'AWS::SNS::Topic', Condition: 'IsDev', Metadata: { TapHardening: { Skip: [{ Rule: 'T-9', Reason: 'not served in dev' }] } } };

    // Act
    const result = harden({ template: input, rules: [sharedQueue] });

    // Assess
    expect((result.template.Resources as JsonObject).SharedQueue).toStrictEqual({ Type: 'AWS::SQS::Queue' });
  });

  test('a suppressed owner is left out of the decision', () => {
    // Act: the unconditional Topic1 opted out, so the rest share IsProd
    const result = harden({ template: topics(['IsProd', undefined, 'IsProd'], 1), rules: [sharedQueue] });

    // Assess
    expect((result.template.Resources as JsonObject).SharedQueue).toStrictEqual({ Type: 'AWS::SQS::Queue', Condition: 'IsProd' });
    expect(result.report.records.find((r) => r.action === 'created')?.detail).toBe('for Topic0, Topic2');
  });

  test('without options the new resource still inherits its owner resource condition', () => {
    // Prepare
    const inherit = queueRule('T-9', (topic, ctx) => {
      ctx.createResource(topic.id, 'Queue', { Type: 'AWS::SQS::Queue' }, 'queue');
    });

    // Act
    const result = harden({ template: topics(['IsProd']), rules: [inherit] });

    // Assess
    expect((result.template.Resources as JsonObject).Topic0Queue).toStrictEqual({ Type: 'AWS::SQS::Queue', Condition: 'IsProd' });
  });
});
