/**
 * Records new traffic locally: an inbound reverse proxy in front of the app and an outbound forward proxy
 * for the app's HTTP_PROXY, writing Reprise's native store.
 *
 *   <out>/inbound.jsonl              what clients sent to the app and got back (direction "in", origin-form URLs)
 *   <out>/<service>/outbound.jsonl   the app's calls to each dependency (direction "out", absolute URLs)
 *   <out>/tunnels.jsonl              CONNECT tunnels whose content the proxy cannot see (TLS): meta only
 *
 * Faithfulness: requests and responses are forwarded as received — method, path, header names in their
 * case and order, repeats, status line, body bytes (streamed with backpressure), trailers — minus the
 * hop-by-hop headers a proxy must not forward. Chunked stays chunked; a compressed body passes through
 * compressed. Recording works on a tee of the bytes (capped at `maxBodyBytes` per body) and never delays
 * or alters what is passed on. Stored bodies are decoded (see body.ts for why and what meta keeps).
 *
 * Proxies and plain HTTP: an absolute-form request (`GET http://host/path`, what most HTTP_PROXY clients
 * send for http:// URLs) is forwarded and recorded. A CONNECT tunnel is opened to the host; when the
 * client's first bytes are a plain HTTP/1 request (undici's ProxyAgent, and so Node's fetch, tunnels
 * http:// URLs too), the tunnel's requests are recorded like absolute-form ones; otherwise (TLS) the bytes
 * are piped both ways unseen and the tunnel is recorded in tunnels.jsonl: a pair with method CONNECT, the
 * authority as URL, status 200 (502 when the host could not be reached), no body, and
 * `meta.tunnel = {host, port, bytesUp, bytesDown, connectMs}`. They live in their own file so mocks built
 * from a service folder never see them. WebSocket upgrades on the inbound port are passed through unrecorded.
 *
 * An exchange whose upstream never answered (connection refused, client gone before the response) gets a
 * 502 from the proxy (when the client is still there) and is not recorded — it is not the app's traffic.
 * An exchange cut off after the response started is recorded with what arrived and `meta.incomplete`.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { EngineContext } from '../context.js';
import type { Headers, Pair, PairInput } from '../store/model.js';
import { originForm } from '../store/http-util.js';
import { redactHeaders, redactJsonText, redactUrl } from '../redact.js';
import { BodyTap, recordBody, type RecordedBody } from './body.js';
import { forwardHeaders, hasRawHeader, parseAuthority, recordHeaders, safeServiceName, trailerPairs } from './http-bits.js';
import { SessionTracker, traceIdOf, type OutboundLink } from './sessions.js';
import { PairSink } from './sink.js';

export type RecordKind = 'inbound' | 'outbound' | 'tunnel';

export interface RecorderOptions {
  /** The app's base URL (`http://127.0.0.1:8080`); a path in it is prefixed to every forwarded path. */
  appUrl: string;
  /** Inbound (reverse proxy) port; 0 picks a free one. Default 4143. */
  inPort?: number;
  /** Outbound (forward proxy, the app's HTTP_PROXY) port; 0 picks a free one. Default 4140. */
  outPort?: number;
  /** Address both proxies listen on. Default 127.0.0.1. */
  host?: string;
  /** Store folder. */
  out: string;
  /** Header naming the session of an inbound request. Default `x-session-id`. */
  sessionHeader?: string;
  /** Cookie naming the session (when the header is absent). */
  sessionCookie?: string;
  /** Mask secret headers (authorization, cookie, set-cookie, api keys…), secret query parameters and `redactPaths` in what is stored. Default false. */
  redact?: boolean;
  /** JSONPaths masked in JSON bodies when `redact` is on. */
  redactPaths?: string[];
  ctx: EngineContext;
  /** Service name of a called host (without port); `url` is the full request URL. Default: the host. */
  serviceName?: (host: string, url: string) => string | undefined;
  /** Bytes kept per body for the store; beyond it the body is not stored (`meta.truncated`). Default 10 MB. */
  maxBodyBytes?: number;
  /** On stop, how long in-flight exchanges may take to finish before connections are cut. Default 3000 ms. */
  drainMs?: number;
  /** Called with each pair once it is written. */
  onPair?: (pair: PairInput, kind: RecordKind) => void;
}

export interface RecorderStats {
  inbound: number;
  outbound: number;
  tunnels: number;
  /** Exchanges not recorded (upstream unreachable, client gone) and write failures. */
  errors: number;
  /** Inbound requests in flight now. */
  inFlight: number;
}

