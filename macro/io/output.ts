/**
 * Errors on the CLI's own output streams. A write to a closed pipe (EPIPE: `tap-harden x | head`),
 * a full disk (ENOSPC: stdout redirected to a file), or any other write error arrives as an
 * 'error' event on the stream; unhandled, Node prints a stack trace and exits 1, which `--check`
 * callers would read as "would change". This turns it into one message and exit 2.
 */

const REASONS: Record<string, string> = {
  EPIPE: 'the reading end was closed (EPIPE)',
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EIO: 'input/output error (EIO)',
};

/**
 * Calls `fail` once, with a message naming the stream and the reason, on the stream's first error.
 *
 * @example
 * guardOutput(process.stdout, 'stdout', (m) => { process.stderr.write(`tap-harden: ${m}\n`); process.exit(2); });
 */
export function guardOutput(stream: NodeJS.EventEmitter, name: string, fail: (message: string) => void): void {
  let failed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    const code = e.code ?? e.message;
    fail(`cannot write to ${name}: ${REASONS[code] ?? code}`);
  });
}
