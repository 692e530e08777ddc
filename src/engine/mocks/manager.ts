/**
 * Bring up one MockServer per configured dependency: stubs from the stub folder (hand-written or promoted,
 * plus a WireMock `mappings/` folder inside it if present) win over stubs built from captured traffic.
 */
import type { MockServiceConfig } from '../config/types.js';
import type { EngineContext } from '../context.js';
import type { Pair, SourceIssue } from '../store/model.js';
import { stubsFromTraffic } from './from-traffic.js';
import { MockServer, type MockCallEvent } from './server.js';
import { loadStubDir } from './stub-files.js';
import type { StubDefinition } from './stub.js';
import type { MockStats, UnmatchedCall } from './types.js';
import { importWireMock } from './wiremock.js';
import { PgMockServer } from './postgres/server.js';
import { readPgConversations } from '../store/postgres/read.js';
import type { PgConversation } from '../store/postgres/model.js';
import path from 'node:path';
import { promises as fs } from 'node:fs';

export interface StartMocksOptions {
  /** Outbound pairs of one service (the caller picks the sources and filters by service). */
  outbound: (service: string, cfg: MockServiceConfig) => AsyncIterable<Pair>;
  ctx: EngineContext;
  signal?: AbortSignal;
  /** Called for every call any mock answers (besides the 'mock:call' event), with miss details. */
  onCall?: (e: MockCallEvent) => void;
  /** Per-session sequence isolation; default: off (sequences run across the whole run). */
  sessions?: SessionIsolation;
  /**
   * Recorded Postgres conversations of one mock (type postgres, or type left out: then the mock is a Postgres
   * mock when this yields any and `outbound` none). Default: read from the mock's own `traffic`.
   */
  conversations?: (service: string, cfg: MockServiceConfig) => AsyncIterable<PgConversation>;
}

/** Any mock the manager runs: HTTP or Postgres, with the same outward shape. */
export type AnyMockServer = MockServer | PgMockServer;

/**
 * Sequences and scenarios restart for every replay session when `isolate` is on. How depends on what the
 * mocks can know about a call:
 * - `header` set (e.g. `x-reprise-session`): the replay adds it to inbound requests and the service forwards
 *   it to its dependencies; each session value gets state of its own, at any concurrency.
 * - else, with `concurrency` 1: one inbound request is in flight at a time, so the mocks keep each session's
 *   state apart by the session whose request is in flight (`sessionActive`, called before every request).
 * - else: a reset would break the sessions in flight, so nothing is reset (mode `shared`, with a warning).
 */
export interface SessionIsolation {
  isolate: boolean;
  /** replay.concurrency of the run. */
  concurrency: number;
  header?: string;
}

export type SessionMode = 'off' | 'header' | 'serial' | 'shared';

export function sessionMode(s: SessionIsolation | undefined): SessionMode {
  if (!s?.isolate) return 'off';
  if (s.header) return 'header';
  return s.concurrency <= 1 ? 'serial' : 'shared';
}

export interface MockManager {
  servers: AnyMockServer[];
  /** service → base URL (http://127.0.0.1:port). */
  urls: Record<string, string>;
  /** cfg.env → URL, for the service under test's environment. */
  env: Record<string, string>;
  /** Stub-file and traffic problems (each also emitted as 'source:issue'). */
  issues: SourceIssue[];
  stats(): MockStats[];
  unmatched(): UnmatchedCall[];
  /** Reset every sequence/scenario (call between isolated replay sessions). */
  resetSessions(): void;
  /** How sessions are isolated (see SessionIsolation). */
  sessionMode: SessionMode;
  /** Give to replay's `onSessionStart`: restarts sequences for the session as `sessions` says. */
  sessionStart(session: string): void;
  /** Give to replay's `beforeRequest`: in serial mode, the calls that follow belong to this session. */
  sessionActive(session: string): void;
  /** Listen to every call any of these mocks answers (whoever started them); returns the unsubscribe. */
  onCall(listener: (e: MockCallEvent) => void): () => void;
  stop(): Promise<void>;
}

