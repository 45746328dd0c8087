/**
 * How much of a file an in-place write changed that hardening did not ask for.
 *
 * A line of the source is "explained" when it lies in a value hardening changed (the deepest
 * place where the source value and the hardened value differ: the key's line through the end of
 * its value) or in an entry hardening removed. Every other source line must come back byte for
 * byte; the lines that do not are returned.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import { deepEqual, type Json } from '../../macro/template/json';
import { YAML_PARSE_OPTIONS } from '../../macro/template/yaml';

/** 1-based line numbers of `source` lines that `output` changed or dropped although hardening changed nothing there. */
export function unexplainedLines(source: string, before: Json, after: Json, output: string): number[] {
  const lines = new LineCounter();
  const doc = parseDocument(source, { ...YAML_PARSE_OPTIONS, lineCounter: lines });
  const explained = new Set<number>();
  const mark = (from: number, to: number): void => {
    const first = lines.linePos(from).line;
    const last = lines.linePos(Math.max(from, to - 1)).line;
    for (let l = first; l <= last; l++) explained.add(l);
  };
  const keyOf = (pair: Pair<unknown, unknown>): string | undefined => {
    const k = pair.key;
    return isScalar(k) ? String(k.value) : undefined;
  };
  const walk = (node: YamlNode | null, was: unknown, now: unknown, from: number): void => {
    if (deepEqual(was, now)) return;
    const end = node?.range ? node.range[1] : from;
    // New entries in `[a, b]` or `{k: v}` go on the collection's own line(s).
    if (node && (isMap(node) || isSeq(node)) && node.flow) {
      mark(from, Math.max(end, from + 1));
      return;
    }
    if (node && isMap(node) && !node.tag && isObj(was) && isObj(now) && Object.keys(now).length) {
      for (const pair of node.items) {
        const key = keyOf(pair);
        const keyStart = (pair.key as YamlNode | null)?.range?.[0] ?? from;
        if (key === undefined) continue;
        if (!Object.prototype.hasOwnProperty.call(now, key)) mark(keyStart, (pair.value as YamlNode | null)?.range?.[2] ?? keyStart + 1);
        else walk(pair.value as YamlNode | null, was[key], now[key], keyStart);
      }
      return;
    }
    if (node && isSeq(node) && !node.tag && Array.isArray(was) && Array.isArray(now) && was.length <= now.length && now.length) {
      node.items.forEach((item, i) => walk(item as YamlNode | null, was[i], now[i], (item as YamlNode | null)?.range?.[0] ?? from));
      return;
    }
    mark(from, Math.max(end, from + 1));
  };
  walk(doc.contents as YamlNode | null, before, after, 0);

  const src = source.split('\n');
  const kept = survivingLines(src, output.split('\n'));
  const bad: number[] = [];
  src.forEach((_line, i) => {
    const n = i + 1;
    if (!kept.has(n) && !explained.has(n)) bad.push(n);
  });
  return bad;
}

/** 1-based numbers of the lines of `a` in a longest common subsequence of `a` and `b`. */
function survivingLines(a: string[], b: string[]): Set<number> {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  const kept = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      kept.add(i + 1);
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) i++;
    else j++;
  }
  return kept;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
