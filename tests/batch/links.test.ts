/**
 * Link farms: every real file is hardened once per run however many names reach it, a symlink is
 * written through (and stays a link), a hard-linked file is refused rather than split, and a walk
 * never leaves the directory it was given; a directory that cannot be read fails the run.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(60000);

const CLI = path.join(__dirname, '../../dist/cli.js');
const BUCKET = 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const cli = (cwd: string, args: string[], extra: SpawnSyncOptions = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TAP_HARDENING_DEFAULTS: '' }, ...extra }) as { status: number; stdout: string; stderr: string };

/** root/ with a file, a symlink to it, a hard-linked pair, a link to `.`, and links out of root/. */
function farm(): string {
  const top = mkdtempSync(path.join(os.tmpdir(), 'tap-links-'));
  mkdirSync(path.join(top, 'root', 'sub'), { recursive: true });
  mkdirSync(path.join(top, 'outside'));
  writeFileSync(path.join(top, 'root', 'a.yaml'), BUCKET);
  writeFileSync(path.join(top, 'root', 'sub', 'b.yaml'), BUCKET);
  writeFileSync(path.join(top, 'outside', 'o.yaml'), BUCKET);
  symlinkSync('a.yaml', path.join(top, 'root', 'alias.yaml'));
  linkSync(path.join(top, 'root', 'sub', 'b.yaml'), path.join(top, 'root', 'hard.yaml'));
  symlinkSync('.', path.join(top, 'root', 'self'));
  symlinkSync('../outside', path.join(top, 'root', 'out'));
  symlinkSync('../outside/o.yaml', path.join(top, 'root', 'o-link.yaml'));
  return top;
}

describe('tap-harden on a link farm', () => {
  test('--check reaches each real file once and never leaves the root', () => {
    // Prepare
    const top = farm();

    // Act
    const r = cli(top, ['--check', 'root']);

    // Assess: a.yaml (alias.yaml and self/ are the same file) and hard.yaml (= sub/b.yaml): two files.
    expect(r.stdout).toContain('2 templates: 2 would change');
    expect(r.stdout).toMatch(/^root\/a\.yaml: would change/m);
    expect(r.stdout).toMatch(/^root\/hard\.yaml: would change/m);
    expect(r.stdout).not.toMatch(/outside|o-link|self\//);
    expect(r.stderr).toContain('root/out: a link out of root');
    expect(r.stderr).toContain('root/o-link.yaml: a link out of root');
    expect(r.status).toBe(1);
  });

  test('a glob is walked the same way: each real file once, nothing past its fixed prefix', () => {
    // Prepare
    const top = farm();

    // Act
    const r = cli(top, ['--check', 'root/**/*.yaml']);

    // Assess
    expect(r.stdout).toContain('2 templates: 2 would change');
    expect(r.stdout).not.toMatch(/outside|o-link|self\//);
    expect(r.stderr).toContain('root/o-link.yaml: a link out of root');
    expect(r.status).toBe(1);
  });

  test('--write writes through the symlink once, refuses the hard-linked file, and leaves outside alone', () => {
    // Prepare
    const top = farm();
    const outside = readFileSync(path.join(top, 'outside', 'o.yaml'), 'utf8');

    // Act
    const r = cli(top, ['--write', 'root/alias.yaml', 'root']);

    // Assess
    expect(r.stdout).toMatch(/^root\/alias\.yaml: written/m);
    expect(r.stdout).not.toMatch(/^root\/a\.yaml:/m);
    expect(r.stdout).toMatch(/^root\/hard\.yaml: failed: cannot write .*hard\.yaml: it has 2 hard links/m);
    expect(r.status).toBe(2);
    expect(lstatSync(path.join(top, 'root', 'alias.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(top, 'root', 'a.yaml'), 'utf8')).toContain('PublicAccessBlockConfiguration');
    expect(readFileSync(path.join(top, 'root', 'hard.yaml'), 'utf8')).toBe(BUCKET);
    expect(readFileSync(path.join(top, 'outside', 'o.yaml'), 'utf8')).toBe(outside);
    expect(readdirSync(path.join(top, 'root')).filter((n) => n.includes('tap-harden'))).toEqual([]);
  });

  test('a link to nothing with a template name is an error line, not a silent skip', () => {
    // Prepare
    const top = farm();
    symlinkSync('missing.yaml', path.join(top, 'root', 'gone.yaml'));

    // Act
    const r = cli(top, ['--check', 'root']);

    // Assess
    expect(r.stderr).toContain('tap-harden: cannot read root/gone.yaml: a link to nothing (ENOENT)');
    expect(r.status).toBe(2);
  });

  test('a directory that cannot be read fails the run with its name; the rest is still checked', () => {
    // Prepare: root bypasses permissions, so as root the CLI runs as nobody.
    const top = farm();
    mkdirSync(path.join(top, 'root', 'locked'));
    writeFileSync(path.join(top, 'root', 'locked', 'l.yaml'), BUCKET);
    chmodSync(top, 0o755);
    chmodSync(path.join(top, 'root', 'locked'), 0o000);

    // The checkout may sit in a directory nobody cannot enter (mktemp -d is 0700): nobody runs a
    // copy of the build placed in the farm.
    const dist = path.join(top, 'dist');
    cpSync(path.dirname(CLI), dist, { recursive: true });

    // Act
    const r = isRoot
      ? (spawnSync(process.execPath, [path.join(dist, 'cli.js'), '--check', 'root'], { cwd: top, encoding: 'utf8', env: { ...process.env, TAP_HARDENING_DEFAULTS: '' }, uid: 65534, gid: 65534 }) as { status: number; stdout: string; stderr: string })
      : cli(top, ['--check', 'root']);

    // Assess
    expect(r.stderr).toContain('tap-harden: cannot read directory root/locked: EACCES');
    expect(r.stdout).toMatch(/^root\/a\.yaml: would change/m);
    expect(r.status).toBe(2);
  });
});
