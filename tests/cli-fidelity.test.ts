/**
 * The CLI reads templates faithfully and writes them back faithfully: the built dist/cli.js in a
 * child process, on bad bytes, binary input, merge keys, deep nesting, numbers, CRLF files, and
 * --write with and without --reformat.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Json } from '../macro/template/json';
import { parseTemplate } from '../macro/template/yaml';
import { unexplainedLines } from './support/layout';

const CLI = path.join(__dirname, '../dist/cli.js');
const FIXTURES = path.join(__dirname, 'fixtures');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-fidelity-'));
const cli = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });
const copy = (fixture: string, name = path.basename(fixture)): string => {
  const p = path.join(tmp, name);
  copyFileSync(path.join(FIXTURES, fixture), p);
  return p;
};
const write = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('tap-harden reads templates strictly', () => {
  test('a byte that is not UTF-8 is exit 2 naming the file, line and column; nothing is printed', () => {
    const file = copy('input/bad-utf8.yaml');
    const r = cli([file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:5:21: invalid UTF-8`);
    expect(r.stdout).toBe('');
  });

  test('bad bytes on stdin are named the same way', () => {
    const r = cli(['-'], readFileSync(path.join(FIXTURES, 'input/bad-utf8.yaml')));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<stdin>:5:21: invalid UTF-8');
  });

  test('a NUL-prefixed file is exit 2 with a message, also in --check over many files', () => {
    const file = copy('input/nul-prefixed.yaml');
    const one = cli([file]);
    expect(one.status).toBe(2);
    expect(one.stderr).toContain(`${file}:1:1: a NUL byte`);
    const good = write('good.yaml', 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n');
    const many = cli(['--check', file, good]);
    expect(many.status).toBe(2);
    expect(many.stdout).toMatch(/nul-prefixed\.yaml:1:1: failed: a NUL byte/);
  });

  test('a merge key is exit 2 at its line, never written back as a "<<" property', () => {
    const file = copy('input/merge-key.yaml');
    const r = cli([file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:5:5: YAML merge keys (<<) are not supported by CloudFormation`);
    const w = cli(['--write', file]);
    expect(w.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'input/merge-key.yaml'), 'utf8'));
  });

  test('deep nesting is a clear error naming the file and line, not a stack overflow', () => {
    const deep = write('deep.yaml', `Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata:\n      X: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    const r = cli([deep]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${deep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: the template nests too deeply`));
    expect(r.stderr).not.toMatch(/call stack|internal error/);
  });
});

describe('tap-harden writes templates faithfully', () => {
  test('JSON numbers keep their type and spelling, in JSON output and in YAML output', () => {
    const file = copy('input/numbers.json');
    const json = cli([file]);
    expect(json.status).toBe(0);
    expect(json.stdout).toContain('"MaximumMessageSize": 2.5e5, "DelaySeconds": 1.0, "VisibilityTimeout": -0');
    const yaml = cli([file, '--format', 'yaml']);
    expect(yaml.status).toBe(0);
    expect(yaml.stdout).toMatch(/MaximumMessageSize: 2\.5e5\n\s+DelaySeconds: 1\.0\n\s+VisibilityTimeout: -0\n/);
    const written = cli(['--write', file]);
    expect(written.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"Properties": {"MaximumMessageSize": 2.5e5, "DelaySeconds": 1.0, "VisibilityTimeout": -0, "MessageRetentionPeriod": 345600}');
    expect(text).not.toBe(readFileSync(path.join(FIXTURES, 'input/numbers.json'), 'utf8'));
  });

  test('a CRLF file comes back all CRLF, in its own format and in the other', () => {
    const file = copy('layout/four-space-crlf.yaml');
    for (const args of [[file], [file, '--format', 'json']]) {
      const r = cli(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\r\n/);
      expect(r.stdout.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
  });

  test('--write keeps the layout: only what the rules changed differs, CRLF and folded blocks included', () => {
    for (const fixture of ['layout/public-style.yaml', 'layout/four-space-crlf.yaml', 'input/crlf.yaml']) {
      const file = copy(fixture);
      const before = readFileSync(file, 'utf8');
      const r = cli(['--write', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(': written');
      const after = readFileSync(file, 'utf8');
      expect(after).not.toBe(before);
      expect(unexplainedLines(before, parseTemplate(before).value as Json, parseTemplate(after).value as Json, after)).toEqual([]);
      if (before.includes('\r\n')) expect(after.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
  });

  test('a file whose layout cannot be kept is left unwritten with one stderr line and exit 1; --reformat writes it', () => {
    const text = 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: &shared\n      VersioningConfiguration:\n        Status: Enabled\n  B:\n    Type: AWS::S3::Bucket\n    Properties: *shared\n';
    const file = write('shared.yaml', text);
    const r = cli(['--write', file]);
    expect(r.status).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(text);
    const lines = r.stderr.split('\n').filter((l) => l.includes('not written'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`tap-harden: ${file}: not written: its layout cannot be kept (line 4: hardening changes the node anchored as &shared, and an alias (*shared) shares it); --write --reformat writes it afresh`);
    const again = cli(['--write', '--reformat', file]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('written afresh');
    expect(cli(['--check', file]).status).toBe(0);
  });

  test('printed to stdout, a template whose layout cannot be kept is printed afresh, and stderr says why', () => {
    const file = write('shared-stdout.yaml', 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: &shared\n      VersioningConfiguration:\n        Status: Enabled\n  B:\n    Type: AWS::S3::Bucket\n    Properties: *shared\n');
    const r = cli([file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`tap-harden: ${file}: the output is written afresh: the layout cannot be kept (line 4:`);
    expect(r.stdout).not.toContain('&shared');
    expect((parseTemplate(r.stdout).value as { Resources: { B: { Properties: object } } }).Resources.B.Properties).toHaveProperty('PublicAccessBlockConfiguration');
  });

  test('--reformat without --write is a usage error', () => {
    const r = cli([copy('layout/public-style.yaml', 'plain.yaml'), '--reformat']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--reformat applies to --write');
  });
});
