/**
 * When Lambda deprecates each managed runtime, and when it stops letting functions be created and
 * then updated with it: the "Deprecated runtimes" and "Supported runtimes" tables of the AWS Lambda
 * Developer Guide page "Lambda runtimes" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html),
 * whose "Runtime deprecation policy" section says what each date means: after the deprecation
 * date the runtime gets no security patches; from "Block function create" new functions cannot use
 * it; from "Block function update" existing functions cannot be updated with it. Dates in the
 * future are the page's planned dates, which AWS may move.
 *
 * Taken on 2026-12-01 from cfn-lint 1.51.0's copy of the same table
 * (`src/cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json`, which its rules E2531/E2533/W2531
 * read), and checked against the Lambda page for the current Node.js and Python runtimes. One
 * change: cfn-lint names dotnet9 as the successor of dotnet6 and dotnet8, but .NET 9 is offered
 * only as a container image base, not as a managed runtime for .zip functions, so the successor
 * given here is dotnet10.
 */

export interface RuntimeLifecycle {
  /** Deprecation date (YYYY-MM-DD). */
  deprecated: string;
  /** "Block function create" date. */
  createBlock: string;
  /** "Block function update" date. */
  updateBlock: string;
  /** The runtime to move to, or undefined for the newest of its language. */
  successor?: string;
}

/** The date the table was taken. */
export const RUNTIME_TABLE_DATE = '2026-12-01';

type Row = [deprecated: string, createBlock: string, updateBlock: string, successor?: string];

const ROWS: Record<string, Row> = {
  dotnet6: ['2024-12-20', '2026-06-01', '2026-07-01', 'dotnet10'],
  dotnet8: ['2026-11-10', '2026-12-10', '2027-01-11', 'dotnet10'],
  'dotnetcore1.0': ['2019-06-27', '2019-06-30', '2019-07-30', 'dotnet10'],
  'dotnetcore2.0': ['2019-05-30', '2019-04-30', '2019-05-30', 'dotnet10'],
  'dotnetcore2.1': ['2022-01-05', '2022-01-05', '2022-04-13', 'dotnet10'],
  'dotnetcore3.1': ['2023-04-03', '2023-04-03', '2023-05-03', 'dotnet10'],
  'go1.x': ['2024-01-08', '2024-02-08', '2026-07-01', 'provided.al2023'],
  java8: ['2024-01-08', '2024-02-08', '2026-07-01', 'java25'],
  'java8.al2': ['2026-06-30', '2026-07-31', '2026-08-31', 'java25'],
  java11: ['2026-06-30', '2026-07-31', '2026-08-31', 'java25'],
  java17: ['2026-06-30', '2026-07-31', '2026-08-31', 'java25'],
  java21: ['2029-06-30', '2029-07-31', '2029-08-31', 'java25'],
  java25: ['2029-06-30', '2029-07-31', '2029-08-31'],
  nodejs: ['2016-08-30', '2016-09-30', '2016-10-31', 'nodejs24.x'],
  'nodejs4.3': ['2020-03-05', '2020-02-03', '2020-03-05', 'nodejs24.x'],
  'nodejs4.3-edge': ['2020-03-05', '2019-03-31', '2019-04-30', 'nodejs24.x'],
  'nodejs6.10': ['2019-08-12', '2019-07-12', '2019-08-12', 'nodejs24.x'],
  'nodejs8.10': ['2020-03-06', '2020-02-04', '2020-03-06', 'nodejs24.x'],
  'nodejs10.x': ['2021-07-30', '2021-07-30', '2022-02-14', 'nodejs24.x'],
  'nodejs12.x': ['2023-03-31', '2023-03-31', '2023-04-30', 'nodejs24.x'],
  'nodejs14.x': ['2023-12-04', '2024-01-09', '2026-07-01', 'nodejs24.x'],
  'nodejs16.x': ['2024-06-12', '2026-06-01', '2026-07-01', 'nodejs24.x'],
  'nodejs18.x': ['2025-09-01', '2026-06-01', '2026-07-01', 'nodejs24.x'],
  'nodejs20.x': ['2026-04-30', '2026-06-01', '2026-07-01', 'nodejs24.x'],
  'nodejs22.x': ['2027-04-30', '2027-06-01', '2027-07-01', 'nodejs24.x'],
  'nodejs24.x': ['2028-04-30', '2028-06-01', '2028-07-01'],
  provided: ['2024-01-08', '2024-02-08', '2026-07-01', 'provided.al2023'],
  'provided.al2': ['2026-06-30', '2026-07-31', '2026-08-31', 'provided.al2023'],
  'provided.al2023': ['2029-06-30', '2029-07-31', '2029-08-31'],
  'python2.7': ['2021-07-15', '2021-07-15', '2022-05-30', 'python3.14'],
  'python3.6': ['2022-07-18', '2022-07-18', '2022-08-29', 'python3.14'],
  'python3.7': ['2023-12-04', '2024-01-09', '2026-03-09', 'python3.14'],
  'python3.8': ['2024-10-14', '2026-06-01', '2026-07-01', 'python3.14'],
  'python3.9': ['2025-12-15', '2026-06-01', '2026-07-01', 'python3.14'],
  'python3.10': ['2026-06-30', '2026-07-31', '2026-08-31', 'python3.14'],
  'python3.11': ['2026-06-30', '2026-07-31', '2026-08-31', 'python3.14'],
  'python3.12': ['2028-10-31', '2028-11-30', '2029-01-10', 'python3.14'],
  'python3.13': ['2029-06-30', '2029-07-31', '2029-08-31', 'python3.14'],
  'python3.14': ['2029-06-30', '2029-07-31', '2029-08-31'],
  'ruby2.5': ['2021-07-30', '2021-07-30', '2022-03-31', 'ruby3.4'],
  'ruby2.7': ['2023-12-07', '2024-01-09', '2026-07-01', 'ruby3.4'],
  'ruby3.2': ['2026-03-31', '2026-06-01', '2026-07-01', 'ruby3.4'],
  'ruby3.3': ['2027-03-31', '2027-04-30', '2027-05-31', 'ruby3.4'],
  'ruby3.4': ['2028-03-31', '2028-04-30', '2028-05-31'],
};

/** The lifecycle of a runtime identifier, or undefined for one the table does not list. */
export function runtimeLifecycle(runtime: string): RuntimeLifecycle | undefined {
  if (!Object.prototype.hasOwnProperty.call(ROWS, runtime)) return undefined;
  const [deprecated, createBlock, updateBlock, successor] = ROWS[runtime] as Row;
  return successor === undefined ? { deprecated, createBlock, updateBlock } : { deprecated, createBlock, updateBlock, successor };
}

/** Every runtime the table lists. */
export function knownRuntimes(): string[] {
  return Object.keys(ROWS);
}

export type RuntimeState =
  | 'current'
  /** Past the deprecation date; functions can still be created and updated. */
  | 'deprecated'
  /** Functions can no longer be created with it; existing ones can still be updated. */
  | 'create-blocked'
  /** Neither created nor updated. */
  | 'update-blocked';

/** Where a runtime stands on a day (YYYY-MM-DD). Each date is the first day the state holds. */
export function runtimeState(life: RuntimeLifecycle, today: string): RuntimeState {
  if (today >= life.updateBlock) return 'update-blocked';
  if (today >= life.createBlock) return 'create-blocked';
  if (today >= life.deprecated) return 'deprecated';
  return 'current';
}
