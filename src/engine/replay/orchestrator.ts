/**
 * The replay orchestrator: sends recorded inbound requests to a live target, one session at a time in
 * recorded order, sessions in parallel, with recorded think-time, runtime values and auto-correlation,
 * and hands each validated result to `onResult`.
 *
 * Scheduling model
 * - The pair stream is read lazily; reading pauses while `maxBufferedPairs` read-but-unsent pairs are held.
 * - Each session is a FIFO of its buffered pairs. A session is `busy` from the moment its head pair is
 *   scheduled (waiting for its think-time timer, waiting for a slot, or in flight) until that pair's
 *   result has been delivered; then its next pair (if buffered) is scheduled.
 * - At most `concurrency` pairs are in flight (a slot is held from send until `onResult` has resolved, so
 *   a slow writer slows sending). A session waiting for its think-time does not hold a slot.
 * - No deadlock when the buffer is full: every buffered pair belongs to a session that is in flight,
 *   waiting on a timer, or ready for the next free slot — each of which makes progress without reading.
 *
 * Cancellation (signal, or a reason from `shouldStop`): nothing more is sent, think-time timers are
 * cleared, requests in flight are aborted and reported as outcome 'error' with code 'aborted' (so every
 * sent request has a result); the promise resolves with `aborted: true`.
 */
import picomatch from 'picomatch';
import { isUtf8 } from 'node:buffer';
import type { EngineContext } from '../context.js';
import type { ReplayConfig } from '../config/types.js';
import type { Validation } from '../validate/types.js';
import { bodyBytes, bodyText, splitUrl, type Pair } from '../store/model.js';
import { endpointKey } from '../store/endpoint.js';
import { isSecretHeader, redactHeaders, redactUrl } from '../redact.js';
import type { ActualResponse, RequestResult } from './types.js';
import { createClient, type ReplayClient, type SendResponse } from './client.js';
import {
  applyCaptures,
  CaptureSource,
  defaultRuntimeEnv,
  interpolate,
  jsonSafe,
  SessionVars,
  urlSafe,
  validateCapture,
  type RuntimeEnv,
} from './runtime.js';

export type { ActualResponse };

export interface ReplayOptions {
  /** Inbound pairs in store order (a session's pairs in seq order, sessions interleaved). Outbound pairs are skipped. */
  pairs: AsyncIterable<Pair>;
  /** Base URL of the target, e.g. http://127.0.0.1:8080 (a path prefix, if any, is prepended to recorded paths). */
  target: string;
  config: ReplayConfig;
  validate: (pair: Pair, actual: ActualResponse) => Validation;
  /** Awaited, one result at a time in completion order: backpressure for the writer. */
  onResult: (r: RequestResult) => void | Promise<void>;
  /** Endpoint key of a pair; default `endpointKey(method, url)`. */
  endpointOf?: (pair: Pair) => string;
  /** Awaited before a session's first request (lets mocks reset per-session sequences). */
  onSessionStart?: (session: string) => void | Promise<void>;
  /** Called just before each request is sent, with its session (lets mocks attribute the calls that follow). */
  beforeRequest?: (session: string) => void;
  signal?: AbortSignal;
  ctx: EngineContext;
  runId?: string;
  /** Number of pairs, when known, for progress events. */
  total?: number;
  /** Keep at most this many bytes of the actual body in RequestResult.actual. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Polled after each result; a reason string aborts the run (cutoffs). */
  shouldStop?: () => string | undefined;

  // --- optional extras ---------------------------------------------------------------------------
  /** Use this client instead of creating one (it is then not closed by replay). */
  client?: ReplayClient;
  /** Send the recorded `host` header instead of the target's. Default false. */
  preserveHost?: boolean;
  /** Pause reading when this many pairs are buffered (read, not yet sent). Default max(256, concurrency*64). */
  maxBufferedPairs?: number;
  /** Idle sessions whose state (captured values, think-time) is kept; the oldest beyond this are dropped. Default 100 000. */
  maxIdleSessions?: number;
  /** Overrides for clock/env/uuid/random used by runtime values. */
  runtime?: Partial<RuntimeEnv>;
  /** Learn correlations from differing `location` headers (recorded vs live). Default true. */
  correlateLocation?: boolean;
}

