/**
 * Reading and writing CloudFormation templates, YAML and JSON.
 *
 * Both formats become the same plain JSON data (what CloudFormation itself works on), so
 * the rest of TapHardening never sees YAML short forms, anchors or parser node types.
 * Parsing is strict where silence would hurt a platform engineer: duplicate keys, unknown
 * tags and numbers that would be corrupted are reported or preserved instead of guessed.
 */
import {
  Document,
  LineCounter,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Alias,
  type CollectionTag,
  type Node as YamlNode,
  type ParsedNode,
  type ScalarTag,
  type ToStringOptions,
  type YAMLError,
} from 'yaml';

export type TemplateFormat = 'yaml' | 'json';

/** A place in the template source; both numbers are 1-based, like editors show them. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface ParsedTemplate {
  /** Plain JSON data: objects, arrays, strings, numbers, booleans, null. */
  value: unknown;
  format: TemplateFormat;
  /** Positions of each key under `Resources` (logical id → position of the key), for later SARIF output. */
  resourcePositions: Record<string, SourcePosition>;
  /**
   * Where a path into `value` is written in the source: the position of the deepest key (or
   * sequence item) along `path` that the source has, or undefined when not even the first
   * segment is there. A value an alias expanded points at the anchored original.
   *
   * @example
   * parsed.positionOf(['Resources', 'Data', 'Properties', 'BucketName']); // { line: 5, column: 7 }
   * parsed.positionOf(['Resources', 'Data', 'Properties', 'NotThere']);   // the position of Properties
   */
  positionOf(path: readonly (string | number)[]): SourcePosition | undefined;
  /**
   * Whether the string at `path` was written as a number (`2.5e5`, `1.0`, `-0`, `012345678901`)
   * and kept as its text because a double would not print it back the same way. The
   * serializer uses it to write such a value as a number again, spelled as in the source.
   *
   * @example
   * parseTemplate('{"A": 2.5e5}').numberTextAt?.(['A']); // true: value.A is the string "2.5e5"
   */
  numberTextAt?(path: readonly (string | number)[]): boolean;
}

/** Per parsed object or array: the keys (indexes) whose string value was a number token in the source. */
type NumberTextTable = WeakMap<object, Set<string | number>>;

function noteNumberText(table: NumberTextTable, container: object, key: string | number): void {
  let keys = table.get(container);
  if (keys === undefined) table.set(container, (keys = new Set()));
  keys.add(key);
}

function numberTextFinder(value: unknown, table: NumberTextTable): NonNullable<ParsedTemplate['numberTextAt']> {
  return (path) => {
    if (path.length === 0) return false;
    let node = value;
    for (const segment of path.slice(0, -1)) {
      if (typeof node !== 'object' || node === null) return false;
      node = (node as Record<string, unknown>)[segment as string];
    }
    if (typeof node !== 'object' || node === null) return false;
    const last = path[path.length - 1] as string | number;
    return table.get(node)?.has(Array.isArray(node) ? Number(last) : String(last)) === true;
  };
}

/** Source offsets of the keys of each object (and of the items of each array) a parse built. */
type OffsetTable = WeakMap<object, Map<string | number, number>>;

function positionFinder(value: unknown, offsets: OffsetTable, position: (offset: number) => SourcePosition): ParsedTemplate['positionOf'] {
  return (path) => {
    let node = value;
    let best: number | undefined;
    for (const segment of path) {
      if (typeof node !== 'object' || node === null) break;
      const offset = offsets.get(node)?.get(Array.isArray(node) ? Number(segment) : String(segment));
      if (offset === undefined) break;
      best = offset;
      node = (node as Record<string, unknown>)[segment as string];
    }
    return best === undefined ? undefined : position(best);
  };
}

/**
 * A template that cannot be read. `message` is ready to print (`file:line:col: reason`);
 * `reason` is the same text without the location, for reports that carry positions separately.
 */
export class TemplateParseError extends Error {
  override readonly name = 'TemplateParseError';
  readonly reason: string;

  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(`${formatLocation(file, line, column)}: ${message}`, options);
    this.reason = message;
  }
}

function formatLocation(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

/**
 * The short forms CloudFormation accepts (plus the two from AWS::LanguageExtensions).
 * Rule-only functions such as `Fn::Contains` have no short form, so they are not here.
 */
const SHORT_FORM_NAMES = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'Cidr',
  'ImportValue',
  'GetAZs',
  'Equals',
  'And',
  'Or',
  'Not',
  'Transform',
  'Length',
  'ToJsonString',
] as const;

/** `!Ref` → `Ref`, `!Sub` → `Fn::Sub`, ... */
const TAG_TO_KEY = new Map<string, string>(
  SHORT_FORM_NAMES.map((name) => [`!${name}`, name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]),
);
const KEY_TO_TAG = new Map<string, string>([...TAG_TO_KEY].map(([tag, key]) => [key, tag]));

