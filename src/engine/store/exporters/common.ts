/** Options and helpers shared by the exporters. */
import type { Headers, Pair } from '../model.js';
import { headerValue } from '../model.js';
import { redactHeaders } from '../../redact.js';
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
  signal?: AbortSignal;
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
