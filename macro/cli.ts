/**
 * `tap-harden`: the engine on files, for local use and CI. Thin: it reads, runs the engine and
 * writes; it knows nothing about individual rules.
 *
 *   tap-harden <template | -> [-o FILE] [--format yaml|json] [--report text|json|markdown|sarif]
 *              [--report-file FILE] [--check] [--diff] [--region R] [--account A]
 *              [--param Key=Value ...] [--preflight]
 *   tap-harden --check|--write <file | dir | glob>... [--report ...] [--report-file FILE] [--workers N] [--reformat]
 *
 * Exit codes: 0 success; 1 with --check when a template would change or has a finding at or above
 * --fail-on (and with --write when a file was left unwritten because its layout cannot be kept);
 * 2 on any error (macro/report/gate.ts decides, for the exit code and the reports alike).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { harden, hardenWithPreflight } from './engine/harden';
import { HardeningError } from './engine/errors';
import { expandTemplates } from './batch/files';
import { runMany } from './batch/run-many';
import { renderDiff, DiffUnavailableError } from './report/diff';
import { locateProblems } from './report/locate';
import { renderReport, renderResults, totals, type ReportFormat } from './report/render';
import { type FileResult } from './report/results';
import { hostedDocsUrl } from './report/docs-url';
import { FAIL_ON_LEVELS, gate, verdict, type FailOn, type Gate } from './report/gate';
import { repositoryRoot } from './report/repo-root';
import { summarize } from './report/records';
import { RULES } from './rules';
import { decodeTemplate } from './template/decode';
import type { Json } from './template/json';
import { templateOutput } from './template/output';
import { finishSam, prepareSam, samProblems, SAM_TRANSFORM } from './sam';
import { parseTemplate, serializeTemplate, TemplateParseError, type TemplateFormat } from './template/yaml';
import { mayBeTemplate, NOT_A_TEMPLATE } from './template/sniff';
import { VERSION } from './version';
import { writeFileAtomic, WriteError } from './io/atomic-write';
import { installInterruptCleanup } from './io/interrupt';
import { InputTooLargeError, maxInputBytes } from './io/limits';
import { InputReadError, readInputFile, readLimited } from './io/read';
import { guardOutput } from './io/output';

const USAGE = `Usage: tap-harden <template | -> [options]
       tap-harden --check|--write <file | directory | glob>... [options]

Hardens CloudFormation templates the way the TapHardening macro does at deploy time.

Options:
  -o, --output FILE        write the hardened template to FILE (default: stdout)
  --format yaml|json       output format (default: the input's)
  --report text|json|markdown|sarif
                           report format (default: text)
  --report-file FILE       write the report to FILE (default: stderr)
  --docs-url URL           where docs/rules.md is published, for report links
                           (default: TAP_HARDENING_DOCS_URL, else the docs of this release
                           at the project's homepage)
  --check                  exit 1 if any rule would change a template, or a finding at or
                           above --fail-on exists (prints no template)
  --fail-on error|warning|never
                           the finding severity that fails --check (default: error)
  --sarif-root DIR         SARIF file URIs are relative to DIR (default: the git top level)
  --sarif-changes          SARIF lists the changes too, not only findings
  --diff                   print the change as \`cdk diff\` does instead of the template
  --write                  rewrite changed templates in place, keeping their layout (indentation,
                           comments, blank lines, quoting, > and | blocks, line endings); a file
                           whose layout cannot be kept is left unwritten (exit 1), and says why
  --reformat               with --write: write such files afresh instead
  --workers N              worker threads for many templates (default: one per CPU from 8 files)
  --region R               the region the stack deploys to
  --account A              the account id the stack deploys to
  --param Key=Value        a deploy parameter value (repeatable)
  --preflight              check KMS keys outside the template, and whether the account has an
                           API Gateway CloudWatch role, live (needs AWS credentials)
  -h, --help               show this help
  -v, --version            show the version

Several templates, directories (searched for *.yaml, *.yml, *.json, *.template) or quoted globs
('templates/**/*.yaml') print one line per file and a total.

