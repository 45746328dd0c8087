/**
 * One template from file to result: read, parse, harden, locate each record in the source,
 * and with `write` rewrite the file in place. The same function runs in a worker thread and in
 * the main thread, and never throws: whatever goes wrong is the file's result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { harden, type HardenResult } from '../engine/harden';
import { HardeningError } from '../engine/errors';
import { locateProblems, locateRecords } from '../report/locate';
import { withSourceReport } from '../report/metadata';
import type { FileResult } from '../report/results';
import { isObject, type Json } from '../template/json';
import { parseTemplate, TemplateParseError, type ParsedTemplate } from '../template/yaml';
import { rewriteTemplate } from '../template/yaml-rewrite';
import { mayBeTemplate, NOT_A_TEMPLATE } from '../template/sniff';

export interface ProcessOptions {
  /** Rewrite a file in place when hardening changes it. */
  write: boolean;
  /** TAP_HARDENING_DEFAULTS. */
  defaults?: string;
  region?: string;
  accountId?: string;
  parameterValues: Record<string, string>;
}

/**
 * Hardens one file.
 *
 * @example
 * processFile('templates/app.yaml', { write: false, parameterValues: {} });
 * // { file: 'templates/app.yaml', status: 'changed', report, positions }
 */
export function processFile(file: string, options: ProcessOptions): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(text, { file });
  } catch (e) {
    if (!(e instanceof TemplateParseError)) return internal(file, e);
    if (!mayBeTemplate(text)) return { file, status: 'skipped', note: NOT_A_TEMPLATE };
    return { file, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: e.reason, ...(e.line !== undefined ? { position: { line: e.line, column: e.column ?? 1 } } : {}) }] };
  }
  // A YAML or JSON file that is not a template (CI config, a parameters file) has no Resources.
  if (!isObject(parsed.value as Json) || !Object.prototype.hasOwnProperty.call(parsed.value, 'Resources')) {
    return { file, status: 'skipped', note: 'no Resources section: not a CloudFormation template' };
  }
  let result: HardenResult;
  try {
    result = harden({
      template: parsed.value as Json,
      ...(options.defaults !== undefined ? { defaults: options.defaults } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.accountId ? { accountId: options.accountId } : {}),
      parameterValues: options.parameterValues,
    });
  } catch (e) {
    if (!(e instanceof HardeningError)) return internal(file, e);
    return { file, status: 'failed', problems: locateProblems(parsed, e.problems) };
  }
  const out: FileResult = {
    file,
    status: result.changed ? 'changed' : 'unchanged',
    report: result.report,
    positions: locateRecords(parsed, result.template, result.report.records),
  };
  if (options.write && result.changed && result.report.mode === 'fix') {
    try {
      const rewrite = rewriteTemplate(text, parsed.format, parsed.value as Json, withSourceReport(parsed.value as Json, result.template));
      writeFileSync(file, rewrite.text);
      out.note = rewrite.kept === 'document' ? 'written' : 'written afresh: comments and layout not kept';
    } catch (e) {
      return { ...out, status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
    }
  }
  return out;
}

function internal(file: string, e: unknown): FileResult {
  return { file, status: 'failed', problems: [{ rule: 'ENGINE', resource: '-', path: '-', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }] };
}
