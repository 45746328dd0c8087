/**
 * SIGINT and SIGTERM during `--write`: stop, remove our temporary files, and exit 130 / 143.
 * Writes are synchronous, so in a thread that handles the signal no write is half-done when the
 * handler runs; worker threads are stopped first and the directories they wrote in are swept
 * for this process's temporary files (named by atomic-write.ts). SIGKILL cannot be handled: it
 * may leave a temporary file, never a damaged original.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isTempName, liveTempFiles } from './atomic-write';

type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
let installed = false;
let stopping = false;

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** How long cleanups may take before the process exits anyway. */
const CLEANUP_BUDGET_MS = 3000;

/**
 * Installs the handlers once per process (the CLI entry calls it; library users need not).
 *
 * @example
 * installInterruptCleanup();
 */
export function installInterruptCleanup(exit: (code: number) => void = (code) => process.exit(code)): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(EXIT_CODES)) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void runCleanups().finally(() => exit(EXIT_CODES[signal] as number));
    });
  }
}

/**
 * Registers work to do on an interrupt (stop workers, sweep directories); returns its removal.
 *
 * @example
 * const done = onInterrupt(() => pool.terminate());
 * try { await work(); } finally { done(); }
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

async function runCleanups(): Promise<void> {
  const all = Promise.allSettled([...cleanups].map(async (c) => c()));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLEANUP_BUDGET_MS)))]);
  if (timer) clearTimeout(timer);
  for (const temp of liveTempFiles()) removeQuietly(temp);
}

/**
 * Removes this process's temporary files from `dirs`; returns how many it removed.
 *
 * @example
 * sweepTempFiles(['/repo/templates'], process.pid); // 1
 */
export function sweepTempFiles(dirs: Iterable<string>, pid: number): number {
  let removed = 0;
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (isTempName(name, pid) && removeQuietly(path.join(dir, name))) removed++;
    }
  }
  return removed;
}

function removeQuietly(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