Exit codes: 0 success, 1 --check found changes or findings at --fail-on, 2 error.
`;

/** A usage or input error: printed without a stack trace, exit 2. */
class CliError extends Error {
  override readonly name = 'CliError';
}

interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The bytes of stdin (decoded strictly as UTF-8), or text already decoded. */
  readStdin: () => string | Uint8Array;
  env: NodeJS.ProcessEnv;
  /** Directory globs and relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Whether stdout is a terminal: colours for --diff. */
  stdoutIsTTY?: boolean;
  /** Terminal width for --diff tables. */
  columns?: number;
  /** The stream for the progress bar; a bar is drawn only when it is a terminal. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** The built worker script; without it, many templates are hardened in the main thread. */
  workerScript?: string;
  /** Called before a --write run: makes SIGINT/SIGTERM stop between files and remove temporary files. */
  onWriteRun?: () => void;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof TemplateParseError || e instanceof CliError || e instanceof DiffUnavailableError || e instanceof InputTooLargeError || e instanceof InputReadError || e instanceof WriteError) io.stderr(`tap-harden: ${e.message}\n`);
    else io.stderr(`tap-harden: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        report: { type: 'string' },
        'report-file': { type: 'string' },
        'docs-url': { type: 'string' },
        check: { type: 'boolean' },
        'fail-on': { type: 'string' },
        'sarif-root': { type: 'string' },
        'sarif-changes': { type: 'boolean' },
        diff: { type: 'boolean' },
        write: { type: 'boolean' },
        reformat: { type: 'boolean' },
        workers: { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        param: { type: 'string', multiple: true },
        preflight: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
  }
}

