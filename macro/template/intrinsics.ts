/**
 * CloudFormation intrinsic functions: recognising them, finding what they point at, and putting
 * equivalent spellings in one canonical form so that `!Ref X`, `!Sub "${X}"` and
 * `!Join ["", [!Ref X]]` compare equal.
 *
 * Reference: "Intrinsic function reference", AWS CloudFormation User Guide
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
 */
import { isObject, type Json, type JsonObject } from './json';

/** Pseudo parameters (`AWS::Region`, …) are never resources or template parameters. */
export function isPseudoParameter(name: string): boolean {
  return name.startsWith('AWS::');
}

/** The function name of a one-key intrinsic object (`Ref`, `Fn::Sub`, `Condition`), else undefined. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/** True when the value is an intrinsic (its value is only known at deploy time). */
export function isIntrinsic(value: unknown): value is JsonObject {
  return intrinsicName(value) !== undefined;
}

/** `Fn::GetAtt` in either form: `["Res", "Attr"]` or `"Res.Attr"`. */
export function getAttParts(arg: Json): [string, string] | undefined {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return dot > 0 ? [arg.slice(0, dot), arg.slice(dot + 1)] : undefined;
  }
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
    return [arg[0], arg[1]];
  }
  return undefined;
}

/** A `${Name}` or `${Name.Attr}` placeholder of a `Fn::Sub` string; `${!Literal}` is not one. */
export interface SubVariable {
  name: string;
  attribute?: string;
}

/** One `${…}` placeholder: where it starts and ends in the text, and what is between the braces. */
interface Placeholder {
  start: number;
  end: number;
  raw: string;
}

/** The placeholders of a Sub string (see scanPlaceholders), remembered (see PLACEHOLDERS). */
function placeholders(text: string): readonly Placeholder[] {
  if (text.length > MEMO_LONGEST) return scanPlaceholders(text);
  let found = PLACEHOLDERS.get(text);
  if (found === undefined) {
    if (PLACEHOLDERS.size >= MEMO_BOUND) PLACEHOLDERS.clear();
    PLACEHOLDERS.set(text, (found = Object.freeze(scanPlaceholders(text))));
  }
  return found;
}

/**
 * Sub strings already scanned, and their variables. Every pass over the template (dependency
 * edges, canonical spellings, resolving) reads the same few hundred Sub strings again, and
 * rescanning them showed in the benchmark's profile. A string never changes, so neither can its
 * answer; the answers are frozen, so no caller can change one for the next. A warm Lambda sees
 * template after template: past a bound the memo starts afresh, and it keeps no long string
 * (inline code, state machine definitions), which is rare in a Sub and cheap to rescan.
 */
const PLACEHOLDERS = new Map<string, readonly Placeholder[]>();
const VARIABLES = new Map<string, readonly SubVariable[]>();
const MEMO_BOUND = 20_000;
const MEMO_LONGEST = 2048;

/**
 * The placeholders of a Sub string, as `/\$\{([^}!][^}]*)\}/g` finds them, in linear time: that
 * regex rescans to the end of the text from every `${` that has no closing brace, which takes
 * minutes on a long string of `${` (found by the handler fuzzer).
 */
function scanPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${', from);
    if (start < 0) return out;
    const first = text[start + 2];
    if (first === undefined) return out;
    if (first === '}' || first === '!') {
      from = start + 1;
      continue;
    }
    const close = text.indexOf('}', start + 3);
    // No closing brace after this `${`, so none after any later one either.
    if (close < 0) return out;
    out.push({ start, end: close + 1, raw: text.slice(start + 2, close) });
    from = close + 1;
  }
}

/** The variables a `Fn::Sub` template string uses, in order. */
export function subVariables(text: string): readonly SubVariable[] {
  let found = text.length > MEMO_LONGEST ? undefined : VARIABLES.get(text);
  if (found === undefined) {
    const out: SubVariable[] = [];
    for (const m of placeholders(text)) {
      const raw = m.raw.trim();
      const dot = raw.indexOf('.');
      out.push(Object.freeze(dot > 0 ? { name: raw.slice(0, dot), attribute: raw.slice(dot + 1) } : { name: raw }));
    }
    found = Object.freeze(out);
    if (text.length > MEMO_LONGEST) return found;
    if (VARIABLES.size >= MEMO_BOUND) VARIABLES.clear();
    VARIABLES.set(text, found);
  }
  return found;
}

/** The string and variable map of a `Fn::Sub` argument in either form. */
export function subParts(arg: Json): { text: string; vars: JsonObject } | undefined {
  if (typeof arg === 'string') return { text: arg, vars: {} };
  if (Array.isArray(arg) && typeof arg[0] === 'string' && (arg.length === 1 || isObject(arg[1]))) {
    return { text: arg[0], vars: (arg[1] as JsonObject | undefined) ?? {} };
  }
  return undefined;
}

/** A name an expression refers to: a resource, a parameter or a pseudo parameter. */
export interface Reference {
  name: string;
  attribute?: string;
  via: 'Ref' | 'GetAtt' | 'Sub';
}

/**
 * Every name an expression refers to, through `Ref`, `Fn::GetAtt` (both forms) and `Fn::Sub`
 * (both forms; a name bound in the Sub's own variable map is local, not a reference), at any
 * depth and in every `Fn::If` branch. Names are returned as written: the caller decides whether
 * each is a resource, a parameter or a pseudo parameter.
 *
 * @example
 * references({ 'Fn::Sub': ['${Bucket.Arn}/${Prefix}', { Prefix: { Ref: 'P' } }] });
 * // → [{ name: 'Bucket', attribute: 'Arn', via: 'Sub' }, { name: 'P', via: 'Ref' }]
 */
