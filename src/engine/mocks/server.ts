/**
 * One in-process mock server on node:http for one dependency. Matched requests are answered from
 * precomputed status/header arrays/body Buffers; misses are answered with a configurable status (default 501,
 * a JSON body naming the nearest stubs) or passed through to a real URL, and recorded as UnmatchedCall data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Agent, request as undiciRequest } from 'undici';
import type { MockServiceConfig } from '../config/types.js';
import type { Headers } from '../store/model.js';
import { compileStubs, HOP_HEADERS, type CompiledStub } from './compiled-stub.js';
import { findNearest } from './nearest.js';
import { MockRequest } from './request.js';
import type { StubDefinition } from './stub.js';
import { advance, StubIndex, type ScenarioStates } from './stub-index.js';
import type { MockStats, UnmatchedCall } from './types.js';
import { redactMatcherFailure, redactUrl } from '../redact.js';

export interface MockCallEvent {
  service: string;
  method: string;
  url: string;
  matched: boolean;
  stubId?: string;
  /** Status answered (for a passthrough: set once the real service answered, else the configured status). */
  status?: number;
  /** A miss: the id of its UnmatchedCall record and the nearest stub's summary with why it failed. */
  unmatchedId?: string;
  nearest?: { stubId: string; summary: string; why: string };
}

export interface MockServerOptions {
  /** Called after every call is answered (matched or not). */
  onCall?: (e: MockCallEvent) => void;
  /** Keep at most this many unmatched calls (default 10,000); counters keep counting. */
  maxUnmatched?: number;
  /**
   * Header naming the replay session of a call (e.g. `x-reprise-session`). Calls carrying it get sequence and
   * scenario state of their own per value, so parallel sessions do not share sequences. Needs the service to
   * forward the header to its dependencies; calls without it use the shared state.
   */
  sessionHeader?: string;
  /** Session states kept at most (oldest dropped first). Default 10,000. */
  maxSessions?: number;
}

/** `POST <this>` on any mock resets every sequence and scenario (like WireMock's /__admin/scenarios/reset). */
export const RESET_PATH = '/__reprise/reset';

const EMPTY = Buffer.alloc(0);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-access-token', 'x-csrf-token', 'x-xsrf-token']);
/** Not copied by passthrough, either way: hop-by-hop and framing headers, plus the request's te and host. */
const HOP = new Set([...HOP_HEADERS, 'te', 'host']);

/** Replace values of secret headers with "[redacted]". */
export function redactHeaders(h: Headers): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h)) {
    const lower = k.toLowerCase();
    out[lower] = SECRET_HEADERS.has(lower) || /secret|token|password|api[-_]?key/.test(lower) ? (Array.isArray(v) ? v.map(() => '[redacted]') : '[redacted]') : v;
  }
  return out;
}

export class MockServer {
  readonly service: string;
  private server?: http.Server;
  private readonly index: StubIndex;
  private readonly states: ScenarioStates = new Map();
  private readonly sessionStates = new Map<string, ScenarioStates>();
  private readonly sessionHeader?: string;
  private activeSession?: string;
  private readonly unmatchedCalls: UnmatchedCall[] = [];
  private counters = { calls: 0, matched: 0, unmatched: 0 };
  private readonly factor: number;
  private agent?: Agent;
  private readonly sockets = new Set<import('node:net').Socket>();
  private boundPort = 0;
  onCall?: (e: MockCallEvent) => void;

  constructor(
    readonly config: MockServiceConfig,
    stubs: StubDefinition[],
    private readonly opts: MockServerOptions = {},
  ) {
    this.service = config.service;
    this.index = new StubIndex(compileStubs(stubs, config.sequence));
    this.factor = config.timing === 'none' ? 0 : config.timing === 'recorded' ? 1 : Number(config.timing);
    this.onCall = opts.onCall;
    this.sessionHeader = opts.sessionHeader?.toLowerCase();
  }

