/**
 * The pieces both in-place writers (YAML and JSON) share: text edits at source offsets, the
 * line arithmetic they need, the file's line ending, and the alignment of two lists.
 */
import { deepEqual } from './json';

/** Replace `source[start, end)` with `text`; `order` keeps insertions at one offset in the order they were made. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  order: number;
}

/**
 * Why a file could not be edited in place; the message names the line when there is one and
 * is shown to the user as is ("stack.yaml: layout not kept: <message>").
 */
export class LayoutNotKeptError extends Error {
  override readonly name = 'LayoutNotKeptError';
}

/** Collects edits and applies them in one pass. */
export class EditList {
  private readonly edits: TextEdit[] = [];

  get size(): number {
    return this.edits.length;
  }

  add(start: number, end: number, text: string): void {
    if (start === end && text === '') return;
    this.edits.push({ start, end, text, order: this.edits.length });
  }

  /** Drops the edits made since `size` was `mark` (a finer edit abandoned for a coarser one). */
  rollback(mark: number): void {
    this.edits.length = mark;
  }

  apply(source: string): string {
    // At one offset, insertions go before a replacement that starts there (new lines after an
    // entry, then the next entry's lines removed), each group in the order it was made.
    const width = (e: TextEdit): number => (e.end > e.start ? 1 : 0);
    const sorted = [...this.edits].sort((a, b) => a.start - b.start || width(a) - width(b) || a.order - b.order);
    let out = '';
    let at = 0;
    for (const edit of sorted) {
      if (edit.start < at) throw new LayoutNotKeptError('two changes overlap in the source text');
      out += source.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return out + source.slice(at);
  }
}

/** The line ending most lines of `source` use; a file without line breaks gets `\n`. */
export function lineEnding(source: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) {
    if (i > 0 && source.charCodeAt(i - 1) === 0x0d) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/**
 * `text` (written with `\n`) with the line ending of the file it replaces.
 *
 * @example
 * withLineEnding('a: 1\nb: 2\n', '\r\n'); // 'a: 1\r\nb: 2\r\n'
 */
export function withLineEnding(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}

/** Offset of the first character of the line `offset` is on. */
export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just after the line break that ends the line `offset - 1` is on (the file's end when there is none). */
export function afterLine(source: string, offset: number): number {
  if (offset > 0 && source.charCodeAt(offset - 1) === 0x0a) return offset;
  const nl = source.indexOf('\n', offset);
  return nl < 0 ? source.length : nl + 1;
}

/** Only spaces and tabs between the start of `offset`'s line and `offset`. */
export function startsLine(source: string, offset: number): boolean {
  return /^[ \t]*$/.test(source.slice(lineStart(source, offset), offset));
}

export type ListStep = { op: 'keep'; from: number; to: number } | { op: 'change'; from: number; to: number } | { op: 'delete'; from: number } | { op: 'insert'; to: number };

/**
 * How list `after` is made from list `before`: items kept, changed in place, deleted and
 * inserted, in order. Equal items are matched by a longest common subsequence; between two
 * matches, deletions and insertions pair up as changes (an edited statement stays where it is).
 *
 * @example
 * alignLists(['a', 'b', 'c'], ['a', 'x', 'c', 'd']);
 * // keep 0→0, change 1→1, keep 2→2, insert 3
 */
export function alignLists(before: readonly unknown[], after: readonly unknown[]): ListStep[] {
  const n = before.length;
  const m = after.length;
  // Lists in templates are short; past this size the table would cost more than index pairing.
  if (n * m > 250_000) {
    const steps: ListStep[] = [];
    for (let i = 0; i < Math.max(n, m); i++) {
      if (i < n && i < m) steps.push({ op: deepEqual(before[i], after[i]) ? 'keep' : 'change', from: i, to: i });
      else if (i < n) steps.push({ op: 'delete', from: i });
      else steps.push({ op: 'insert', to: i });
    }
    return steps;
  }
  const equal: boolean[][] = before.map((b) => after.map((a) => deepEqual(b, a)));
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = equal[i]![j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const steps: ListStep[] = [];
  let deletes: number[] = [];
  let inserts: number[] = [];
  const flush = (): void => {
    const pairs = Math.min(deletes.length, inserts.length);
    for (let k = 0; k < pairs; k++) steps.push({ op: 'change', from: deletes[k]!, to: inserts[k]! });
    for (const from of deletes.slice(pairs)) steps.push({ op: 'delete', from });
    for (const to of inserts.slice(pairs)) steps.push({ op: 'insert', to });
    deletes = [];
    inserts = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && equal[i]![j]) {
      flush();
      steps.push({ op: 'keep', from: i++, to: j++ });
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      deletes.push(i++);
    } else {
      inserts.push(j++);
    }
  }
  flush();
  return steps;
}
