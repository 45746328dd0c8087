/**
 * Reading within the input limit: a file is refused by its size before any byte is read; a
 * stream is refused as soon as it passes the limit.
 */
import { closeSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MAX_INPUT_BYTES, formatBytes, InputTooLargeError, maxInputBytes } from '../../macro/io/limits';
import { InputReadError, readInputFile, readLimited } from '../../macro/io/read';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-read-'));

describe('readInputFile', () => {
  test('reads a file within the limit exactly', () => {
    // Prepare
    const file = path.join(tmp, 'ok.yaml');
    writeFileSync(file, 'Resources: {}\n');

    // Act & Assess
    expect(readInputFile(file, 100).toString('utf8')).toBe('Resources: {}\n');
    expect(readInputFile(file, 14).length).toBe(14);
  });

  test('refuses a larger file by its size, naming the size and the limit', () => {
    // Prepare: a sparse 50 MiB file; reading it would be noticed, stat is not.
    const file = path.join(tmp, 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 50 * 1024 * 1024);

    // Act
    const act = (): Buffer => readInputFile(file, DEFAULT_MAX_INPUT_BYTES);

    // Assess
    expect(act).toThrow(InputTooLargeError);
    expect(act).toThrow(`${file} is 50 MiB; the limit is 8 MiB (TAP_HARDENING_MAX_INPUT_BYTES changes it)`);
  });

  test('a directory or a missing file is an InputReadError naming it', () => {
    expect(() => readInputFile(tmp, 100)).toThrow(new InputReadError(tmp, 'EISDIR'));
    expect(() => readInputFile(path.join(tmp, 'nope'), 100)).toThrow(`cannot read ${path.join(tmp, 'nope')}: ENOENT`);
  });
});

describe('readLimited', () => {
  test('stops one byte past the limit on a stream without a size', () => {
    // Prepare: /dev/zero never ends.
    const fd = openSync('/dev/zero', 'r');

    // Act & Assess
    try {
      expect(() => readLimited(fd, '<stdin>', 1024 * 1024)).toThrow('<stdin> is larger than the limit; the limit is 1 MiB');
    } finally {
      closeSync(fd);
    }
  });
});

describe('maxInputBytes', () => {
  test('is 8 MiB unless the environment says otherwise, and refuses nonsense', () => {
    expect(maxInputBytes({})).toBe(8 * 1024 * 1024);
    expect(maxInputBytes({ TAP_HARDENING_MAX_INPUT_BYTES: '2048' })).toBe(2048);
    expect(() => maxInputBytes({ TAP_HARDENING_MAX_INPUT_BYTES: '2MB' })).toThrow('TAP_HARDENING_MAX_INPUT_BYTES must be a whole number of bytes, not 2MB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 ** 40)).toBe('1 TiB');
    expect(formatBytes(3 * 2 ** 29)).toBe('1.5 GiB');
  });
});
