/**
 * The CI gate: `--check` fails on a template that would change and on a finding at or above
 * `--fail-on`; the closing line says which, and agrees with the exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gate, verdict } from '../../macro/report/gate';
import type { FileResult } from '../../macro/report/results';

const CLI = path.join(__dirname, '../../dist/cli.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-gate-'));
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });

// Already hardened as far as the macro goes (policies set, nothing to add): only findings remain.
const PASSWORD = [
  'Resources:',
  '  Db:',
  '    Type: AWS::RDS::DBInstance',
  '    DeletionPolicy: Snapshot',
  '    UpdateReplacePolicy: Snapshot',
  '    Properties:',
  '      Engine: postgres',
  '      DBInstanceClass: db.t4g.micro',
  '      AllocatedStorage: "20"',
  '      MasterUsername: admin',
  '      MasterUserPassword: ChangeMe12345',
  '',
].join('\n');
writeFileSync(path.join(tmp, 'password.yaml'), PASSWORD);
writeFileSync(path.join(tmp, 'clean.yaml'), 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n');

const record = (severity: 'error' | 'warning' | 'info') => ({ rule: 'RDS-001', resource: 'Db', action: 'finding' as const, path: 'Properties.X', detail: 'x', severity });
const result = (status: FileResult['status'], ...severities: Array<'error' | 'warning' | 'info'>): FileResult => ({ file: 'a.yaml', status, report: { version: '0', mode: 'fix', rules: [], records: severities.map(record) } });

describe('gate', () => {
  test.each([
    ['error', [result('unchanged', 'error')], 1],
    ['error', [result('unchanged', 'warning', 'info')], 0],
    ['warning', [result('unchanged', 'warning')], 1],
    ['warning', [result('unchanged', 'info')], 0],
    ['never', [result('unchanged', 'error')], 0],
    ['never', [result('changed')], 1],
    ['error', [result('failed'), result('changed', 'error')], 2],
  ] as const)('--fail-on %s over %j exits %d', (failOn, results, code) => {
    expect(gate(results, { check: true, failOn }).code).toBe(code);
  });

  test('without --check findings and changes never fail a run; a failed template still does', () => {
    expect(gate([result('changed', 'error')], { check: false }).code).toBe(0);
    expect(gate([result('failed')], { check: false }).code).toBe(2);
  });

  test('suppressed records are not findings', () => {
    const suppressed: FileResult = { file: 'a.yaml', status: 'unchanged', report: { version: '0', mode: 'fix', rules: [], records: [{ rule: 'RDS-001', resource: 'Db', action: 'suppressed', path: '', detail: 'reviewed' }] } };
    expect(gate([suppressed], { check: true, failOn: 'warning' }).code).toBe(0);
  });

  test('the verdict names what failed the check', () => {
    expect(verdict(gate([result('changed', 'error', 'error')], { check: true, failOn: 'error' }))).toBe('check failed: 1 would change, 2 findings at error');
    expect(verdict(gate([result('unchanged', 'warning')], { check: true, failOn: 'warning' }))).toBe('check failed: 0 would change, 1 finding at warning or above');
    expect(verdict(gate([result('unchanged')], { check: true, failOn: 'never' }))).toBe('check passed: 0 would change');
  });
});

describe('tap-harden --check --fail-on', () => {
  test('an error finding fails the check although nothing would change; --fail-on never lets it pass', () => {
    const strict = cli(['password.yaml', '--check']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('tap-harden: check failed: 0 would change, 1 finding at error');
    const lax = cli(['password.yaml', '--check', '--fail-on', 'never']);
    expect(lax.status).toBe(0);
    expect(lax.stderr).toContain('tap-harden: check passed: 0 would change');
  });

  test('warnings fail the check only with --fail-on warning', () => {
    // The clean topic has no finding; password.yaml's warnings come with an error anyway.
    expect(cli(['clean.yaml', '--check', '--fail-on', 'warning']).status).toBe(0);
    expect(cli(['password.yaml', '--check', '--fail-on', 'warning']).stderr).toMatch(/check failed: 0 would change, [3-9] findings at warning or above/);
  });

  test('many files: the closing line carries the verdict that the exit code gives', () => {
    const r = cli(['--check', 'password.yaml', 'clean.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^2 templates: 0 would change, 2 unchanged, 0 failed · .* · check failed: 0 would change, 1 finding at error$/);
    const passed = cli(['--check', 'password.yaml', 'clean.yaml', '--fail-on', 'never']);
    expect(passed.status).toBe(0);
    expect(passed.stdout.trim().split('\n').pop()).toMatch(/check passed: 0 would change$/);
  });

  test('a pattern that matches nothing is exit 2, and the closing line says so', () => {
    const r = cli(['--check', 'clean.yaml', 'missing/*.yaml']);
    expect(r.status).toBe(2);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/error: a path or pattern matched no template$/);
  });

  test('an unknown --fail-on is a usage error', () => {
    const r = cli(['clean.yaml', '--check', '--fail-on', 'info']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--fail-on must be one of error, warning, never, not info');
  });
});
