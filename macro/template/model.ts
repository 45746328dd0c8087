/**
 * The template model: the only code that reads and writes raw template JSON. It works on its own
 * deep copy, keeps key order, never drops unknown keys, and keeps an index of resources by type
 * and a lazily refreshed dependency graph (Ref, GetAtt, Sub and DependsOn edges) that the
 * DependsOn helper and the invariant pass share.
 */
import { forEachReference, intrinsicName, isPseudoParameter, references } from './intrinsics';
import { getOwn, hasKeyDeep, hasOwn, isObject, setOwn, type Json, type JsonObject } from './json';
import type { ResolveScope } from './resolve';

/** Keys of `Resources` that are not resources: `Fn::ForEach::<Name>` loops of AWS::LanguageExtensions. */
export function isForEachKey(key: string): boolean {
  return key.startsWith('Fn::ForEach::');
}

export class TemplateModel implements ResolveScope {
  readonly doc: JsonObject;
  private readonly byType = new Map<string, string[]>();
  /**
   * Each resource's dependency edges, with how many times its values name each name, so that a
   * write updates them from the old and new value alone: rules write many small values into large
   * resources, and walking the whole resource again after each write dominated the run time.
   */
  private readonly edgeCache = new Map<string, EdgeEntry>();
  /** Names that are not resources, each with the resources whose cached edges looked them up. */
  private readonly dangling = new Map<string, Set<string>>();
  private readonly parameterValues: Record<string, string>;
  /** Every write's resource id, in order (see writtenSince). */
  private readonly log: string[] = [];
  /** Whether an `Fn::Transform` appears; undefined until asked when the model did not copy. */
  private transforms: boolean | undefined = false;
  /** Logical ids in template order (see ids) and each one's position, for idsOfType. */
  private idList: string[] | undefined;
  private readonly order = new Map<string, number>();

  /**
   * @param template a validated template (see `validateTemplate`); the model copies it.
   * @param parameterValues the deploy's parameter values, when known.
   * @param options `copy: false` reads the template in place instead of copying it: for a caller
   *   that only reads (the API Gateway preflight, before the rules run), since copying a large
   *   template costs as much as several rules. Writing through such a model changes the caller's
   *   template.
   */
  constructor(template: JsonObject, parameterValues: Record<string, string> = {}, options: { copy?: boolean } = {}) {
    if (options.copy === false) {
      this.doc = template;
      this.transforms = undefined;
    } else {
      this.doc = cloneNoting(template, (key) => {
        if (key === 'Fn::Transform') this.transforms = true;
      });
    }
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
    // Only addResource changes the set of resources: the list is kept until it does.
    this.idList ??= Object.keys(this.resources).filter((k) => !isForEachKey(k));
    return [...this.idList];
  }

  /** Logical ids of the given types, in template order. */
  idsOfType(...types: string[]): string[] {
    if (types.length === 1) return [...(this.byType.get(types[0]) ?? [])];
    const out = [...new Set(types)].flatMap((t) => this.byType.get(t) ?? []);
    return out.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
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
    const old = this.get(id, path);
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
    this.updateEdges(id, path, old, value);
    this.log.push(id);
    if (this.transforms !== true && hasKeyDeep(value, 'Fn::Transform')) this.transforms = true;
  }

  /**
   * Keeps a resource's cached edges right after a write without walking the whole resource again
   * (rules write many small values into large resources): a write that replaced a value without
   * references can only add the edges its new value names; any other write drops the cache.
   */
  private updateEdges(id: string, path: readonly (string | number)[], old: Json | undefined, value: Json | undefined): void {
    const cached = this.edgeCache.get(id);
    if (cached === undefined || NOT_EDGES.has(String(path[0]))) return;
    if (path[0] !== 'DependsOn') {
      const changed = new Set<string>();
      forEachReference(old, (name, attribute, via) => {
        count(cached, name, attribute !== undefined || via === 'GetAtt', -1);
        changed.add(name);
      });
      forEachReference(value, (name, attribute, via) => {
        count(cached, name, attribute !== undefined || via === 'GetAtt', 1);
        changed.add(name);
      });
      for (const name of changed) if ((cached.counts.get(name) ?? 0) > 0 && !this.isResource(name)) this.nameLater(name, id);
      if ([...changed].every((name) => cached.edges.has(name) === this.isEdge(id, cached.counts, name))) return;
    }
    // A new Set, so that a caller iterating the old one is not disturbed.
    cached.edges = this.edgeSet(id, cached.counts);
  }

