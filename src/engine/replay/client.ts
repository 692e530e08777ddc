/**
 * The HTTP client replay traffic goes through: one undici Agent (a keep-alive Pool per origin, no
 * pipelining), whole bodies read into memory, and every failure mapped to a short code instead of a throw.
 */
import { Agent } from 'undici';
import * as zlib from 'node:zlib';
import { systemClock, type Clock } from '../context.js';

export interface SendRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** Recorded headers; hop-by-hop ones and content-length/host/transfer-encoding are dropped here. */
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

export interface SendOptions {
  /** Overall limit for connect + headers + body, ms. 0 or absent: none. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SendResponse {
  ok: true;
  status: number;
  headers: Record<string, string | string[]>;
  /** Whole body, decoded from gzip/deflate/br when the response said so (see `decoded`). */
  body: Buffer;
  latencyMs: number;
  /** Content-encoding removed from the body (the header itself is kept as received). */
  decoded?: string;
}

export interface SendError {
  ok: false;
  /** ECONNREFUSED, ECONNRESET, timeout, aborted, ENOTFOUND, invalid-request, or the underlying code. */
  error: { code: string; message: string };
  latencyMs: number;
}

export type SendResult = SendResponse | SendError;

export interface ClientOptions {
  /** Connections per origin; use at least the replay concurrency. Default 16. */
  connections?: number;
  /** Idle keep-alive, ms. Default 10 s. */
  keepAliveTimeoutMs?: number;
  /** Send the recorded `host` header instead of the target's. Default false. */
  preserveHost?: boolean;
  /** Decode gzip/deflate/br response bodies (as the recording tools store them decoded). Default true. */
  decompress?: boolean;
  clock?: Clock;
}

export interface ReplayClient {
  send(req: SendRequest, opts?: SendOptions): Promise<SendResult>;
  close(): Promise<void>;
}

/** Headers never forwarded: hop-by-hop (RFC 9110 §7.6.1) plus those undici computes itself. */
const DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'host',
  // undici refuses `expect`; the recorded 100-continue handshake is not replayed.
  'expect',
  'http2-settings',
]);

/**
 * Recorded headers made sendable: lower-case names, hop-by-hop and computed headers dropped (also those
 * the recorded `connection` header lists), HTTP/2 pseudo-headers (`:authority`) dropped.
 */
export function sanitizeHeaders(
  headers: Record<string, string | string[]>,
  preserveHost = false,
): Record<string, string | string[]> {
  const extra = new Set<string>();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== 'connection') continue;
    for (const val of Array.isArray(v) ? v : [v]) {
      for (const tok of val.split(',')) if (tok.trim()) extra.add(tok.trim().toLowerCase());
    }
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (name.startsWith(':')) continue;
    if (name === 'host') {
      if (preserveHost) out.host = Array.isArray(v) ? v[0] : v;
      continue;
    }
    if (DROP.has(name) || extra.has(name)) continue;
    const prev = out[name];
    if (prev === undefined) out[name] = v;
    else out[name] = ([] as string[]).concat(prev, v);
  }
  return out;
}

class TimeoutSignal extends Error {
  code = 'timeout';
}
class AbortedSignal extends Error {
  code = 'aborted';
}

/** Map an undici / system error to a short code. */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
    case 'timeout':
      return 'timeout';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
    case 'aborted':
      return 'aborted';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      return 'ECONNRESET';
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
    case 'ERR_INVALID_URL':
    case 'ERR_INVALID_ARG_TYPE':
      return 'invalid-request';
    case undefined:
      break;
    default:
      return code;
  }
  if (e?.name === 'AbortError') return 'aborted';
  if (e?.name === 'TimeoutError') return 'timeout';
  // AggregateError from happy-eyeballs: take the first inner code; also look through `cause`.
  const inner = (e as { errors?: unknown[] } | undefined)?.errors?.[0] ?? e?.cause;
  if (inner && inner !== err) return errorCode(inner);
  return 'error';
}

