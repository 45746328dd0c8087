/**
 * Huge and endless input, and output that cannot be written: stdin from an endless producer is
 * refused once it passes the limit; a 50 MB file is refused by its size before it is read (in a
 * batch, as that file's line, with the rest completed); a worker that runs out of memory fails
 * its own file only; a closed pipe or a full device on stdout is exit 2 with one message.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { runMany } from '../../macro/batch/run-many';
import { CLI, ENV, figures, HEAVY, ROOT, run, workspace } from './support/faults';

jest.setTimeout(120000);

const BUCKET = 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n';

/** A template of `n` buckets, each with a comment: about 120 bytes per bucket. */
function buckets(n: number): string {
  let out = 'Resources:\n';
  for (let i = 0; i < n; i++) out += `  # bucket number ${i}\n  B${i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [{Key: n, Value: "${i}"}]\n`;
  return out;
}

describe('huge and endless input', () => {
  test('stdin from an endless producer is refused once it passes the limit', async () => {
    // Prepare: YAML-looking lines for ever; counts what the CLI took before it stopped reading.
    let sent = 0;
    const line = Buffer.from('# an endless comment line, as a runaway generator would write it\n');
    const endless = new Readable({
      read() {
        for (let i = 0; i < 256; i++) sent += line.length;
        this.push(Buffer.concat(Array.from({ length: 256 }, () => line)));
      },
    });

    // Act
    const started = Date.now();
    const r = await run(['-'], { cwd: ROOT, input: endless });
    const ms = Date.now() - started;
    endless.destroy();

    // Assess
    figures('endless-stdin', { exit: r.code, bytesOffered: sent, ms });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tap-harden: <stdin> is larger than the limit; the limit is 8 MiB (TAP_HARDENING_MAX_INPUT_BYTES changes it)\n');
  });

  test('a 50 MB file is refused by its size before it is read; in a batch the others complete', async () => {
    // Prepare
    const dir = workspace({ 'a.yaml': BUCKET, 'b.yaml': BUCKET });
    const big = path.join(dir, 'big.yaml');
    const chunk = Buffer.alloc(1024 * 1024, '# padding\n');
    const fd = openSync(big, 'w');
    for (let i = 0; i < 50; i++) writeFileSync(fd, chunk);
    closeSync(fd);

    // Act
    const started = Date.now();
    const one = await run([big], { cwd: dir });
    const oneMs = Date.now() - started;
    const many = await run(['--check', '.'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });

    // Assess
    figures('50mb-file', { bytes: 50 * 1024 * 1024, exit: one.code, ms: oneMs });
    expect(one.code).toBe(2);
    expect(one.stderr).toBe(`tap-harden: ${big} is 50 MiB; the limit is 8 MiB (TAP_HARDENING_MAX_INPUT_BYTES changes it)\n`);
    expect(many.code).toBe(2);
    expect(many.stdout).toMatch(/^a\.yaml: would change/m);
    expect(many.stdout).toMatch(/^big\.yaml: failed: .*big\.yaml is 50 MiB; the limit is 8 MiB/m);
    expect(many.stdout).toContain('3 templates: 2 would change, 0 unchanged, 1 failed');
  });

  test('the limit can be changed through TAP_HARDENING_MAX_INPUT_BYTES', async () => {
    // Prepare
    const dir = workspace({ 'a.yaml': BUCKET });

    // Act
    const r = await run(['a.yaml'], { cwd: dir, env: { ...ENV, TAP_HARDENING_MAX_INPUT_BYTES: '16' } });

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tap-harden: a.yaml is ${Buffer.byteLength(BUCKET)} B; the limit is 16 B (TAP_HARDENING_MAX_INPUT_BYTES changes it)\n`);
  });

  test('a worker that runs out of memory fails its own file; the rest of the batch completes', async () => {
    // Prepare: a template that needs far more than the tiny heap given to each worker.
    const files: Record<string, string> = { 'huge.yaml': buckets(HEAVY ? 60000 : 30000) };
    for (let i = 0; i < 5; i++) files[`s${i}.yaml`] = BUCKET;
    const dir = workspace(files);
    const names = Object.keys(files).sort();
    const lines: string[] = [];

    // Act
    const results = await runMany(
      names.map((n) => path.join(dir, n)),
      { write: false, parameterValues: {}, workers: 2, workerScript: path.join(ROOT, 'dist/batch/worker.js'), workerHeapMb: 24 },
      (r) => lines.push(`${path.basename(r.file)} ${r.status}`),
    );
    rmSync(dir, { recursive: true, force: true });

    // Assess
    const huge = results.find((r) => r.file.endsWith('huge.yaml'));
    figures('worker-oom', { hugeBytes: Buffer.byteLength(files['huge.yaml'] as string), heapMb: 24, result: huge?.status });
    expect(huge?.status).toBe('failed');
    expect(huge?.problems?.[0]?.message).toBe('the worker hardening it stopped: out of memory (heap limit 24 MB per worker); the file is unchanged');
    expect(lines).toEqual(names.map((n) => `${n} ${n === 'huge.yaml' ? 'failed' : 'changed'}`));
  });
});

describe('output that cannot be written', () => {
  const big = buckets(200);

  test('a full device on stdout is exit 2 with one message', async () => {
    // Prepare
    const dir = workspace({ 'a.yaml': big });
    const full = openSync('/dev/full', 'w');

    // Act
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'a.yaml', '--report-file', 'report.txt'], { cwd: dir, env: ENV, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    closeSync(full);

    // Assess
    expect(r.stderr).toBe('tap-harden: cannot write to stdout: no space left on the device (ENOSPC)\n');
    expect(r.code).toBe(2);
  });

  test('a closed pipe on stdout is exit 2 with one message, no stack trace', async () => {
    // Prepare
    const dir = workspace({ 'a.yaml': big });

    // Act: the reader goes away before the template is written.
    const r = await run(['a.yaml', '--report-file', 'report.txt'], { cwd: dir, during: (child) => child.stdout?.destroy() });

    // Assess
    expect(r.stderr).toBe('tap-harden: cannot write to stdout: the reading end was closed (EPIPE)\n');
    expect(r.code).toBe(2);
  });

  test('-o DIR is exit 2 naming it, before any work', async () => {
    // Prepare
    const dir = workspace({ 'a.yaml': BUCKET, 'out/keep': '' });

    // Act
    const r = await run(['a.yaml', '-o', 'out'], { cwd: dir });

    // Assess
    expect(r.stderr).toBe('tap-harden: cannot write out: it is a directory (EISDIR)\n');
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(BUCKET);
  });
});