  /** Whether `name` is an edge of `id`: listed in its DependsOn, or a resource its values name. */
  private isEdge(id: string, counts: ReadonlyMap<string, number>, name: string): boolean {
    return this.dependsOn(id).includes(name) || (name !== id && (counts.get(name) ?? 0) > 0 && this.isResource(name));
  }

  private edgeSet(id: string, counts: ReadonlyMap<string, number>): Set<string> {
    const edges = new Set(this.dependsOn(id));
    for (const [name, n] of counts) {
      if (n <= 0 || name === id) continue;
      if (this.isResource(name)) {
        edges.add(name);
      } else {
        this.nameLater(name, id);
      }
    }
    return edges;
  }

  /** Remembers that `id` names `name`, which is not a resource (yet): addResource looks here. */
  private nameLater(name: string, id: string): void {
    let by = this.dangling.get(name);
    if (by === undefined) this.dangling.set(name, (by = new Set()));
    by.add(id);
  }

  /**
   * Removes the value at a path inside a resource: a key, or one entry of a list (the entries
   * after it move up). Returns the removed value, or undefined when there was none.
   *
   * @example
   * model.remove('LogGroup', ['DependsOn', 1]); // 'Key' (DependsOn [Role, Key, Topic] → [Role, Topic])
   */
  remove(id: string, path: readonly (string | number)[]): Json | undefined {
    if (path.length === 0) throw new Error(`cannot remove ${id} itself`);
    const parent = path.length === 1 ? this.resource(id) : this.get(id, path.slice(0, -1));
    const last = path[path.length - 1];
    let removed: Json | undefined;
    if (typeof last === 'number') {
      if (!Array.isArray(parent) || last < 0 || last >= parent.length) return undefined;
      removed = parent.splice(last, 1)[0];
    } else {
      if (!isObject(parent) || isFunctionCall(parent) || !hasOwn(parent, last)) return undefined;
      removed = parent[last];
      delete parent[last];
    }
    this.updateEdges(id, path, removed, undefined);
    this.log.push(id);
    return removed;
  }

