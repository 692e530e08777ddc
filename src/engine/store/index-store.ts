/**
 * Index and browse a store without holding it: one streaming pass keeps counters only (each pair,
 * bodies included, is dropped as soon as it has been counted).
 */
import type { Direction, Pair, SourceIssue } from './model.js';
import { endpointKey } from './endpoint.js';
import { tsMillis } from './http-util.js';
import { readLocated } from './read.js';

export interface SessionStat {
  session: string;
  count: number;
  firstTs: string;
  lastTs: string;
}

export interface EndpointStat {
  /** `GET /orders/{id}` (see endpointKey). */
  endpoint: string;
  count: number;
  /** Status code (as a string) → count; `"none"` for request-only pairs. */
  statusCounts: Record<string, number>;
  /** Services that served this endpoint (outbound pairs). */
  services?: string[];
}

export interface StoreIndex {
  total: number;
  inbound: number;
  outbound: number;
  sessions: SessionStat[];
  endpoints: EndpointStat[];
  services: { service: string; count: number }[];
  issues: SourceIssue[];
  /** Issues not kept in `issues` (it holds at most `maxIssues`). */
  issuesDropped?: number;
}

export interface IndexOptions {
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
  direction?: Direction;
  /** Cap on issues kept in the index (default 1000); the rest are counted in `issuesDropped`. */
  maxIssues?: number;
}

export interface PairSummary {
  id: string;
  session: string;
  seq: number;
  ts: string;
  direction: Direction;
  service?: string;
  method: string;
  url: string;
  status?: number;
  duration?: number;
  file: string;
  line?: number;
  /** 0-based entry (HAR entry, YAML document, gor payload) when the format has no useful lines. */
  entry?: number;
}

export interface ListOptions {
  session?: string;
  /** An endpoint key as listed by indexSources (`GET /orders/{id}`). */
  endpoint?: string;
  direction?: Direction;
  service?: string;
  offset?: number;
  /** Default 100. */
  limit?: number;
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
}

/** Counters over every pair of the sources. */
export async function indexSources(sources: string[], opts: IndexOptions = {}): Promise<StoreIndex> {
  const maxIssues = opts.maxIssues ?? 1000;
  const issues: SourceIssue[] = [];
  let issuesDropped = 0;
  const onIssue = (i: SourceIssue) => {
    if (issues.length < maxIssues) issues.push(i);
    else issuesDropped++;
    opts.onIssue?.(i);
  };
  let total = 0;
  let inbound = 0;
  let outbound = 0;
  const sessions = new Map<string, SessionStat & { first: number; last: number }>();
  const endpoints = new Map<string, { count: number; statusCounts: Record<string, number>; services: Set<string> }>();
  const services = new Map<string, number>();

  for await (const { pair } of readLocated(sources, { signal: opts.signal, onIssue, direction: opts.direction })) {
    total++;
    if (pair.direction === 'in') inbound++;
    else outbound++;

    const t = tsMillis(pair.ts) ?? Number.NaN;
    const s = sessions.get(pair.session);
    if (!s) {
      sessions.set(pair.session, { session: pair.session, count: 1, firstTs: pair.ts, lastTs: pair.ts, first: t, last: t });
    } else {
      s.count++;
      if (t < s.first || (Number.isNaN(s.first) && !Number.isNaN(t))) {
        s.first = t;
        s.firstTs = pair.ts;
      }
      if (t > s.last || (Number.isNaN(s.last) && !Number.isNaN(t))) {
        s.last = t;
        s.lastTs = pair.ts;
      }
    }

    const key = endpointKey(pair.request.method, pair.request.url);
    let ep = endpoints.get(key);
    if (!ep) endpoints.set(key, (ep = { count: 0, statusCounts: {}, services: new Set() }));
    ep.count++;
    const st = pair.response ? String(pair.response.status) : 'none';
    ep.statusCounts[st] = (ep.statusCounts[st] ?? 0) + 1;
    if (pair.service) {
      ep.services.add(pair.service);
      services.set(pair.service, (services.get(pair.service) ?? 0) + 1);
    }
  }

  return {
    total,
    inbound,
    outbound,
    sessions: [...sessions.values()]
      .map(({ session, count, firstTs, lastTs }) => ({ session, count, firstTs, lastTs }))
      .sort((a, b) => a.session.localeCompare(b.session)),
    endpoints: [...endpoints.entries()]
      .map(([endpoint, e]) => ({
        endpoint,
        count: e.count,
        statusCounts: e.statusCounts,
        ...(e.services.size ? { services: [...e.services].sort() } : {}),
      }))
      .sort((a, b) => b.count - a.count || a.endpoint.localeCompare(b.endpoint)),
    services: [...services.entries()].map(([service, count]) => ({ service, count })).sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
    issues,
    ...(issuesDropped ? { issuesDropped } : {}),
  };
}

/** Summary of a pair: no headers, no bodies. */
export function summarize(pair: Pair, file: string, line?: number, entry?: number): PairSummary {
  const s: PairSummary = {
    id: pair.id,
    session: pair.session,
    seq: pair.seq,
    ts: pair.ts,
    direction: pair.direction,
    method: pair.request.method,
    url: pair.request.url,
    file,
  };
  if (pair.service !== undefined) s.service = pair.service;
  if (pair.response) s.status = pair.response.status;
  if (pair.duration !== undefined) s.duration = pair.duration;
  if (line !== undefined) s.line = line;
  if (entry !== undefined) s.entry = entry;
  return s;
}

/** One page of pair summaries matching the filters, in store order, and how many match in all. */
export async function listPairs(sources: string[], opts: ListOptions = {}): Promise<{ items: PairSummary[]; total: number }> {
  const offset = Math.max(0, opts.offset ?? 0);
  const limit = Math.max(0, opts.limit ?? 100);
  const items: PairSummary[] = [];
  let total = 0;
  for await (const { pair, file, line, entry } of readLocated(sources, { signal: opts.signal, onIssue: opts.onIssue, direction: opts.direction })) {
    if (opts.session !== undefined && pair.session !== opts.session) continue;
    if (opts.service !== undefined && pair.service !== opts.service) continue;
    if (opts.endpoint !== undefined && endpointKey(pair.request.method, pair.request.url) !== opts.endpoint) continue;
    if (total >= offset && items.length < limit) items.push(summarize(pair, file, line, entry));
    total++;
  }
  return { items, total };
}

/** The first pair with this id, reading only as far as needed. */
export async function getPair(
  sources: string[],
  id: string,
  opts: { signal?: AbortSignal; onIssue?: (i: SourceIssue) => void } = {},
): Promise<Pair | undefined> {
  for await (const { pair } of readLocated(sources, opts)) {
    if (pair.id === id) return pair;
  }
  return undefined;
}
