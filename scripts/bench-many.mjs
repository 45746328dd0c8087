#!/usr/bin/env node
// Throughput of `tap-harden --check` on many templates, by number of worker threads.
//   node scripts/bench-many.mjs [count=1000] [workers=0,1,2] [runs=3]
// Writes `count` templates (the examples/ templates, round-robin, under distinct names) to a
// temporary directory, runs (a copy of) the built CLI (dist/, so run `npm run build` first) on
// the directory once per run and worker count, and prints the best wall time of each: the whole
// command as a user runs it, process start and worker start-up included.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const count = Number(process.argv[2] ?? 1000);
const workerCounts = (process.argv[3] ?? '0,1,2').split(',').map(Number);
const runs = Number(process.argv[4] ?? 3);
const examples = readdirSync('examples').filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

const dir = mkdtempSync(path.join(os.tmpdir(), 'tap-bench-'));
// A private copy of the build, so a rebuild during the run (npm test, another shell) cannot pull
// dist/ from under it. --check needs nothing from node_modules.
cpSync('dist', path.join(dir, 'dist'), { recursive: true });
const cli = path.join(dir, 'dist', 'cli.js');
const templates = path.join(dir, 'templates');
mkdirSync(templates);
for (let i = 0; i < count; i++) {
  const example = examples[i % examples.length];
  cpSync(path.join('examples', example), path.join(templates, `t${String(i).padStart(4, '0')}-${example}`));
}

console.log(`${count} templates (${examples.length} examples round-robin), ${os.availableParallelism()} CPUs, node ${process.version}, best of ${runs}`);
const rows = [];
for (const workers of workerCounts) {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [cli, '--check', templates, '--workers', String(workers)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status === 2) throw new Error(`tap-harden failed: ${res.stderr.slice(0, 500)}${res.stdout.split('\n').slice(-2).join('\n')}`);
    best = Math.min(best, ms);
  }
  rows.push({ workers, ms: best });
  const label = workers === 0 ? 'main thread only' : `${workers} worker${workers === 1 ? '' : 's'}`;
  console.log(`${label.padEnd(18)} ${(best / 1000).toFixed(2).padStart(6)} s  ${(count / (best / 1000)).toFixed(0).padStart(5)} templates/s`);
}
const one = rows.find((r) => r.workers === 1);
const two = rows.find((r) => r.workers === 2);
if (one && two) console.log(`speed-up 1 → 2 workers: ×${(one.ms / two.ms).toFixed(2)}`);
rmSync(dir, { recursive: true, force: true });
