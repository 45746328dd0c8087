/**
 * Many templates at once: a pool of worker threads (node:worker_threads) when there are enough
 * files to pay for starting them, the main thread otherwise. Results come back as they finish
 * and are handed on in command-line order, so output is the same whatever the scheduling.
 *
 * Each worker has a bounded heap (`resourceLimits`), so one template that needs too much memory
 * ends its worker, not the run: that file gets an error line, the files queued behind it go to a
 * new worker, and the rest of the batch completes. On SIGINT/SIGTERM the workers are stopped and
 * their temporary files removed (io/interrupt.ts).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { processFile, type ProcessOptions } from './process-file';
import type { FileResult } from '../report/results';
import type { WorkRequest } from './worker';
import { finalTarget } from '../io/atomic-write';
import { onInterrupt, sweepTempFiles } from '../io/interrupt';

/** Below this many files, starting threads costs more than it saves. */
export const WORKER_THRESHOLD = 8;
/** Files sent ahead to each worker, so it never waits for the main thread between files. */
const IN_FLIGHT_PER_WORKER = 4;
/**
 * Old-generation heap per worker, in MB. An 8 MiB template (the input limit) parses, hardens and
 * serialises in a few hundred MB; the limit keeps a pathological one from taking the machine.
 */
export const DEFAULT_WORKER_HEAP_MB = 1536;

export interface RunManyOptions extends ProcessOptions {
  /** Worker threads: a number (0 = the main thread only), or undefined to decide from the file count and the CPUs. */
  workers?: number;
  /** The built worker script (dist/batch/worker.js). Without it, everything runs in the main thread. */
  workerScript?: string;
  /** Heap limit of each worker thread in MB (default DEFAULT_WORKER_HEAP_MB). */
  workerHeapMb?: number;
}

/** How many worker threads a run of `files` files uses. */
export function workerCount(files: number, requested?: number): number {
  if (requested !== undefined) return Math.max(0, Math.min(requested, files));
  return files >= WORKER_THRESHOLD ? Math.min(availableParallelism(), files) : 0;
}

/**
 * Hardens every file; `onResult` sees each result in file order (file 3 only after 1 and 2).
 *
 * @example
 * const results = await runMany(files, { write: false, parameterValues: {}, workerScript }, (r) => print(r));
 */
export async function runMany(files: readonly string[], options: RunManyOptions, onResult: (result: FileResult, index: number) => void): Promise<FileResult[]> {
  const { workers: requested, workerScript, workerHeapMb, ...processOptions } = options;
  const results: Array<FileResult | undefined> = new Array(files.length);
  const deliver = (() => {
    let flushed = 0;
    return (index: number, result: FileResult): void => {
      if (results[index] !== undefined) return;
      results[index] = result;
      while (flushed < files.length && results[flushed] !== undefined) {
        onResult(results[flushed] as FileResult, flushed);
        flushed++;
      }
    };
  })();

  const count = workerScript ? workerCount(files.length, requested) : 0;
  if (count === 0) {
    for (let i = 0; i < files.length; i++) {
      deliver(i, processFile(files[i] as string, processOptions));
      // Between files, so that an interrupt is handled at once, never in the middle of a write.
      if (i + 1 < files.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return results as FileResult[];
  }

  const heapMb = workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  const pool = new Set<Worker>();
  let sent = 0;
  const stopOnInterrupt = onInterrupt(async () => {
    await Promise.allSettled([...pool].map((w) => w.terminate()));
    const dirs: string[] = [];
    for (const f of files.slice(0, sent)) {
      try {
        dirs.push(path.dirname(finalTarget(f)));
      } catch {
        // A path that no longer resolves holds no temporary file of ours.
      }
    }
    sweepTempFiles(dirs, process.pid);
  });

  try {
    await new Promise<void>((resolve) => {
      let done = 0;
      let next = 0;
      /** Files a stopped worker had queued but not started: they go first to the next worker. */
      const retry: number[] = [];
      const take = (): number | undefined => (retry.length ? retry.shift() : next < files.length ? next++ : undefined);
      const complete = (index: number, result: FileResult): void => {
        if (results[index] !== undefined) return;
        deliver(index, result);
        done++;
        if (done === files.length) {
          for (const w of pool) void w.terminate();
          resolve();
        }
      };
      const start = (): void => {
        const worker = new Worker(workerScript as string, { workerData: processOptions, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
        pool.add(worker);
        const queue: number[] = [];
        let stopped = false;
        const feed = (): void => {
          const index = take();
          if (index === undefined) return;
          queue.push(index);
          sent = Math.max(sent, index + 1);
          const request: WorkRequest = { index, file: files[index] as string };
          worker.postMessage(request);
        };
        const stop = (reason: string): void => {
          if (stopped) return;
          stopped = true;
          pool.delete(worker);
          if (done === files.length) return;
          // The worker handles its queue in order: the first unanswered file is the one it was on.
          const culprit = queue.shift();
          retry.unshift(...queue);
          if (culprit !== undefined) {
            complete(culprit, { file: files[culprit] as string, status: 'failed', problems: [{ rule: 'ENGINE', resource: '-', path: '-', message: `the worker hardening it stopped: ${reason}; the file is unchanged` }] });
          }
          if (done < files.length && (retry.length || next < files.length)) start();
        };
        worker.on('message', (message: { index: number; result: FileResult }) => {
          const at = queue.indexOf(message.index);
          if (at >= 0) queue.splice(at, 1);
          complete(message.index, message.result);
          feed();
        });
        worker.on('error', (e: Error & { code?: string }) => {
          stop(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (heap limit ${heapMb} MB per worker)` : `${e.name}: ${e.message}`);
        });
        worker.on('exit', (code) => stop(`exit code ${code}`));
        for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) feed();
      };
      for (let w = 0; w < count; w++) start();
    });
  } finally {
    stopOnInterrupt();
  }
  return results as FileResult[];
}
