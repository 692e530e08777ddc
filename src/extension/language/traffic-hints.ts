/**
 * Facts about the recorded traffic that completion and CodeLens show: the JSON fields seen in recorded
 * response bodies (generalised paths such as `$.orders[*].id`, from a bounded sample), response header
 * names, and the store index (sessions, pairs, services). Cached per traffic set: the key is the sources
 * with their modification times, so a re-recorded file is read again. No vscode.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { readLocated } from '../../engine/store/read.js';
import { indexSources, type StoreIndex } from '../../engine/store/index-store.js';
import { bodyText, headerValue, type Pair } from '../../engine/store/model.js';
import { formatSegment } from '../../engine/validate/jsonpath.js';

export interface PathStat {
  /** Generalised JSONPath: `$.orders[*].id`. */
  path: string;
  /** Responses it was seen in. */
  count: number;
  /** JSON types seen there: string, number, boolean, null, object, array. */
  types: string[];
}

export interface ResponseHints {
  paths: PathStat[];
  /** Lower-case response header names, most frequent first. */
  headers: string[];
  /** Responses with a JSON body that were read. */
  sampled: number;
}

export interface HintOptions {
  /** Inbound pairs read at most (default 500). */
  maxPairs?: number;
  /** Distinct paths kept at most (default 2000). */
  maxPaths?: number;
  /** Bodies larger than this are skipped (default 1 MiB). */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

const MAX_DEPTH = 12;

/** Streams the first `maxPairs` inbound pairs of `sources` and collects the fields of their JSON responses. */
export async function collectResponseHints(sources: string[], opts: HintOptions = {}): Promise<ResponseHints> {
  const maxPairs = opts.maxPairs ?? 500;
  const maxPaths = opts.maxPaths ?? 2000;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const stats = new Map<string, { count: number; types: Set<string> }>();
  const headers = new Map<string, number>();
  let read = 0;
  let sampled = 0;
  for await (const { pair } of readLocated(sources, { signal: opts.signal, direction: 'in' })) {
    if (read++ >= maxPairs) break;
    const res = pair.response;
    if (!res) continue;
    for (const h of Object.keys(res.headers ?? {})) headers.set(h.toLowerCase(), (headers.get(h.toLowerCase()) ?? 0) + 1);
    const json = jsonBody(pair, maxBody);
    if (json === undefined) continue;
    sampled++;
    const seen = new Set<string>();
    walk(json, '$', 0, (p, type) => {
      let s = stats.get(p);
      if (!s) {
        if (stats.size >= maxPaths) return;
        stats.set(p, (s = { count: 0, types: new Set() }));
      }
      s.types.add(type);
      if (!seen.has(p)) {
        seen.add(p);
        s.count++;
      }
    });
  }
  return {
    paths: [...stats.entries()]
      .map(([p, s]) => ({ path: p, count: s.count, types: [...s.types].sort() }))
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path)),
    headers: [...headers.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([h]) => h),
    sampled,
  };
}

function jsonBody(pair: Pair, maxBody: number): unknown {
  const res = pair.response!;
  if (res.body === undefined || res.body.length === 0 || res.body.length > maxBody * 1.4) return undefined;
  const ct = headerValue(res.headers, 'content-type') ?? '';
  const text = bodyText(res.body, res.bodyEncoding).trim();
  if (!/json/i.test(ct) && !/^[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function walk(v: unknown, at: string, depth: number, visit: (p: string, type: string) => void): void {
  if (depth > 0) visit(at, typeOf(v));
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const item of v) walk(item, `${at}[*]`, depth + 1, visit);
  } else {
    for (const [k, x] of Object.entries(v)) walk(x, at + formatSegment(k), depth + 1, visit);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cache per traffic set

/** `sources` with their modification times: changes when a file is rewritten or a folder gains entries. */
export async function trafficKey(sources: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const s of [...sources].map((x) => path.resolve(x)).sort()) {
    try {
      const st = await fsp.stat(s);
      parts.push(`${s}\u0000${st.mtimeMs}\u0000${st.size}`);
    } catch {
      parts.push(`${s}\u0000missing`);
    }
  }
  return parts.join('\u0001');
}

/** Small LRU of promises keyed by traffic set; a failed computation is not kept. */
export class TrafficCache {
  private readonly hints = new Map<string, Promise<ResponseHints>>();
  private readonly indexes = new Map<string, Promise<StoreIndex>>();
  constructor(private readonly opts: { size?: number; hintOptions?: HintOptions } = {}) {}

  async responseHints(sources: string[]): Promise<ResponseHints> {
    const key = await trafficKey(sources);
    return this.get(this.hints, key, () => collectResponseHints(sources, this.opts.hintOptions));
  }

  async index(sources: string[], direction?: 'in' | 'out'): Promise<StoreIndex> {
    const key = `${direction ?? 'all'}\u0002${await trafficKey(sources)}`;
    return this.get(this.indexes, key, () => indexSources(sources, { direction, maxIssues: 50 }));
  }

  clear(): void {
    this.hints.clear();
    this.indexes.clear();
  }

  private get<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let p = map.get(key);
    if (p) {
      map.delete(key);
      map.set(key, p); // most recently used last
      return p;
    }
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
    const size = this.opts.size ?? 8;
    while (map.size > size) map.delete(map.keys().next().value as string);
    return p;
  }
}
