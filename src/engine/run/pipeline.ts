/**
 * One replay run, end to end, in phases (each recorded with its outcome and timing in run.json):
 *
 *   backends  mocks up (or the caller's running mocks taken over); real dependencies (`sut.depends_on`)
 *             checked for readiness
 *   service   the service under test started from `sut.command` (own process group, the mocks' URLs in
 *             its environment, output in <run>/sut.log) and awaited until ready; skipped without `sut`
 *   gates     every quality gate checked for validity, the baseline resolved, resource gates checked to
 *             be measurable — all before any traffic
 *   replay    the inbound traffic replayed and validated, the service's CPU/memory sampled and its error
 *             lines counted, cutoffs watched (a tripped cutoff aborts, keeping what was done)
 *   stop      the service's whole process group stopped (SIGTERM, SIGKILL after stop_timeout)
 *
 * The session plan (plan.ts) is decided once and handed to the mocks and the replay alike. A failed phase
 * stops the run, naming the phase and the reason; the service is always stopped, also on cancellation; mocks
 * the run started are stopped, mocks handed over keep running. The CLI and the extension both call this; it
 * never shows UI.
 */
import * as path from 'node:path';
import type { EngineContext } from '../context.js';
import type { RepriseConfig } from '../config/types.js';
import type { Pair, SourceIssue } from '../store/model.js';
import type { RunSummary, Metrics } from '../report/types.js';
import type { ReplaySummary } from '../replay/index.js';
import type { ValidateOptions } from '../validate/types.js';
import { replay } from '../replay/index.js';
import { validateResponse } from '../validate/index.js';
import { MetricsCollector, RunWriter, type ResolvedBaseline } from '../report/index.js';
import {
  PhaseError,
  PhaseRecorder,
  ResourceSampler,
  startBackends,
  startService,
  stopService,
  describeExit,
  type ResourceUsage,
  type ServiceProcess,
} from '../sut/index.js';
import { CutoffMonitor } from './cutoffs.js';
import { StatusCounts, endpointDeltas } from './endpoints.js';
import { checkGates, verdictGates } from './gates.js';
import { countInbound, inboundPairs } from './inbound.js';
import { SUT_LOG_FILE, runValidateOptions, type RunOptions, type RunOutcome } from './options.js';
import { replayConfigFor, sessionHooks, sessionPlan, type SessionPlan } from './plan.js';
import { RunMocks } from './run-mocks.js';

/** What a run works with once it has started: its folder, its counters, its plan. */
interface Run {
  opts: RunOptions;
  config: RepriseConfig;
  ctx: EngineContext;
  signal?: AbortSignal;
  runId: string;
  writer: RunWriter;
  metrics: MetricsCollector;
  statusCounts: StatusCounts;
  phases: PhaseRecorder;
  issues: SourceIssue[];
  onIssue: (i: SourceIssue) => void;
  plan: SessionPlan;
  validateOptions: (pair: Pair) => ValidateOptions;
  total?: number;
}

/** What a run brings up and must take down: the mocks, the service, its resource sampler. */
class Stack {
  mocks: RunMocks | undefined;
  service: ServiceProcess | undefined;
  sampler: ResourceSampler | undefined;
  private serviceStopped = false;

  constructor(private readonly run: Run) {}

  sutInfo(): RunSummary['sut'] {
    const s = this.service;
    return s ? { command: s.command, pid: s.pid, log: SUT_LOG_FILE, exitCode: s.exit?.code ?? null, signal: s.exit?.signal ?? null } : undefined;
  }

  /** Stop the sampler, the service (recording the stop phase once) and the mocks the run started. Idempotent. */
  async shutdown(): Promise<void> {
    const { config, phases, ctx } = this.run;
    await this.sampler?.stop().catch(() => undefined);
    if (this.service && !this.serviceStopped) {
      this.serviceStopped = true;
      await stopService(this.service, config.sut!, phases, ctx.clock).catch((e: Error) => ctx.logger.warn(`stopping the service: ${e.message}`));
    }
    await this.mocks?.stop().catch(() => undefined);
  }
}

