/**
 * One replay run, end to end, in phases (each recorded with its outcome and timing in run.json):
 *
 *   backends  mocks up; real dependencies (`sut.depends_on`) checked for readiness
 *   service   the service under test started from `sut.command` (own process group, the mocks' URLs in
 *             its environment, output in <run>/sut.log) and awaited until ready; skipped without `sut`
 *   gates     every quality gate checked for validity, the baseline resolved, resource gates checked to
 *             be measurable — all before any traffic
 *   replay    the inbound traffic replayed and validated, the service's CPU/memory sampled and its error
 *             lines counted, cutoffs watched (a tripped cutoff aborts, keeping what was done)
 *   stop      the service's whole process group stopped (SIGTERM, SIGKILL after stop_timeout)
 *
 * A failed phase stops the run, naming the phase and the reason; the service is always stopped, also on
 * cancellation. The CLI and the extension both call this; it never shows UI.
 */
import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import type { EngineContext } from './context.js';
import type { RepriseConfig } from './config/types.js';
import type { Pair, SourceIssue } from './store/model.js';
import type { RequestResult } from './replay/types.js';
import type { RunSummary, Metrics, EndpointStats, GateResult } from './report/types.js';
import type { ValidateOptions } from './validate/types.js';
import { readPairs } from './store/index.js';
import { countLines } from './store/io.js';
import { replay } from './replay/index.js';
import type { MockManager } from './mocks/index.js';
import { validateResponse } from './validate/index.js';
import { evaluateGates, compileGate, GateSyntaxError, gateInfo } from './gates/index.js';
import { MetricsCollector, RunWriter, resolveBaseline, type ResolvedBaseline } from './report/index.js';
import { applyNoise, loadNoiseModel, noiseFilePath, type NoiseModel } from './validate/noise.js';
import { endpointKey } from './store/endpoint.js';
import { CutoffMonitor } from './cutoffs.js';
import {
  PhaseError,
  PhaseRecorder,
  ResourceSampler,
  filterPairs,
  startBackends,
  startService,
  stopService,
  describeExit,
  type ResourceUsage,
  type ServiceProcess,
} from './sut/index.js';

export interface RunOptions {
  config: RepriseConfig;
  ctx: EngineContext;
  signal?: AbortSignal;
  /** Count the inbound pairs first so progress has a total (one extra streamed pass). Default true. */
  countFirst?: boolean;
  /** Only replay these pair ids (rerun failed). */
  onlyPairIds?: Set<string>;
  /** Called with each result as it is written (after the run folder has it). */
  onResult?: (r: RequestResult) => void;
  /** Extra problems found before the run (shown in the summary). */
  preIssues?: SourceIssue[];
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  summary: RunSummary;
  /** 0 all gates pass; 1 a gate failed or the run aborted (cutoff, cancellation); 3 a phase failed
   * (a backend or the service was not ready, a gate was invalid, …) — summary.error says which and why. */
  exitCode: 0 | 1 | 3;
}

/** The name of the service's log in the run folder. */
export const SUT_LOG_FILE = 'sut.log';

const baseOptions = new WeakMap<RepriseConfig['validate'], ValidateOptions>();

export function validateOptionsFor(config: RepriseConfig, pair: Pair): ValidateOptions {
  let base = baseOptions.get(config.validate);
  if (!base) {
    base = {
      ignore: config.validate.ignore,
      tolerances: config.validate.tolerances,
      headers: config.validate.headers,
      shapeOnly: config.validate.shape_only,
      autoNoise: config.validate.auto_noise,
    };
    baseOptions.set(config.validate, base);
  }
  const extra = pair.meta?.ignore;
  if (Array.isArray(extra) && extra.length) {
    return { ...base, ignore: [...base.ignore, ...extra.filter((x): x is string => typeof x === 'string')] };
  }
  return base;
}

