import { request } from 'undici';
import type { MockServiceConfig } from '../../../src/engine/config/types.js';
import { MockServer } from '../../../src/engine/mocks/server.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';

export function mockConfig(p: Partial<MockServiceConfig> = {}): MockServiceConfig {
  return {
    service: 'payment-api',
    port: 0,
    host: '127.0.0.1',
    traffic: [],
    stubs: '',
    unmatched: { status: 501 },
    sequence: 'stay',
    timing: 'none',
    ignore: [],
    ...p,
  };
}

export async function startServer(stubs: StubDefinition[], p: Partial<MockServiceConfig> = {}): Promise<MockServer> {
  const s = new MockServer(mockConfig(p), stubs);
  await s.start();
  return s;
}

export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  json(): any;
}

export async function send(
  base: string,
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; json?: unknown } = {},
): Promise<Sent> {
  const headers = { ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const r = await request(base + pathAndQuery, { method: method as 'GET', headers, body });
  const bytes = Buffer.from(await r.body.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: r.statusCode, headers: r.headers as Sent['headers'], text, bytes, json: () => JSON.parse(text) };
}
