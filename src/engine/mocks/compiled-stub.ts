/**
 * A stub ready to serve: compiled matchers, the response as a precomputed header array and body Buffer,
 * and its place in a scenario state machine (sequences are compiled into scenarios).
 */
import { compileRequestMatcher, type CompiledRequestMatcher } from './matchers.js';
import type { StubDefinition } from './stub.js';
import { summarizeRequest } from './stub.js';

export const STARTED = 'Started';

export interface CompiledStub {
  id: string;
  def: StubDefinition;
  /** Sort key: priority, then definition order. Lower wins. */
  order: number;
  matcher: CompiledRequestMatcher;
  summary: string;
  status: number;
  /** Flat [name, value, name, value, …] for res.writeHead. */
  headers: string[];
  body: Buffer;
  delayMs: number;
  scenario?: { name: string; required?: string; next?: string };
}

/** Hop-by-hop and framing headers are recomputed, never replayed (nor passed through, see server.ts). */
export const HOP_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection', 'trailer']);

function sequenceState(rank: number): string {
  return rank === 0 ? STARTED : `#${rank}`;
}

/**
 * Compile stubs in order. Sequences (`sequence: {key, index}`) become scenario states: the n-th response of
 * a key answers in state n and moves to n+1; the last one stays (`stay`) or moves back to the first (`cycle`).
 */
export function compileStubs(defs: StubDefinition[], sequenceMode: 'stay' | 'cycle'): CompiledStub[] {
  const seqRank = new Map<StubDefinition, { rank: number; last: boolean }>();
  const groups = new Map<string, StubDefinition[]>();
  for (const d of defs) {
    if (!d.sequence) continue;
    const g = groups.get(d.sequence.key);
    if (g) g.push(d);
    else groups.set(d.sequence.key, [d]);
  }
  for (const g of groups.values()) {
    const sorted = [...g].sort((a, b) => a.sequence!.index - b.sequence!.index);
    sorted.forEach((d, i) => seqRank.set(d, { rank: i, last: i === sorted.length - 1 }));
  }
  return defs.map((def, i) => {
    const id = def.id ?? `stub-${i + 1}`;
    let scenario: CompiledStub['scenario'];
    const sr = seqRank.get(def);
    if (def.sequence && sr) {
      const name = `sequence:${def.sequence.key}`;
      if (sr.last && sr.rank === 0) scenario = undefined; // a sequence of one is a plain stub
      else if (sr.last) scenario = { name, required: sequenceState(sr.rank), next: sequenceMode === 'cycle' ? STARTED : undefined };
      else scenario = { name, required: sequenceState(sr.rank), next: sequenceState(sr.rank + 1) };
    } else if (def.scenario) {
      scenario = { name: def.scenario.name, required: def.scenario.requiredState, next: def.scenario.newState };
    }
    const { status, headers, body } = compileResponse(def);
    return {
      id,
      def,
      order: (def.priority ?? 5) * 1e9 + i,
      matcher: compileRequestMatcher(def.request),
      summary: summarizeRequest(def.request),
      status,
      headers,
      body,
      delayMs: def.delayMs ?? 0,
      scenario,
    };
  });
}

function compileResponse(def: StubDefinition): { status: number; headers: string[]; body: Buffer } {
  const r = def.response;
  let body: Buffer;
  let defaultType: string | undefined;
  if (r.body !== undefined) body = r.bodyEncoding === 'base64' ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  else if (r.json !== undefined) {
    body = Buffer.from(JSON.stringify(r.json), 'utf8');
    defaultType = 'application/json';
  } else body = Buffer.alloc(0);
  const noBody = r.status < 200 || r.status === 204 || r.status === 304;
  if (noBody) body = Buffer.alloc(0);
  const headers: string[] = [];
  let hasType = false;
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    const lower = k.toLowerCase();
    if (HOP_HEADERS.has(lower)) continue;
    if (lower === 'content-encoding' && !stillEncoded(String(Array.isArray(v) ? v[0] : v), body, r.bodyEncoding)) continue;
    if (lower === 'content-type') hasType = true;
    for (const one of Array.isArray(v) ? v : [v]) headers.push(k, one);
  }
  if (!hasType && defaultType) headers.push('content-type', defaultType);
  if (!noBody) headers.push('content-length', String(body.length));
  return { status: r.status, headers, body };
}

/**
 * Recorded bodies are normally stored decoded, so a recorded content-encoding header would lie. Keep it only
 * when the bytes really are encoded: gzip magic for gzip, or a binary (base64) body for br/deflate.
 */
function stillEncoded(value: string, body: Buffer, enc: string | undefined): boolean {
  const v = value.toLowerCase().trim();
  if (v === 'identity' || v === '') return false;
  if (v.includes('gzip')) return body.length > 2 && body[0] === 0x1f && body[1] === 0x8b;
  return enc === 'base64';
}
