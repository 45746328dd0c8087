/**
 * Where each report record sits in the source template, from the positions the parser kept
 * (never guessed from text): the deepest part of `Resources.<id>.<path>` the source has.
 */
import type { ReportRecord } from './records';
import type { FileProblem } from './results';
import { references } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import type { ParsedTemplate, SourcePosition } from '../template/yaml';

/**
 * Splits a record path (`Properties.PolicyDocument.Statement[1]`) into segments.
 *
 * @example
 * splitRecordPath('Properties.Tags[0].Key'); // ['Properties', 'Tags', 0, 'Key']
 */
export function splitRecordPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) segments.push(m[1] !== undefined ? Number(m[1]) : (m[2] as string));
  return segments;
}

/**
 * The source position of a record about `resource` at `path`.
 *
 * - a resource of the source: its key, or the deepest key along `path` that the source has;
 * - a resource a rule created: the first source resource it references (a bucket policy → its
 *   bucket), since that is what the reviewer has to look at; else the `Resources` key;
 * - `-` (the template as a whole): the deepest part of `path` from the top (`Parameters.X`), or null.
 */
export function locate(parsed: ParsedTemplate, output: Json | undefined, resource: string, path: string): SourcePosition | null {
  // A record about the template as a whole may still name where (Parameters.X.AllowedPattern).
  if (resource === '-' || resource === '') return path && path !== '-' ? (parsed.positionOf(splitRecordPath(path)) ?? null) : null;
  const sourceResources = resourcesOf(parsed.value as Json);
  if (sourceResources !== undefined && Object.prototype.hasOwnProperty.call(sourceResources, resource)) {
    return parsed.positionOf(['Resources', resource, ...splitRecordPath(path)]) ?? null;
  }
  const created = resourcesOf(output)?.[resource];
  if (created !== undefined && sourceResources !== undefined) {
    for (const ref of references(created)) {
      if (Object.prototype.hasOwnProperty.call(sourceResources, ref.name)) return parsed.positionOf(['Resources', ref.name]) ?? null;
    }
  }
  return parsed.positionOf(['Resources']) ?? null;
}

/** Positions for every record, in order. */
export function locateRecords(parsed: ParsedTemplate, output: Json | undefined, records: readonly ReportRecord[]): Array<SourcePosition | null> {
  return records.map((r) => locate(parsed, output, r.resource, r.path));
}

/** Problems with their positions. */
export function locateProblems(parsed: ParsedTemplate, problems: ReadonlyArray<Omit<FileProblem, 'position'>>): FileProblem[] {
  return problems.map((p) => {
    const position = locate(parsed, undefined, p.resource, p.path === '-' ? '' : p.path);
    return position ? { ...p, position } : { ...p };
  });
}

function resourcesOf(template: Json | undefined): Record<string, Json> | undefined {
  if (!isObject(template)) return undefined;
  const resources = template.Resources;
  return isObject(resources) ? resources : undefined;
}
