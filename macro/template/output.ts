/**
 * The text of a hardened template as the CLI prints or writes it: in the source's own format,
 * the source file edited in place (see yaml-rewrite.ts), so a reviewer diffing input and output
 * sees only what hardening changed; in the other format, written afresh. Either way numbers keep
 * the spelling and type they had in the source, and the file's line ending is kept.
 */
import type { Json } from './json';
import { rewriteTemplate } from './yaml-rewrite';
import { lineEnding, withLineEnding } from './text-edits';
import { numberTextsOf, serializeTemplate, type ParsedTemplate, type TemplateFormat } from './yaml';

export interface TemplateOutput {
  text: string;
  /** Set when the output is in the source's format but could not keep its layout: why. */
  layoutNotKept?: string;
}

/**
 * @example
 * const { text, layoutNotKept } = templateOutput(sourceText, parsed, result.template, 'yaml');
 */
export function templateOutput(sourceText: string, parsed: ParsedTemplate, hardened: Json, format: TemplateFormat): TemplateOutput {
  if (format === parsed.format) {
    const rewrite = rewriteTemplate(sourceText, format, parsed.value as Json, hardened);
    return rewrite.kept === 'document' ? { text: rewrite.text } : { text: rewrite.text, layoutNotKept: rewrite.reason ?? 'unknown reason' };
  }
  return { text: withLineEnding(serializeTemplate(hardened, format, { numberText: numberTextsOf(parsed) }), lineEnding(sourceText)) };
}
