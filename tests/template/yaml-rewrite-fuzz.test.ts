/**
 * The in-place writer under random edits: every shipped template, changed at random (keys added
 * and removed, list items inserted, removed and replaced, scalars turned into short forms,
 * collections, block strings, strings that need quoting in flow context), must come back as
 * exactly the changed template, edited in place, whatever the file's layout.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Json } from '../../macro/template/json';
import { Document, Scalar, visit } from 'yaml';
import { YAML_OUTPUT, parseTemplate, serializeTemplate, yamlNodeOf } from '../../macro/template/yaml';
import { rewriteTemplate } from '../../macro/template/yaml-rewrite';

const ROOT = path.join(__dirname, '../..');

function templates(dir: string, suffixes: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...templates(full, suffixes));
    else if (suffixes.some((s) => name.endsWith(s))) out.push(full);
  }
  return out;
}

/** A small deterministic generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const VALUES: Json[] = ['yes', 'x', 'multi\nline\n', 12, true, null, '', { Ref: 'A' }, { 'Fn::Sub': 'a-${X}' }, { 'Fn::GetAtt': ['A', 'Arn'] }, ['a', { b: 1 }], { k: [1, 2], j: { 'Fn::If': ['C', 1, 2] } }, [], {}, '2.5e5', '# not a comment', 'a: b', '- x', 'a, b', '[x]'];

function mutate(value: Json, next: () => number, depth: number): Json {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (Array.isArray(value)) {
    const copy = value.slice();
    const r = next();
    if (r < 0.3 || !copy.length) copy.push(pick(VALUES));
    else if (r < 0.5) copy.splice(Math.floor(next() * copy.length), 1);
    else if (r < 0.6) copy.splice(Math.floor(next() * copy.length), 0, pick(VALUES));
    else {
      const i = Math.floor(next() * copy.length);
      copy[i] = mutate(copy[i] as Json, next, depth + 1);
    }
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, Json> = { ...value };
    const keys = Object.keys(copy);
    const r = next();
    if (r < 0.25 || !keys.length) copy[`New${Math.floor(next() * 100)}`] = pick(VALUES);
    else if (r < 0.4 && depth > 0) delete copy[pick(keys)];
    else {
      const key = pick(keys);
      copy[key] = mutate(copy[key] as Json, next, depth + 1);
    }
    return copy;
  }
  return pick(VALUES);
}

const files = [
  ...templates(path.join(ROOT, 'examples'), ['.yaml']),
  ...templates(path.join(ROOT, 'tests/rules'), ['.input.yaml']),
  ...templates(path.join(ROOT, 'tests/fixtures/layout'), ['.yaml', '.json']),
  path.join(ROOT, 'tests/fixtures/input/numbers.json'),
  path.join(ROOT, 'tests/fixtures/input/crlf.yaml'),
];

/** The examples again, as JSON: the JSON writer under the same edits. */
const asJson = templates(path.join(ROOT, 'examples'), ['.yaml']).map((f) => [`${path.relative(ROOT, f)} as JSON`, f, 'json'] as const);

test.each([...files.map((f) => [path.relative(ROOT, f), f, 'source'] as const), ...asJson])('%s: random edits are written in place and read back exactly', (_name, file, form) => {
  const source = readFileSync(file, 'utf8');
  const text = form === 'json' ? serializeTemplate(parseTemplate(source, { file }).value, 'json') : source;
  const parsed = parseTemplate(text, { file: form === 'json' ? 'x.json' : file });
  const next = random(text.length);
  for (let round = 0; round < 3; round++) {
    let after = parsed.value as Json;
    for (let e = 0, edits = 1 + Math.floor(next() * 4); e < edits; e++) after = mutate(after, next, 0);
    const out = rewriteTemplate(text, parsed.format, parsed.value as Json, after);
    expect(parseTemplate(out.text, { format: parsed.format }).value).toEqual(after);
    expect({ round, kept: out.kept, reason: out.reason }).toEqual({ round, kept: 'document', reason: undefined });
  }
});

/**
 * The same edits on the examples laid out at random: 2, 3 or 4-space steps, sequences indented
 * or not, some collections in flow style, single-quoted strings, long forms, blank lines between
 * top-level entries, CRLF. Every result is edited in place, reads back exactly, and a CRLF file
 * has no bare line feed.
 */
describe('random layouts', () => {
  const examples = templates(path.join(ROOT, 'examples'), ['.yaml']);

  test.each(examples.map((f) => [path.relative(ROOT, f), f]))('%s', (_name, file) => {
    const value = parseTemplate(readFileSync(file, 'utf8'), { file }).value as Json;
    const next = random(file.length);
    for (let variant = 0; variant < 4; variant++) {
      const doc = new Document(null, { version: '1.2', schema: 'core', compat: 'yaml-1.1' });
      doc.contents = yamlNodeOf(value, { shortForms: next() < 0.7 }) as never;
      const flowShare = next() * 0.4;
      const singleQuotes = next() < 0.3;
      visit(doc, {
        Map(key, node) {
          // A flow mapping at the top would make the file read as JSON.
          if (key !== null && next() < flowShare) node.flow = true;
        },
        Seq(_k, node) {
          if (next() < flowShare) node.flow = true;
        },
        Scalar(key, node) {
          if (singleQuotes && key !== 'key' && typeof node.value === 'string' && !/[\n\uFEFF]/.test(node.value)) node.type = Scalar.QUOTE_SINGLE;
        },
      });
      let text = doc.toString({ ...YAML_OUTPUT, indent: 2 + Math.floor(next() * 3), indentSeq: next() < 0.5 });
      if (next() < 0.3) text = text.replace(/\n(\S)/g, '\n\n$1');
      const crlf = next() < 0.3;
      if (crlf) text = text.replace(/\n/g, '\r\n');
      expect(parseTemplate(text, { format: 'yaml' }).value).toEqual(value);
      for (let round = 0; round < 4; round++) {
        let after = value;
        for (let e = 0, edits = 1 + Math.floor(next() * 3); e < edits; e++) after = mutate(after, next, 0);
        const out = rewriteTemplate(text, 'yaml', value, after);
        expect(parseTemplate(out.text, { format: 'yaml' }).value).toEqual(after);
        expect({ variant, round, kept: out.kept, reason: out.reason }).toEqual({ variant, round, kept: 'document', reason: undefined });
        if (crlf) expect(out.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      }
    }
  });
});
