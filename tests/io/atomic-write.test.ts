/**
 * Atomic writes: the new bytes replace the file in one rename, with its mode and owner; a link is
 * written through to its target; a hard-linked file is refused; nothing is left behind.
 */
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finalTarget, isTempName, writeFileAtomic, WriteError } from '../../macro/io/atomic-write';
import { sweepTempFiles } from '../../macro/io/interrupt';

const dir = (): string => mkdtempSync(path.join(os.tmpdir(), 'tap-atomic-'));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('writeFileAtomic', () => {
  test('replaces the content and keeps the mode, leaving no temporary file', () => {
    // Prepare
    const d = dir();
    const file = path.join(d, 't.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);

    // Act
    writeFileAtomic(file, 'new\n');

    // Assess
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(readdirSync(d)).toEqual(['t.yaml']);
  });

  (isRoot ? test : test.skip)('keeps the owner and group (as root, for a file owned by someone else)', () => {
    // Prepare
    const d = dir();
    const file = path.join(d, 't.yaml');
    writeFileSync(file, 'old\n');
    chownSync(file, 12345, 23456);

    // Act
    writeFileAtomic(file, 'new\n');

    // Assess
    const st = statSync(file);
    expect([st.uid, st.gid]).toEqual([12345, 23456]);
  });

  test('writes through a symbolic link to its target once; the link stays a link', () => {
    // Prepare
    const d = dir();
    mkdirSync(path.join(d, 'real'));
    writeFileSync(path.join(d, 'real', 't.yaml'), 'old\n');
    symlinkSync('real/t.yaml', path.join(d, 'link.yaml'));
    symlinkSync('link.yaml', path.join(d, 'link2.yaml'));

    // Act
    writeFileAtomic(path.join(d, 'link2.yaml'), 'new\n');

    // Assess
    expect(lstatSync(path.join(d, 'link2.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(d, 'link.yaml'))).toBe('real/t.yaml');
    expect(readFileSync(path.join(d, 'real', 't.yaml'), 'utf8')).toBe('new\n');
    expect(finalTarget(path.join(d, 'link2.yaml'))).toBe(path.join(d, 'real', 't.yaml'));
    expect(readdirSync(path.join(d, 'real'))).toEqual(['t.yaml']);
  });

  test('refuses a file with several hard links, leaving every name as it was', () => {
    // Prepare
    const d = dir();
    writeFileSync(path.join(d, 'a.yaml'), 'old\n');
    linkSync(path.join(d, 'a.yaml'), path.join(d, 'b.yaml'));

    // Act
    const act = (): void => writeFileAtomic(path.join(d, 'b.yaml'), 'new\n');

    // Assess
    expect(act).toThrow(WriteError);
    expect(act).toThrow(/has 2 hard links/);
    expect(readFileSync(path.join(d, 'a.yaml'), 'utf8')).toBe('old\n');
    expect(readdirSync(d).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  test('a directory is EISDIR, and a missing directory ENOENT, with nothing created', () => {
    // Prepare
    const d = dir();

    // Act & Assess
    expect(() => writeFileAtomic(d, 'x')).toThrow(`cannot write ${d}: it is a directory (EISDIR)`);
    expect(() => writeFileAtomic(path.join(d, 'nope', 'x.yaml'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(d)).toEqual([]);
  });

  test('a device or a pipe is written to, not replaced', () => {
    // Act & Assess: /dev/null stays the device it is.
    expect(() => writeFileAtomic('/dev/null', 'x\n')).not.toThrow();
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  test('creates a file that does not exist yet', () => {
    // Prepare
    const d = dir();

    // Act
    writeFileAtomic(path.join(d, 'new.yaml'), 'x\n');

    // Assess
    expect(readFileSync(path.join(d, 'new.yaml'), 'utf8')).toBe('x\n');
  });
});

describe('temporary files', () => {
  test('are recognised by name and process, and swept only for that process', () => {
    // Prepare
    const d = dir();
    const mine = `.t.yaml.tap-harden-${process.pid}-0123456789ab.tmp`;
    const other = `.t.yaml.tap-harden-${process.pid + 1}-0123456789ab.tmp`;
    for (const name of [mine, other, 't.yaml', '.t.yaml.tap-harden-x.tmp']) writeFileSync(path.join(d, name), '');

    // Act
    const removed = sweepTempFiles([d, d], process.pid);

    // Assess
    expect(isTempName(mine, process.pid)).toBe(true);
    expect(isTempName('t.yaml')).toBe(false);
    expect(removed).toBe(1);
    expect(readdirSync(d).sort()).toEqual([other, '.t.yaml.tap-harden-x.tmp', 't.yaml'].sort());
  });
});
