/**
 * Native pairs → a proxymock RRPair Markdown directory: `<dir>/<host>/<timestamp>.md`, one file per pair.
 * `<host>` is the service for outbound pairs and the Host header (without port) for inbound ones.
 *
 * What Markdown cannot hold, and how it maps:
 * - id → `uuid`; seq → tag `sequence`; session → tag `reprise.session`; base64 bodies → the base64 text
 *   with tags `reprise.reqBodyEncoding=base64` / `reprise.resBodyEncoding=base64`.
 * - service (outbound) → the host folder name (so it must be a safe file name; other characters become `_`).
 * - Inbound URLs are written absolute (`http://<host header>/…`) and read back origin-form; outbound URLs
 *   are written as they are.
 * - `meta` is NOT held (proxymock has no place for it); an empty body ("") reads back as no body;
 *   header values lose leading/trailing spaces; header names come back lower-case.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Headers, Pair } from '../model.js';
import { headerValue } from '../model.js';
import { canonicalHeaderName, hostWithoutPort } from '../http-util.js';
import { absoluteUrl, eachPair, exportBody, exportHeaders, type ExportOptions } from './common.js';

const escapeValue = (v: string) => v.replace(/,/g, '\\,');

function headerLines(h: Headers): string[] {
  return Object.keys(h)
    .sort()
    .map((k) => {
      const v = h[k];
      const vals = Array.isArray(v) ? v : [v];
      return `${canonicalHeaderName(k)}: ${vals.map(escapeValue).join(', ')}`;
    });
}

function fence(lines: string[]): string {
  return ['```', ...lines, '```'].join('\n');
}

function bodyBlock(body: string | undefined): string {
  return body === undefined || body === '' ? '```\n```' : '```\n' + body + '\n```';
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** The Markdown of one pair. */
export function pairToRrpairMd(pair: Pair, opts: ExportOptions = {}): string {
  const parts: string[] = [];
  parts.push('### REQUEST ###');
  const url = pair.direction === 'out' ? pair.request.url : absoluteUrl(pair);
  parts.push(fence([`${pair.request.method} ${url} HTTP/1.1`, ...headerLines(exportHeaders(pair.request.headers, opts))]));
  parts.push('');
  parts.push(bodyBlock(exportBody(pair.request.body, pair.request.bodyEncoding, opts)));
  parts.push('');
  if (pair.response) {
    const r = pair.response;
    parts.push('### RESPONSE ###');
    parts.push(fence([`HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? ''}`.trimEnd(), ...headerLines(exportHeaders(r.headers, opts))]));
    parts.push('');
    parts.push(bodyBlock(exportBody(r.body, r.bodyEncoding, opts)));
    parts.push('');
  }
  const tags = [`sequence=${pair.seq}`, `reprise.session=${escapeValue(pair.session)}`];
  if (pair.request.bodyEncoding === 'base64') tags.push('reprise.reqBodyEncoding=base64');
  if (pair.response?.bodyEncoding === 'base64') tags.push('reprise.resBodyEncoding=base64');
  parts.push('### METADATA ###');
  parts.push(
    fence([
      `direction: ${pair.direction === 'out' ? 'OUT' : 'IN'}`,
      `uuid: ${pair.id}`,
      `ts: ${pair.ts}`,
      ...(pair.duration !== undefined ? [`duration: ${pair.duration}ms`] : []),
      `tags: ${tags.join(', ')}`,
    ]),
  );
  parts.push('');
  return parts.join('\n');
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';

/** `2026-05-27T19:08:01.430262Z` → `2026-05-27_19-08-01.430262Z`. */
function tsFileName(ts: string): string {
  let iso = ts;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(ts)) {
    const d = new Date(ts);
    iso = Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00.000Z' : d.toISOString();
  }
  return iso.replace('T', '_').replace(/:/g, '-');
}

/** Where a pair goes inside the export folder. */
export function rrpairHostDir(pair: Pair): string {
  if (pair.direction === 'out') return safeName(pair.service ?? hostWithoutPort(pair.request.url) ?? 'unknown');
  return safeName(hostWithoutPort(headerValue(pair.request.headers, 'host')) ?? 'localhost');
}

/** Write pairs as RRPair Markdown files under `dir`. Returns the files written, in pair order. */
export async function exportRrpairMd(pairs: Iterable<Pair> | AsyncIterable<Pair>, dir: string, opts: ExportOptions = {}): Promise<string[]> {
  const files: string[] = [];
  const used = new Set<string>();
  for await (const p of eachPair(pairs, opts.signal)) {
    const hostDir = path.join(dir, rrpairHostDir(p));
    await fsp.mkdir(hostDir, { recursive: true });
    const stem = tsFileName(p.ts);
    let file = path.join(hostDir, `${stem}.md`);
    for (let i = 1; used.has(file); i++) file = path.join(hostDir, `${stem}-${i}.md`);
    used.add(file);
    await fsp.writeFile(file, pairToRrpairMd(p, opts));
    files.push(file);
  }
  return files;
}
