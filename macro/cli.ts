/**
 * `tap-harden`: the engine on a file, for local use and CI. Thin: it reads, runs the engine and
 * writes; it knows nothing about individual rules.
 *
 *   tap-harden <template | -> [-o FILE] [--format yaml|json] [--report text|json|markdown]
 *              [--report-file FILE] [--check] [--region R] [--account A] [--param Key=Value ...]
 *
 * Exit codes: 0 success; 1 with --check when the template would change; 2 on any error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { harden, hardenWithPreflight } from './engine/harden';
import { HardeningError } from './engine/errors';
import { renderReport, type ReportFormat } from './report/render';
import { parseTemplate, serializeTemplate, TemplateParseError, type TemplateFormat } from './template/yaml';
import { VERSION } from './version';

const USAGE = `Usage: tap-harden <template | -> [options]

Hardens a CloudFormation template the way the TapHardening macro does at deploy time.

Options:
  -o, --output FILE        write the hardened template to FILE (default: stdout)
  --format yaml|json       output format (default: the input's)
  --report text|json|markdown
                           report format (default: text)
  --report-file FILE       write the report to FILE (default: stderr)
  --check                  exit 1 if any rule would change the template (prints no template)
  --region R               the region the stack deploys to
  --account A              the account id the stack deploys to
  --param Key=Value        a deploy parameter value (repeatable)
  --preflight              check KMS keys outside the template live (needs AWS credentials)
  -h, --help               show this help
  -v, --version            show the version

Exit codes: 0 success, 1 --check found changes, 2 error.
`;

/** A usage or input error: printed without a stack trace, exit 2. */
class CliError extends Error {
  override readonly name = 'CliError';
}

interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof TemplateParseError || e instanceof CliError) io.stderr(`tap-harden: ${e.message}\n`);
    else io.stderr(`tap-harden: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        report: { type: 'string' },
        'report-file': { type: 'string' },
        check: { type: 'boolean' },
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
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`expected one template (a file, or - for stdin)\n\n${USAGE}`);
  const format = oneOf(values.format, ['yaml', 'json'] as const, '--format');
  const reportFormat = oneOf(values.report, ['text', 'json', 'markdown'] as const, '--report') ?? 'text';
  const parameterValues: Record<string, string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--param ${p}: expected Key=Value`);
    parameterValues[p.slice(0, eq)] = p.slice(eq + 1);
  }

  const file = positionals[0];
  const label = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? io.readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const source = parseTemplate(text, { file: label });

  let result;
  try {
    const input = {
      template: source.value as never,
      defaults: io.env.TAP_HARDENING_DEFAULTS,
      ...(values.region ? { region: values.region } : {}),
      ...(values.account ? { accountId: values.account } : {}),
      parameterValues,
    };
    result = values.preflight ? await hardenWithPreflight(input) : harden(input);
  } catch (e) {
    if (!(e instanceof HardeningError)) throw e;
    const lines = e.problems.map((p) => {
      const pos = source.resourcePositions[p.resource];
      return `${label}${pos ? `:${pos.line}:${pos.column}` : ''}: ${p.rule} ${p.resource} ${p.path}: ${p.message}`;
    });
    io.stderr(`tap-harden: ${e.problems.length} error${e.problems.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`);
    return 2;
  }

  const report = renderReport(result.report, reportFormat, label);
  if (values['report-file']) writeFileSync(values['report-file'], report);
  else io.stderr(report);
  if (values.check) return result.changed ? 1 : 0;

  const output = serializeTemplate(result.template, (format ?? source.format) as TemplateFormat);
  if (values.output) writeFileSync(values.output, output);
  else io.stdout(output);
  return 0;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${flag} must be one of ${allowed.join(', ')}, not ${value}`);
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => readFileSync(0, 'utf8'),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}

export type { ReportFormat };
