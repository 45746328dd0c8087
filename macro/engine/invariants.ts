/**
 * The checks every output passes before it leaves the engine (DESIGN.md, invariant 5): no
 * dependency cycle, every DependsOn, Ref, GetAtt, Sub and Condition target exists (or names a
 * resource inside a CloudFormation module of the template, see template/modules.ts), and the
 * template stays within CloudFormation's limits; and invariant 4: no rule replaces an existing
 * resource by changing a property whose update requires replacement. A violation is a failure,
 * never an output.
 */
import type { Problem } from './errors';
import { isChange, type ReportRecord } from '../report/records';
import type { Rule } from '../rules/types';
import { causesReplacement } from '../spec';
import { deepEqual, getOwn, isObject, type JsonObject } from '../template/json';
import { danglingReferences, type TemplateModel } from '../template/model';
import { moduleOf } from '../template/modules';

/** CloudFormation quotas ("AWS CloudFormation quotas", User Guide). */
export const LIMITS = {
  resources: 500,
  /** A template body uploaded through S3. */
  templateBytes: 1_000_000,
  /** A template body sent inline with the API call. */
  inlineTemplateBytes: 51_200,
};

/**
 * Whether every name can be checked: a template that still holds un-expanded SAM resources,
 * `Fn::ForEach` loops or `Fn::Transform` calls gets resources from a later transform, so
 * references to them cannot be judged yet.
 */
function namesAreFinal(model: TemplateModel): boolean {
  if (Object.keys(model.resources).length !== model.ids().length) return false;
  if (model.ids().some((id) => (model.type(id) ?? '').startsWith('AWS::Serverless::'))) return false;
  return !model.mentionsTransform;
}

/**
 * Checks the model; `addedEdges` names which rule added which dependency edge (through
 * DependsOn, or a reference it wrote), so a cycle is blamed on the rule that closed it.
 */
export function checkInvariants(model: TemplateModel, addedEdges: ReadonlyMap<string, string>): Problem[] {
  const problems: Problem[] = [];
  const ids = model.ids();
  if (ids.length > LIMITS.resources) {
    problems.push({ rule: 'INVARIANT', resource: '-', path: 'Resources', message: `the template has ${ids.length} resources; CloudFormation allows ${LIMITS.resources}` });
  }
  const conditions = getOwn(model.doc, 'Conditions');
  const final = namesAreFinal(model);
  for (const id of ids) {
    for (const target of model.dependsOn(id)) {
      // A resource inside a module (`MyModuleS3Bucket`) is added when CloudFormation expands it.
      if (!model.isResource(target) && final && moduleOf(model, target) === undefined) problems.push({ rule: 'INVARIANT', resource: id, path: 'DependsOn', message: `${target} is not a resource in this template` });
    }
    const condition = model.condition(id);
    if (condition !== undefined && !(isObject(conditions) && Object.prototype.hasOwnProperty.call(conditions, condition))) {
      problems.push({ rule: 'INVARIANT', resource: id, path: 'Condition', message: `${condition} is not defined in Conditions` });
    }
    if (!final || model.namesResolve(id)) continue;
    const resource = model.resource(id) as JsonObject;
    for (const key of ['Properties', 'UpdatePolicy', 'CreationPolicy']) {
      for (const name of danglingReferences(model, getOwn(resource, key))) {
        if (moduleOf(model, name) !== undefined) continue;
        problems.push({ rule: 'INVARIANT', resource: id, path: key, message: `refers to ${name}, which is not a resource, parameter or pseudo parameter of this template` });
      }
    }
  }
  const outputs = getOwn(model.doc, 'Outputs');
  if (final && isObject(outputs)) {
    for (const name of Object.keys(outputs)) {
      for (const ref of danglingReferences(model, outputs[name])) {
        if (moduleOf(model, ref) !== undefined) continue;
        problems.push({ rule: 'INVARIANT', resource: '-', path: `Outputs.${name}`, message: `refers to ${ref}, which is not in this template` });
      }
    }
  }
  const cycle = findCycle(model, ids);
  if (cycle) {
    const blamed = [...new Set(cycle.slice(0, -1).map((from, i) => addedEdges.get(`${from}>${cycle[i + 1]}`)).filter((r): r is string => r !== undefined))];
    problems.push({
      rule: blamed.length ? blamed.join(',') : 'INVARIANT',
      resource: cycle[0],
      path: 'DependsOn',
      message: `dependency cycle ${cycle.join(' → ')}${blamed.length ? '' : ' (already in the input template)'}`,
    });
  }
  return problems;
}

