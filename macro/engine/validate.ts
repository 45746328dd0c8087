/**
 * The shape a template must have before any rule runs. Problems name the resource and path; a
 * malformed template is never half-hardened.
 */
import type { Problem } from './errors';
import { isForEachKey } from '../template/model';
import { formatPath, getOwn, isObject, MAX_DEPTH, tooDeep, type Json } from '../template/json';

/** CloudFormation logical ids are alphanumeric ("Template format error: … non alphanumeric"). */
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/** Sections that must be mappings when present. */
const MAPPING_SECTIONS = ['Parameters', 'Conditions', 'Outputs', 'Mappings', 'Metadata'];

/**
 * Checks a template's structure. Returns the problems; an empty list means rules may run.
 *
 * @example
 * validateTemplate({ Resources: { Nameless: { Properties: {} } } });
 * // → [{ rule: 'TEMPLATE', resource: 'Nameless', path: 'Type', message: 'is missing: every resource needs a Type' }]
 */
export function validateTemplate(template: Json): Problem[] {
  const problems: Problem[] = [];
  const add = (resource: string, path: string, message: string): void => {
    problems.push({ rule: 'TEMPLATE', resource, path, message });
  };
  if (!isObject(template)) {
    add('-', '-', 'the template (fragment) must be a JSON object');
    return problems;
  }
  const deep = tooDeep(template);
  if (deep) {
    // Name where it happens (the resource, and the path's start: the full path is MAX_DEPTH long).
    const inResource = deep[0] === 'Resources' && deep.length > 1;
    const shown = formatPath(deep.slice(inResource ? 2 : 0, inResource ? 5 : 3));
    add(inResource ? String(deep[1]) : '-', `${shown}…`, `nests more than ${MAX_DEPTH} levels deep; no CloudFormation template needs that many: flatten the value`);
    return problems;
  }
  for (const section of MAPPING_SECTIONS) {
    const value = getOwn(template, section);
    if (value !== undefined && !isObject(value)) add('-', section, `must be a mapping, not ${kind(value)}`);
  }
  const resources = getOwn(template, 'Resources');
  if (resources === undefined) return problems;
  if (!isObject(resources)) {
    add('-', 'Resources', `must be a mapping of logical ids to resources, not ${kind(resources)}`);
    return problems;
  }
  for (const id of Object.keys(resources)) {
    const resource = resources[id];
    if (isForEachKey(id)) continue; // AWS::LanguageExtensions loops: passed through untouched
    if (!LOGICAL_ID.test(id)) add(id, '-', 'logical ids must be alphanumeric (A-Z, a-z, 0-9)');
    if (!isObject(resource)) {
      add(id, '-', `a resource must be a mapping, not ${kind(resource)}`);
      continue;
    }
    const type = getOwn(resource, 'Type');
    if (type === undefined) add(id, 'Type', 'is missing: every resource needs a Type');
    else if (typeof type !== 'string') add(id, 'Type', `must be a string, not ${kind(type)}`);
    else if (!/^(AWS|Alexa|Custom)::|^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$/.test(type)) add(id, 'Type', `${JSON.stringify(type)} is not a resource type`);
    const properties = getOwn(resource, 'Properties');
    if (properties !== undefined && !isObject(properties)) add(id, 'Properties', `must be a mapping, not ${kind(properties)}`);
    const dependsOn = getOwn(resource, 'DependsOn');
    if (dependsOn !== undefined) {
      const ok = typeof dependsOn === 'string' || (Array.isArray(dependsOn) && dependsOn.every((d) => typeof d === 'string'));
      if (!ok) add(id, 'DependsOn', 'must be a logical id or a list of logical ids');
    }
    const condition = getOwn(resource, 'Condition');
    if (condition !== undefined && typeof condition !== 'string') add(id, 'Condition', 'must be the name of a condition');
    const metadata = getOwn(resource, 'Metadata');
    if (metadata !== undefined && !isObject(metadata)) add(id, 'Metadata', `must be a mapping, not ${kind(metadata)}`);
  }
  return problems;
}

function kind(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