function message(err: unknown): string {
  if (err instanceof Error) {
    const inner = (err as { errors?: unknown[] }).errors?.[0] ?? err.cause;
    if (!err.message && inner instanceof Error) return inner.message;
    return err.message || String(err);
  }
  return String(err);
}

function decode(body: Buffer, encoding: string): Buffer {
  let out = body;
  // Encodings are listed in the order they were applied; undo them in reverse.
  const codings = encoding.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).reverse();
  for (const c of codings) {
    if (c === 'gzip' || c === 'x-gzip') out = zlib.gunzipSync(out, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    else if (c === 'deflate') {
      try {
        out = zlib.inflateSync(out);
      } catch {
        out = zlib.inflateRawSync(out);
      }
    } else if (c === 'br') out = zlib.brotliDecompressSync(out);
    else if (c === 'identity') continue;
    else throw new Error(`unsupported content-encoding ${c}`);
  }
  return out;
}

export function createClient(opts: ClientOptions = {}): ReplayClient {
  const clock = opts.clock ?? systemClock;
  const agent = new Agent({
    connections: Math.max(1, opts.connections ?? 16),
    pipelining: 1,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
    // Per-request timeouts are passed on each request; these only bound the defaults.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const preserveHost = opts.preserveHost ?? false;
  const decompress = opts.decompress ?? true;
  let closed = false;

  async function send(req: SendRequest, sopts: SendOptions = {}): Promise<SendResult> {
    const start = clock.monotonic();
    const elapsed = () => Math.max(0, clock.monotonic() - start);
    if (closed) return { ok: false, error: { code: 'aborted', message: 'client closed' }, latencyMs: 0 };
    if (sopts.signal?.aborted) return { ok: false, error: { code: 'aborted', message: 'aborted before sending' }, latencyMs: 0 };

    let url: URL;
    try {
      url = new URL(req.url);
    } catch (err) {
      return { ok: false, error: { code: 'invalid-request', message: `invalid URL ${req.url}: ${message(err)}` }, latencyMs: 0 };
    }

    const ac = new AbortController();
    let why: 'timeout' | 'aborted' | undefined;
    const timeoutMs = sopts.timeoutMs && sopts.timeoutMs > 0 ? sopts.timeoutMs : 0;
    const timer = timeoutMs
      ? setTimeout(() => {
          why ??= 'timeout';
          ac.abort(new TimeoutSignal(`no complete response within ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
    const onAbort = () => {
      why ??= 'aborted';
      ac.abort(new AbortedSignal('request aborted'));
    };
    sopts.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const res = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method.toUpperCase(),
        headers: sanitizeHeaders(req.headers, preserveHost),
        body: req.body && req.body.length > 0 ? req.body : undefined,
        signal: ac.signal,
        headersTimeout: timeoutMs || null,
        bodyTimeout: timeoutMs || null,
      });
      let body: Buffer;
      try {
        body = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        res.body.destroy();
        throw err;
      }
      const headers = res.headers as Record<string, string | string[]>;
      const enc = headers['content-encoding'];
      let decoded: string | undefined;
      if (decompress && typeof enc === 'string' && enc && body.length > 0) {
        try {
          body = decode(body, enc);
          decoded = enc;
        } catch {
          // Keep the raw bytes; the validator will show the difference.
        }
      }
      return { ok: true, status: res.statusCode, headers, body, latencyMs: elapsed(), decoded };
    } catch (err) {
      const code = why ?? errorCode(err);
      const msg = why === 'timeout' ? `no complete response within ${timeoutMs} ms` : message(err);
      return { ok: false, error: { code, message: msg }, latencyMs: elapsed() };
    } finally {
      if (timer) clearTimeout(timer);
      sopts.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    send,
    async close() {
      if (closed) return;
      closed = true;
      // destroy(): in-flight requests are cut; callers abort them first when they care.
      await agent.destroy().catch(() => undefined);
    },
  };
}
