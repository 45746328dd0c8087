/**
 * The report the macro writes into `Metadata.TapHardening.Report` belongs to the processed
 * template. A diff or an in-place rewrite of a source file shows what hardening changed in the
 * template itself, so these helpers take that report out again (or keep the source's own).
 */
import { isObject, type Json, type JsonObject } from '../template/json';

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