export interface Recorder {
  /** Where clients send traffic (the inbound reverse proxy). */
  inUrl: string;
  /** The app's HTTP_PROXY (the outbound forward proxy). */
  outProxyUrl: string;
  /** Absolute store folder. */
  outDir: string;
  stats(): RecorderStats;
  /** Store files written so far, relative to `outDir`. */
  files(): string[];
  /** Stop accepting, let in-flight exchanges finish (up to `drainMs`), cut the rest, flush and close the files. */
  stop(): Promise<void>;
}

const INBOUND_FILE = 'inbound.jsonl';
const TUNNELS_FILE = 'tunnels.jsonl';
/** Recorded for outbound requests but not part of the call to the dependency. */
const PROXY_ONLY = new Set(['proxy-authorization', 'proxy-connection']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

interface Target {
  protocol: string;
  hostname: string;
  port: number;
  path: string;
  hostHeader: string;
}

interface Exchange {
  ts: string;
  duration: number;
  response?: { status: number; rawHeaders: string[]; rawTrailers: string[] };
  reqTap: BodyTap;
  resTap: BodyTap;
  complete: boolean;
  error?: string;
}

function urlHost(h: string): string {
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function looksLikeHttp(first: Buffer): boolean {
  return /^[A-Z]{3,10} (\/|\*|[a-z]+:\/\/)/.test(first.subarray(0, 32).toString('latin1'));
}

function sideMeta(meta: Record<string, Record<string, unknown>>, side: 'request' | 'response', b: RecordedBody): void {
  const put = (key: string, v: unknown) => {
    if (v === undefined) return;
    (meta[key] ??= {})[side] = v;
  };
  put('contentEncoding', b.contentEncoding);
  put('wireLength', b.wireLength);
  put('truncated', b.truncated);
  put('decodeError', b.decodeError);
}

function linkMeta(link: OutboundLink): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (link.inboundId) meta.inboundId = link.inboundId;
  if (link.inboundCandidates) meta.inboundCandidates = link.inboundCandidates;
  if (link.linkedBy) meta.linkedBy = link.linkedBy;
  return meta;
}

function redactPair(p: PairInput, paths: string[]): PairInput {
  const req = p.request;
  const out: PairInput = {
    ...p,
    request: {
      ...req,
      url: redactUrl(req.url),
      headers: redactHeaders(req.headers),
      ...(req.body !== undefined && req.bodyEncoding === undefined ? { body: redactJsonText(req.body, paths) } : {}),
    },
    meta: { ...(p.meta ?? {}), redacted: true },
  };
  if (p.response) {
    const r = p.response;
    out.response = {
      ...r,
      headers: redactHeaders(r.headers),
      ...(r.body !== undefined && r.bodyEncoding === undefined ? { body: redactJsonText(r.body, paths) } : {}),
    };
  }
  const trailers = p.meta?.trailers as Headers | undefined;
  if (trailers) (out.meta as Record<string, unknown>).trailers = redactHeaders(trailers);
  return out;
}

async function listen(server: net.Server, port: number, host: string, what: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs more permissions' : err.message;
      reject(new Error(`reprise record: ${what} port ${host}:${port} ${why}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  return (server.address() as AddressInfo).port;
}

export async function startRecorder(opts: RecorderOptions): Promise<Recorder> {
  const { ctx } = opts;
  const log = ctx.logger;
  let app: URL;
  try {
    app = new URL(opts.appUrl);
  } catch {
    throw new Error(`reprise record: app URL '${opts.appUrl}' is not a URL`);
  }
  if (app.protocol !== 'http:' && app.protocol !== 'https:') throw new Error(`reprise record: app URL must be http(s), got '${opts.appUrl}'`);
  const appBase = app.pathname.replace(/\/+$/, '');
  const appPort = Number(app.port || (app.protocol === 'https:' ? 443 : 80));
  const appHostname = app.hostname.replace(/^\[|\]$/g, '');

  const host = opts.host ?? '127.0.0.1';
  const cap = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const drainMs = opts.drainMs ?? 3000;
  const redact = !!opts.redact;
  const redactPaths = opts.redactPaths ?? [];
  const outDir = path.resolve(opts.out);
  const tag = randomBytes(3).toString('hex');
  const sessions = new SessionTracker({ header: opts.sessionHeader, cookie: opts.sessionCookie });
  const counts = { inbound: 0, outbound: 0, tunnels: 0, errors: 0 };
  const ids = { in: 0, out: 0, tunnel: 0 };
  const nextId = (k: keyof typeof ids) => `${k}-${tag}-${String(++ids[k]).padStart(4, '0')}`;

  const sink = new PairSink(
    outDir,
    (pair, file) => {
      const kind: RecordKind = file === INBOUND_FILE ? 'inbound' : file === TUNNELS_FILE ? 'tunnel' : 'outbound';
      counts[kind === 'tunnel' ? 'tunnels' : kind]++;
      log.debug(`recorded ${kind} ${pair.request.method} ${pair.request.url} → ${pair.response?.status ?? '-'} (${file})`);
      try {
        opts.onPair?.(pair, kind);
      } catch {
        // a listener's failure never breaks recording
      }
    },
    (err, file) => {
      counts.errors++;
      log.error(`reprise record: cannot write ${file}: ${err.message}`);
    },
  );

  const agentOpts = { keepAlive: true, maxSockets: 256 };
  const httpAgent = new http.Agent(agentOpts);
  const httpsAgent = new https.Agent(agentOpts);
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const sockets = new Set<net.Socket>();
  const trackSocket = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const tunnelRecords = new Set<Promise<void>>();
  let outPort = 0;

  /** Forward one request, stream the response back, tee both bodies. Resolves when the exchange is over. */
  function exchange(req: http.IncomingMessage, res: http.ServerResponse, target: Target): Promise<Exchange> {
    const ts = new Date(ctx.clock.now()).toISOString();
    const t0 = ctx.clock.monotonic();
    const reqTap = new BodyTap(cap);
    const resTap = new BodyTap(cap);
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      let endedAt: number | undefined;
      let response: Exchange['response'];
      const done = (complete: boolean, error?: string) => {
        if (settled) return;
        settled = true;
        resolve({ ts, duration: round2((endedAt ?? ctx.clock.monotonic()) - t0), response, reqTap, resTap, complete, error });
      };
      const headers = forwardHeaders(req.rawHeaders);
      if (!hasRawHeader(headers, 'host')) headers.push('Host', target.hostHeader);
      const isHttps = target.protocol === 'https:';
      let upReq: http.ClientRequest;
      let retried = false;

      const send = () => {
        upReq = (isHttps ? https : http).request({
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: target.path,
          headers,
          agent: isHttps ? httpsAgent : httpAgent,
          ...(isHttps ? { servername: net.isIP(target.hostname) ? undefined : target.hostname } : {}),
        });
        upReq.on('error', (err: NodeJS.ErrnoException) => {
          if (settled) return;
          // A kept-alive socket the server closed just as we reused it: nothing reached the app, so send
          // again on a fresh one (once, and only when the whole request is known to be empty).
          if (!retried && !response && upReq.reusedSocket && req.readableEnded && reqTap.total === 0 && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
            retried = true;
            send();
            upReq.end();
            return;
          }
          if (!res.headersSent) {
            const msg = `reprise record: ${target.protocol}//${target.hostHeader} did not answer: ${err.message}\n`;
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(msg), 'x-reprise-record': 'upstream-error' });
            res.end(msg);
          } else res.destroy();
          done(false, err.message);
        });

        upReq.on('response', (upRes) => {
          response = { status: upRes.statusCode ?? 0, rawHeaders: upRes.rawHeaders, rawTrailers: [] };
          res.sendDate = false;
          res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardHeaders(upRes.rawHeaders));
          upRes.on('data', (c: Buffer) => {
            resTap.push(c);
            if (!res.write(c)) upRes.pause();
          });
          res.on('drain', () => upRes.resume());
          upRes.on('end', () => {
            endedAt = ctx.clock.monotonic();
            if (response) response.rawTrailers = upRes.rawTrailers;
            if (upRes.rawTrailers.length) res.addTrailers(trailerPairs(upRes.rawTrailers));
            res.end();
          });
          upRes.on('close', () => {
            if (upRes.complete) return;
            res.destroy();
            done(false, 'upstream closed the connection mid-body');
          });
          upRes.on('error', () => {});
        });
      };
      send();

      req.on('data', (c: Buffer) => reqTap.push(c));
      req.pipe(upReq!, { end: false });
      req.on('end', () => {
        if (retried) return;
        if (req.rawTrailers.length) upReq.addTrailers(trailerPairs(req.rawTrailers));
        upReq.end();
      });
      req.on('error', () => upReq.destroy());
      res.on('close', () => {
        if (res.writableFinished) return;
        upReq.destroy();
        done(!!response && !!endedAt, 'client closed the connection');
      });
      res.on('finish', () => done(true));
    });
  }

  /** An exchange → a stored pair (bodies decoded, meta filled, redacted when asked). */
  async function toPair(
    base: Pick<Pair, 'id' | 'session' | 'seq' | 'direction'> & { service?: string; url: string },
    req: http.IncomingMessage,
    x: Exchange,
    meta: Record<string, unknown>,
    dropRequestHeaders?: ReadonlySet<string>,
  ): Promise<PairInput> {
    const m: Record<string, Record<string, unknown>> = {};
    const rq = await recordBody(recordHeaders(req.rawHeaders, dropRequestHeaders), x.reqTap);
    sideMeta(m, 'request', rq);
    let response: PairInput['response'];
    if (x.response) {
      const rs = await recordBody(recordHeaders(x.response.rawHeaders), x.resTap);
      sideMeta(m, 'response', rs);
      response = { status: x.response.status, headers: rs.headers, ...(rs.body !== undefined ? { body: rs.body } : {}), ...(rs.bodyEncoding ? { bodyEncoding: rs.bodyEncoding } : {}) };
      if (x.response.rawTrailers.length) meta.trailers = recordHeaders(x.response.rawTrailers);
    }
    if (!x.complete) {
      meta.incomplete = true;
      if (x.error) meta.error = x.error;
    }
    const pair: PairInput = {
      id: base.id,
      session: base.session,
      seq: base.seq,
      ts: x.ts,
      direction: base.direction,
      ...(base.service ? { service: base.service } : {}),
      request: {
        method: req.method ?? 'GET',
        url: base.url,
        headers: rq.headers,
        ...(rq.body !== undefined ? { body: rq.body } : {}),
        ...(rq.bodyEncoding ? { bodyEncoding: rq.bodyEncoding } : {}),
      },
      ...(response ? { response } : {}),
      duration: x.duration,
      meta: { ...meta, ...m },
    };
    return redact ? redactPair(pair, redactPaths) : pair;
  }

  // ---- inbound: reverse proxy in front of the app ----------------------------------------------------

  const connIds = new WeakMap<net.Socket, string>();
  let connCount = 0;

  function onInbound(req: http.IncomingMessage, res: http.ServerResponse): void {
    const conn = connIds.get(req.socket) ?? `conn-${++connCount}`;
    const { session, source } = sessions.inbound(req.headers, conn);
    const seq = sessions.nextSeq('in', session);
    const id = nextId('in');
    sessions.begin({ id, session, traceId: traceIdOf(req.headers) });
    const url = originForm(req.url ?? '/');
    const target: Target = { protocol: app.protocol, hostname: appHostname, port: appPort, path: appBase + url, hostHeader: app.host };
    const client = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    track(
      (async () => {
        let x: Exchange;
        try {
          x = await exchange(req, res, target);
        } finally {
          sessions.end(id);
        }
        if (!x.response) {
          counts.errors++;
          log.warn(`reprise record: ${req.method} ${url} not recorded: ${x.error ?? 'no response'}`);
          sink.complete(INBOUND_FILE, session, seq, null);
          return;
        }
        sessions.noteSetCookie(session, x.response ? recordHeaders(x.response.rawHeaders)['set-cookie'] : undefined);
        const pair = await toPair({ id, session, seq, direction: 'in', url }, req, x, { client, sessionSource: source });
        sink.complete(INBOUND_FILE, session, seq, pair);
      })().catch((e: Error) => {
        counts.errors++;
        log.error(`reprise record: ${req.method} ${url}: ${e.message}`);
        sink.complete(INBOUND_FILE, session, seq, null);
      }),
    );
  }

  const inServer = http.createServer({ keepAlive: true }, onInbound);
  inServer.on('connection', (s: net.Socket) => {
    connIds.set(s, `conn-${++connCount}`);
    trackSocket(s);
  });
  let warnedUpgrade = false;
  inServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!warnedUpgrade) {
      warnedUpgrade = true;
      log.info(`reprise record: ${req.headers.upgrade ?? 'protocol'} upgrade passed through to the app, not recorded`);
    }
    const upstream = app.protocol === 'https:' ? tls.connect({ host: appHostname, port: appPort, servername: net.isIP(appHostname) ? undefined : appHostname }) : net.connect({ host: appHostname, port: appPort });
    trackSocket(upstream);
    const lines = [`${req.method} ${appBase}${originForm(req.url ?? '/')} HTTP/${req.httpVersion}`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.once(app.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('error', () => (socket.writable ? socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n') : socket.destroy()));
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });

  // ---- outbound: forward proxy for the app's HTTP_PROXY -----------------------------------------------

  function plainError(res: http.ServerResponse, status: number, msg: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(msg + '\n'), 'x-reprise-record': 'proxy-error' });
    res.end(msg + '\n');
  }

  function serviceFor(hostname: string, url: string): string {
    let name: string | undefined;
    try {
      name = opts.serviceName?.(hostname, url);
    } catch {
      name = undefined;
    }
    return safeServiceName(name || hostname);
  }

  /** One request for a dependency: absolute-form on the proxy port, or origin-form inside a CONNECT tunnel to `authority`. */
  function onOutbound(req: http.IncomingMessage, res: http.ServerResponse, authority?: string): void {
    const raw = req.url ?? '/';
    const abs = authority ? `http://${authority}${raw.startsWith('/') ? raw : '/' + raw}` : raw;
    let url: URL | undefined;
    try {
      url = new URL(abs);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:\/\//i.test(abs)) {
      plainError(res, 400, `reprise record: this is the outbound proxy; give the app HTTP_PROXY=${outProxyUrl} (absolute-form requests). Client traffic goes to the inbound port ${inUrl}.`);
      return;
    }
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!authority && LOOPBACK.has(hostname) && port === outPort) {
      plainError(res, 508, 'reprise record: request to the outbound proxy itself (loop)');
      return;
    }
    const service = serviceFor(hostname, url.href);
    const file = `${service}/outbound.jsonl`;
    const link: OutboundLink = sessions.link(req.headers);
    const seq = sessions.nextSeq(`out:${service}`, link.session);
    const id = nextId('out');
    const target: Target = { protocol: url.protocol, hostname, port, path: url.pathname + url.search, hostHeader: url.host };
    const meta: Record<string, unknown> = linkMeta(link);
    if (authority) meta.viaConnect = true;
    track(
      (async () => {
        const x = await exchange(req, res, target);
        if (!x.response) {
          counts.errors++;
          log.warn(`reprise record: ${req.method} ${abs} not recorded: ${x.error ?? 'no response'}`);
          sink.complete(file, link.session, seq, null);
          return;
        }
        const pair = await toPair({ id, session: link.session, seq, direction: 'out', service, url: abs }, req, x, meta, PROXY_ONLY);
        sink.complete(file, link.session, seq, pair);
      })().catch((e: Error) => {
        counts.errors++;
        log.error(`reprise record: ${req.method} ${abs}: ${e.message}`);
        sink.complete(file, link.session, seq, null);
      }),
    );
  }

  const outServer = http.createServer({ keepAlive: true }, (req, res) => onOutbound(req, res));
  outServer.on('connection', trackSocket);
  /** Plain HTTP found inside CONNECT tunnels is served here (sockets are handed over, never listened). */
  const tunnelAuthority = new WeakMap<net.Socket, string>();
  const innerServer = http.createServer({ keepAlive: true }, (req, res) => onOutbound(req, res, tunnelAuthority.get(req.socket) ?? req.headers.host ?? 'unknown'));
  innerServer.on('connection', trackSocket);

  outServer.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const target = parseAuthority(authority);
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const ts = new Date(ctx.clock.now()).toISOString();
    const t0 = ctx.clock.monotonic();
    const link = sessions.link(req.headers);
    const service = serviceFor(target.host, `https://${authority}`);
    let connectMs: number | undefined;
    let bytesUp = 0;
    let bytesDown = 0;
    let plainHttp = false;
    let failed: string | undefined;
    const upstream = net.connect({ host: target.host, port: target.port });
    trackSocket(upstream);
    client.on('error', () => upstream.destroy());

    const recorded = new Promise<void>((resolve) => {
      let closed = 0;
      const onClose = () => {
        if (++closed < 2) return;
        resolve();
      };
      client.once('close', onClose);
      upstream.once('close', onClose);
    }).then(() => {
      if (plainHttp) return;
      const seq = sessions.nextSeq('tunnel', link.session);
      const meta: Record<string, unknown> = {
        tunnel: { host: target.host, port: target.port, bytesUp, bytesDown, ...(connectMs !== undefined ? { connectMs: round2(connectMs) } : {}) },
        ...linkMeta(link),
      };
      if (failed) meta.error = failed;
      let pair: PairInput = {
        id: nextId('tunnel'),
        session: link.session,
        seq,
        ts,
        direction: 'out',
        service,
        request: { method: 'CONNECT', url: authority, headers: recordHeaders(req.rawHeaders, PROXY_ONLY) },
        response: { status: failed ? 502 : 200, headers: {} },
        duration: round2(ctx.clock.monotonic() - t0),
        meta,
      };
      if (redact) pair = redactPair(pair, redactPaths);
      sink.complete(TUNNELS_FILE, link.session, seq, pair);
    });
    tunnelRecords.add(recorded);
    void recorded.finally(() => tunnelRecords.delete(recorded));

    upstream.on('error', (err) => {
      if (connectMs === undefined) {
        if (failed) return;
        failed = err.message;
        const msg = `reprise record: cannot connect to ${authority}: ${err.message}\n`;
        if (client.writable) client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
      } else client.destroy();
    });

    upstream.once('connect', () => {
      connectMs = ctx.clock.monotonic() - t0;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      let decided = false;
      const raw = (fromClient?: Buffer, fromUpstream?: Buffer) => {
        if (fromClient) {
          bytesUp += fromClient.length;
          upstream.write(fromClient);
        }
        if (fromUpstream) {
          bytesDown += fromUpstream.length;
          client.write(fromUpstream);
        }
        client.on('data', (c: Buffer) => (bytesUp += c.length));
        upstream.on('data', (c: Buffer) => (bytesDown += c.length));
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.end());
      };
      const onClientFirst = (chunk: Buffer) => {
        if (decided) return;
        decided = true;
        upstream.off('data', onUpstreamFirst);
        if (looksLikeHttp(chunk)) {
          // plain HTTP through the tunnel: parse and record it like absolute-form requests
          plainHttp = true;
          upstream.destroy();
          client.pause();
          client.unshift(chunk);
          tunnelAuthority.set(client, authority);
          innerServer.emit('connection', client);
          client.resume();
        } else raw(chunk, undefined);
      };
      const onUpstreamFirst = (chunk: Buffer) => {
        if (decided) return;
        decided = true;
        client.off('data', onClientFirst);
        raw(undefined, chunk);
      };
      upstream.once('data', onUpstreamFirst);
      if (head.length) onClientFirst(head);
      else client.once('data', onClientFirst);
      client.once('end', () => {
        if (!decided) {
          decided = true;
          upstream.off('data', onUpstreamFirst);
          upstream.end();
        }
      });
    });
  });

  const inPortBound = await listen(inServer, opts.inPort ?? 4143, host, 'inbound');
  try {
    outPort = await listen(outServer, opts.outPort ?? 4140, host, 'outbound');
  } catch (e) {
    await new Promise<void>((r) => inServer.close(() => r()));
    throw e;
  }
  const inUrl = `http://${urlHost(host)}:${inPortBound}`;
  const outProxyUrl = `http://${urlHost(host)}:${outPort}`;
  log.info(`reprise record: inbound ${inUrl} → ${opts.appUrl}; outbound proxy ${outProxyUrl}; writing ${outDir}`);

  let stopped: Promise<void> | undefined;
  async function stop(): Promise<void> {
    inServer.close();
    outServer.close();
    inServer.closeIdleConnections();
    outServer.closeIdleConnections();
    if (pending.size) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...pending]),
        new Promise<void>((r) => {
          timer = setTimeout(r, drainMs);
          timer.unref?.();
        }),
      ]);
      clearTimeout(timer);
    }
    for (const s of sockets) s.destroy();
    await Promise.allSettled([...pending]);
    await Promise.allSettled([...tunnelRecords]);
    httpAgent.destroy();
    httpsAgent.destroy();
    await sink.close();
    log.info(`reprise record: stopped; ${counts.inbound} inbound, ${counts.outbound} outbound, ${counts.tunnels} tunnels recorded`);
  }

  return {
    inUrl,
    outProxyUrl,
    outDir,
    stats: () => ({ ...counts, inFlight: sessions.inFlight }),
    files: () => sink.files(),
    stop: () => (stopped ??= stop()),
  };
}
