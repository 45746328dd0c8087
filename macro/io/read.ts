/**
 * Reading templates within the input limit: a file's size is checked with fstat before any byte
 * is read, and a stream (stdin, a FIFO) is read in chunks and abandoned as soon as it passes the
 * limit, so an endless producer is refused in the time it takes to read the limit once.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputTooLargeError } from './limits';

const CHUNK = 64 * 1024;

/** A file or directory that cannot be read: the message names it and the system's code. */
export class InputReadError extends Error {
  override readonly name = 'InputReadError';
  constructor(
    readonly label: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read ${label}: ${code}`, options);
  }
}

/**
 * Reads a whole file, refusing one larger than `limit` bytes before reading it.
 *
 * @throws InputTooLargeError over the limit; InputReadError when it cannot be opened or read
 * (a directory is EISDIR).
 * @example
 * const bytes = readInputFile('templates/app.yaml', maxInputBytes());
 */
export function readInputFile(file: string, limit: number, label = file): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new InputReadError(label, codeOf(e), { cause: e });
  }
  try {
    let stat;
    try {
      stat = fstatSync(fd);
    } catch (e) {
      throw new InputReadError(label, codeOf(e), { cause: e });
    }
    if (stat.isDirectory()) throw new InputReadError(label, 'EISDIR');
    if (stat.isFile() && stat.size > limit) throw new InputTooLargeError(label, limit, stat.size);
    // A regular file may still grow while it is read; a FIFO or device has no size: both are
    // read with the limit enforced on the bytes themselves.
    return readLimited(fd, label, limit, stat.isFile() ? stat.size : undefined);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a file descriptor (stdin is 0) to its end, stopping as soon as more than `limit` bytes
 * have arrived.
 *
 * @throws InputTooLargeError past the limit; InputReadError on a read error.
 * @example
 * const bytes = readLimited(0, '<stdin>', maxInputBytes());
 */
export function readLimited(fd: number, label: string, limit: number, sizeHint?: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  // One byte past the limit is enough to know the input is too large.
  let buffer = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(CHUNK, (sizeHint ?? 0) + 1)));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, Math.min(buffer.length, limit + 1 - total), null);
    } catch (e) {
      const code = codeOf(e);
      // stdin set to non-blocking by a parent (or a terminal): wait briefly and read again.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF') break;
      throw new InputReadError(label, code, { cause: e });
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
    if (total > limit) throw new InputTooLargeError(label, limit);
    if (n === buffer.length && buffer.length < CHUNK) buffer = Buffer.allocUnsafe(CHUNK);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

export function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e instanceof Error ? e.message : String(e));
}
