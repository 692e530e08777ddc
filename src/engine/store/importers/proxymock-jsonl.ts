/**
 * proxymock JSON lines (`proxymock … --out-format json`): one `msgType: "rrpair"` object per line with
 * `http.req`/`http.res` and base64 bodies. Read line by line. Streaming (server-sent event) responses are
 * kept whole as one body.
 */
import { PairSchema, type Direction, type Pair } from '../model.js';
import { readLines } from '../io.js';
import { dropUndefined, isPlainObject as isObj, type PlainObject as Obj, bodyFromBytes, headersFromRecord, hostWithoutPort, isAbsoluteUrl, isBase64, originForm } from '../http-util.js';
import { contextFor, stripExt, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './types.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== 'undefined' ? v : undefined);

export async function* proxymockJsonlPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  const base = stripExt(ctx.rel);
  for await (const { text, no } of readLines(ctx.file, ctx.signal)) {
    if (text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      ctx.issue({ line: no, severity: 'error', message: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    if (!isObj(o)) {
      ctx.issue({ line: no, severity: 'error', message: 'not a JSON object' });
      continue;
    }
    if (o.msgType !== 'rrpair') {
      ctx.issue({ line: no, severity: 'info', message: `skipped: msgType ${JSON.stringify(o.msgType)} is not an rrpair` });
      continue;
    }
    const http = isObj(o.http) ? o.http : undefined;
    if (!http || !isObj(http.req)) {
      ctx.issue({ line: no, severity: 'info', message: `skipped: ${String(o.l7protocol ?? 'non-HTTP')} rrpair has no http request` });
      continue;
    }
    try {
      const pair = toPair(o, http, no, base);
      yield { pair, file: ctx.file, line: no };
    } catch (e) {
      ctx.issue({ line: no, severity: 'error', message: `skipped: ${(e as Error).message}` });
    }
  }
}

/** Pairs of one proxymock JSON-lines file. */
export async function* importProxymockJsonl(file: string, opts?: ImportOptions): AsyncGenerator<Pair> {
  for await (const lp of proxymockJsonlPairs(contextFor(file, opts))) yield lp.pair;
}

function decodeBody(b64: unknown, what: string): { body?: string; bodyEncoding?: 'utf8' | 'base64' } {
  if (typeof b64 !== 'string' || b64 === '') return {};
  if (!isBase64(b64)) throw new Error(`${what} bodyBase64 is not base64`);
  return bodyFromBytes(Buffer.from(b64, 'base64'));
}

function toPair(o: Obj, http: Obj, line: number, base: string): Pair {
  const req = http.req as Obj;
  const res = isObj(http.res) ? http.res : undefined;
  const direction: Direction = String(o.direction).toUpperCase() === 'OUT' ? 'out' : 'in';
  const reqHeaders = headersFromRecord(req.headers);
  const host = str(req.host) ?? str(o.network_address);
  const rawUrl = str(req.url) ?? str(req.uri) ?? str(o.location) ?? '/';
  let url: string;
  if (direction === 'in') url = originForm(rawUrl);
  else if (isAbsoluteUrl(rawUrl)) url = rawUrl;
  else {
    const scheme = String(o.l7protocol ?? '').toLowerCase() === 'https' ? 'https' : 'http';
    const authority = str(req.host) ?? str(o.network_address)?.replace(/:(0|80|443)$/, '') ?? 'localhost';
    url = `${scheme}://${authority}${rawUrl.startsWith('/') ? '' : '/'}${rawUrl}`;
  }
  const tags = isObj(o.tags) ? o.tags : {};
  const seq = Number.parseInt(String(tags.sequence ?? ''), 10);
  const status = res ? Number(res.statusCode ?? o.status) : Number.NaN;
  const candidate = {
    id: str(o.uuid) ?? `${base}:${line}`,
    session: str(o.session) ?? base,
    seq: Number.isFinite(seq) && seq >= 0 ? seq : line - 1,
    ts: str(o.ts) ?? new Date(0).toISOString(),
    direction,
    service: direction === 'out' ? hostWithoutPort(host) ?? hostWithoutPort(url) : undefined,
    request: {
      method: (str(req.method) ?? str(o.command) ?? 'GET').toUpperCase(),
      url,
      headers: reqHeaders,
      ...decodeBody(req.bodyBase64, 'request'),
    },
    response:
      res && Number.isFinite(status) && status > 0
        ? { status, headers: headersFromRecord(res.headers), ...decodeBody(res.bodyBase64, 'response') }
        : undefined,
    duration: typeof o.duration === 'number' && o.duration >= 0 ? o.duration : undefined,
    meta: { format: 'proxymock-jsonl', ...(str(o.resource) ? { resource: o.resource } : {}) },
  };
  const parsed = PairSchema.safeParse(dropUndefined(candidate));
  if (!parsed.success) throw new Error(zodMessage(parsed.error.issues));
  return parsed.data;
}
