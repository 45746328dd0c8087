/**
 * Plain JSON values as the template model holds them. Every helper here is pure: it never
 * mutates its input, so a rule can compare the before and after of a value safely.
 */

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** True for a plain object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own data property, even for `__proto__`: a plain assignment of that key would
 * change the object's prototype instead of storing the value, and lose it.
 */
export function setOwn(target: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Own property read that never reaches the prototype chain (`constructor`, `toString`, …). */
export function getOwn(target: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
}

export function hasOwn(target: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/**
 * How deep a template may nest. Real templates nest a few dozen levels (an inline state machine
 * definition a few more); every recursive walk of the engine, and the JSON.stringify that returns
 * the response, overflow the stack a few thousand levels down, so deeper input is rejected up front.
 */
export const MAX_DEPTH = 1000;

/** True when an object or list lies `limit` levels below the root (tooDeep without the path). */
function nestsTo(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (typeof x === 'object' && x !== null) {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/**
 * The path to an object or list nested `limit` levels below the root, or undefined when there is
 * none. Iterative, so it is safe on any input.
 *
 * @example
 * tooDeep({ a: [[1]] }, 2); // ['a', 0]
 * tooDeep({ a: [[1]] }, 3); // undefined
 */
export function tooDeep(value: unknown, limit = MAX_DEPTH): Array<string | number> | undefined {
  // Every template passes here and almost none is too deep: a walk that keeps no path answers
  // that first (a frame per value showed in the benchmark's profile), the path is found after.
  if (!nestsTo(value, limit)) return undefined;
  interface Frame {
    value: object;
    depth: number;
    key?: string | number;
    parent?: Frame;
  }
  const stack: Frame[] = [];
  const push = (v: unknown, depth: number, key?: string | number, parent?: Frame): void => {
    if (typeof v === 'object' && v !== null) stack.push({ value: v, depth, key, parent });
  };
  push(value, 0);
  while (stack.length) {
    const top = stack.pop() as Frame;
    if (top.depth >= limit) {
      const path: Array<string | number> = [];
      for (let f: Frame | undefined = top; f?.key !== undefined; f = f.parent) path.unshift(f.key);
      return path;
    }
    if (Array.isArray(top.value)) top.value.forEach((v, i) => push(v, top.depth + 1, i, top));
    else for (const [k, v] of Object.entries(top.value)) push(v, top.depth + 1, k, top);
  }
  return undefined;
}

/**
 * True when an object anywhere in the value has `key` as an own key. Iterative, and cheaper than
 * searching the value's JSON text (no string is built).
 *
 * @example
 * hasKeyDeep({ a: [{ 'Fn::Transform': {} }] }, 'Fn::Transform'); // true
 */
export function hasKeyDeep(value: Json, key: string): boolean {
  const stack: Json[] = [value];
  while (stack.length) {
    const v = stack.pop() as Json;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
    } else if (isObject(v)) {
      if (hasOwn(v, key)) return true;
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return false;
}

/**
 * Deep copy of JSON data. Iterative-recursive over plain data only: templates are trees, never
 * graphs, once parsed.
 *
 * @example
 * const copy = deepClone({ a: [1, { b: 2 }] });
 */
export function deepClone<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepClone(v)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(out, key, deepClone(value[key]));
    return out as T;
  }
  return value;
}

/**
 * Structural equality of JSON data; key order is ignored, array order is not.
 *
 * @example
 * deepEqual({ a: 1, b: [2] }, { b: [2], a: 1 }); // true
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Canonical text of a value (sorted keys): a stable key for sets and hashes. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** A path into the template as the report shows it: `Properties.Tags[2].Value`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}
