/**
 * GoReplay `.gor` (optionally gzipped): payloads separated by "\n🐵🙈🙉\n", each a header line
 * `type id timestamp_ns [latency_ns]` (type 1 request, 2 original response, 3 replayed response) and a raw
 * HTTP/1.x message. Read as a stream of chunks, one payload at a time; a request waits for its response
 * (same id) in a bounded window, so request-only files stream too. Pairs come out in request order.
 */
import { PairSchema, headerValue, type Headers, type Pair } from '../model.js';
import { openInput } from '../io.js';
import { dropUndefined, decodeContentEncoding, addHeader, bodyFromBytes, originForm } from '../http-util.js';
import { contextFor, stripExt, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './types.js';

export const GOR_SEPARATOR = '\n🐵🙈🙉\n';
const SEP = Buffer.from(GOR_SEPARATOR, 'utf8');
/** Payloads a request may wait for its response before it is emitted request-only. */
const WINDOW = 1000;

interface Payload {
  type: string;
  id: string;
  tsNs: bigint;
  latencyNs?: bigint;
  raw: Buffer;
  /** 0-based payload index in the file. */
  index: number;
  line: number;
}

/** Raw payloads of a gor file, streamed. */
async function* payloads(ctx: ImportContext): AsyncGenerator<Payload> {
  const input = await openInput(ctx.file, ctx.signal);
  let buf: Buffer = Buffer.alloc(0);
  let index = 0;
  let line = 1;
  const emit = (chunk: Buffer): Payload | undefined => {
    const startLine = line;
    line += countNewlines(chunk) + 2; // the separator holds two newlines
    const i = index++;
    if (chunk.length === 0 || chunk.toString('latin1').trim() === '') return undefined;
    const nl = chunk.indexOf(0x0a);
    const head = (nl >= 0 ? chunk.subarray(0, nl) : chunk).toString('utf8').replace(/\r$/, '');
    const m = /^([1-9])\s+(\S+)\s+(\d+)(?:\s+(-?\d+))?\s*$/.exec(head);
    if (!m) {
      ctx.issue({ line: startLine, entry: i, severity: 'warning', message: `payload ${i} skipped: bad header line ${JSON.stringify(head.slice(0, 80))}` });
      return undefined;
    }
    return {
      type: m[1],
      id: m[2],
      tsNs: BigInt(m[3]),
      latencyNs: m[4] !== undefined ? BigInt(m[4]) : undefined,
      raw: nl >= 0 ? chunk.subarray(nl + 1) : Buffer.alloc(0),
      index: i,
      line: startLine,
    };
  };
  try {
    for await (const chunk of input) {
      ctx.signal?.throwIfAborted();
      buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      let at: number;
      while ((at = buf.indexOf(SEP)) >= 0) {
        const p = emit(buf.subarray(0, at));
        buf = buf.subarray(at + SEP.length);
        if (p) yield p;
      }
    }
    const partial = SEP.subarray(0, SEP.length - 1); // a last separator without its final newline
    const tail = buf.length >= partial.length && buf.subarray(buf.length - partial.length).equals(partial) ? buf.subarray(0, buf.length - partial.length) : buf;
    const p = emit(tail);
    if (p) yield p;
  } finally {
    input.destroy();
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

interface Message {
  startLine: string;
  headers: Headers;
  body: Buffer;
}

function parseMessage(raw: Buffer): Message {
  let end = raw.indexOf('\r\n\r\n');
  let sepLen = 4;
  const lfEnd = raw.indexOf('\n\n');
  if (end < 0 || (lfEnd >= 0 && lfEnd < end)) {
    end = lfEnd;
    sepLen = 2;
  }
  const headText = (end >= 0 ? raw.subarray(0, end) : raw).toString('latin1');
  let body = end >= 0 ? raw.subarray(end + sepLen) : Buffer.alloc(0);
  const lines = headText.split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers: Headers = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) addHeader(headers, l.slice(0, c), Buffer.from(l.slice(c + 1).trim(), 'latin1').toString('utf8'));
  }
  if (/chunked/i.test(String(headerValue(headers, 'transfer-encoding') ?? ''))) body = dechunk(body) ?? body;
  return { startLine, headers, body };
}

function dechunk(b: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const nl = b.indexOf('\r\n', i);
    if (nl < 0) return undefined;
    const size = Number.parseInt(b.subarray(i, nl).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    out.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function decodeContent(body: Buffer, headers: Headers): { body: Buffer; note?: string } {
  const enc = String(headerValue(headers, 'content-encoding') ?? '');
  try {
    return { body: decodeContentEncoding(body, enc) };
  } catch (e) {
    return { body, note: `body says content-encoding ${enc} but does not decode (${(e as Error).message}); kept as recorded bytes` };
  }
}

export async function* gorPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  const base = stripExt(ctx.rel);
  // Requests waiting for their response, in file order.
  const pending: { req: Payload; res?: Payload }[] = [];
  const byId = new Map<string, { req: Payload; res?: Payload }>();
  let replayedNoted = false;
  let seq = 0;

  const build = (slot: { req: Payload; res?: Payload }): LocatedPair | undefined => {
    const { req, res } = slot;
    try {
      const m = parseMessage(req.raw);
      const rl = /^([A-Za-z]+)\s+(\S+)(?:\s+HTTP\/[\d.]+)?$/.exec(m.startLine.trim());
      if (!rl) throw new Error(`bad request line ${JSON.stringify(m.startLine.slice(0, 80))}`);
      let response: Pair['response'];
      let duration: number | undefined;
      if (res) {
        const r = parseMessage(res.raw);
        const sl = /^HTTP\/[\d.]+\s+(\d{3})/.exec(r.startLine.trim());
        if (!sl) {
          ctx.issue({ line: res.line, entry: res.index, severity: 'warning', message: `payload ${res.index}: bad status line; request kept without response` });
        } else {
          const dec = decodeContent(r.body, r.headers);
          if (dec.note) ctx.issue({ line: res.line, entry: res.index, severity: 'warning', message: `payload ${res.index}: ${dec.note}` });
          response = { status: Number(sl[1]), headers: r.headers, ...bodyFromBytes(dec.body) };
          duration =
            res.latencyNs !== undefined && res.latencyNs > 0n
              ? Number(res.latencyNs) / 1e6
              : res.tsNs > req.tsNs
                ? Number(res.tsNs - req.tsNs) / 1e6
                : undefined;
        }
      }
      const dec = decodeContent(m.body, m.headers);
      const candidate = {
        id: req.id,
        session: base,
        seq: seq++,
        ts: new Date(Number(req.tsNs / 1000000n)).toISOString(),
        direction: ctx.defaultDirection,
        service: undefined as string | undefined,
        request: { method: rl[1].toUpperCase(), url: originForm(rl[2]), headers: m.headers, ...bodyFromBytes(dec.body) },
        response,
        duration,
      };
      if (ctx.defaultDirection === 'out') {
        const host = headerValue(m.headers, 'host');
        candidate.request.url = /^[a-z]+:\/\//i.test(rl[2]) ? rl[2] : `http://${host ?? 'localhost'}${originForm(rl[2])}`;
        candidate.service = host?.replace(/:\d+$/, '');
      }
      const parsed = PairSchema.safeParse(dropUndefined(candidate));
      if (!parsed.success) throw new Error(zodMessage(parsed.error.issues));
      return { pair: parsed.data, file: ctx.file, line: req.line, entry: req.index };
    } catch (e) {
      ctx.issue({ line: req.line, entry: req.index, severity: 'warning', message: `payload ${req.index} skipped: ${(e as Error).message}` });
      return undefined;
    }
  };

  for await (const p of payloads(ctx)) {
    if (p.type === '1') {
      const slot = { req: p };
      pending.push(slot);
      byId.set(p.id, slot);
    } else if (p.type === '2') {
      const slot = byId.get(p.id);
      if (slot && !slot.res) slot.res = p;
      else ctx.issue({ line: p.line, entry: p.index, severity: 'info', message: `payload ${p.index}: response ${p.id} has no request; skipped` });
    } else if (p.type === '3') {
      if (!replayedNoted) ctx.issue({ line: p.line, entry: p.index, severity: 'info', message: 'replayed responses (type 3) are ignored; the original responses (type 2) are used' });
      replayedNoted = true;
    } else {
      ctx.issue({ line: p.line, entry: p.index, severity: 'info', message: `payload ${p.index}: unknown type ${p.type}; skipped` });
    }
    // Emit from the head while it is answered, or has waited long enough.
    while (pending.length && (pending[0].res || p.index - pending[0].req.index > WINDOW)) {
      const slot = pending.shift()!;
      if (byId.get(slot.req.id) === slot) byId.delete(slot.req.id);
      const lp = build(slot);
      if (lp) yield lp;
    }
  }
  for (const slot of pending) {
    const lp = build(slot);
    if (lp) yield lp;
  }
}

/** Pairs of one GoReplay file. */
export async function* importGor(file: string, opts?: ImportOptions): AsyncGenerator<Pair> {
  for await (const lp of gorPairs(contextFor(file, opts))) yield lp.pair;
}
