import { redactUrl } from '../../engine/redact.js';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { parse, findConfig, loadConfigOrExit, applyOverrides, cliContext, interruptible, useColor, UsageError, CliError, EXIT, type Io } from '../util.js';
import type { MockServiceConfig, RepriseConfig } from '../../engine/config/types.js';
import type { EngineContext } from '../../engine/context.js';
import type { Pair, SourceIssue } from '../../engine/store/model.js';
import { readPairs } from '../../engine/store/index.js';
import { startMocks, type MockCallEvent, type MockManager } from '../../engine/mocks/index.js';
import type { MockStats, UnmatchedCall } from '../../shared/results.js';
import { newRunId, writeFileAtomic } from '../../engine/report/index.js';

const help = `Usage: reprise mock [options]

Start only the mocks of reprise.yaml, for working on the service by hand. Every call is logged as
matched or missed (with the nearest stub and why it did not match). Ctrl-C stops the mocks and saves the
unmatched calls to .reprise/mock-sessions/<id>/unmatched.jsonl, ready for 'reprise stubs promote'.
'POST /__reprise/reset' on a mock restarts its sequences.

Options:
  -c, --config FILE       config file (default: ./reprise.yaml)
  -s, --service A,B       only these services (default: every mock)
      --traffic A,B       outbound traffic sources for mocks that name none (default: the config's traffic)
      --no-color          no ANSI colours
  -q, --quiet             log only missed calls
  -h, --help              show this help
`;

/** Outbound pairs of one service, from the mock's own traffic or the run's. */
export function outboundOf(config: RepriseConfig, cfg: MockServiceConfig, signal: AbortSignal | undefined, onIssue: (i: SourceIssue) => void): AsyncIterable<Pair> {
  const src = readPairs(cfg.traffic.length ? cfg.traffic : config.traffic, { signal, onIssue, direction: 'out' });
  return (async function* () {
    for await (const p of src) if (p.service === cfg.service) yield p;
  })();
}

/** The mocks named by --service (all when absent); unknown names are a usage error. */
export function selectMocks(config: RepriseConfig, services: string | undefined): MockServiceConfig[] {
  if (!config.mocks.length) throw new CliError(`no mocks in ${config.file || 'the config'}: add a 'mocks:' list`, EXIT.usage);
  if (!services) return config.mocks;
  const wanted = services.split(',').map((s) => s.trim()).filter(Boolean);
  const known = config.mocks.map((m) => m.service);
  for (const w of wanted) if (!known.includes(w)) throw new UsageError(`no mock named '${w}' (known: ${known.join(', ')})`);
  return config.mocks.filter((m) => wanted.includes(m.service));
}

/** Folder of manual mock sessions: <config folder>/.reprise/mock-sessions. */
export function mockSessionsDir(config: RepriseConfig): string {
  return path.join(config.root || process.cwd(), '.reprise', 'mock-sessions');
}

export interface MockSessionOptions {
  config: RepriseConfig;
  mocks: MockServiceConfig[];
  io: Io;
  ctx: EngineContext;
  signal: AbortSignal;
  color?: boolean;
  quiet?: boolean;
  /** Called once every mock listens. */
  onReady?: (manager: MockManager) => void;
}

export interface MockSessionResult {
  dir: string;
  stats: MockStats[];
  unmatched: number;
}

function paint(color: boolean | undefined, code: string, s: string): string {
  return color ? `\x1b[${code}m${s}\x1b[0m` : s;
}

function time(): string {
  return new Date().toISOString().slice(11, 23);
}

