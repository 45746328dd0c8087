/**
 * The template model: the only code that reads and writes raw template JSON. It works on its own
 * deep copy, keeps key order, never drops unknown keys, and keeps an index of resources by type
 * and a lazily refreshed dependency graph (Ref, GetAtt, Sub and DependsOn edges) that the
 * DependsOn helper and the invariant pass share.
 */
import { intrinsicName, isPseudoParameter, references } from './intrinsics';
import { deepClone, getOwn, hasOwn, isObject, setOwn, type Json, type JsonObject } from './json';
import type { ResolveScope } from './resolve';

/** Keys of `Resources` that are not resources: `Fn::ForEach::<Name>` loops of AWS::LanguageExtensions. */
export function isForEachKey(key: string): boolean {
  return key.startsWith('Fn::ForEach::');
}

export class TemplateModel implements ResolveScope {
  readonly doc: JsonObject;
  private readonly byType = new Map<string, string[]>();
  private readonly edgeCache = new Map<string, Set<string>>();
  private readonly parameterValues: Record<string, string>;

  /**
   * @param template a validated template (see `validateTemplate`); the model copies it.
   * @param parameterValues the deploy's parameter values, when known.
   */
  constructor(template: JsonObject, parameterValues: Record<string, string> = {}) {
    this.doc = deepClone(template);
    this.parameterValues = parameterValues;
    for (const id of this.ids()) this.index(id);
  }

  /** The `Resources` section (an empty object when there is none). */
  get resources(): JsonObject {
    const r = getOwn(this.doc, 'Resources');
    return isObject(r) ? r : {};
  }

  /** Logical ids in template order, without `Fn::ForEach` loops. */
  ids(): string[] {
    return Object.keys(this.resources).filter((k) => !isForEachKey(k));
  }

  /** Logical ids of the given types, in template order. */
  idsOfType(...types: string[]): string[] {
    if (types.length === 1) return [...(this.byType.get(types[0]) ?? [])];
    const wanted = new Set(types);
    return this.ids().filter((id) => wanted.has(this.type(id) ?? ''));
  }

  isResource(id: string): boolean {
    return hasOwn(this.resources, id) && !isForEachKey(id);
  }

  isParameter(name: string): boolean {
    const p = getOwn(this.doc, 'Parameters');
    return isObject(p) && hasOwn(p, name);
  }

  parameterValue(name: string): string | undefined {
    return hasOwn(this.parameterValues as JsonObject, name) ? this.parameterValues[name] : undefined;
  }

  /** The raw resource object. Treat it as read-only: write through `set`. */
  resource(id: string): JsonObject | undefined {
    const r = getOwn(this.resources, id);
    return isObject(r) ? r : undefined;
  }

  type(id: string): string | undefined {
    const t = this.resource(id)?.Type;
    return typeof t === 'string' ? t : undefined;
  }

  /** The resource's `Condition`, if it has one. */
  condition(id: string): string | undefined {
    const c = this.resource(id)?.Condition;
    return typeof c === 'string' ? c : undefined;
  }

