/**
 * `reprise learn`: learned noise, in Diffy's spirit but local. The same inbound traffic is replayed twice
 * against the unchanged service (mocks up, as in a run); every JSON path and header whose value differs
 * between the two live answers to the same request is noise — a clock, a random id, a trace header — and
 * becomes an ignore for that endpoint, kept in `.reprise/noise.json` (config `noise.file`) and applied by
 * every later run. Real regressions still fail: only what changes between two runs of the *same* code is
 * ignored, and only on the endpoint where it changed.
 *
 * State: a service that keeps state (orders, sessions, counters) answers the second pass differently
 * because of the first — that is not noise. With `sut.command` Reprise restarts the service between the
 * passes (config `noise.restart`, default true). A service started by hand cannot be restarted: restart
 * it yourself between passes (`pauseBetween`), or expect stateful fields to be learned as noise and check
 * the result.
 *
 * Two answers with different statuses are not compared (a status is never noise) and are reported.
 */
import * as path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { EngineContext } from '../context.js';
import type { RepriseConfig } from '../config/types.js';
import type { SourceIssue } from '../store/model.js';
import type { PhaseRecord } from '../report/types.js';
import { readPairs } from '../store/index.js';
import { endpointKey } from '../store/endpoint.js';
import { replay } from '../replay/index.js';
import type { MockManager } from '../mocks/index.js';
import { validateResponse } from '../validate/index.js';
import type { ActualResponse } from '../validate/compare.js';
import {
  learnNoise,
  loadNoiseModel,
  mergeNoiseModels,
  saveNoiseModel,
  type NoiseModel,
  type NoiseSample,
} from '../validate/noise.js';
import { noiseFileOf, validateOptionsFor } from './options.js';
import { replayConfigFor, sessionHooks, sessionPlan } from './plan.js';
import { PhaseError, PhaseRecorder, startBackends, startService, stopService, type ServiceProcess } from '../sut/index.js';

export interface LearnOptions {
  config: RepriseConfig;
  ctx: EngineContext;
  signal?: AbortSignal;
  /** Add to the saved model instead of replacing it. Default false. */
  merge?: boolean;
  /** Restart the service (sut.command) between the passes. Default config.noise.restart ?? true. */
  restart?: boolean;
  /** Write the model (default true). */
  save?: boolean;
  /** Where the service's output goes: <logDir>/sut-pass1.log, sut-pass2.log. Default <root>/.reprise/learn. */
  logDir?: string;
  /** Responses kept per endpoint for comparison (bounds memory). Default 100. */
  maxSamplesPerEndpoint?: number;
  /** Awaited between the passes when the service is not restarted by Reprise (the CLI asks the user to
   * restart it by hand). */
  pauseBetween?: () => Promise<void>;
}

export interface LearnOutcome {
  /** The noise model file. */
  file: string;
  /** The model as saved (merged when `merge`). */
  model: NoiseModel;
  /** The model learned by this run alone. */
  learnedModel: NoiseModel;
  passes: { sent: number; errors: number; durationMs: number }[];
  /** Pairs of answers compared. */
  samples: number;
  /** Endpoint → learned paths not already ignored by reprise.yaml (validate.ignore). */
  learned: Record<string, string[]>;
  /** Every learned path not already in validate.ignore, sorted: offered for reprise.yaml. */
  suggestions: string[];
  /** Requests answered with different statuses by the two passes (not compared). At most 50. */
  statusMismatches: { endpoint: string; pairId: string; first: number | null; second: number | null }[];
  warnings: string[];
  phases: PhaseRecord[];
  /** Whether the service was restarted between the passes (by Reprise). */
  restarted: boolean;
  /** Set when a phase failed: the phase and the reason (nothing was saved). */
  error?: string;
}

interface Answer {
  endpoint: string;
  actual: ActualResponse;
}