/** Validation options per pair with the learned noise model folded in (cached per endpoint). */
export function noiseAwareOptions(config: RepriseConfig, noise: NoiseModel | undefined): (pair: Pair) => ValidateOptions {
  const optsByEndpoint = new Map<string, ValidateOptions>();
  return (pair: Pair): ValidateOptions => {
    let o = validateOptionsFor(config, pair);
    if (!noise) return o;
    const ep = endpointKey(pair.request.method, pair.request.url);
    if (o.ignore === config.validate.ignore) {
      const cached = optsByEndpoint.get(ep);
      if (cached) return cached;
      o = applyNoise(o, noise, ep);
      if (optsByEndpoint.size < 10000) optsByEndpoint.set(ep, o);
    } else {
      o = applyNoise(o, noise, ep);
    }
    return o;
  };
}

/** The noise model file of a config: `noise.file`, else <root>/.reprise/noise.json. */
export function noiseFileOf(config: RepriseConfig): string | undefined {
  if (config.noise) return config.noise.file;
  return config.root ? noiseFilePath(config.root) : undefined;
}

/** Per-endpoint deltas against the baseline run's endpoints (optional fields of EndpointStats). */
export function endpointDeltas(endpoints: EndpointStats[], baseline: readonly EndpointStats[] | undefined): EndpointStats[] {
  if (!baseline?.length) return endpoints;
  const byKey = new Map(baseline.map((e) => [e.endpoint, e]));
  return endpoints.map((e) => {
    const b = byKey.get(e.endpoint);
    if (!b) return e;
    const out: EndpointStats = {
      ...e,
      baseline: { requests: b.requests, passed: b.passed, failed: b.failed, errors: b.errors, latency_p95: b.latency_p95 },
    };
    if (b.status_counts) out.baseline!.status_counts = b.status_counts;
    out.latency_p95_delta = round(e.latency_p95 - b.latency_p95);
    if (b.latency_p95 > 0) out.latency_p95_change = round((e.latency_p95 - b.latency_p95) / b.latency_p95);
    const rate = (x: { requests: number; passed: number }) => (x.requests ? x.passed / x.requests : 1);
    out.pass_rate_delta = round(rate(e) - rate(b));
    if (e.status_counts && b.status_counts) {
      const delta: Record<string, number> = {};
      for (const k of new Set([...Object.keys(e.status_counts), ...Object.keys(b.status_counts)])) {
        const d = (e.status_counts[k] ?? 0) - (b.status_counts[k] ?? 0);
        if (d !== 0) delta[k] = d;
      }
      out.status_delta = delta;
    }
    return out;
  });
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}

const RESOURCE_METRICS = new Set(['cpu_avg', 'mem_peak']);