/**
 * The long-form key a short-form tag stands for, or undefined for any other tag.
 *
 * @example
 * longFormKeyOf('!Sub'); // 'Fn::Sub'
 * longFormKeyOf('!Ref'); // 'Ref'
 */
export function longFormKeyOf(tag: string): string | undefined {
  return TAG_TO_KEY.get(tag);
}

/**
 * Each short form must be registered for scalars, sequences and maps, or the parser
 * reports `!Sub [ ... ]` as an unresolved tag. The resolvers keep the node as it is:
 * the converter below sees the tag on the node and builds the long form itself.
 */
const CUSTOM_TAGS: Array<ScalarTag | CollectionTag> = SHORT_FORM_NAMES.flatMap((name) => {
  const tag = `!${name}`;
  return [
    { tag, resolve: (source: string) => source },
    { tag, collection: 'seq' as const },
    { tag, collection: 'map' as const },
  ];
});

/** Standard tags a template may spell out (`!!str 123`); anything else is not JSON data. */
const STANDARD_TAGS = new Set([
  '!',
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:seq',
  'tag:yaml.org,2002:map',
]);

/** CloudFormation templates nest a few dozen levels at most; deeper input is hostile or broken and would overflow the stack. */
const MAX_NESTING_DEPTH = 500;

/**
 * Upper bound on nodes materialized by alias expansion. `yaml`'s own `maxAliasCount`
 * only guards `toJS()`, which we don't use, so the converter enforces this instead.
 * It stops "billion laughs" documents in linear time while leaving room for real reuse.
 */
const MAX_ALIAS_EXPANDED_NODES = 100_000;

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Plain assignment of `__proto__` would replace the prototype instead of storing the key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Guesses the format of a template.
 *
 * A `.json` file name wins; otherwise (including `.yaml`, `.yml`, `.template` and no name)
 * the content decides: JSON if the first non-whitespace character is `{`, YAML otherwise.
 *
 * @example
 * detectFormat('{ "Resources": {} }');           // 'json'
 * detectFormat('Resources: {}', 'stack.template'); // 'yaml'
 * detectFormat('', 'stack.json');                  // 'json'
 */
export function detectFormat(text: string, fileName?: string): TemplateFormat {
  if (fileName !== undefined && /\.json$/i.test(fileName)) return 'json';
  const first = /^[\s\uFEFF]*(\S)/.exec(text)?.[1];
  return first === '{' ? 'json' : 'yaml';
}

/**
 * Parses a CloudFormation template into plain JSON data.
 *
 * YAML short forms become long forms (`!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`),
 * `yes`/`no` and dates stay strings, and a number stays a number only if it prints back
 * exactly as written, so `012345678901` or `1.10` keep their text.
 *
 * @throws TemplateParseError for syntax errors, duplicate keys, unknown tags, multiple
 *   YAML documents, or a top level that is not a mapping; the message starts with `file:line:col`.
 * @example
 * const { value, resourcePositions } = parseTemplate(
 *   'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-logs"\n',
 *   { file: 'stack.yaml' },
 * );
 * // value.Resources.Bucket.Properties.BucketName → { 'Fn::Sub': '${AWS::StackName}-logs' }
 * // resourcePositions.Bucket → { line: 2, column: 3 }
 */
export function parseTemplate(text: string, options: { file?: string; format?: TemplateFormat } = {}): ParsedTemplate {
  const file = options.file ?? '<template>';
  // Editors on Windows add a byte order mark; neither parser should see it as content.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = options.format ?? detectFormat(source, options.file);
  return format === 'json' ? parseJsonTemplate(source, file) : parseYamlTemplate(source, file);
}

// ---------------------------------------------------------------------------------------
// YAML

/** How templates are read; the in-place rewriter (yaml-rewrite.ts) reads them the same way. */
export const YAML_PARSE_OPTIONS = {
  schema: 'core', // YAML 1.2: `yes`, `on`, `2010-09-09` stay strings, as in CloudFormation
  version: '1.2',
  customTags: CUSTOM_TAGS,
  merge: false,
  uniqueKeys: false, // we report duplicates ourselves, with both positions
  prettyErrors: false, // keeps messages to one line; we add the location
} as const;

