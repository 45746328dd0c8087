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
