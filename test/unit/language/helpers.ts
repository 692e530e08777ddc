/** Helpers of the language tests: cursor markers in text, applying plain edits, small traffic files. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PlainEdit } from '../../../src/extension/language/quick-fixes.js';
import { LineIndex } from '../../../src/extension/language/yaml-context.js';

/** Text with one `|` marking the cursor → the text without it and the cursor offset. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0 || marked.indexOf('|', offset + 1) >= 0) throw new Error(`expected exactly one | in ${JSON.stringify(marked)}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

export function applyEdits(text: string, edits: PlainEdit[]): string {
  const idx = new LineIndex(text);
  const sorted = edits
    .map((e) => ({ start: idx.offsetAt(e.start), end: idx.offsetAt(e.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'reprise-lang-'));
}

let n = 0;
/** One inbound pair as a JSONL line, with a JSON response body. */
export function inbound(session: string, url: string, body: unknown, headers: Record<string, string> = {}): string {
  n++;
  return JSON.stringify({
    id: `in-${n}`,
    session,
    seq: n,
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    direction: 'in',
    request: { method: 'GET', url, headers: {} },
    response: { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
  });
}

export function outbound(service: string, url: string): string {
  n++;
  return JSON.stringify({
    id: `out-${n}`,
    session: 's',
    seq: n,
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    direction: 'out',
    service,
    request: { method: 'POST', url, headers: {} },
    response: { status: 200, headers: {}, body: '{}' },
  });
}
