/**
 * scripts/release.mjs in a throw-away clone of this repository (never the repository itself):
 * the release commit is HEAD's tree plus exactly the built files package.json ships, with a
 * package.json and lock file that need no development install; its last parent is the main
 * commit it was built from; the same HEAD and build give the same tree and commit; `--tag`
 * makes an annotated v<version> and will not move one without --force; and the release tree
 * installs and packs the way pre-commit does it, with nothing to install and no build.
 *
 * dist/ built by the test command (`npm test` builds before jest) is copied into the clone and
 * the script runs with --no-build; without a dist/ the clone builds with this node_modules.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'release.mjs');

const work = mkdtempSync(path.join(os.tmpdir(), 'tap-release-test-'));
const clone = path.join(work, 'clone');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}
function release(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: clone, encoding: 'utf8' });
}
/** path -> "mode type blob" for every file of a commit. */
function files(rev: string): Map<string, string> {
  return new Map(
    git(clone, 'ls-tree', '-r', rev)
      .split('\n')
      .map((line) => {
        const [meta, file] = line.split('\t');
        return [file, meta] as [string, string];
      }),
  );
}
const parents = (rev: string) => git(clone, 'rev-list', '--parents', '-n', '1', rev).split(' ').slice(1);
const show = (rev: string, file: string) => JSON.parse(git(clone, 'show', `${rev}:${file}`));

// Prepare: a clone at this repository's HEAD with a build in dist/.
// The refs the script writes, as this repository has them (other refs may move while tests run).
const rootState = () => spawnSync('git', ['for-each-ref', 'refs/heads/release', 'refs/heads/other', 'refs/tags/v*'], { cwd: ROOT, encoding: 'utf8' }).stdout;
const before = rootState();
git(work, 'clone', '-q', ROOT, clone);
const pkg = show('HEAD', 'package.json') as { version: string; files: string[]; bin: Record<string, string>; engines: unknown; peerDependencies: unknown };
const built = pkg.files.filter((f) => f.startsWith('dist/'));
const reuse = built.every((f) => existsSync(path.join(ROOT, f)));
if (reuse) cpSync(path.join(ROOT, 'dist'), path.join(clone, 'dist'), { recursive: true });
else symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
const buildArgs = reuse ? ['--no-build'] : [];
const head = git(clone, 'rev-parse', 'HEAD');

// Act: the first release, then the same again.
const first = release(...buildArgs);
const releaseCommit = git(clone, 'rev-parse', 'refs/heads/release');
const again = release(...buildArgs);

