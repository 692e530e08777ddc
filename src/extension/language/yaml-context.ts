/**
 * Where the cursor is in the YAML tree of a reprise.yaml: for completion (`cursorContext`) and hover
 * (`nodeAt`). No vscode: offsets in, key paths and offsets out.
 *
 * Completion works on half-typed text (`  con`, `- `, `sequence: `), which is often not valid YAML. A
 * marker is put at the cursor (and the line completed to a `key:` when it is a key being typed), the text is
 * parsed with the `yaml` package, and the scalar holding the marker tells the path, whether it is a key or
 * a value, the sibling keys and the token to replace.
 */
import { isMap, isScalar, isSeq, parseDocument, LineCounter, type Node, type Pair, type Scalar } from 'yaml';

export const CURSOR_MARK = '__reprise_cursor__';

export interface CursorContext {
  /**
   * `key`: a key of the mapping at `path` is being typed. `value`: the value at `path` (a map key's value,
   * or a sequence item when the path ends in a number).
   */
  kind: 'key' | 'value';
  path: (string | number)[];
  /** Text of the token from its start to the cursor. */
  prefix: string;
  /** Offsets (original text) of the token to replace. */
  start: number;
  end: number;
  /** key: the other keys already in the mapping. */
  siblings: string[];
  /** key: a `:` already follows the token (insert the name only). */
  hasColon: boolean;
  /** The token is inside quotes (insert no quotes). */
  quoted: boolean;
  /** The value as typed starts with `>`, which YAML only reads inside quotes: the insertion must quote. */
  mustQuote: boolean;
  /** Column (0-based) of the token start: lines inserted after it are indented relative to it. */
  column: number;
  /** In a flow collection (`{a: 1, b}` / `[x, y]`): insert single-line text only. */
  flow: boolean;
}

/** The line of `offset`: start/end offsets and the text before and after the cursor. */
function lineAround(text: string, offset: number) {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end, before: text.slice(start, offset), after: text.slice(offset, end) };
}

/** `#` that starts a comment (at line start or after a space, outside quotes). */
function inComment(before: string): boolean {
  let q: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[{,-]/.test(before[i - 1])) q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(before[i - 1]))) return true;
  }
  return false;
}

interface Found {
  kind: 'key' | 'value';
  path: (string | number)[];
  scalar: Scalar;
  siblings: string[];
  flow: boolean;
}

function keyOf(p: Pair): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

function findMark(node: unknown, path: (string | number)[], flow: boolean): Found | undefined {
  if (isMap(node)) {
    const f = flow || node.flow === true;
    for (const p of node.items as Pair[]) {
      const k = keyOf(p);
      if (isScalar(p.key) && typeof p.key.value === 'string' && p.key.value.includes(CURSOR_MARK)) {
        const siblings = (node.items as Pair[]).filter((x) => x !== p).map(keyOf).filter((x): x is string => x !== undefined);
        return { kind: 'key', path, scalar: p.key, siblings, flow: f };
      }
      if (k === undefined) continue;
      const r = findMark(p.value, [...path, k], f);
      if (r) return r;
    }
    return undefined;
  }
  if (isSeq(node)) {
    const f = flow || node.flow === true;
    for (let i = 0; i < node.items.length; i++) {
      const r = findMark(node.items[i], [...path, i], f);
      if (r) return r;
    }
    return undefined;
  }
  if (isScalar(node) && typeof node.value === 'string' && node.value.includes(CURSOR_MARK)) {
    return { kind: 'value', path, scalar: node, siblings: [], flow };
  }
  return undefined;
}

