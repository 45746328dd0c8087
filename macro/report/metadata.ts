/**
 * The report the macro writes into `Metadata.TapHardening.Report` belongs to the processed
 * template. A diff or an in-place rewrite of a source file shows what hardening changed in the
 * template itself, so these helpers take that report out again (or keep the source's own).
 */
import { isObject, type Json, type JsonObject } from '../template/json';
import type { ReportRecord } from './records';

/**
 * The template without `Metadata.TapHardening.Report` (and without the `TapHardening` and
 * `Metadata` keys when the report was all they held).
 *
 * @example
 * withoutReport({ Metadata: { TapHardening: { Report: {} } }, Resources: {} }); // { Resources: {} }
 */
export function withoutReport(template: Json): Json {
  if (!isObject(template) || !isObject(template.Metadata)) return template;
  const own = template.Metadata.TapHardening;
  if (!isObject(own) || !Object.prototype.hasOwnProperty.call(own, 'Report')) return template;
  const rest: JsonObject = {};
  for (const key of Object.keys(own)) if (key !== 'Report') rest[key] = own[key] as Json;
  const metadata: JsonObject = {};
  for (const key of Object.keys(template.Metadata)) if (key !== 'TapHardening') metadata[key] = template.Metadata[key] as Json;
  const out: JsonObject = {};
  for (const key of Object.keys(template)) {
    if (key !== 'Metadata') out[key] = template[key] as Json;
    else if (Object.keys(rest).length || Object.keys(metadata).length) {
      // Keep Metadata where it was, and TapHardening where it was inside it.
      const rebuilt: JsonObject = {};
      for (const k of Object.keys(template.Metadata)) {
        if (k !== 'TapHardening') rebuilt[k] = template.Metadata[k] as Json;
        else if (Object.keys(rest).length) rebuilt[k] = rest;
      }
      out[key] = rebuilt;
    }
  }
  return out;
}

/**
 * The hardened template with the source's own `Metadata.TapHardening.Report` (if it had one)
 * instead of the fresh report: what a rewrite of the source file should contain.
 */
export function withSourceReport(source: Json, hardened: Json): Json {
  const sourceReport = isObject(source) && isObject(source.Metadata) && isObject(source.Metadata.TapHardening) ? source.Metadata.TapHardening.Report : undefined;
  if (sourceReport === undefined) return withoutReport(hardened);
  if (!isObject(hardened) || !isObject(hardened.Metadata) || !isObject(hardened.Metadata.TapHardening)) return hardened;
  return { ...hardened, Metadata: { ...hardened.Metadata, TapHardening: { ...hardened.Metadata.TapHardening, Report: sourceReport } } };
}

/** The longest item of the compact report, in characters (the report must stay small). */
const ITEM_LENGTH = 240;

/**
 * Report text made safe to sit in a template: the compact report is part of the processed
 * template, and text quoted from the user's template must not be read there as something it is
 * not. `${Name}` outside `Fn::Sub` is what cfn-lint reports as E1029 ("embedded parameter outside
 * of an Fn::Sub"), so it is written `${!Name}`, the literal form Fn::Sub itself uses for a `${`;
 * `{{resolve:` opens a dynamic reference, which CloudFormation resolves and cfn-lint checks, so it
 * is written `{ {resolve:`. The full text stays as it was in the macro's log and the CLI's reports.
 *
 * @example
 * quoteForTemplate('{{resolve:secretsmanager:${Secret}:SecretString:pass}}');
 * // → '{ {resolve:secretsmanager:${!Secret}:SecretString:pass}}'
 */
export function quoteForTemplate(text: string): string {
  return text.replace(/\$\{(?!!)/g, '${!').replace(/\{\{(\s*)resolve:/g, '{ {$1resolve:');
}

/**
 * One record as an item of `Metadata.TapHardening.Report.Items`: one line, at most
 * ITEM_LENGTH characters, quoted for the template (see quoteForTemplate).
 *
 * @example
 * reportItem({ rule: 'S3-001', resource: 'Data', action: 'added', path: 'Properties.PublicAccessBlockConfiguration', detail: 'all four flags' });
 * // → 'S3-001 Data Properties.PublicAccessBlockConfiguration: added all four flags'
 */
export function reportItem(r: ReportRecord): string {
  const text = quoteForTemplate(`${r.rule} ${r.resource}${r.path ? ` ${r.path}` : ''}: ${r.action === 'finding' ? `${r.severity} ` : `${r.action} `}${r.detail}`);
  if (text.length <= ITEM_LENGTH) return text;
  // Cut so that no half-quoted `$` or `{` is left at the end to be read anew.
  return `${text.slice(0, ITEM_LENGTH - 1).replace(/(\$|\{ ?)$/, '')}…`;
}
