/**
 * Expands a SAM template before the CLI hardens it, so that `--check`, `--diff` and the reports
 * show what the deploy will do: at deploy, `AWS::Serverless-2016-10-31` runs before TapHardening
 * and the macro hardens what SAM generated (the role SAM makes for a function, the implicit API's
 * stage…).
 *
 * The expansion is the AWS SAM translator itself (the `aws-sam-translator` Python package, which
 * the hosted transform and cfn-lint use), called offline through the small script next to this
 * file (`sam-translate.py`, copied into dist/sam/ by the build). The Python executable is
 * `TAP_HARDENING_PYTHON`, else `python3`. Without it (or without the package) the answer says so,
 * and the caller hardens the template as written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isObject, type JsonObject } from '../template/json';

export type Expansion =
  /** `origins` maps each generated logical id to the SAM resource it came from. */
  | { kind: 'expanded'; template: JsonObject; origins: Record<string, string> }
  /** No translator here: `reason` says why, for the one line the CLI prints. */
  | { kind: 'unavailable'; python: string; reason: string }
  /** SAM refuses the template, as the deploy would: one message per cause. */
  | { kind: 'invalid'; errors: string[] }
  /** The translator crashed, timed out or answered something else. */
  | { kind: 'failed'; message: string };

export interface ExpandOptions {
  /** The environment: `TAP_HARDENING_PYTHON` names the Python executable. */
  env?: NodeJS.ProcessEnv;
  region?: string;
  /** The deploy's parameter values, for the intrinsics SAM resolves itself. */
  parameterValues?: Record<string, string>;
  /** How long the translator may take (default 60 s). */
  timeoutMs?: number;
}

const SCRIPT = 'sam-translate.py';

/** The script, found next to this module (macro/sam/) or in the built dist/sam/. */
function scriptPath(): string | undefined {
  const candidates = [path.join(__dirname, SCRIPT), path.join(__dirname, 'sam', SCRIPT), path.join(__dirname, '..', 'sam', SCRIPT)];
  return candidates.find((p) => existsSync(p));
}

/**
 * Expands `AWS::Serverless::*` resources and `Globals` into plain CloudFormation, as the SAM
 * transform does at deploy. Never throws.
 *
 * @example
 * const x = expandSam(template, { region: 'us-east-1' });
 * if (x.kind === 'expanded') harden({ template: x.template });
 */
export function expandSam(template: JsonObject, options: ExpandOptions = {}): Expansion {
  const python = options.env?.TAP_HARDENING_PYTHON || 'python3';
  const script = scriptPath();
  if (!script) return { kind: 'failed', message: `${SCRIPT} is missing from this installation of tap-harden` };
  const timeout = options.timeoutMs ?? 60_000;
  const request = JSON.stringify({ template, region: options.region ?? 'us-east-1', parameterValues: options.parameterValues ?? {} });
  const run = spawnSync(python, [script], { input: request, encoding: 'utf8', timeout, maxBuffer: 256 * 1024 * 1024, env: { ...(options.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1' } });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'unavailable', python, reason: `${python} was not found` };
    if (code === 'ETIMEDOUT') return { kind: 'failed', message: `the AWS SAM translator did not answer within ${Math.round(timeout / 1000)} s` };
    return { kind: 'failed', message: `${python} could not be run: ${run.error.message}` };
  }
  let answer: unknown;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    return { kind: 'failed', message: `the AWS SAM translator (${python}) answered no JSON (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-1)[0] ?? ''}` };
  }
  if (!isObject(answer)) return { kind: 'failed', message: 'the AWS SAM translator answered no JSON object' };
  switch (answer.status) {
    case 'expanded':
      if (isObject(answer.template) && isObject(answer.origins)) {
        const origins: Record<string, string> = {};
        for (const [k, v] of Object.entries(answer.origins)) if (typeof v === 'string') origins[k] = v;
        return { kind: 'expanded', template: answer.template, origins };
      }
      return { kind: 'failed', message: 'the AWS SAM translator answered without a template' };
    case 'unavailable':
      return { kind: 'unavailable', python, reason: `the aws-sam-translator package is not installed for ${python}` };
    case 'invalid':
      return { kind: 'invalid', errors: Array.isArray(answer.errors) ? answer.errors.map(String) : [] };
    default:
      return { kind: 'failed', message: `the AWS SAM translator failed: ${typeof answer.message === 'string' ? answer.message : 'no message'}` };
  }
}
