/**
 * The CLI as a user runs it: the built dist/cli.js in a child process, with its exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTemplate } from '../macro/template/yaml';

const CLI = path.join(__dirname, '../dist/cli.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-cli-'));
const file = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });

const BUCKET = file('bucket.yaml', 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "data-${AWS::AccountId}"\n');

describe('tap-harden', () => {
  test('hardens YAML to YAML on stdout, keeping short forms and the source text, with the report on stderr', () => {
    const r = cli([BUCKET]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('BucketName: !Sub "data-${AWS::AccountId}"');
    expect(r.stdout).toContain('!GetAtt Data.Arn');
    expect(r.stderr).toContain('S3-001');
    // Counts depend on the whole rule set; the S3 baseline alone makes three changes here.
    expect(r.stderr).toMatch(/\d+ changes, \d+ findings?, \d+ suppressed/);
  });

  test('--format json prints a JSON template', () => {
    const r = cli([BUCKET, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).Resources.DataPolicy.Type).toBe('AWS::S3::BucketPolicy');
  });

  test('--check exits 1 when a rule would change the template, and 0 on its own output', () => {
    expect(cli([BUCKET, '--check']).status).toBe(1);
    const hardened = file('hardened.yaml', cli([BUCKET]).stdout);
    const again = cli([hardened, '--check']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
  });

  test('-o and --report-file write files; --report json is machine-readable', () => {
    const out = path.join(tmp, 'out.json');
    const rep = path.join(tmp, 'report.json');
    const r = cli([BUCKET, '-o', out, '--format', 'json', '--report', 'json', '--report-file', rep]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).Resources.Data).toBeDefined();
    const report = JSON.parse(readFileSync(rep, 'utf8'));
    const records = report.records as Array<{ rule: string; action: string }>;
    expect(report.summary.changes).toBe(records.filter((x) => x.action !== 'finding' && x.action !== 'suppressed').length);
    expect(records.map((x) => x.rule).filter((id) => id.startsWith('S3-'))).toEqual(['S3-001', 'S3-003', 'S3-002']);
  });

  test('--report markdown gives a table ready for a pull request', () => {
    const r = cli([BUCKET, '--report', 'markdown']);
    expect(r.stderr).toContain('| Resource | Rule | What | Path | Detail |');
    // Links go to the rule docs hosted for this release, which exist in any repository.
    expect(r.stderr).toMatch(/\[S3-002\]\(https:\/\/github\.com\/tap-hardening\/tap-hardening\/blob\/v\d+\.\d+\.\d+\/docs\/rules\.md#s3-002\)/);
  });

  test('reads stdin with "-"', () => {
    const r = cli(['-', '--format', 'json'], readFileSync(BUCKET, 'utf8'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).Resources.Data).toBeDefined();
  });

  test('a parse error exits 2 naming file, line and column', () => {
    const broken = file('broken.yaml', 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n   Properties: [\n');
    const r = cli([broken]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('duplicate keys in JSON exit 2 naming the key', () => {
    const dup = file('dup.json', '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Resources": {}}');
    const r = cli([dup]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Resources');
  });

  test('a template the engine rejects exits 2 with the resource position and the problem', () => {
    const bad = file('bad.yaml', 'Resources:\n  Good:\n    Type: AWS::SNS::Topic\n  Nameless:\n    Properties: {}\n');
    const r = cli([bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.yaml:4:3: TEMPLATE Nameless Type');
  });

  test('--param passes deploy parameter values; a malformed --param exits 2', () => {
    expect(cli([BUCKET, '--param', 'Env=dev']).status).toBe(0);
    const r = cli([BUCKET, '--param', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Key=Value');
  });

  test('unknown flags and a missing file exit 2 with a message, not a stack trace', () => {
    const flag = cli([BUCKET, '--frobnicate']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('frobnicate');
    const missing = cli([path.join(tmp, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
  });

  test('the bundled example hardens and its output re-parses', () => {
    const r = cli([path.join(__dirname, '../examples/data-platform.yaml')]);
    expect(r.status).toBe(0);
    const value = parseTemplate(r.stdout).value as { Resources: Record<string, unknown> };
    expect(Object.keys(value.Resources)).toContain('RawDataBucketPolicy');
  });
});