  /** The value at a path from the template's root (`['Parameters', 'Env', 'Default']`), or undefined. */
  getTemplate(path: readonly (string | number)[]): Json | undefined {
    let cur: Json | undefined = this.doc;
    for (const seg of path) {
      if (typeof seg === 'number') cur = Array.isArray(cur) ? cur[seg] : undefined;
      else cur = isObject(cur) ? getOwn(cur, seg) : undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  }

  /**
   * Writes a value outside `Resources` (a parameter's `AllowedPattern`), creating the objects on
   * the way. Resources are written with `set`, which keeps the dependency graph current.
   *
   * @example
   * model.setTemplate(['Parameters', 'EnvironmentSuffix', 'AllowedPattern'], '^[a-z0-9]+(-[a-z0-9]+)*$');
   */
  setTemplate(path: readonly (string | number)[], value: Json): void {
    if (path.length < 2 || path[0] === 'Resources') throw new Error(`setTemplate writes outside Resources, not at ${path.join('.')}`);
    let cur: JsonObject = this.doc;
    for (const seg of path.slice(0, -1)) {
      if (typeof seg !== 'string') throw new Error(`cannot write at ${path.join('.')}: not a mapping`);
      if (getOwn(cur, seg) === undefined) setOwn(cur, seg, {});
      const next = getOwn(cur, seg);
      if (!isObject(next) || isFunctionCall(next)) throw new Error(`cannot write at ${path.join('.')}: ${seg} is not a mapping`);
      cur = next;
    }
    const last = path[path.length - 1];
    if (typeof last !== 'string') throw new Error(`cannot write at ${path.join('.')}: not a mapping`);
    setOwn(cur, last, value);
    if (this.transforms !== true && hasKeyDeep(value, 'Fn::Transform')) this.transforms = true;
  }

  /**
   * True when an `Fn::Transform` appears anywhere in the template: a later transform adds to it,
   * so names that are missing now may exist after. Noted while copying and on every write, so the
   * invariant pass need not search the whole template.
   */
  get mentionsTransform(): boolean {
    this.transforms ??= hasKeyDeep(this.doc, 'Fn::Transform');
    return this.transforms;
  }

  /** A position in the log of writes (see `writtenSince`). */
  get serial(): number {
    return this.log.length;
  }

  /**
   * The resources written (or added) since `serial`, in order, repeats included: what an index
   * over some resources' values reads to catch up, instead of rereading every resource.
   */
  writtenSince(serial: number): readonly string[] {
    return this.log.slice(serial);
  }

  /** The resource's position in template order (for sorting a few ids). */
  position(id: string): number {
    return this.order.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Adds a resource at the end of `Resources`. The caller has chosen a free logical id. */
  addResource(id: string, body: JsonObject): void {
    if (hasOwn(this.resources, id)) throw new Error(`resource ${id} already exists`);
    this.log.push(id);
    this.idList = undefined;
    if (!isObject(getOwn(this.doc, 'Resources'))) setOwn(this.doc, 'Resources', {});
    setOwn(this.resources, id, body);
    if (this.transforms !== true && hasKeyDeep(body, 'Fn::Transform')) this.transforms = true;
    this.index(id);
    // Other resources' edges may name the new id (a reference that was dangling until now).
    for (const by of this.dangling.get(id) ?? []) {
      const cached = this.edgeCache.get(by);
      if (cached !== undefined) cached.edges = this.edgeSet(by, cached.counts);
    }
    this.dangling.delete(id);
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
    let cached = this.edgeCache.get(id);
    if (!cached) {
      const entry: EdgeEntry = { counts: new Map(), attributed: new Map(), edges: new Set() };
      const r = this.resource(id);
      if (r) {
        for (const key of Object.keys(r)) {
          if (key === 'DependsOn' || NOT_EDGES.has(key)) continue;
          forEachReference(r[key], (name, attribute, via) => count(entry, name, attribute !== undefined || via === 'GetAtt', 1));
        }
      }
      entry.edges = this.edgeSet(id, entry.counts);
      this.edgeCache.set(id, (cached = entry));
    }
    return cached.edges;
  }

  /**
   * True when every name the resource's values refer to (outside DependsOn and Metadata) is a
   * resource, a pseudo parameter, or a parameter named without an attribute: then none of them
   * dangles, which the invariant pass learns here from the edge cache instead of a walk.
   */
  namesResolve(id: string): boolean {
    this.edges(id);
    const entry = this.edgeCache.get(id) as EdgeEntry;
    for (const [name, n] of entry.counts) {
      if (n <= 0 || isPseudoParameter(name) || this.isResource(name)) continue;
      if (!this.isParameter(name) || (entry.attributed.get(name) ?? 0) > 0) return false;
    }
    return true;
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
    this.order.set(id, this.order.size);
    const t = this.type(id);
    if (t === undefined) return;
    const list = this.byType.get(t);
    if (list) list.push(id);
    else this.byType.set(t, [id]);
  }

  /** Marks a resource's edges stale after a write that did not go through `set`. */
  touched(id: string): void {
    this.log.push(id);
    this.edgeCache.delete(id);
  }
}

/** `deepClone` that also tells `note` every object key it copies. */
function cloneNoting<T extends Json>(value: T, note: (key: string) => void): T {
  if (Array.isArray(value)) return value.map((v) => cloneNoting(v, note)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      note(key);
      setOwn(out, key, cloneNoting(value[key], note));
    }
    return out as T;
  }
  return value;
}

/** A resource's cached edges, and how often its values name each name (with an attribute, too). */
interface EdgeEntry {
  counts: Map<string, number>;
  attributed: Map<string, number>;
  edges: Set<string>;
}

function count(entry: EdgeEntry, name: string, attributed: boolean, by: number): void {
  entry.counts.set(name, (entry.counts.get(name) ?? 0) + by);
  if (attributed) entry.attributed.set(name, (entry.attributed.get(name) ?? 0) + by);
}

/** Top-level keys of a resource that hold no dependency edges (DependsOn is read on its own). */
const NOT_EDGES = new Set(['Metadata', 'Type', 'Condition']);

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
