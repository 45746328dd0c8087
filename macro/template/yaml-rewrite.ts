/**
 * Writes a hardened template back over its source file, changing only what hardening changed.
 *
 * YAML: the source is parsed into a `yaml` Document (the same tags and schema as
 * {@link parseTemplate}) and the differences between the source value and the hardened value
 * are applied to that document: values that did not change keep their nodes, so their comments,
 * short forms (`!Sub`, `!GetAtt a.b`), quoting, block scalars, flow collections, anchors and
 * key order stay as written; new keys go in after the key they follow in the hardened template;
 * a changed scalar or short form is replaced by a fresh node with the comments of the old one.
 * The result is parsed again and must equal the hardened template; if it does not (an edit
 * inside an anchored node that an alias shares, for instance), the template is written afresh
 * with {@link serializeTemplate} and the caller is told that formatting was not kept.
 *
 * JSON has no comments: it is written with the source's indentation.
 */
import { Pair, Scalar, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode, type ToStringOptions } from 'yaml';
import { deepEqual, type Json } from './json';
import { YAML_OUTPUT, YAML_PARSE_OPTIONS, parseTemplate, serializeTemplate, yamlNodeOf, type TemplateFormat } from './yaml';

export interface Rewrite {
  text: string;
  /** `document`: the source document was edited in place; `reserialised`: written afresh. */
  kept: 'document' | 'reserialised';
}

/**
 * The new text of a template file whose parsed value was `before` and is now `after`.
 *
 * @example
 * const { text, kept } = rewriteTemplate(sourceText, 'yaml', parsed.value, result.template);
 */
export function rewriteTemplate(sourceText: string, format: TemplateFormat, before: Json, after: Json): Rewrite {
  if (format === 'json') {
    const indent = /\n([ \t]+)"/.exec(sourceText)?.[1] ?? '  ';
    return { text: `${JSON.stringify(after, null, indent)}\n`, kept: 'document' };
  }
  const edited = editYaml(sourceText, before, after);
  if (edited !== undefined) return { text: edited, kept: 'document' };
  return { text: serializeTemplate(after, 'yaml'), kept: 'reserialised' };
}