const KEY_BEING_TYPED = /^(\s*)((?:-\s+)*)([^\s:#{}[\],&*!|>'"%@`][^:#{}[\],]*)?$/;
const GT_VALUE = /^(\s*(?:-\s+)*[^\s#'"][^#]*?:\s+)(>[^#'"]*)$/;

/** What is being typed at `offset`, or undefined (in a comment, or somewhere the marker cannot be placed). */
export function cursorContext(text: string, offset: number): CursorContext | undefined {
  offset = Math.max(0, Math.min(offset, text.length));
  const line = lineAround(text, offset);
  if (inComment(line.before)) return undefined;

  let marked: string;
  let rewrite: 'none' | 'key' | 'item' | 'gt' = 'none';
  const k = KEY_BEING_TYPED.exec(line.before);
  const gt = GT_VALUE.exec(line.before);
  if (k && !line.after.includes(':') && !/[{}[\]]/.test(line.after)) {
    // a key (or a list item) being typed: complete the line so that it parses as one
    rewrite = k[2] ? 'item' : 'key';
    marked = text.slice(0, line.start) + line.before + CURSOR_MARK + (k[2] ? '' : ':') + text.slice(line.end);
  } else if (gt) {
    rewrite = 'gt';
    marked = text.slice(0, line.start) + gt[1] + '"' + gt[2] + CURSOR_MARK + '"' + text.slice(line.end);
  } else {
    marked = text.slice(0, offset) + CURSOR_MARK + text.slice(offset);
  }

  const doc = parseDocument(marked, { uniqueKeys: false, strict: false });
  const found = findMark(doc.contents, [], false);
  if (!found) return undefined;
  const range = found.scalar.range;
  if (!range) return undefined;
  const quoted = found.scalar.type === 'QUOTE_DOUBLE' || found.scalar.type === 'QUOTE_SINGLE';

  let start: number;
  let end: number;
  if (rewrite === 'gt') {
    start = line.start + gt![1].length;
    end = offset + (/^[^\s#'"]*/.exec(line.after)?.[0].length ?? 0);
  } else {
    start = range[0] + (quoted ? 1 : 0);
    const markedEnd = range[1] - (quoted ? 1 : 0);
    end = rewrite === 'none' ? markedEnd - CURSOR_MARK.length : offset;
    if (end < offset) end = offset;
  }
  if (start > offset) return undefined;
  const lineStartOfToken = text.lastIndexOf('\n', start - 1) + 1;
  return {
    kind: found.kind,
    path: found.path,
    prefix: text.slice(start, offset),
    start,
    end,
    siblings: found.siblings,
    hasColon: found.kind === 'key' && /^[^\s:#]*\s*:/.test(line.after),
    quoted: quoted && rewrite !== 'gt',
    mustQuote: rewrite === 'gt',
    column: start - lineStartOfToken,
    flow: found.flow,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Hover

export interface NodeAtResult {
  kind: 'key' | 'value';
  /** For a key: the path of its value (`['replay', 'concurrency']`); for a value: its path. */
  path: (string | number)[];
  /** Offsets of the key or value under the cursor. */
  start: number;
  end: number;
  /** The scalar value under the cursor (values only). */
  value?: unknown;
}

/** The key or scalar value under `offset` in a parsed reprise.yaml, with its path. */
export function nodeAt(text: string, offset: number): NodeAtResult | undefined {
  const doc = parseDocument(text, { uniqueKeys: false, strict: false });
  return walkAt(doc.contents, [], offset);
}

function within(node: unknown, offset: number): boolean {
  const r = (node as Node | null)?.range;
  return !!r && offset >= r[0] && offset <= r[1];
}

function walkAt(node: unknown, path: (string | number)[], offset: number): NodeAtResult | undefined {
  if (isMap(node)) {
    for (const p of node.items as Pair[]) {
      const k = keyOf(p);
      if (k === undefined) continue;
      if (isScalar(p.key) && p.key.range && within(p.key, offset)) {
        return { kind: 'key', path: [...path, k], start: p.key.range[0], end: p.key.range[1] };
      }
      if (p.value && within(p.value, offset)) return walkAt(p.value, [...path, k], offset);
    }
    return undefined;
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      if (within(node.items[i], offset)) return walkAt(node.items[i], [...path, i], offset);
    }
    return undefined;
  }
  if (isScalar(node) && node.range) {
    return { kind: 'value', path, start: node.range[0], end: node.range[1], value: node.value };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Positions

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

/** Offset ↔ 0-based line/character conversions for one text. */
export class LineIndex {
  private readonly lc = new LineCounter();
  constructor(readonly text: string) {
    this.lc.addNewLine(0);
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lc.addNewLine(i + 1);
  }
  positionAt(offset: number): Position {
    const p = this.lc.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line - 1, character: p.col - 1 };
  }
  offsetAt(pos: Position): number {
    const starts = this.lc.lineStarts;
    if (pos.line >= starts.length) return this.text.length;
    const start = starts[Math.max(0, pos.line)];
    let end = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : this.text.length;
    if (end > start && this.text[end - 1] === '\r') end--;
    return Math.min(start + Math.max(0, pos.character), end);
  }
  /** Offset of a 1-based line/column as ConfigIssue and the yaml package give them. */
  offsetAt1(line: number, column: number): number {
    return this.offsetAt({ line: line - 1, character: column - 1 });
  }
  lineCount(): number {
    return this.lc.lineStarts.length;
  }
  lineText(line: number): string {
    const starts = this.lc.lineStarts;
    const start = starts[line] ?? this.text.length;
    const end = line + 1 < starts.length ? starts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}