export interface ReplaySummary {
  sent: number;
  results: number;
  aborted: boolean;
  abortReason?: string;
  durationMs: number;
  startedAt: string;
  /** Pairs read from the stream but not replayed (excluded by include/exclude, or outbound). */
  skipped?: number;
  passed?: number;
  failed?: number;
  errors?: number;
  /** Placeholders no runtime value was found for (left as written). */
  unknownPlaceholders?: string[];
  /** Idle sessions whose state was dropped to bound memory. */
  evictedSessions?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

// ---------------------------------------------------------------------------------------------------
// include / exclude

/** Escape `{id}`-style literal template segments so picomatch does not read them as brace expansion. */
function literalTemplates(glob: string): string {
  return glob.replace(/(?<!\\)\{([A-Za-z0-9_.-]*)\}/g, '\\{$1\\}');
}

/**
 * A predicate over (endpoint key, session id). A glob matches when it matches the endpoint key
 * (`GET /orders/**`, `* /health`), the key's path alone (`/orders/**`), or the session id (`user-*`).
 * Empty include means everything; exclude wins.
 */
export function compileFilter(include: readonly string[], exclude: readonly string[]): (endpoint: string, session: string) => boolean {
  const compile = (globs: readonly string[]) =>
    globs.map((g) => {
      const m = picomatch(literalTemplates(g), { dot: true });
      return (s: string) => s === g || m(s);
    });
  const inc = compile(include);
  const exc = compile(exclude);
  const hit = (ms: ((s: string) => boolean)[], endpoint: string, session: string) => {
    const sp = endpoint.indexOf(' ');
    const path = sp >= 0 ? endpoint.slice(sp + 1) : endpoint;
    return ms.some((m) => m(endpoint) || m(path) || m(session));
  };
  return (endpoint, session) => (inc.length === 0 || hit(inc, endpoint, session)) && !(exc.length > 0 && hit(exc, endpoint, session));
}

// ---------------------------------------------------------------------------------------------------

interface Queued {
  pair: Pair;
  endpoint: string;
}

interface SessionState {
  id: string;
  queue: Queued[];
  /** Head pair scheduled (timer, ready set or in flight) and not yet delivered. */
  busy: boolean;
  timer?: NodeJS.Timeout;
  started: boolean;
  /** Recorded ms (epoch) of the previous request sent for this session. */
  lastTs?: number;
  /** Monotonic ms when the previous request of this session completed. */
  lastDone?: number;
  vars: SessionVars;
}

function contentType(headers: Record<string, string | string[]>): string {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'content-type') return (Array.isArray(v) ? v[0] : v).toLowerCase();
  }
  return '';
}

/** Words that can make a query parameter secret (a superset of redact.ts SECRET_PARTS + key/auth; keep in step); `%` may hide them. */
const MAYBE_SECRET_QUERY = /token|secret|passw|api|credential|key|auth|%/i;

/** False when redactUrl(url) would certainly return `url` unchanged. */
function mayHaveSecretQuery(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && MAYBE_SECRET_QUERY.test(url.slice(q + 1));
}

/** Header names already lower-case and no value with a `{{placeholder}}`: sendable as recorded. */
function verbatimHeaders(headers: Record<string, string | string[]>): boolean {
  for (const k in headers) {
    for (let i = 0; i < k.length; i++) {
      const c = k.charCodeAt(i);
      if (c >= 65 && c <= 90) return false;
    }
    const v = headers[k];
    if (typeof v === 'string') {
      if (v.includes('{{')) return false;
    } else if (v.some((x) => x.includes('{{'))) return false;
  }
  return true;
}

/** Is there a header `name` (lower-case) — by its lower-case key, else by any spelling? */
function hasHeader(headers: Record<string, string | string[]>, name: string): boolean {
  if (headers[name] !== undefined) return true;
  for (const k in headers) if (k.toLowerCase() === name) return true;
  return false;
}

const isJsonType = (ct: string) => /[/+]json\b/.test(ct);
const isFormType = (ct: string) => ct.startsWith('application/x-www-form-urlencoded');

function truncateText(buf: Buffer, max: number): string {
  const s = new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, max));
  return s.endsWith('\uFFFD') ? s.slice(0, -1) : s;
}

