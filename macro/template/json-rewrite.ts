/**
 * The JSON half of the in-place writer (see yaml-rewrite.ts): the source text is edited where
 * hardening changed the template, and nowhere else, so untouched members keep their spacing,
 * their order, their line endings and the exact spelling of their numbers (`2.5e5`, `1.0`, `-0`).
 * New members follow the file's indentation step, its `"key": value` spacing and its line ending;
 * an object or array written on one line gets its new members on that line.
 */
import { deepEqual, type Json } from './json';
import { EditList, LayoutNotKeptError, alignLists, lineEnding, lineStart } from './text-edits';
import { parseTemplate } from './yaml';

interface JsonNode {
  kind: 'object' | 'array' | 'scalar';
  start: number;
  /** Just after the last character of the value. */
  end: number;
  members?: Array<{ key: string; keyStart: number; value: JsonNode }>;
  items?: JsonNode[];
}

/** The structure and offsets of JSON text that {@link parseTemplate} has accepted. */
function scan(text: string): JsonNode {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text.charAt(pos))) pos++;
  };
  const string = (): string => {
    const start = pos++;
    while (pos < text.length && text.charAt(pos) !== '"') pos += text.charAt(pos) === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = pos;
    const c = text.charAt(pos);
    if (c === '{') {
      pos++;
      const members: NonNullable<JsonNode['members']> = [];
      ws();
      while (text.charAt(pos) !== '}') {
        const keyStart = pos;
        const key = string();
        ws();
        pos++; // :
        members.push({ key, keyStart, value: value() });
        ws();
        if (text.charAt(pos) === ',') pos++;
        ws();
      }
      pos++;
      return { kind: 'object', start, end: pos, members };
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      while (text.charAt(pos) !== ']') {
        items.push(value());
        ws();
        if (text.charAt(pos) === ',') pos++;
        ws();
      }
      pos++;
      return { kind: 'array', start, end: pos, items };
    }
    if (c === '"') string();
    else while (pos < text.length && !' \t\r\n,]}'.includes(text.charAt(pos))) pos++;
    return { kind: 'scalar', start, end: pos };
  };
  return value();
}

interface JsonStyle {
  unit: string;
  colon: string;
  eol: string;
}

function detectJsonStyle(source: string): JsonStyle {
  const unit = /\n([ \t]+)"/.exec(source)?.[1] ?? '  ';
  const colon = /"[ \t]*:[ \t]*/.exec(source.replace(/"(?:[^"\\]|\\.)*"/g, '""'))?.[0].slice(1) ?? ': ';
  return { unit, colon, eol: lineEnding(source) };
}