type Values = ReturnType<typeof parse>['values'];

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new CliError(`expected a template (a file, or - for stdin)\n\n${USAGE}`);
  const format = oneOf(values.format, ['yaml', 'json'] as const, '--format');
  const reportFormat = oneOf(values.report, ['text', 'json', 'markdown', 'sarif'] as const, '--report');
  oneOf(values['fail-on'], FAIL_ON_LEVELS, '--fail-on');
  const parameterValues: Record<string, string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--param ${p}: expected Key=Value`);
    parameterValues[p.slice(0, eq)] = p.slice(eq + 1);
  }
  if (values.reformat && !values.write) throw new CliError('--reformat applies to --write (it writes files whose layout cannot be kept afresh)');
  const cwd = io.cwd ?? process.cwd();
  const many = values.write === true || positionals.length > 1 || (positionals[0] !== '-' && !isPlainFile(path.resolve(cwd, positionals[0] as string)));
  if (many) return runManyTemplates(positionals, values, reportFormat, parameterValues, io, cwd);
  if (values.workers !== undefined) throw new CliError('--workers applies to several templates (or --write)');
  return runOne(positionals[0] as string, values, format, reportFormat ?? 'text', parameterValues, io);
}

function isPlainFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    // A missing file is still "one template": the single-file path reports it as before.
    return !/[*?[\]{}()!]/.test(p);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** --docs-url, else TAP_HARDENING_DOCS_URL, else the rule docs hosted for this release. */
function docsUrl(values: Values, io: CliIo): string {
  return values['docs-url'] ?? (io.env.TAP_HARDENING_DOCS_URL || hostedDocsUrl());
}

function failOn(values: Values): FailOn {
  return (values['fail-on'] as FailOn | undefined) ?? 'error';
}

async function runOne(file: string, values: Values, format: TemplateFormat | undefined, reportFormat: ReportFormat, parameterValues: Record<string, string>, io: CliIo): Promise<number> {
  if (values.diff && values.format) throw new CliError('--diff prints a diff, not a template: drop --format, or use -o FILE to write the template as well');
  const label = file === '-' ? '<stdin>' : file;
  const limit = inputLimit(io);
  // -o DIR fails before any work, with the same message the write would give.
  if (values.output !== undefined && isDirectory(values.output)) throw new WriteError(values.output, 'EISDIR', 'it is a directory (EISDIR)');
  let raw: string | Uint8Array;
  try {
    raw = file === '-' ? io.readStdin() : readInputFile(file, limit, label);
  } catch (e) {
    if (e instanceof InputTooLargeError || e instanceof InputReadError) throw e;
    throw new CliError(`cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rawBytes = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (rawBytes > limit) throw new InputTooLargeError(label, limit, rawBytes);
  const text = typeof raw === 'string' ? raw : decodeTemplate(raw, label);
  let source;
  try {
    source = parseTemplate(text, { file: label });
  } catch (e) {
    // Hooks pass every staged YAML file: one that is not CloudFormation is skipped, not an error.
    if (e instanceof TemplateParseError && values.check && !mayBeTemplate(text)) {
      io.stderr(`tap-harden: ${label}: skipped (${NOT_A_TEMPLATE})\n`);
      return 0;
    }
    throw e;
  }
  // A SAM template is hardened as the deploy will see it: expanded by AWS::Serverless-2016-10-31.
  const sam = prepareSam(source.value as never, { env: io.env, ...(values.region ? { region: values.region } : {}), parameterValues });
  if (sam.error) {
    io.stderr(`tap-harden: ${label}: ${sam.error}\n`);
    return 2;
  }

  let result;
  try {
    const input = {
      template: sam.template as never,
      defaults: io.env.TAP_HARDENING_DEFAULTS,
      ...(values.region ? { region: values.region } : {}),
      ...(values.account ? { accountId: values.account } : {}),
      parameterValues,
    };
    result = values.preflight ? await hardenWithPreflight(input) : harden(input);
  } catch (e) {
    if (!(e instanceof HardeningError)) throw e;
    const problems = locateProblems(source, samProblems(sam, source, e.problems));
    const lines = problems.map((p) => `${label}${p.position ? `:${p.position.line}:${p.position.column}` : ''}: ${p.rule} ${p.resource} ${p.path}: ${p.message}`);
    io.stderr(`tap-harden: ${e.problems.length} error${e.problems.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`);
    if (reportFormat === 'sarif' || reportFormat === 'json' || reportFormat === 'markdown') {
      // Code scanning and PR comments want the failure too, at the resource that caused it.
      const failed: FileResult[] = [{ file: label, status: 'failed', problems }];
      writeReport(renderResults(failed, reportFormat, renderOptions(values, io, gate(failed, { check: values.check === true, failOn: failOn(values) }))), values, io);
    }
    return 2;
  }

  const positions = finishSam(sam, source, result);
  const verdictOf = gate([{ file: label, status: result.changed ? 'changed' : 'unchanged', report: result.report }], { check: values.check === true, failOn: failOn(values) });
  const options = renderOptions(values, io, verdictOf);
  const report =
    reportFormat === 'sarif'
      ? renderResults([{ file: label, status: result.changed ? 'changed' : 'unchanged', report: result.report, positions }], 'sarif', options)
      : renderReport(result.report, reportFormat, label, options);
  writeReport(report, values, io);
  if (values.diff) {
    const color = io.stdoutIsTTY === true && !io.env.NO_COLOR && io.env.FORCE_COLOR !== '0';
    const forced = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0' && io.env.FORCE_COLOR !== 'false';
    const diff = renderDiff(sam.template as never, result.template, { color: color || forced, ...(io.columns ? { columns: io.columns } : {}) });
    if (sam.origins) io.stdout(`(on the template as ${SAM_TRANSFORM} expands it, which is what the macro sees at deploy)\n`);
    io.stdout(diff || 'There were no differences\n');
  }
  if (values.check) {
    io.stderr(`tap-harden: ${verdict(verdictOf)}\n`);
    return verdictOf.code;
  }

  // An expanded SAM template has no source layout to keep: it is printed as the deploy will see it.
  const { text: output, layoutNotKept } = sam.origins
    ? { text: serializeTemplate(result.template, (format ?? source.format) as TemplateFormat), layoutNotKept: undefined }
    : templateOutput(text, source, result.template as Json, (format ?? source.format) as TemplateFormat);
  if (layoutNotKept !== undefined) io.stderr(`tap-harden: ${label}: the output is written afresh: the layout cannot be kept (${layoutNotKept})\n`);
  if (values.output) writeFileAtomic(values.output, output);
  else if (!values.diff) io.stdout(output);
  return 0;
}