/** Replay inbound pairs against `target`. Resolves when every pair is done or the run was stopped. */
export async function replay(opts: ReplayOptions): Promise<ReplaySummary> {
  return new Replay(opts).run();
}

class Replay {
  private readonly ctx: EngineContext;
  private readonly cfg: ReplayConfig;
  private readonly concurrency: number;
  private readonly maxBuffered: number;
  private readonly maxIdle: number;
  private readonly maxBodyBytes: number;
  private readonly filter: (endpoint: string, session: string) => boolean;
  private readonly endpointOf: (pair: Pair) => string;
  private readonly rt: RuntimeEnv;
  private readonly client: ReplayClient;
  private readonly ownClient: boolean;
  private readonly targetOrigin: string;
  private readonly targetBase: string;
  private readonly captures: Record<string, string>;
  private readonly extraHeaders: [string, string][];
  private readonly runAbort = new AbortController();
  /** Capture expressions configured (after dropping invalid ones). */
  private readonly hasCaptures: boolean;
  /** Think-time applies (time_scale and max_delay both positive): only then are timestamps parsed. */
  private readonly thinkEnabled: boolean;
  /** Is a response header name secret? Memoised per name (bounded). */
  private readonly secretNames = new Map<string, boolean>();

  private readonly sessions = new Map<string, SessionState>();
  /** Idle sessions, oldest first (for eviction). */
  private readonly idle = new Set<string>();
  /** Sessions whose head pair may be sent as soon as a slot frees, in arrival order. */
  private readonly ready = new Set<SessionState>();

  private iterator?: AsyncIterator<Pair>;
  private queued = 0;
  private inFlight = 0;
  private streamEnded = false;
  private stopping = false;
  private abortReason?: string;
  private fatal?: unknown;
  private wakeReader?: () => void;
  private finish!: () => void;
  /** A result is being handed to onResult; later ones wait in `waiting` (completion order). */
  private delivering = false;
  private readonly waiting: { r: RequestResult; resolve: () => void; reject: (err: unknown) => void }[] = [];

  private read = 0;
  private skipped = 0;
  private sent = 0;
  private results = 0;
  private passed = 0;
  private failed = 0;
  private errors = 0;
  private evicted = 0;
  private readonly unknown = new Set<string>();
  private readonly warnedCaptures = new Set<string>();

