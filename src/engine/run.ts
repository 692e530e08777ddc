/**
 * One replay run, end to end: mocks up, replay the inbound traffic against the target, validate each
 * response, evaluate the quality gates against the baseline, and leave a run folder on disk.
 * The CLI and the extension both call this; it never shows UI.
 */
import type { EngineContext } from './context.js';
import type { RepriseConfig } from './config/types.js';
import type { Pair, SourceIssue } from './store/model.js';
import type { RequestResult } from './replay/types.js';
import type { RunSummary, Metrics } from './report/types.js';
import type { ValidateOptions } from './validate/types.js';
import { readPairs } from './store/index.js';
import { replay } from './replay/index.js';
import { startMocks, type MockManager } from './mocks/index.js';
import { validateResponse } from './validate/index.js';
import { evaluateGates } from './gates/index.js';
import { MetricsCollector, RunWriter, resolveBaseline } from './report/index.js';
import { applyNoise, loadNoiseModel, noiseFilePath } from './validate/index.js';
import { endpointKey } from './store/endpoint.js';

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
  /** 0 all gates pass, 1 a gate failed or the run aborted. */
  exitCode: 0 | 1;
}

const baseOptions = new WeakMap<RepriseConfig['validate'], ValidateOptions>();

function validateOptionsFor(config: RepriseConfig, pair: Pair): ValidateOptions {
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

async function* filterPairs(src: AsyncIterable<Pair>, keep: (p: Pair) => boolean): AsyncIterable<Pair> {
  for await (const p of src) if (keep(p)) yield p;
}

export async function runReplay(opts: RunOptions): Promise<RunOutcome> {
  const { config, ctx, signal } = opts;
  const issues: SourceIssue[] = [...(opts.preIssues ?? [])];
  const onIssue = (i: SourceIssue) => {
    if (issues.length < 1000) issues.push(i);
    ctx.events.emit('source:issue', i);
    ctx.logger.warn(`${i.file}${i.line ? ':' + i.line : ''}${i.entry !== undefined ? ` entry ${i.entry}` : ''}: ${i.message}`);
  };
  const inbound = () => {
    const src = readPairs(config.traffic, { signal, onIssue: () => {}, direction: 'in' });
    return opts.onlyPairIds ? filterPairs(src, (p) => opts.onlyPairIds!.has(p.id)) : src;
  };

  let total: number | undefined;
  if (opts.countFirst !== false) {
    total = 0;
    for await (const _ of inbound()) total++;
  }

  const metrics = new MetricsCollector();
  const writer = await RunWriter.create(config.runs_dir, {
    target: config.target,
    traffic: config.traffic,
    configPath: config.file || undefined,
    collector: metrics,
    clock: ctx.clock,
    logger: ctx.logger,
  });
  const runId = writer.runId;
  ctx.events.emit('run:start', { runId, total: total ?? 0 });
  const noise = config.root ? await loadNoiseModel(noiseFilePath(config.root)).catch((e: Error) => {
    ctx.logger.warn(e.message);
    return undefined;
  }) : undefined;
  const optsByEndpoint = new Map<string, ValidateOptions>();
  const validateOptions = (pair: Pair): ValidateOptions => {
    let o = validateOptionsFor(config, pair);
    if (noise) {
      const ep = endpointKey(pair.request.method, pair.request.url);
      if (o.ignore === config.validate.ignore) {
        const cached = optsByEndpoint.get(ep);
        if (cached) return cached;
        o = applyNoise(o, noise, ep);
        if (optsByEndpoint.size < 10000) optsByEndpoint.set(ep, o);
      } else {
        o = applyNoise(o, noise, ep);
      }
    }
    return o;
  };
  let mocks: MockManager | undefined;
  let aborted = false;
  let abortReason: string | undefined;
  let errorMessage: string | undefined;
  const started = ctx.clock.monotonic();
  try {
    const baseline = await resolveBaseline(config.runs_dir, config.baseline, runId);
    if (config.mocks.length) {
      mocks = await startMocks(config.mocks, {
        outbound: (service, cfg) =>
          filterPairs(
            readPairs(cfg.traffic.length ? cfg.traffic : config.traffic, { signal, onIssue, direction: 'out' }),
            (p) => p.service === service,
          ),
        ctx,
        signal,
      });
      for (const i of mocks.issues ?? []) onIssue(i);
    }
    const summary = await replay({
      pairs: readPairs(config.traffic, { signal, onIssue, direction: 'in' }),
      target: config.target,
      config: config.replay,
      validate: (pair, actual) => validateResponse(pair.response, actual, validateOptions(pair)),
      onResult: async (r) => {
        metrics.add(r);
        await writer.result(r);
        opts.onResult?.(r);
      },
      signal,
      ctx,
      runId,
      total,
    });
    aborted = summary.aborted;
    abortReason = summary.abortReason ?? (aborted ? 'cancelled' : undefined);
    if (mocks) {
      metrics.addMockStats(mocks.stats());
      for (const u of mocks.unmatched()) await writer.unmatched(u);
    }
    const m: Metrics = metrics.finish(summary.durationMs);
    const gates = evaluateGates(config.quality_gates, m, baseline?.summary.metrics ?? null);
    if (m.sent === 0 && !aborted) {
      gates.push({ name: 'requests_sent', expression: '> 0', measured: 0, pass: false, note: 'no inbound request was replayed: check traffic sources and include/exclude' });
    }
    const allPass = gates.every((g) => g.pass);
    const final: RunSummary = {
      ...writer.summary,
      status: aborted ? 'aborted' : 'completed',
      verdict: aborted ? 'aborted' : allPass ? 'pass' : 'fail',
      endedAt: new Date(ctx.clock.now()).toISOString(),
      baseline: baseline ? { runId: baseline.runId, path: baseline.path } : null,
      metrics: m,
      gates,
      endpoints: metrics.endpoints(),
      mocks: mocks ? mocks.stats() : [],
      sourceIssues: issues,
      abortReason,
    };
    await writer.finish(final);
    ctx.events.emit('run:end', { runId, verdict: final.verdict === 'pass' ? 'pass' : final.verdict === 'aborted' ? 'aborted' : 'fail' });
    return { runId, runDir: writer.dir, summary: final, exitCode: final.verdict === 'pass' ? 0 : 1 };
  } catch (err) {
    errorMessage = err instanceof Error ? err.message : String(err);
    await writer.fail(errorMessage, metrics.finish(ctx.clock.monotonic() - started), issues).catch(() => {});
    ctx.events.emit('run:end', { runId, verdict: 'error' });
    throw err;
  } finally {
    await mocks?.stop().catch(() => {});
  }
}
