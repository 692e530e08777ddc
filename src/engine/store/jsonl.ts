/**
 * The native store: JSON Lines, one Pair per line, optionally gzipped. Read line by line and written
 * with backpressure, so memory never grows with the size of the store.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { PairSchema, type Headers, type Pair, type PairInput, type RecordedRequest, type RecordedResponse } from './model.js';
import { readLineBatches } from './io.js';
import { isConversationLine } from './postgres/model.js';
import { contextFor, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './importers/types.js';

/** Pairs of one native JSONL(.gz) file; a malformed line is an error issue (file, line) and is skipped. */
export async function* jsonlPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  for await (const batch of jsonlPairBatches(ctx)) yield* batch;
}

/** `jsonlPairs` in batches (one per chunk of the file): the store's fast path for big files. */
export async function* jsonlPairBatches(ctx: ImportContext): AsyncGenerator<LocatedPair[]> {
  for await (const lines of readLineBatches(ctx.file, ctx.signal)) {
    const out: LocatedPair[] = [];
    for (const { text, no } of lines) {
      const pair = parseLine(ctx, text, no);
      if (pair) out.push({ pair, file: ctx.file, line: no });
    }
    if (out.length) yield out;
  }
}

function parseLine(ctx: ImportContext, text: string, no: number): Pair | undefined {
  if (isBlank(text)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    ctx.issue({ line: no, severity: 'error', message: `invalid JSON: ${(e as Error).message}` });
    return undefined;
  }
  const fast = plainPair(raw);
  if (fast) return fast;
  // A Postgres conversation (store/postgres) shares the store; pair readers skip it.
  if (isConversationLine(raw)) return undefined;
  const parsed = PairSchema.safeParse(raw);
  if (!parsed.success) {
    ctx.issue({ line: no, severity: 'error', message: `not a traffic pair: ${zodMessage(parsed.error.issues)}` });
    return undefined;
  }
  return parsed.data;
}

function isBlank(text: string): boolean {
  // Lines start with `{`; only then is the (rare) whitespace-only check needed.
  return text.charCodeAt(0) !== 123 && text.trim() === '';
}

// ---------------------------------------------------------------------------------------------------
// A hand-written equivalent of PairSchema.parse for well-formed lines: the same checks and the same
// output (defaults applied, keys in schema order). Anything unusual (an unknown key, a wrong type, a
// `__proto__` key) returns undefined and goes through zod, which also words the error.

const PAIR_KEYS = new Set(['id', 'session', 'seq', 'ts', 'direction', 'service', 'request', 'response', 'duration', 'meta']);
const MESSAGE_KEYS = new Set(['method', 'url', 'status', 'headers', 'body', 'bodyEncoding']);
const hasOwn = Object.prototype.hasOwnProperty;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !hasOwn.call(v, '__proto__');
}

function plainHeaders(h: unknown): Headers | undefined {
  if (!isObject(h)) return undefined;
  for (const k in h) {
    const v = h[k];
    if (typeof v === 'string') continue;
    if (!Array.isArray(v)) return undefined;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return undefined;
  }
  return h as Headers;
}

function plainEncoding(v: unknown): boolean {
  return v === undefined || v === 'utf8' || v === 'base64';
}

function plainRequest(r: unknown): RecordedRequest | undefined {
  if (!isObject(r)) return undefined;
  for (const k in r) if (!MESSAGE_KEYS.has(k) || k === 'status') return undefined;
  const { method, url, body, bodyEncoding } = r;
  if (typeof method !== 'string' || method.length === 0 || typeof url !== 'string' || url.length === 0) return undefined;
  const headers = r.headers === undefined ? {} : plainHeaders(r.headers);
  if (!headers || (body !== undefined && typeof body !== 'string') || !plainEncoding(bodyEncoding)) return undefined;
  const out: RecordedRequest = { method, url, headers };
  if (hasOwn.call(r, 'body')) out.body = body as string | undefined;
  if (hasOwn.call(r, 'bodyEncoding')) out.bodyEncoding = bodyEncoding as RecordedRequest['bodyEncoding'];
  return out;
}

