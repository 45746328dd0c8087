/**
 * --write over every template the project ships: examples/, every rule fixture input, and
 * public-style templates (blank lines after section keys, folded blocks, comments, 2- and 4-space
 * indentation, sequences at the key's column, long forms, flow collections, CRLF). Hardening each
 * one and writing it back must leave every source line it did not change byte for byte.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import { withSourceReport } from '../../macro/report/metadata';
import type { Json } from '../../macro/template/json';
import { parseTemplate } from '../../macro/template/yaml';
import { rewriteTemplate } from '../../macro/template/yaml-rewrite';
import { unexplainedLines } from '../support/layout';

const ROOT = path.join(__dirname, '../..');

function yamlFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full, suffix));
    else if (name.endsWith(suffix)) out.push(full);
  }
  return out;
}

const files = [
  ...yamlFiles(path.join(ROOT, 'examples'), '.yaml'),
  ...yamlFiles(path.join(ROOT, 'tests/rules'), '.input.yaml'),
  ...yamlFiles(path.join(ROOT, 'tests/fixtures/layout'), '.yaml'),
];

interface Outcome {
  file: string;
  changed: boolean;
  kept: boolean;
  reason?: string;
  unexplained: number[];
}

function writeBack(file: string): Outcome | undefined {
  const text = readFileSync(file, 'utf8');
  const parsed = parseTemplate(text, { file });
  let result;
  try {
    result = harden({ template: parsed.value as Json, parameterValues: {} });
  } catch (e) {
    // Error fixtures: nothing is written for them.
    if (e instanceof HardeningError) return undefined;
    throw e;
  }
  const rel = path.relative(ROOT, file);
  if (!result.changed) return { file: rel, changed: false, kept: true, unexplained: [] };
  const after = withSourceReport(parsed.value as Json, result.template);
  const out = rewriteTemplate(text, parsed.format, parsed.value as Json, after);
  expect(parseTemplate(out.text, { file }).value).toEqual(after);
  return {
    file: rel,
    changed: true,
    kept: out.kept === 'document',
    ...(out.reason ? { reason: out.reason } : {}),
    unexplained: out.kept === 'document' ? unexplainedLines(text, parsed.value as Json, after, out.text) : [],
  };
}

describe('--write keeps the layout of every shipped template', () => {
  const outcomes = files.map(writeBack).filter((o): o is Outcome => o !== undefined);

  test('there are templates to measure, and hardening changes most of them', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(outcomes.filter((o) => o.changed).length).toBeGreaterThan(100);
  });

  test('every changed template is edited in place (none needs --reformat)', () => {
    expect(outcomes.filter((o) => !o.kept).map((o) => `${o.file}: ${o.reason}`)).toEqual([]);
  });

  test('no source line outside what the rules changed differs', () => {
    expect(outcomes.filter((o) => o.unexplained.length).map((o) => `${o.file}: lines ${o.unexplained.join(', ')}`)).toEqual([]);
  });

  test('the public-style JSON template keeps its spacing and number spellings', () => {
    const file = path.join(ROOT, 'tests/fixtures/layout/docs-style.json');
    const text = readFileSync(file, 'utf8');
    const parsed = parseTemplate(text, { file });
    const result = harden({ template: parsed.value as Json, parameterValues: {} });
    const out = rewriteTemplate(text, 'json', parsed.value as Json, withSourceReport(parsed.value as Json, result.template));
    expect(out.kept).toBe('document');
    expect(out.text).toContain('"Properties" : { "MaximumMessageSize" : 2.5e5, "DelaySeconds" : 1.0, "VisibilityTimeout" : -0 }');
    expect(out.text).toContain('"BucketName" : { "Fn::Sub" : "${AWS::StackName}-json" },\n');
    expect(out.text.startsWith('{\n  "AWSTemplateFormatVersion" : "2010-09-09",\n  "Description" : ')).toBe(true);
  });
});