/** A dependency cycle as a path that starts and ends with the same id, or undefined. Iterative DFS. */
export function findCycle(model: TemplateModel, ids: readonly string[]): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  for (const root of ids) {
    if (state.has(root)) continue;
    const stack: Array<{ id: string; next: Iterator<string> }> = [{ id: root, next: model.edges(root).values() }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const step = top.next.next();
      if (step.done) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const to = step.value;
      const s = state.get(to);
      if (s === 1) {
        const start = stack.findIndex((f) => f.id === to);
        return [...stack.slice(start).map((f) => f.id), to];
      }
      if (s === undefined && model.isResource(to)) {
        state.set(to, 1);
        stack.push({ id: to, next: model.edges(to).values() });
      }
    }
  }
  return undefined;
}

/**
 * Invariant 4, replacement safety: compares every resource of the input with the model after the
 * rules ran, property by top-level property. A changed property whose update the resource
 * specification marks as requiring replacement (`causesReplacement` yes or maybe) is a problem
 * naming the rules that wrote it (from the report's change records), unless each of them
 * declares that exact write in `replaces` (its documented fix) or `allowReplacement` is set
 * (the template option `AllowReplacement: true`); both are accepted and added to `records`, so
 * the report says which resources an update will replace. Resources the rules created are not
 * checked: nothing exists to replace.
 */
export function checkReplacements(input: JsonObject, model: TemplateModel, records: ReportRecord[], rules: readonly Rule[], allowReplacement: boolean): Problem[] {
  const problems: Problem[] = [];
  const resources = getOwn(input, 'Resources');
  if (!isObject(resources)) return problems;
  const byId = new Map(rules.map((r) => [r.id, r]));
  // Each resource's change records, grouped once (filtering them all per property was quadratic).
  const changes = new Map<string, ReportRecord[]>();
  for (const r of records) if (isChange(r)) changes.set(r.resource, [...(changes.get(r.resource) ?? []), r]);
  const accepted: ReportRecord[] = [];
  for (const id of Object.keys(resources)) {
    const before = resources[id];
    const type = model.type(id);
    if (!isObject(before) || type === undefined || before.Type !== type) continue;
    const was = isObject(before.Properties) ? before.Properties : {};
    const now = model.get(id, ['Properties']);
    const is = isObject(now) ? now : {};
    for (const name of new Set([...Object.keys(was), ...Object.keys(is)])) {
      // The spec lookup first: it rules out most properties without comparing their values.
      const how = causesReplacement(type, name);
      if (how !== 'yes' && how !== 'maybe') continue;
      if (deepEqual(getOwn(was, name), getOwn(is, name))) continue;
      const path = `Properties.${name}`;
      const writers = [...new Set((changes.get(id) ?? []).filter((r) => touches(r.path, path)).map((r) => r.rule))];
      const declaration = `${type} ${path}`;
      const documented = writers.length > 0 && writers.every((w) => byId.get(w)?.replaces?.includes(declaration));
      const replaces = how === 'yes' ? `replaces ${id} when the stack is updated` : `may replace ${id} when the stack is updated`;
      if (documented) {
        for (const w of writers) accepted.push({ rule: w, resource: id, action: 'finding', path, detail: `changing ${name} ${replaces}; the rule documents this as its fix`, severity: 'info' });
      } else if (allowReplacement) {
        accepted.push({ rule: writers.join(',') || 'INVARIANT', resource: id, action: 'finding', path, detail: `changing ${name} ${replaces} (the template sets AllowReplacement: true)`, severity: 'warning' });
      } else {
        problems.push({
          rule: writers.join(',') || 'INVARIANT',
          resource: id,
          path,
          message: `changing ${name} ${replaces} (the resource specification marks ${type} ${name} as requiring replacement${how === 'maybe' ? ' in some cases' : ''}): a rule must report this instead of changing it; set AllowReplacement: true in Metadata.TapHardening to accept the replacement`,
        });
      }
    }
  }
  if (!problems.length) records.push(...accepted);
  return problems;
}

/** True when a record's path is `path` itself, lies under it, or contains it (`Properties`). */
function touches(recordPath: string, path: string): boolean {
  return recordPath === path || recordPath.startsWith(`${path}.`) || recordPath.startsWith(`${path}[`) || recordPath === 'Properties' || recordPath === '';
}