describe('the release commit', () => {
  test('is written without error and leaves the clone clean', () => {
    expect([first.status, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain(`refs/heads/release -> ${releaseCommit.slice(0, 12)}`);
    expect(git(clone, 'status', '--porcelain')).toBe('');
  });

  test("holds HEAD's tree plus exactly the built files package.json ships; only package.json and the lock file change", () => {
    const headFiles = files(head);
    const releaseFiles = files(releaseCommit);
    expect([...releaseFiles.keys()].sort()).toEqual([...headFiles.keys(), ...built].sort());
    const changed = [...headFiles].filter(([file, meta]) => releaseFiles.get(file) !== meta).map(([file]) => file);
    expect(changed.sort()).toEqual(['package-lock.json', 'package.json']);
    for (const file of built) {
      expect(releaseFiles.get(file)).toBe(`${file === 'dist/cli.js' ? '100755' : '100644'} blob ${git(clone, 'hash-object', file)}`);
    }
  });

  test('has a package.json without devDependencies or scripts, keeping bin, files, engines, version and the optional peer', () => {
    const released = show(releaseCommit, 'package.json');
    expect(released.devDependencies).toBeUndefined();
    expect(released.scripts).toBeUndefined();
    expect(released).toEqual(expect.objectContaining({ version: pkg.version, bin: pkg.bin, files: pkg.files, engines: pkg.engines, peerDependencies: pkg.peerDependencies }));
    const lock = show(releaseCommit, 'package-lock.json');
    expect(Object.keys(lock.packages)).toEqual(['']);
    expect(lock.packages[''].devDependencies).toBeUndefined();
    expect(lock.packages[''].version).toBe(pkg.version);
  });

  test('has HEAD as its only parent when there is no earlier release', () => {
    expect(parents(releaseCommit)).toEqual([head]);
  });

  test('is not written again for the same HEAD and build', () => {
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing written');
    expect(git(clone, 'rev-parse', 'refs/heads/release')).toBe(releaseCommit);
  });

  test('is the same tree and commit when written afresh to another ref', () => {
    const other = release(...buildArgs, '--ref', 'other');
    expect(other.status).toBe(0);
    expect(git(clone, 'rev-parse', 'refs/heads/other')).toBe(releaseCommit);
  });

  test('after a new main commit, has the previous release and that commit as parents', () => {
    writeFileSync(path.join(clone, 'CHANGELOG.md'), `${git(clone, 'show', 'HEAD:CHANGELOG.md')}\nA line for the next release.\n`);
    git(clone, 'add', 'CHANGELOG.md');
    git(clone, '-c', 'user.name=test', '-c', 'user.email=test@localhost', 'commit', '-qm', 'next');
    const next = git(clone, 'rev-parse', 'HEAD');
    expect(release(...buildArgs).status).toBe(0);
    const second = git(clone, 'rev-parse', 'refs/heads/release');
    expect(parents(second)).toEqual([releaseCommit, next]);
    expect(parents(second)[1]).toBe(next);
    expect([...files(second).keys()].sort()).toEqual([...files(next).keys(), ...built].sort());
  });
});

describe('--tag', () => {
  test('creates the annotated tag v<version> on the release commit, and refuses to move it without --force', () => {
    const tagged = release(...buildArgs, '--tag');
    expect(tagged.status).toBe(0);
    const tag = `v${pkg.version}`;
    const commit = git(clone, 'rev-parse', 'refs/heads/release');
    expect(git(clone, 'cat-file', '-t', tag)).toBe('tag');
    expect(git(clone, 'rev-parse', `${tag}^{commit}`)).toBe(commit);

    git(clone, 'update-ref', 'refs/heads/release', releaseCommit);
    git(clone, 'reset', '-q', '--hard', head);
    const elsewhere = release(...buildArgs, '--tag');
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toContain(`tag ${tag} exists and points at ${commit.slice(0, 12)}`);
    expect(git(clone, 'rev-parse', `${tag}^{commit}`)).toBe(commit);

    expect(release(...buildArgs, '--tag', '--force').status).toBe(0);
    expect(git(clone, 'rev-parse', `${tag}^{commit}`)).toBe(releaseCommit);
  });
});

describe('installing the release tree as pre-commit does', () => {
  test('npm install --include=dev installs nothing and npm pack packs the committed dist/ without a build', () => {
    const tree = path.join(work, 'tree');
    mkdirSync(tree);
    const archive = spawnSync('git', ['archive', releaseCommit], { cwd: clone, maxBuffer: 64 * 1024 * 1024 });
    expect(spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout }).status).toBe(0);
    const env = { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
    const install = spawnSync('npm', ['install', '--include=dev', '--offline', '--no-audit', '--no-fund', '--no-save'], { cwd: tree, encoding: 'utf8', env });
    expect([install.status, install.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(tree, 'node_modules')) ? readdirSync(path.join(tree, 'node_modules')).filter((e) => e !== '.package-lock.json') : []).toEqual([]);
    const pack = spawnSync('npm', ['pack', '--json', '--dry-run'], { cwd: tree, encoding: 'utf8', env });
    expect(pack.status).toBe(0);
    const [manifest] = JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>;
    expect(manifest.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', ...built, 'package.json'].sort());
    expect(pack.stderr).not.toContain('prepack');
  });
});

test('the repository the clone came from is left as it was', () => {
  expect(rootState()).toEqual(before);
});
