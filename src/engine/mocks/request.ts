/**
 * The request a mock sees, with lazily parsed views (query, JSON body, form body) so that a stub found by
 * method + path with no body matcher costs nothing beyond the lookup.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Percent-decode each path segment (keeping an encoded `/` distinct) so `/a%20b` and `/a b` are one path. */
export function normalizePath(path: string): string {
  if (path.indexOf('%') < 0) return path || '/';
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.indexOf('%') < 0) continue;
    try {
      segs[i] = decodeURIComponent(s).replace(/[/%]/g, (c) => (c === '/' ? '%2F' : '%25'));
    } catch {
      // Malformed escapes stay as they are (upper-cased so %2f and %2F agree).
      segs[i] = s.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
    }
  }
  return segs.join('/') || '/';
}

export const NOT_JSON: unique symbol = Symbol('not-json');

export class MockRequest {
  readonly method: string;
  /** Normalised path (see normalizePath), no query. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly rawQuery: string;
  private _query?: Map<string, string[]>;
  private _text?: string;
  private _json?: unknown;
  private _form?: Map<string, string[]>;
  private _headers?: Record<string, string[]>;

  constructor(
    method: string,
    readonly url: string,
    private readonly rawHeaders: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
    readonly body: Buffer,
  ) {
    this.method = method.toUpperCase();
    const hash = url.indexOf('#');
    const u = hash >= 0 ? url.slice(0, hash) : url;
    const q = u.indexOf('?');
    let p = q >= 0 ? u.slice(0, q) : u;
    const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p);
    if (abs) p = p.slice(abs[0].length) || '/';
    this.path = normalizePath(p);
    this.rawQuery = q >= 0 ? u.slice(q + 1) : '';
  }

  get query(): Map<string, string[]> {
    if (!this._query) this._query = parseParams(this.rawQuery);
    return this._query;
  }

  /** Header values by lower-case name (repeated headers keep every value; comma lists are not split). */
  get headers(): Record<string, string[]> {
    if (!this._headers) {
      const out: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(this.rawHeaders)) {
        if (v === undefined) continue;
        out[k.toLowerCase()] = Array.isArray(v) ? v : [String(v)];
      }
      this._headers = out;
    }
    return this._headers;
  }

  get text(): string {
    if (this._text === undefined) this._text = this.body.toString('utf8');
    return this._text;
  }

  private _without?: Map<string, unknown>;

  /**
   * The JSON body with `paths` removed (computed once per request and key, shared by every stub that ignores
   * the same paths: never mutate it). `remove` does the removal on a copy.
   */
  jsonWithout(key: string, remove: (doc: unknown) => unknown): unknown {
    const j = this.json;
    if (j === NOT_JSON || j === null || typeof j !== 'object') return j;
    this._without ??= new Map();
    if (this._without.has(key)) return this._without.get(key);
    const v = remove(structuredClone(j));
    this._without.set(key, v);
    return v;
  }

  /** Parsed JSON body, or NOT_JSON. The value is shared: never mutate it. */
  get json(): unknown {
    if (this._json === undefined) {
      if (this.body.length === 0) this._json = NOT_JSON;
      else {
        try {
          this._json = JSON.parse(this.text);
        } catch {
          this._json = NOT_JSON;
        }
      }
    }
    return this._json;
  }

  get form(): Map<string, string[]> {
    if (!this._form) this._form = parseParams(this.text);
    return this._form;
  }
}

/** Parse `a=1&b=2&a=3` (application/x-www-form-urlencoded rules) into name → values. */
export function parseParams(s: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!s) return out;
  for (const [k, v] of new URLSearchParams(s)) {
    const arr = out.get(k);
    if (arr) arr.push(v);
    else out.set(k, [v]);
  }
  return out;
}