  constructor(private readonly opts: ReplayOptions) {
    this.ctx = opts.ctx;
    this.cfg = opts.config;
    this.concurrency = Math.max(1, Math.floor(opts.config.concurrency || 1));
    this.maxBuffered = Math.max(1, opts.maxBufferedPairs ?? Math.max(256, this.concurrency * 64));
    this.maxIdle = Math.max(0, opts.maxIdleSessions ?? 100_000);
    this.maxBodyBytes = Math.max(0, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.filter = compileFilter(opts.config.include ?? [], opts.config.exclude ?? []);
    this.endpointOf = opts.endpointOf ?? ((p) => endpointKey(p.request.method, p.request.url));
    this.rt = defaultRuntimeEnv({ now: () => this.ctx.clock.now(), ...opts.runtime });
    let target: URL;
    try {
      target = new URL(opts.target);
    } catch {
      throw new Error(`replay target "${opts.target}" is not a valid URL (expected e.g. http://127.0.0.1:8080)`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new Error(`replay target "${opts.target}" must be an http:// or https:// URL`);
    }
    this.targetOrigin = target.origin;
    this.targetBase = target.pathname.replace(/\/+$/, '');
    this.captures = {};
    for (const [name, expr] of Object.entries(opts.config.capture ?? {})) {
      const problem = validateCapture(expr);
      if (problem) this.ctx.logger.warn(`replay.capture.${name} "${expr}" ignored: ${problem}`);
      else this.captures[name] = expr;
    }
    this.extraHeaders = Object.entries(opts.config.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
    this.hasCaptures = Object.keys(this.captures).length > 0;
    const { time_scale: scale, max_delay: cap } = this.cfg;
    this.thinkEnabled = !!cap && cap > 0 && !!scale && scale > 0 && Number.isFinite(scale);
    this.ownClient = !opts.client;
    this.client = opts.client ?? createClient({ connections: this.concurrency, preserveHost: opts.preserveHost, clock: this.ctx.clock });
  }

  async run(): Promise<ReplaySummary> {
    const startedAt = new Date(this.ctx.clock.now()).toISOString();
    const t0 = this.ctx.clock.monotonic();
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const signal = this.opts.signal;
    const onAbort = () => this.stop(typeof signal?.reason === 'string' ? signal.reason : 'cancelled');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    if (!this.stopping) {
      this.iterator = this.opts.pairs[Symbol.asyncIterator]();
      void this.pump();
    }
    this.checkDone();
    try {
      await done;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.ownClient) await this.client.close();
      if (this.stopping && !this.streamEnded) {
        // Let the source release its files; a pending next() finishes first, so do not wait for it.
        this.iterator?.return?.().catch(() => undefined);
      }
    }
    if (this.fatal !== undefined) throw this.fatal;
    if (this.unknown.size) {
      this.ctx.logger.warn(`unknown runtime values left as written: ${[...this.unknown].map((u) => `{{${u}}}`).join(', ')}`);
    }
    return {
      sent: this.sent,
      results: this.results,
      aborted: this.abortReason !== undefined,
      abortReason: this.abortReason,
      durationMs: Math.max(0, this.ctx.clock.monotonic() - t0),
      startedAt,
      skipped: this.skipped,
      passed: this.passed,
      failed: this.failed,
      errors: this.errors,
      unknownPlaceholders: [...this.unknown],
      evictedSessions: this.evicted,
    };
  }

  // --- reading --------------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    const it = this.iterator!;
    try {
      for (;;) {
        while (this.queued >= this.maxBuffered && !this.stopping) {
          await new Promise<void>((r) => (this.wakeReader = r));
        }
        if (this.stopping) return;
        const next = await it.next();
        if (this.stopping) return;
        if (next.done) break;
        this.accept(next.value);
      }
      this.streamEnded = true;
    } catch (err) {
      this.streamEnded = true;
      this.fail(err);
    }
    this.checkDone();
  }

  private accept(pair: Pair): void {
    this.read++;
    if (pair.direction !== 'in') {
      this.skipped++;
      return;
    }
    const endpoint = this.endpointOf(pair);
    const session = pair.session ?? 'default';
    if (!this.filter(endpoint, session)) {
      this.skipped++;
      return;
    }
    let s = this.sessions.get(session);
    if (!s) {
      s = { id: session, queue: [], busy: false, started: false, vars: new SessionVars(session) };
      this.sessions.set(session, s);
    }
    this.idle.delete(session);
    // Keep the buffered part of a session in seq order even if the source interleaved it.
    const q = s.queue;
    let i = q.length;
    while (i > 0 && q[i - 1].pair.seq > pair.seq) i--;
    if (i === q.length) q.push({ pair, endpoint });
    else q.splice(i, 0, { pair, endpoint });
    this.queued++;
    if (!s.busy) this.activate(s);
  }

  // --- scheduling -----------------------------------------------------------------------------------

  /** Schedule the head pair of an idle session with pending pairs: after its think-time, then a slot. */
  private activate(s: SessionState): void {
    s.busy = true;
    const delay = this.thinkTime(s);
    if (delay > 0) {
      s.timer = setTimeout(() => {
        s.timer = undefined;
        if (this.stopping) return;
        this.ready.add(s);
        this.schedule();
      }, delay);
    } else {
      this.ready.add(s);
      this.schedule();
    }
  }

  /** Remaining wait before the session's head pair: recorded gap / time_scale, capped, from last completion. */
  private thinkTime(s: SessionState): number {
    if (!this.thinkEnabled || s.lastDone === undefined || s.lastTs === undefined) return 0;
    const { time_scale: scale, max_delay: cap } = this.cfg;
    const ts = Date.parse(s.queue[0].pair.ts);
    if (!Number.isFinite(ts)) return 0;
    const gap = Math.min(Math.max(0, ts - s.lastTs) / scale, cap);
    return Math.max(0, Math.ceil(s.lastDone + gap - this.ctx.clock.monotonic()));
  }

  private schedule(): void {
    while (!this.stopping && this.inFlight < this.concurrency && this.ready.size > 0) {
      const s = this.ready.values().next().value as SessionState;
      this.ready.delete(s);
      this.inFlight++;
      void this.execute(s);
    }
  }

  private async execute(s: SessionState): Promise<void> {
    const item = s.queue.shift()!;
    this.queued--;
    this.wake();
    const { pair } = item;
    try {
      if (!s.started) {
        s.started = true;
        await this.opts.onSessionStart?.(s.id);
      }
      if (!this.stopping) {
        this.opts.beforeRequest?.(s.id);
        const result = await this.send(s, item);
        if (result) {
          const delivering = this.deliver(result);
          if (delivering) await delivering;
        }
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.inFlight--;
      s.busy = false;
      if (this.thinkEnabled) {
        s.lastDone = this.ctx.clock.monotonic();
        const ts = Date.parse(pair.ts);
        if (Number.isFinite(ts)) s.lastTs = ts;
      }
      if (!this.stopping) {
        if (s.queue.length > 0) this.activate(s);
        else this.markIdle(s);
        this.schedule();
      }
      this.checkDone();
    }
  }

  private markIdle(s: SessionState): void {
    this.idle.delete(s.id);
    this.idle.add(s.id);
    while (this.idle.size > this.maxIdle) {
      const oldest = this.idle.values().next().value as string;
      this.idle.delete(oldest);
      this.sessions.delete(oldest);
      if (this.evicted++ === 0) {
        this.ctx.logger.debug(`replay: more than ${this.maxIdle} idle sessions; dropping the oldest idle sessions' state`);
      }
    }
  }

  private wake(): void {
    if (this.wakeReader && this.queued < this.maxBuffered) {
      const w = this.wakeReader;
      this.wakeReader = undefined;
      w();
    }
  }

  private stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.abortReason = reason;
    for (const s of this.sessions.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
    }
    this.ready.clear();
    this.runAbort.abort();
    this.wake();
    const w = this.wakeReader;
    this.wakeReader = undefined;
    w?.();
    this.checkDone();
  }

  private fail(err: unknown): void {
    if (this.fatal === undefined) this.fatal = err;
    this.stop(`error: ${err instanceof Error ? err.message : String(err)}`);
  }

  private checkDone(): void {
    if (this.inFlight > 0) return;
    if (this.stopping || (this.streamEnded && this.queued === 0)) this.finish?.();
  }

  // --- one request ------------------------------------------------------------------------------------

  private onUnknown = (expr: string): void => {
    if (this.unknown.has(expr)) return;
    this.unknown.add(expr);
    this.ctx.logger.warn(`runtime value {{${expr}}} is unknown; left as written`);
  };

  private inject(s: SessionState, pair: Pair): { originForm: string; headers: Record<string, string | string[]>; body?: Buffer } {
    const v = s.vars;
    const rec = pair.request;
    // Fast paths: most requests have no placeholders and their session no correlations yet.
    const plain = v.correlations.size === 0;
    const url = plain && !rec.url.includes('{{') ? rec.url : interpolate(v.replaceUrl(rec.url), v, this.rt, this.onUnknown, urlSafe);
    let originForm: string;
    if (url.charCodeAt(0) === 47 /* / */ && url.charCodeAt(url.length - 1) !== 63 /* ? */ && !url.includes('#')) {
      originForm = this.targetBase + url;
    } else {
      const { path, query } = splitUrl(url);
      originForm = this.targetBase + path + (query ? `?${query}` : '');
    }

    const recHeaders = rec.headers;
    if (plain && this.extraHeaders.length === 0 && recHeaders && verbatimHeaders(recHeaders)) {
      // Nothing to inject or rename: send the recorded headers object itself (no one mutates it).
      return { originForm, headers: recHeaders, body: this.body(v, rec, plain) };
    }
    const headers: Record<string, string | string[]> = {};
    const text = (x: string) => (plain && !x.includes('{{') ? x : interpolate(v.replaceText(x), v, this.rt, this.onUnknown));
    if (recHeaders) {
      for (const k in recHeaders) {
        if (!Object.prototype.hasOwnProperty.call(recHeaders, k)) continue;
        const val = recHeaders[k];
        headers[k.toLowerCase()] = Array.isArray(val) ? val.map(text) : text(val);
      }
    }
    for (const [k, val] of this.extraHeaders) {
      const value = interpolate(val, v, this.rt, this.onUnknown);
      if (value === '') delete headers[k];
      else headers[k] = value;
    }

    return { originForm, headers, body: this.body(v, rec, plain) };
  }

  /** The request body to send, with runtime values and correlations injected. */
  private body(v: SessionVars, rec: Pair['request'], plain: boolean): Buffer | undefined {
    if (rec.body === undefined) return undefined;
    if (rec.bodyEncoding === 'base64') return bodyBytes(rec.body, 'base64');
    let t = rec.body;
    if (!plain || t.includes('{{')) {
      const ct = contentType(rec.headers ?? {});
      if (isJsonType(ct)) t = interpolate(v.replaceJson(t), v, this.rt, this.onUnknown, jsonSafe);
      else if (isFormType(ct)) t = interpolate(v.replaceUrl(t), v, this.rt, this.onUnknown, urlSafe);
      else t = interpolate(v.replaceText(t), v, this.rt, this.onUnknown);
    }
    return Buffer.from(t, 'utf8');
  }

  /** Send one pair and build its result; undefined when the run stopped before it was sent. */
  private async send(s: SessionState, item: Queued): Promise<RequestResult | undefined> {
    const { pair, endpoint } = item;
    const method = pair.request.method.toUpperCase();
    let req: ReturnType<Replay['inject']>;
    try {
      req = this.inject(s, pair);
    } catch (err) {
      return {
        pairId: pair.id,
        session: s.id,
        seq: pair.seq,
        method,
        endpoint,
        recordedLatencyMs: pair.duration,
        expectedStatus: pair.response?.status,
        url: redactUrl(pair.request.url),
        startedAt: new Date(this.ctx.clock.now()).toISOString(),
        error: { code: 'invalid-request', message: err instanceof Error ? err.message : String(err) },
        outcome: 'error',
      };
    }
    const startedAt = new Date(this.ctx.clock.now()).toISOString();
    this.sent++;
    const res = await this.client.send(
      { method, url: this.targetOrigin + req.originForm, headers: req.headers, body: req.body },
      { timeoutMs: this.cfg.timeout, signal: this.runAbort.signal },
    );
    const url = mayHaveSecretQuery(req.originForm) ? redactUrl(req.originForm) : req.originForm;
    if (!res.ok) {
      return {
        pairId: pair.id,
        session: s.id,
        seq: pair.seq,
        method,
        endpoint,
        recordedLatencyMs: pair.duration,
        expectedStatus: pair.response?.status,
        url,
        startedAt,
        latencyMs: undefined,
        error: res.error,
        outcome: 'error',
      };
    }
    return this.evaluate(s, pair, method, endpoint, url, startedAt, res);
  }

  private isSecret(name: string): boolean {
    let secret = this.secretNames.get(name);
    if (secret === undefined) {
      secret = isSecretHeader(name);
      if (this.secretNames.size < 4096) this.secretNames.set(name, secret);
    }
    return secret;
  }

  /** Response headers as kept in a result: the same object when no header is secret, else a masked copy. */
  private keptHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
    for (const k in headers) if (this.isSecret(k)) return redactHeaders(headers);
    return headers;
  }