/** Count the traffic, open the run folder, load the noise model, plan the sessions. */
async function openRun(opts: RunOptions): Promise<Run> {
  const { config, ctx, signal } = opts;
  const issues: SourceIssue[] = [...(opts.preIssues ?? [])];
  const onIssue = (i: SourceIssue) => {
    if (issues.length < 1000) issues.push(i);
    ctx.events.emit('source:issue', i);
    ctx.logger.warn(`${i.file}${i.line ? ':' + i.line : ''}${i.entry !== undefined ? ` entry ${i.entry}` : ''}: ${i.message}`);
  };
  const total = opts.countFirst !== false ? await countInbound({ traffic: config.traffic, onlyPairIds: opts.onlyPairIds, signal }) : undefined;
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
  ctx.events.emit('run:start', { runId: writer.runId, total: total ?? 0 });
  return {
    opts,
    config,
    ctx,
    signal,
    runId: writer.runId,
    writer,
    metrics,
    statusCounts: new StatusCounts(),
    phases: new PhaseRecorder(ctx.clock),
    issues,
    onIssue,
    plan: sessionPlan(config),
    validateOptions: await runValidateOptions(config, ctx),
    total,
  };
}

/** Phases "backends" and "service". */
async function bringUp(run: Run, stack: Stack): Promise<void> {
  const { config, ctx, signal, phases, plan, opts } = run;
  const handed = opts.mocks;
  if (handed && handed.sessionMode !== plan.mode) {
    ctx.logger.warn(`the mocks handed to the run keep sessions apart by '${handed.sessionMode}', the run plans '${plan.mode}' (start them with the run's session plan)`);
  }
  const manager = await startBackends({ config, ctx, signal, phases, onIssue: run.onIssue, sessions: plan, running: handed });
  if (manager) stack.mocks = handed ? RunMocks.handedOver(manager) : RunMocks.started(manager);
  await startService({
    config,
    ctx,
    signal,
    phases,
    mocks: manager,
    logFile: path.join(run.writer.dir, SUT_LOG_FILE),
    env: { REPRISE_RUN_ID: run.runId },
    onStarted: (p) => (stack.service = p),
  });
}

interface Replayed {
  summary: ReplaySummary;
  aborted: boolean;
  abortReason?: string;
  usage?: ResourceUsage;
  logErrors?: number;
}

