/**
 * What a property value points at. A trail's `S3BucketName: !Ref LogBucket` resolves to the
 * resource `LogBucket`; a log group's `KmsKeyId: !If [UseCmk, !GetAtt Key.Arn, !Ref AWS::NoValue]`
 * resolves to `Key` when `UseCmk` holds and to nothing otherwise. A value that resolves to a
 * parameter or a literal is external: a rule cannot edit it, only report it (or check it live).
 */
import { canonicalString, getAttParts, intrinsicName, isPseudoParameter, references, subParts, subVariables, type Reference } from './intrinsics';
import { isObject, type Json } from './json';

/** A condition that must hold (or must not) for a branch of `Fn::If` to be the value. */
export interface Guard {
  condition: string;
  holds: boolean;
}

interface Guarded {
  when: Guard[];
}

export type Resolution = Guarded &
  (
    | { kind: 'resource'; id: string; attribute?: string }
    | { kind: 'parameter'; name: string; value?: string }
    | { kind: 'pseudo'; name: string }
    | { kind: 'literal'; value: string | number | boolean }
    | { kind: 'no-value' }
    /** A string built from several parts (`Fn::Sub`/`Fn::Join`), e.g. an ARN around `${Key}`. */
    | { kind: 'composite'; text: string; references: Reference[] }
    | { kind: 'unknown'; value: Json }
  );

/** What the resolver needs to know about the template. */
export interface ResolveScope {
  isResource(id: string): boolean;
  isParameter(name: string): boolean;
  /** The deploy's actual value of a parameter, when known (the macro event's templateParameterValues). */
  parameterValue(name: string): string | undefined;
}

/**
 * Every value an expression can take, one per `Fn::If` branch, each with the guards under which
 * it is the value.
 *
 * @example
 * resolve({ 'Fn::If': ['UseCmk', { 'Fn::GetAtt': ['Key', 'Arn'] }, { Ref: 'AWS::NoValue' }] }, scope);
 * // → [{ kind: 'resource', id: 'Key', attribute: 'Arn', when: [{ condition: 'UseCmk', holds: true }] },
 * //    { kind: 'no-value', when: [{ condition: 'UseCmk', holds: false }] }]
 */
export function resolve(value: Json | undefined, scope: ResolveScope, when: Guard[] = []): Resolution[] {
  if (value === undefined) return [{ kind: 'no-value', when }];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return [{ kind: 'literal', value, when }];
  }
  const fn = intrinsicName(value);
  if (!fn || !isObject(value)) return [{ kind: 'unknown', value, when }];
  const arg = value[fn];
  switch (fn) {
    case 'Fn::If':
      if (Array.isArray(arg) && arg.length === 3 && typeof arg[0] === 'string') {
        return [
          ...resolve(arg[1], scope, [...when, { condition: arg[0], holds: true }]),
          ...resolve(arg[2], scope, [...when, { condition: arg[0], holds: false }]),
        ];
      }
      return [{ kind: 'unknown', value, when }];
    case 'Ref':
      return typeof arg === 'string' ? [name(arg, undefined, scope, when)] : [{ kind: 'unknown', value, when }];
    case 'Fn::GetAtt': {
      const parts = getAttParts(arg);
      return parts && scope.isResource(parts[0])
        ? [{ kind: 'resource', id: parts[0], attribute: parts[1], when }]
        : [{ kind: 'unknown', value, when }];
    }
    case 'Fn::Select': {
      if (Array.isArray(arg) && arg.length === 2 && Array.isArray(arg[1])) {
        const index = typeof arg[0] === 'number' ? arg[0] : Number.parseInt(String(arg[0]), 10);
        if (Number.isInteger(index) && index >= 0 && index < arg[1].length) return resolve(arg[1][index], scope, when);
      }
      return [{ kind: 'unknown', value, when }];
    }
    case 'Fn::Sub':
    case 'Fn::Join': {
      const canon = canonicalString(value);
      if (typeof canon === 'string') return [{ kind: 'literal', value: canon, when }];
      const text = isObject(canon) && typeof canon['Fn::Sub'] === 'string' ? canon['Fn::Sub'] : undefined;
      if (text === undefined) return [{ kind: 'unknown', value, when }];
      const whole = /^\$\{([^}!.]+)(?:\.([^}]+))?\}$/.exec(text);
      if (whole) return [name(whole[1], whole[2], scope, when)];
      const parts = subParts(text);
      const refs = parts ? subVariables(parts.text).map((v): Reference => ({ ...v, via: 'Sub' })) : references(value);
      return [{ kind: 'composite', text, references: refs, when }];
    }
    default:
      return [{ kind: 'unknown', value, when }];
  }
}

function name(id: string, attribute: string | undefined, scope: ResolveScope, when: Guard[]): Resolution {
  if (id === 'AWS::NoValue') return { kind: 'no-value', when };
  if (isPseudoParameter(id)) return { kind: 'pseudo', name: id, when };
  if (scope.isResource(id)) return attribute ? { kind: 'resource', id, attribute, when } : { kind: 'resource', id, when };
  if (!attribute && scope.isParameter(id)) {
    const actual = scope.parameterValue(id);
    return actual === undefined ? { kind: 'parameter', name: id, when } : { kind: 'parameter', name: id, value: actual, when };
  }
  return { kind: 'unknown', value: attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }, when };
}

/** The template resources a value resolves to (every branch), with their guards. */
export function resolvedResources(value: Json | undefined, scope: ResolveScope): Array<{ id: string; attribute?: string; when: Guard[] }> {
  const out: Array<{ id: string; attribute?: string; when: Guard[] }> = [];
  for (const r of resolve(value, scope)) {
    if (r.kind === 'resource') out.push(r.attribute ? { id: r.id, attribute: r.attribute, when: r.when } : { id: r.id, when: r.when });
  }
  return out;
}
