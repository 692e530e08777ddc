/** Options and helpers shared by the exporters. */
import type { BodyEncoding, Headers, Pair } from '../model.js';
import { headerValue } from '../model.js';
import { redactHeaders, redactJsonText } from '../../redact.js';
import { isAbsoluteUrl } from '../http-util.js';

export interface ExportOptions {
  /**
   * Mask secret header values (authorization, cookie, set-cookie, proxy-authorization, x-api-key,
   * api-key, x-auth-token and any name containing token/secret/password/api-key). Default true;
   * pass false to export them as recorded.
   */
  redact?: boolean;
  /** More header names to mask. */
  secretHeaders?: string[];
  /**
   * JSONPaths (`$.card.number`, `$..token`) whose values are masked as `"***"` in JSON request and response
   * bodies. Applied whenever given, also with `redact: false`.
   */
  redactPaths?: string[];
  signal?: AbortSignal;
}

/** A body as exported: JSON text bodies with the configured paths masked; anything else unchanged. */
export function exportBody(body: string | undefined, enc: BodyEncoding | undefined, opts: ExportOptions): string | undefined {
  if (body === undefined || enc === 'base64' || !opts.redactPaths?.length) return body;
  return redactJsonText(body, opts.redactPaths);
}

/** A copy of a pair with secret headers masked (unless `redact: false`) and body paths masked. */
export function redactPair(pair: Pair, opts: ExportOptions): Pair {
  const out: Pair = {
    ...pair,
    request: { ...pair.request, headers: exportHeaders(pair.request.headers, opts) },
  };
  const rb = exportBody(pair.request.body, pair.request.bodyEncoding, opts);
  if (rb !== undefined) out.request.body = rb;
  if (pair.response) {
    out.response = { ...pair.response, headers: exportHeaders(pair.response.headers, opts) };
    const b = exportBody(pair.response.body, pair.response.bodyEncoding, opts);
    if (b !== undefined) out.response.body = b;
  }
  return out;
}

export function exportHeaders(h: Headers | undefined, opts: ExportOptions): Headers {
  if (opts.redact === false) return { ...(h ?? {}) };
  return redactHeaders(h, opts.secretHeaders);
}

/** The absolute URL of a pair's request (inbound origin-form URLs get `http://<host header>`). */
export function absoluteUrl(pair: Pair): string {
  const u = pair.request.url;
  if (isAbsoluteUrl(u)) return u;
  const host = headerValue(pair.request.headers, 'host') ?? pair.service ?? 'localhost';
  return `http://${host}${u.startsWith('/') ? '' : '/'}${u}`;
}

/** Iterate sync or async pairs uniformly. */
export async function* eachPair(pairs: Iterable<Pair> | AsyncIterable<Pair>, signal?: AbortSignal): AsyncGenerator<Pair> {
  for await (const p of pairs as AsyncIterable<Pair>) {
    signal?.throwIfAborted();
    yield p;
  }
}
