/**
 * Stub files: `<stubs dir>/*.json`, each one StubDefinition or an array of them. A malformed file or entry
 * is reported with file and line and skipped; every good stub still loads.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { SourceIssue } from '../store/model.js';
import { StubDefinitionSchema, type StubDefinition } from './stub.js';

/** 1-based line and column of a character offset. */
export function lineOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Where a JSON.parse error happened, from the message (V8 says "at position N" and, lately, "line L column C"). */
export function jsonErrorPosition(text: string, err: Error): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(err.message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(err.message);
  if (pos) return lineOf(text, Number(pos[1]));
  if (/Unexpected end of JSON input/.test(err.message)) return lineOf(text, text.length);
  return undefined;
}

/** The line of the value at a path inside a JSON text (via the yaml parser's source ranges). */
function lineOfPath(text: string, p: Array<string | number>): number | undefined {
  try {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false, uniqueKeys: false });
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
  } catch {
    // positions are a courtesy
  }
  return undefined;
}

/** Parse one stub file's text. `file` is used in issues and in each stub's `source`. */
export function parseStubFile(file: string, text: string): { stubs: StubDefinition[]; issues: SourceIssue[] } {
  const issues: SourceIssue[] = [];
  const stubs: StubDefinition[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const pos = jsonErrorPosition(text, e as Error);
    issues.push({ file, line: pos?.line, severity: 'error', message: `malformed stub file: ${(e as Error).message}; file skipped` });
    return { stubs, issues };
  }
  const entries = Array.isArray(data) ? data : [data];
  entries.forEach((entry, i) => {
    const r = StubDefinitionSchema.safeParse(entry);
    const base: Array<string | number> = Array.isArray(data) ? [i] : [];
    if (!r.success) {
      const first = r.error.issues[0];
      const at = [...base, ...(first.path as Array<string | number>)];
      const where = first.path.length ? ` at ${first.path.join('.')}` : '';
      issues.push({
        file,
        line: lineOfPath(text, at),
        ...(Array.isArray(data) ? { entry: i } : {}),
        severity: 'error',
        message: `invalid stub${Array.isArray(data) ? ` #${i + 1}` : ''}${where}: ${first.message}; stub skipped`,
      });
      return;
    }
    const stub = r.data;
    const line = lineOfPath(text, base);
    stub.source = { ...stub.source, file, ...(line !== undefined ? { line } : {}) };
    stub.id ??= `${path.basename(file, '.json')}${Array.isArray(data) ? `#${i + 1}` : ''}`;
    stubs.push(stub);
  });
  return { stubs, issues };
}

/** Load every `*.json` in a stub folder (sorted by name; a missing folder is no stubs). */
export async function loadStubDir(dir: string): Promise<{ stubs: StubDefinition[]; issues: SourceIssue[] }> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { stubs: [], issues: [] };
    return { stubs: [], issues: [{ file: dir, severity: 'error', message: `cannot read stub folder: ${(e as Error).message}` }] };
  }
  const stubs: StubDefinition[] = [];
  const issues: SourceIssue[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      issues.push({ file, severity: 'error', message: `cannot read stub file: ${(e as Error).message}` });
      continue;
    }
    const r = parseStubFile(file, text);
    stubs.push(...r.stubs);
    issues.push(...r.issues);
  }
  return { stubs, issues };
}
