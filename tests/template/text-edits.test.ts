/**
 * The shared pieces of the in-place writers: edit lists, line endings, list alignment.
 */
import { EditList, LayoutNotKeptError, alignLists, lineEnding, withLineEnding } from '../../macro/template/text-edits';

describe('EditList', () => {
  test('applies edits by offset; insertions at one offset keep their order and come before a replacement there', () => {
    const edits = new EditList();
    edits.add(4, 6, '');
    edits.add(4, 4, 'X');
    edits.add(4, 4, 'Y');
    edits.add(0, 1, 'a');
    expect(edits.apply('ABCDEFGH')).toBe('aBCDXYGH');
  });

  test('overlapping edits are refused, and a rollback drops the edits made since a mark', () => {
    const edits = new EditList();
    edits.add(0, 3, 'x');
    const mark = edits.size;
    edits.add(2, 4, 'y');
    expect(() => edits.apply('abcdef')).toThrow(LayoutNotKeptError);
    edits.rollback(mark);
    expect(edits.apply('abcdef')).toBe('xdef');
  });
});

describe('line endings', () => {
  test('the ending most lines use wins; text is converted to it', () => {
    expect(lineEnding('a\r\nb\r\nc\n')).toBe('\r\n');
    expect(lineEnding('a\nb\r\nc\n')).toBe('\n');
    expect(lineEnding('no line break')).toBe('\n');
    expect(withLineEnding('a\nb\r\nc\n', '\r\n')).toBe('a\r\nb\r\nc\r\n');
  });
});

describe('alignLists', () => {
  test('keeps equal items, pairs a deletion with an insertion as a change, and reports the rest', () => {
    expect(alignLists(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: 'keep', from: 0, to: 0 },
      { op: 'change', from: 1, to: 1 },
      { op: 'keep', from: 2, to: 2 },
      { op: 'insert', to: 3 },
    ]);
    expect(alignLists([{ k: 1 }, { k: 2 }, { k: 3 }], [{ k: 1 }, { k: 3 }])).toEqual([
      { op: 'keep', from: 0, to: 0 },
      { op: 'delete', from: 1 },
      { op: 'keep', from: 2, to: 1 },
    ]);
  });
});
