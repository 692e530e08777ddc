/**
 * What a run is asked to do (RunOptions), what it gives back (RunOutcome), and the per-request validation
 * options it derives from the config: `validate.*`, a pair's own `meta.ignore`, and the learned noise model.
 * `reprise learn` uses the same validation options and noise file.
 */
import type { EngineContext } from '../context.js';
import type { RepriseConfig } from '../config/types.js';
import type { Pair, SourceIssue } from '../store/model.js';
import type { RequestResult } from '../replay/types.js';
import type { MockManager } from '../mocks/index.js';
import type { RunSummary } from '../report/types.js';
import type { ValidateOptions } from '../validate/types.js';
import { applyNoise, loadNoiseModel, noiseFilePath, type NoiseModel } from '../validate/noise.js';
import { endpointKey } from '../store/endpoint.js';

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
  /**
   * Mocks the caller already runs (the debug flow's, which the debuggee was started against; "Start Mocks
   * Only"): the run uses them instead of starting `config.mocks`, counts the calls they answer during the run,
   * and leaves them running — the caller stops them. Start them with the run's session plan
   * (`sessionPlan(config)`) so sessions are kept apart as the run expects.
   */
  mocks?: MockManager;
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

/** A run's validation options: the learned noise model loaded (unless `noise.apply: false`) and folded in. */
export async function runValidateOptions(config: RepriseConfig, ctx: EngineContext): Promise<(pair: Pair) => ValidateOptions> {
  const noiseFile = config.noise?.apply === false ? undefined : noiseFileOf(config);
  const noise = noiseFile
    ? await loadNoiseModel(noiseFile).catch((e: Error) => {
        ctx.logger.warn(e.message);
        return undefined;
      })
    : undefined;
  return noiseAwareOptions(config, noise);
}