  get stubCount(): number {
    return this.index.size;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const h = this.config.host || '127.0.0.1';
    const host = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
    return `http://${host}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    const host = this.config.host || '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') reject(new Error(`mock '${this.service}': port ${this.config.port} is already in use`));
        else if (err.code === 'EACCES') reject(new Error(`mock '${this.service}': no permission to listen on ${host}:${this.config.port}`));
        else reject(new Error(`mock '${this.service}': cannot listen on ${host}:${this.config.port}: ${err.message}`));
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.config.port, host);
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await closed;
    }
    if (this.agent) {
      const a = this.agent;
      this.agent = undefined;
      await a.close().catch(() => {});
    }
  }

  stats(): MockStats {
    return { service: this.service, port: this.boundPort, ...this.counters };
  }

  unmatched(): UnmatchedCall[] {
    return [...this.unmatchedCalls];
  }

  /**
   * Every sequence and scenario back to its first state (a new isolated replay session). With a session
   * name, only that session's own state (see `sessionHeader`); without, the shared state and every session's.
   */
  resetSequences(session?: string): void {
    if (session !== undefined) {
      this.sessionStates.delete(session);
      return;
    }
    this.states.clear();
    this.sessionStates.clear();
  }

  /**
   * The replay session whose request is in flight (serial isolation: with replay concurrency 1 exactly one
   * inbound request is in flight, so every call the service makes meanwhile belongs to that session).
   */
  setActiveSession(session: string | undefined): void {
    this.activeSession = session;
  }

  /** Sequence/scenario state a request reads and advances: its session's when it names one, else the shared one. */
  private statesFor(req: MockRequest): ScenarioStates {
    const v = this.sessionHeader ? req.headers[this.sessionHeader]?.[0] : this.activeSession;
    if (!v) return this.states;
    let st = this.sessionStates.get(v);
    if (!st) {
      if (this.sessionStates.size >= (this.opts.maxSessions ?? 10_000)) {
        this.sessionStates.delete(this.sessionStates.keys().next().value as string);
      }
      this.sessionStates.set(v, (st = new Map()));
    }
    return st;
  }

  /** Clear counters and the unmatched log (stubs and states stay). */
  resetStats(): void {
    this.counters = { calls: 0, matched: 0, unmatched: 0 };
    this.unmatchedCalls.length = 0;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] === undefined || req.headers['content-length'] === '0')) {
      this.dispatch(req, res, EMPTY);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.dispatch(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', () => res.destroy());
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (url.startsWith(RESET_PATH) && method === 'POST' && (url.length === RESET_PATH.length || url[RESET_PATH.length] === '?')) {
      this.resetSequences();
      res.writeHead(204, { 'x-reprise-reset': '1' });
      res.end();
      return;
    }
    const mreq = new MockRequest(method, url, req.headers, body);
    this.counters.calls++;
    const states = this.statesFor(mreq);
    const stub = this.index.find(mreq, states);
    if (stub) {
      advance(stub, states);
      this.counters.matched++;
      const delay = stub.delayMs * this.factor;
      if (delay > 0) setTimeout(() => this.send(res, stub), delay);
      else this.send(res, stub);
      this.onCall?.({ service: this.service, method, url, matched: true, stubId: stub.id, status: stub.status });
      return;
    }
    this.counters.unmatched++;
    void this.answerUnmatched(mreq, req, res, states).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `reprise: passthrough failed: ${(err as Error).message}` }));
      } else res.destroy();
    });
  }

  private send(res: http.ServerResponse, stub: CompiledStub): void {
    if (res.destroyed) return;
    res.writeHead(stub.status, stub.headers);
    res.end(stub.body);
  }

  private async answerUnmatched(mreq: MockRequest, req: http.IncomingMessage, res: http.ServerResponse, states: ScenarioStates): Promise<void> {
    // What is recorded is shown and saved: secret header and query values are masked, in the request and in
    // the nearest stubs' explanations alike.
    const nearest = findNearest(this.index.all, mreq, states).map((n) => ({ ...n, failures: n.failures.map(redactMatcherFailure) }));
    const headers: Headers = {};
    for (const [k, v] of Object.entries(mreq.headers)) headers[k] = v.length === 1 ? v[0] : v;
    const text = mreq.body.length && isUtf8(mreq.body);
    const call: UnmatchedCall = {
      id: randomUUID(),
      service: this.service,
      at: new Date().toISOString(),
      request: {
        method: mreq.method,
        url: redactUrl(mreq.url),
        headers: redactHeaders(headers),
        ...(mreq.body.length ? { body: text ? mreq.text : mreq.body.toString('base64'), bodyEncoding: text ? ('utf8' as const) : ('base64' as const) } : {}),
      },
      nearest,
      answeredWith: { status: this.config.unmatched.status },
    };
    const pass = this.config.unmatched.passthrough;
    // Recorded before answering, so whoever got the answer can already see the call.
    this.record(call);
    const near = nearest[0];
    const event: MockCallEvent = {
      service: this.service,
      method: mreq.method,
      url: mreq.url,
      matched: false,
      status: pass ? 502 : this.config.unmatched.status,
      unmatchedId: call.id,
      ...(near ? { nearest: { stubId: near.stubId, summary: near.summary, why: near.failures.map((f) => f.message).join('; ') } } : {}),
    };
    if (pass) {
      call.answeredWith = { status: 502, passthrough: pass };
      try {
        await this.passthrough(pass, req, mreq, res, (st) => (call.answeredWith.status = event.status = st));
      } finally {
        this.onCall?.(event);
      }
    } else {
      this.onCall?.(event);
      const payload = Buffer.from(
        JSON.stringify({
          error: 'reprise: no stub matched',
          service: this.service,
          request: { method: mreq.method, url: mreq.url },
          nearest: nearest.map((n) => ({ stubId: n.stubId, distance: n.distance, summary: n.summary, failures: n.failures.map((f) => f.message) })),
        }),
      );
      res.writeHead(this.config.unmatched.status, { 'content-type': 'application/json', 'content-length': payload.length, 'x-reprise-unmatched': '1' });
      res.end(payload);
    }
  }

  private record(call: UnmatchedCall): void {
    const max = this.opts.maxUnmatched ?? 10_000;
    if (this.unmatchedCalls.length < max) this.unmatchedCalls.push(call);
  }

  private async passthrough(base: string, req: http.IncomingMessage, mreq: MockRequest, res: http.ServerResponse, onStatus: (status: number) => void): Promise<number> {
    this.agent ??= new Agent({ keepAliveTimeout: 10_000 });
    const target = new URL(base);
    const prefix = target.pathname.replace(/\/$/, '');
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    const r = await undiciRequest(target.origin + prefix + mreq.url, {
      method: mreq.method as 'GET',
      headers: out,
      body: mreq.body.length ? mreq.body : undefined,
      dispatcher: this.agent,
    });
    const body = Buffer.from(await r.body.arrayBuffer());
    const flat: string[] = [];
    for (const [k, v] of Object.entries(r.headers)) {
      if (v === undefined || HOP.has(k)) continue;
      for (const one of Array.isArray(v) ? v : [v]) flat.push(k, String(one));
    }
    flat.push('content-length', String(body.length), 'x-reprise-passthrough', '1');
    onStatus(r.statusCode);
    res.writeHead(r.statusCode, flat);
    res.end(body);
    return r.statusCode;
  }
}