function renderOptions(values: Values, io: CliIo, verdictOf: Gate) {
  const cwd = io.cwd ?? process.cwd();
  // Only SARIF names files from the repository root; asking git costs a process, so only then.
  const root = values.report === 'sarif' ? { root: repositoryRoot(cwd, values['sarif-root']) } : {};
  return { rules: RULES, cwd, ...root, docsUrl: docsUrl(values, io), gate: verdictOf, ...(values['sarif-changes'] ? { sarifChanges: true } : {}) };
}

function writeReport(report: string, values: Values, io: CliIo): void {
  if (values['report-file']) writeFileAtomic(values['report-file'], report);
  else io.stderr(report);
}

async function runManyTemplates(args: string[], values: Values, reportFormat: ReportFormat | undefined, parameterValues: Record<string, string>, io: CliIo, cwd: string): Promise<number> {
  if (!values.check && !values.write) throw new CliError('several templates need --check (report what would change) or --write (rewrite them in place)');
  for (const flag of ['output', 'format', 'diff', 'preflight'] as const) {
    if (values[flag] !== undefined) throw new CliError(`--${flag} works on one template at a time`);
  }
  if (args.includes('-')) throw new CliError('- (stdin) works on one template at a time');
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0) throw new CliError(`--workers must be a whole number, not ${values.workers}`);
  }
  const maxInput = inputLimit(io);
  // Only here: elsewhere a handler would keep Ctrl-C from ending a blocking read of stdin.
  if (values.write) io.onWriteRun?.();
  const { files, unmatched, errors, notices } = expandTemplates(args, cwd);
  for (const arg of unmatched) io.stderr(`tap-harden: ${arg}: no such file, and no template matches it\n`);
  for (const e of errors) io.stderr(`tap-harden: ${e.message}\n`);
  for (const n of notices) io.stderr(`tap-harden: ${n}\n`);
  if (!files.length) {
    io.stderr('tap-harden: no templates to harden\n');
    return 2;
  }
  const bar = progressBar(io, files.length);
  const lines: string[] = [];
  const results = await runMany(
    files.map((f) => path.resolve(cwd, f)),
    {
      write: values.write === true,
      reformat: values.reformat === true,
      ...(io.env.TAP_HARDENING_DEFAULTS !== undefined ? { defaults: io.env.TAP_HARDENING_DEFAULTS } : {}),
      ...(values.region ? { region: values.region } : {}),
      ...(values.account ? { accountId: values.account } : {}),
      parameterValues,
      maxInputBytes: maxInput,
      ...(workers !== undefined ? { workers } : {}),
      ...(io.workerScript ? { workerScript: io.workerScript } : {}),
    },
    (result, index) => {
      const line = summaryLine({ ...result, file: files[index] as string }, values.write === true);
      if (result.unwritten !== undefined) io.stderr(`tap-harden: ${files[index] as string}: not written: its layout cannot be kept (${result.unwritten}); --write --reformat writes it afresh\n`);
      if (bar) {
        lines.push(line);
        bar.increment();
      } else {
        io.stdout(`${line}\n`);
      }
    },
  );
  if (bar) {
    bar.stop();
    io.stdout(lines.map((l) => `${l}\n`).join(''));
  }
  // Reports name files as given on the command line, not as resolved.
  const named = results.map((r, i) => ({ ...r, file: files[i] as string }));
  const verdictOf = gate(named, { check: values.check === true, failOn: failOn(values), extraFailure: unmatched.length > 0 || errors.length > 0 });
  // A file left unwritten because its layout cannot be kept is still a template that would change.
  const code = verdictOf.code === 0 && named.some((r) => r.unwritten !== undefined) ? 1 : verdictOf.code;
  const said = verdict(verdictOf);
  io.stdout(`${totalLine(named)}${said ? ` · ${said}` : ''}\n`);
  if (reportFormat !== undefined) writeReport(renderResults(named, reportFormat, renderOptions(values, io, verdictOf)), values, io);
  return code;
}

