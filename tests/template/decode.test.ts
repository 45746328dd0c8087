/**
 * decodeTemplate: template bytes to text, strictly UTF-8, refusing binary input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeTemplate } from '../../macro/template/decode';
import { TemplateParseError } from '../../macro/template/yaml';

const FIXTURES = path.join(__dirname, '../fixtures/input');

function failure(bytes: Uint8Array): TemplateParseError {
  try {
    decodeTemplate(bytes, 'stack.yaml');
  } catch (e) {
    if (e instanceof TemplateParseError) return e;
    throw e;
  }
  throw new Error('expected decodeTemplate to fail');
}

describe('decodeTemplate', () => {
  test('valid UTF-8 (multi-byte characters, a byte order mark) decodes unchanged', () => {
    const text = '\uFEFFResources: {} # café ✓ 𝄞\n';
    expect(decodeTemplate(Buffer.from(text, 'utf8'), 'stack.yaml')).toBe(text);
  });

  test('a Latin-1 byte is an error at its line and column, never U+FFFD', () => {
    const e = failure(readFileSync(path.join(FIXTURES, 'bad-utf8.yaml')));
    expect(e.line).toBe(5);
    expect(e.column).toBe(21);
    expect(e.message).toMatch(/^stack\.yaml:5:21: invalid UTF-8 .*0xE9/);
  });

  test('columns count characters, not bytes', () => {
    const e = failure(Buffer.concat([Buffer.from('A: é✓', 'utf8'), Buffer.from([0xc3, 0x28])]));
    expect([e.line, e.column]).toEqual([1, 6]);
  });

  it.each([
    ['a stray continuation byte', [0x41, 0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an overlong three-byte sequence', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate encoded as UTF-8', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a sequence cut off by the end of the file', [0x41, 0xe2, 0x9c]],
    ['a byte that never occurs in UTF-8', [0xff]],
  ])('%s is refused', (_what, bytes) => {
    expect(failure(Uint8Array.from(bytes)).message).toMatch(/invalid UTF-8/);
  });

  test('a file that starts with NUL bytes is not a text template', () => {
    const e = failure(readFileSync(path.join(FIXTURES, 'nul-prefixed.yaml')));
    expect([e.line, e.column]).toEqual([1, 1]);
    expect(e.message).toMatch(/a NUL byte: this is not a text template/);
  });

  test('other control characters are refused where they are; tabs and CRLF are text', () => {
    expect(failure(Buffer.from('A: 1\nB: x\u0007y\n')).message).toMatch(/^stack\.yaml:2:5: the control character U\+0007/);
    expect(decodeTemplate(Buffer.from('A:\t1\r\nB: 2\r\n'), 'stack.yaml')).toBe('A:\t1\r\nB: 2\r\n');
  });

  test('UTF-16 is named as such', () => {
    expect(failure(readFileSync(path.join(FIXTURES, 'utf16.yaml'))).message).toMatch(/UTF-16/);
  });
});