function parseYamlTemplate(source: string, file: string): ParsedTemplate {
  const lines = new LineCounter();
  const doc = parseDocument(source, { ...YAML_PARSE_OPTIONS, lineCounter: lines });
  const fail = (offset: number, reason: string, cause?: unknown): never => {
    const { line, col } = lines.linePos(offset);
    throw new TemplateParseError(reason, file, line, col, cause === undefined ? undefined : { cause });
  };

  const [firstError] = doc.errors;
  if (firstError !== undefined) fail(firstError.pos[0], describeYamlError(firstError), firstError);
  const unknownTag = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag !== undefined) fail(unknownTag.pos[0], describeYamlError(unknownTag), unknownTag);

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null && root.tag === undefined)) {
    fail(root?.range[0] ?? 0, 'a template must be a mapping, but the document is empty');
  }
  const offsets: OffsetTable = new WeakMap();
  const numberTexts: NumberTextTable = new WeakMap();
  const converter = new YamlConverter(fail, (offset) => lines.linePos(offset).line, offsets, numberTexts);
  const value = converter.convert(root, 0);
  if (!isPlainObject(value)) {
    fail(root?.range[0] ?? 0, `a template must be a mapping, but the document is ${describeValue(value)}`);
  }

  const resourcePositions: Record<string, SourcePosition> = {};
  const resources = converter.resolveNode(findPairValue(root, 'Resources'));
  if (isMap(resources)) {
    for (const pair of resources.items) {
      const keyNode = pair.key as ParsedNode | null;
      if (keyNode === null) continue;
      const { line, col } = lines.linePos(keyNode.range[0]);
      setOwn(resourcePositions as Record<string, unknown>, converter.keyOf(keyNode), { line, column: col });
    }
  }
  const positionOf = positionFinder(value, offsets, (offset) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  });
  return { value, format: 'yaml', resourcePositions, positionOf, numberTextAt: numberTextFinder(value, numberTexts) };
}

function describeYamlError(error: YAMLError): string {
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return 'a template file must contain a single YAML document (found another "---" document)';
    case 'MULTIPLE_TAGS':
      // CloudFormation documents this exact restriction for `!Base64 !Sub`.
      return 'a node can have only one tag, so short forms cannot be nested directly (e.g. `!Base64 !Sub x`); write the outer function in full form: `Fn::Base64: !Sub x`';
    case 'RESOURCE_EXHAUSTION':
      // The parser ran out of stack: nesting far beyond anything a template needs.
      return `the template nests too deeply to read (the limit is ${MAX_NESTING_DEPTH} levels)`;
    case 'TAG_RESOLVE_FAILED': {
      const tag = /Unresolved tag: (\S+)/.exec(error.message)?.[1];
      return tag === undefined ? error.message : unknownTagMessage(tag);
    }
    default:
      return error.message;
  }
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

function unknownTagMessage(tag: string): string {
  if (tag.startsWith(YAML_TAG_PREFIX)) {
    return `unsupported tag !!${tag.slice(YAML_TAG_PREFIX.length)}; a template holds JSON data only`;
  }
  return `unknown tag ${tag}; CloudFormation accepts only the short forms ${[...TAG_TO_KEY.keys()].join(', ')}`;
}

function findPairValue(map: ParsedNode | null, key: string): ParsedNode | null {
  if (!isMap(map)) return null;
  for (const pair of map.items) {
    const keyNode = pair.key as ParsedNode | null;
    if (isScalar(keyNode) && keyNode.value === key) return pair.value as ParsedNode | null;
  }
  return null;
}

/**
 * Turns `yaml` nodes into plain data in one pass. We walk nodes ourselves instead of calling
 * `toJS()` because we need the source text of numbers, the positions of duplicate keys,
 * short forms as long forms, and prototype-safe objects.
 */
class YamlConverter {
  /** Anchor name → node, in document order, so an alias finds the latest anchor before it. */
  private readonly anchors = new Map<string, ParsedNode>();
  /** Each alias resolved once, at its own place in the document, so later re-anchoring cannot change it. */
  private readonly aliasTargets = new Map<Alias, ParsedNode>();
  /** Anchored nodes being converted; an alias to one of these would expand forever. */
  private readonly openAnchoredNodes = new Set<ParsedNode>();
  private expansionDepth = 0;
  private expandedNodes = 0;

  constructor(
    private readonly fail: (offset: number, reason: string) => never,
    private readonly lineAt: (offset: number) => number,
    private readonly offsets: OffsetTable,
    private readonly numberTexts: NumberTextTable,
  ) {}

  /** A number scalar that came back as its source text (see convertScalar) is noted for the serializer. */
  private noteIfNumberText(container: object, key: string | number, node: ParsedNode | null, value: unknown): void {
    if (typeof value !== 'string' || node === null) return;
    const target = this.resolveNode(node);
    if (isScalar(target) && target.tag === undefined && typeof target.value === 'number') noteNumberText(this.numberTexts, container, key);
  }

