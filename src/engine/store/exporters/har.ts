/**
 * Native pairs → HAR 1.2, written entry by entry (the pairs can be a stream; memory stays flat).
 * Everything HAR has no field for (id, session, seq, direction, service, meta, base64 request bodies)
 * goes in a custom `_reprise` object per entry (HAR allows `_`-prefixed custom fields), so
 * native → HAR → native loses nothing; other HAR readers simply ignore it.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Pair } from '../model.js';
import { bodyBytes, headerValue, splitUrl } from '../model.js';
import { headerEntries, originForm } from '../http-util.js';
import { REPRISE_HAR_FIELD, type RepriseHarExtras } from '../importers/har.js';
import { absoluteUrl, eachPair, exportBody, exportHeaders, type ExportOptions } from './common.js';

export interface HarExportOptions extends ExportOptions {
  creator?: { name: string; version: string };
}

/** One HAR entry for a pair. */
export function pairToHarEntry(pair: Pair, opts: HarExportOptions = {}): Record<string, unknown> {
  const reqHeaders = exportHeaders(pair.request.headers, opts);
  const url = absoluteUrl(pair);
  const { query } = splitUrl(url);
  const queryString = query
    ? query.split('&').filter(Boolean).map((kv) => {
        const eq = kv.indexOf('=');
        const dec = (s: string) => {
          try {
            return decodeURIComponent(s.replace(/\+/g, ' '));
          } catch {
            return s;
          }
        };
        return eq >= 0 ? { name: dec(kv.slice(0, eq)), value: dec(kv.slice(eq + 1)) } : { name: dec(kv), value: '' };
      })
    : [];
  const extras: RepriseHarExtras = {
    id: pair.id,
    session: pair.session,
    seq: pair.seq,
    direction: pair.direction,
    ...(pair.service !== undefined ? { service: pair.service } : {}),
    ...(pair.meta !== undefined ? { meta: pair.meta } : {}),
    ...(pair.duration === undefined ? { noDuration: true } : {}),
    ...(pair.request.bodyEncoding === 'base64' ? { requestBodyEncoding: 'base64' as const } : {}),
    ...((pair.direction === 'in' ? originForm(url) : url) !== pair.request.url ? { url: pair.request.url } : {}),
  };
  const request: Record<string, unknown> = {
    method: pair.request.method,
    url,
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: headerEntries(reqHeaders).map(([name, value]) => ({ name, value })),
    queryString,
    headersSize: -1,
    bodySize: pair.request.body === undefined ? 0 : bodyBytes(pair.request.body, pair.request.bodyEncoding).length,
  };
  if (pair.request.body !== undefined) {
    request.postData = {
      mimeType: headerValue(pair.request.headers, 'content-type') ?? '',
      text: exportBody(pair.request.body, pair.request.bodyEncoding, opts),
      ...(pair.request.bodyEncoding === 'base64' ? { encoding: 'base64' } : {}),
    };
  }
  let response: Record<string, unknown>;
  const res = pair.response;
  if (res) {
    const resHeaders = exportHeaders(res.headers, opts);
    const size = res.body === undefined ? 0 : bodyBytes(res.body, res.bodyEncoding).length;
    response = {
      status: res.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerEntries(resHeaders).map(([name, value]) => ({ name, value })),
      content: {
        size,
        mimeType: headerValue(res.headers, 'content-type') ?? 'x-unknown',
        ...(res.body !== undefined ? { text: exportBody(res.body, res.bodyEncoding, opts) } : {}),
        ...(res.bodyEncoding === 'base64' ? { encoding: 'base64' } : {}),
      },
      redirectURL: headerValue(res.headers, 'location') ?? '',
      headersSize: -1,
      bodySize: size,
    };
  } else {
    // HAR's way of saying "no response": status 0.
    response = { status: 0, statusText: '', httpVersion: '', cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1 };
  }
  const time = pair.duration ?? 0;
  return {
    startedDateTime: pair.ts,
    time,
    request,
    response,
    cache: {},
    timings: { send: 0, wait: time, receive: 0 },
    [REPRISE_HAR_FIELD]: extras,
  };
}

/** Write pairs as one HAR 1.2 file (creating parent folders). Returns the number of entries. */
export async function exportHar(pairs: Iterable<Pair> | AsyncIterable<Pair>, file: string, opts: HarExportOptions = {}): Promise<number> {
  await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let n = 0;
  try {
    const creator = opts.creator ?? { name: 'reprise', version: '0.1.0' };
    await write(`{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"pages":[],"entries":[\n`);
    for await (const p of eachPair(pairs, opts.signal)) {
      await write((n ? ',\n' : '') + JSON.stringify(pairToHarEntry(p, opts)));
      n++;
    }
    await write('\n]}}\n');
  } finally {
    out.end();
    await finished(out);
  }
  return n;
}
