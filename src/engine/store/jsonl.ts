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
import { PairSchema, type PairInput } from './model.js';
import { readLines } from './io.js';
import { contextFor, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './importers/types.js';

/** Pairs of one native JSONL(.gz) file; a malformed line is an error issue (file, line) and is skipped. */
export async function* jsonlPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  for await (const { text, no } of readLines(ctx.file, ctx.signal)) {
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      ctx.issue({ line: no, severity: 'error', message: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = PairSchema.safeParse(raw);
    if (!parsed.success) {
      ctx.issue({ line: no, severity: 'error', message: `not a traffic pair: ${zodMessage(parsed.error.issues)}` });
      continue;
    }
    yield { pair: parsed.data, file: ctx.file, line: no };
  }
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
