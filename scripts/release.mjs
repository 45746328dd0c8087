// Cuts a release commit: the tree of HEAD plus the built files package.json ships (`files`),
// with package.json (and package-lock.json) rewritten for an install that needs nothing else:
// no devDependencies and no scripts (prepack would build, and the build needs esbuild). dist/
// is ignored on main, so only release commits carry it. pre-commit installs a `language: node`
// hook by running `npm install --include=dev` and `npm pack` in a clone at `rev`; on a release
// tree the first installs nothing and the second packs the committed dist/ without building.
//
//   npm run release -- [--tag] [--force] [--no-build] [--ref <ref>]
//
//   --tag       also create the annotated tag v<version> on the release commit
//   --force     move v<version> when it already points at another commit
//   --no-build  use dist/ as it is instead of running scripts/build.mjs (tests reuse a build;
//               the files must have been built from HEAD's sources)
//   --ref <ref> the branch to write, default refs/heads/release
//
// The working tree and the index are left alone: the tree is written through a temporary index
// (GIT_INDEX_FILE) with git plumbing. The release commit's parents are the previous release
// (the ref's current value, or origin/release in a fresh clone) and HEAD, so the release branch
// records the main commit each release was built from. Commit and tag dates are HEAD's commit
// date, so the same HEAD and build give the same tree and, with the same previous release, the
// same commit; when the ref already holds this tree built from this HEAD, nothing is written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const refIndex = args.indexOf('--ref');
const known = new Set(['--tag', '--force', '--no-build', '--ref']);
for (const [i, a] of args.entries()) {
  if (!known.has(a) && !(refIndex >= 0 && i === refIndex + 1)) fail(`unknown argument ${a} (use --tag, --force, --no-build, --ref <ref>)`);
}
const ref = refIndex >= 0 ? qualify(args[refIndex + 1] ?? fail('--ref needs a ref name')) : 'refs/heads/release';

const root = git(['rev-parse', '--show-toplevel']);
process.chdir(root);
if (git(['status', '--porcelain'])) fail('the working tree has changes: commit or stash them, the release is built from HEAD');

const head = git(['rev-parse', 'HEAD']);
const headDate = git(['show', '-s', '--format=%cI', 'HEAD']);
const pkgText = git(['show', 'HEAD:package.json']);
const pkg = JSON.parse(pkgText);
const tagName = `v${pkg.version}`;

