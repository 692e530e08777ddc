/**
 * Bodies as the recorder keeps them: a tee of the bytes that passed through (capped), decoded from their
 * `content-encoding` for the store.
 *
 * Why decoded: a pair's body is what replays compare and what mocks serve. A gzip body stored as base64 of
 * the compressed bytes could only be compared byte for byte (compression output differs between servers,
 * levels and library versions), and a mock serving it would have to reproduce the encoding. So the store
 * holds the decoded body, the recorded headers drop `content-encoding` (and `content-length` is set to the
 * decoded length), and the original values are kept in `meta.contentEncoding` / `meta.wireLength` so a
 * replay can still check that the live service compresses the same way. What passed through the proxy was
 * never touched: decoding happens on the tee, after the exchange.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { BodyEncoding, Headers } from '../store/model.js';
import { bodyFromBytes } from '../store/http-util.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** Collects the bytes of one body up to `cap`; beyond it the body is dropped and only counted. */
export class BodyTap {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes seen in all. */
  total = 0;
  truncated = false;

  constructor(readonly cap: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.truncated) return;
    if (this.size + chunk.length > this.cap) {
      this.truncated = true;
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

/** Decode bytes by a `content-encoding` value (`gzip`, `x-gzip`, `deflate`, `br`, lists like `gzip, br`). */
export async function decodeContent(buf: Buffer, contentEncoding: string, maxOutput: number): Promise<Buffer> {
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let out = buf;
  const opts = { maxOutputLength: maxOutput };
  for (const c of codings.reverse()) {
    if (c === 'gzip' || c === 'x-gzip') out = await gunzip(out, opts);
    else if (c === 'br') out = await brotli(out, opts);
    else if (c === 'deflate') {
      try {
        out = await inflate(out, opts);
      } catch {
        out = await inflateRaw(out, opts); // some servers send raw deflate without the zlib wrapper
      }
    } else throw new Error(`unsupported content-encoding '${c}'`);
  }
  return out;
}

export interface RecordedBody {
  headers: Headers;
  body?: string;
  bodyEncoding?: BodyEncoding;
  /** Original content-encoding when the body was decoded (or could not be). */
  contentEncoding?: string;
  /** Original content-length when the body was decoded. */
  wireLength?: number;
  /** Bytes seen when the body exceeded the cap (the body is then not stored). */
  truncated?: number;
  decodeError?: string;
}

/**
 * One side (request or response) as stored: header map plus body. A body over the cap is left out
 * (`truncated` says how big it was); a compressed body is decoded (see the file comment); an encoded body
 * that cannot be decoded is stored as base64 of the bytes received, with its `content-encoding` header kept.
 */
export async function recordBody(headers: Headers, tap: BodyTap): Promise<RecordedBody> {
  if (tap.truncated) return { headers, truncated: tap.total };
  const bytes = tap.bytes();
  if (bytes.length === 0) return { headers };
  const ceRaw = headers['content-encoding'];
  const ce = Array.isArray(ceRaw) ? ceRaw.join(', ') : ceRaw;
  if (!ce || ce.trim().toLowerCase() === 'identity') return { headers, ...bodyFromBytes(bytes) };
  try {
    const decoded = await decodeContent(bytes, ce, Math.max(tap.cap * 10, 64 << 20));
    const h: Headers = { ...headers };
    delete h['content-encoding'];
    const cl = h['content-length'];
    const out: RecordedBody = { headers: h, contentEncoding: ce, ...bodyFromBytes(decoded) };
    if (cl !== undefined) {
      out.wireLength = Number(Array.isArray(cl) ? cl[0] : cl);
      h['content-length'] = String(decoded.length);
    }
    return out;
  } catch (e) {
    return { headers, body: bytes.toString('base64'), bodyEncoding: 'base64', contentEncoding: ce, decodeError: (e as Error).message };
  }
}