/** Phase "gates": every gate valid and measurable, the baseline resolved. */
async function checkGates(config: RepriseConfig, runId: string, service: ServiceProcess | undefined): Promise<{ baseline: ResolvedBaseline | null; detail: string }> {
  const problems: string[] = [];
  let deltas = 0;
  for (const [name, expr] of Object.entries(config.quality_gates ?? {})) {
    try {
      const g = compileGate(name, expr);
      if (g.mode !== 'value') deltas++;
    } catch (e) {
      problems.push(`${name}: ${e instanceof GateSyntaxError ? e.message : String(e)}`);
      continue;
    }
    const metric = gateInfo(name)?.metric;
    if (metric && RESOURCE_METRICS.has(metric)) {
      if (!service) problems.push(`${name} measures the service's ${metric === 'cpu_avg' ? 'CPU' : 'memory'}, which needs the service started by Reprise (sut.command)`);
      else if (!ResourceSampler.supported()) problems.push(`${name} measures the service's ${metric === 'cpu_avg' ? 'CPU' : 'memory'} through /proc, which this system (${process.platform}) does not have`);
    }
    if (metric === 'log_errors' && !service) problems.push(`${name} counts the service's error lines, which needs the service started by Reprise (sut.command)`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  let baseline: ResolvedBaseline | null;
  try {
    baseline = await resolveBaseline(config.runs_dir, config.baseline, runId);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const n = Object.keys(config.quality_gates ?? {}).length;
  let detail = `${n} gate${n === 1 ? '' : 's'} valid`;
  if (baseline) detail += `; baseline ${baseline.runId}`;
  else if (deltas) detail += `; no baseline run, so ${deltas} delta gate${deltas === 1 ? '' : 's'} cannot pass (set one with \`reprise baseline set <run>\`)`;
  return { baseline, detail };
}

/**
 * How many inbound pairs a run will replay, for progress. Plain `.jsonl(.gz)` files are counted by lines
 * (an estimate: an outbound pair in the same file counts too) without parsing; anything else, and a run
 * limited to some pair ids, is counted by reading it.
 */
async function countInbound(sources: string[], exact: (() => AsyncIterable<Pair>) | undefined, signal?: AbortSignal): Promise<number> {
  let n = 0;
  if (exact) {
    for await (const _ of exact()) n++;
    return n;
  }
  for (const src of sources) {
    const isFile = await stat(src).then((s) => s.isFile(), () => false);
    if (isFile && /\.jsonl(\.gz)?$/i.test(src)) {
      n += await countLines(src, signal);
    } else {
      for await (const _ of readPairs([src], { signal, onIssue: () => {}, direction: 'in' })) n++;
    }
  }
  return n;
}

export async function runReplay(opts: RunOptions): Promise<RunOutcome> {
  const { config, ctx, signal } = opts;
  const issues: SourceIssue[] = [...(opts.preIssues ?? [])];
  const onIssue = (i: SourceIssue) => {
    if (issues.length < 1000) issues.push(i);
    ctx.events.emit('source:issue', i);
    ctx.logger.warn(`${i.file}${i.line ? ':' + i.line : ''}${i.entry !== undefined ? ` entry ${i.entry}` : ''}: ${i.message}`);
  };
  const inbound = (report = false) => {
    const src = readPairs(config.traffic, { signal, onIssue: report ? onIssue : () => {}, direction: 'in' });
    return opts.onlyPairIds ? filterPairs(src, (p) => opts.onlyPairIds!.has(p.id)) : src;
  };

  let total: number | undefined;
  if (opts.countFirst !== false) total = await countInbound(config.traffic, opts.onlyPairIds ? inbound : undefined, signal);

  const metrics = new MetricsCollector();
  const writer = await RunWriter.create(config.runs_dir, {
    target: config.target,
    traffic: config.traffic,
    configPath: config.file || undefined,
    collector: metrics,
    clock: ctx.clock,
    logger: ctx.logger,
    ...(config.redact ? { redact: { headers: config.redact.headers, jsonPaths: config.redact.json_paths } } : {}),
  });
  const runId = writer.runId;
  ctx.events.emit('run:start', { runId, total: total ?? 0 });
  const noiseFile = config.noise?.apply === false ? undefined : noiseFileOf(config);
  const noise = noiseFile
    ? await loadNoiseModel(noiseFile).catch((e: Error) => {
        ctx.logger.warn(e.message);
        return undefined;
      })
    : undefined;
  const validateOptions = noiseAwareOptions(config, noise);

  const phases = new PhaseRecorder(ctx.clock);
  const statusByEndpoint = new Map<string, Record<string, number>>();
  let mocks: MockManager | undefined;
  let service: ServiceProcess | undefined;
  let sampler: ResourceSampler | undefined;
  let stopped = false;
  const started = ctx.clock.monotonic();

  /** Stop the service (recording the stop phase once) and the mocks. Idempotent. */
  const shutdown = async () => {
    await sampler?.stop().catch(() => undefined);
    if (service && !stopped) {
      stopped = true;
      await stopService(service, config.sut!, phases, ctx.clock).catch((e: Error) => ctx.logger.warn(`stopping the service: ${e.message}`));
    }
    const m = mocks;
    mocks = undefined;
    await m?.stop().catch(() => undefined);
  };
  const sutInfo = (): RunSummary['sut'] =>
    service
      ? { command: service.command, pid: service.pid, log: SUT_LOG_FILE, exitCode: service.exit?.code ?? null, signal: service.exit?.signal ?? null }
      : undefined;

  try {
    // 1. backends
    mocks = await startBackends({ config, ctx, signal, phases, onIssue });
    // 2. the service under test
    await startService({
      config,
      ctx,
      signal,
      phases,
      mocks,
      logFile: path.join(writer.dir, SUT_LOG_FILE),
      env: { REPRISE_RUN_ID: runId },
      onStarted: (p) => (service = p),
    });
    // 3. gates valid before any traffic
    const { baseline } = await phases.run(
      'gates',
      async (detail) => {
        const r = await checkGates(config, runId, service);
        detail(r.detail);
        return r;
      },
      signal,
    );

    // 4. replay
    const replayStartedAt = ctx.clock.now();
    const replayT0 = ctx.clock.monotonic();
    const cutoff = config.cutoffs ? new CutoffMonitor(config.cutoffs) : undefined;
    const offMock = cutoff?.active ? ctx.events.on('mock:call', (e) => cutoff.addMockCall(e.matched)) : undefined;
    if (service && ResourceSampler.supported()) {
      sampler = new ResourceSampler(service.pid, { intervalMs: config.sut!.sample_interval });
      await sampler.start();
    }
    const errorLinesAtStart = service?.errorLines() ?? 0;
    const serviceGone = (): string | undefined => (service?.exit ? `the service ${describeExit(service.exit)} during the replay` : undefined);
    let summary;
    try {
      summary = await replay({
        pairs: inbound(true),
        target: config.target,
        config: config.replay.session_header
          ? { ...config.replay, headers: { [config.replay.session_header]: '{{session}}', ...config.replay.headers } }
          : config.replay,
        onSessionStart: mocks && mocks.sessionMode !== 'off' ? (session) => mocks?.sessionStart(session) : undefined,
        beforeRequest: mocks && mocks.sessionMode === 'serial' ? (session) => mocks?.sessionActive(session) : undefined,
        validate: (pair, actual) => validateResponse(pair.response, actual, validateOptions(pair)),
        onResult: async (r) => {
          metrics.add(r);
          cutoff?.addResult(r);
          const ep = r.endpoint || `${r.method} ${r.url}`;
          if (r.outcome !== 'skipped' && (statusByEndpoint.size < 10000 || statusByEndpoint.has(ep))) {
            let sc = statusByEndpoint.get(ep);
            if (!sc) statusByEndpoint.set(ep, (sc = {}));
            const k = r.actualStatus !== undefined && r.error === undefined ? String(r.actualStatus) : 'error';
            sc[k] = (sc[k] ?? 0) + 1;
          }
          await writer.result(r);
          opts.onResult?.(r);
        },
        shouldStop: () => serviceGone() ?? cutoff?.check(),
        signal,
        ctx,
        runId,
        total,
      });
    } finally {
      offMock?.();
    }
    const aborted = summary.aborted;
    const abortReason = summary.abortReason ?? (aborted ? 'cancelled' : undefined);
    let logErrors: number | undefined;
    if (service) {
      await service.settleOutput();
      logErrors = service.errorLines() - errorLinesAtStart;
    }
    const usage: ResourceUsage | undefined = await sampler?.stop();
    phases.add(
      'replay',
      aborted ? 'failed' : 'ok',
      replayStartedAt,
      ctx.clock.monotonic() - replayT0,
      aborted
        ? `aborted after ${summary.results} results: ${abortReason}`
        : `${summary.sent} requests sent` + (cutoff?.active ? `; cutoffs ${cutoff.cutoffs.map((c) => `${c.name} ${c.expression.trim()}`).join(', ')} not tripped` : ''),
    );
    if (mocks) {
      metrics.addMockStats(mocks.stats());
      for (const u of mocks.unmatched()) await writer.unmatched(u);
    }
    const mockStats = mocks ? mocks.stats() : [];
    // 5. stop the service before judging (its log is complete then)
    await shutdown();

    const m: Metrics = metrics.finish(summary.durationMs);
    if (usage) {
      m.cpu_avg = usage.cpu_avg;
      m.mem_peak = usage.mem_peak;
    }
    if (logErrors !== undefined) m.log_errors = logErrors;
    const gates: GateResult[] = evaluateGates(config.quality_gates, m, baseline?.summary.metrics ?? null);
    if (m.sent === 0 && !aborted) {
      gates.push({ name: 'requests_sent', expression: '> 0', measured: 0, pass: false, note: 'no inbound request was replayed: check traffic sources and include/exclude' });
    }
    if (Object.keys(config.quality_gates).length === 0) {
      // With no gates configured, every replayed request must pass: a red request never ends in a green run.
      const bad = m.failed + m.errors;
      gates.push({ name: 'failed_requests', expression: '== 0', measured: bad, pass: bad === 0, note: 'no quality_gates configured: every request must pass' });
    }
    const allPass = gates.every((g) => g.pass);
    const endpoints = metrics.endpoints().map((e) => {
      const sc = statusByEndpoint.get(e.endpoint);
      return sc ? { ...e, status_counts: sortedCounts(sc) } : e;
    });
    const final: RunSummary = {
      ...writer.summary,
      status: aborted ? 'aborted' : 'completed',
      verdict: aborted ? 'aborted' : allPass ? 'pass' : 'fail',
      endedAt: new Date(ctx.clock.now()).toISOString(),
      baseline: baseline ? { runId: baseline.runId, path: baseline.path } : null,
      metrics: m,
      gates,
      endpoints: endpointDeltas(endpoints, baseline?.summary.endpoints),
      mocks: mockStats,
      sourceIssues: issues,
      abortReason,
      phases: phases.phases,
      sut: sutInfo(),
    };
    await writer.finish(final);
    ctx.events.emit('run:end', { runId, verdict: final.verdict === 'pass' ? 'pass' : final.verdict === 'aborted' ? 'aborted' : 'fail' });
    return { runId, runDir: writer.dir, summary: final, exitCode: final.verdict === 'pass' ? 0 : 1 };
  } catch (err) {
    await shutdown();
    const m = metrics.finish(ctx.clock.monotonic() - started);
    if (err instanceof PhaseError) {
      // A phase failed (or was cancelled): the run ends here, with the phase and the reason.
      const cancelled = err.cancelled;
      const final: RunSummary = {
        ...writer.summary,
        status: cancelled ? 'aborted' : 'error',
        verdict: cancelled ? 'aborted' : 'error',
        endedAt: new Date(ctx.clock.now()).toISOString(),
        metrics: m,
        gates: [],
        endpoints: metrics.endpoints(),
        mocks: [],
        sourceIssues: issues,
        phases: phases.phases,
        sut: sutInfo(),
        ...(cancelled ? { abortReason: `cancelled during the ${err.phase} phase` } : { error: err.message }),
      };
      await writer.finish(final).catch((e: Error) => ctx.logger.warn(`could not write run.json: ${e.message}`));
      ctx.events.emit('run:end', { runId, verdict: cancelled ? 'aborted' : 'error' });
      return { runId, runDir: writer.dir, summary: final, exitCode: cancelled ? 1 : 3 };
    }
    const errorMessage = err instanceof Error ? err.message : String(err);
    await writer
      .finish({ status: 'error', verdict: 'error', error: errorMessage, metrics: m, sourceIssues: issues, phases: phases.phases, sut: sutInfo() })
      .catch(() => {});
    ctx.events.emit('run:end', { runId, verdict: 'error' });
    throw err;
  } finally {
    await shutdown();
  }
}

function sortedCounts(sc: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(sc).sort()) out[k] = sc[k];
  return out;
}