/** `value` as JSON text whose first line continues a line indented by `indent`; one line when `unit` is undefined. */
function render(value: Json, style: JsonStyle, indent: string, unit: string | undefined): string {
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    if (unit === undefined) return `[${value.map((v) => render(v, style, indent, unit)).join(', ')}]`;
    const inner = indent + unit;
    return `[${value.map((v) => `${style.eol}${inner}${render(v, style, inner, unit)}`).join(',')}${style.eol}${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (!keys.length) return '{}';
    const member = (k: string, inner: string): string => `${JSON.stringify(k)}${style.colon}${render(value[k] as Json, style, inner, unit)}`;
    if (unit === undefined) return `{${keys.map((k) => member(k, indent)).join(', ')}}`;
    const inner = indent + unit;
    return `{${keys.map((k) => `${style.eol}${inner}${member(k, inner)}`).join(',')}${style.eol}${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON `source` (which reads as `before`) edited to read as `after`.
 *
 * @throws LayoutNotKeptError when the edited text would not read back as `after`.
 * @example
 * rewriteJson('{\n    "Resources": {}\n}\n', { Resources: {} }, { Resources: { A: { Type: 'T' } } });
 * // '{\n    "Resources": {\n        "A": {\n            "Type": "T"\n        }\n    }\n}\n'
 */
export function rewriteJson(source: string, before: Json, after: Json): string {
  const style = detectJsonStyle(source);
  const edits = new EditList();
  const indentOf = (offset: number): string => /^[ \t]*/.exec(source.slice(lineStart(source, offset)))?.[0] ?? '';
  const oneLine = (node: JsonNode): boolean => !source.slice(node.start, node.end).includes('\n');

  const replace = (node: JsonNode, value: Json): void => {
    edits.add(node.start, node.end, render(value, style, indentOf(node.start), oneLine(node) && (node.members?.length || node.items?.length) ? undefined : style.unit));
  };

  const patch = (node: JsonNode, was: Json, now: Json): void => {
    if (deepEqual(was, now)) return;
    const mark = edits.size;
    if (node.kind === 'object' && node.members?.length && isObject(was) && isObject(now) && Object.keys(now).length && patchObject(node, was, now)) return;
    if (node.kind === 'array' && node.items?.length && Array.isArray(was) && Array.isArray(now) && now.length && patchArray(node, was, now)) return;
    edits.rollback(mark);
    replace(node, now);
  };

  /** Separator text before a new member or item: on its own line, or inline. */
  const layoutOf = (node: JsonNode, firstChild: number): { sep: string; indent: string; unit: string | undefined } =>
    oneLine(node) ? { sep: ' ', indent: indentOf(node.start), unit: undefined } : { sep: style.eol + indentOf(firstChild), indent: indentOf(firstChild), unit: style.unit };

  const patchObject = (node: JsonNode, was: Record<string, Json>, now: Record<string, Json>): boolean => {
    const members = node.members!;
    const { sep, indent, unit } = layoutOf(node, members[0]!.keyStart);
    const member = (k: string): string => `${JSON.stringify(k)}${style.colon}${render(now[k] as Json, style, indent, unit)}`;
    const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
    const firstKept = members.findIndex((m) => has(now, m.key));
    if (firstKept < 0) return false;
    // Removed members: a leading run up to the first kept one; any other from the end of the one before it.
    if (firstKept > 0) edits.add(members[0]!.keyStart, members[firstKept]!.keyStart, '');
    members.forEach((m, i) => {
      if (!has(now, m.key)) {
        if (i > firstKept) edits.add(members[i - 1]!.value.end, m.value.end, '');
      } else if (has(was, m.key)) {
        patch(m.value, was[m.key] as Json, now[m.key] as Json);
      }
    });
    let anchor: number | undefined;
    let pending: string[] = [];
    const flush = (): void => {
      if (!pending.length) return;
      if (anchor === undefined) edits.add(members[0]!.keyStart, members[0]!.keyStart, `${pending.join(`,${sep}`)},${sep}`);
      else edits.add(anchor, anchor, pending.map((p) => `,${sep}${p}`).join(''));
      pending = [];
    };
    for (const key of Object.keys(now)) {
      const existing = members.find((m) => m.key === key);
      if (existing) {
        flush();
        anchor = existing.value.end;
      } else {
        pending.push(member(key));
      }
    }
    flush();
    return true;
  };

  const patchArray = (node: JsonNode, was: Json[], now: Json[]): boolean => {
    const items = node.items!;
    if (items.length !== was.length) return false;
    const { sep, indent, unit } = layoutOf(node, items[0]!.start);
    const steps = alignLists(was, now);
    const deleted = new Set(steps.flatMap((s) => (s.op === 'delete' ? [s.from] : [])));
    let firstKept = 0;
    while (deleted.has(firstKept)) firstKept++;
    if (firstKept >= items.length) return false;
    if (firstKept > 0) edits.add(items[0]!.start, items[firstKept]!.start, '');
    const inserts = new Map<number | undefined, string[]>();
    let previous: number | undefined;
    for (const step of steps) {
      if (step.op === 'keep') previous = step.from;
      else if (step.op === 'change') {
        patch(items[step.from]!, was[step.from] as Json, now[step.to] as Json);
        previous = step.from;
      } else if (step.op === 'delete') {
        const i = step.from;
        if (i > firstKept) edits.add(items[i - 1]!.end, items[i]!.end, '');
        previous = i;
      } else {
        const list = inserts.get(previous) ?? [];
        list.push(render(now[step.to] as Json, style, indent, unit));
        inserts.set(previous, list);
      }
    }
    for (const [at, texts] of inserts) {
      // Before the first item that stays when nothing that stays comes before them.
      if (at === undefined || at < firstKept) edits.add(items[firstKept]!.start, items[firstKept]!.start, `${texts.join(`,${sep}`)},${sep}`);
      else edits.add(items[at]!.end, items[at]!.end, texts.map((t) => `,${sep}${t}`).join(''));
    }
    return true;
  };

  const root = scan(source);
  patch(root, before, after);
  const text = edits.apply(source);
  let reread: unknown;
  try {
    reread = parseTemplate(text, { format: 'json' }).value;
  } catch (e) {
    throw new LayoutNotKeptError(`the edited text does not read back (${(e as Error).message})`);
  }
  if (!deepEqual(reread, after)) throw new LayoutNotKeptError('the edited text does not read back as the hardened template');
  return text;
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
