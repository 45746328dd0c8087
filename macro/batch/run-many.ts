/**
 * Many templates at once: a pool of worker threads (node:worker_threads) when there are enough
 * files to pay for starting them, the main thread otherwise. Results come back as they finish
 * and are handed on in command-line order, so output is the same whatever the scheduling.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { processFile, type ProcessOptions } from './process-file';
import type { FileResult } from '../report/results';
import type { WorkRequest } from './worker';

/** Below this many files, starting threads costs more than it saves. */
export const WORKER_THRESHOLD = 8;
/** Files sent ahead to each worker, so it never waits for the main thread between files. */
const IN_FLIGHT_PER_WORKER = 4;

export interface RunManyOptions extends ProcessOptions {
  /** Worker threads: a number (0 = the main thread only), or undefined to decide from the file count and the CPUs. */
  workers?: number;
  /** The built worker script (dist/batch/worker.js). Without it, everything runs in the main thread. */
  workerScript?: string;
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
  const { workers: requested, workerScript, ...processOptions } = options;
  const results: Array<FileResult | undefined> = new Array(files.length);
  let next = 0;
  const deliver = (() => {
    let flushed = 0;
    return (index: number, result: FileResult): void => {
      results[index] = result;
      while (flushed < files.length && results[flushed] !== undefined) {
        onResult(results[flushed] as FileResult, flushed);
        flushed++;
      }
    };
  })();

  const count = workerScript ? workerCount(files.length, requested) : 0;
  if (count === 0) {
    for (let i = 0; i < files.length; i++) deliver(i, processFile(files[i] as string, processOptions));
    return results as FileResult[];
  }

  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const pool: Worker[] = [];
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    const feed = (worker: Worker): void => {
      if (next >= files.length) return;
      const request: WorkRequest = { index: next, file: files[next] as string };
      next++;
      worker.postMessage(request);
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(workerScript as string, { workerData: processOptions });
      pool.push(worker);
      worker.on('message', (message: { index: number; result: FileResult }) => {
        deliver(message.index, message.result);
        done++;
        if (done === files.length) finish();
        else feed(worker);
      });
      worker.on('error', (e) => finish(e));
      worker.on('exit', (code) => {
        if (done < files.length) finish(new Error(`a worker thread stopped (exit code ${code}) before every file was hardened`));
      });
      for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) feed(worker);
    }
  });
  return results as FileResult[];
}
