/**
 * File plumbing for the store: walking sources, opening (possibly gzipped) inputs as streams,
 * reading lines without loading a whole file, and sniffing a file's first bytes.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
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
 * Lines of a (possibly gzipped) text file, one at a time, through node:readline. A UTF-8 BOM on the
 * first line is removed; `\r\n` and `\n` both end a line. Stops (and closes the file) when the
 * consumer stops iterating or the signal aborts.
 */
export async function* readLines(file: string, signal?: AbortSignal): AsyncGenerator<Line> {
  const input = await openInput(file, signal);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let no = 0;
  try {
    for await (const text of rl) {
      signal?.throwIfAborted();
      no++;
      yield { text: no === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, no };
    }
  } finally {
    rl.close();
    input.destroy();
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
