// `npm run bench`: what the macro costs, measured against the built bundle (dist/handler.js) as
// Lambda runs it, next to the floor that any macro pays for the same fragment (JSON.parse, a deep
// clone, JSON.stringify). Prints a table and a JSON summary (also written to bench/results.json).
// No test asserts on time; this script is where performance is measured.
//
// What is timed, per invocation (warm: after warm-up runs; median of many runs, minimum beside it):
// - handler: JSON.parse(event text) + await handler(event) + JSON.stringify(response), as the
//   Lambda runtime parses the event and serialises the answer, with logging at INFO (the deployed
//   default; the log line is serialised, its write to stdout discarded);
// - floor: JSON.parse(fragment text) + deep clone + JSON.stringify of the same fragment.
//
// Sizes count the resources of the template the macro receives. CloudFormation allows 500, and
// the engine fails a larger output at its invariant check, after the rules have run, so the real
// bundle answers the 2,000-resource template with a failure that skips the work after that check
// (replacement check, report, serialising the hardened template). To time 2,000 honestly, and to
// check that cost grows linearly, the script also builds bench/handler-unlimited.js: the same
// sources with only the two LIMITS constants raised. The growth check compares 2,000 with 500 on
// that bundle; the real bundle's rows are printed beside it.
//
// Options: --quick (fewer runs), --no-write (do not write bench/results.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { event, synth } from './bench-templates.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist/handler.js');
const UNLIMITED = path.join(ROOT, 'bench/handler-unlimited.js');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');

// A GC between cases keeps one case's garbage out of the next one's time. (Not before each run:
// a forced full GC slows the run after it, which a warm Lambda never sees.)
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// ------------------------------------------------------------------------------------------------
// Timing

/** The floor's deep clone: a plain recursive copy, as the engine's own deepClone is. */
function deepClone(v) {
  if (Array.isArray(v)) return v.map(deepClone);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = deepClone(v[k]);
    return out;
  }
  return v;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Discards stdout writes while measuring (the handler's log line is still built and serialised). */
function muted(fn) {
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  return Promise.resolve()
    .then(fn)
    .finally(() => {
      process.stdout.write = out;
      process.stderr.write = err;
    });
}

async function measure(handler, fragment, runs, warmup) {
  const eventText = JSON.stringify(event(fragment));
  const fragmentText = JSON.stringify(fragment);
  globalThis.gc();
  const once = await handler(JSON.parse(eventText));
  const totals = [];
  const inner = [];
  const floors = [];
  for (let r = 0; r < runs + warmup; r++) {
    let t = performance.now();
    const ev = JSON.parse(eventText);
    const t1 = performance.now();
    const response = await handler(ev);
    const t2 = performance.now();
    JSON.stringify(response);
    const total = performance.now() - t;
    t = performance.now();
    JSON.stringify(deepClone(JSON.parse(fragmentText)));
    const floor = performance.now() - t;
    if (r >= warmup) {
      totals.push(total);
      inner.push(t2 - t1);
      floors.push(floor);
    }
  }
  const output = once.status === 'success' ? once.fragment : undefined;
  return {
    status: once.status,
    error: once.status === 'success' ? undefined : String(once.errorMessage).slice(0, 160),
    inputResources: Object.keys(fragment.Resources).length,
    outputResources: output ? Object.keys(output.Resources).length : undefined,
    inputBytes: Buffer.byteLength(fragmentText),
    outputBytes: output ? Buffer.byteLength(JSON.stringify(output)) : undefined,
    runs,
    handlerMs: round(median(totals)),
    handlerMinMs: round(Math.min(...totals)),
    handlerOnlyMs: round(median(inner)),
    floorMs: round(median(floors)),
    floorMinMs: round(Math.min(...floors)),
    ratio: round(median(totals) / median(floors)),
  };
}

const round = (x) => Math.round(x * 100) / 100;

/**
 * Median wall times of fresh node processes running each snippet, the snippets taking turns so
 * that drift in the machine's speed affects them alike.
 */
function spawnMedians(codes, runs) {
  const times = codes.map(() => []);
  for (let r = 0; r < runs + 2; r++) {
    codes.forEach((code, i) => {
      const t = performance.now();
      const p = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' } });
      if (p.status !== 0) throw new Error(`node -e ${code} failed: ${p.stderr}`);
      if (r >= 2) times[i].push(performance.now() - t);
    });
  }
  return times.map((t) => round(median(t)));
}

/** Median time to require the bundle, measured inside fresh processes (no process start-up noise). */
function requireMedian(runs) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(DIST)});process.stdout.write(String(performance.now()-t))`], { cwd: ROOT });
    times.push(Number(p.stdout.toString()));
  }
  return round(median(times));
}

/** Peak RSS of a fresh process that loads the handler and answers one event (or runs the floor). */
function peakMemory(eventFile, what) {
  const code =
    what === 'handler'
      ? `const {handler}=require(${JSON.stringify(DIST)});const fs=require('fs');const before=process.resourceUsage().maxRSS;const t=fs.readFileSync(${JSON.stringify(eventFile)},'utf8');const w=process.stdout.write.bind(process.stdout);process.stdout.write=()=>true;handler(JSON.parse(t)).then(r=>{const s=JSON.stringify(r);process.stdout.write=w;console.log(JSON.stringify({status:r.status,loadedKb:before,peakKb:process.resourceUsage().maxRSS,bytes:s.length}))})`
      : `const fs=require('fs');const before=process.resourceUsage().maxRSS;const t=fs.readFileSync(${JSON.stringify(eventFile)},'utf8');const c=(v)=>Array.isArray(v)?v.map(c):v&&typeof v==='object'?Object.fromEntries(Object.keys(v).map(k=>[k,c(v[k])])):v;const s=JSON.stringify(c(JSON.parse(t).fragment));console.log(JSON.stringify({status:'floor',loadedKb:before,peakKb:process.resourceUsage().maxRSS,bytes:s.length}))`;
  const p = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' }, maxBuffer: 64 * 1024 * 1024 });
  if (p.status !== 0) throw new Error(`memory probe failed: ${p.stderr}`);
  return JSON.parse(p.stdout.toString().trim().split('\n').pop());
}

// ------------------------------------------------------------------------------------------------

async function buildUnlimited() {
  const { build } = await import('esbuild');
  const invariants = path.join(ROOT, 'macro/engine/invariants.ts');
  mkdirSync(path.dirname(UNLIMITED), { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'macro/handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
    outfile: UNLIMITED,
    external: ['./preflight/kms-client.js'],
    plugins: [
      {
        name: 'lift-limits',
        setup(b) {
          b.onLoad({ filter: /macro[\\/]engine[\\/]invariants\.ts$/ }, () => {
            const source = readFileSync(invariants, 'utf8');
            const lifted = source.replace(/resources: 500,/, 'resources: 1e9,').replace(/templateBytes: 1_000_000,/, 'templateBytes: 1e12,');
            if (lifted === source || !/resources: 1e9,/.test(lifted) || !/templateBytes: 1e12,/.test(lifted)) throw new Error('LIMITS in macro/engine/invariants.ts changed shape: update scripts/bench.mjs');
            return { contents: lifted, loader: 'ts' };
          });
        },
      },
    ],
  });
}

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cpu, nproc: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` };
}