function plainResponse(r: unknown): RecordedResponse | undefined {
  if (!isObject(r)) return undefined;
  for (const k in r) if (!MESSAGE_KEYS.has(k) || k === 'method' || k === 'url') return undefined;
  const { status, body, bodyEncoding } = r;
  if (typeof status !== 'number' || !Number.isSafeInteger(status) || status < 0 || status > 999) return undefined;
  const headers = r.headers === undefined ? {} : plainHeaders(r.headers);
  if (!headers || (body !== undefined && typeof body !== 'string') || !plainEncoding(bodyEncoding)) return undefined;
  const out: RecordedResponse = { status, headers };
  if (hasOwn.call(r, 'body')) out.body = body as string | undefined;
  if (hasOwn.call(r, 'bodyEncoding')) out.bodyEncoding = bodyEncoding as RecordedResponse['bodyEncoding'];
  return out;
}

/** The pair PairSchema would produce from `raw`, or undefined when `raw` is not plainly valid. */
export function plainPair(raw: unknown): Pair | undefined {
  if (!isObject(raw)) return undefined;
  for (const k in raw) if (!PAIR_KEYS.has(k)) return undefined;
  const { id, session, seq, ts, direction, service, duration, meta } = raw;
  if (typeof id !== 'string' || id.length === 0 || typeof ts !== 'string') return undefined;
  if (session !== undefined && typeof session !== 'string') return undefined;
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) return undefined;
  if (direction !== 'in' && direction !== 'out') return undefined;
  if (service !== undefined && typeof service !== 'string') return undefined;
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) return undefined;
  if (meta !== undefined && !isObject(meta)) return undefined;
  const request = plainRequest(raw.request);
  if (!request) return undefined;
  let response: RecordedResponse | undefined;
  if (raw.response !== undefined) {
    response = plainResponse(raw.response);
    if (!response) return undefined;
  }
  const out = { id, session: session ?? 'default', seq: seq ?? 0, ts, direction } as Pair;
  if (hasOwn.call(raw, 'service')) out.service = service;
  out.request = request;
  if (hasOwn.call(raw, 'response')) out.response = response;
  if (hasOwn.call(raw, 'duration')) out.duration = duration;
  if (hasOwn.call(raw, 'meta')) out.meta = { ...meta };
  return out;
}

/** Pairs of one native JSONL(.gz) file. */
export async function* importJsonl(file: string, opts?: ImportOptions) {
  for await (const lp of jsonlPairs(contextFor(file, opts))) yield lp.pair;
}

/** Writes pairs as JSON Lines; gzip when the path ends in `.gz`. Call `close()` to flush. */
export class JsonlWriter {
  private closed = false;
  private count = 0;

  private constructor(
    readonly path: string,
    private readonly head: Writable,
    private readonly done: Promise<void>,
  ) {
    // keep an early failure from becoming an unhandled rejection; it is rethrown by write/close
    done.catch(() => {});
  }

  /** Open (create or truncate) a store file, creating parent folders. */
  static async open(file: string): Promise<JsonlWriter> {
    await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const fh = await fsp.open(file, 'w');
    const out = fh.createWriteStream();
    if (/\.gz$/i.test(file)) {
      const gz = createGzip();
      return new JsonlWriter(file, gz, pipeline(gz, out));
    }
    const done = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    return new JsonlWriter(file, out, done);
  }

  /** Number of pairs written so far. */
  get written(): number {
    return this.count;
  }

  /** Validate and append one pair; waits for the stream to drain when its buffer is full. */
  async write(pair: PairInput): Promise<void> {
    if (this.closed) throw new Error(`JsonlWriter(${this.path}): write after close`);
    const parsed = PairSchema.safeParse(pair);
    if (!parsed.success) {
      throw new Error(`JsonlWriter(${this.path}): invalid pair: ${zodMessage(parsed.error.issues)}`);
    }
    const ok = this.head.write(JSON.stringify(parsed.data) + '\n');
    this.count++;
    if (!ok) {
      await Promise.race([once(this.head, 'drain'), this.done]);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.done;
    this.closed = true;
    this.head.end();
    await this.done;
  }
}