  private evaluate(s: SessionState, pair: Pair, method: string, endpoint: string, url: string, startedAt: string, res: SendResponse): RequestResult {
    const text = res.body.length === 0 ? undefined : isUtf8(res.body) ? res.body.toString('utf8') : undefined;
    const binary = res.body.length > 0 && text === undefined;
    const actual: ActualResponse = {
      status: res.status,
      headers: res.headers,
      body: binary ? res.body.toString('base64') : text,
      bodyEncoding: res.body.length === 0 ? undefined : binary ? 'base64' : 'utf8',
    };

    // Without captures only a `location` header can teach a correlation: skip the work when there is none.
    if (this.hasCaptures || (this.opts.correlateLocation !== false && pair.response && hasHeader(res.headers, 'location'))) {
      const rec = pair.response
        ? new CaptureSource(pair.response.headers ?? {}, bodyText(pair.response.body, pair.response.bodyEncoding))
        : undefined;
      const out = applyCaptures(s.vars, this.captures, new CaptureSource(res.headers, text), rec, {
        correlateLocation: this.opts.correlateLocation,
      });
      for (const e of out.errors) {
        if (this.warnedCaptures.has(e.name)) continue;
        this.warnedCaptures.add(e.name);
        this.ctx.logger.warn(`replay.capture.${e.name} failed: ${e.message}`);
      }
      if (out.correlated.length) {
        this.ctx.logger.debug(`session ${s.id}: correlated ${out.correlated.map(([r, l]) => `${r} → ${l}`).join(', ')}`);
      }
    }

    const kept: RequestResult['actual'] = {
      status: res.status,
      headers: this.keptHeaders(res.headers),
    };
    if (res.body.length > 0) {
      const truncated = res.body.length > this.maxBodyBytes;
      const slice = truncated ? res.body.subarray(0, this.maxBodyBytes) : res.body;
      kept.body = binary ? slice.toString('base64') : truncated ? truncateText(res.body, this.maxBodyBytes) : text;
      kept.bodyEncoding = binary ? 'base64' : 'utf8';
      if (truncated) kept.truncated = true;
    }

    // The fields in the order result lines have always had.
    const result: RequestResult = {
      pairId: pair.id,
      session: s.id,
      seq: pair.seq,
      method,
      endpoint,
      recordedLatencyMs: pair.duration,
      expectedStatus: pair.response?.status,
      url,
      startedAt,
      latencyMs: res.latencyMs,
      actualStatus: res.status,
      actual: kept,
      outcome: 'pass',
    };
    if (!pair.response) {
      result.outcome = res.status < 500 ? 'pass' : 'fail';
      result.note = 'no recorded response: passes when the status is below 500';
      return result;
    }
    try {
      const validation = this.opts.validate(pair, actual);
      result.validation = validation;
      result.outcome = validation.pass ? 'pass' : 'fail';
    } catch (err) {
      result.outcome = 'error';
      result.error = { code: 'validate-error', message: err instanceof Error ? err.message : String(err) };
    }
    return result;
  }