  convert(node: ParsedNode | null, depth: number): unknown {
    // `key:` with nothing after it has no node at all in some positions.
    if (node === null) return null;
    if (depth > MAX_NESTING_DEPTH) this.fail(node.range[0], `the template nests deeper than ${MAX_NESTING_DEPTH} levels`);
    if (isAlias(node)) return this.expandAlias(node, depth);

    if (this.expansionDepth > 0 && ++this.expandedNodes > MAX_ALIAS_EXPANDED_NODES) {
      this.fail(node.range[0], `aliases expand to more than ${MAX_ALIAS_EXPANDED_NODES} nodes`);
    }
    const { anchor } = node;
    if (anchor !== undefined) {
      // Copies made by an alias must not redefine anchors for aliases later in the document.
      if (this.expansionDepth === 0) this.anchors.set(anchor, node);
      this.openAnchoredNodes.add(node);
    }
    try {
      const longFormKey = node.tag === undefined ? undefined : TAG_TO_KEY.get(node.tag);
      if (longFormKey !== undefined) return this.convertShortForm(node, longFormKey, depth);
      if (node.tag !== undefined && !STANDARD_TAGS.has(node.tag)) {
        this.fail(node.range[0], unknownTagMessage(node.tag));
      }
      return this.convertUntagged(node, depth);
    } finally {
      if (anchor !== undefined) this.openAnchoredNodes.delete(node);
    }
  }

  /** Follows aliases (not tags) to the node that holds the data. */
  resolveNode(node: ParsedNode | null): ParsedNode | null {
    return node !== null && isAlias(node) ? this.aliasTarget(node) : node;
  }

  /** Mapping keys are strings in CloudFormation; unquoted `123:` or `true:` keep their text. */
  keyOf(keyNode: ParsedNode): string {
    const node = this.resolveNode(keyNode);
    if (!isScalar(node)) return this.fail(keyNode.range[0], 'a mapping key must be a plain string, not a collection');
    if (node.tag !== undefined && TAG_TO_KEY.has(node.tag)) {
      return this.fail(keyNode.range[0], `an intrinsic function (${node.tag}) cannot be used as a mapping key`);
    }
    if (node.tag !== undefined && !STANDARD_TAGS.has(node.tag)) this.fail(keyNode.range[0], unknownTagMessage(node.tag));
    return typeof node.value === 'string' ? node.value : node.source;
  }

  private aliasTarget(alias: Alias.Parsed): ParsedNode {
    let target = this.aliasTargets.get(alias);
    if (target === undefined) {
      target = this.anchors.get(alias.source);
      if (target === undefined) {
        return this.fail(alias.range[0], `alias *${alias.source} refers to an anchor that is not defined before it`);
      }
      this.aliasTargets.set(alias, target);
    }
    return target;
  }

  private expandAlias(alias: Alias.Parsed, depth: number): unknown {
    const target = this.aliasTarget(alias);
    if (this.openAnchoredNodes.has(target)) {
      this.fail(alias.range[0], `alias *${alias.source} refers to a node that contains it`);
    }
    this.expansionDepth++;
    try {
      // A fresh copy each time: hardening rules mutate the result, and a shared object
      // would silently change every place the alias was used.
      return this.convert(target, depth);
    } finally {
      this.expansionDepth--;
    }
  }

  private convertShortForm(node: ParsedNode, longFormKey: string, depth: number): Record<string, unknown> {
    let payload: unknown;
    if (isScalar(node)) {
      const text = typeof node.value === 'string' ? node.value : node.source;
      if (longFormKey === 'Fn::GetAtt') {
        // Attribute names may contain dots (`Endpoint.Address`); logical ids cannot.
        const dot = text.indexOf('.');
        payload = dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
      } else {
        payload = text;
      }
    } else {
      payload = this.convertUntagged(node, depth);
    }
    const wrapper = { [longFormKey]: payload };
    this.offsets.set(wrapper, new Map([[longFormKey, node.range[0]]]));
    return wrapper;
  }

  private convertUntagged(node: ParsedNode, depth: number): unknown {
    if (isScalar(node)) return this.convertScalar(node);
    if (isSeq(node)) {
      const itemOffsets = new Map<number, number>();
      const converted: unknown[] = [];
      node.items.forEach((item, i) => {
        if (item !== null) itemOffsets.set(i, (item as ParsedNode).range[0]);
        const value = this.convert(item as ParsedNode | null, depth + 1);
        converted.push(value);
        this.noteIfNumberText(converted, i, item as ParsedNode | null, value);
      });
      this.offsets.set(converted, itemOffsets);
      return converted;
    }
    if (isMap(node)) return this.convertMap(node, depth);
    return this.fail(node.range[0], 'unsupported YAML node');
  }

