/**
 * The GitHub Action's entry point (action.yml runs `node dist/action.js` on the runner's Node).
 * It checks the templates the `paths` input names, as `tap-harden --check` does, and writes each
 * report format asked for in one pass: SARIF for `github/codeql-action/upload-sarif`, Markdown
 * for the job summary and (with `comment: true`) one pull request comment that it updates on
 * every push, and JSON for machines. The step fails as `--check` does: exit 1 when a template
 * would change or has a finding at or above `fail-on`, 2 when one cannot be hardened.
 *
 * Inputs come as the runner passes them, in `INPUT_<NAME>` environment variables ("Metadata
 * syntax for GitHub Actions", `inputs`); outputs go to the file `GITHUB_OUTPUT` names, and the
 * summary to `GITHUB_STEP_SUMMARY` ("Workflow commands for GitHub Actions").
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expandTemplates } from './batch/files';
import { runMany } from './batch/run-many';
import { FAIL_ON_LEVELS, gate, verdict, type FailOn } from './report/gate';
import { COMMENT_LIMIT, renderMarkdownReport } from './report/markdown';
import { renderResults, totals } from './report/render';
import { repositoryRoot } from './report/repo-root';
import type { FileResult } from './report/results';
import { RULES } from './rules';

/** Marks the pull request comment this action owns, so a new run edits it instead of adding one. */
export const COMMENT_MARKER = '<!-- tap-hardening-report -->';

type Env = Record<string, string | undefined>;

/**
 * `INPUT_FAIL-ON` for `fail-on`: the runner upper-cases the name and keeps hyphens. action.yml
 * (a composite action) passes them as `INPUT_FAIL_ON`, since a shell may drop names with hyphens.
 */
function input(env: Env, name: string, fallback = ''): string {
  const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  return (env[key] ?? env[key.replace(/-/g, '_')] ?? '').trim() || fallback;
}

