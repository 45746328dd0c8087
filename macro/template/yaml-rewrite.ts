/**
 * Writes a hardened template back over its source file, changing only what hardening changed.
 *
 * The source text is never printed again as a whole. Its `yaml` Document (read with the same
 * tags and schema as {@link parseTemplate}, keeping the source tokens) is walked alongside the
 * source value and the hardened value, and each difference becomes one text edit at the
 * source offsets of the node it concerns:
 * - a changed scalar or short form: its text after the `:` or `-` indicator is replaced;
 * - a new key: its lines go in after the lines of the key it follows in the hardened template;
 * - a new list item: after the item it follows; removed keys and items: their lines go;
 * - a flow collection (`[a, b]`, `{k: v}`) gets its new items inline.
 * Everything else (indentation, `>` and `|` blocks, blank lines, comments, quoting, anchors,
 * key order, line endings) stays byte for byte. New text follows the file's own style: its
 * indentation step, where it puts `-` under a key, whether it quotes strings and with which
 * quote, short or long forms of intrinsic functions, and its line ending.
 *
 * The result is read again and must equal the hardened template. When an edit cannot be made
 * (a change inside an anchored node that an alias shares, a value that reads back differently)
 * the caller is told why, and may write the template afresh with {@link serializeTemplate}.
 */
import { Document, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node as YamlNode, type ToStringOptions } from 'yaml';
import { deepEqual, type Json } from './json';
import { rewriteJson } from './json-rewrite';
import { EditList, LayoutNotKeptError, afterLine, alignLists, lineEnding, lineStart, startsLine, withLineEnding } from './text-edits';
import { YAML_OUTPUT, YAML_PARSE_OPTIONS, longFormKeyOf, numberTextsOf, parseTemplate, serializeTemplate, yamlNodeOf, type TemplateFormat } from './yaml';

export interface Rewrite {
  text: string;
  /** `document`: the source document was edited in place; `reserialised`: written afresh. */
  kept: 'document' | 'reserialised';
  /** With `reserialised`: why the layout could not be kept, naming the line where there is one. */
  reason?: string;
}

/**
 * The new text of a template file whose parsed value was `before` and is now `after`.
 *
 * @example
 * const { text, kept, reason } = rewriteTemplate(sourceText, 'yaml', parsed.value, result.template);
 * if (kept === 'reserialised') console.error(`layout not kept: ${reason}`);
 */
export function rewriteTemplate(sourceText: string, format: TemplateFormat, before: Json, after: Json): Rewrite {
  const bom = sourceText.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const source = bom ? sourceText.slice(1) : sourceText;
  try {
    const text = format === 'json' ? rewriteJson(source, before, after) : editYaml(source, before, after);
    return { text: bom + text, kept: 'document' };
  } catch (e) {
    if (!(e instanceof LayoutNotKeptError)) throw e;
    // Written afresh: still with the source's number spellings and line ending.
    let numberText: ReturnType<typeof numberTextsOf> | undefined;
    try {
      numberText = numberTextsOf(parseTemplate(source, { format }));
    } catch {
      numberText = undefined;
    }
    const fresh = serializeTemplate(after, format, numberText ? { numberText } : {});
    return { text: bom + withLineEnding(fresh, lineEnding(source)), kept: 'reserialised', reason: e.message };
  }
}

// ---------------------------------------------------------------------------------------
// The file's style

interface YamlStyle {
  /** Spaces a nested mapping is indented by. */
  step: number;
  /** Column of `-` relative to the key whose value a block sequence is (0: `key:\n- a`). */
  seqOffset: number;
  /** Column of a mapping's keys relative to the `-` of the list item it is (`- Key: a` → 2). */
  itemOffset: number;
  /** How the file writes short-form payloads (`!Ref Data` / `!Ref "Data"`), when that differs from other strings. */
  taggedStringType: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';
  eol: '\n' | '\r\n';
  shortForms: boolean;
  output: ToStringOptions;
}

