/** Source positions of YAML nodes by key path, for config issues. */
import { isMap, isScalar, isSeq, isPair, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Located {
  /** The deepest node reached along the path. */
  node: Node | null;
  /** The map pair holding `node` (when the last step reached was a map key). */
  pair?: Pair;
  /** How many path segments were found. */
  depth: number;
}

/** Walks `path` (map keys and sequence indexes) from the document root as far as it goes. */
export function locate(doc: Document, path: readonly PropertyKey[]): Located {
  let node = (doc.contents as Node | null) ?? null;
  let pair: Pair | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const p = node.items.find((it) => keyText(it.key) === String(seg));
      if (!p) break;
      pair = p as Pair;
      node = (p.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      pair = undefined;
      node = item;
    } else break;
    depth++;
  }
  return { node, pair, depth };
}

/** The pair for key `key` in the map at `path`, if there is one. */
export function pairAt(doc: Document, path: readonly PropertyKey[], key: string): Pair | undefined {
  const { node, depth } = locate(doc, path);
  if (depth !== path.length || !isMap(node)) return undefined;
  return node.items.find((it) => keyText(it.key) === key) as Pair | undefined;
}

export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (isPair(key)) return undefined;
  if (key === null || key === undefined) return undefined;
  return typeof key === 'object' ? undefined : String(key);
}

export function spanOf(lc: LineCounter, range: readonly number[] | null | undefined): Span | undefined {
  if (!range) return undefined;
  const a = lc.linePos(range[0]);
  const b = lc.linePos(Math.max(range[0], range[1]));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * Where a problem with the value at `path` should point: the value node when it has text, else the key
 * (an empty `port:`), else the nearest existing ancestor.
 */
export function valueSpan(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): Span | undefined {
  const { node, pair, depth } = locate(doc, path);
  if (depth === path.length) {
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (node && r && r[1] > r[0]) return spanOf(lc, [r[0], r[1]]);
    const kr = (pair?.key as { range?: [number, number, number] } | null)?.range;
    if (kr) return spanOf(lc, [kr[0], kr[1]]);
    if (r) return spanOf(lc, [r[0], r[1]]);
  }
  return containerSpan(doc, lc, path.slice(0, depth));
}

/** The start of the node at `path` (used for "missing key" in that mapping), or 1:1 for the root. */
export function containerSpan(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): Span {
  const { node, pair, depth } = locate(doc, path);
  if (depth === path.length && path.length > 0) {
    // point at the key of the mapping (`replay:`), or at the sequence item (`- service: x`)
    const kr = (pair?.key as { range?: [number, number, number] } | null)?.range;
    if (typeof path[path.length - 1] === 'string' && kr) return spanOf(lc, [kr[0], kr[1]])!;
    if (isMap(node) && node.items.length > 0) {
      const fr = (node.items[0].key as { range?: [number, number, number] } | null)?.range;
      if (fr) return spanOf(lc, [fr[0], fr[1]])!;
    }
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (r) {
      const line = lc.linePos(r[0]);
      return { line: line.line, column: line.col, endLine: line.line, endColumn: line.col };
    }
  }
  if (path.length > 0 && depth < path.length) return containerSpan(doc, lc, path.slice(0, depth));
  return { line: 1, column: 1, endLine: 1, endColumn: 1 };
}