  /** The value at a path inside a resource (`['Properties', 'Tags', 0]`), or undefined. */
  get(id: string, path: readonly (string | number)[]): Json | undefined {
    let cur: Json | undefined = this.resource(id);
    for (const seg of path) {
      if (typeof seg === 'number') cur = Array.isArray(cur) ? cur[seg] : undefined;
      else cur = isObject(cur) ? getOwn(cur, seg) : undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  }

  /**
   * Writes a value at a path inside a resource, creating the objects on the way. Throws when a
   * step of the path is not an object (an intrinsic, a list): a rule must check before it writes.
   */
  set(id: string, path: readonly (string | number)[], value: Json): void {
    const resource = this.resource(id);
    if (!resource) throw new Error(`no resource ${id}`);
    if (path.length === 0) throw new Error(`cannot write under ${id}: empty path`);
    let cur: Json = resource;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i];
      if (typeof seg === 'number') {
        if (!Array.isArray(cur) || !isObject(cur[seg]) && !Array.isArray(cur[seg]) || isFunctionCall(cur[seg])) throw new Error(`cannot write under ${id} at ${String(seg)}`);
        cur = cur[seg];
        continue;
      }
      if (!isObject(cur)) throw new Error(`cannot write under ${id} at ${seg}`);
      if (getOwn(cur, seg) === undefined) setOwn(cur, seg, {});
      const next: Json | undefined = getOwn(cur, seg);
      if (!isObject(next) && !Array.isArray(next) || isFunctionCall(next)) throw new Error(`cannot write under ${id} at ${seg}`);
      cur = next;
    }
    const last = path[path.length - 1];
    if (typeof last === 'number') {
      if (!Array.isArray(cur)) throw new Error(`cannot write under ${id}: not a list`);
      cur[last] = value;
    } else {
      if (!isObject(cur)) throw new Error(`cannot write under ${id}: not an object`);
      setOwn(cur, last, value);
    }
    this.edgeCache.delete(id);
  }

  /** Adds a resource at the end of `Resources`. The caller has chosen a free logical id. */
  addResource(id: string, body: JsonObject): void {
    if (hasOwn(this.resources, id)) throw new Error(`resource ${id} already exists`);
    if (!isObject(getOwn(this.doc, 'Resources'))) setOwn(this.doc, 'Resources', {});
    setOwn(this.resources, id, body);
    this.index(id);
    // Other resources' edges may name the new id (a reference that was dangling until now).
    this.edgeCache.clear();
  }

  /** `DependsOn` as a list, whatever its form in the template. */
  dependsOn(id: string): string[] {
    const d = this.resource(id)?.DependsOn;
    if (typeof d === 'string') return [d];
    return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
  }

  /**
   * The resources a resource depends on: DependsOn targets and every resource its properties
   * and attributes refer to (CloudFormation orders creation by both).
   */
  edges(id: string): Set<string> {
    let e = this.edgeCache.get(id);
    if (!e) {
      e = new Set(this.dependsOn(id));
      const r = this.resource(id);
      if (r) {
        for (const key of Object.keys(r)) {
          if (key === 'DependsOn' || key === 'Metadata' || key === 'Type' || key === 'Condition') continue;
          for (const ref of references(r[key])) if (ref.name !== id && this.isResource(ref.name)) e.add(ref.name);
        }
      }
      this.edgeCache.set(id, e);
    }
    return e;
  }

  /** True when `from` depends on `to`, directly or through other resources. */
  reaches(from: string, to: string): boolean {
    const seen = new Set<string>([from]);
    const stack = [from];
    while (stack.length) {
      const cur = stack.pop() as string;
      for (const next of this.edges(cur)) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  }

  /**
   * True when condition `a` holding guarantees that `b` holds: the same name, no `b` at all, or
   * `a` defined as an `Fn::And` that includes `b` (at any depth, through `Condition` references).
   */
  conditionImplies(a: string | undefined, b: string | undefined): boolean {
    if (b === undefined || a === b) return true;
    if (a === undefined) return false;
    const conditions = getOwn(this.doc, 'Conditions');
    const seen = new Set<string>();
    const implied = (name: string): boolean => {
      if (name === b) return true;
      if (seen.has(name) || !isObject(conditions)) return false;
      seen.add(name);
      const def = getOwn(conditions, name);
      return isObject(def) && conjunctionImplies(def, implied);
    };
    return implied(a);
  }

  private index(id: string): void {
    const t = this.type(id);
    if (t === undefined) return;
    const list = this.byType.get(t);
    if (list) list.push(id);
    else this.byType.set(t, [id]);
  }

  /** Marks a resource's edges stale after a write that did not go through `set`. */
  touched(id: string): void {
    this.edgeCache.delete(id);
  }
}

/** `Ref` / `Fn::*`: a value computed at deploy time, which a write must never reach into. */
function isFunctionCall(value: Json | undefined): boolean {
  const fn = intrinsicName(value);
  return fn === 'Ref' || (fn !== undefined && fn.startsWith('Fn::'));
}

function conjunctionImplies(def: JsonObject, implied: (name: string) => boolean): boolean {
  if (typeof def.Condition === 'string') return implied(def.Condition);
  const and = def['Fn::And'];
  if (!Array.isArray(and)) return false;
  return and.some((term) => isObject(term) && conjunctionImplies(term, implied));
}

/** Names a value refers to that are neither resources, parameters nor pseudo parameters. */
export function danglingReferences(model: TemplateModel, value: Json | undefined): string[] {
  const out: string[] = [];
  for (const ref of references(value)) {
    if (isPseudoParameter(ref.name) || model.isResource(ref.name)) continue;
    // A parameter can be named by Ref or `${P}`, never with an attribute (`${P.Arn}`).
    if (ref.via !== 'GetAtt' && ref.attribute === undefined && model.isParameter(ref.name)) continue;
    out.push(ref.attribute ? `${ref.name}.${ref.attribute}` : ref.name);
  }
  return out;
}
