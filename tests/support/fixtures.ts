/**
 * Golden fixtures: `<case>.input.yaml` → `<case>.expected.yaml` and `<case>.report.json`, or
 * `<case>.error.txt` when the case must fail. `UPDATE_FIXTURES=1` rewrites the expected files
 * from the current behaviour, for a person to read in the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTemplate, serializeTemplate } from '../../macro/template/yaml';
import { deepClone, isObject, type Json, type JsonObject } from '../../macro/template/json';
import { findCycle } from '../../macro/engine/invariants';
import { TemplateModel } from '../../macro/template/model';

export const UPDATE = process.env.UPDATE_FIXTURES === '1';

export interface FixtureCase {
  name: string;
  dir: string;
  input: JsonObject;
  expectedPath: string;
  reportPath: string;
  errorPath: string;
}

export function readTemplate(file: string): JsonObject {
  return parseTemplate(readFileSync(file, 'utf8'), { file }).value as JsonObject;
}

export function casesIn(dir: string): FixtureCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.input.yaml'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.input.yaml'.length);
      return {
        name,
        dir,
        input: readTemplate(path.join(dir, f)),
        expectedPath: path.join(dir, `${name}.expected.yaml`),
        reportPath: path.join(dir, `${name}.report.json`),
        errorPath: path.join(dir, `${name}.error.txt`),
      };
    });
}

/** The output without the report the engine writes into Metadata (and the containers it created). */
export function withoutReport(output: JsonObject, input: JsonObject): JsonObject {
  const out = deepClone(output);
  const meta = out.Metadata;
  if (isObject(meta) && isObject(meta.TapHardening)) {
    delete meta.TapHardening.Report;
    const inputMeta = input.Metadata;
    const hadOwn = isObject(inputMeta) && inputMeta.TapHardening !== undefined;
    if (Object.keys(meta.TapHardening).length === 0 && !hadOwn) delete meta.TapHardening;
    if (Object.keys(meta).length === 0 && inputMeta === undefined) delete out.Metadata;
  }
  return out;
}

export function expectOrUpdateYaml(file: string, actual: Json): Json {
  if (UPDATE || !existsSync(file)) writeFileSync(file, serializeTemplate(actual, 'yaml'));
  return parseTemplate(readFileSync(file, 'utf8'), { file }).value as Json;
}

export function expectOrUpdateJson(file: string, actual: unknown): unknown {
  if (UPDATE || !existsSync(file)) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function expectOrUpdateText(file: string, actual: string): string {
  if (UPDATE || !existsSync(file)) writeFileSync(file, `${actual}\n`);
  return readFileSync(file, 'utf8').trim();
}

/** The template's dependency cycle (Ref, GetAtt, Sub and DependsOn edges), or undefined. */
export function cycleIn(template: JsonObject): string[] | undefined {
  const model = new TemplateModel(template);
  return findCycle(model, model.ids());
}
