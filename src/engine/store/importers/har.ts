/**
 * HAR 1.2 → pairs. Entries become inbound pairs by default (session = the HAR file's path without
 * extension, or `<file>#<pageref>` when entries name a page; seq = entry order; ts = startedDateTime;
 * duration = time).
 *
 * A HAR is one JSON document, so it is parsed whole: that is acceptable for HAR (the format cannot be
 * read incrementally without a streaming JSON parser, and HAR files are capture-sized, not store-sized).
 * Store-sized traffic belongs in the native JSONL store, which is streamed.
 */
import { promises as fsp } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PairSchema, headerValue, type BodyEncoding, type Direction, type Headers, type Pair } from '../model.js';
import { dropUndefined, decodeContentEncoding, isPlainObject as isObj, type PlainObject as Obj, addHeader, bodyFromBytes, headersFromList, hostWithoutPort, isBase64, originForm } from '../http-util.js';
import { isGzipFile } from '../io.js';
import { contextFor, stripExt, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './types.js';

/** Custom entry field written by the HAR exporter so native → HAR → native loses nothing. */
export const REPRISE_HAR_FIELD = '_reprise';

export interface RepriseHarExtras {
  id?: string;
  session?: string;
  seq?: number;
  direction?: Direction;
  service?: string;
  meta?: Record<string, unknown>;
  /** The pair had no duration (HAR `time` is then 0). */
  noDuration?: boolean;
  requestBodyEncoding?: 'base64';
  /** The pair's URL when the HAR's absolute URL would not give it back (origin-form outbound URLs). */
  url?: string;
}


export async function* harPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  let raw = await fsp.readFile(ctx.file);
  if (await isGzipFile(ctx.file)) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      ctx.issue({ severity: 'error', message: `cannot gunzip HAR: ${(e as Error).message}` });
      return;
    }
  }
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    ctx.issue({ severity: 'error', message: `invalid HAR JSON: ${(e as Error).message}` });
    return;
  }
  const log = isObj(doc) ? doc.log : undefined;
  if (!isObj(log) || !Array.isArray(log.entries)) {
    ctx.issue({ severity: 'error', message: 'not a HAR file: missing log.entries' });
    return;
  }
  const base = stripExt(ctx.rel);
  const entries = log.entries as unknown[];
  for (let i = 0; i < entries.length; i++) {
    ctx.signal?.throwIfAborted();
    let pair: Pair | undefined;
    try {
      pair = entryToPair(entries[i], i, base, ctx);
    } catch (e) {
      ctx.issue({ entry: i, severity: 'warning', message: `entry ${i} skipped: ${(e as Error).message}` });
      continue;
    }
    if (pair) yield { pair, file: ctx.file, entry: i };
  }
}

/** Pairs of one HAR file. */
export async function* importHar(file: string, opts?: ImportOptions): AsyncGenerator<Pair> {
  for await (const lp of harPairs(contextFor(file, opts))) yield lp.pair;
}

class Skip extends Error {}