export function references(value: Json | undefined): Reference[] {
  const out: Reference[] = [];
  collectReferences(value, (name, attribute, via) => out.push(attribute === undefined ? { name, via } : { name, attribute, via }));
  return out;
}

/**
 * Calls `visit` for every name `references` would return, in the same order, without building
 * the list: for callers that only count (the model's dependency edges).
 */
export function forEachReference(value: Json | undefined, visit: (name: string, attribute: string | undefined, via: Reference['via']) => void): void {
  collectReferences(value, visit);
}

function collectReferences(value: Json | undefined, visit: (name: string, attribute: string | undefined, via: Reference['via']) => void): void {
  // Every value of the template passes through here (dependency edges, invariants): primitives
  // return at once, and an object's keys are listed once.
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) collectReferences(v, visit);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const fn = keys[0];
    if (fn === 'Ref') {
      if (typeof value.Ref === 'string') visit(value.Ref, undefined, 'Ref');
      return;
    }
    if (fn === 'Fn::GetAtt') {
      const arg = value['Fn::GetAtt'];
      const parts = getAttParts(arg);
      if (parts) {
        visit(parts[0], parts[1], 'GetAtt');
      } else if (Array.isArray(arg) && typeof arg[0] === 'string') {
        // An attribute name given by an intrinsic (`[Res, !Ref AttrParam]`): still a reference to Res.
        visit(arg[0], undefined, 'GetAtt');
        collectReferences(arg.slice(1), visit);
      } else {
        collectReferences(arg, visit);
      }
      return;
    }
    if (fn === 'Fn::Sub') {
      const parts = subParts(value['Fn::Sub']);
      if (parts) {
        for (const v of subVariables(parts.text)) {
          if (!Object.prototype.hasOwnProperty.call(parts.vars, v.name)) visit(v.name, v.attribute, 'Sub');
        }
        for (const key of Object.keys(parts.vars)) collectReferences(parts.vars[key], visit);
        return;
      }
    }
  }
  for (const key of keys) {
    const v = value[key];
    if (typeof v === 'object' && v !== null) collectReferences(v, visit);
  }
}

/**
 * One canonical spelling of a string-valued expression, so equal values compare equal whatever
 * the spelling: literals stay literals; `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` of those
 * become one `Fn::Sub` string without a variable map. Anything else (`Fn::If`, `Fn::Select`, …)
 * is returned as it is.
 *
 * @example
 * canonicalString({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/*']] });
 * // → { 'Fn::Sub': '${B.Arn}/*' }
 */
export function canonicalString(value: Json): Json {
  const text = toSubText(value);
  if (text === undefined) return value;
  return subVariables(text).length > 0 ? { 'Fn::Sub': text } : unescapeSub(text);
}

/** `${!Literal}` is how a Sub string writes a literal `${Literal}`. */
function unescapeSub(text: string): string {
  return text.replace(/\$\{!/g, '${');
}

function escapeLiteral(text: string): string {
  return text.replace(/\$\{/g, '${!');
}

function toSubText(value: Json): string | undefined {
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const fn = intrinsicName(value);
  if (!fn || !isObject(value)) return undefined;
  const arg = value[fn];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? `\${${arg}}` : undefined;
    case 'Fn::GetAtt': {
      const parts = getAttParts(arg);
      return parts ? `\${${parts[0]}.${parts[1]}}` : undefined;
    }
    case 'Fn::Sub': {
      const parts = subParts(arg);
      if (!parts) return undefined;
      let text = '';
      let at = 0;
      for (const m of placeholders(parts.text)) {
        const name = m.raw.trim();
        if (!Object.prototype.hasOwnProperty.call(parts.vars, name)) continue;
        const inner = toSubText(parts.vars[name]);
        if (inner === undefined) return undefined;
        text += parts.text.slice(at, m.start) + inner;
        at = m.end;
      }
      return text + parts.text.slice(at);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
        return undefined;
      }
      const pieces: string[] = [];
      for (const part of arg[1]) {
        const piece = toSubText(part);
        if (piece === undefined) return undefined;
        pieces.push(piece);
      }
      return pieces.join(escapeLiteral(arg[0]));
    }
    default:
      return undefined;
  }
}

/**
 * One string built from parts, as a single `Fn::Sub`: literal parts are escaped, parts that have
 * a Sub spelling are inlined, and anything else (`Fn::If`, `Fn::Select`, …) becomes a variable of
 * the Sub's map. A result without any variable is a plain string.
 *
 * @example
 * joinSub([{ 'Fn::GetAtt': ['Logs', 'Arn'] }, '/', { Ref: 'Prefix' }, sub('/AWSLogs/${AWS::AccountId}/*')]);
 * // → { 'Fn::Sub': '${Logs.Arn}/${Prefix}/AWSLogs/${AWS::AccountId}/*' }
 */
export function joinSub(parts: readonly Json[]): Json {
  let text = '';
  const vars: JsonObject = {};
  let n = 0;
  for (const part of parts) {
    const inline = toSubText(part);
    if (inline !== undefined) {
      text += inline;
    } else {
      const name = `Part${n++}`;
      vars[name] = part;
      text += `\${${name}}`;
    }
  }
  if (n > 0) return { 'Fn::Sub': [text, vars] };
  return /\$\{(?!!)/.test(text) ? { 'Fn::Sub': text } : unescapeSub(text);
}

/** A `Fn::Sub` template fragment written as is (pseudo parameters, `${X.Arn}`), not escaped. */
export function sub(text: string): JsonObject {
  return { 'Fn::Sub': text };
}
