/**
 * Adding `DependsOn` edges safely: no duplicates, the template's string or list form kept, no
 * edge from a resource to one that may not exist when it does (CloudFormation rejects that,
 * cfn-lint E3005), and never a cycle (cfn-lint E3004).
 */
import type { Json } from './json';
import type { TemplateModel } from './model';

export type DependsOnOutcome =
  | { added: true }
  | { added: false; reason: 'present' | 'self' | 'conditional' | 'cycle' | 'missing' };

/**
 * Makes `from` depend on `to`.
 *
 * @example
 * addDependsOn(model, 'Trail', 'TrailBucketPolicy'); // { added: true }
 * addDependsOn(model, 'Trail', 'TrailBucketPolicy'); // { added: false, reason: 'present' }
 */
export function addDependsOn(model: TemplateModel, from: string, to: string): DependsOnOutcome {
  if (from === to) return { added: false, reason: 'self' };
  if (!model.isResource(to) || !model.isResource(from)) return { added: false, reason: 'missing' };
  const current = model.dependsOn(from);
  if (current.includes(to)) return { added: false, reason: 'present' };
  if (!model.conditionImplies(model.condition(from), model.condition(to))) return { added: false, reason: 'conditional' };
  if (model.reaches(to, from)) return { added: false, reason: 'cycle' };
  const existing = model.resource(from)?.DependsOn;
  const next: Json = existing === undefined ? to : [...current, to];
  model.set(from, ['DependsOn'], next);
  return { added: true };
}
