/**
 * Quick fixes for config issues, as plain edits: rename an unknown key to the suggested one, correct a
 * traffic path to the existing one it is close to or create the missing folder/file, move a mock off a
 * clashing port, quote a gate expression YAML read as a block, add a missing top-level key. No vscode.
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Pair } from 'yaml';
import { describeKey } from '../../engine/config/index.js';
import type { ConfigIssue } from '../../engine/config/types.js';
import { LineIndex, type Position } from './yaml-context.js';

export interface PlainEdit {
  start: Position;
  end: Position;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** Text edits to the config document. */
  edits?: PlainEdit[];
  /** A file or folder to create (absolute path). */
  create?: { path: string; kind: 'file' | 'dir' };
  preferred?: boolean;
  /** The issue code it fixes. */
  code: string;
}

/** The fixes for one issue of `text` (the config at `file`). */
export function quickFixes(text: string, file: string, issue: ConfigIssue): QuickFix[] {
  const idx = new LineIndex(text);
  const out: QuickFix[] = [];
  const range = issueRange(idx, issue);
  switch (issue.code) {
    case 'unknown-key':
    case 'unknown-gate':
      if (issue.suggestion && range) {
        out.push({ code: issue.code, title: `Rename to \`${issue.suggestion}\``, edits: [{ ...range, newText: issue.suggestion }], preferred: true });
      }
      break;
    case 'missing-file': {
      if (!range || issue.line === 0) break;
      const written = rangeText(idx, range);
      const quote = /^["']/.test(written) ? written[0] : '';
      const value = quote ? written.slice(1, -1) : written;
      if (issue.suggestion) {
        out.push({ code: issue.code, title: `Change to \`${issue.suggestion}\``, edits: [{ ...range, newText: quote + issue.suggestion + quote }], preferred: true });
      }
      if (value) {
        const abs = path.resolve(path.dirname(file), value);
        const isFile = /\.[A-Za-z0-9]+(\.gz)?$/.test(value) && !/[\\/]$/.test(value);
        out.push({
          code: issue.code,
          title: isFile ? `Create empty file ${value}` : `Create folder ${value}`,
          create: { path: abs, kind: isFile ? 'file' : 'dir' },
          preferred: !issue.suggestion,
        });
      }
      break;
    }
    case 'duplicate-port': {
      if (!range) break;
      const port = freePortNear(text, Number(rangeText(idx, range)));
      if (port !== undefined) out.push({ code: issue.code, title: `Change port to ${port}`, edits: [{ ...range, newText: String(port) }], preferred: true });
      break;
    }
    case 'yaml-syntax': {
      if (!/must be quoted/.test(issue.message) || issue.line === 0) break;
      const lineText = idx.lineText(issue.line - 1);
      const m = /^(\s*(?:-\s+)?[^\s#'"][^#]*?:\s+)(>[^#]*?)(\s*(?:#.*)?)$/.exec(lineText);
      if (!m) break;
      const start = { line: issue.line - 1, character: m[1].length };
      const end = { line: issue.line - 1, character: m[1].length + m[2].length };
      out.push({ code: issue.code, title: `Quote "${m[2]}"`, edits: [{ start, end, newText: JSON.stringify(m[2]) }], preferred: true });
      break;
    }
    case 'missing-key': {
      const key = issue.key;
      if (!/^[a-z_]+$/.test(key)) break; // top-level keys only
      const d = describeKey([key]);
      if (d?.example === undefined) break;
      const block = stringify({ [key]: d.example }, { lineWidth: 0 });
      const endPos = idx.positionAt(text.length);
      const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
      out.push({ code: issue.code, title: `Add \`${key}\``, edits: [{ start: endPos, end: endPos, newText: prefix + block }], preferred: true });
      break;
    }
  }
  return out;
}

/** 0-based range of an issue (its start to its end, or the word at its start). */
export function issueRange(idx: LineIndex, issue: ConfigIssue): { start: Position; end: Position } | undefined {
  if (issue.line <= 0) return undefined;
  const start = { line: issue.line - 1, character: Math.max(0, issue.column - 1) };
  if (issue.endLine && issue.endColumn && (issue.endLine > issue.line || issue.endColumn > issue.column)) {
    return { start, end: { line: issue.endLine - 1, character: Math.max(0, issue.endColumn - 1) } };
  }
  const line = idx.lineText(start.line);
  const word = /^[^\s:,}\]]*/.exec(line.slice(start.character))?.[0] ?? '';
  return { start, end: { line: start.line, character: start.character + word.length } };
}

function rangeText(idx: LineIndex, r: { start: Position; end: Position }): string {
  return idx.text.slice(idx.offsetAt(r.start), idx.offsetAt(r.end));
}

/** The first port above `from` that no mock and no local target uses. */
export function freePortNear(text: string, from: number): number | undefined {
  const used = new Set<number>();
  const doc = parseDocument(text, { uniqueKeys: false, strict: false });
  const contents = doc.contents;
  if (isMap(contents)) {
    for (const p of contents.items as Pair[]) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (k === 'target' && isScalar(p.value)) {
        try {
          const u = new URL(String(p.value.value));
          used.add(Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
        } catch {
          /* not a URL */
        }
      }
      if (k === 'mocks' && isSeq(p.value)) {
        for (const m of p.value.items) {
          if (!isMap(m)) continue;
          const port = m.get('port');
          if (typeof port === 'number') used.add(port);
        }
      }
    }
  }
  if (!Number.isInteger(from) || from <= 0) from = 8080;
  for (let port = from + 1; port <= 65535; port++) if (!used.has(port)) return port;
  return undefined;
}
