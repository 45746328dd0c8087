/**
 * How large an input may be. CloudFormation accepts templates up to 1 MB (from S3; 51,200 bytes
 * inline), so 8 MiB leaves room for comments, long parameter files and generated templates
 * while refusing a runaway file or an endless pipe before it costs minutes and gigabytes.
 * `TAP_HARDENING_MAX_INPUT_BYTES` changes it (a whole number of bytes).
 */

/** The default limit: 8 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 8 * 1024 * 1024;

/** The environment variable that changes the limit. */
export const MAX_INPUT_ENV = 'TAP_HARDENING_MAX_INPUT_BYTES';

/** An input over the limit (the file or stream is not read past it). */
export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
  constructor(
    readonly label: string,
    readonly limit: number,
    /** The size when it is known before reading (a file); a stream is only known to be larger. */
    readonly size?: number,
  ) {
    super(`${label} is ${size !== undefined ? `${formatBytes(size)}` : 'larger than the limit'}; the limit is ${formatBytes(limit)} (${MAX_INPUT_ENV} changes it)`);
  }
}

/**
 * The limit from the environment, or the default.
 *
 * @example
 * maxInputBytes({ TAP_HARDENING_MAX_INPUT_BYTES: '1048576' }); // 1048576
 */
export function maxInputBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_INPUT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_INPUT_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${MAX_INPUT_ENV} must be a whole number of bytes, not ${raw}`);
  return n;
}

/** `8 MiB`, `50.5 MiB`, `1 TiB`, `512 B`: sizes as people read them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20]] as const) {
    if (n >= size || unit === 'MiB') return `${(n / size).toFixed(n % size === 0 ? 0 : 1)} ${unit}`;
  }
  return `${n} B`;
}
