/**
 * SAM templates in the CLI: expand before hardening, say where each finding on a generated
 * resource came from, and decide what `--write` may put back into the source.
 *
 * - A template that declares `AWS::Serverless-2016-10-31` is expanded with the AWS SAM translator
 *   (`translate.ts`) and the expanded template is hardened: what the macro will see at deploy.
 * - Records on generated resources say which SAM resource generated them, and its line; their
 *   positions (SARIF) point at that resource.
 * - Without the translator the template is hardened as written, and one record says that the SAM
 *   resources are hardened at deploy time and how to install the translator; the engine gives no
 *   per-resource warnings for them when the Transform order is right (`transform-order.ts`).
 * - `--write` never writes the expanded template over the source (see `samWritePlan`).
 */
import type { HardenResult } from '../engine/harden';
import { isChange, type ReportRecord } from '../report/records';
import { locate } from '../report/locate';
import { references } from '../template/intrinsics';
import { getOwn, isObject, type Json, type JsonObject } from '../template/json';
import type { ParsedTemplate, SourcePosition } from '../template/yaml';
import { expandSam, type ExpandOptions } from './translate';
import { declaresSam, LANGUAGE_EXTENSIONS, SAM_TRANSFORM } from './transform-order';

export { expandSam, type Expansion, type ExpandOptions } from './translate';
export { declaresSam, transformAdvice, transformsOf, SAM_TRANSFORM, LANGUAGE_EXTENSIONS } from './transform-order';

export interface SamPreparation {
  /** What to harden: the expanded template, or the source as it is. */
  template: Json;
  /** Set when the template was expanded: each generated logical id's SAM resource. */
  origins?: Record<string, string>;
  /** Records to add to the report (one line when the translator is not available). */
  notes: ReportRecord[];
  /** Set when SAM refuses the template (as the deploy would) or the translator failed. */
  error?: string;
}

/**
 * Expands a SAM template for hardening, or says why it was not expanded.
 *
 * @example
 * const prep = prepareSam(parsed.value, { env: process.env, region: 'us-east-1' });
 * if (prep.error) fail(prep.error); else harden({ template: prep.template });
 */
export function prepareSam(source: Json, options: ExpandOptions): SamPreparation {
  if (!isObject(source) || !declaresSam(source)) return { template: source, notes: [] };
  const serverless = serverlessIds(source);
  if (!serverless.length) return { template: source, notes: [] };
  const these = serverless.length === 1 ? 'the AWS::Serverless::* resource was' : `the ${serverless.length} AWS::Serverless::* resources were`;
  const they = serverless.length === 1 ? 'it is' : 'they are';
  const resources = getOwn(source, 'Resources');
  if (isObject(resources) && Object.keys(resources).some((k) => k.startsWith('Fn::ForEach::'))) {
    // At deploy AWS::LanguageExtensions expands the loops first; the translator alone cannot.
    return { template: source, notes: [note(`${these} not expanded here, as the template uses Fn::ForEach (${LANGUAGE_EXTENSIONS}), which tap-harden does not expand: ${they} hardened at deploy time, when ${SAM_TRANSFORM} runs before TapHardening`)] };
  }
  const x = expandSam(source, options);
  switch (x.kind) {
    case 'expanded':
      return { template: x.template, origins: x.origins, notes: [] };
    case 'unavailable':
      return {
        template: source,
        notes: [note(`${these} not expanded here (${x.reason}), so this report leaves out what SAM generates: ${they} hardened at deploy time, when ${SAM_TRANSFORM} runs before TapHardening`, `pip install aws-sam-translator (for ${x.python}; TAP_HARDENING_PYTHON names another Python) to see them here`)],
      };
    case 'invalid':
      return { template: source, notes: [], error: `${SAM_TRANSFORM} cannot expand the template, so the deploy would fail too: ${x.errors.join('; ') || 'no reason given'}` };
    case 'failed':
      return { template: source, notes: [], error: `${SAM_TRANSFORM} could not be expanded here: ${x.message}` };
  }
}

/**
 * Adds the preparation's notes to the report and, when the template was expanded, names the SAM
 * resource (and its line) in each record about a resource it generated. Returns every record's
 * source position: a generated resource's is its SAM resource's.
 */
export function finishSam(prep: SamPreparation, parsed: ParsedTemplate, result: HardenResult): Array<SourcePosition | null> {
  result.report.records.push(...prep.notes);
  const origins = prep.origins;
  return result.report.records.map((r) => {
    const origin = origins ? originOf(r.resource, result.template, origins, parsed) : undefined;
    if (origin === undefined) return locate(parsed, result.template, r.resource, r.path);
    const position = parsed.positionOf(['Resources', origin]) ?? null;
    r.detail = `${r.detail} (on a resource ${SAM_TRANSFORM} generates from ${origin}${position ? `, line ${position.line}` : ''})`;
    return position;
  });
}

