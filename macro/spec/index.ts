/**
 * What the CloudFormation resource specification says about a resource type, from the compact
 * table `npm run gen:spec` generates (resources.generated.ts) out of `@aws-cdk/aws-service-spec`.
 * The Lambda bundles only that table, never the spec database.
 *
 * The table's encoding: `TYPES_PACKED` is, brotli-compressed and base64-encoded (to keep the
 * bundle small), one line per namespace: the namespace (`AWS::S3`), then its types' entries,
 * separated by spaces, each `Name[:TagProperty][=Shape][^][!]`:
 * - `:TagProperty` the property that holds the tags, when it is not `Tags`;
 * - `=Shape` how the tags are written: none given means a list of `{Key, Value}`; `=L(K,V)` a list
 *   of `{K, V}`; `=M` a map of strings; `=A` an Auto Scaling list (`Key`, `Value`,
 *   `PropagateAtLaunch`); `=O` some other shape; `=-` the type takes no tags;
 * - `^` changing the tags replaces the resource;
 * - `!` the spec marks the type stateful (it holds data).
 * `REPLACEMENT` maps a type to its properties whose update requires replacement (`Name?`: only in
 * some cases), for the types rules change and the stateful types.
 */
import { brotliDecompressSync } from 'node:zlib';
import { NAMES_PACKED, REPLACEMENT, SPEC_VERSION, TYPES_PACKED } from './resources.generated';

export { SPEC_VERSION };

/** How a type takes tags, per the resource specification. */
export type TagShape =
  /** A list of `{<keyField>: …, <valueField>: …}` entries (`Key`/`Value` for almost every type). */
  | { kind: 'list'; property: string; keyField: string; valueField: string; replaces: boolean }
  /** A map of tag keys to values (`AWS::SSM::Parameter`, SAM resources, …). */
  | { kind: 'map'; property: string; replaces: boolean }
  /** `AWS::AutoScaling::AutoScalingGroup`: `{Key, Value, PropagateAtLaunch}` entries. */
  | { kind: 'asg'; property: string; keyField: 'Key'; valueField: 'Value'; replaces: boolean }
  /** Something else (a type accepting several entry forms, a nested object). */
  | { kind: 'other'; property: string; replaces: boolean }
  /** The type takes no tags. */
  | { kind: 'none' };

interface Entry {
  tags: TagShape;
  stateful: boolean;
}

/** The per-type table as plain text, one namespace a line (decoded once, on first use). */
export function typesText(): string {
  return TYPES_PACKED === '' ? '' : brotliDecompressSync(Buffer.from(TYPES_PACKED, 'base64')).toString('utf8');
}

/**
 * Each namespace's entries, as text until a type of the namespace is looked up. Rules register
 * at load (DATA-001 lists the stateful types, TAG-002 the tag property names): parsing every entry
 * then took most of the bundle's load time, so only the namespaces used are parsed, on first use.
 */
let byNamespace: Map<string, string[] | Map<string, Entry>> | undefined;

function namespaces(): Map<string, string[] | Map<string, Entry>> {
  if (byNamespace) return byNamespace;
  byNamespace = new Map();
  for (const line of typesText().split('\n')) {
    const [namespace, ...codes] = line.split(' ');
    if (namespace) byNamespace.set(namespace, codes);
  }
  return byNamespace;
}

const ENTRY = /^([A-Za-z0-9]+)(?::([A-Za-z0-9]+))?(=(?:L\(([A-Za-z0-9]+),([A-Za-z0-9]+)\)|[MAO-]))?(\^)?(!)?$/;

function parse(namespace: string, code: string): [string, Entry] {
  const m = ENTRY.exec(code);
  if (!m) throw new Error(`macro/spec/resources.generated.ts: bad entry ${code} under ${namespace}: run npm run gen:spec`);
  const [, name, property = 'Tags', shape = '', keyField, valueField, replacing, stateful] = m;
  const replaces = replacing !== undefined;
  let tags: TagShape;
  if (shape === '=-') tags = { kind: 'none' };
  else if (shape === '=M') tags = { kind: 'map', property, replaces };
  else if (shape === '=A') tags = { kind: 'asg', property, keyField: 'Key', valueField: 'Value', replaces };
  else if (shape === '=O') tags = { kind: 'other', property, replaces };
  else tags = { kind: 'list', property, keyField: keyField ?? 'Key', valueField: valueField ?? 'Value', replaces };
  return [`${namespace}::${name}`, { tags, stateful: stateful !== undefined }];
}

/**
 * Each type's entry once looked up (null when the spec does not know it). The table is fixed at
 * build time, so an answer never goes stale; the invariant pass asks once per property of every
 * resource, and splitting the type name each time showed in the benchmark's profile. Templates
 * name custom types freely, so a warm Lambda that sees many starts the memo afresh past a bound.
 */
const entries = new Map<string, Entry | null>();

function entry(type: string): Entry | undefined {
  let found = entries.get(type);
  if (found === undefined) {
    if (entries.size >= 4096) entries.clear();
    entries.set(type, (found = lookup(type) ?? null));
  }
  return found ?? undefined;
}

