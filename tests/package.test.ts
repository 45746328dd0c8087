/**
 * The npm package as a user gets it: `npm pack` in a copy of the sources (so the build its
 * prepack script runs cannot disturb dist/ under the other tests) prints only the tarball's
 * name, the tarball holds exactly what runs, installs offline into a fresh prefix with no
 * dependencies, and both bins harden an example.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

describe('package.json', () => {
  test('is publishable as tap-hardening with both bins on the bundled CLI', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.name).toBe('tap-hardening');
    expect(pkg.bin).toEqual({ 'tap-hardening': 'dist/cli.js', 'tap-harden': 'dist/cli.js' });
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/tap-hardening/tap-hardening.git' });
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/tap-hardening\/tap-hardening/);
    expect(pkg.bugs).toEqual({ url: 'https://github.com/tap-hardening/tap-hardening/issues' });
  });

  test('has no runtime dependencies (everything dist/ loads is bundled); the diff library is an optional peer', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(['@aws-cdk/cloudformation-diff']);
    expect(pkg.peerDependenciesMeta?.['@aws-cdk/cloudformation-diff']?.optional).toBe(true);
  });

  test('builds in prepack, not prepare, so an install from git or a tarball needs no devDependencies', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('node scripts/build.mjs');
    expect(pkg.scripts.start).toContain('build');
    expect(pkg.scripts.test).toContain('build');
    expect(readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^foreground-scripts=false$/m);
  });
});

describe('npm pack, install and run', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tap-pack-'));
  const copy = path.join(work, 'src');
  for (const entry of ['package.json', '.npmrc', 'LICENSE', 'README.md', 'macro', 'scripts', 'stackset']) cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  // Not a git checkout: the version is the plain one.
  const env = { ...process.env, TAP_HARDENING_BUILD: undefined, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
  const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: copy, encoding: 'utf8', env });
  const tarball = path.join(work, `${pkg.name}-${pkg.version}.tgz`);

  test('npm pack builds (prepack) and prints only the tarball name, as pre-commit reads it', () => {
    expect(pack.status).toBe(0);
    expect(pack.stdout).toBe(`${pkg.name}-${pkg.version}.tgz\n`);
    expect(existsSync(tarball)).toBe(true);
  });

  test('the tarball holds exactly what runs: the CLI, its worker, the preflight clients (KMS, API Gateway), the SAM translator script, the action, and the licence', () => {
    const list = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(list).toEqual(['package/LICENSE', 'package/README.md', 'package/dist/action.js', 'package/dist/batch/worker.js', 'package/dist/cli.js', 'package/dist/preflight/apigateway-client.js', 'package/dist/preflight/kms-client.js', 'package/dist/sam/sam-translate.py', 'package/package.json']);
  });

  const prefix = path.join(work, 'prefix');
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { encoding: 'utf8', env });
  const bin = (name: string, args: string[]) => spawnSync(path.join(prefix, 'node_modules', '.bin', name), args, { encoding: 'utf8', cwd: ROOT, env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });

  test('installs offline into a fresh prefix: nothing to fetch, one package', () => {
    expect([install.status, install.stderr]).toEqual([0, expect.any(String)]);
    expect(install.stdout).toContain('added 1 package');
  });

  test('both bins run an example: tap-hardening and tap-harden', () => {
    expect(bin('tap-hardening', ['--version']).stdout).toBe(`${pkg.version}\n`);
    const check = bin('tap-harden', ['examples/audit-trail.yaml', '--check']);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('check failed');
    const hardened = bin('tap-hardening', ['examples/audit-trail.yaml', '--format', 'json']);
    expect(hardened.status).toBe(0);
    expect(JSON.parse(hardened.stdout).Resources.TrailBucketPolicy.Type).toBe('AWS::S3::BucketPolicy');
  });

  test('--diff without the optional peer says how to get it', () => {
    const r = bin('tap-harden', ['examples/audit-trail.yaml', '--diff']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('npm i -g @aws-cdk/cloudformation-diff');
  });
});
