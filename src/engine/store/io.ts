/**
 * File plumbing for the store: walking sources, opening (possibly gzipped) inputs as streams,
 * reading lines without loading a whole file, and sniffing a file's first bytes.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { SourceIssue } from './model.js';

export interface SourceFile {
  /** Absolute path. */
  file: string;
  /** Path relative to the source it was found under (the base name for a file source), with `/`. */
  rel: string;
  /** True when the file was named directly as a source rather than found in a folder. */
  explicit: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/** A readable stream of the file's content, gunzipped when the file is gzip (detected by magic bytes). */
export async function openInput(file: string, signal?: AbortSignal): Promise<Readable> {
  const gz = await isGzipFile(file);
  const raw = createReadStream(file, { signal });
  if (!gz) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  gunzip.on('close', () => raw.destroy());
  return raw.pipe(gunzip);
}

/** Up to `max` bytes from the start of the (decompressed) file; never throws on corrupt gzip. */
export async function readHead(file: string, max = 8192): Promise<Buffer> {
  let input: Readable;
  try {
    input = await openInput(file);
  } catch {
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of input) {
      const b = chunk as Buffer;
      chunks.push(b);
      size += b.length;
      if (size >= max) break;
    }
  } catch {
    // corrupt gzip or read error: sniff what we have
  } finally {
    input.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

export interface Line {
  text: string;
  /** 1-based. */
  no: number;
}

/**
 * Lines of a (possibly gzipped) text file, one at a time. A UTF-8 BOM on the first line is removed;
 * `\r\n`, `\n` and a lone `\r` each end a line (as node:readline splits them); a last line without a
 * line end is returned, an empty one after the last line end is not. Stops (and closes the file) when
 * the consumer stops iterating or the signal aborts.
 */
export async function* readLines(file: string, signal?: AbortSignal): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(file, signal)) {
    for (let i = 0; i < batch.length; i++) {
      signal?.throwIfAborted();
      yield batch[i];
    }
  }
}

/**
 * The lines of `readLines`, in batches: one batch per chunk read from the file (~64 KiB), so a
 * consumer pays the async iteration once per chunk rather than once per line.
 */
export async function* readLineBatches(file: string, signal?: AbortSignal): AsyncGenerator<Line[]> {
  const input = await openInput(file, signal);
  const decoder = new StringDecoder('utf8');
  const splitter = new LineSplitter();
  try {
    for await (const chunk of input) {
      signal?.throwIfAborted();
      const batch = splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
      if (batch.length) yield batch;
    }
    const last = splitter.end(decoder.end());
    if (last.length) yield last;
  } finally {
    input.destroy();
  }
}

/**
 * Number of lines of a (possibly gzipped) file — `\n` bytes, plus one for a last line without one —
 * without decoding or parsing it. A cheap estimate of a JSONL store's size (blank lines and pairs of
 * either direction all count).
 */
export async function countLines(file: string, signal?: AbortSignal): Promise<number> {
  const input = await openInput(file, signal);
  let n = 0;
  let last = 10;
  try {
    for await (const chunk of input) {
      const b = chunk as Buffer;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
      if (b.length) last = b[b.length - 1];
    }
  } finally {
    input.destroy();
  }
  return last === 10 ? n : n + 1;
}

/** Splits text arriving in pieces into numbered lines (see readLines for the rules). */
export class LineSplitter {
  private rest = '';
  /** The previous piece ended in `\r`: a `\n` starting the next piece belongs to it. */
  private afterCR = false;
  private no = 0;

  push(piece: string): Line[] {
    const out: Line[] = [];
    if (piece.length === 0) return out;
    let s = piece;
    if (this.afterCR) {
      this.afterCR = false;
      if (s.charCodeAt(0) === 10) s = s.slice(1);
    }
    let start = 0;
    if (s.indexOf('\r') < 0) {
      // Fast path: only `\n` line ends.
      for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
        this.line(out, start === 0 && this.rest ? this.rest + s.slice(0, nl) : s.slice(start, nl));
        if (start === 0) this.rest = '';
        start = nl + 1;
      }
    } else {
      const re = /\r\n|\n|\r/g;
      for (let m = re.exec(s); m; m = re.exec(s)) {
        const end = m.index;
        this.line(out, start === 0 && this.rest ? this.rest + s.slice(0, end) : s.slice(start, end));
        if (start === 0) this.rest = '';
        start = end + m[0].length;
        if (m[0] === '\r' && start === s.length) this.afterCR = true;
      }
    }
    if (start < s.length) this.rest = start === 0 ? this.rest + s : s.slice(start);
    return out;
  }

  /** The last line, if the text did not end with a line end. */
  end(tail = ''): Line[] {
    const out = tail ? this.push(tail) : [];
    if (this.rest) {
      this.line(out, this.rest);
      this.rest = '';
    }
    return out;
  }

  private line(out: Line[], text: string): void {
    this.no++;
    out.push({ text: this.no === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, no: this.no });
  }
}

const SKIP_DIRS = new Set(['node_modules']);

/**
 * Files of the given sources: a file source as is; a folder recursed in sorted path order, skipping
 * hidden entries (names starting with ".") and `node_modules`. A missing source is an error issue.
 */
export async function* walkSources(
  sources: string[],
  onIssue: (i: SourceIssue) => void,
  signal?: AbortSignal,
): AsyncGenerator<SourceFile> {
  for (const src of sources) {
    signal?.throwIfAborted();
    const abs = path.resolve(src);
    let st;
    try {
      st = await fsp.stat(abs);
    } catch (e) {
      onIssue({ file: abs, severity: 'error', message: `traffic source not found: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      continue;
    }
    if (st.isFile()) {
      yield { file: abs, rel: path.basename(abs), explicit: true };
    } else if (st.isDirectory()) {
      yield* walkDir(abs, abs, onIssue, signal);
    } else {
      onIssue({ file: abs, severity: 'error', message: 'traffic source is neither a file nor a folder' });
    }
  }
}

async function* walkDir(
  root: string,
  dir: string,
  onIssue: (i: SourceIssue) => void,
  signal?: AbortSignal,
): AsyncGenerator<SourceFile> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    onIssue({ file: dir, severity: 'error', message: `cannot read folder: ${(e as Error).message}` });
    return;
  }
  names.sort();
  for (const name of names) {
    signal?.throwIfAborted();
    if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
    const p = path.join(dir, name);
    let st;
    try {
      st = await fsp.stat(p);
    } catch {
      continue; // dangling symlink
    }
    if (st.isDirectory()) yield* walkDir(root, p, onIssue, signal);
    else if (st.isFile()) yield { file: p, rel: path.relative(root, p).split(path.sep).join('/'), explicit: false };
  }
}