function setOutput(env: Env, name: string, value: string): void {
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

export interface ActionIo {
  env: Env;
  log: (text: string) => void;
  /** fetch, for the pull request comment (tests pass a local server through GITHUB_API_URL instead). */
  fetch?: typeof fetch;
}

/**
 * Runs the action and returns its exit code.
 *
 * @example
 * await runAction({ env: process.env, log: (t) => process.stdout.write(t) });
 */
export async function runAction(io: ActionIo): Promise<number> {
  const { env } = io;
  const cwd = env.GITHUB_WORKSPACE || process.cwd();
  const paths = input(env, 'paths', '.').split(/[\n,]+/).map((p) => p.trim()).filter(Boolean);
  const failOn = input(env, 'fail-on', 'error') as FailOn;
  if (!FAIL_ON_LEVELS.includes(failOn)) {
    io.log(`::error::fail-on must be one of ${FAIL_ON_LEVELS.join(', ')}, not ${failOn}\n`);
    return 2;
  }
  const formats = input(env, 'report-formats', 'sarif,markdown').split(/[\s,]+/).filter(Boolean);
  for (const f of formats) {
    if (!['sarif', 'markdown', 'json'].includes(f)) {
      io.log(`::error::report-formats: ${f} is not one of sarif, markdown, json\n`);
      return 2;
    }
  }
  const sarifFile = path.resolve(cwd, input(env, 'sarif-file', 'tap-harden.sarif'));
  const markdownFile = path.resolve(cwd, input(env, 'markdown-file', 'tap-harden.md'));
  const jsonFile = path.resolve(cwd, input(env, 'json-file', 'tap-harden.json'));

  const { files, unmatched } = expandTemplates(paths, cwd);
  for (const arg of unmatched) io.log(`::error::${arg}: no such file, and no template matches it\n`);
  const results = await runMany(
    files.map((f) => path.resolve(cwd, f)),
    { write: false, parameterValues: {}, workerScript: path.join(__dirname, 'batch', 'worker.js') },
    () => undefined,
  );
  const named: FileResult[] = results.map((r, i) => ({ ...r, file: files[i] as string }));
  const verdictOf = gate(named, { check: true, failOn, extraFailure: unmatched.length > 0 || files.length === 0 });
  for (const r of named) {
    const first = r.problems?.[0];
    if (first) io.log(`::error file=${r.file}${first.position ? `,line=${first.position.line},col=${first.position.column}` : ''}::${first.rule} ${first.resource} ${first.path}: ${first.message}\n`);
  }
  const t = totals(named);
  io.log(`${t.files} templates: ${t.changed} would change, ${t.unchanged} unchanged, ${t.failed} failed · ${t.changes} changes, ${t.findings} findings · ${verdict(verdictOf) || 'no templates'}\n`);

  const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const options = {
    rules: RULES,
    cwd,
    root: repositoryRoot(cwd),
    gate: verdictOf,
    ...(env.TAP_HARDENING_DOCS_URL ? { docsUrl: env.TAP_HARDENING_DOCS_URL } : {}),
    fullReport: formats.includes('json') ? `the JSON report ${path.relative(cwd, jsonFile)}${runUrl ? ` of ${runUrl}` : ''}` : `run \`tap-harden --check <templates> --report json\`${runUrl ? `, or see the code-scanning results of ${runUrl}` : ''}`,
  };
  if (formats.includes('sarif')) {
    writeFileSync(sarifFile, renderResults(named, 'sarif', options));
    setOutput(env, 'sarif-file', sarifFile);
  }
  if (formats.includes('json')) {
    writeFileSync(jsonFile, renderResults(named, 'json', options));
    setOutput(env, 'json-file', jsonFile);
  }
  if (formats.includes('markdown')) {
    const markdown = renderResults(named, 'markdown', options);
    writeFileSync(markdownFile, markdown);
    setOutput(env, 'markdown-file', markdownFile);
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
  }
  setOutput(env, 'exit-code', String(verdictOf.code));
  setOutput(env, 'changed', String(t.changed));
  setOutput(env, 'findings', String(t.findings));

  if (input(env, 'comment', 'false') === 'true') {
    // The comment carries the marker too, and must still fit GitHub's limit.
    const body = renderMarkdownReport(named, { ...options, limit: COMMENT_LIMIT - COMMENT_MARKER.length - 1 }, true);
    await comment(io, body);
  }
  return verdictOf.code;
}

/** Creates or updates this action's comment on the pull request the workflow runs for. */
async function comment(io: ActionIo, markdown: string): Promise<void> {
  const { env } = io;
  const doFetch = io.fetch ?? fetch;
  let number: number | undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as { pull_request?: { number?: number }; number?: number };
    number = event.pull_request?.number;
  } catch {
    number = undefined;
  }
  if (number === undefined) {
    io.log('comment: true, but this run is not for a pull request: no comment posted (the job summary has the report)\n');
    return;
  }
  const token = input(env, 'github-token');
  if (!token || !env.GITHUB_REPOSITORY) {
    io.log('::warning::comment: true needs the github-token input and GITHUB_REPOSITORY: no comment posted\n');
    return;
  }
  const api = env.GITHUB_API_URL || 'https://api.github.com';
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json', 'user-agent': 'tap-hardening-action' };
  const body = JSON.stringify({ body: `${COMMENT_MARKER}\n${markdown}` });
  try {
    const list = await doFetch(`${api}/repos/${env.GITHUB_REPOSITORY}/issues/${number}/comments?per_page=100`, { headers });
    const existing = list.ok ? ((await list.json()) as Array<{ id: number; body?: string }>).find((c) => c.body?.startsWith(COMMENT_MARKER)) : undefined;
    const response = existing
      ? await doFetch(`${api}/repos/${env.GITHUB_REPOSITORY}/issues/comments/${existing.id}`, { method: 'PATCH', headers, body })
      : await doFetch(`${api}/repos/${env.GITHUB_REPOSITORY}/issues/${number}/comments`, { method: 'POST', headers, body });
    if (!response.ok) io.log(`::warning::could not post the pull request comment: HTTP ${response.status} (a workflow for a fork has a read-only token; the job summary has the report)\n`);
    else io.log(`${existing ? 'updated' : 'posted'} the report on pull request #${number}\n`);
  } catch (e) {
    io.log(`::warning::could not post the pull request comment: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

if (require.main === module) {
  void runAction({ env: process.env, log: (t) => process.stdout.write(t) }).then((code) => {
    process.exitCode = code;
  });
}