  /**
   * Hand a result to onResult (serialised, completion order), count it, emit progress, poll cutoffs.
   * Resolves when this result's onResult has resolved; nothing is awaited when onResult is synchronous.
   */
  private deliver(r: RequestResult): void | Promise<void> {
    if (this.delivering) return new Promise<void>((resolve, reject) => this.waiting.push({ r, resolve, reject }));
    return this.deliverNow(r);
  }

  private deliverNow(r: RequestResult): void | Promise<void> {
    if (this.fatal !== undefined) return;
    this.delivering = true;
    let pending: void | Promise<void>;
    try {
      pending = this.opts.onResult(r);
    } catch (err) {
      this.delivering = false;
      this.fail(err); // later results are not delivered
      this.drainDeliveries();
      throw err;
    }
    if (pending && typeof (pending as Promise<void>).then === 'function') {
      return (pending as Promise<void>).then(
        () => {
          this.delivered(r);
          this.delivering = false;
          this.drainDeliveries();
        },
        (err: unknown) => {
          this.delivering = false;
          this.fail(err); // later results are not delivered
          this.drainDeliveries();
          throw err;
        },
      );
    }
    this.delivered(r);
    this.delivering = false;
    this.drainDeliveries();
  }

  /** Start the next waiting delivery (one at a time). */
  private drainDeliveries(): void {
    while (!this.delivering && this.waiting.length > 0) {
      const w = this.waiting.shift()!;
      let pending: void | Promise<void>;
      try {
        pending = this.deliverNow(w.r);
      } catch (err) {
        w.reject(err);
        continue;
      }
      if (pending) pending.then(w.resolve, w.reject);
      else w.resolve();
    }
  }

  /** Count a delivered result, emit progress, poll cutoffs. */
  private delivered(r: RequestResult): void {
    this.results++;
    if (r.outcome === 'pass') this.passed++;
    else if (r.outcome === 'fail') this.failed++;
    else if (r.outcome === 'error') this.errors++;
    this.ctx.events.emit('request:done', {
      runId: this.opts.runId ?? '',
      done: this.results,
      total: this.opts.total ?? this.read - this.skipped,
      passed: this.passed,
      failed: this.results - this.passed,
    });
    if (!this.stopping && this.opts.shouldStop) {
      const reason = this.opts.shouldStop();
      if (reason) this.stop(reason);
    }
  }
}
