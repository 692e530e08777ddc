/**
 * Bring up one MockServer per configured dependency: stubs from the stub folder (hand-written or promoted,
 * plus a WireMock `mappings/` folder inside it if present) win over stubs built from captured traffic.
 */
import type { MockServiceConfig } from '../config/types.js';
import type { EngineContext } from '../context.js';
import type { Pair, SourceIssue } from '../store/model.js';
import { stubsFromTraffic } from './from-traffic.js';
import { MockServer } from './server.js';
import { loadStubDir } from './stub-files.js';
import type { StubDefinition } from './stub.js';
import type { MockStats, UnmatchedCall } from './types.js';
import { importWireMock } from './wiremock.js';
import path from 'node:path';
import { promises as fs } from 'node:fs';

export interface StartMocksOptions {
  /** Outbound pairs of one service (the caller picks the sources and filters by service). */
  outbound: (service: string, cfg: MockServiceConfig) => AsyncIterable<Pair>;
  ctx: EngineContext;
  signal?: AbortSignal;
}

export interface MockManager {
  servers: MockServer[];
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
  const servers: MockServer[] = [];
  const issues: SourceIssue[] = [];
  try {
    for (const cfg of configs) {
      signal?.throwIfAborted();
      const loaded = await loadServiceStubs(cfg, opts.outbound(cfg.service, cfg), signal);
      for (const i of loaded.issues) {
        issues.push(i);
        ctx.events.emit('source:issue', i);
      }
      const server = new MockServer(cfg, loaded.stubs, { onCall: (e) => ctx.events.emit('mock:call', e) });
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
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
