// Shared by the replay tests: a real HTTP server on 127.0.0.1:0, pair/config builders, a trivial validator.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultContext, type EngineContext } from '../../../src/engine/context.js';
import type { ReplayConfig } from '../../../src/engine/config/types.js';
import type { Pair, PairInput } from '../../../src/engine/store/model.js';
import { PairSchema } from '../../../src/engine/store/model.js';
import type { Validation, RequestResult } from '../../../src/shared/results.js';
import type { ActualResponse, ReplayOptions } from '../../../src/engine/replay/orchestrator.js';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  server: http.Server;
  seen: Seen[];
  close(): Promise<void>;
}

export type Handler = (req: Seen, res: http.ServerResponse) => unknown;

export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      Promise.resolve(handler(s, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let n = 0;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** A valid inbound pair; `at` is the recorded offset in ms from a fixed start. */
export function pair(p: Partial<Omit<PairInput, 'request'>> & { request: Partial<PairInput['request']> & { url: string }; at?: number }): Pair {
  const { at, ...rest } = p;
  return PairSchema.parse({
    id: `p${++n}`,
    session: 'default',
    seq: 0,
    ts: new Date(T0 + (at ?? 0)).toISOString(),
    direction: 'in',
    response: { status: 200, headers: {} },
    ...rest,
    request: { method: 'GET', headers: {}, ...p.request },
  });
}

export function config(partial: Partial<ReplayConfig> = {}): ReplayConfig {
  return {
    concurrency: 4,
    time_scale: 1,
    max_delay: 0,
    timeout: 5000,
    capture: {},
    headers: {},
    include: [],
    exclude: [],
    ...partial,
  };
}

/** Passes when the status matches the recorded one. */
export function statusValidator(p: Pair, actual: ActualResponse): Validation {
  const ok = p.response?.status === actual.status;
  return {
    pass: ok,
    statusMatch: ok,
    headersMatch: true,
    bodyMatch: true,
    fieldMatchRate: ok ? 1 : 0,
    fieldsCompared: 1,
    diffs: ok ? [] : [{ path: 'status', kind: 'status', expected: p.response?.status, actual: actual.status }],
  };
}

export async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

/** Options with defaults for tests; results are collected into the returned array. */
export function options(
  target: string,
  pairs: Pair[] | AsyncIterable<Pair>,
  extra: Partial<ReplayOptions> = {},
): { opts: ReplayOptions; results: RequestResult[]; ctx: EngineContext } {
  const results: RequestResult[] = [];
  const ctx = extra.ctx ?? defaultContext();
  const opts: ReplayOptions = {
    pairs: Array.isArray(pairs) ? fromArray(pairs) : pairs,
    target,
    config: config(),
    validate: statusValidator,
    onResult: (r) => {
      results.push(r);
    },
    ctx,
    ...extra,
  };
  return { opts, results, ctx };
}

/** A port nothing listens on (bound then closed). */
export async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
