/**
 * Kills during `--write`: the built CLI is killed at random points of a run over many files, in
 * the main thread and with worker threads. After every kill, each file is byte-identical to its
 * original or to the complete new version (what an uninterrupted run writes). SIGKILL may leave a
 * temporary file (and the test counts them); SIGTERM must leave none.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isTempName } from '../../macro/io/atomic-write';
import { figures, HEAVY, random, run, templates, workspace } from './support/faults';

// Generous: the budget is the suite's run time on an idle machine, not a per-test deadline.
jest.setTimeout(HEAVY ? 1800000 : 180000);

const FILES = HEAVY ? 60 : 16;
const KILLS = HEAVY ? 100 : 10;
const TERMS = HEAVY ? 40 : 4;
const SEED = Number(process.env.TAP_HARDENING_FAULTS_SEED ?? 20261201);

const originals = templates(FILES);
const names = Object.keys(originals).sort();
let expected: Record<string, string>;
let fullMs: number;

beforeAll(async () => {
  const ref = workspace(originals);
  const started = Date.now();
  const full = await run(['--write', '.', '--workers', '2'], { cwd: ref });
  fullMs = Date.now() - started;
  expect(full.code).toBe(0);
  expected = Object.fromEntries(names.map((n) => [n, readFileSync(path.join(ref, n), 'utf8')]));
  rmSync(ref, { recursive: true, force: true });
  // Every file changes, so "original or new" tells the two states apart everywhere.
  for (const n of names) expect(expected[n]).not.toBe(originals[n]);
});

interface Tally {
  runs: number;
  original: number;
  written: number;
  damaged: string[];
  tempLeft: number;
}

async function killRuns(count: number, signal: NodeJS.Signals, seed: number): Promise<Tally> {
  const rnd = random(seed);
  const tally: Tally = { runs: 0, original: 0, written: 0, damaged: [], tempLeft: 0 };
  for (let k = 0; k < count; k++) {
    const dir = workspace(originals);
    const delay = Math.floor(rnd() * fullMs * 1.1);
    const workers = k % 2 === 0 ? '0' : '2';
    await run(['--write', '.', '--workers', workers], { cwd: dir, during: (child) => setTimeout(() => child.kill(signal), delay) });
    tally.runs++;
    for (const n of names) {
      const now = readFileSync(path.join(dir, n), 'utf8');
      if (now === originals[n]) tally.original++;
      else if (now === expected[n]) tally.written++;
      else tally.damaged.push(`${signal} run ${k} (delay ${delay} ms, workers ${workers}): ${n}`);
    }
    tally.tempLeft += readdirSync(dir).filter((f) => isTempName(f)).length;
    rmSync(dir, { recursive: true, force: true });
  }
  return tally;
}

describe('kills during --write', () => {
  test('SIGKILL at random points: every file is the original or the complete new version', async () => {
    // Act
    const t = await killRuns(KILLS, 'SIGKILL', SEED);

    // Assess
    figures('sigkill', { seed: SEED, kills: t.runs, filesChecked: t.runs * FILES, original: t.original, written: t.written, damaged: t.damaged.length, tempFilesLeft: t.tempLeft, fullRunMs: fullMs });
    expect(t.damaged).toEqual([]);
    expect(t.original + t.written).toBe(KILLS * FILES);
  });

  test('SIGTERM at random points: the same, and no temporary file is left', async () => {
    // Act
    const t = await killRuns(TERMS, 'SIGTERM', SEED + 1);

    // Assess
    figures('sigterm', { seed: SEED + 1, terms: t.runs, filesChecked: t.runs * FILES, original: t.original, written: t.written, damaged: t.damaged.length, tempFilesLeft: t.tempLeft });
    expect(t.damaged).toEqual([]);
    expect(t.tempLeft).toBe(0);
  });
});
