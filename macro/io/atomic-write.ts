/**
 * Writing a file so that it is, at every instant, either the old version or the complete new
 * one: the new bytes go to a temporary file in the same directory (same file system, so the
 * rename is atomic), are flushed with fsync, get the original's mode and owner, and are renamed
 * over the original; the directory is fsynced so the rename itself survives a crash. On any
 * failure the temporary file is removed and the original is untouched.
 *
 * A symbolic link is written through: the link's final target is replaced and the link stays a
 * link. A pipe or a device (`-o /dev/stdout`) is simply written to. A file with several hard links is refused: replacing one name would split it from the
 * others, which would keep the old content.
 *
 * Temporary files are named `.<name>.tap-harden-<pid>-<random>.tmp`. A process killed with
 * SIGKILL (or a machine that loses power) may leave one behind, never a damaged original;
 * SIGINT and SIGTERM remove them (see interrupt.ts).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { codeOf } from './read';

/** Marks our temporary files; with the pid, it tells whose they are. */
export const TEMP_MARK = '.tap-harden-';

/** A write that did not happen: the original (if any) is as it was. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  constructor(
    readonly file: string,
    readonly code: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot write ${file}: ${reason}`, options);
  }
}

/** Temporary files this thread has open right now (a signal handler removes what is left). */
const live = new Set<string>();

/** The temporary files this thread is writing at this moment. */
export function liveTempFiles(): readonly string[] {
  return [...live];
}

/** Whether a file name is one of our temporary files, of process `pid` when given. */
export function isTempName(name: string, pid?: number): boolean {
  const m = /^\..+\.tap-harden-(\d+)-[0-9a-f]{12}\.tmp$/.exec(name);
  return m !== null && (pid === undefined || Number(m[1]) === pid);
}

/**
 * Follows symbolic links to the file they finally name (which need not exist yet: `-o new.yaml`
 * through a link to a missing file creates the target).
 */
export function finalTarget(file: string): string {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(current);
    } catch (e) {
      if (codeOf(e) === 'ENOENT') return current;
      throw e;
    }
    if (!st.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
}

/**
 * Replaces `file` with `data` atomically.
 *
 * @throws WriteError naming the file and the reason; the original is unchanged.
 * @example
 * writeFileAtomic('templates/app.yaml', hardenedText);
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  let target: string;
  let existing;
  try {
    existing = statSync(file);
  } catch (e) {
    if (codeOf(e) !== 'ENOENT') throw new WriteError(file, codeOf(e), codeOf(e), { cause: e });
  }
  if (existing?.isDirectory()) throw new WriteError(file, 'EISDIR', 'it is a directory (EISDIR)');
  if (existing && !existing.isFile()) {
    // A pipe, a terminal or a device (`-o /dev/stdout`): nothing to replace, only to write to.
    try {
      writeFileSync(file, data);
    } catch (e) {
      throw new WriteError(file, codeOf(e), describeCode(codeOf(e)), { cause: e });
    }
    return;
  }
  try {
    // The kernel resolves an existing path (magic links such as /proc/self/fd/1 included); a
    // name that does not exist yet is followed link by link to where it will be created.
    target = existing ? realpathSync(file) : finalTarget(file);
  } catch (e) {
    throw new WriteError(file, codeOf(e), codeOf(e), { cause: e });
  }
  if (existing && existing.nlink > 1) {
    throw new WriteError(file, 'EMLINK', `it has ${existing.nlink} hard links, and replacing it would split this name from the others (they would keep the old content); not written`);
  }

  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  live.add(temp);
  try {
    // 'wx': never follow or reuse a name someone else made.
    fd = openSync(temp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    if (existing) {
      // The umask applied at open: set the mode exactly, setuid/setgid/sticky bits included.
      fchmodSync(fd, existing.mode & 0o7777);
      const now = fstatSync(fd);
      if (now.uid !== existing.uid || now.gid !== existing.gid) {
        try {
          fchownSync(fd, existing.uid, existing.gid);
        } catch (e) {
          throw new WriteError(file, codeOf(e), `its owner ${existing.uid}:${existing.gid} cannot be kept by this user (${codeOf(e)}); not written`, { cause: e });
        }
        // chown clears setuid/setgid for unprivileged callers: put the mode back.
        fchmodSync(fd, existing.mode & 0o7777);
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
    live.delete(temp);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the first error is the one to report.
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // Not created, or already gone.
    }
    live.delete(temp);
    if (e instanceof WriteError) throw e;
    throw new WriteError(file, codeOf(e), `${describeCode(codeOf(e))}${existing ? '; the original is unchanged' : ''}`, { cause: e });
  }
  syncDirectory(dir);
}

/** The directory entry of a rename is durable only once the directory is flushed. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened either way.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function describeCode(code: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}): the directory must be writable to replace the file safely`;
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENOENT':
      return 'its directory does not exist (ENOENT)';
    case 'ENOTDIR':
      return 'a part of its path is not a directory (ENOTDIR)';
    default:
      return code;
  }
}