function summaryLine(result: FileResult, write: boolean): string {
  if (result.status === 'failed') {
    const first = result.problems?.[0];
    const where = first?.position ? `:${first.position.line}:${first.position.column}` : '';
    const more = (result.problems?.length ?? 0) > 1 ? ` (and ${(result.problems?.length ?? 1) - 1} more)` : '';
    return `${result.file}${where}: failed: ${first ? `${first.rule === 'PARSE' ? '' : `${first.rule} ${first.resource} ${first.path}: `}${first.message}` : 'unknown error'}${more}`;
  }
  if (result.status === 'skipped') return `${result.file}: skipped (${result.note ?? 'not a template'})`;
  const s = result.report ? summarize(result.report) : { changes: 0, findings: 0, suppressed: 0 };
  const state = result.status === 'unchanged' ? 'unchanged' : write && result.note ? result.note : 'would change';
  return `${result.file}: ${state} · ${s.changes} change${s.changes === 1 ? '' : 's'}, ${s.findings} finding${s.findings === 1 ? '' : 's'}, ${s.suppressed} suppressed`;
}

function totalLine(results: readonly FileResult[]): string {
  const t = totals(results);
  const changedWord = results.some((r) => r.note?.startsWith('written')) ? 'changed' : 'would change';
  return `${t.files} template${t.files === 1 ? '' : 's'}: ${t.changed} ${changedWord}, ${t.unchanged} unchanged, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''} · ${t.changes} changes, ${t.findings} findings, ${t.suppressed} suppressed`;
}

interface Bar {
  increment(): void;
  stop(): void;
}

/** A progress bar (cli-progress) on a terminal; nothing otherwise, so CI logs get plain lines. */
function progressBar(io: CliIo, total: number): Bar | undefined {
  const stream = io.progressStream;
  if (!stream || stream.isTTY !== true || total < 2) return undefined;
  // Loaded only here: a run on one template never needs it.
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar({ stream, format: 'tap-harden [{bar}] {value}/{total} templates · {eta_formatted} left', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/** The input limit, from TAP_HARDENING_MAX_INPUT_BYTES or the default (io/limits.ts). */
function inputLimit(io: CliIo): number {
  try {
    return maxInputBytes(io.env);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${flag} must be one of ${allowed.join(', ')}, not ${value}`);
}

if (require.main === module) {
  // A closed pipe or a full disk on stdout is exit 2 with one line, never a stack trace.
  guardOutput(process.stdout, 'stdout', (message) => {
    process.stderr.write(`tap-harden: ${message}\n`);
    process.exit(2);
  });
  guardOutput(process.stderr, 'stderr', () => process.exit(2));
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => readLimited(0, '<stdin>', maxInputBytes(process.env)),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
    progressStream: process.stderr,
    workerScript: path.join(__dirname, 'batch', 'worker.js'),
    onWriteRun: () => installInterruptCleanup(),
  }).then((code) => {
    process.exitCode = code;
  });
}

export type { ReportFormat };
