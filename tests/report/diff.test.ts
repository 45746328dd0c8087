/**
 * `--diff`: the change as `cdk diff` prints it, from @aws-cdk/cloudformation-diff, compared with
 * fixture outputs in tests/fixtures/diff (colours off). Regenerate them with
 * `UPDATE_FIXTURES=1 npx jest tests/report/diff` and read the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { renderDiff } from '../../macro/report/diff';
import { withoutReport } from '../../macro/report/metadata';
import { RULES } from '../../macro/rules';
import type { Json } from '../../macro/template/json';
import { parseTemplate } from '../../macro/template/yaml';

const DIR = path.join(__dirname, '../fixtures/diff');
const CLI = path.join(__dirname, '../../dist/cli.js');
const UPDATE = process.env.UPDATE_FIXTURES === '1';
/** The S3 baseline only, so the fixtures do not move when other rules are added. */
const S3_RULES = RULES.filter((r) => ['S3-001', 'S3-002', 'S3-003'].includes(r.id));
const read = (name: string): Json => parseTemplate(readFileSync(path.join(DIR, name), 'utf8'), { file: name }).value as Json;

function expectFixture(name: string, actual: string): void {
  const file = path.join(DIR, name);
  if (UPDATE || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('renderDiff', () => {
  jest.setTimeout(30000);

  for (const input of readdirSync(DIR).filter((f) => f.endsWith('.input.yaml'))) {
    const name = input.replace(/\.input\.yaml$/, '');
    test(`${name}: hardening shown as cdk diff shows it`, () => {
      const before = read(input);
      const { template } = harden({ template: before, rules: S3_RULES });
      expectFixture(`${name}.diff.txt`, renderDiff(before, template, { color: false }));
    });
  }

  test('security tables: an ingress rule and an IAM statement, as cdk diff prints them', () => {
    const out = renderDiff(read('security-group.before.yaml'), read('security-group.after.yaml'), { color: false });
    expect(out).toContain('Security Group Changes');
    expect(out).toContain('IAM Statement Changes');
    expectFixture('security-group.diff.txt', out);
  });

  test('prints nothing when hardening changed nothing, and never shows the report in Metadata', () => {
    const { template } = harden({ template: read('bucket.input.yaml'), rules: S3_RULES });
    const again = harden({ template, rules: S3_RULES });
    expect(renderDiff(template, again.template, { color: false })).toBe('');
    expect(renderDiff(read('bucket.input.yaml'), template, { color: false })).not.toContain('TapHardening');
  });

  test('withoutReport drops only the report', () => {
    expect(withoutReport({ Metadata: { TapHardening: { Report: {}, Mode: 'report' }, Other: 1 }, Resources: {} })).toEqual({ Metadata: { TapHardening: { Mode: 'report' }, Other: 1 }, Resources: {} });
    expect(withoutReport({ Resources: {}, Metadata: { TapHardening: { Report: {} } } })).toEqual({ Resources: {} });
  });
});

describe('tap-harden --diff (built CLI)', () => {
  jest.setTimeout(60000);
  const bucket = path.join(DIR, 'bucket.input.yaml');
  const run = (env: NodeJS.ProcessEnv, ...args: string[]) => {
    // Jest's workers may run with FORCE_COLOR set; the CLI must see only what each test sets.
    const base: NodeJS.ProcessEnv = { ...process.env, TAP_HARDENING_DEFAULTS: '' };
    delete base.FORCE_COLOR;
    delete base.NO_COLOR;
    return spawnSync(process.execPath, [CLI, bucket, '--diff', ...args], { encoding: 'utf8', env: { ...base, ...env } });
  };

  test('prints the diff instead of the template, and the report on stderr; no colours without a terminal', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Resources\n');
    expect(r.stdout).toContain('[+] AWS::S3::BucketPolicy DataPolicy');
    expect(r.stdout).toContain('[~] AWS::S3::Bucket Data');
    expect(r.stdout).not.toContain('BucketName: !Sub');
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stderr).toContain('S3-002');
  });

  test('FORCE_COLOR=1 colours it as cdk diff does; --check still exits 1 when hardening changes the template', () => {
    const r = run({ FORCE_COLOR: '1' }, '--check');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\u001b\[32m\[\+\]/);
  });
});