function editYaml(sourceText: string, before: Json, after: Json): string | undefined {
  const bom = sourceText.charCodeAt(0) === 0xfeff;
  const source = bom ? sourceText.slice(1) : sourceText;
  // compat: new strings are quoted where a YAML 1.1 reader (cfn-lint, PyYAML) would misread them.
  const doc = parseDocument(source, { ...YAML_PARSE_OPTIONS, compat: 'yaml-1.1' }) as Document;
  if (doc.errors.length) return undefined;
  try {
    doc.contents = patch(doc.contents as YamlNode | null, before, after) as typeof doc.contents;
  } catch {
    return undefined;
  }
  const width = foldWidth(doc, source);
  // blockQuote 'literal' (serializeTemplate's choice) would turn `>` blocks into `|` blocks.
  const text = doc.toString({ ...outputOptions(source), lineWidth: width, ...(width > 0 ? { blockQuote: true } : {}) });
  // Unchanged sections and resources go back exactly as written (the stringifier would refold
  // `>` blocks and respace comments); each candidate must read back as the hardened template.
  for (const candidate of [splice(source, text, before, after), text]) {
    if (candidate === undefined) continue;
    try {
      if (deepEqual(parseTemplate(candidate, { format: 'yaml' }).value, after)) return bom ? `\uFEFF${candidate}` : candidate;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/**
 * `text` with every top-level entry, and every entry one level down (a resource, a parameter),
 * whose value hardening left alone replaced by its original source text.
 */
function splice(source: string, text: string, before: Json, after: Json): string | undefined {
  const original = parseDocument(source, YAML_PARSE_OPTIONS) as Document;
  const edited = parseDocument(text, YAML_PARSE_OPTIONS) as Document;
  if (original.errors.length || edited.errors.length) return undefined;
  const edits: Array<[number, number, string]> = [];
  const walk = (from: unknown, to: unknown, was: Value, now: Value, depth: number): void => {
    if (!isMap(from) || !isMap(to) || !isPlainObject(was) || !isPlainObject(now)) return;
    for (const pair of to.items) {
      const key = scalarKey(pair);
      const old = key === undefined ? undefined : from.items.find((p) => scalarKey(p) === key);
      if (key === undefined || old === undefined || !Object.prototype.hasOwnProperty.call(was, key) || !Object.prototype.hasOwnProperty.call(now, key)) continue;
      if (deepEqual(was[key], now[key])) {
        const oldRange = pairRange(old);
        const newRange = pairRange(pair);
        if (oldRange && newRange) edits.push([newRange[0], newRange[1], source.slice(oldRange[0], oldRange[1])]);
      } else if (depth === 0) {
        walk(old.value, pair.value, was[key], now[key], depth + 1);
      }
    }
  };
  walk(original.contents, edited.contents, before, after, 0);
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}

function scalarKey(pair: Pair<unknown, unknown>): string | undefined {
  const k = pair.key;
  if (!isScalar(k)) return undefined;
  return typeof k.value === 'string' ? k.value : (k as Scalar).source ?? String(k.value);
}

/** From the key to the end of the value (not its trailing comment or line break). */
function pairRange(pair: Pair<unknown, unknown>): [number, number] | undefined {
  const key = pair.key as YamlNode | null;
  const value = pair.value as YamlNode | null;
  if (!key?.range || !value?.range) return undefined;
  return [key.range[0], value.range[1]];
}

/** The source's own layout where it shows one: indentation, `- ` under a key, `{ a }` padding. */
function outputOptions(source: string): ToStringOptions {
  const indent = /:[ \t]*(?:#.*)?\r?\n( +)[^\s-]/.exec(source)?.[1]?.length;
  const seq = /^( *)[^\s#-][^\n]*:[ \t]*(?:#.*)?\r?\n( *)- /m.exec(source);
  const flow = /[{[]([^\n])/.exec(source.replace(/'[^'\n]*'|"(?:[^"\\\n]|\\.)*"/g, '""'));
  return {
    ...YAML_OUTPUT,
    ...(indent !== undefined && indent >= 2 && indent <= 8 ? { indent } : {}),
    ...(seq ? { indentSeq: (seq[2] as string).length > (seq[1] as string).length } : {}),
    ...(flow ? { flowCollectionPadding: flow[1] === ' ' } : {}),
  };
}

/**
 * `yaml` folds `>` block scalars again when it writes them, at `lineWidth`, and turns them into
 * `|` blocks when folding is off (0). The widest line of the source's folded blocks is the width
 * they were folded at, so folding again at it reproduces their lines; without folded blocks,
 * folding stays off (as in serializeTemplate) so long values stay on one line.
 */
function foldWidth(doc: Document, source: string): number {
  let width = 0;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== Scalar.BLOCK_FOLDED || !node.range) return;
      for (const line of source.slice(node.range[0], node.range[1]).split('\n').slice(1)) width = Math.max(width, line.replace(/\s+$/, '').length);
    },
  });
  return width;
}

type Value = Json | undefined;

function isPlainObject(v: Value): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies the difference between `before` and `after` to `node` (which reads as `before`) and
 * returns the node to keep in its place: the same node edited, or a new one.
 */
function patch(node: YamlNode | null, before: Value, after: Value): YamlNode | null {
  if (deepEqual(before, after)) return node;
  // Edit containers in place only when the node reads as a plain mapping/sequence (no short
  // form tag, not an alias): elsewhere a fresh node says exactly what `after` is.
  if (node !== null && !isAlias(node) && node.tag === undefined) {
    if (isMap(node) && isPlainObject(before) && isPlainObject(after) && !isIntrinsicWrapper(after)) {
      patchMap(node, before, after);
      return node;
    }
    if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && after.length >= before.length) {
      before.forEach((item, i) => {
        node.items[i] = patch(node.items[i] as YamlNode | null, item, after[i]);
      });
      for (const item of after.slice(before.length)) node.items.push(yamlNodeOf(item));
      return node;
    }
  }
  return replacement(node, after);
}

/** A one-key `{Fn::X: …}` object is written as a short form, which a plain map edit would not give. */
function isIntrinsicWrapper(value: { [key: string]: Json }): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || (keys[0] as string).startsWith('Fn::'));
}

function patchMap(node: YamlNode & { items: Array<Pair<unknown, unknown>> }, before: { [key: string]: Json }, after: { [key: string]: Json }): void {
  const keyOf = (pair: Pair<unknown, unknown>): string | undefined => {
    const k = pair.key;
    if (!isScalar(k)) return undefined;
    return typeof k.value === 'string' ? k.value : (k as Scalar).source ?? String(k.value);
  };
  const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  // Removed keys (rules remove only what they report, e.g. an invalid DependsOn edge).
  node.items = node.items.filter((pair) => {
    const key = keyOf(pair);
    return key === undefined || has(after, key);
  });
  for (const pair of node.items) {
    const key = keyOf(pair);
    if (key === undefined || !has(before, key)) continue;
    pair.value = patch(pair.value as YamlNode | null, before[key], after[key]);
  }
  // New keys, each after the key it follows in the hardened template.
  const afterKeys = Object.keys(after);
  afterKeys.forEach((key, i) => {
    if (has(before, key)) return;
    const previous = i > 0 ? afterKeys[i - 1] : undefined;
    const at = previous === undefined ? 0 : node.items.findIndex((pair) => keyOf(pair) === previous) + 1;
    const pair = new Pair(new Scalar(key), yamlNodeOf(after[key]));
    node.items.splice(at > 0 ? at : previous === undefined ? 0 : node.items.length, 0, pair);
  });
}

function replacement(node: YamlNode | null, value: Value): YamlNode {
  const fresh = yamlNodeOf(value);
  if (node !== null && !isAlias(node)) {
    if (node.commentBefore) fresh.commentBefore = node.commentBefore;
    if (node.comment) fresh.comment = node.comment;
    if (node.spaceBefore) fresh.spaceBefore = node.spaceBefore;
  }
  return fresh;
}
