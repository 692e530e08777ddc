/**
 * Captured outbound pairs → stubs. The matcher is method + exact path + every recorded query parameter
 * (no others) + the body (JSON equality minus the service's ignore paths, form fields, text or bytes).
 * Identical requests recorded several times become one sequence whose responses come back in recorded order.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { MockServiceConfig } from '../config/types.js';
import { bodyBytes, headerValue, splitUrl, type Pair, type RecordedRequest, type SourceIssue } from '../store/model.js';
import { removePaths } from './matchers.js';
import { normalizePath, parseParams } from './request.js';
import type { BodyMatcher, RequestMatcherDef, StringMatcher, StubDefinition, StubResponse } from './stub.js';

/** JSON with object keys sorted: equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** The body matcher for a recorded request body (undefined for an empty body). */
export function bodyMatcherFor(req: Pick<RecordedRequest, 'headers' | 'body' | 'bodyEncoding'>, ignore: string[]): BodyMatcher | undefined {
  const bytes = bodyBytes(req.body, req.bodyEncoding);
  if (bytes.length === 0) return undefined;
  if (!isUtf8(bytes)) return { binaryEqualTo: bytes.toString('base64') };
  const text = bytes.toString('utf8');
  const type = (headerValue(req.headers, 'content-type') ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const form: Record<string, StringMatcher> = {};
    for (const [k, v] of parseParams(text)) form[k] = { equalTo: v.length === 1 ? v[0] : v };
    return { form, strict: true };
  }
  const trimmed = text.trimStart();
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const json = JSON.parse(text) as unknown;
      return { equalToJson: json, ...(ignore.length ? { ignorePaths: ignore } : {}) };
    } catch {
      // not JSON after all: text equality below
    }
  }
  return { equalTo: text };
}

/** The request matcher a recorded request becomes. */
export function requestMatcherFor(req: RecordedRequest, ignore: string[]): RequestMatcherDef {
  const { path, query } = splitUrl(req.url);
  const def: RequestMatcherDef = { method: req.method.toUpperCase(), path: normalizePath(path) };
  const params = parseParams(query);
  if (params.size) {
    def.query = {};
    for (const [k, v] of params) def.query[k] = { equalTo: v.length === 1 ? v[0] : v };
  }
  def.strictQuery = true;
  const body = bodyMatcherFor(req, ignore);
  if (body) def.body = body;
  return def;
}

/** A key equal for requests the matcher cannot tell apart (same method, path, query and body). */
export function matcherKey(def: RequestMatcherDef): string {
  const body = def.body === undefined ? [] : Array.isArray(def.body) ? def.body : [def.body];
  const b = body.map((m) => {
    if ('equalToJson' in m) {
      const v = m.ignorePaths?.length ? removePaths(structuredClone(m.equalToJson), m.ignorePaths) : m.equalToJson;
      return { json: canonicalJson(v) };
    }
    return m;
  });
  const q = Object.entries(def.query ?? {}).sort(([a], [b2]) => (a < b2 ? -1 : a > b2 ? 1 : 0));
  return canonicalJson([def.method, def.path ?? def.pathTemplate ?? def.pathRegex, q, b]);
}

const RESPONSE_DROP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

export function responseFor(pair: Pair): StubResponse {
  const r = pair.response!;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) if (!RESPONSE_DROP.has(k.toLowerCase())) headers[k] = v;
  return {
    status: r.status || 200,
    headers,
    ...(r.body !== undefined ? { body: r.body } : {}),
    ...(r.bodyEncoding ? { bodyEncoding: r.bodyEncoding } : {}),
  };
}

export interface FromTrafficResult {
  stubs: StubDefinition[];
  issues: SourceIssue[];
}

/**
 * Build stubs from outbound pairs. Pairs without a response are reported (info) and skipped. Stubs keep
 * the recorded duration as `delayMs`.
 */
export async function stubsFromTraffic(
  pairs: AsyncIterable<Pair> | Iterable<Pair>,
  cfg: Pick<MockServiceConfig, 'service' | 'ignore'>,
  opts: { signal?: AbortSignal } = {},
): Promise<FromTrafficResult> {
  const issues: SourceIssue[] = [];
  const groups = new Map<string, Array<{ pair: Pair; def: RequestMatcherDef; n: number }>>();
  let n = 0;
  for await (const pair of pairs) {
    opts.signal?.throwIfAborted();
    if (!pair.response || pair.response.status === 0) {
      issues.push({ file: '', severity: 'info', message: `mock '${cfg.service}': pair ${pair.id} (${pair.request.method} ${pair.request.url}) has no recorded response; not used as a stub` });
      continue;
    }
    const def = requestMatcherFor(pair.request, cfg.ignore);
    const key = matcherKey(def);
    const entry = { pair, def, n: n++ };
    const g = groups.get(key);
    if (g) g.push(entry);
    else groups.set(key, [entry]);
  }
  const out: Array<{ stub: StubDefinition; n: number }> = [];
  for (const [key, g] of groups) {
    g.sort((a, b) => (Date.parse(a.pair.ts) || 0) - (Date.parse(b.pair.ts) || 0) || a.n - b.n);
    const seqKey = g.length > 1 ? `${cfg.service}:${createHash('sha1').update(key).digest('hex').slice(0, 12)}` : undefined;
    g.forEach(({ pair, def, n: order }, i) => {
      const stub: StubDefinition = {
        id: `${cfg.service}:${pair.id}`,
        service: cfg.service,
        request: def,
        response: responseFor(pair),
        ...(seqKey ? { sequence: { key: seqKey, index: i } } : {}),
        ...(pair.duration !== undefined ? { delayMs: pair.duration } : {}),
        source: { pair: pair.id },
      };
      out.push({ stub, n: order });
    });
  }
  out.sort((a, b) => a.n - b.n);
  return { stubs: out.map((x) => x.stub), issues };
}