  private convertScalar(node: Scalar.Parsed): unknown {
    const { value } = node;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      // YAML 1.2 reads `012345678901` as 12345678901 and `1.10` as 1.1. Account ids and
      // version strings must survive, so a number that does not print back as its source
      // keeps the source text (CloudFormation accepts strings where it wants numbers).
      // An explicit `!!int`/`!!float` is the author's choice and is respected when finite.
      if (!Number.isFinite(value)) return node.source;
      return node.tag === undefined && String(value) !== node.source ? node.source : value;
    }
    return this.fail(node.range[0], `unsupported value ${JSON.stringify(node.source)}`);
  }

  private convertMap(node: YAMLMap.Parsed, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const keyOffsets = new Map<string, number>();
    for (const pair of node.items) {
      const keyNode = pair.key as ParsedNode | null;
      if (keyNode === null) return this.fail(node.range[0], 'a mapping key is missing');
      if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === Scalar.PLAIN && keyNode.tag === undefined) {
        // "CloudFormation template format": CloudFormation's YAML does not support hash merges.
        // Reading `<<` as a key would deploy a property named "<<"; merging would accept a
        // template CloudFormation rejects. A quoted "<<" is an ordinary key and stays one.
        this.fail(keyNode.range[0], 'YAML merge keys (<<) are not supported by CloudFormation ("hash merges" in the CloudFormation template format guide); write the merged keys out in full');
      }
      const key = this.keyOf(keyNode);
      if (hasOwn(result, key)) this.failDuplicate(node, key, keyNode);
      keyOffsets.set(key, keyNode.range[0]);
      const value = this.convert(pair.value as ParsedNode | null, depth + 1);
      setOwn(result, key, value);
      this.noteIfNumberText(result, key, pair.value as ParsedNode | null, value);
    }
    this.offsets.set(result, keyOffsets);
    return result;
  }

  /** Only runs on the error path, so rescanning the map for the first occurrence costs nothing normally. */
  private failDuplicate(map: YAMLMap.Parsed, key: string, again: ParsedNode): never {
    const first = map.items.find((pair) => pair.key !== null && this.keyOf(pair.key as ParsedNode) === key);
    const firstOffset = (first!.key as ParsedNode).range[0];
    const againOffset = again.range[0];
    return this.fail(againOffset, duplicateKeyMessage(key, this.lineAt(firstOffset), this.lineAt(againOffset)));
  }
}

