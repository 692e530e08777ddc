/**
 * Bringing up what a replay needs, phase by phase, and tearing it down — shared by `reprise run`
 * (engine/run/pipeline.ts) and `reprise learn` (engine/run/learn.ts):
 *
 *   backends  the mocks, then every real dependency in `sut.depends_on` checked for readiness
 *   service   the service under test started from `sut.command` (own process group, mocks' URLs in its
 *             environment, output to a log file) and awaited until ready
 *   stop      the service's whole process group stopped (SIGTERM, then SIGKILL after stop_timeout)
 */
import type { EngineContext } from '../context.js';
import type { RepriseConfig, SutConfig } from '../config/types.js';
import type { Pair, SourceIssue } from '../store/model.js';
import { readPairs } from '../store/index.js';
import { startMocks, type MockManager, type SessionIsolation } from '../mocks/index.js';
import { readPgConversations } from '../store/postgres/read.js';
import { compileLogPattern } from '../config/schema.js';
import { PhaseError, type PhaseRecorder } from './phases.js';
import { ServiceProcess, describeExit, type StopResult } from './process.js';
import { readyUrl, waitReady } from './ready.js';

export async function* filterPairs(src: AsyncIterable<Pair>, keep: (p: Pair) => boolean): AsyncIterable<Pair> {
  for await (const p of src) if (keep(p)) yield p;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms)}ms`;
}

export interface BackendsOptions {
  config: RepriseConfig;
  ctx: EngineContext;
  signal?: AbortSignal;
  phases: PhaseRecorder;
  onIssue: (i: SourceIssue) => void;
  /** How the mocks keep replay sessions apart: the run's session plan (engine/run/plan.ts). */
  sessions: SessionIsolation;
  /** Mocks the caller already runs: used instead of starting `config.mocks`, and never stopped here. */
  running?: MockManager;
}

/**
 * Phase "backends": start the mocks (or take the running ones) and check the real dependencies. Stops the
 * mocks it started again on failure.
 */
export async function startBackends(o: BackendsOptions): Promise<MockManager | undefined> {
  const { config, ctx, signal, phases } = o;
  const deps = config.sut?.depends_on ?? [];
  if (o.running) {
    const running = o.running;
    const urls = Object.entries(running.urls).map(([s, u]) => `${s} at ${u}`).join(', ');
    return phases.run(
      'backends',
      async (detail) => {
        const parts = [`mocks already running: ${urls || 'none'}`];
        for (const d of deps) {
          const r = await waitReady({ url: d.url, timeout: d.timeout, interval: 200, signal, what: `dependency ${d.name}` });
          parts.push(`${d.name} ready (${fmtMs(r.ms)})`);
        }
        detail(parts.join('; '));
        return running;
      },
      signal,
    );
  }
  if (!config.mocks.length && !deps.length) {
    phases.skip('backends', 'no mocks and no dependencies configured');
    return undefined;
  }
  let mocks: MockManager | undefined;
  return phases.run(
    'backends',
    async (detail) => {
      const parts: string[] = [];
      if (config.mocks.length) {
        mocks = await startMocks(config.mocks, {
          outbound: (service, cfg) =>
            filterPairs(
              readPairs(cfg.traffic.length ? cfg.traffic : config.traffic, { signal, onIssue: o.onIssue, direction: 'out' }),
              (p) => p.service === service,
            ),
          conversations: (_service, cfg) => readPgConversations(cfg.traffic.length ? cfg.traffic : config.traffic, { signal, onIssue: o.onIssue }),
          ctx,
          signal,
          sessions: o.sessions,
        });
        for (const i of mocks.issues ?? []) o.onIssue(i);
        parts.push(`mocks ${Object.entries(mocks.urls).map(([s, u]) => `${s} at ${u}`).join(', ')}`);
      }
      try {
        for (const d of deps) {
          const r = await waitReady({ url: d.url, timeout: d.timeout, interval: 200, signal, what: `dependency ${d.name}` });
          parts.push(`${d.name} ready (${fmtMs(r.ms)})`);
        }
      } catch (e) {
        await mocks?.stop().catch(() => undefined);
        mocks = undefined;
        throw e;
      }
      detail(parts.join('; '));
      return mocks;
    },
    signal,
  );
}

/** `${NAME}` in `value` replaced from `env` (unknown names become empty and are reported). */
export function expandEnv(value: string, env: NodeJS.ProcessEnv, unknown?: (name: string) => void): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) unknown?.(name);
    return v ?? '';
  });
}

/**
 * The service's environment: Reprise's own, then REPRISE_TARGET / REPRISE_TARGET_PORT, each mock's
 * `env` name → its URL, then `sut.env` (expanded against all of the former).
 */
export function serviceEnv(sut: SutConfig, target: string, mocks: MockManager | undefined, ctx: EngineContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const u = new URL(target);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REPRISE_TARGET: target,
    REPRISE_TARGET_PORT: u.port || (u.protocol === 'https:' ? '443' : '80'),
    ...(mocks?.env ?? {}),
    ...extra,
  };
  const base = { ...env };
  for (const [k, v] of Object.entries(sut.env)) {
    env[k] = expandEnv(v, base, (n) => ctx.logger.warn(`sut.env.${k}: \${${n}} is not set; using an empty value`));
  }
  return env;
}

export interface ServiceOptions {
  config: RepriseConfig;
  ctx: EngineContext;
  signal?: AbortSignal;
  phases: PhaseRecorder;
  mocks?: MockManager;
  /** Where the service's output goes (appended). */
  logFile?: string;
  /** Extra environment (e.g. REPRISE_RUN_ID). */
  env?: Record<string, string>;
  /** Phase name (default "service"; learn uses "service (pass 2)" for a restart). */
  phaseName?: string;
  /**
   * Called as soon as the process is spawned. The caller then owns it: on failure the process is NOT
   * stopped here, the caller stops it (e.g. with stopService, recording the stop phase). Without it, a
   * failed start stops the process itself and records a "stop" phase.
   */
  onStarted?: (proc: ServiceProcess) => void;
}

/**
 * Phase "service": start `sut.command` (when set) and wait until ready. Without `sut` the phase is
 * skipped (the service is expected to be running); with `sut` but no command only readiness is awaited.
 * On failure the started process group is stopped before the PhaseError is thrown.
 */
export async function startService(o: ServiceOptions): Promise<ServiceProcess | undefined> {
  const { config, ctx, signal, phases } = o;
  const name = o.phaseName ?? 'service';
  const sut = config.sut;
  if (!sut) {
    phases.skip(name, `not started by Reprise (no \`sut\` in the config): expected to be running at ${config.target}`);
    return undefined;
  }
  let proc: ServiceProcess | undefined;
  try {
    return await phases.run(
      name,
      async (detail) => {
        const url = readyUrl(config.target, sut.ready);
        const check = url.startsWith('tcp://') ? `connect ${url.slice(6)}` : `GET ${url} → 2xx`;
        if (sut.command) {
          proc = ServiceProcess.start({
            command: sut.command,
            cwd: sut.cwd,
            env: serviceEnv(sut, config.target, o.mocks, ctx, o.env),
            logFile: o.logFile,
            errorPattern: compileLogPattern(sut.log_errors_pattern) ?? undefined,
            logger: ctx.logger,
          });
          o.onStarted?.(proc);
          if (proc.pid <= 0) {
            const exit = await proc.exited;
            throw new PhaseError(name, `\`${sut.command}\` ${describeExit(exit)}`);
          }
        }
        const r = await waitReady({
          url,
          timeout: sut.ready.timeout,
          stable_for: sut.ready.stable_for,
          interval: sut.ready.interval,
          signal,
          process: proc,
          what: sut.command ? `the service (\`${sut.command}\`)` : `the service at ${config.target}`,
        });
        detail(
          (proc ? `started \`${sut.command}\` (pid ${proc.pid}); ` : 'started by hand; ') +
            `ready after ${fmtMs(r.ms)} (${check}${sut.ready.stable_for ? `, stable for ${fmtMs(sut.ready.stable_for)}` : ''})`,
        );
        return proc;
      },
      signal,
    );
  } catch (e) {
    if (proc && !o.onStarted) await stopService(proc, sut, phases, ctx.clock).catch(() => undefined);
    throw e;
  }
}

/** Phase "stop": stop the service's process group. Failed (but not thrown) when SIGKILL was needed. */
export async function stopService(
  proc: ServiceProcess,
  sut: SutConfig,
  phases: PhaseRecorder,
  clock: EngineContext['clock'],
  name = 'stop',
): Promise<StopResult> {
  const startedAt = clock.now();
  const t0 = clock.monotonic();
  const exitedBefore = proc.exit;
  const r = await proc.stop(sut.stop_timeout);
  const took = clock.monotonic() - t0;
  let status: 'ok' | 'failed' = 'ok';
  let detail: string;
  if (r.how === 'none') {
    detail = `the service had already stopped: it ${describeExit(exitedBefore ?? r.exit)}`;
  } else if (r.how === 'SIGTERM') {
    detail = `stopped with SIGTERM in ${fmtMs(took)}`;
  } else {
    status = 'failed';
    detail = `the service ignored SIGTERM for ${fmtMs(sut.stop_timeout)} (stop_timeout): killed its process group with SIGKILL`;
  }
  if (r.survivors > 0) {
    status = 'failed';
    detail += `; ${r.survivors} process(es) of its group could not be stopped`;
  }
  phases.add(name, status, startedAt, took, detail);
  return r;
}
