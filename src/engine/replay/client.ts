/**
 * The HTTP client replay traffic goes through: one undici Agent (a keep-alive Pool per origin, no
 * pipelining), whole bodies read into memory, and every failure mapped to a short code instead of a throw.
 */
import { Agent, type Dispatcher } from 'undici';
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
  // One pass over the names; the (rare) `connection` header's tokens are only parsed when present.
  let extra: Set<string> | undefined;
  const out: Record<string, string | string[]> = {};
  for (const k in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, k)) continue;
    const v = headers[k];
    const name = hasUpper(k) ? k.toLowerCase() : k;
    if (name === 'connection') {
      extra ??= new Set();
      for (const val of Array.isArray(v) ? v : [v]) {
        for (const tok of val.split(',')) if (tok.trim()) extra.add(tok.trim().toLowerCase());
      }
      continue;
    }
    if (name.charCodeAt(0) === 58 /* : */) continue;
    if (name === 'host') {
      if (preserveHost) out.host = Array.isArray(v) ? v[0] : v;
      continue;
    }
    if (DROP.has(name)) continue;
    const prev = out[name];
    if (prev === undefined) out[name] = v;
    else out[name] = ([] as string[]).concat(prev, v);
  }
  if (extra) for (const name of extra) if (name !== 'host') delete out[name];
  return out;
}

/** `headers` itself when sanitizeHeaders would return an equal copy (the common case), else the copy. */
function sendableHeaders(headers: Record<string, string | string[]>, preserveHost: boolean): Record<string, string | string[]> {
  for (const k in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, k)) continue;
    if (hasUpper(k) || k.charCodeAt(0) === 58 || k === 'host' || DROP.has(k) || k === 'connection') return sanitizeHeaders(headers, preserveHost);
  }
  return headers;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
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

/** Characters a URL path/query may hold that the WHATWG URL parser leaves exactly as they are. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/;
/** Dot segments (`/./`, `/../`, also percent-encoded) which the URL parser would resolve. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?]|$)/i;

/**
 * `origin` and origin-form `path` of an absolute URL, as `new URL()` would give them. Plain URLs (the
 * replay's own) skip the URL parser: the origin part is parsed once and cached.
 */
class TargetParser {
  private lastPrefix = '';
  private lastOrigin = '';

  parse(url: string): { origin: string; path: string } {
    const se = url.indexOf('://');
    if (se === 4 || se === 5) {
      const slash = url.indexOf('/', se + 3);
      if (slash > 0) {
        const prefix = url.slice(0, slash);
        const path = url.slice(slash);
        if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) {
          if (prefix === this.lastPrefix) return { origin: this.lastOrigin, path };
          const u = new URL(prefix);
          if ((u.protocol === 'http:' || u.protocol === 'https:') && u.href === `${prefix}/`) {
            this.lastPrefix = prefix;
            this.lastOrigin = u.origin;
            return { origin: u.origin, path };
          }
        }
      }
    }
    const u = new URL(url);
    return { origin: u.origin, path: u.pathname + u.search };
  }
}

type Done = (r: SendResult) => void;

/**
 * One request in flight, as an undici dispatch handler: the body is gathered from the parser's chunks
 * (no stream, no extra copy for a one-chunk body). `fail` ends it early (timeout, abort): the result is
 * given at once, and the request is cut as soon as undici has handed out its controller.
 */
class Call {
  controller: { abort(reason?: Error): void } | undefined;
  status = 0;
  headers: Record<string, string | string[]> | undefined;
  chunks: Buffer[] = [];
  size = 0;
  ended = false;
  deadline = 0;
  signal: AbortSignal | undefined;

  constructor(
    readonly client: ClientCore,
    readonly start: number,
    readonly timeoutMs: number,
    readonly done: Done,
  ) {}

  onRequestStart(controller: { abort(reason?: Error): void }): void {
    this.controller = controller;
    if (this.ended) controller.abort(new Error('request ended'));
  }

  onResponseStart(_c: unknown, statusCode: number, headers: Record<string, string | string[]>): void {
    if (statusCode < 200 || this.ended) return; // 1xx: informational, the real response follows
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_c: unknown, chunk: Buffer): void {
    if (this.ended) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    if (this.ended) return;
    this.finish();
    const c = this.chunks;
    let body = c.length === 1 ? c[0] : c.length === 0 ? Buffer.alloc(0) : Buffer.concat(c, this.size);
    this.chunks = [];
    const headers = this.headers ?? {};
    const enc = headers['content-encoding'];
    let decoded: string | undefined;
    if (this.client.decompress && typeof enc === 'string' && enc && body.length > 0) {
      try {
        body = decode(body, enc);
        decoded = enc;
      } catch {
        // Keep the raw bytes; the validator will show the difference.
      }
    }
    this.done({ ok: true, status: this.status, headers, body, latencyMs: this.client.elapsed(this.start), decoded });
  }

  onResponseError(_c: unknown, err: Error): void {
    if (this.ended) return;
    this.finish();
    const code = errorCode(err);
    const msg = code === 'timeout' && this.timeoutMs ? `no complete response within ${this.timeoutMs} ms` : message(err);
    this.done({ ok: false, error: { code, message: msg }, latencyMs: this.client.elapsed(this.start) });
  }