function duplicateKeyMessage(key: string, firstLine: number, againLine: number): string {
  return `duplicate key ${JSON.stringify(key)} (first at line ${firstLine}, again at line ${againLine})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a sequence';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------
// JSON

/**
 * Strict JSON (RFC 8259) with positions. `JSON.parse` keeps the last of duplicate keys
 * silently and reports errors by offset only; parsing JSON as YAML would accept comments,
 * single quotes and trailing commas that CloudFormation rejects.
 */
function parseJsonTemplate(source: string, file: string): ParsedTemplate {
  let lines: LineCounter | undefined;
  const position = (offset: number): SourcePosition => {
    lines ??= countLines(source);
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const fail = (offset: number, reason: string): never => {
    const { line, column } = position(offset);
    throw new TemplateParseError(reason, file, line, column);
  };

  const offsets: OffsetTable = new WeakMap();
  const numberTexts: NumberTextTable = new WeakMap();
  const parser = new StrictJsonParser(source, fail, (offset) => position(offset).line, offsets, numberTexts);
  const value = parser.parseDocument();
  if (!isPlainObject(value)) {
    fail(parser.valueStart, `a template must be a mapping, but the document is ${describeValue(value)}`);
  }
  const resourcePositions: Record<string, SourcePosition> = {};
  for (const [logicalId, offset] of parser.resourceKeyOffsets ?? []) {
    setOwn(resourcePositions as Record<string, unknown>, logicalId, position(offset));
  }
  return { value, format: 'json', resourcePositions, positionOf: positionFinder(value, offsets, position), numberTextAt: numberTextFinder(value, numberTexts) };
}

function countLines(source: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f]/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class StrictJsonParser {
  private pos = 0;
  /** Offset of the first non-whitespace character, where "not a mapping" is reported. */
  valueStart = 0;
  /** Key offsets of the top-level `Resources` object, for `resourcePositions`. */
  resourceKeyOffsets: Map<string, number> | undefined;

  constructor(
    private readonly text: string,
    private readonly fail: (offset: number, reason: string) => never,
    private readonly lineAt: (offset: number) => number,
    private readonly offsets: OffsetTable,
    private readonly numberTexts: NumberTextTable,
  ) {}

  private isNumberStart(): boolean {
    const c = this.text.charCodeAt(this.pos);
    return c === 0x2d || (c >= 0x30 && c <= 0x39);
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail(this.pos, 'a template must be a mapping, but the document is empty');
    this.valueStart = this.pos;
    const value = this.parseValue(0, false);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.unexpected('after the end of the template');
    return value;
  }

  private parseValue(depth: number, isResources: boolean): unknown {
    if (depth > MAX_NESTING_DEPTH) this.fail(this.pos, `the template nests deeper than ${MAX_NESTING_DEPTH} levels`);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
        return this.parseObject(depth, isResources);
      case 0x5b /* [ */:
        return this.parseArray(depth);
      case 0x22 /* " */:
        return this.parseString();
      case 0x74 /* t */:
        return this.parseLiteral('true', true);
      case 0x66 /* f */:
        return this.parseLiteral('false', false);
      case 0x6e /* n */:
        return this.parseLiteral('null', null);
      default:
        if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.unexpected('where a value was expected');
    }
  }

  private parseObject(depth: number, isResources: boolean): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    // Offsets report duplicates, and give positions (resourcePositions, positionOf).
    const keyOffsets = new Map<string, number>();
    if (isResources) this.resourceKeyOffsets = keyOffsets;
    this.offsets.set(result, keyOffsets);
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) {
        if (this.text.charCodeAt(this.pos) === 0x7d) this.fail(this.pos, 'trailing comma before "}"');
        this.unexpected('where a property name in double quotes was expected');
      }
      const keyOffset = this.pos;
      const key = this.parseString();
      const firstOffset = keyOffsets.get(key);
      if (firstOffset !== undefined) {
        this.fail(keyOffset, duplicateKeyMessage(key, this.lineAt(firstOffset), this.lineAt(keyOffset)));
      }
      keyOffsets.set(key, keyOffset);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a /* : */) this.unexpected(`after property name ${JSON.stringify(key)} (expected ":")`);
      this.pos++;
      this.skipWhitespace();
      const numeric = this.isNumberStart();
      const value = this.parseValue(depth + 1, depth === 0 && key === 'Resources');
      if (numeric && typeof value === 'string') noteNumberText(this.numberTexts, result, key);
      setOwn(result, key, value);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c /* , */) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d /* } */) {
        this.pos++;
        return result;
      } else {
        this.unexpected('after a property value (expected "," or "}")');
      }
    }
  }

  private parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    const itemOffsets = new Map<number, number>();
    this.offsets.set(result, itemOffsets);
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) === 0x5d) this.fail(this.pos, 'trailing comma before "]"');
      itemOffsets.set(result.length, this.pos);
      const numeric = this.isNumberStart();
      const value = this.parseValue(depth + 1, false);
      if (numeric && typeof value === 'string') noteNumberText(this.numberTexts, result, result.length);
      result.push(value);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c /* , */) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x5d /* ] */) {
        this.pos++;
        return result;
      } else {
        this.unexpected('after an array element (expected "," or "]")');
      }
    }
  }

  private parseString(): string {
    const quote = this.pos;
    const start = quote + 1;
    const end = this.text.indexOf('"', start);
    if (end < 0) return this.fail(quote, 'unterminated string');
    const raw = this.text.slice(start, end);
    // Fast path: most strings in templates have no escapes.
    if (raw.indexOf('\\') < 0) {
      const control = raw.search(CONTROL_CHAR);
      if (control >= 0) this.failControl(quote, start + control);
      this.pos = end + 1;
      return raw;
    }
    return this.parseEscapedString(quote);
  }

  private parseEscapedString(quote: number): string {
    const { text } = this;
    let out = '';
    let chunkStart = quote + 1;
    let i = chunkStart;
    for (;;) {
      if (i >= text.length) return this.fail(quote, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out + text.slice(chunkStart, i);
      }
      if (c === 0x5c /* \ */) {
        out += text.slice(chunkStart, i);
        const escape = text[i + 1] ?? '';
        if (escape === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!HEX4.test(hex)) this.fail(i, 'invalid \\u escape: expected four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          const simple = SIMPLE_ESCAPES[escape];
          if (simple === undefined) this.fail(i, `invalid escape \\${escape} in string`);
          out += simple;
          i += 2;
        }
        chunkStart = i;
      } else if (c < 0x20) {
        this.failControl(quote, i);
      } else {
        i++;
      }
    }
  }

  private failControl(quote: number, offset: number): never {
    if (this.text.charCodeAt(offset) === 0x0a || this.text.charCodeAt(offset) === 0x0d) {
      return this.fail(quote, 'unterminated string (line break inside a string; use \\n)');
    }
    return this.fail(offset, 'unescaped control character in string');
  }

  private parseNumber(): number | string {
    const start = this.pos;
    JSON_NUMBER.lastIndex = start;
    const match = JSON_NUMBER.exec(this.text);
    if (match === null) return this.fail(start, 'invalid number');
    const source = match[0];
    this.pos = start + source.length;
    const next = this.text.charCodeAt(this.pos);
    if (next >= 0x30 && next <= 0x39) {
      // Almost always an account id pasted without quotes.
      this.fail(start, 'numbers must not have leading zeros in JSON; quote values such as account ids ("012345678901")');
    }
    // Same rule as YAML: keep the text of numbers that would not survive as a double.
    const value = Number(source);
    return String(value) === source ? value : source;
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.unexpected('where a value was expected');
    this.pos += word.length;
    return value;
  }

  private skipWhitespace(): void {
    const { text } = this;
    let c = text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
  }

  private unexpected(context: string): never {
    if (this.pos >= this.text.length) return this.fail(this.pos, 'unexpected end of input');
    const char = this.text[this.pos]!;
    if (char === '/' && (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*')) {
      return this.fail(this.pos, 'comments are not allowed in JSON');
    }
    return this.fail(this.pos, `unexpected character ${JSON.stringify(char)} ${context}`);
  }
}

// ---------------------------------------------------------------------------------------
// Serialization

export const YAML_OUTPUT: ToStringOptions = {
  indent: 2,
  indentSeq: true,
  // Folding would insert line breaks into long ARNs and policy strings; 0 turns it off.
  lineWidth: 0,
  minContentWidth: 0,
  // Inline Lambda code and JSON policy documents read best, and diff best, as `|` blocks.
  blockQuote: 'literal',
};

/**
 * Writes a template. JSON is `JSON.stringify` with two-space indent; YAML uses short forms
 * (`!Ref`, `!GetAtt A.B`, `!Sub |` ...), quotes strings that YAML 1.1 or 1.2 readers would
 * take for numbers, booleans, dates or null, and re-parses with {@link parseTemplate} to
 * the same value.
 *
 * Like `JSON.stringify`, properties whose value is `undefined` are left out and
 * non-finite numbers become `null`, so both formats always carry the same data.
 *
 * @example
 * serializeTemplate({ Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, Id: '012345678901' }, 'yaml');
 * // 'Value: !GetAtt Bucket.Arn\nId: "012345678901"\n'
 */
export function serializeTemplate(value: unknown, format: TemplateFormat, options: SerializeOptions = {}): string {
  const marked = options.numberText === undefined ? value : markNumberTexts(value, options.numberText, [], new Set());
  if (format === 'json') {
    const json = marked === value ? (JSON.stringify(value, null, 2) as string | undefined) : jsonWithNumberTexts(marked, '', new Set());
    if (json === undefined) throw new TypeError('cannot serialize undefined as a template');
    return `${json}\n`;
  }
  // YAML 1.1 compatibility makes the stringifier also quote `yes`, `on`, `2010-09-09`, `0x1F`
  // and the like, so the output means the same to cfn-lint, PyYAML and other 1.1 readers.
  const doc = new Document(null, { version: '1.2', schema: 'core', compat: 'yaml-1.1', customTags: [NUMBER_TEXT_TAG] });
  doc.contents = toYamlNode(marked, new Set());
  return doc.toString(YAML_OUTPUT);
}

export interface SerializeOptions {
  /**
   * Whether the string `text` at `path` stands for a number as the source spelled it (see
   * {@link ParsedTemplate.numberTextAt}); such a string is written as that number, unquoted,
   * where the output format can spell it so (JSON: a JSON number literal; YAML: always).
   */
  numberText?: (path: readonly (string | number)[], text: string) => boolean;
}

/**
 * The {@link SerializeOptions.numberText} test for writing a hardened template read from `parsed`:
 * a string is a number when the source had a number spelled that way at the same path.
 *
 * @example
 * serializeTemplate(hardened, 'yaml', { numberText: numberTextsOf(parsed) });
 */
export function numberTextsOf(parsed: ParsedTemplate): NonNullable<SerializeOptions['numberText']> {
  return (path, text) => {
    if (parsed.numberTextAt?.(path) !== true) return false;
    let node: unknown = parsed.value;
    for (const segment of path) {
      if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
      node = (node as Record<string, unknown>)[segment as string];
    }
    return node === text;
  };
}

/** A number written exactly as the source spelled it. */
class NumberText {
  constructor(readonly text: string) {}
}

/** Writes a {@link NumberText} as its text, with no tag and no quotes (a plain scalar YAML reads as a number). */
const NUMBER_TEXT_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (value) => value instanceof NumberText,
  resolve: (source) => source,
  stringify: (item) => (item.value as NumberText).text,
};

/** A JSON number literal (RFC 8259), the only spellings JSON output can keep. */
const JSON_NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function markNumberTexts(value: unknown, numberText: NonNullable<SerializeOptions['numberText']>, path: Array<string | number>, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return numberText(path, value) ? new NumberText(value) : value;
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, i) => markNumberTexts(item, numberText, [...path, i], ancestors));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, markNumberTexts((value as Record<string, unknown>)[key], numberText, [...path, key], ancestors));
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/** `JSON.stringify(value, null, 2)`, except that a {@link NumberText} is written as its number literal. */
function jsonWithNumberTexts(value: unknown, indent: string, ancestors: Set<object>): string | undefined {
  if (value instanceof NumberText) return JSON_NUMBER_TEXT.test(value.text) ? value.text : JSON.stringify(value.text);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) as string | undefined;
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return jsonWithNumberTexts((withToJson.toJSON as () => unknown)(), indent, ancestors);
  if (ancestors.has(value)) throw new TypeError('cannot serialize a circular structure');
  ancestors.add(value);
  try {
    const inner = `${indent}  `;
    if (Array.isArray(value)) {
      if (!value.length) return '[]';
      return `[\n${value.map((item) => `${inner}${jsonWithNumberTexts(item, inner, ancestors) ?? 'null'}`).join(',\n')}\n${indent}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(value)) {
      const text = jsonWithNumberTexts((value as Record<string, unknown>)[key], inner, ancestors);
      if (text !== undefined) members.push(`${inner}${JSON.stringify(key)}: ${text}`);
    }
    return members.length ? `{\n${members.join(',\n')}\n${indent}}` : '{}';
  } finally {
    ancestors.delete(value);
  }
}