function lookup(type: string): Entry | undefined {
  const cut = type.lastIndexOf('::');
  if (cut < 0) return undefined;
  const namespace = type.slice(0, cut);
  const all = namespaces();
  let parsed = all.get(namespace);
  if (parsed === undefined) return undefined;
  if (Array.isArray(parsed)) {
    parsed = new Map(parsed.map((code) => parse(namespace, code)));
    all.set(namespace, parsed);
  }
  return parsed.get(type);
}

/** True when the spec knows the type (false for custom resources, modules and types newer than the spec). */
export function isKnownType(type: string): boolean {
  return entry(type) !== undefined;
}

/**
 * How the type takes tags, or undefined when the spec does not know the type.
 *
 * @example
 * tagShape('AWS::SSM::Parameter'); // { kind: 'map', property: 'Tags', replaces: false }
 */
export function tagShape(type: string): TagShape | undefined {
  return entry(type)?.tags;
}

/**
 * True when the spec marks the type stateful (`isStateful`: it holds data that a delete or a
 * replacement destroys).
 *
 * @example
 * isStateful('AWS::DynamoDB::Table'); // true
 */
export function isStateful(type: string): boolean {
  return entry(type)?.stateful ?? false;
}

/** Every stateful type, sorted. */
export function statefulTypes(): string[] {
  const out: string[] = [];
  for (const [namespace, list] of namespaces()) {
    if (Array.isArray(list)) {
      for (const code of list) if (code.endsWith('!')) out.push(parse(namespace, code)[0]);
    } else {
      for (const [type, e] of list) if (e.stateful) out.push(type);
    }
  }
  return out.sort();
}

/** Every distinct tag property name (`Tags`, `UserPoolTags`, …), sorted. */
export function tagPropertyNames(): string[] {
  const names = new Set<string>();
  for (const [namespace, list] of namespaces()) {
    const tags = Array.isArray(list)
      ? // `Name[:TagProperty][=Shape][^][!]`: without `:` the property is Tags; `=-` takes none.
        list.filter((code) => !code.includes('=-')).map((code) => (code.includes(':') ? parse(namespace, code)[1].tags : ({ kind: 'list', property: 'Tags' } as const)))
      : [...list.values()].map((e) => e.tags);
    for (const t of tags) if (t.kind !== 'none') names.add(t.property);
  }
  return [...names].sort();
}

let replacing: Map<string, Map<string, 'yes' | 'maybe'>> | undefined;

/**
 * Whether updating a top-level property replaces the resource: `yes`, `maybe` (in some cases),
 * `no`, or undefined when the table does not cover the type (it holds the replacing properties of
 * the types rules change and of the stateful types; the tag property of every type).
 *
 * @example
 * causesReplacement('AWS::Lambda::Permission', 'SourceArn'); // 'yes'
 * causesReplacement('AWS::S3::Bucket', 'BucketEncryption');  // 'no'
 */
export function causesReplacement(type: string, property: string): 'yes' | 'maybe' | 'no' | undefined {
  if (!replacing) {
    replacing = new Map();
    for (const [t, list] of Object.entries(REPLACEMENT)) {
      replacing.set(t, new Map(list.split(' ').filter(Boolean).map((p) => (p.endsWith('?') ? [p.slice(0, -1), 'maybe'] : [p, 'yes']))));
    }
  }
  const tags = tagShape(type);
  if (tags !== undefined && tags.kind !== 'none' && tags.property === property) return tags.replaces ? 'yes' : 'no';
  const props = replacing.get(type);
  if (props === undefined) return undefined;
  return props.get(property) ?? 'no';
}

let names: Map<string, string> | undefined;

/** The physical-name table as plain text, one namespace a line (see resources.generated.ts). */
export function namesText(): string {
  return NAMES_PACKED === '' ? '' : brotliDecompressSync(Buffer.from(NAMES_PACKED, 'base64')).toString('utf8');
}

/**
 * The property that holds the type's physical name, or undefined when the type has none: the
 * first of `<Type>Name`, `Name` and `<Type>Identifier` that is a top-level string whose update
 * requires replacement in the resource specification (`BucketName`, `TableName`, a secret's
 * `Name`, `DBInstanceIdentifier`).
 *
 * @example
 * physicalNameProperty('AWS::S3::Bucket');         // 'BucketName'
 * physicalNameProperty('AWS::SecretsManager::Secret'); // 'Name'
 * physicalNameProperty('AWS::KMS::Key');           // undefined
 */
export function physicalNameProperty(type: string): string | undefined {
  if (!names) {
    names = new Map();
    for (const line of namesText().split('\n')) {
      const [namespace, ...codes] = line.split(' ');
      for (const code of codes) {
        const short = code.replace(/[+#]$/, '');
        names.set(`${namespace}::${short}`, code.endsWith('+') ? `${short}Name` : code.endsWith('#') ? `${short}Identifier` : 'Name');
      }
    }
  }
  return names.get(type);
}