export async function learn(opts: LearnOptions): Promise<LearnOutcome> {
  const { config, ctx, signal } = opts;
  const file = noiseFileOf(config) ?? path.resolve('.reprise', 'noise.json');
  const logDir = opts.logDir ?? path.join(config.root || '.', '.reprise', 'learn');
  await mkdir(logDir, { recursive: true });
  const cap = opts.maxSamplesPerEndpoint ?? 100;
  const restart = opts.restart ?? config.noise?.restart ?? true;
  const phases = new PhaseRecorder(ctx.clock);
  const warnings: string[] = [];
  const onIssue = (i: SourceIssue) => ctx.events.emit('source:issue', i);
  // The same session plan as a run: both passes replay as `reprise run` would.
  const plan = sessionPlan(config);
  let mocks: MockManager | undefined;
  let service: ServiceProcess | undefined;
  let stoppedService = false;
  let restarted = false;
  const passes: LearnOutcome['passes'] = [];
  const out: LearnOutcome = {
    file,
    model: { version: 1, endpoints: {}, global: [] },
    learnedModel: { version: 1, endpoints: {}, global: [] },
    passes,
    samples: 0,
    learned: {},
    suggestions: [],
    statusMismatches: [],
    warnings,
    phases: phases.phases,
    restarted: false,
  };

  /** Start the service (sut.command) for pass `n`, its output in <logDir>/sut-pass<n>.log. */
  const startSvc = (n: 1 | 2) =>
    startService({
      config,
      ctx,
      signal,
      phases,
      mocks,
      logFile: path.join(logDir, `sut-pass${n}.log`),
      env: { REPRISE_LEARN_PASS: String(n) },
      phaseName: n === 1 ? undefined : `service (pass ${n})`,
      onStarted: (p) => (service = p),
    });
  const stopSvc = async (name: string) => {
    if (service && !stoppedService) {
      stoppedService = true;
      await stopService(service, config.sut!, phases, ctx.clock, name);
    }
  };

  /** One replay pass; `keep(pairId, endpoint, actual)` sees every live answer. */
  const pass = async (n: number, keep: (pairId: string, endpoint: string, actual: ActualResponse) => void) => {
    const t0 = ctx.clock.now();
    const m0 = ctx.clock.monotonic();
    let errors = 0;
    const s = await replay({
      pairs: readPairs(config.traffic, { signal, onIssue, direction: 'in' }),
      target: config.target,
      config: replayConfigFor(config),
      ...sessionHooks(plan, mocks),
      validate: (pair, actual) => {
        keep(pair.id, endpointKey(pair.request.method, pair.request.url), actual);
        return validateResponse(pair.response, actual, validateOptionsFor(config, pair));
      },
      onResult: (r) => {
        if (r.outcome === 'error') errors++;
      },
      shouldStop: () => (service?.exit ? `the service exited during learning pass ${n}` : undefined),
      signal,
      ctx,
    });
    const durationMs = ctx.clock.monotonic() - m0;
    passes.push({ sent: s.sent, errors, durationMs: Math.round(durationMs) });
    if (s.aborted) {
      phases.add(`pass ${n}`, 'failed', t0, durationMs, s.abortReason ?? 'cancelled');
      throw new PhaseError(`pass ${n}`, s.abortReason ?? 'cancelled', !!signal?.aborted);
    }
    phases.add(`pass ${n}`, 'ok', t0, durationMs, `${s.sent} requests sent${errors ? `, ${errors} without a response` : ''}`);
    if (errors) warnings.push(`pass ${n}: ${errors} of ${s.sent} requests got no response (not compared)`);
  };

  try {
    mocks = await startBackends({ config, ctx, signal, phases, onIssue, sessions: plan });
    await startSvc(1);

    const first = new Map<string, Answer>();
    const perEndpoint = new Map<string, number>();
    await pass(1, (pairId, endpoint, actual) => {
      const n = perEndpoint.get(endpoint) ?? 0;
      if (n >= cap) return;
      perEndpoint.set(endpoint, n + 1);
      first.set(pairId, { endpoint, actual });
    });

    if (service && restart) {
      await stopSvc('stop (pass 1)');
      stoppedService = false;
      service = undefined;
      await startSvc(2);
      restarted = true;
    } else {
      if (!service) {
        warnings.push(
          'the service was not restarted between the passes (Reprise did not start it): if it keeps state, fields that changed because of the first pass were learned as noise — check the result, or set sut.command',
        );
      } else {
        warnings.push('the service was not restarted between the passes (noise.restart: false): state it keeps may have been learned as noise');
      }
      await opts.pauseBetween?.();
    }
    mocks?.resetSessions();

    const samples: NoiseSample[] = [];
    await pass(2, (pairId, endpoint, actual) => {
      const a = first.get(pairId);
      if (!a) return;
      first.delete(pairId);
      if (a.actual.status !== actual.status) {
        if (out.statusMismatches.length < 50) out.statusMismatches.push({ endpoint, pairId, first: a.actual.status, second: actual.status });
        return;
      }
      samples.push({ endpoint, a: a.actual, b: actual });
    });
    if (out.statusMismatches.length) {
      warnings.push(
        `${out.statusMismatches.length} request(s) got a different status in the two passes (not compared; a status is never noise)` +
          (restarted ? '' : ': the service probably keeps state — restart it between passes'),
      );
    }
    await stopSvc('stop');

    const learned = learnNoise(samples);
    const previous = opts.merge ? await loadNoiseModel(file) : undefined;
    const model = previous ? mergeNoiseModels(previous, learned) : learned;
    if (opts.save !== false) await saveNoiseModel(file, model);

    const already = new Set(config.validate.ignore);
    const all = new Set<string>();
    for (const [ep, { ignore }] of Object.entries(learned.endpoints)) {
      const fresh = ignore.filter((p) => !already.has(p));
      if (fresh.length) out.learned[ep] = fresh;
      for (const p of fresh) all.add(p);
    }
    Object.assign(out, { model, learnedModel: learned, samples: samples.length, suggestions: [...all].sort(), restarted });
    return out;
  } catch (e) {
    if (e instanceof PhaseError) {
      out.error = e.cancelled ? `cancelled during ${e.phase}` : e.message;
      out.restarted = restarted;
      return out;
    }
    throw e;
  } finally {
    await stopSvc('stop').catch(() => undefined);
    await mocks?.stop().catch(() => undefined);
  }
}

/** The learned paths as a YAML snippet for reprise.yaml (validate.ignore), with the endpoints as comments. */
export function suggestionYaml(outcome: Pick<LearnOutcome, 'learned' | 'suggestions'>): string {
  if (!outcome.suggestions.length) return '';
  const where = new Map<string, string[]>();
  for (const [ep, paths] of Object.entries(outcome.learned)) for (const p of paths) where.set(p, [...(where.get(p) ?? []), ep]);
  const lines = ['validate:', '  ignore:'];
  for (const p of outcome.suggestions) {
    const eps = where.get(p) ?? [];
    const note = eps.length > 3 ? `${eps.length} endpoints` : eps.join(', ');
    lines.push(`    - ${/^[\w$.[\]*-]+$/.test(p) ? p : JSON.stringify(p)}    # ${note}`);
  }
  return lines.join('\n') + '\n';
}
