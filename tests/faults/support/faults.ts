/**
 * Shared by the fault suite: the built CLI, workspaces of templates, a seeded random source, and
 * a line of figures per test for the CI log. TAP_HARDENING_FAULTS=heavy multiplies the counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const HEAVY = process.env.TAP_HARDENING_FAULTS === 'heavy';
export const ENV = { ...process.env, TAP_HARDENING_DEFAULTS: '' };

/** A small deterministic generator (mulberry32), so a failing run can be repeated from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The examples, each grown by `extra` commented buckets so files differ in size and content. */
export function templates(count: number): Record<string, string> {
  const examples = readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = examples[i % examples.length] as string;
    let text = readFileSync(path.join(ROOT, 'examples', name), 'utf8');
    const buckets = Array.from({ length: 2 + (i % 4) * 3 }, (_, k) => `  # bucket ${k} of file ${i}\n  Extra${i}x${k}:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - {Key: n, Value: "${k}"}\n`).join('');
    text = text.replace(/^Resources:\n/m, `Resources:\n${buckets}`);
    out[`t${String(i).padStart(3, '0')}-${name}`] = text;
  }
  return out;
}

export function workspace(files: Record<string, string>, prefix = 'tap-faults-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built CLI; `during` may act on the child (kill it) while it runs. */
export function run(args: string[], options: { cwd: string; input?: NodeJS.ReadableStream; during?: (child: ChildProcess) => void; env?: NodeJS.ProcessEnv }): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env ?? ENV, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.input && child.stdin) {
      child.stdin.on('error', () => undefined);
      options.input.pipe(child.stdin);
    }
    options.during?.(child);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** One line of figures, for the CI log. */
export function figures(name: string, values: Record<string, unknown>): void {
  process.stdout.write(`faults: ${name}: ${Object.entries(values).map(([k, v]) => `${k}=${String(v)}`).join(' ')}\n`);
}