function entryToPair(e: unknown, i: number, base: string, ctx: ImportContext): Pair | undefined {
  if (!isObj(e)) throw new Skip('not an object');
  const req = e.request;
  if (!isObj(req)) throw new Skip('no request');
  if (typeof req.method !== 'string' || !req.method) throw new Skip('request has no method');
  if (typeof req.url !== 'string' || !req.url) throw new Skip('request has no url');
  const extras: RepriseHarExtras = isObj(e[REPRISE_HAR_FIELD]) ? (e[REPRISE_HAR_FIELD] as RepriseHarExtras) : {};
  const res = isObj(e.response) ? e.response : undefined;

  if (Array.isArray(e._webSocketMessages) || (res && res.status === 101 && /websocket/i.test(String(headerValue(headersFromList(res.headers), 'upgrade') ?? '')))) {
    const n = Array.isArray(e._webSocketMessages) ? e._webSocketMessages.length : 0;
    ctx.issue({ entry: i, severity: 'info', message: `entry ${i} skipped: WebSocket connection (${n} messages); Reprise replays HTTP request/response pairs only` });
    return undefined;
  }

  const direction: Direction = extras.direction ?? ctx.defaultDirection;
  const reqHeaders = headersFromList(req.headers);
  const host = headerValue(reqHeaders, 'host') ?? hostFromUrl(req.url);
  const ours = isObj(e[REPRISE_HAR_FIELD]); // written by our exporter: take the entry as the pair was
  // HTTP/2 captures carry the host only in the dropped `:authority`; keep it as a Host header.
  if (!ours && !headerValue(reqHeaders, 'host') && host && direction === 'in') addHeader(reqHeaders, 'host', host);

  const request: Pair['request'] = {
    method: req.method.toUpperCase(),
    url: extras.url ?? (direction === 'in' ? originForm(req.url) : req.url),
    headers: reqHeaders,
    ...requestBody(req, extras, i),
  };

  let response: Pair['response'];
  const status = res ? Number(res.status) : 0;
  if (!res || !Number.isFinite(status) || status <= 0) {
    const why = res && typeof res._error === 'string' ? ` (${res._error})` : '';
    ctx.issue({ entry: i, severity: 'info', message: `entry ${i}: no response recorded (status 0)${why}; imported as request-only` });
  } else {
    const resHeaders = headersFromList(res.headers);
    response = { status, headers: resHeaders, ...responseBody(res, resHeaders, i, ctx, ours) };
  }

  const pageref = typeof e.pageref === 'string' && e.pageref ? e.pageref : undefined;
  const time = typeof e.time === 'number' && e.time >= 0 && !extras.noDuration ? e.time : undefined;
  const ts = typeof e.startedDateTime === 'string' && e.startedDateTime ? e.startedDateTime : new Date(0).toISOString();
  const candidate = {
    id: extras.id ?? `${base}#${i}`,
    session: extras.session ?? (pageref ? `${base}#${pageref}` : base),
    seq: extras.seq ?? i,
    ts,
    direction,
    service: extras.service ?? (direction === 'out' ? hostWithoutPort(req.url) : undefined),
    request,
    response,
    duration: time,
    meta: extras.meta,
  };
  const parsed = PairSchema.safeParse(dropUndefined(candidate));
  if (!parsed.success) throw new Skip(zodMessage(parsed.error.issues));
  return parsed.data;
}

function hostFromUrl(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  return m ? m[1].replace(/^[^@]*@/, '') : undefined;
}

function requestBody(req: Obj, extras: RepriseHarExtras, i: number): { body?: string; bodyEncoding?: 'base64' } {
  const pd = req.postData;
  if (!isObj(pd)) return {};
  if (typeof pd.text === 'string') {
    if (pd.text === '') return {};
    if (extras.requestBodyEncoding === 'base64' || pd.encoding === 'base64' || pd._encoding === 'base64') {
      if (!isBase64(pd.text)) throw new Skip(`request body is marked base64 but is not (entry ${i})`);
      return { body: pd.text.replace(/\s+/g, ''), bodyEncoding: 'base64' };
    }
    return { body: pd.text };
  }
  if (Array.isArray(pd.params) && pd.params.length) {
    // Form posts recorded as params only: rebuild the urlencoded body.
    const sp = new URLSearchParams();
    for (const p of pd.params) if (isObj(p) && typeof p.name === 'string') sp.append(p.name, p.value === undefined ? '' : String(p.value));
    return { body: sp.toString() };
  }
  return {};
}

function responseBody(res: Obj, headers: Headers, i: number, ctx: ImportContext, verbatim: boolean): { body?: string; bodyEncoding?: BodyEncoding } {
  const c = res.content;
  if (!isObj(c) || typeof c.text !== 'string' || c.text === '') return {};
  if (c.encoding === 'base64') {
    if (!isBase64(c.text)) throw new Skip(`response body is marked base64 but is not (entry ${i})`);
    if (verbatim) return { body: c.text, bodyEncoding: 'base64' };
    let bytes: Buffer = Buffer.from(c.text, 'base64');
    // HAR content is meant to be decoded; some tools keep still-compressed bytes when decoding failed.
    const enc = String(headerValue(headers, 'content-encoding') ?? '').toLowerCase();
    if (enc && stillEncoded(bytes, enc)) {
      try {
        bytes = decodeContentEncoding(bytes, enc);
      } catch (e) {
        ctx.issue({
          entry: i,
          severity: 'warning',
          message: `entry ${i}: response body says content-encoding ${enc} but does not decode (${(e as Error).message}); kept as recorded bytes`,
        });
        return { body: c.text.replace(/\s+/g, ''), bodyEncoding: 'base64' };
      }
    }
    return bodyFromBytes(bytes);
  }
  return { body: c.text };
}

function stillEncoded(b: Buffer, enc: string): boolean {
  if (enc.includes('gzip')) return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
  if (enc.includes('deflate')) return b.length >= 2 && b[0] === 0x78;
  return false; // br has no magic bytes: trust the recorder
}
