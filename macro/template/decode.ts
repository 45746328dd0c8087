/**
 * Template bytes to text, strictly. CloudFormation reads templates as UTF-8; a decoder that
 * replaces a bad byte with U+FFFD would change every string it touches (a topic name, a bucket
 * name: a replacement at the next deploy), so a bad byte is an error that names its place.
 * NUL and the other C0 control characters YAML and JSON do not allow outside escapes mean the
 * file is not a text template at all (a binary file, UTF-16, a truncated download).
 */
import { TemplateParseError } from './yaml';

/**
 * Decodes a template file's bytes as UTF-8.
 *
 * @throws TemplateParseError naming the line and column of the first byte that is not UTF-8,
 *   or of the first NUL or other control character.
 * @example
 * decodeTemplate(readFileSync('stack.yaml'), 'stack.yaml'); // the text, or a TemplateParseError
 * decodeTemplate(Buffer.from([0x41, 0xff]), 'x.yaml');       // throws "x.yaml:1:2: invalid UTF-8 ..."
 */
export function decodeTemplate(bytes: Uint8Array, file: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new TemplateParseError('the file is UTF-16 (it starts with a UTF-16 byte order mark); CloudFormation templates are UTF-8: save it as UTF-8', file, 1, 1);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const { line, column } = positionOfByte(bytes, bad.offset);
    throw new TemplateParseError(`invalid UTF-8 (${bad.why}: byte 0x${hex(bytes[bad.offset] ?? 0)} at byte offset ${bad.offset}); CloudFormation templates are UTF-8: fix or re-save the file as UTF-8`, file, line, column);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.exec(text);
  if (control !== null) {
    const before = text.slice(0, control.index);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
    const what = control[0] === '\u0000' ? 'a NUL byte' : `the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new TemplateParseError(`${what}: this is not a text template (binary data, or UTF-16); YAML and JSON allow control characters only as escapes inside quoted strings`, file, line, column);
  }
  return text;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** The first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF). */
function firstInvalidUtf8(bytes: Uint8Array): { offset: number; why: string } | undefined {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f; // U+D800..U+DFFF are surrogates, not characters
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return { offset: i, why: b >= 0x80 && b <= 0xbf ? 'a continuation byte without a lead byte' : 'a byte that never occurs in UTF-8' };
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return { offset: i, why: 'a sequence cut off by the end of the file' };
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c < lo || c > hi) return { offset: i, why: k === 1 && c >= 0x80 && c <= 0xbf ? 'an overlong, surrogate or out-of-range sequence' : 'an incomplete multi-byte sequence' };
    }
    i += need + 1;
  }
  return undefined;
}

/** Line and column (in characters, as editors count them) of a byte offset in text that is valid UTF-8 up to it. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) if ((bytes[i]! & 0xc0) !== 0x80) column++;
  return { line, column };
}
