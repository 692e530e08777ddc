/**
 * Format detection from content: the first few KB of a file (after gunzip), with the file name only as
 * a tie-breaker for empty files.
 */
import { readHead } from './io.js';

export type TrafficFormat = 'jsonl' | 'har' | 'rrpair-md' | 'proxymock-jsonl' | 'gor' | 'keploy' | 'wiremock' | 'unknown';

/** Bytes sniffed from the start of a file. Proxymock JSON lines are long, so this is generous. */
export const SNIFF_BYTES = 16 * 1024;

/** Detect a traffic file's format from its first few KB (decompressed when gzip). */
export async function detectFormat(file: string): Promise<TrafficFormat> {
  const head = await readHead(file, SNIFF_BYTES);
  return detectFormatFromHead(head.toString('utf8'), file);
}

const GOR_HEADER = /^[123] [^\s]+ \d+( -?\d+)?\r?\n/;
const JSON_LOG = /^\{\s*"log"\s*:\s*\{/;
const WIREMOCK_MAPPINGS = /^\{\s*"mappings"\s*:\s*\[/;

/** The detection rules, on already-read text (exported for tests). */
export function detectFormatFromHead(text: string, file = ''): TrafficFormat {
  const t = text.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (t === '') return name.endsWith('.jsonl') ? 'jsonl' : 'unknown';

  if (GOR_HEADER.test(t)) return 'gor';
  if (/^### REQUEST ###\s*$/m.test(t.slice(0, 200)) && t.startsWith('### REQUEST ###')) return 'rrpair-md';

  // JSON Lines (native or proxymock): the first complete line that parses decides; a bad first line
  // (a malformed record) does not hide the format of the lines after it.
  const lines = completeLines(t);
  for (let i = 0; i < lines.length && i < 20; i++) {
    const line = lines[i].trim();
    if (!line.startsWith('{')) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const cls = classifyObject(obj as Record<string, unknown>);
    if (cls === 'jsonl' || cls === 'proxymock-jsonl') return cls;
    if (i === 0 && cls !== 'unknown') return cls; // a whole document on one line
  }

  if (t.startsWith('{')) {
    if (JSON_LOG.test(t)) return 'har';
    if (WIREMOCK_MAPPINGS.test(t)) return 'wiremock';
    // A first line longer than what we sniffed: look at keys near the start.
    if (/^\{\s*"msgType"\s*:\s*"rrpair"/.test(t)) return 'proxymock-jsonl';
    const nl = t.indexOf('\n');
    if (nl < 0 && /"direction"\s*:\s*"(in|out)"/.test(t) && /"request"\s*:\s*\{/.test(t)) return 'jsonl';
    if (/^\{\s*"kind"\s*:\s*"postgres"/.test(t)) return 'jsonl';
    // Pretty-printed single documents
    if (/"request"\s*:\s*\{/.test(t) && /"response"\s*:\s*\{/.test(t) && !/"direction"\s*:/.test(t)) return 'wiremock';
    if (/^\{\s*("(id|uuid|name)"\s*:\s*"[^"]*"\s*,\s*){0,3}"request"\s*:\s*\{/.test(t)) return 'wiremock';
  }
  if (name.endsWith('.jsonl') && /"direction"\s*:\s*"(in|out)"/.test(t)) return 'jsonl';

  // Keploy YAML: a top-level `kind:` and the keploy API version (or a keploy-shaped spec).
  if (/^kind:\s*\S+/m.test(t) && (/^version:\s*api\.keploy\.io\//m.test(t) || /^spec:\s*$/m.test(t))) return 'keploy';
  return 'unknown';
}

function classifyObject(o: Record<string, unknown>): TrafficFormat {
  if (o.msgType === 'rrpair') return 'proxymock-jsonl';
  if (o.kind === 'postgres' && Array.isArray(o.exchanges)) return 'jsonl';
  if ((o.direction === 'in' || o.direction === 'out') && o.request && typeof o.request === 'object') return 'jsonl';
  if (o.log && typeof o.log === 'object') return 'har';
  if (Array.isArray(o.mappings)) return 'wiremock';
  if (o.request && typeof o.request === 'object' && o.response && typeof o.response === 'object') return 'wiremock';
  return 'unknown';
}

/** Lines of the sniffed text that are known to be complete (the last one may be cut off). */
function completeLines(t: string): string[] {
  const parts = t.split('\n');
  if (t.length >= SNIFF_BYTES - 4 && !t.endsWith('\n')) parts.pop();
  return parts.filter((l) => l.trim() !== '');
}