/**
 * The YAML node {@link serializeTemplate} writes for a value: short forms, and strings quoted
 * where a YAML 1.1 or 1.2 reader would take them for something else (once the node is in a
 * document created with `compat: 'yaml-1.1'`).
 *
 * @example
 * yamlNodeOf({ 'Fn::GetAtt': ['Data', 'Arn'] }); // the scalar `Data.Arn` tagged `!GetAtt`
 */
export function yamlNodeOf(value: unknown, options: { shortForms?: boolean } = {}): YamlNode {
  return toYamlNode(value, new Set(), options.shortForms !== false);
}

function toYamlNode(value: unknown, ancestors: Set<object>, shortForms = true): YamlNode {
  switch (typeof value) {
    case 'string':
      return stringNode(value);
    case 'boolean':
      return new Scalar(value);
    case 'number':
      // `-0` would be written as `-0` and read back as the string "-0"; JSON writes 0.
      return new Scalar(Number.isFinite(value) ? value + 0 : null);
    case 'bigint':
      throw new TypeError('cannot serialize a BigInt in a template');
    case 'object':
      if (value === null) return new Scalar(null);
      if (value instanceof NumberText) return new Scalar(value);
      break;
    default:
      // undefined, functions and symbols: JSON writes null in arrays (objects skip them earlier).
      return new Scalar(null);
  }
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return toYamlNode((withToJson.toJSON as () => unknown)(), ancestors, shortForms);
  if (ancestors.has(value)) throw new TypeError('cannot serialize a circular structure');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const seq = new YAMLSeq();
      for (const item of value) seq.items.push(toYamlNode(item, ancestors, shortForms));
      return seq;
    }
    const entries = Object.keys(value)
      .map((key): [string, unknown] => [key, (value as Record<string, unknown>)[key]])
      .filter(([, item]) => !isSkippedInObject(item));
    const [onlyEntry] = entries;
    if (shortForms && entries.length === 1 && onlyEntry !== undefined && KEY_TO_TAG.has(onlyEntry[0])) {
      return toShortForm(onlyEntry[0], onlyEntry[1], ancestors);
    }
    const map = new YAMLMap();
    for (const [key, item] of entries) map.items.push(new Pair(stringNode(key), toYamlNode(item, ancestors, shortForms)));
    return map;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Double quotes for the two kinds of string `yaml` 2.9 would otherwise write so they read
 * back differently (both found by the property-based round-trip test):
 * - a byte order mark is dropped at the start of a stream and not allowed in plain or
 *   block scalars; inside double quotes it is ordinary content;
 * - whitespace-only text with a line break (`"  \n"`) becomes a `|+` block whose spaces
 *   are taken for indentation and lost.
 */
