/**
 * The directory SARIF file URIs are relative to: the repository root, because code scanning
 * resolves a result's URI against the root of the checkout it was uploaded for, whatever
 * directory the tool ran in. `--sarif-root` names it; else the git top level of the working
 * directory; outside git, the working directory itself.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * @example
 * repositoryRoot('/repo/infra/stacks'); // '/repo' inside a git checkout of /repo
 */
export function repositoryRoot(cwd: string, given?: string): string {
  if (given !== undefined && given !== '') return path.resolve(cwd, given);
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (top) return top;
  } catch {
    // Not a checkout, or no git: the working directory is the best root there is.
  }
  return cwd;
}