  /** End early with `code` (timeout, aborted) and cut the request. */
  fail(code: 'timeout' | 'aborted', msg: string): void {
    if (this.ended) return;
    this.finish();
    this.controller?.abort(new Error(msg));
    this.chunks = [];
    this.done({ ok: false, error: { code, message: msg }, latencyMs: this.client.elapsed(this.start) });
  }

  private finish(): void {
    this.ended = true;
    this.client.untrack(this);
  }
}

/** What the calls of one client share: the agent, the deadline sweeper and the abort listeners. */
class ClientCore {
  readonly agent: Agent;
  readonly decompress: boolean;
  readonly preserveHost: boolean;
  readonly targets = new TargetParser();
  closed = false;
  private readonly clock: Clock;
  /** Calls with a deadline; one timer checks them (instead of a timer per request). */
  private readonly timed = new Set<Call>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweepEvery = Infinity;
  /** Calls per caller signal; one abort listener per signal (instead of one per request). */
  private readonly bySignal = new Map<AbortSignal, { calls: Set<Call>; onAbort: () => void }>();

  constructor(opts: ClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.agent = new Agent({
      connections: Math.max(1, opts.connections ?? 16),
      pipelining: 1,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
      // The overall per-request limit is enforced by the sweeper below.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.preserveHost = opts.preserveHost ?? false;
    this.decompress = opts.decompress ?? true;
  }

  now(): number {
    return this.clock.monotonic();
  }

  elapsed(start: number): number {
    return Math.max(0, this.clock.monotonic() - start);
  }

  track(call: Call, signal: AbortSignal | undefined): void {
    if (call.timeoutMs > 0) {
      call.deadline = performance.now() + call.timeoutMs;
      this.timed.add(call);
      // Check often enough that a deadline is overshot by at most ~10% (5 ms .. 250 ms).
      const every = Math.min(250, Math.max(5, Math.floor(call.timeoutMs / 10)));
      if (!this.sweeper || every < this.sweepEvery) {
        if (this.sweeper) clearInterval(this.sweeper);
        this.sweepEvery = every;
        this.sweeper = setInterval(() => this.sweep(), every);
        this.sweeper.unref();
      }
    }
    if (signal) {
      call.signal = signal;
      let entry = this.bySignal.get(signal);
      if (!entry) {
        const calls = new Set<Call>();
        const onAbort = () => {
          this.bySignal.delete(signal);
          for (const c of [...calls]) c.fail('aborted', 'request aborted');
        };
        entry = { calls, onAbort };
        this.bySignal.set(signal, entry);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      entry.calls.add(call);
    }
  }

  untrack(call: Call): void {
    if (call.timeoutMs > 0) this.timed.delete(call);
    const signal = call.signal;
    if (signal) {
      const entry = this.bySignal.get(signal);
      if (entry) {
        entry.calls.delete(call);
        if (entry.calls.size === 0) {
          this.bySignal.delete(signal);
          signal.removeEventListener('abort', entry.onAbort);
        }
      }
    }
  }

  private sweep(): void {
    if (this.timed.size === 0) {
      // Idle: stop until the next timed request.
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      this.sweepEvery = Infinity;
      return;
    }
    const now = performance.now();
    for (const c of this.timed) {
      if (c.deadline <= now) c.fail('timeout', `no complete response within ${c.timeoutMs} ms`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [signal, entry] of this.bySignal) signal.removeEventListener('abort', entry.onAbort);
    this.bySignal.clear();
    // destroy(): in-flight requests are cut; callers abort them first when they care.
    await this.agent.destroy().catch(() => undefined);
  }
}

export function createClient(opts: ClientOptions = {}): ReplayClient {
  const core = new ClientCore(opts);

  function send(req: SendRequest, sopts: SendOptions = {}): Promise<SendResult> {
    const start = core.now();
    if (core.closed) return Promise.resolve({ ok: false, error: { code: 'aborted', message: 'client closed' }, latencyMs: 0 });
    const signal = sopts.signal;
    if (signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'aborted', message: 'aborted before sending' }, latencyMs: 0 });

    let target: { origin: string; path: string };
    try {
      target = core.targets.parse(req.url);
    } catch (err) {
      return Promise.resolve({ ok: false, error: { code: 'invalid-request', message: `invalid URL ${req.url}: ${message(err)}` }, latencyMs: 0 });
    }
    const timeoutMs = sopts.timeoutMs && sopts.timeoutMs > 0 ? sopts.timeoutMs : 0;
    return new Promise<SendResult>((resolve) => {
      const call = new Call(core, start, timeoutMs, resolve);
      core.track(call, signal);
      try {
        core.agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: req.method.toUpperCase() as Dispatcher.HttpMethod,
            headers: sendableHeaders(req.headers, core.preserveHost),
            body: req.body && req.body.length > 0 ? req.body : undefined,
          },
          call,
        );
      } catch (err) {
        // dispatch reports its own errors to the handler; this is only a safety net
        call.onResponseError(undefined, err as Error);
      }
    });
  }

  return {
    send,
    close: () => core.close(),
  };
}
