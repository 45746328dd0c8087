/**
 * One template from file to result: read, parse, harden, locate each record in the source,
 * and with `write` replace the file atomically (io/atomic-write.ts). The same function runs in a worker thread and in
 * the main thread, and never throws: whatever goes wrong is the file's result.
 */
import { harden, type HardenResult } from '../engine/harden';
import { HardeningError } from '../engine/errors';
import { locateProblems } from '../report/locate';
import { withSourceReport } from '../report/metadata';
import type { FileResult } from '../report/results';
import { isObject, type Json } from '../template/json';
import { decodeTemplate } from '../template/decode';
import { finishSam, prepareSam, samProblems, samWritePlan } from '../sam';
import { parseTemplate, TemplateParseError, type ParsedTemplate } from '../template/yaml';
import { rewriteTemplate } from '../template/yaml-rewrite';
import { writeFileAtomic, WriteError } from '../io/atomic-write';
import { DEFAULT_MAX_INPUT_BYTES, InputTooLargeError } from '../io/limits';
import { InputReadError, readInputFile } from '../io/read';
import { mayBeTemplate, NOT_A_TEMPLATE } from '../template/sniff';

export interface ProcessOptions {
  /** Rewrite a file in place when hardening changes it. */
  write: boolean;
  /** With `write`: write a file whose layout cannot be kept afresh (otherwise it is left as it is). */
  reformat?: boolean;
  /** TAP_HARDENING_DEFAULTS. */
  defaults?: string;
  region?: string;
  accountId?: string;
  parameterValues: Record<string, string>;
  /** The input limit in bytes (default 8 MiB): a larger file is refused before it is read. */
  maxInputBytes?: number;
}

/**
 * Hardens one file.
 *
 * @example
 * processFile('templates/app.yaml', { write: false, parameterValues: {} });
 * // { file: 'templates/app.yaml', status: 'changed', report, positions }
 */
export function processFile(file: string, options: ProcessOptions): FileResult {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES);
  } catch (e) {
    if (!(e instanceof InputReadError || e instanceof InputTooLargeError)) return internal(file, e);
    return { file, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: e.message }] };
  }
  let text: string | undefined;
  let parsed: ParsedTemplate;
  try {
    text = decodeTemplate(bytes, file);
    parsed = parseTemplate(text, { file });
  } catch (e) {
    if (!(e instanceof TemplateParseError)) return internal(file, e);
    // Bytes that do not decode are always an error; text that parses as no template is skipped.
    if (text !== undefined && !mayBeTemplate(text)) return { file, status: 'skipped', note: NOT_A_TEMPLATE };
    return { file, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: e.reason, ...(e.line !== undefined ? { position: { line: e.line, column: e.column ?? 1 } } : {}) }] };
  }
  // A YAML or JSON file that is not a template (CI config, a parameters file) has no Resources.
  if (!isObject(parsed.value as Json) || !Object.prototype.hasOwnProperty.call(parsed.value, 'Resources')) {
    return { file, status: 'skipped', note: 'no Resources section: not a CloudFormation template' };
  }
  // A SAM template is hardened as the deploy will see it: expanded by AWS::Serverless-2016-10-31.
  const sam = prepareSam(parsed.value as Json, { env: process.env, ...(options.region ? { region: options.region } : {}), parameterValues: options.parameterValues });
  if (sam.error) return { file, status: 'failed', problems: [{ rule: 'TEMPLATE', resource: '-', path: 'Transform', message: sam.error }] };
  const run = (template: Json): HardenResult =>
    harden({
      template,
      ...(options.defaults !== undefined ? { defaults: options.defaults } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.accountId ? { accountId: options.accountId } : {}),
      parameterValues: options.parameterValues,
    });
  let result: HardenResult;
  try {
    result = run(sam.template);
  } catch (e) {
    if (!(e instanceof HardeningError)) return internal(file, e);
    return { file, status: 'failed', problems: locateProblems(parsed, samProblems(sam, parsed, e.problems)) };
  }
  const out: FileResult = {
    file,
    status: result.changed ? 'changed' : 'unchanged',
    report: result.report,
    positions: finishSam(sam, parsed, result),
  };
  if (options.write && result.changed && result.report.mode === 'fix' && sam.origins) {
    // The expanded template is never written over the source (see samWritePlan).
    let plan;
    try {
      plan = samWritePlan(sam, result, () => run(parsed.value as Json));
    } catch (e) {
      plan = { write: false as const, reason: `not written: hardened as written, the template fails (${e instanceof Error ? e.message : String(e)})` };
    }
    if (!plan.write) return { ...out, note: plan.reason };
    result = plan.result;
  }
  if (options.write && result.changed && result.report.mode === 'fix') {
    try {
      const rewrite = rewriteTemplate(text, parsed.format, parsed.value as Json, withSourceReport(parsed.value as Json, result.template));
      if (rewrite.kept === 'reserialised' && options.reformat !== true) return { ...out, note: 'not written: layout cannot be kept', unwritten: rewrite.reason ?? 'unknown reason' };
      writeFileAtomic(file, rewrite.text);
      out.note = rewrite.kept === 'document' ? 'written' : 'written afresh (--reformat): comments and layout not kept';
    } catch (e) {
      const message = e instanceof WriteError ? e.message : `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`;
      return { ...out, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message }] };
    }
  }
  return out;
}

function internal(file: string, e: unknown): FileResult {
  return { file, status: 'failed', problems: [{ rule: 'ENGINE', resource: '-', path: '-', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }] };
}
