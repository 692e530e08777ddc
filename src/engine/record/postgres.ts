/**
 * Records a service's Postgres connections: a TCP proxy in front of a real Postgres that forwards every
 * byte both ways and writes each connection as a conversation (store/postgres/model.ts) — decoded messages
 * with their raw bytes and timestamps — once the connection closes. An SSLRequest/GSSENCRequest is answered
 * 'N' by the proxy itself (the recording must be readable), so clients fall back to plain TCP or fail when
 * they insist on TLS.
 *
 * Exchanges: client messages sent while no server answer has come start (or extend) an exchange; server
 * messages are added to the current one. `inboundFor` names the inbound request an exchange belongs to.
 */
import net from 'node:net';
import type { PgConversation, PgExchange, PgRecordedMessage } from '../store/postgres/model.js';
import { decodeBackend, decodeFrontend, FrameReader, GSSENC_REQUEST, PROTOCOL_3, SSL_REQUEST } from '../store/postgres/protocol.js';

export interface PgRecorderOptions {
  /** Port to listen on (0: a free one). */
  port: number;
  host?: string;
  /** The real database: postgres://host:port (only host and port are used). */
  target: string;
  /** Mock service name written into each conversation. */
  service: string;
  /** Called with each finished conversation (connection closed). */
  onConversation: (c: PgConversation) => void | Promise<void>;
  /** The inbound request in flight when an exchange starts, if known. */
  inboundFor?: () => string | undefined;
  now?: () => Date;
}

export interface PgRecorder {
  port: number;
  url: string;
  /** Connections recorded so far (finished). */
  readonly conversations: number;
  stop(): Promise<void>;
}

export async function startPgRecorder(opts: PgRecorderOptions): Promise<PgRecorder> {
  const target = new URL(opts.target.replace(/^postgres(ql)?:/, 'http:'));
  const now = opts.now ?? (() => new Date());
  const sockets = new Set<net.Socket>();
  const pending = new Set<Promise<unknown>>();
  let counter = 0;
  let finished = 0;
  const server = net.createServer((client) => {
    const id = ++counter;
    sockets.add(client);
    const conv: PgConversation = { kind: 'postgres', id: `${opts.service}#${now().toISOString()}#${id}`, service: opts.service, connection: String(id), ts: now().toISOString(), exchanges: [] };
    let current: PgExchange | undefined;
    let serverSpoke = true;
    const fromClient = new FrameReader(true);
    const fromServer = new FrameReader(false);
    const upstream = net.connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
    sockets.add(upstream);
    let queued: Buffer[] = [];
    let upstreamReady = false;
    upstream.on('connect', () => {
      upstreamReady = true;
      for (const b of queued) upstream.write(b);
      queued = [];
    });
    const toUpstream = (b: Buffer) => (upstreamReady ? upstream.write(b) : queued.push(b));
    const addClient = (m: PgRecordedMessage) => {
      if (!current || serverSpoke) {
        current = { ts: now().toISOString(), client: [], server: [] };
        const inbound = opts.inboundFor?.();
        if (inbound) current.inbound = inbound;
        conv.exchanges.push(current);
        serverSpoke = false;
      }
      current.client.push(m);
    };
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      try {
        for (let f = fromClient.next(); f; f = fromClient.next()) {
          if (f.type === '') {
            const code = f.body.readInt32BE(0);
            if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
              client.write('N');
              continue;
            }
            if (code === PROTOCOL_3 || code >> 16 === 3) fromClient.startup = false;
          }
          addClient({ ...decodeFrontend(f), raw: f.raw.toString('base64') });
          toUpstream(f.raw);
        }
      } catch {
        client.destroy();
        upstream.destroy();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      fromServer.push(chunk);
      try {
        for (let f = fromServer.next(); f; f = fromServer.next()) {
          const m = { ...decodeBackend(f), raw: f.raw.toString('base64') };
          if (!current) {
            current = { ts: now().toISOString(), client: [], server: [] };
            conv.exchanges.push(current);
          }
          current.server.push(m);
          current.tsEnd = now().toISOString();
          serverSpoke = true;
        }
      } catch {
        // not Postgres after all: keep forwarding, stop decoding
      }
    });
    let done = false;
    let settle!: () => void;
    const live = new Promise<void>((r) => (settle = r));
    pending.add(live);
    void live.then(() => pending.delete(live));
    const finish = () => {
      if (done) return;
      done = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      if (!conv.exchanges.length) return settle();
      finished++;
      void Promise.resolve()
        .then(() => opts.onConversation(conv))
        .catch(() => undefined)
        .then(settle);
    };
    client.on('close', finish);
    upstream.on('close', finish);
    client.on('error', finish);
    upstream.on('error', finish);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `postgres://${host}:${port}`,
    get conversations() {
      return finished;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      await Promise.all(pending);
    },
  };
}