function stringNode(value: string): Scalar<string> {
  const node = new Scalar(value);
  if (value.includes('\uFEFF') || /^[\t\n ]+$/.test(value)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function isSkippedInObject(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Writes `{ "Fn::X": payload }` as `!X payload` when that re-parses to the same value,
 * and falls back to the long form otherwise (e.g. `{ "Ref": 5 }`, or a payload that is
 * itself a short form: YAML allows one tag per node, so `!Base64 !Sub` is impossible).
 */
function toShortForm(key: string, payload: unknown, ancestors: Set<object>): YamlNode {
  const tag = KEY_TO_TAG.get(key)!;
  let node: YamlNode;
  if (key === 'Fn::GetAtt' && isDottableGetAtt(payload)) {
    node = stringNode(`${payload[0]}.${payload[1]}`);
  } else {
    node = toYamlNode(payload, ancestors);
  }
  const scalarValue = isScalar(node) ? node.value : undefined;
  const taggable =
    node.tag === undefined &&
    (isScalar(node)
      ? typeof scalarValue === 'string' && (key !== 'Fn::GetAtt' || isDottableGetAtt(payload))
      : key !== 'Ref' && key !== 'Condition');
  if (taggable) {
    node.tag = tag;
    return node;
  }
  const map = new YAMLMap();
  map.items.push(new Pair(stringNode(key), node));
  return map;
}

/** `!GetAtt A.B` re-parses by splitting at the first dot, so A must not contain one. */
function isDottableGetAtt(payload: unknown): payload is [string, string] {
  return (
    Array.isArray(payload) &&
    payload.length === 2 &&
    typeof payload[0] === 'string' &&
    typeof payload[1] === 'string' &&
    !payload[0].includes('.')
  );
}