/** Run the mocks until `signal` aborts; then stop them and save the session (stats, unmatched calls). */
export async function runMockSession(o: MockSessionOptions): Promise<MockSessionResult> {
  const { config, io, ctx, signal, color } = o;
  const issues: SourceIssue[] = [];
  const onIssue = (i: SourceIssue) => {
    if (issues.length < 1000) issues.push(i);
  };
  const log = (e: MockCallEvent) => {
    if (e.matched) {
      if (!o.quiet) io.out.write(`${time()} ${paint(color, '32', 'matched')} ${e.service} ${e.method} ${redactUrl(e.url)} → ${e.status ?? ''} ${paint(color, '2', e.stubId ?? '')}\n`);
      return;
    }
    const near = e.nearest ? `\n    nearest ${e.nearest.stubId}: ${e.nearest.summary}${e.nearest.why ? ` — ${e.nearest.why}` : ''}` : '\n    no stubs to compare with';
    io.out.write(`${time()} ${paint(color, '31', 'MISSED ')} ${e.service} ${e.method} ${redactUrl(e.url)} → ${e.status ?? ''} ${paint(color, '2', `call ${e.unmatchedId ?? ''}`)}${near}\n`);
  };
  const manager = await startMocks(o.mocks, {
    outbound: (_service, cfg) => outboundOf(config, cfg, signal, onIssue),
    ctx,
    signal,
    onCall: log,
  });
  const sessionId = newRunId();
  const dir = path.join(mockSessionsDir(config), sessionId);
  try {
    for (const i of [...issues, ...manager.issues]) {
      if (i.severity === 'info') continue;
      io.err.write(`${i.severity}: ${i.file}${i.line ? `:${i.line}` : ''}${i.entry !== undefined ? ` entry ${i.entry}` : ''}: ${i.message}\n`);
    }
    const width = Math.max(...manager.servers.map((s) => s.service.length));
    io.out.write(`reprise mock: ${manager.servers.length} mock${manager.servers.length === 1 ? '' : 's'} up (Ctrl-C to stop)\n`);
    for (const s of manager.servers) {
      const env = s.config.env ? `  ${s.config.env}=${s.url}` : '';
      io.out.write(`  ${s.service.padEnd(width)}  ${s.url}  ${s.stubCount} stub${s.stubCount === 1 ? '' : 's'}${env}\n`);
    }
    const envs = Object.entries(manager.env);
    if (envs.length) io.out.write(`start the service with:\n  ${envs.map(([k, v]) => `${k}=${v}`).join(' ')} <your command>\n`);
    o.onReady?.(manager);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await manager.stop().catch(() => {});
  }
  const unmatched: UnmatchedCall[] = manager.unmatched();
  const stats = manager.stats();
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, 'unmatched.jsonl'), unmatched.map((u) => JSON.stringify(u) + '\n').join(''));
  await writeFileAtomic(
    path.join(dir, 'session.json'),
    JSON.stringify({ schema: 'reprise.mock-session/1', id: sessionId, endedAt: new Date().toISOString(), config: config.file || undefined, mocks: stats, unmatched: unmatched.length }, null, 2) + '\n',
  );
  const calls = stats.reduce((n, s) => n + s.calls, 0);
  const matched = stats.reduce((n, s) => n + s.matched, 0);
  io.out.write(`\nreprise mock: stopped. ${calls} call${calls === 1 ? '' : 's'}, ${matched} matched, ${calls - matched} missed\n`);
  if (unmatched.length) {
    io.out.write(`unmatched calls saved to ${path.join(dir, 'unmatched.jsonl')}\n`);
    io.out.write(`make one a stub with: reprise stubs promote ${dir} <call-id> [--from-nearest | --response FILE]\n`);
  } else io.out.write(`session saved to ${dir}\n`);
  return { dir, stats, unmatched: unmatched.length };
}

export const mockCommand = {
  summary: 'run only the mocks, logging every call; Ctrl-C saves the unmatched calls',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values } = parse(args, {
      config: { type: 'string', short: 'c' },
      service: { type: 'string', short: 's' },
      traffic: { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
    applyOverrides(config, io, { traffic: values.traffic });
    const mocks = selectMocks(config, values.service);
    const ctx = cliContext(io);
    return interruptible(
      async (signal) => {
        try {
          await runMockSession({ config, mocks, io, ctx, signal, color: useColor(io, values['no-color'] ? false : values.color), quiet: values.quiet });
          return EXIT.ok;
        } catch (e) {
          if (signal.aborted && (e as Error)?.name === 'AbortError') return EXIT.ok;
          if (e instanceof Error && /^mock '/.test(e.message)) throw new CliError(e.message, EXIT.runtime);
          throw e;
        }
      },
      { reason: 'interrupted' },
    );
  },
};
