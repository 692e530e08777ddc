/**
 * Header plumbing for the recording proxies: what is forwarded (raw, case and order kept) and what is
 * recorded (the traffic model's lower-case map).
 */
import type { Headers } from '../store/model.js';
import { addHeader } from '../store/http-util.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) that a proxy must not forward. `transfer-encoding` and `trailer`
 * are deliberately kept: node re-frames the body itself and needs them to keep the same framing semantics
 * (chunked stays chunked, declared trailers are forwarded).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'upgrade']);

/** Names listed in `Connection:` headers (they are hop-by-hop for this message). */
function connectionTokens(raw: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name !== 'connection' && name !== 'proxy-connection') continue;
    for (const t of raw[i + 1].split(',')) {
      const tok = t.trim().toLowerCase();
      if (tok && tok !== 'close' && tok !== 'keep-alive') out.add(tok);
    }
  }
  return out;
}

/** The raw header list to forward: every header exactly as received (name case, order, repeats), minus hop-by-hop ones. */
export function forwardHeaders(raw: readonly string[]): string[] {
  const extra = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || extra.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** True when the raw list has a header of that (lower-case) name. */
export function hasRawHeader(raw: readonly string[], lower: string): boolean {
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === lower) return true;
  return false;
}

/** Raw header list → the model's header map (lower-case names, repeats as arrays); `drop` names are left out. */
export function recordHeaders(raw: readonly string[], drop?: ReadonlySet<string>): Headers {
  const h: Headers = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (drop?.has(raw[i].toLowerCase())) continue;
    addHeader(h, raw[i], raw[i + 1]);
  }
  return h;
}

/** Raw trailer list → `[name, value]` tuples for `res.addTrailers`. */
export function trailerPairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

/** `host:port` / `[v6]:port` (CONNECT authority-form) → parts; undefined when malformed. */
export function parseAuthority(authority: string, defaultPort = 443): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:/\s]+))(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/** A service name usable as a folder name: `api.example.com` stays, `::1` → `__1`. */
export function safeServiceName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s || 'unknown';
}
