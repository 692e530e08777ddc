import { promises as fsp, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { PairSchema, type Pair } from '../../../src/engine/store/model.js';

export async function tmpDir(prefix = 'reprise-record-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Listen on 127.0.0.1:0; returns the port and a closer that also cuts open connections. */
export async function serve(server: net.Server): Promise<{ port: number; url: string; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

export interface RawResponse {
  status: number;
  rawHeaders: string[];
  rawTrailers: string[];
  body: Buffer;
}

/** One request with node:http (no decompression, raw headers kept). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders | string[]; body?: Buffer | Buffer[]; agent?: http.Agent | false; path?: string } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: u.hostname, port: u.port, path: opts.path ?? u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, rawTrailers: res.rawTrailers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = opts.body;
    if (Array.isArray(body)) {
      for (const b of body) req.write(b);
      req.end();
    } else req.end(body);
  });
}

/** Raw headers without the ones that legitimately differ per connection/response (date, connection, keep-alive). */
export function stableHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (['date', 'connection', 'keep-alive'].includes(raw[i].toLowerCase())) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** Pairs of a JSONL file, each validated against the Pair schema. [] when the file does not exist. */
export async function readStore(file: string): Promise<Pair[]> {
  if (!existsSync(file)) return [];
  const text = await fsp.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = PairSchema.safeParse(JSON.parse(l));
      assert.ok(r.success, `${file}:${i + 1}: ${r.success ? '' : r.error.message}`);
      return r.data;
    });
}

/** Read a whole HTTP/1 response head from a socket (for CONNECT). */
export function readHead(socket: net.Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      resolve({ head: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Read exactly n bytes (after `already`). */
export function readN(socket: net.Socket, n: number, already: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = already;
    if (buf.length >= n) return resolve(buf.subarray(0, n));
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= n) {
        socket.off('data', onData);
        resolve(buf.subarray(0, n));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

export const repoRoot = path.resolve(__dirname, '../../..');
