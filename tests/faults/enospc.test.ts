/**
 * A full disk during --write and -o: on a 64 KiB tmpfs (mounted here when the machine allows it,
 * as root in a container that may mount), the write fails with ENOSPC, the run says so and exits
 * 2, the original is byte-identical and no temporary file is left. Where no small file system
 * can be mounted, the test says why and skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figures, run } from './support/faults';

jest.setTimeout(120000);

/** About 40 KiB of template: the original fits, original and hardened copy together do not. */
function template(): string {
  let out = 'Resources:\n';
  for (let i = 0; i < 140; i++) out += `  # bucket ${i}: a comment long enough to take some room on a small disk\n  B${i}:\n    Type: AWS::S3::Bucket\n`;
  return out;
}

/** Mounted when the file loads, so the tests can be skipped (and say so) where it cannot be. */
function mountSmallDisk(): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tap-enospc-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (e) {
    const reason = String((e as { stderr?: Buffer }).stderr ?? e).trim() || 'mount failed';
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`faults: enospc: skipped: cannot mount a 64 KiB tmpfs here (${reason}), so ENOSPC is not exercised\n`);
    return undefined;
  }
}

const mountPoint = mountSmallDisk();
const onSmallDisk = mountPoint ? test : test.skip;

afterAll(() => {
  if (mountPoint) {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});

describe('a full disk', () => {
  onSmallDisk('--write fails with ENOSPC, keeps the original byte for byte, and leaves no temporary file', async () => {
    if (!mountPoint) throw new Error('unreachable: skipped without a mount');
    // Prepare
    const original = template();
    const file = path.join(mountPoint, 'stack.yaml');
    writeFileSync(file, original);

    // Act
    const r = await run(['--write', 'stack.yaml'], { cwd: mountPoint });

    // Assess
    figures('enospc', { fsBytes: 64 * 1024, templateBytes: Buffer.byteLength(original), exit: r.code });
    expect(r.stdout).toMatch(/^stack\.yaml: failed: cannot write .*stack\.yaml: no space left on the device \(ENOSPC\); the original is unchanged$/m);
    expect(r.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(readdirSync(mountPoint)).toEqual(['stack.yaml']);
  });

  onSmallDisk('-o onto a full disk is exit 2 with one message and nothing left behind', async () => {
    if (!mountPoint) throw new Error('unreachable: skipped without a mount');
    // Prepare
    const source = mkdtempSync(path.join(os.tmpdir(), 'tap-enospc-src-'));
    writeFileSync(path.join(source, 'stack.yaml'), template());
    writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(40 * 1024));

    // Act
    const r = await run([path.join(source, 'stack.yaml'), '-o', path.join(mountPoint, 'out.yaml'), '--report-file', path.join(source, 'report.txt')], { cwd: source });

    // Assess
    expect(r.stderr).toBe(`tap-harden: cannot write ${path.join(mountPoint, 'out.yaml')}: no space left on the device (ENOSPC)\n`);
    expect(r.code).toBe(2);
    expect(readdirSync(mountPoint).sort()).toEqual(['filler', 'stack.yaml']);
  });
});
