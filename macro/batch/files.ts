/**
 * Which files a command line names: files as given, directories searched recursively for
 * templates, and glob patterns (tinyglobby) expanded, in command-line order without duplicates.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
// `require`, not `import`: the bundle is CommonJS, and tinyglobby's ESM build (through fdir's)
// calls createRequire(import.meta.url), which is undefined in a CommonJS bundle.
import tinyglobby = require('tinyglobby');

const { escapePath, globSync, isDynamicPattern } = tinyglobby;

/** What a directory is searched for. */
export const TEMPLATE_EXTENSIONS = ['yaml', 'yml', 'json', 'template'] as const;

/** Never templates, and large: skipped in directories and globs alike. */
const IGNORE = ['**/node_modules/**'];

export interface Expansion {
  files: string[];
  /** Arguments that name nothing: a missing file, or a pattern that matches no file. */
  unmatched: string[];
}

/**
 * Expands command-line arguments into template files.
 *
 * @example
 * expandTemplates(['templates/**\/*.yaml', 'other.json', 'stacks/'], process.cwd());
 * // { files: ['templates/a.yaml', 'templates/b/c.yaml', 'other.json', 'stacks/x.json'], unmatched: [] }
 */
export function expandTemplates(args: readonly string[], cwd: string): Expansion {
  const files: string[] = [];
  const seen = new Set<string>();
  const unmatched: string[] = [];
  const add = (file: string): void => {
    const key = path.resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const arg of args) {
    const kind = statKind(path.resolve(cwd, arg));
    if (kind === 'file') {
      add(arg);
      continue;
    }
    let matches: string[] = [];
    if (kind === 'directory') {
      const dir = arg.replace(/[\\/]+$/, '') || arg;
      matches = globSync(`${escapePath(dir.replace(/\\/g, '/'))}/**/*.{${TEMPLATE_EXTENSIONS.join(',')}}`, { cwd, ignore: IGNORE, expandDirectories: false });
    } else if (isDynamicPattern(arg)) {
      matches = globSync(arg, { cwd, ignore: IGNORE, expandDirectories: false });
    }
    if (!matches.length) {
      unmatched.push(arg);
      continue;
    }
    for (const m of matches.sort()) add(m);
  }
  return { files, unmatched };
}

function statKind(p: string): 'file' | 'directory' | undefined {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}
