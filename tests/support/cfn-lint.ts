/**
 * cfn-lint as a checker on our output: runs the `cfn-lint` found on PATH over many templates at
 * once (`--format json`, a batch of files per process, so a few hundred templates cost a few
 * processes, not a few hundred) and compares the error codes of each output with those of its
 * input.
 *
 * cfn-lint's exit status is a bit mask (1 its own failure, 2 errors, 4 warnings, 8 infos found):
 * only a failure of cfn-lint itself, or output that is not the JSON list, is treated as an error.
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';

/** One cfn-lint match, as `--format json` prints it (only the fields we read). */
export interface LintMatch {
  file: string;
  code: string;
  level: string;
  line: number;
  /** The resource's logical id when the match is inside `Resources`, else `-`. */
  resource: string;
  message: string;
}

interface RawMatch {
  Filename?: string;
  Level?: string;
  Message?: string;
  Rule?: { Id?: string };
  Location?: { Start?: { LineNumber?: number }; Path?: unknown[] };
}

/** The executable to run (`CFN_LINT`, else `cfn-lint` on PATH). */
export const CFN_LINT = process.env.CFN_LINT || 'cfn-lint';

/** cfn-lint's version text, or undefined when it cannot be run here. */
export function cfnLintVersion(): string | undefined {
  const r = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout || r.stderr).trim();
}

function runBatch(files: readonly string[]): Promise<LintMatch[]> {
  return new Promise((resolve, reject) => {
    // --regions pinned, so the answer does not depend on the environment's AWS_DEFAULT_REGION.
    execFile(CFN_LINT, ['--format', 'json', '--regions', 'us-east-1', '--', ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      // A non-zero exit sets error.code to the status; a spawn failure sets it to a string.
      const code = (error as { code?: unknown } | null)?.code;
      const status = !error ? 0 : typeof code === 'number' ? code : -1;
      if (status === -1 || (status & 1) === 1) {
        reject(new Error(`cfn-lint failed (exit ${status}) on ${files.length} files: ${stderr.trim() || error?.message}`));
        return;
      }
      let raw: RawMatch[];
      try {
        raw = JSON.parse(stdout || '[]') as RawMatch[];
      } catch (e) {
        reject(new Error(`cfn-lint printed no JSON list: ${(e as Error).message}\n${stdout.slice(0, 500)}\n${stderr.slice(0, 500)}`));
        return;
      }
      resolve(
        raw.map((m) => {
          const p = m.Location?.Path ?? [];
          return {
            file: path.resolve(m.Filename ?? '?'),
            code: m.Rule?.Id ?? '?',
            level: m.Level ?? '?',
            line: m.Location?.Start?.LineNumber ?? 0,
            resource: p[0] === 'Resources' && typeof p[1] === 'string' ? p[1] : '-',
            message: m.Message ?? '',
          };
        }),
      );
    });
  });
}

/**
 * Lints every file, `batchSize` files per cfn-lint process and at most `parallel` processes at a
 * time, and returns the matches by absolute file path (every file has an entry, maybe empty).
 */
export async function lintFiles(files: readonly string[], options: { batchSize?: number; parallel?: number } = {}): Promise<Map<string, LintMatch[]>> {
  const batchSize = options.batchSize ?? 150;
  const parallel = Math.max(1, options.parallel ?? 2);
  const absolute = [...new Set(files.map((f) => path.resolve(f)))];
  const out = new Map<string, LintMatch[]>(absolute.map((f) => [f, []]));
  const batches: string[][] = [];
  for (let i = 0; i < absolute.length; i += batchSize) batches.push(absolute.slice(i, i + batchSize));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] as string[];
      for (const m of await runBatch(batch)) {
        const list = out.get(m.file);
        if (list) list.push(m);
        else out.set(m.file, [m]);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, worker));
  return out;
}

/** Error matches (cfn-lint's E codes). */
export function errorsOf(matches: readonly LintMatch[]): LintMatch[] {
  return matches.filter((m) => m.code.startsWith('E'));
}

/**
 * The errors of `output` that `input` did not have: an error code on a resource (or outside
 * Resources) that the input had nowhere on that resource. A code the input already had on the same
 * resource is the input's problem, not ours.
 */
export function newErrors(input: readonly LintMatch[], output: readonly LintMatch[]): LintMatch[] {
  const had = new Set(errorsOf(input).map((m) => `${m.code} ${m.resource}`));
  return errorsOf(output).filter((m) => !had.has(`${m.code} ${m.resource}`));
}

/** One line per match: `file:line: E3012 Resource: message`. */
export function describeMatches(matches: readonly LintMatch[], root: string): string {
  return matches.map((m) => `${path.relative(root, m.file)}:${m.line}: ${m.code} ${m.resource}: ${m.message}`).join('\n');
}
