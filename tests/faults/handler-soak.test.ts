/**
 * The Lambda handler over many invocations in one process, as a warm Lambda container runs it:
 * 10,000 invocations of dist/handler.js cycling through the macro events in events/, with the
 * heap measured after a full collection before and after (in a child process started with
 * --expose-gc); then every event several times over, concurrently and one after another, with
 * byte-identical responses.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { figures, HEAVY, ROOT } from './support/faults';

jest.setTimeout(HEAVY ? 1800000 : 180000);

const INVOCATIONS = HEAVY ? 100000 : 10000;
/** Far above what 10,000 invocations may keep: a leak of a few hundred bytes each would pass it. */
const MAX_GROWTH_BYTES = 16 * 1024 * 1024;

interface Soak {
  invocations: number;
  events: number;
  failures: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  growthBytes: number;
  ms: number;
  concurrent: number;
  mismatches: number;
}

test(`${INVOCATIONS} handler invocations keep the heap flat; concurrent answers equal sequential ones`, () => {
  // Act
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'support/handler-soak.js'), String(INVOCATIONS)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1024 * 1024 });
  const soak = JSON.parse(out.trim().split('\n').pop() as string) as Soak;

  // Assess
  figures('handler-soak', { invocations: soak.invocations, events: soak.events, heapBeforeMiB: (soak.heapBeforeBytes / 2 ** 20).toFixed(1), heapAfterMiB: (soak.heapAfterBytes / 2 ** 20).toFixed(1), growthKiB: Math.round(soak.growthBytes / 1024), ms: soak.ms, concurrent: soak.concurrent, mismatches: soak.mismatches });
  expect(soak.invocations).toBe(INVOCATIONS);
  expect(soak.growthBytes).toBeLessThan(MAX_GROWTH_BYTES);
  expect(soak.mismatches).toBe(0);
  expect(soak.concurrent).toBeGreaterThan(soak.events);
});
