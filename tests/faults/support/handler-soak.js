// Runs dist/handler.js in this process: `count` invocations cycling through the macro events in
// events/, heap measured after a full GC before and after; then every event concurrently and
// sequentially, compared. Prints one JSON line of figures. Run with node --expose-gc.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
// No live KMS calls from a test: keys outside the template are reported, not checked.
process.env.TAP_HARDENING_DEFAULTS = JSON.stringify({ ExternalKeys: 'off' });

const root = path.join(__dirname, '../../..');
const { handler } = require(path.join(root, 'dist/handler.js'));
const events = readdirSync(path.join(root, 'events'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(root, 'events', f), 'utf8')));
const count = Number(process.argv[2] ?? 10000);
const warmup = Math.min(1000, Math.floor(count / 10));

const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};

(async () => {
  for (let i = 0; i < warmup; i++) await handler({ ...events[i % events.length], requestId: `w${i}` });
  const before = heap();
  const started = Date.now();
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const r = await handler({ ...events[i % events.length], requestId: `r${i}` });
    if (r.status !== 'success') failures++;
  }
  const ms = Date.now() - started;
  const after = heap();

  // Concurrent and sequential: the same events, each several times, in a shuffled order.
  const batch = [];
  for (let k = 0; k < 4; k++) events.forEach((e, i) => batch.push({ ...e, requestId: `c${k}-${i}` }));
  for (let i = batch.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [batch[i], batch[j]] = [batch[j], batch[i]];
  }
  const sequential = [];
  for (const e of batch) sequential.push(JSON.stringify(await handler(e)));
  const concurrent = (await Promise.all(batch.map((e) => handler(e)))).map((r) => JSON.stringify(r));
  const mismatches = sequential.filter((s, i) => s !== concurrent[i]).length;

  process.stdout.write(`${JSON.stringify({ invocations: count, warmup, events: events.length, failures, heapBeforeBytes: before, heapAfterBytes: after, growthBytes: after - before, ms, concurrent: batch.length, mismatches })}\n`);
})().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