/** Every stub a service's mock serves, in precedence order, with the problems found on the way. */
export async function loadServiceStubs(
  cfg: MockServiceConfig,
  outbound: AsyncIterable<Pair> | Iterable<Pair>,
  signal?: AbortSignal,
): Promise<{ stubs: StubDefinition[]; issues: SourceIssue[] }> {
  const issues: SourceIssue[] = [];
  const stubs: StubDefinition[] = [];
  if (cfg.stubs) {
    const files = await loadStubDir(cfg.stubs);
    stubs.push(...files.stubs);
    issues.push(...files.issues);
    const hasMappings = await fs.stat(path.join(cfg.stubs, 'mappings')).then((s) => s.isDirectory(), () => false);
    if (hasMappings) {
      const wm = await importWireMock(cfg.stubs);
      stubs.push(...wm.stubs);
      issues.push(...wm.issues);
    }
  }
  const traffic = await stubsFromTraffic(outbound, cfg, { signal });
  stubs.push(...traffic.stubs);
  issues.push(...traffic.issues);
  return { stubs, issues };
}

export async function startMocks(configs: MockServiceConfig[], opts: StartMocksOptions): Promise<MockManager> {
  const { ctx, signal } = opts;
  const servers: AnyMockServer[] = [];
  const issues: SourceIssue[] = [];
  const mode = sessionMode(opts.sessions);
  const listeners = new Set<(e: MockCallEvent) => void>();
  if (mode === 'shared') {
    ctx.logger.warn(
      `mocks: sessions cannot be isolated with replay.concurrency ${opts.sessions!.concurrency}: sequences are shared by parallel sessions ` +
        '(use concurrency 1, or a session header the service forwards to its dependencies)',
    );
  }
  try {
    for (const cfg of configs) {
      signal?.throwIfAborted();
      const pg = await postgresMock(cfg, opts);
      if (pg) {
        for (const i of pg.issues) {
          issues.push(i);
          ctx.events.emit('source:issue', i);
        }
        await pg.start();
        servers.push(pg);
        ctx.logger.info(`mock '${cfg.service}' (postgres) on ${pg.url} (${pg.stubCount} recorded statements)`);
        continue;
      }
      const loaded = await loadServiceStubs(cfg, opts.outbound(cfg.service, cfg), signal);
      for (const i of loaded.issues) {
        issues.push(i);
        ctx.events.emit('source:issue', i);
      }
      const server = new MockServer(cfg, loaded.stubs, {
        onCall: (e) => {
          ctx.events.emit('mock:call', e);
          opts.onCall?.(e);
          for (const l of listeners) l(e);
        },
        ...(mode === 'header' ? { sessionHeader: opts.sessions!.header } : {}),
      });
      await server.start();
      servers.push(server);
      ctx.logger.info(`mock '${cfg.service}' on ${server.url} (${server.stubCount} stubs)`);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    throw err;
  }
  const urls: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const s of servers) {
    urls[s.service] = s.url;
    if (s.config.env) env[s.config.env] = s.url;
  }
  return {
    servers,
    urls,
    env,
    issues,
    stats: () => servers.map((s) => s.stats()),
    unmatched: () => servers.flatMap((s) => s.unmatched()),
    resetSessions: () => servers.forEach((s) => s.resetSequences()),
    sessionMode: mode,
    sessionStart: (session: string) => {
      if (mode === 'serial' || mode === 'header') servers.forEach((s) => s.resetSequences(session));
    },
    sessionActive: (session: string) => {
      if (mode === 'serial') servers.forEach((s) => s.setActiveSession(session));
    },
    onCall: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/**
 * The Postgres mock for a config, when it is one: `type: postgres`, or no type and traffic with Postgres
 * conversations but no HTTP calls for the service. Undefined for an HTTP mock.
 */
async function postgresMock(cfg: MockServiceConfig, opts: StartMocksOptions): Promise<PgMockServer | undefined> {
  if (cfg.type === 'http') return undefined;
  const issues: SourceIssue[] = [];
  const source = opts.conversations
    ? opts.conversations(cfg.service, cfg)
    : readPgConversations(cfg.traffic, { signal: opts.signal, onIssue: (i) => issues.push(i) });
  const convs: PgConversation[] = [];
  for await (const c of source) if (!c.service || c.service === cfg.service) convs.push(c);
  if (cfg.type !== 'postgres') {
    if (!convs.length) return undefined;
    for await (const _ of opts.outbound(cfg.service, cfg)) return undefined;
  }
  const server = new PgMockServer(cfg, convs, {
    onCall: (e) => {
      opts.ctx.events.emit('mock:call', e);
      opts.onCall?.(e);
    },
  });
  server.issues.push(...issues);
  return server;
}
