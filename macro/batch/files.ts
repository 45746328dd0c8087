/**
 * Which files a command line names: files as given, directories searched recursively for
 * templates, and glob patterns (tinyglobby) expanded, in command-line order.
 *
 * Each real file is listed once, however many names reach it (a symbolic link, a hard link, a
 * directory link back to `.`): files are told apart by device and inode. Directories and globs
 * are walked without following links out of the directory (or the glob's fixed prefix) they were
 * given: such a link is listed as a notice and not followed. A directory that cannot be read is an
 * error, never a silent gap in the run.
 */
import fs, { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
// `require`, not `import`: the bundle is CommonJS, and tinyglobby's ESM build (through fdir's)
// calls createRequire(import.meta.url), which is undefined in a CommonJS bundle.
import tinyglobby = require('tinyglobby');
import { codeOf } from '../io/read';

const { escapePath, globSync, isDynamicPattern } = tinyglobby;

/** What a directory is searched for. */
export const TEMPLATE_EXTENSIONS = ['yaml', 'yml', 'json', 'template'] as const;

/** Never templates, and large: skipped in directories and globs alike. */
const IGNORE = ['**/node_modules/**'];

export interface Expansion {
  files: string[];
  /** Arguments that name nothing: a missing file, or a pattern that matches no file. */
  unmatched: string[];
  /** Paths that could not be read (a directory without permission, a link to nothing): each makes the run fail. */
  errors: Array<{ path: string; message: string }>;
  /** Links not followed because they lead out of the directory being walked. */
  notices: string[];
}

/**
 * Expands command-line arguments into template files.
 *
 * @example
 * expandTemplates(['templates/**\/*.yaml', 'other.json', 'stacks/'], process.cwd());
 * // { files: ['templates/a.yaml', 'templates/b/c.yaml', 'other.json', 'stacks/x.json'], unmatched: [], errors: [], notices: [] }
 */
export function expandTemplates(args: readonly string[], cwd: string): Expansion {
  const out: Expansion = { files: [], unmatched: [], errors: [], notices: [] };
  const seen = new Set<string>();
  const add = (file: string): void => {
    let key: string;
    try {
      const s = statSync(path.resolve(cwd, file));
      key = `${s.dev}:${s.ino}`;
    } catch {
      key = `path:${path.resolve(cwd, file)}`;
    }
    if (seen.has(key)) return;
    seen.add(key);
    out.files.push(file);
  };
  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    const kind = statKind(absolute);
    if (kind === 'file') {
      add(arg);
      continue;
    }
    if (kind === 'error') {
      out.errors.push({ path: arg, message: `cannot read ${arg}: ${statError(absolute)}` });
      continue;
    }
    let matches: string[] | undefined;
    const errorsBefore = out.errors.length;
    if (kind === 'directory') {
      const dir = arg.replace(/[\\/]+$/, '') || arg;
      matches = walk(`${escapePath(dir.replace(/\\/g, '/'))}/**/*.{${TEMPLATE_EXTENSIONS.join(',')}}`, absolute, cwd, out);
    } else if (isDynamicPattern(arg)) {
      const base = staticPrefix(arg);
      if (statKind(path.resolve(cwd, base)) === 'directory') matches = walk(arg, path.resolve(cwd, base), cwd, out);
    }
    if (!matches?.length) {
      // A walk that found nothing because a directory could not be read has said so already.
      if (out.errors.length === errorsBefore) out.unmatched.push(arg);
      continue;
    }
    for (const m of matches.sort()) add(m);
  }
  return out;
}

/** Globs `pattern` under `root` (the directory given, or the pattern's fixed prefix). */
function walk(pattern: string, root: string, cwd: string, out: Expansion): string[] {
  const realRoot = realpathSync(root);
  const inside = (real: string): boolean => real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
  const reported = new Set<string>();
  const once = (key: string, action: () => void): void => {
    if (reported.has(key)) return;
    reported.add(key);
    action();
  };
  const shown = (p: string): string => path.relative(cwd, path.resolve(cwd, p)) || '.';
  // fdir (under tinyglobby) swallows every error: this adapter notes them on the way, and
  // refuses to resolve a link that leads out of the root, so the walk never goes there.
  const adapter = {
    ...fs,
    readdirSync: ((dir: fs.PathLike, options: unknown) => {
      try {
        return fs.readdirSync(dir, options as never);
      } catch (e) {
        once(`r:${String(dir)}`, () => out.errors.push({ path: shown(String(dir)), message: `cannot read directory ${shown(String(dir))}: ${codeOf(e)}` }));
        throw e;
      }
    }) as typeof fs.readdirSync,
    realpathSync: ((p: fs.PathLike) => {
      let real: string;
      try {
        real = fs.realpathSync(p);
      } catch (e) {
        const name = String(p);
        if (TEMPLATE_EXTENSIONS.some((x) => name.endsWith(`.${x}`))) once(`l:${name}`, () => out.errors.push({ path: shown(name), message: `cannot read ${shown(name)}: a link to nothing (${codeOf(e)})` }));
        throw e;
      }
      if (!inside(real)) {
        once(`o:${String(p)}`, () => out.notices.push(`${shown(String(p))}: a link out of ${shown(root)} (to ${real}), not followed`));
        throw Object.assign(new Error('link out of the root'), { code: 'EXDEV' });
      }
      return real;
    }) as typeof fs.realpathSync,
  };
  const matches = globSync(pattern, { cwd, ignore: IGNORE, expandDirectories: false, fs: adapter as never });
  // fdir resolves a link only once per walk; a match is still checked, in case a path reaches
  // outside through a link the walk did not resolve itself (the root's own ancestors are fine).
  return matches.filter((m) => {
    try {
      return inside(realpathSync(path.resolve(cwd, m)));
    } catch {
      return false;
    }
  });
}

/** The directory part of a glob before its first pattern character (`templates/` of `templates/**\/*.yaml`). */
function staticPrefix(pattern: string): string {
  const parts = pattern.replace(/\\/g, '/').split('/');
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  if (fixed.length === 0) return '.';
  return fixed.join('/') || '/';
}

function statKind(p: string): 'file' | 'directory' | 'error' | undefined {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : undefined;
  } catch (e) {
    const code = codeOf(e);
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : 'error';
  }
}

function statError(p: string): string {
  try {
    statSync(p);
    return 'unknown error';
  } catch (e) {
    return codeOf(e);
  }
}