async function main() {
  if (!existsSync(DIST)) throw new Error('dist/handler.js is missing: run `node scripts/build.mjs` first');
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  // The API Gateway preflight asks the account (GetAccount) for templates whose stages log. On a
  // machine without AWS credentials the SDK then probes the EC2 instance metadata endpoint on
  // every call (about 5 ms here), which is this machine's network, not the macro; Lambda has its
  // credentials in the environment. The probe is switched off so the figures time the macro; the
  // call still runs and answers "unknown", as it does wherever the account cannot be asked.
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  await buildUnlimited();
  const require = createRequire(import.meta.url);
  const real = require(DIST).handler;
  const unlimited = require(UNLIMITED).handler;

  // The 500 case: the largest mix whose hardened output still fits CloudFormation's 500.
  let n500 = 500;
  for (;;) {
    const r = await muted(() => real(event(synth(n500))));
    const out = r.status === 'success' ? Object.keys(r.fragment.Resources).length : Infinity;
    if (out <= 500) break;
    n500 -= Number.isFinite(out) ? out - 500 : 10;
  }
  // Near 1 MB: ~480 resources with inline code and state machine definitions padded until the
  // hardened output is just under CloudFormation's 1,000,000 bytes.
  let pad = 1500;
  let big = synth(n500 - 20, pad);
  for (let k = 0; k < 30; k++) {
    const r = await muted(() => real(event(big)));
    const bytes = r.status === 'success' ? Buffer.byteLength(JSON.stringify(r.fragment)) : 2e6;
    if (bytes > 975_000 && bytes <= 999_000) break;
    pad = Math.max(0, Math.round(pad * (bytes > 999_000 ? 0.97 : 985_000 / bytes)));
    big = synth(n500 - 20, pad);
  }

  const runs = (n) => (QUICK ? Math.max(5, Math.round(n / 4)) : n);
  const cases = [
    ['100', synth(100), runs(400), 40],
    [`500 (${n500} in)`, synth(n500), runs(120), 15],
    ['~1 MB', big, runs(60), 8],
    ['2,000', synth(2000), runs(30), 5],
  ];
  const rows = [];
  await muted(async () => {
    for (const [name, fragment, n, w] of cases) rows.push({ name, bundle: 'dist/handler.js', ...(await measure(real, fragment, n, w)) });
    for (const [name, fragment, n, w] of [cases[1], cases[3]]) rows.push({ name, bundle: 'unlimited', ...(await measure(unlimited, fragment, n, w)) });
  });

  const startRuns = QUICK ? 8 : 30;
  const [bare, loaded] = spawnMedians(['0', `require(${JSON.stringify(DIST)})`], startRuns);
  const requireMs = requireMedian(startRuns);
  const bundle = readFileSync(DIST, 'utf8');
  const eventFile = path.join(ROOT, 'bench/event-1mb.json');
  writeFileSync(eventFile, JSON.stringify(event(big)));
  const memory = { handler: peakMemory(eventFile, 'handler'), floor: peakMemory(eventFile, 'floor') };

  const u500 = rows.find((r) => r.bundle === 'unlimited' && r.name.startsWith('500'));
  const u2000 = rows.find((r) => r.bundle === 'unlimited' && r.name === '2,000');
  const d500 = rows.find((r) => r.bundle === 'dist/handler.js' && r.name.startsWith('500'));
  const summary = {
    machine: machine(),
    date: new Date().toISOString(),
    cases: rows,
    growth: { from: u500.inputResources, to: u2000.inputResources, timeRatio: round(u2000.handlerMs / u500.handlerMs), resourceRatio: round(u2000.inputResources / u500.inputResources), floorRatio: round(u2000.floorMs / u500.floorMs) },
    coldStart: { bareNodeMs: bare, loadHandlerMs: loaded, overBareMs: round(loaded - bare), requireInProcessMs: requireMs, runs: startRuns },
    bundle: { bytes: statSync(DIST).size, awsSdk: /@aws-sdk|KMSClient|smithy/.test(bundle) },
    memory1mb: memory,
    targets: {
      'handler ≤ 3× floor at 500': d500.ratio <= 3,
      'linear: 2,000 ≤ 4.5× 500': u2000.handlerMs <= 4.5 * u500.handlerMs,
      // 34 rules and Powertools Metrics: the 200 KB budget of 23 rules no longer holds (see README).
      'dist/handler.js < 400 KB': statSync(DIST).size < 400 * 1024,
      // Judged on require() timed inside the process: the difference of two process start-ups is
      // within their noise on a busy machine (printed beside it).
      'load < 15 ms over bare node': requireMs < 15,
      'no AWS SDK in dist/handler.js': !/@aws-sdk|KMSClient|smithy/.test(bundle),
    },
  };

  const pad2 = (s, n) => String(s).padStart(n);
  const lines = [
    `TapHardening benchmark · ${summary.machine.cpu} · ${summary.machine.nproc} CPUs · node ${summary.machine.node}`,
    '',
    `${'template'.padEnd(16)} ${'bundle'.padEnd(16)} ${pad2('in', 5)} ${pad2('out', 5)} ${pad2('KB in', 7)} ${pad2('status', 8)} ${pad2('handler ms', 11)} ${pad2('(min)', 8)} ${pad2('(engine)', 9)} ${pad2('floor ms', 9)} ${pad2('(min)', 7)} ${pad2('× floor', 8)} ${pad2('runs', 5)}`,
    ...rows.map((r) =>
      [r.name.padEnd(16), r.bundle.padEnd(16), pad2(r.inputResources, 5), pad2(r.outputResources ?? '-', 5), pad2(Math.round(r.inputBytes / 1024), 7), pad2(r.status, 8), pad2(r.handlerMs.toFixed(2), 11), pad2(r.handlerMinMs.toFixed(2), 8), pad2(r.handlerOnlyMs.toFixed(2), 9), pad2(r.floorMs.toFixed(2), 9), pad2(r.floorMinMs.toFixed(2), 7), pad2(r.ratio.toFixed(2), 8), pad2(r.runs, 5)].join(' '),
    ),
    ...rows.filter((r) => r.error).map((r) => `  ${r.name} on ${r.bundle}: ${r.error}`),
    '',
    `growth 500 → 2,000 (unlimited bundle): ${summary.growth.timeRatio}× the time for ${summary.growth.resourceRatio}× the resources (floor: ${summary.growth.floorRatio}×)`,
    `cold start (median of ${startRuns}): node -e 0 ${bare} ms, loading dist/handler.js ${loaded} ms: +${summary.coldStart.overBareMs} ms (require() alone, timed inside the process: ${requireMs} ms)`,
    `bundle: dist/handler.js ${summary.bundle.bytes} bytes (${(summary.bundle.bytes / 1024).toFixed(1)} KB), AWS SDK code in it: ${summary.bundle.awsSdk ? 'yes' : 'no'}`,
    `peak RSS, ~1 MB template (${Math.round(Buffer.byteLength(JSON.stringify(big)) / 1024)} KB): handler ${Math.round(memory.handler.peakKb / 1024)} MB (${Math.round(memory.handler.loadedKb / 1024)} MB after loading), floor alone ${Math.round(memory.floor.peakKb / 1024)} MB`,
    '',
    ...Object.entries(summary.targets).map(([k, ok]) => `${ok ? 'meets ' : 'MISSES'} ${k}`),
  ];
  console.log(lines.join('\n'));
  console.log(`\n${JSON.stringify(summary, null, 2)}`);
  if (!args.has('--no-write')) writeFileSync(path.join(ROOT, 'bench/results.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
