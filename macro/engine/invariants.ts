/**
 * The checks every output passes before it leaves the engine (DESIGN.md, invariant 5): no
 * dependency cycle, every DependsOn, Ref, GetAtt, Sub and Condition target exists, and the
 * template stays within CloudFormation's limits. A violation is a failure, never an output.
 */
import type { Problem } from './errors';
import { getOwn, isObject, type JsonObject } from '../template/json';
import { danglingReferences, type TemplateModel } from '../template/model';

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
  return !JSON.stringify(model.doc).includes('"Fn::Transform"');
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
      if (!model.isResource(target) && final) problems.push({ rule: 'INVARIANT', resource: id, path: 'DependsOn', message: `${target} is not a resource in this template` });
    }
    const condition = model.condition(id);
    if (condition !== undefined && !(isObject(conditions) && Object.prototype.hasOwnProperty.call(conditions, condition))) {
      problems.push({ rule: 'INVARIANT', resource: id, path: 'Condition', message: `${condition} is not defined in Conditions` });
    }
    if (!final) continue;
    const resource = model.resource(id) as JsonObject;
    for (const key of ['Properties', 'UpdatePolicy', 'CreationPolicy']) {
      for (const name of danglingReferences(model, getOwn(resource, key))) {
        problems.push({ rule: 'INVARIANT', resource: id, path: key, message: `refers to ${name}, which is not a resource, parameter or pseudo parameter of this template` });
      }
    }
  }
  const outputs = getOwn(model.doc, 'Outputs');
  if (final && isObject(outputs)) {
    for (const name of Object.keys(outputs)) {
      for (const ref of danglingReferences(model, outputs[name])) {
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