/**
 * The SAM resource a record's resource comes from, when it is not a resource of the source: the
 * one that generated it, or for a resource a rule created, the SAM resource of the first
 * generated resource it references.
 */
function originOf(resource: string, output: JsonObject, origins: Record<string, string>, parsed: ParsedTemplate): string | undefined {
  if (resource === '-' || resource === '') return undefined;
  const direct = Object.prototype.hasOwnProperty.call(origins, resource) ? origins[resource] : undefined;
  if (direct !== undefined) return direct === resource ? undefined : direct;
  const sourceResources = isObject(parsed.value as Json) ? getOwn(parsed.value as JsonObject, 'Resources') : undefined;
  if (isObject(sourceResources) && Object.prototype.hasOwnProperty.call(sourceResources, resource)) return undefined;
  const outputResources = getOwn(output, 'Resources');
  const created = isObject(outputResources) ? getOwn(outputResources, resource) : undefined;
  for (const ref of references(created)) {
    if (isObject(sourceResources) && Object.prototype.hasOwnProperty.call(sourceResources, ref.name)) return undefined;
    const o = Object.prototype.hasOwnProperty.call(origins, ref.name) ? origins[ref.name] : undefined;
    if (o !== undefined) return o;
  }
  return undefined;
}

export type WritePlan = { write: true; result: HardenResult } | { write: false; reason: string };

/**
 * What `--write` may do with an expanded SAM template. The expanded template is what the deploy
 * will see, never what the team edits, so it is never written over the source. The source is
 * written only when every change the macro would make at deploy lands on a plain CloudFormation
 * resource (or a parameter) of the source, and hardening the source as written makes exactly
 * those changes: then the file says what the deploy would do anyway. Otherwise the file is left
 * as it is, and the reason names the generated resources the macro will harden at deploy.
 */
export function samWritePlan(prep: SamPreparation, expanded: HardenResult, hardenAsWritten: () => HardenResult): WritePlan {
  const origins = prep.origins ?? {};
  const changes = expanded.report.records.filter(isChange);
  // A change on a resource SAM generates, or on a resource a rule created for one, cannot be written.
  const outputResources = getOwn(expanded.template, 'Resources');
  const generated = (id: string): boolean => Object.prototype.hasOwnProperty.call(origins, id);
  const servesGenerated = (id: string): boolean => {
    const body = isObject(outputResources) ? getOwn(outputResources, id) : undefined;
    return references(body).some((ref) => generated(ref.name));
  };
  const elsewhere = changes.filter((r) => generated(r.resource) || (r.action === 'created' && servesGenerated(r.resource)));
  if (elsewhere.length) {
    const names = [...new Set(elsewhere.map((r) => (origins[r.resource] && origins[r.resource] !== r.resource ? `${r.resource} (from ${origins[r.resource]})` : r.resource)))];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    return { write: false, reason: `not written: ${elsewhere.length} of ${changes.length} changes land on resources ${SAM_TRANSFORM} generates at deploy (${shown}); the macro makes them then, and --check shows them` };
  }
  const direct = hardenAsWritten();
  const key = (r: ReportRecord) => `${r.rule}\u0000${r.resource}\u0000${r.path}\u0000${r.action}`;
  const want = changes.map(key).sort();
  const got = direct.report.records.filter(isChange).map(key).sort();
  if (want.length !== got.length || want.some((k, i) => k !== got[i])) {
    return { write: false, reason: `not written: hardened as written, the template changes differently than after ${SAM_TRANSFORM} expands it, so the file would not say what the deploy does` };
  }
  return { write: true, result: direct };
}

function serverlessIds(template: JsonObject): string[] {
  const resources = getOwn(template, 'Resources');
  if (!isObject(resources)) return [];
  return Object.keys(resources).filter((id) => {
    const r = resources[id];
    return isObject(r) && typeof r.Type === 'string' && r.Type.startsWith('AWS::Serverless::');
  });
}

function note(detail: string, hint?: string): ReportRecord {
  return { rule: 'ENGINE', resource: '-', action: 'finding', severity: 'info', path: 'Transform', detail, ...(hint ? { hint } : {}) };
}

/**
 * Problems that stopped the run, each naming the SAM resource (and its line) behind a generated
 * resource it is about, as the records do.
 */
export function samProblems<T extends { resource: string; message: string }>(prep: SamPreparation, parsed: ParsedTemplate, problems: readonly T[]): T[] {
  const origins = prep.origins;
  if (!origins) return [...problems];
  const template = isObject(prep.template) ? prep.template : {};
  return problems.map((p) => {
    const origin = originOf(p.resource, template, origins, parsed);
    if (origin === undefined) return p;
    const position = parsed.positionOf(['Resources', origin]);
    return { ...p, message: `${p.message} (on a resource ${SAM_TRANSFORM} generates from ${origin}${position ? `, line ${position.line}` : ''})` };
  });
}