function mostCommon(counts: Map<number, number>, fallback: number): number {
  let best = fallback;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

function bump<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function detectStyle(source: string, doc: Document, lines: LineCounter): YamlStyle {
  const col = (offset: number): number => lines.linePos(offset).col - 1;
  const steps = new Map<number, number>();
  const seqOffsets = new Map<number, number>();
  const itemOffsets = new Map<number, number>();
  const valueQuotes = new Map<string, number>();
  const tagQuotes = new Map<string, number>();
  const keyQuotes = new Map<string, number>();
  const flowPadding = new Map<boolean, number>();
  let shortForms = 0;
  let longForms = 0;
  const firstKey = (map: YAMLMap): number | undefined => (map.items[0]?.key as YamlNode | null)?.range?.[0];
  const firstDash = (seq: YAMLSeq): number | undefined => {
    const token = (seq as { srcToken?: { items?: Array<{ start: Array<{ type: string; offset: number }> }> } }).srcToken;
    return token?.items?.[0]?.start.find((t) => t.type === 'seq-item-ind')?.offset;
  };
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      if (isScalar(key) && typeof key.value === 'string') {
        bump(keyQuotes, key.type ?? 'PLAIN');
        if (key.value === 'Ref' || key.value === 'Condition' || key.value.startsWith('Fn::')) longForms++;
      }
      if (!key?.range || value === null) return;
      if (isMap(value) && !value.flow) {
        const child = firstKey(value);
        if (child !== undefined && lines.linePos(child).line > lines.linePos(key.range[0]).line) bump(steps, col(child) - col(key.range[0]));
      } else if (isSeq(value) && !value.flow) {
        const dash = firstDash(value);
        if (dash !== undefined) bump(seqOffsets, col(dash) - col(key.range[0]));
      }
    },
    Seq(_key, seq) {
      if (seq.tag !== undefined && longFormKeyOf(seq.tag) !== undefined) shortForms++;
      if (seq.flow) {
        if (seq.range && seq.items.length) bump(flowPadding, source.charAt(seq.range[0] + 1) === ' ');
        return;
      }
      const token = (seq as { srcToken?: { items?: Array<{ start: Array<{ type: string; offset: number }> }> } }).srcToken;
      seq.items.forEach((item, i) => {
        const dash = token?.items?.[i]?.start.find((t) => t.type === 'seq-item-ind')?.offset;
        if (dash === undefined || !isMap(item) || item.flow) return;
        const child = firstKey(item);
        if (child !== undefined) bump(itemOffsets, col(child) - col(dash));
      });
    },
    Scalar(key, node) {
      if (node.tag !== undefined && longFormKeyOf(node.tag) !== undefined) shortForms++;
      // Short-form payloads (`!Ref Data`) are often plain in files that quote other strings.
      if (key !== 'key' && typeof node.value === 'string' && node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) bump(node.tag ? tagQuotes : valueQuotes, node.type ?? 'PLAIN');
    },
    Map(_key, node) {
      if (node.tag !== undefined && longFormKeyOf(node.tag) !== undefined) shortForms++;
      if (node.flow && node.range && node.items.length) bump(flowPadding, source.charAt(node.range[0] + 1) === ' ');
    },
  });
  const step = mostCommon(steps, 2);
  const quoted = (counts: Map<string, number>): 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | undefined => {
    const single = counts.get(Scalar.QUOTE_SINGLE) ?? 0;
    const double = counts.get(Scalar.QUOTE_DOUBLE) ?? 0;
    // A habit, not one quoted value: quoting new strings needs more quoted than plain ones, and two at least.
    if (single + double < 2 || single + double <= (counts.get(Scalar.PLAIN) ?? 0)) return undefined;
    return single > double ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
  };
  const values = quoted(valueQuotes);
  const tagged = quoted(tagQuotes);
  const keys = quoted(keyQuotes);
  const singles = (valueQuotes.get(Scalar.QUOTE_SINGLE) ?? 0) + (keyQuotes.get(Scalar.QUOTE_SINGLE) ?? 0);
  const doubles = (valueQuotes.get(Scalar.QUOTE_DOUBLE) ?? 0) + (keyQuotes.get(Scalar.QUOTE_DOUBLE) ?? 0);
  let padding: boolean | undefined;
  if (flowPadding.size) padding = (flowPadding.get(true) ?? 0) > (flowPadding.get(false) ?? 0);
  return {
    step: step >= 1 && step <= 16 ? step : 2,
    seqOffset: Math.max(0, mostCommon(seqOffsets, step)),
    itemOffset: Math.max(2, mostCommon(itemOffsets, 2)),
    eol: lineEnding(source),
    shortForms: !(longForms > 0 && shortForms === 0),
    taggedStringType: tagQuotes.size ? (tagged ?? 'PLAIN') : (values ?? 'PLAIN'),
    output: {
      ...YAML_OUTPUT,
      indent: step >= 1 && step <= 16 ? step : 2,
      defaultStringType: values ?? 'PLAIN',
      defaultKeyType: keys ?? 'PLAIN',
      singleQuote: singles > doubles,
      ...(padding !== undefined ? { flowCollectionPadding: padding } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------
// New text in the file's style

/** The text that follows `key:` or `-` on the indicator's line (without the space), and the full lines after it. */
interface Fragment {
  head: string;
  body: string[];
}

class Renderer {
  constructor(private readonly style: YamlStyle) {}

  node(value: Json): YamlNode {
    const node = yamlNodeOf(value, { shortForms: this.style.shortForms });
    const type = this.style.taggedStringType;
    if (type !== this.style.output.defaultStringType) {
      // A preferred type, not a forced one: yaml still quotes a payload that needs it.
      const mark = (n: unknown): void => {
        if (isScalar(n)) {
          if (n.tag !== undefined && typeof n.value === 'string' && n.type === undefined) n.type = type;
        } else if (isMap(n) || isSeq(n)) {
          for (const item of n.items as unknown[]) {
            if (item instanceof Pair) mark(item.value);
            else mark(item);
          }
        }
      };
      mark(node);
    }
    return node;
  }

  /** `value` placed after the indicator of a mapping key (`kind: 'map'`) or list item (`'seq'`) at column `col`. */
  fragment(node: YamlNode, kind: 'map' | 'seq', col: number): Fragment {
    const { step, seqOffset, itemOffset } = this.style;
    const tag = node.tag;
    if (isMap(node) || isSeq(node)) {
      const items = node.items as unknown[];
      if (items.length === 0) return { head: `${tag ? `${tag} ` : ''}${isMap(node) ? '{}' : '[]'}`, body: [] };
      if (isMap(node)) {
        if (kind === 'map' || tag) return { head: tag ?? '', body: this.pairs(node, col + step) };
        // `- Key: a` puts the first key right after `- `; the file's offset of the rest decides where they go.
        const lines = this.pairs(node, col + itemOffset);
        return { head: ' '.repeat(itemOffset - 2) + (lines[0] as string).slice(col + itemOffset), body: lines.slice(1) };
      }
      if (kind === 'map') return { head: tag ?? '', body: this.items(node, col + (tag && seqOffset === 0 ? step : seqOffset)) };
      if (tag) return { head: tag, body: this.items(node, col + step) };
      const lines = this.items(node, col + 2);
      return { head: (lines[0] as string).slice(col + 2), body: lines.slice(1) };
    }
    const lines = this.scalarLines(node);
    return { head: lines[0] as string, body: lines.slice(1).map((line) => (line === '' ? '' : ' '.repeat(col) + line)) };
  }

  /** Lines of a block mapping whose keys are at column `col`. */
  pairs(map: YAMLMap, col: number): string[] {
    const out: string[] = [];
    for (const pair of map.items) {
      const key = this.keyText(pair.key as Scalar);
      const { head, body } = this.fragment(pair.value as YamlNode, 'map', col);
      out.push(`${' '.repeat(col)}${key}:${head ? ` ${head}` : ''}`, ...body);
    }
    return out;
  }

  /** Lines of a block sequence whose `-` is at column `col`. */
  items(seq: YAMLSeq, col: number): string[] {
    const out: string[] = [];
    for (const item of seq.items) {
      const { head, body } = this.fragment(item as YamlNode, 'seq', col);
      out.push(`${' '.repeat(col)}-${head ? ` ${head}` : ''}`, ...body);
    }
    return out;
  }

  keyText(key: Scalar): string {
    const text = this.print(new Pair(key, new Scalar(0)));
    if (text.startsWith('?') || !text.endsWith(': 0')) throw new LayoutNotKeptError(`the new key ${JSON.stringify(key.value)} needs the explicit "? key" form`);
    return text.slice(0, -3);
  }

  /** A scalar as the value of a block mapping: the first line, then block scalar lines indented by one step. */
  scalarLines(node: YamlNode): string[] {
    const text = this.print(new Pair(new Scalar('k'), node));
    return text.slice(text.startsWith('k: ') ? 3 : 2).split('\n');
  }

  /** A value written inline, for a flow collection: printed inside one, so it is quoted as flow context needs (`${X}`, `a, b`). */
  flow(value: Json): string {
    const seq = new YAMLSeq();
    seq.flow = true;
    seq.items.push(this.flowNode(value));
    return this.unwrapFlow(seq, '[', ']');
  }

  /** A new `key: value` entry of a flow mapping. */
  flowPair(key: string, value: Json): string {
    const map = new YAMLMap();
    map.flow = true;
    map.items.push(new Pair(this.node(key), this.flowNode(value)));
    return this.unwrapFlow(map, '{', '}');
  }

  private unwrapFlow(collection: YAMLSeq | YAMLMap, open: string, close: string): string {
    const [first, ...rest] = this.scalarLines(collection);
    const text = (first as string).trim();
    if (rest.length || !text.startsWith(open) || !text.endsWith(close)) throw new LayoutNotKeptError('a new value in a flow collection does not fit on one line');
    return text.slice(1, -1).trim();
  }

  private flowNode(value: Json): YamlNode {
    const node = this.node(value);
    const flowOnly = (n: unknown): void => {
      if (isMap(n) || isSeq(n)) {
        n.flow = true;
        for (const item of n.items as unknown[]) {
          if (item instanceof Pair) flowOnly(item.value);
          else flowOnly(item);
        }
      } else if (isScalar(n) && typeof n.value === 'string' && /[\n\r]/.test(n.value)) {
        n.type = Scalar.QUOTE_DOUBLE;
      }
    };
    flowOnly(node);
    return node;
  }

  private print(pair: Pair): string {
    const doc = new Document(null, { version: '1.2', schema: 'core', compat: 'yaml-1.1' });
    const map = new YAMLMap();
    map.items.push(pair);
    doc.contents = map as never;
    return doc.toString(this.style.output).replace(/\n$/, '');
  }
}

// ---------------------------------------------------------------------------------------
// Edits

interface SourceToken {
  type: string;
  offset: number;
  source?: string;
}
interface CollectionItemToken {
  start: SourceToken[];
  key?: unknown;
  sep?: SourceToken[];
  value?: unknown;
}
interface CollectionToken {
  type: string;
  offset: number;
  items: CollectionItemToken[];
  end?: SourceToken[];
}

/** Where a value sits: after `key:` or `-` in block context, or inside `[...]` / `{...}`. */
type Place = { kind: 'root' } | { kind: 'map' | 'seq'; col: number; indicatorEnd: number; propsStart: number | undefined; flow: false } | { kind: 'flow'; propsStart: number | undefined };

type Value = Json | undefined;

function isPlainObject(v: Value): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editYaml(source: string, before: Json, after: Json): string {
  const lines = new LineCounter();
  const doc = parseDocument(source, { ...YAML_PARSE_OPTIONS, keepSourceTokens: true, lineCounter: lines });
  if (doc.errors.length) throw new LayoutNotKeptError(`the source does not parse: ${doc.errors[0]?.message ?? ''}`);
  const editor = new YamlEditor(source, lines, detectStyle(source, doc as Document, lines), sharedAnchors(doc as Document));
  editor.patch(doc.contents as YamlNode | null, before, after, { kind: 'root' });
  const text = editor.edits.apply(source);
  let reread: unknown;
  try {
    reread = parseTemplate(text, { format: 'yaml' }).value;
  } catch (e) {
    throw new LayoutNotKeptError(`the edited text does not read back (${(e as Error).message})`);
  }
  if (!deepEqual(reread, after)) throw new LayoutNotKeptError('the edited text does not read back as the hardened template');
  return text;
}

/** Anchors that some alias refers to: editing inside one would change every place it is used. */
function sharedAnchors(doc: Document): Set<string> {
  const names = new Set<string>();
  visit(doc, {
    Alias(_key, node) {
      names.add(node.source);
    },
  });
  return names;
}

class YamlEditor {
  readonly edits = new EditList();
  private readonly render: Renderer;

  constructor(
    private readonly source: string,
    private readonly lines: LineCounter,
    private readonly style: YamlStyle,
    private readonly shared: Set<string>,
  ) {
    this.render = new Renderer(style);
  }

  private col(offset: number): number {
    return this.lines.linePos(offset).col - 1;
  }

  private line(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /** Makes the text of `node` (which reads as `before`) read as `after`. */
  patch(node: YamlNode | null, before: Value, after: Value, place: Place): void {
    if (deepEqual(before, after)) return;
    if (after === undefined) throw new LayoutNotKeptError('a value is removed where only its parent can be edited');
    if (node !== null && !isAlias(node) && node.anchor !== undefined && this.shared.has(node.anchor)) {
      const at = place.kind !== 'root' && place.propsStart !== undefined ? place.propsStart : (node.range?.[0] ?? 0);
      throw new LayoutNotKeptError(`line ${this.line(at)}: hardening changes the node anchored as &${node.anchor}, and an alias (*${node.anchor}) shares it`);
    }
    const mark = this.edits.size;
    if (node !== null && !isAlias(node) && this.patchInside(node, before, after)) return;
    this.edits.rollback(mark);
    this.replace(node, after, place);
  }

  /** Edits inside a collection; false when the collection must be written afresh. */
  private patchInside(node: YamlNode, before: Value, after: Json): boolean {
    if (!isMap(node) && !isSeq(node)) return false;
    const tag = node.tag;
    if (tag !== undefined) {
      // `!If [...]` / `!Sub [...]`: edit the payload when the function stays the same.
      const key = longFormKeyOf(tag);
      if (key === undefined || !isPlainObject(before) || !isPlainObject(after)) return false;
      const keys = Object.keys(after);
      if (keys.length !== 1 || keys[0] !== key || Object.keys(before).length !== 1 || !Object.prototype.hasOwnProperty.call(before, key)) return false;
      return this.patchCollection(node, before[key], after[key] as Json);
    }
    return this.patchCollection(node, before, after);
  }

  private patchCollection(node: YAMLMap | YAMLSeq, before: Value, after: Json): boolean {
    const token = withoutTrailingComments((node as { srcToken?: CollectionToken }).srcToken);
    if (token === undefined || node.items.length === 0 || token.items.length !== node.items.length) return false;
    if (isMap(node)) {
      if (!isPlainObject(before) || !isPlainObject(after) || Object.keys(after).length === 0) return false;
      return node.flow ? this.patchFlowMap(node, token, before, after) : this.patchBlockMap(node, token, before, after);
    }
    if (!Array.isArray(before) || !Array.isArray(after) || after.length === 0) return false;
    return node.flow ? this.patchFlowSeq(node, token, before, after) : this.patchBlockSeq(node, token, before, after);
  }

  private keyOf(pair: Pair<unknown, unknown>): string | undefined {
    const k = pair.key;
    if (!isScalar(k)) return undefined;
    return typeof k.value === 'string' ? k.value : (k as Scalar).source ?? String(k.value);
  }

  /** Offset of the first tag or anchor after an indicator, where a value's text begins. */
  private propsStart(tokens: SourceToken[] | undefined, from: number): number | undefined {
    return tokens?.find((t) => t.offset >= from && (t.type === 'tag' || t.type === 'anchor'))?.offset;
  }

  /** End of a node's text, not counting the line break a block node ends with. */
  private valueEnd(node: YamlNode | null, fallback: number): number {
    const range = node?.range;
    if (!range || range[1] <= range[0]) return fallback;
    let end = range[1];
    while (end > range[0] && (this.source[end - 1] === '\n' || this.source[end - 1] === '\r')) end--;
    return end;
  }

  /** End of everything that belongs to an entry: its value, a comment after it, its line break. */
  private entryEnd(node: YamlNode | null, fallback: number): number {
    const range = node?.range;
    return afterLine(this.source, range ? Math.max(range[1], range[2]) : fallback);
  }

  private patchBlockMap(node: YAMLMap, token: CollectionToken, before: { [key: string]: Json }, after: { [key: string]: Json }): boolean {
    const entries = node.items.map((pair, i) => {
      const keyNode = pair.key as YamlNode | null;
      const sep = token.items[i]?.sep;
      const indicator = sep?.find((t) => t.type === 'map-value-ind');
      const key = this.keyOf(pair);
      if (keyNode?.range == null || indicator === undefined || key === undefined) return undefined;
      const indicatorEnd = indicator.offset + 1;
      return { pair, key, keyStart: keyNode.range[0], indicatorEnd, propsStart: this.propsStart(sep, indicatorEnd), end: this.entryEnd(pair.value as YamlNode | null, indicatorEnd) };
    });
    if (entries.some((e) => e === undefined)) return false;
    const known = entries as NonNullable<(typeof entries)[number]>[];
    const col = this.col(known[0]!.keyStart);
    const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
    for (const [i, entry] of known.entries()) {
      if (!has(after, entry.key)) {
        if (startsLine(this.source, entry.keyStart)) {
          this.edits.add(lineStart(this.source, entry.keyStart), entry.end, '');
        } else {
          // The first key of a list item (`- Sid: x`): the next key moves up after the `- `.
          const next = known[i + 1];
          if (i !== 0 || next === undefined || !startsLine(this.source, next.keyStart)) return false;
          this.edits.add(entry.keyStart, next.keyStart, '');
        }
      } else if (has(before, entry.key)) {
        this.patch(entry.pair.value as YamlNode | null, before[entry.key], after[entry.key], { kind: 'map', col, indicatorEnd: entry.indicatorEnd, propsStart: entry.propsStart, flow: false });
      }
    }
    // New keys, each group after the existing key it follows in the hardened template; in a
    // mapping whose entries are set apart by blank lines (resources, sections), so are new ones.
    let gaps = 0;
    let blankGaps = 0;
    for (let i = 0; i + 1 < known.length; i++) {
      const gap = this.source.slice(known[i]!.end, lineStart(this.source, known[i + 1]!.keyStart));
      gaps++;
      if (gap.split('\n').slice(0, -1).some((l) => /^[ \t]*\r?$/.test(l))) blankGaps++;
    }
    const spaced = gaps > 0 && blankGaps * 2 > gaps;
    let anchor: number | undefined;
    let pending: string[] = [];
    const flush = (): boolean => {
      if (!pending.length) return true;
      let at = anchor;
      if (at === undefined) {
        if (!startsLine(this.source, known[0]!.keyStart)) return false;
        at = lineStart(this.source, known[0]!.keyStart);
        if (spaced) pending.push('');
      }
      this.insertLines(at, pending);
      pending = [];
      return true;
    };
    for (const key of Object.keys(after)) {
      const existing = known.find((e) => e.key === key);
      if (existing !== undefined) {
        if (!flush()) return false;
        anchor = existing.end;
        continue;
      }
      const { head, body } = this.render.fragment(this.render.node(after[key] as Json), 'map', col);
      if (spaced && (anchor !== undefined || pending.length)) pending.push('');
      pending.push(`${' '.repeat(col)}${this.render.keyText(this.render.node(key) as Scalar)}:${head ? ` ${head}` : ''}`, ...body);
    }
    return flush();
  }

  private patchBlockSeq(node: YAMLSeq, token: CollectionToken, before: Json[], after: Json[]): boolean {
    const items = node.items.map((item, i) => {
      const start = token.items[i]?.start;
      const dash = start?.find((t) => t.type === 'seq-item-ind');
      if (dash === undefined) return undefined;
      const indicatorEnd = dash.offset + 1;
      return { node: item as YamlNode | null, dash: dash.offset, indicatorEnd, propsStart: this.propsStart(start, indicatorEnd), end: this.entryEnd(item as YamlNode | null, indicatorEnd) };
    });
    if (items.some((e) => e === undefined) || items.length !== before.length) return false;
    const known = items as NonNullable<(typeof items)[number]>[];
    const col = this.col(known[0]!.dash);
    const inserts = new Map<number | undefined, string[]>();
    let previous: number | undefined;
    for (const step of alignLists(before, after)) {
      if (step.op === 'keep') {
        previous = step.from;
      } else if (step.op === 'change') {
        const item = known[step.from]!;
        this.patch(item.node, before[step.from], after[step.to], { kind: 'seq', col, indicatorEnd: item.indicatorEnd, propsStart: item.propsStart, flow: false });
        previous = step.from;
      } else if (step.op === 'delete') {
        const item = known[step.from]!;
        if (!startsLine(this.source, item.dash)) return false;
        this.edits.add(lineStart(this.source, item.dash), item.end, '');
        previous = step.from;
      } else {
        const { head, body } = this.render.fragment(this.render.node(after[step.to] as Json), 'seq', col);
        const lines = inserts.get(previous) ?? [];
        lines.push(`${' '.repeat(col)}-${head ? ` ${head}` : ''}`, ...body);
        inserts.set(previous, lines);
      }
    }
    for (const [at, lines] of inserts) {
      if (at === undefined) {
        if (!startsLine(this.source, known[0]!.dash)) return false;
        this.insertLines(lineStart(this.source, known[0]!.dash), lines);
      } else {
        this.insertLines(known[at]!.end, lines);
      }
    }
    return true;
  }

  private patchFlowMap(node: YAMLMap, token: CollectionToken, before: { [key: string]: Json }, after: { [key: string]: Json }): boolean {
    const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
    const keys = node.items.map((pair) => this.keyOf(pair));
    if (keys.some((k) => k === undefined || !has(after, k))) return false;
    node.items.forEach((pair, i) => {
      const key = keys[i] as string;
      const sep = token.items[i]?.sep;
      const indicator = sep?.find((t) => t.type === 'map-value-ind');
      if (has(before, key) && !deepEqual(before[key], after[key])) {
        if (indicator === undefined || pair.value === null) throw new LayoutNotKeptError(`line ${this.line(token.offset)}: a flow mapping entry without a value changes`);
        this.patch(pair.value as YamlNode, before[key], after[key], { kind: 'flow', propsStart: this.propsStart(sep, indicator.offset + 1) });
      }
    });
    const added = Object.keys(after).filter((k) => !has(before, k));
    if (!added.length) return true;
    const last = node.items[node.items.length - 1] as Pair<unknown, unknown>;
    const lastEnd = ((last.value ?? last.key) as YamlNode | null)?.range?.[1];
    if (lastEnd === undefined) return false;
    const text = added.map((k) => this.render.flowPair(k, after[k] as Json)).join(', ');
    this.edits.add(lastEnd, lastEnd, `, ${text}`);
    return true;
  }

  private patchFlowSeq(node: YAMLSeq, token: CollectionToken, before: Json[], after: Json[]): boolean {
    if (after.length < before.length || node.items.length !== before.length) return false;
    before.forEach((item, i) => {
      this.patch(node.items[i] as YamlNode | null, item, after[i], { kind: 'flow', propsStart: this.propsStart(token.items[i]?.start, 0) });
    });
    if (after.length === before.length) return true;
    const lastEnd = (node.items[node.items.length - 1] as YamlNode | null)?.range?.[1];
    if (lastEnd === undefined) return false;
    this.edits.add(lastEnd, lastEnd, `, ${after.slice(before.length).map((v) => this.render.flow(v)).join(', ')}`);
    return true;
  }

  /** Whole lines at `at`, which is the start of a line (or the end of a file without a final line break). */
  private insertLines(at: number, lines: string[]): void {
    const { eol } = this.style;
    if (at > 0 && this.source[at - 1] !== '\n') this.edits.add(at, at, lines.map((l) => `${eol}${l}`).join(''));
    else this.edits.add(at, at, lines.map((l) => `${l}${eol}`).join(''));
  }

  /** Writes `after` in place of `node`'s text. */
  private replace(node: YamlNode | null, after: Json, place: Place): void {
    if (place.kind === 'root') throw new LayoutNotKeptError('the template as a whole is not a mapping that can be edited');
    const range = node?.range;
    if (place.kind === 'flow') {
      if (!range) throw new LayoutNotKeptError('a value in a flow collection has no position');
      const start = place.propsStart !== undefined && place.propsStart < range[0] ? place.propsStart : range[0];
      this.edits.add(start, range[1], this.render.flow(after));
      return;
    }
    const { eol } = this.style;
    const frag = this.render.fragment(this.render.node(after), place.kind, place.col);
    const end = this.valueEnd(node, place.indicatorEnd);
    const first = place.propsStart ?? (range && range[1] > range[0] ? range[0] : end);
    const gap = this.source.slice(place.indicatorEnd, first);
    if (frag.head === '' && /\n/.test(gap) && startsLine(this.source, first)) {
      // The old value started on a line of its own (`Key: # note` / `Key:` then the value):
      // keep the key's line, comment included, and replace the value's lines.
      this.edits.add(lineStart(this.source, first), end, frag.body.join(eol));
      return;
    }
    this.edits.add(place.indicatorEnd, end, (frag.head ? ` ${frag.head}` : '') + frag.body.map((l) => `${eol}${l}`).join(''));
  }
}

/**
 * The collection's source items without the comment-only items its end may carry: comment lines
 * after a collection's last entry (`Type: T # note` then `# more`) are an item of their own with
 * no key and no value, which no node matches; counted, they made every such collection look
 * unmatched, so it was written afresh and its comments were lost.
 */
function withoutTrailingComments(token: CollectionToken | undefined): CollectionToken | undefined {
  if (token === undefined) return undefined;
  const items = [...token.items];
  const commentOnly = (item: (typeof items)[number]): boolean =>
    item.key == null && item.sep == null && item.value == null && item.start.every((t) => t.type === 'space' || t.type === 'comment' || t.type === 'newline');
  while (items.length > 0 && commentOnly(items[items.length - 1]!)) items.pop();
  return items.length === token.items.length ? token : ({ ...token, items } as CollectionToken);
}

export { LayoutNotKeptError };
