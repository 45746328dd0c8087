/** The public surface: the engine, the rules and the renderers, for the handler, the CLI and tests. */
export { harden, type HardenInput, type HardenResult } from './engine/harden';
export { HardeningError, type Problem } from './engine/errors';
export { RULES } from './rules';
export type { Rule } from './rules';
export { renderReport, type ReportFormat } from './report/render';
export type { Report, ReportRecord } from './report/records';
export { VERSION } from './version';