/** Phase "replay": the inbound traffic replayed and validated, resources sampled, cutoffs watched. */
async function replayPhase(run: Run, stack: Stack): Promise<Replayed> {
  const { config, ctx, signal, phases, metrics, writer, opts } = run;
  const { service, mocks } = stack;
  const startedAt = ctx.clock.now();
  const t0 = ctx.clock.monotonic();
  const cutoff = config.cutoffs ? new CutoffMonitor(config.cutoffs) : undefined;
  const offMock = cutoff?.active ? mocks?.onCall((e) => cutoff.addMockCall(e.matched)) : undefined;
  if (service && ResourceSampler.supported()) {
    stack.sampler = new ResourceSampler(service.pid, { intervalMs: config.sut!.sample_interval });
    await stack.sampler.start();
  }
  const errorLinesAtStart = service?.errorLines() ?? 0;
  const serviceGone = (): string | undefined => (service?.exit ? `the service ${describeExit(service.exit)} during the replay` : undefined);
  let summary: ReplaySummary;
  try {
    summary = await replay({
      pairs: inboundPairs({ traffic: config.traffic, onlyPairIds: opts.onlyPairIds, signal }, run.onIssue),
      target: config.target,
      config: replayConfigFor(config),
      ...sessionHooks(run.plan, mocks?.manager),
      validate: (pair, actual) => validateResponse(pair.response, actual, run.validateOptions(pair)),
      onResult: async (r) => {
        metrics.add(r);
        cutoff?.addResult(r);
        run.statusCounts.add(r);
        await writer.result(r);
        opts.onResult?.(r);
      },
      shouldStop: () => serviceGone() ?? cutoff?.check(),
      signal,
      ctx,
      runId: run.runId,
      total: run.total,
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
  const usage = await stack.sampler?.stop();
  phases.add(
    'replay',
    aborted ? 'failed' : 'ok',
    startedAt,
    ctx.clock.monotonic() - t0,
    aborted
      ? `aborted after ${summary.results} results: ${abortReason}`
      : `${summary.sent} requests sent` + (cutoff?.active ? `; cutoffs ${cutoff.cutoffs.map((c) => `${c.name} ${c.expression.trim()}`).join(', ')} not tripped` : ''),
  );
  return { summary, aborted, abortReason, usage, logErrors };
}

/** The finished run's summary: metrics, verdict gates, endpoints with baseline deltas. */
function judge(run: Run, stack: Stack, r: Replayed, baseline: ResolvedBaseline | null, mockStats: RunSummary['mocks']): RunSummary {
  const { config, ctx, metrics, writer } = run;
  const m: Metrics = metrics.finish(r.summary.durationMs);
  if (r.usage) {
    m.cpu_avg = r.usage.cpu_avg;
    m.mem_peak = r.usage.mem_peak;
  }
  if (r.logErrors !== undefined) m.log_errors = r.logErrors;
  const gates = verdictGates(config, m, baseline, r.aborted);
  const allPass = gates.every((g) => g.pass);
  return {
    ...writer.summary,
    status: r.aborted ? 'aborted' : 'completed',
    verdict: r.aborted ? 'aborted' : allPass ? 'pass' : 'fail',
    endedAt: new Date(ctx.clock.now()).toISOString(),
    baseline: baseline ? { runId: baseline.runId, path: baseline.path } : null,
    metrics: m,
    gates,
    endpoints: endpointDeltas(run.statusCounts.apply(metrics.endpoints()), baseline?.summary.endpoints),
    mocks: mockStats,
    sourceIssues: run.issues,
    abortReason: r.abortReason,
    phases: run.phases.phases,
    sut: stack.sutInfo(),
  };
}

/** A phase failed (or was cancelled): the run ends there, with the phase and the reason. */
async function endAtPhase(run: Run, stack: Stack, err: PhaseError, m: Metrics): Promise<RunOutcome> {
  const { ctx, writer, runId } = run;
  const cancelled = err.cancelled;
  const final: RunSummary = {
    ...writer.summary,
    status: cancelled ? 'aborted' : 'error',
    verdict: cancelled ? 'aborted' : 'error',
    endedAt: new Date(ctx.clock.now()).toISOString(),
    metrics: m,
    gates: [],
    endpoints: run.metrics.endpoints(),
    mocks: [],
    sourceIssues: run.issues,
    phases: run.phases.phases,
    sut: stack.sutInfo(),
    ...(cancelled ? { abortReason: `cancelled during the ${err.phase} phase` } : { error: err.message }),
  };
  await writer.finish(final).catch((e: Error) => ctx.logger.warn(`could not write run.json: ${e.message}`));
  ctx.events.emit('run:end', { runId, verdict: cancelled ? 'aborted' : 'error' });
  return { runId, runDir: writer.dir, summary: final, exitCode: cancelled ? 1 : 3 };
}

export async function runReplay(opts: RunOptions): Promise<RunOutcome> {
  const run = await openRun(opts);
  const { ctx, signal, writer, runId, phases } = run;
  const stack = new Stack(run);
  const started = ctx.clock.monotonic();
  try {
    // 1. backends, 2. the service under test
    await bringUp(run, stack);
    // 3. gates valid before any traffic
    const { baseline } = await phases.run(
      'gates',
      async (detail) => {
        const r = await checkGates(run.config, runId, stack.service);
        detail(r.detail);
        return r;
      },
      signal,
    );
    // 4. replay
    const replayed = await replayPhase(run, stack);
    const mockStats = stack.mocks ? stack.mocks.stats() : [];
    if (stack.mocks) {
      run.metrics.addMockStats(mockStats);
      for (const u of stack.mocks.unmatched()) await writer.unmatched(u);
    }
    // 5. stop the service before judging (its log is complete then)
    await stack.shutdown();
    const final = judge(run, stack, replayed, baseline, mockStats);
    await writer.finish(final);
    ctx.events.emit('run:end', { runId, verdict: final.verdict === 'pass' ? 'pass' : final.verdict === 'aborted' ? 'aborted' : 'fail' });
    return { runId, runDir: writer.dir, summary: final, exitCode: final.verdict === 'pass' ? 0 : 1 };
  } catch (err) {
    await stack.shutdown();
    const m = run.metrics.finish(ctx.clock.monotonic() - started);
    if (err instanceof PhaseError) return await endAtPhase(run, stack, err, m);
    const errorMessage = err instanceof Error ? err.message : String(err);
    await writer
      .finish({ status: 'error', verdict: 'error', error: errorMessage, metrics: m, sourceIssues: run.issues, phases: phases.phases, sut: stack.sutInfo() })
      .catch(() => {});
    ctx.events.emit('run:end', { runId, verdict: 'error' });
    throw err;
  } finally {
    await stack.shutdown();
  }
}