if (flag('--no-build')) {
  console.log('release: using dist/ as built (--no-build)');
} else {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
const missing = pkg.files.filter((f) => !existsSync(f));
if (missing.length) fail(`not built: ${missing.join(', ')}${flag('--no-build') ? ' (run without --no-build)' : ''}`);

const identity = committer();
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: identity.name,
  GIT_AUTHOR_EMAIL: identity.email,
  GIT_COMMITTER_NAME: identity.name,
  GIT_COMMITTER_EMAIL: identity.email,
  GIT_AUTHOR_DATE: headDate,
  GIT_COMMITTER_DATE: headDate,
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-release-'));
let tree;
try {
  const indexEnv = { ...env, GIT_INDEX_FILE: path.join(tmp, 'index') };
  git(['read-tree', 'HEAD'], { env: indexEnv });
  const add = (file, blob, mode = '100644') => git(['update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`], { env: indexEnv });
  for (const file of pkg.files) {
    // Files already tracked (LICENSE) keep HEAD's blob; built files are added even though ignored.
    if (git(['ls-tree', 'HEAD', '--', file])) continue;
    add(file, git(['hash-object', '-w', '--', file]), isExecutable(file) ? '100755' : '100644');
  }
  add('package.json', hashText(JSON.stringify(releasePackage(pkg), null, 2) + '\n'));
  if (git(['ls-tree', 'HEAD', '--', 'package-lock.json'])) add('package-lock.json', hashText(JSON.stringify(releaseLock(), null, 2) + '\n'));
  tree = git(['write-tree'], { env: indexEnv });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

let previous = resolve(ref);
if (!previous && ref === 'refs/heads/release') {
  previous = resolve('refs/remotes/origin/release');
  if (previous) console.log(`release: previous release from origin/release ${previous.slice(0, 12)}`);
}
let commit;
// The last parent of a release commit is the main commit it was built from.
if (previous && git(['rev-parse', `${previous}^{tree}`]) === tree && git(['rev-list', '--parents', '-n', '1', previous]).split(' ').at(-1) === head) {
  commit = previous;
  console.log(`release: ${ref} ${commit.slice(0, 12)} already holds this build of ${head.slice(0, 12)}; nothing written`);
} else {
  const message = `Release ${tagName}: ${head.slice(0, 12)} with dist/ built\n\nThe tree of ${head} plus the files package.json ships, built from it, and\npackage.json without devDependencies and scripts, so that installing this tree\n(npm install, npm pack, pre-commit) needs no development install and no build.\n`;
  const parents = (previous ? [previous, head] : [head]).flatMap((p) => ['-p', p]);
  commit = git(['commit-tree', tree, ...parents], { env, input: message });
  git(['update-ref', '-m', `release: ${tagName} from ${head.slice(0, 12)}`, ref, commit, ...(previous ? [previous] : [])]);
  console.log(`release: ${ref} -> ${commit.slice(0, 12)} (tree ${tree.slice(0, 12)}; parents ${previous ? `${previous.slice(0, 12)} (previous release), ` : ''}${head.slice(0, 12)} (HEAD))`);
}
console.log(`release: added ${pkg.files.filter((f) => f.startsWith('dist/')).join(', ')}; package.json without devDependencies and scripts`);

if (flag('--tag')) {
  const existing = resolve(`refs/tags/${tagName}^{commit}`);
  if (existing === commit) {
    console.log(`release: tag ${tagName} already points at ${commit.slice(0, 12)}`);
  } else if (existing && !flag('--force')) {
    fail(`tag ${tagName} exists and points at ${existing.slice(0, 12)}, not ${commit.slice(0, 12)}: bump the version, or pass --force to move it`);
  } else {
    git(['tag', '-a', ...(existing ? ['-f'] : []), '-m', `tap-hardening ${tagName}`, tagName, commit], { env });
    console.log(`release: tag ${tagName} -> ${commit.slice(0, 12)}${existing ? ` (moved from ${existing.slice(0, 12)})` : ''}`);
  }
  console.log(`release: publish with git push origin ${ref.replace(/^refs\/heads\//, '')} ${tagName}`);
}

/** package.json as the release ships it: metadata, bin, files, engines, peers; nothing that needs a development install. */
function releasePackage(p) {
  const { devDependencies, scripts, ...kept } = p;
  return kept;
}

/** The lock file of a package with no dependencies (HEAD's root entry without devDependencies), so that npm ci and npm install agree with package.json. */
function releaseLock() {
  const lock = JSON.parse(git(['show', 'HEAD:package-lock.json']));
  const { devDependencies, dependencies, ...rootEntry } = lock.packages[''];
  return { ...lock, packages: { '': rootEntry } };
}

/** The configured identity, or HEAD's committer when none is configured (a CI clone). */
function committer() {
  const name = gitOptional(['config', 'user.name']);
  const email = gitOptional(['config', 'user.email']);
  if (name && email) return { name, email };
  const [n, e] = git(['show', '-s', '--format=%cn%x00%ce', 'HEAD']).split('\0');
  return { name: n, email: e };
}

function isExecutable(file) {
  return (statSync(file).mode & 0o111) !== 0;
}

function hashText(text) {
  return git(['hash-object', '-w', '--stdin'], { input: text });
}

function resolve(rev) {
  return gitOptional(['rev-parse', '--verify', '--quiet', rev]);
}

function qualify(name) {
  return name.startsWith('refs/') ? name : `refs/heads/${name}`;
}

function git(argv, { env: e = process.env, input } = {}) {
  return execFileSync('git', argv, { encoding: 'utf8', env: e, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
}

function gitOptional(argv) {
  try {
    return git(argv);
  } catch {
    return '';
  }
}

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}
