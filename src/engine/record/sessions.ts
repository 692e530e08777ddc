/**
 * Session inference and outbound linking for the recorder.
 *
 * An inbound request's session is, in order: the value of the session header (default `x-session-id`);
 * the session cookie (when configured); else the client connection it came on (`conn-<n>`, numbered in
 * accept order — a keep-alive connection is one client's sequence of requests). Cookie values are secrets,
 * so a cookie session is stored as `cookie-<hash>`; so is a session header whose name looks secret.
 * When a response sets the session cookie for a request that had none, the new cookie value is aliased to
 * that request's session, so a login and the requests that follow it stay one session.
 *
 * An outbound call is linked to the inbound request it serves (its session and `meta.inboundId`) by, in
 * order: a W3C `traceparent` whose trace id matches exactly one in-flight inbound request's (apps with
 * tracing propagate it); the session header, when the app passes it on; else timing — the call is made while
 * exactly one inbound request is in flight. With several in flight it gets `meta.inboundCandidates` (and
 * their session when they share one, else `default`); with none, session `default`.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isSecretHeader } from '../redact.js';

export type SessionSource = 'header' | 'cookie' | 'connection';

export interface InboundInFlight {
  id: string;
  session: string;
  /** Trace id of the request's `traceparent`, when it has one. */
  traceId?: string;
}

export interface OutboundLink {
  session: string;
  inboundId?: string;
  inboundCandidates?: string[];
  /** What decided the link. */
  linkedBy?: 'traceparent' | 'header' | 'timing';
}

const MAX_CANDIDATES = 20;
const MAX_ALIASES = 100_000;

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`). */
export function traceIdOf(headers: IncomingHttpHeaders): string | undefined {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/i.exec(first(headers.traceparent)?.trim() ?? '');
  return m && !/^0+$/.test(m[1]) ? m[1].toLowerCase() : undefined;
}

/** Value of one cookie from `Cookie:` header values. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const line of Array.isArray(header) ? header : [header]) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** Value a `Set-Cookie:` header sets for `name` (undefined when it sets another cookie). */
function setCookieValue(line: string, name: string): string | undefined {
  const semi = line.indexOf(';');
  const first = semi >= 0 ? line.slice(0, semi) : line;
  const eq = first.indexOf('=');
  if (eq < 0 || first.slice(0, eq).trim() !== name) return undefined;
  return first.slice(eq + 1).trim();
}

export class SessionTracker {
  private readonly header: string;
  private readonly cookie?: string;
  private readonly seqs = new Map<string, number>();
  private readonly inflight = new Map<string, InboundInFlight>();
  private readonly aliases = new Map<string, string>();

  constructor(opts: { header?: string; cookie?: string }) {
    this.header = (opts.header ?? 'x-session-id').toLowerCase();
    this.cookie = opts.cookie;
  }

  /** The session of an inbound request. */
  inbound(headers: IncomingHttpHeaders, connectionId: string): { session: string; source: SessionSource } {
    const hs = this.headerSession(headers);
    if (hs) return { session: hs, source: 'header' };
    if (this.cookie) {
      const cv = cookieValue(headers.cookie, this.cookie);
      if (cv) return { session: this.aliases.get(cv) ?? `cookie-${hash(cv)}`, source: 'cookie' };
    }
    return { session: connectionId, source: 'connection' };
  }

  private headerSession(headers: IncomingHttpHeaders): string | undefined {
    const hv = first(headers[this.header])?.trim();
    if (!hv) return undefined;
    return isSecretHeader(this.header) ? `header-${hash(hv)}` : hv.slice(0, 200);
  }

  /** A response of `session` set cookies: a new session-cookie value keeps naming this session. */
  noteSetCookie(session: string, setCookie: string | string[] | undefined): void {
    if (!this.cookie || setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const v = setCookieValue(line, this.cookie);
      if (!v || this.aliases.has(v)) continue;
      if (this.aliases.size >= MAX_ALIASES) this.aliases.delete(this.aliases.keys().next().value as string);
      this.aliases.set(v, session);
    }
  }

  /** Next seq of a session within one stream (`in`, `out:<service>`, `tunnel`). */
  nextSeq(stream: string, session: string): number {
    const key = `${stream}\u0000${session}`;
    const n = this.seqs.get(key) ?? 0;
    this.seqs.set(key, n + 1);
    return n;
  }

  begin(x: InboundInFlight): void {
    this.inflight.set(x.id, x);
  }

  end(id: string): void {
    this.inflight.delete(id);
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /** Which inbound request an outbound call starting now (with these request headers) serves. */
  link(headers: IncomingHttpHeaders = {}): OutboundLink {
    const all = [...this.inflight.values()];
    const traceId = traceIdOf(headers);
    if (traceId) {
      const hits = all.filter((x) => x.traceId === traceId);
      if (hits.length === 1) return { session: hits[0].session, inboundId: hits[0].id, linkedBy: 'traceparent' };
    }
    const hs = this.headerSession(headers);
    if (hs) {
      const hits = all.filter((x) => x.session === hs);
      if (hits.length === 1) return { session: hs, inboundId: hits[0].id, linkedBy: 'header' };
      return { session: hs, ...(hits.length ? { inboundCandidates: hits.slice(0, MAX_CANDIDATES).map((x) => x.id) } : {}), linkedBy: 'header' };
    }
    if (all.length === 1) return { session: all[0].session, inboundId: all[0].id, linkedBy: 'timing' };
    if (all.length === 0) return { session: 'default' };
    const sessions = new Set(all.map((x) => x.session));
    return {
      session: sessions.size === 1 ? all[0].session : 'default',
      inboundCandidates: all.slice(0, MAX_CANDIDATES).map((x) => x.id),
      linkedBy: 'timing',
    };
  }
}
