/**
 * DESIGN.md's invariants as properties over generated templates, in both modes:
 * nothing lost, idempotent, deterministic, input not mutated, valid (no cycle, no dangling
 * name), new resources carry their owner's condition, and no injected Allow for everyone.
 * `FC_RUNS=50000 npx jest tests/properties` runs many more cases than the default (1,500 per mode;
 * the timeout grows with the count; 10,000 per mode took 90 s per mode on a 2-CPU machine).
 */
import fc from 'fast-check';
import { harden } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import { findCycle } from '../../macro/engine/invariants';
import { isChange } from '../../macro/report/records';
import { deepClone, isObject, type Json, type JsonObject } from '../../macro/template/json';
import { danglingReferences, TemplateModel } from '../../macro/template/model';
import { template } from '../support/arbitraries';
import { withoutReport } from '../support/fixtures';

const RUNS = Number(process.env.FC_RUNS ?? 1500);

/** Every leaf of a value as [path, value], paths like `Resources.A.Properties.X[0]`. */
function leaves(value: Json, path = '', out: Array<[string, Json]> = []): Array<[string, Json]> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (isObject(value) && Object.keys(value).length) for (const k of Object.keys(value)) leaves(value[k], path ? `${path}.${k}` : k, out);
  else out.push([path, value]);
  return out;
}

function withMode(t: JsonObject, mode: 'fix' | 'report'): JsonObject {
  return { ...t, Metadata: { TapHardening: { Mode: mode } } };
}

const run = (t: JsonObject) => harden({ template: t, region: 'us-east-1', accountId: '123456789012' });

describe.each(['fix', 'report'] as const)('in %s mode', (mode) => {
  test('the engine keeps every invariant on generated templates', () => {
    fc.assert(
      fc.property(template(), (generated) => {
        // Prepare
        const input = withMode(generated, mode);
        const frozen = JSON.stringify(input);
        // Act
        let result;
        try {
          result = run(input);
        } catch (e) {
          // The generator only makes valid templates: any failure is a bug.
          throw new Error(`engine failed: ${e instanceof HardeningError ? e.message : String(e)}`);
        }
        // Assess: input not mutated; deterministic
        expect(JSON.stringify(input)).toBe(frozen);
        expect(JSON.stringify(run(input).template)).toBe(JSON.stringify(result.template));

        // Nothing lost: every input leaf is in the output, at its path (a single-object
        // Statement that received statements becomes a list whose first item it is).
        const output = result.template;
        const outLeaves = new Map(leaves(output));
        const updated = result.report.records.filter((r) => r.action === 'updated' || r.action === 'removed');
        for (const [path, value] of leaves(input)) {
          if (path.startsWith('Metadata.TapHardening')) continue;
          if (updated.some((r) => path.startsWith(`Resources.${r.resource}.${r.path}`))) continue;
          const wrapped = path.replace(/\.Statement\./, '.Statement[0].');
          // An empty object that a rule filled in (Properties: {}) is kept as a container.
          if (isObject(value) && [...outLeaves.keys()].some((p) => p.startsWith(`${path}.`))) continue;
          expect([outLeaves.get(path), outLeaves.get(wrapped)]).toContainEqual(value);
        }

        // Report mode changes nothing but the report.
        if (mode === 'report') expect(withoutReport(output, input)).toEqual(input);

        // Valid: no cycle, no dangling name.
        const model = new TemplateModel(output);
        expect(findCycle(model, model.ids())).toBeUndefined();
        for (const id of model.ids()) {
          expect(danglingReferences(model, model.resource(id)?.Properties)).toEqual([]);
          for (const d of model.dependsOn(id)) expect(model.isResource(d)).toBe(true);
        }

        // New resources carry their owner's condition; injected Allows never name everyone.
        const inputIds = new Set(Object.keys(input.Resources as JsonObject));
        for (const id of model.ids().filter((x) => !inputIds.has(x))) {
          const body = model.resource(id) as JsonObject;
          const owners = (JSON.stringify(body.Properties).match(/"Ref":"([A-Za-z0-9]+)"/g) ?? []).map((m) => m.slice(7, -1));
          const owner = owners.find((o) => inputIds.has(o));
          if (owner) expect(body.Condition).toBe(model.condition(owner));
        }
        for (const r of mode === 'fix' ? result.report.records.filter((x) => x.action === 'statement' || x.action === 'created') : []) {
          const text = JSON.stringify(model.resource(r.resource));
          expect(text).not.toMatch(/"Effect":"Allow","Principal":"\*"/);
        }

        // Idempotent: a second run changes nothing and gives the same template (in report
        // mode, where nothing was changed, it reports the same again).
        const again = run(deepClone(output));
        expect(again.report.records.filter(isChange)).toEqual(mode === 'fix' ? [] : result.report.records.filter(isChange));
        expect(withoutReport(again.template, input)).toEqual(withoutReport(output, input));
      }),
      { numRuns: RUNS },
    );
  }, Math.max(120_000, RUNS * 25));
});
