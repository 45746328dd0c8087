/**
 * Worker thread entry (dist/batch/worker.js): hardens the files the main thread sends, one
 * message per file, and answers each with its result. Options arrive once, as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { processFile, type ProcessOptions } from './process-file';

/** Main thread → worker: harden `file`; the answer carries the same `index`. */
export interface WorkRequest {
  index: number;
  file: string;
}

if (parentPort) {
  const port = parentPort;
  const options = workerData as ProcessOptions;
  port.on('message', (request: WorkRequest) => {
    port.postMessage({ index: request.index, result: processFile(request.file, options) });
  });
}
