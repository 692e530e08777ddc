/** Small helpers shared by importers and exporters: header maps, bodies, URLs. */
import { isUtf8 } from 'node:buffer';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { BodyEncoding, Headers } from './model.js';
import { splitUrl } from './model.js';

/** Add one header value: name lower-cased, pseudo-headers (`:authority`) dropped, repeats kept as arrays. */
export function addHeader(h: Headers, name: string, value: string): void {
  const k = name.trim().toLowerCase();
  if (k === '' || k.startsWith(':') || k === '__proto__') return;
  const cur = h[k];
  if (cur === undefined) h[k] = value;
  else if (Array.isArray(cur)) cur.push(value);
  else h[k] = [cur, value];
}

/** Header map from `name → values[]` (proxymock JSON) or `name → value` (keploy). */
export function headersFromRecord(rec: unknown): Headers {
  const h: Headers = {};
  if (!rec || typeof rec !== 'object') return h;
  for (const [name, v] of Object.entries(rec as Record<string, unknown>)) {
    if (Array.isArray(v)) for (const x of v) addHeader(h, name, String(x));
    else if (v !== undefined && v !== null) addHeader(h, name, String(v));
  }
  return h;
}

/** Header list `[{name, value}]` (HAR). */
export function headersFromList(list: unknown): Headers {
  const h: Headers = {};
  if (!Array.isArray(list)) return h;
  for (const item of list) {
    if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      const v = (item as { value?: unknown }).value;
      addHeader(h, (item as { name: string }).name, v === undefined || v === null ? '' : String(v));
    }
  }
  return h;
}

/** Every (name, value) of a header map, arrays expanded. */
export function headerEntries(h: Headers | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(h ?? {})) {
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else out.push([k, v]);
  }
  return out;
}

/** `content-type` → `Content-Type`. */
export function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** A body from raw bytes: UTF-8 text when it is valid UTF-8, base64 otherwise; empty → absent. */
export function bodyFromBytes(buf: Buffer): { body?: string; bodyEncoding?: BodyEncoding } {
  if (buf.length === 0) return {};
  if (isUtf8(buf)) return { body: buf.toString('utf8') };
  return { body: buf.toString('base64'), bodyEncoding: 'base64' };
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** True when the string is plausible base64 (whitespace ignored). */
export function isBase64(s: string): boolean {
  const t = s.replace(/\s+/g, '');
  return t.length % 4 !== 1 && BASE64.test(t);
}

/** `http://h:1/p?q=1#f` → `/p?q=1`; origin-form URLs are returned unchanged (without fragment). */
export function originForm(url: string): string {
  const { path, query } = splitUrl(url);
  return query ? `${path}?${query}` : path;
}

/** Host of an absolute URL or a `host:port` string, without the port; undefined when there is none. */
export function hostWithoutPort(hostOrUrl: string | undefined): string | undefined {
  if (!hostOrUrl) return undefined;
  let h = hostOrUrl;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(h);
  if (m) h = m[1];
  h = h.replace(/^[^@]*@/, '');
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && /^\d*$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  return h || undefined;
}

/** True for an absolute URL (`scheme://…`). */
export function isAbsoluteUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/** Parse a timestamp leniently; undefined when it is not a date. */
export function tsMillis(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const n = Date.parse(ts);
  return Number.isNaN(n) ? undefined : n;
}

/** A copy without `undefined`-valued keys (recursively through plain objects), so pairs compare and serialise cleanly. */
export function dropUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropUndefined) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = dropUndefined(x);
    return out as T;
  }
  return v;
}

export type PlainObject = Record<string, unknown>;
export const isPlainObject = (v: unknown): v is PlainObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** Decode a body by its `content-encoding` (gzip, deflate, br); identity otherwise. Throws on corrupt data. */
export function decodeContentEncoding(b: Buffer, contentEncoding: string): Buffer {
  const enc = contentEncoding.toLowerCase();
  if (b.length === 0) return b;
  if (enc.includes('gzip')) return gunzipSync(b);
  if (enc.includes('deflate')) return inflateSync(b);
  if (enc.includes('br')) return brotliDecompressSync(b);
  return b;
}
