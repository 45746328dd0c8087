/**
 * Advice on the order of a template's `Transform`, given only when the order is wrong.
 *
 * CloudFormation runs the listed transforms in order ("CloudFormation executes macros in the order
 * that they're specified", User Guide, "CloudFormation template Transform section"). TapHardening
 * must come after `AWS::Serverless-2016-10-31`, or it never sees the resources SAM generates; and
 * `AWS::LanguageExtensions` must come before both, or `Fn::ForEach` loops reach them unexpanded
 * (the SAM translator does not expand them either). What a fragment can still hold when the order
 * is wrong: `Fn::ForEach::<Name>` keys in `Resources` and `AWS::Serverless::*` resources. Neither is
 * an error; the engine passes them through and says so here.
 *
 * When the order is right and such entries are still there, the template is being hardened before
 * the deploy (the CLI): nothing is wrong with the template, so no advice is given. tap-harden
 * expands SAM itself where it can (see `translate.ts`) and says in one line when it cannot.
 */
import type { ReportRecord } from '../report/records';
import { getOwn, type JsonObject } from '../template/json';

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
export const LANGUAGE_EXTENSIONS = 'AWS::LanguageExtensions';

/** The names listed in `Transform` (a string or a list), in order; other entries are ignored. */
export function transformsOf(template: JsonObject): string[] {
  const t = getOwn(template, 'Transform');
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a listed name is this macro: `TapHardening`, or `<account>::TapHardening`. */
function isTapHardening(name: string): boolean {
  return name === 'TapHardening' || name.endsWith('::TapHardening');
}

/** True when the template asks for the SAM transform. */
export function declaresSam(template: JsonObject): boolean {
  return transformsOf(template).includes(SAM_TRANSFORM);
}

/**
 * The records for a template's pass-through entries and its transform order: a warning on
 * `Transform` for each pair listed the wrong way round, and one per entry that will not be hardened
 * because of it. Nothing when the order is right.
 *
 * @example
 * transformAdvice({ Transform: ['TapHardening', 'AWS::Serverless-2016-10-31'], Resources: {} }, [], []);
 * // → [{ rule: 'ENGINE', resource: '-', path: 'Transform', severity: 'warning', detail: 'TapHardening is listed before …' }]
 */
export function transformAdvice(template: JsonObject, serverless: ReadonlyArray<{ id: string; type: string }>, forEachKeys: readonly string[]): ReportRecord[] {
  const list = transformsOf(template);
  const tap = list.findIndex(isTapHardening);
  const sam = list.indexOf(SAM_TRANSFORM);
  const lang = list.indexOf(LANGUAGE_EXTENSIONS);
  const out: ReportRecord[] = [];
  const warn = (resource: string, path: string, detail: string): void => {
    out.push({ rule: 'ENGINE', resource, action: 'finding', severity: 'warning', path, detail });
  };

  const samAfterTap = sam >= 0 && tap >= 0 && sam > tap;
  const langAfterTap = lang >= 0 && tap >= 0 && lang > tap;
  const langAfterSam = lang >= 0 && sam >= 0 && lang > sam;
  if (samAfterTap) warn('-', 'Transform', `TapHardening is listed before ${SAM_TRANSFORM}, so it runs first and never sees the resources SAM generates: list TapHardening after ${SAM_TRANSFORM}`);
  if (langAfterTap) warn('-', 'Transform', `TapHardening is listed before ${LANGUAGE_EXTENSIONS}, so Fn::ForEach loops reach it unexpanded: list ${LANGUAGE_EXTENSIONS} first`);
  if (langAfterSam) warn('-', 'Transform', `${SAM_TRANSFORM} is listed before ${LANGUAGE_EXTENSIONS}, so SAM sees Fn::ForEach loops and Fn::Length unexpanded: list ${LANGUAGE_EXTENSIONS} first`);

  for (const key of forEachKeys) {
    if (langAfterTap) warn(key, '', `Fn::ForEach is not expanded yet (TapHardening runs before ${LANGUAGE_EXTENSIONS}, see Transform), so what it generates is not hardened`);
    else if (lang < 0) warn(key, '', `Fn::ForEach is not expanded yet: list ${LANGUAGE_EXTENSIONS} before TapHardening in Transform so the resources it generates are hardened`);
    // The order is right, so this is a template read before the deploy, which expands the loop
    // before the macro runs: not a problem of the template, but this report does not cover it.
    else out.push({ rule: 'ENGINE', resource: key, action: 'finding', severity: 'info', path: '', detail: `Fn::ForEach is expanded by ${LANGUAGE_EXTENSIONS} at deploy, before TapHardening hardens what it generates; it is not expanded here, so this report leaves those resources out` });
  }
  for (const { id, type } of serverless) {
    if (samAfterTap) warn(id, 'Type', `${type} is not expanded yet (TapHardening runs before ${SAM_TRANSFORM}, see Transform), so what SAM generates from it is not hardened`);
    else if (sam < 0) warn(id, 'Type', `${type} is not expanded yet: list TapHardening after ${SAM_TRANSFORM} in Transform so the resources SAM generates are hardened`);
  }
  return out;
}
