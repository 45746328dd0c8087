/**
 * Errors that end a run. Every problem names the rule (or `TEMPLATE` / `OPTIONS` / `INVARIANT`),
 * the logical id and the path, so a stack event tells the user exactly what to fix:
 * "Transform 123456789012::TapHardening failed with: 1 error: TEMPLATE Data Type: …".
 */

export interface Problem {
  /** A rule id, or TEMPLATE (malformed input), OPTIONS (bad option), INVARIANT (engine check). */
  rule: string;
  /** The logical id, or '-' when the problem is about the whole template. */
  resource: string;
  /** The path inside the resource or template, or '-'. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.rule} ${p.resource || '-'} ${p.path || '-'}: ${p.message}`;
}

/** One error carrying every problem found, in the order found (SAM's aggregated message). */
export class HardeningError extends Error {
  override readonly name = 'HardeningError';
  readonly problems: Problem[];

  constructor(problems: Problem[], options?: { cause?: unknown }) {
    super(
      problems.length === 1
        ? `1 error: ${formatProblem(problems[0])}`
        : `${problems.length} errors: ${problems.map((p, i) => `(${i + 1}) ${formatProblem(p)}`).join(' ')}`,
      options,
    );
    this.problems = problems;
  }
}

/** Thrown by a rule (through its context) when the template cannot be hardened as written. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    readonly resource: string,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
