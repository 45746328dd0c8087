/**
 * DESIGN.md's invariants as properties over generated templates, in both modes:
 * nothing lost, idempotent, deterministic, input not mutated, valid (no cycle, no dangling
 * name), new resources carry their owner's condition, no injected Allow for everyone, and no
 * statement added beside one of the input that already allowed the same request.
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
import { statementAllows } from '../../macro/connections/covers';
import type { Request } from '../../macro/connections/types';
import { withoutReport } from '../support/fixtures';

const RUNS = Number(process.env.FC_RUNS ?? 1500);

/** Every leaf of a value as [path, value], paths like `Resources.A.Properties.X[0]`. */
function leaves(value: Json, path = '', out: Array<[string, Json]> = []): Array<[string, Json]> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (isObject(value) && Object.keys(value).length) for (const k of Object.keys(value)) leaves(value[k], path ? `${path}.${k}` : k, out);
  else out.push([path, value]);
  return out;
}

/** `Properties.KeyPolicy.Statement[2]` → ['Properties', 'KeyPolicy', 'Statement', 2] */
function pathOf(path: string): Array<string | number> {
  return path.split(/\.|\[|\]/).filter((x) => x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/**
 * The concrete request an added statement stands for (its principal, actions, resource and the
 * condition values it pins), and the input statement of the same policy that already allowed that
 * request, if any: the statement should then not have been added.
 */
function coveredByInput(input: JsonObject, policy: string, added: Json): Json | undefined {
  if (!isObject(added) || added.Effect !== 'Allow' || !isObject(added.Principal) || added.Principal.Service === undefined) return undefined;
  const before = (input.Resources as JsonObject)[policy];
  if (!isObject(before) || !isObject(before.Properties)) return undefined;
  const doc = before.Properties.KeyPolicy ?? before.Properties.PolicyDocument;
  const statements = isObject(doc) ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
  const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const context: Record<string, Json[]> = {};
  for (const block of Object.values(isObject(added.Condition) ? added.Condition : {})) {
    if (isObject(block)) for (const [k, v] of Object.entries(block)) context[k] = list(v);
  }
  const request: Request = {
    principal: list(added.Principal.Service)[0],
    actions: list(added.Action).map((a) => String(a).replace(/\*$/, '')),
    resources: list(added.Resource).slice(0, 1),
    context,
  };
  return statements.find((e) => e !== undefined && statementAllows(e, request));
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

        // Never wider: no statement is added beside one of the input that already allowed it.
        if (mode === 'fix') for (const r of result.report.records.filter((x) => x.action === 'statement')) expect(coveredByInput(input, r.resource, model.get(r.resource, pathOf(r.path)) ?? null)).toBeUndefined();

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
