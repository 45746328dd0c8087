/**
 * The change as `cdk diff` prints it, made by the library behind `cdk diff`
 * (`@aws-cdk/cloudformation-diff`): IAM statement and security-group change tables, then
 * resources added ([+]), modified ([~]) and removed ([-]) with a tree of property changes.
 *
 * The library loads the CloudFormation resource specification database at run time (from
 * `@aws-cdk/aws-service-spec`), so it is not bundled: `dist/cli.js` requires it from
 * node_modules, and only when `--diff` is used, so every other command starts without it. It is
 * an optional peer dependency of the package: a plain install has no runtime dependencies at all.
 */
import type * as CfnDiff from '@aws-cdk/cloudformation-diff';
import { createRequire } from 'node:module';
import { withoutReport } from './metadata';
import type { Json } from '../template/json';

/** `@aws-cdk/cloudformation-diff` missing at run time: say how to get it, not a stack trace. */
export class DiffUnavailableError extends Error {
  override readonly name = 'DiffUnavailableError';
}

let loaded: typeof CfnDiff | undefined;

/**
 * Loads the library once. Its colours come from chalk, fixed when the library loads (`[+]` is
 * coloured once, at import), so colour is decided here, before the first load: `color: false`
 * turns chalk off for the whole process.
 */
function load(color: boolean): typeof CfnDiff {
  if (loaded) return loaded;
  let entry: string;
  try {
    entry = require.resolve('@aws-cdk/cloudformation-diff');
  } catch (e) {
    throw new DiffUnavailableError('--diff needs the package @aws-cdk/cloudformation-diff (an optional peer dependency, left out of a plain install to keep it small): install it next to tap-hardening (npm i -g @aws-cdk/cloudformation-diff, or npx -p tap-hardening -p @aws-cdk/cloudformation-diff tap-harden --diff FILE)', { cause: e });
  }
  // The chalk instance the library will use, resolved the way the library resolves it.
  const chalk = createRequire(entry)('chalk') as { level: number };
  if (!color) chalk.level = 0;
  else if (chalk.level === 0) chalk.level = 1;
  loaded = require(entry) as typeof CfnDiff;
  return loaded;
}

export interface DiffOptions {
  /** ANSI colours, as `cdk diff` shows them on a terminal. */
  color: boolean;
  /** Terminal width, for the IAM and security-group tables; unset means no wrapping. */
  columns?: number;
}

/**
 * Renders what hardening changed between `before` (the source template) and `after` (the
 * hardened one), with `formatDifferences` (which also prints the security tables first, as
 * `cdk diff` does). Returns '' when nothing changed.
 *
 * @example
 * renderDiff(source.value, result.template, { color: false });
 */
export function renderDiff(before: Json, after: Json, options: DiffOptions): string {
  const lib = load(options.color);
  const diff = lib.fullDiff(withoutReport(before) as Record<string, unknown>, withoutReport(after) as Record<string, unknown>);
  if (diff.isEmpty) return '';
  const parts: string[] = [];
  // The library writes synchronously through `write` and reads `columns`: nothing else of a stream.
  const stream = {
    columns: options.columns,
    write(chunk: string | Uint8Array): boolean {
      parts.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  } as unknown as CfnDiff.FormatStream;
  lib.formatDifferences(stream, diff);
  return parts.join('');
}
