/**
 * Noise: fields that differ between two runs against an unchanged service (ids, timestamps, tokens).
 * Shape detectors (re-exported from shapes.ts) recognise common noise without learning; `learnNoise`
 * learns it from pairs of live responses to the same request, and `applyNoise` folds the result into
 * the validation options. The model is stored in `.reprise/noise.json`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ValidateOptions } from './types.js';
import { validateResponse, type ActualResponse } from './compare.js';
import { generalisePath, parsePath } from './jsonpath.js';

export {
  isUuid,
  isIsoTimestamp,
  isHttpDate,
  isEpochMillis,
  isEpochSeconds,
  isTimestamp,
  isHash,
  isObjectId,
  isUlid,
  isJwt,
  shapeOf,
  isNoisyHeader,
} from './shapes.js';

export const NoiseModelSchema = z.object({
  version: z.literal(1),
  endpoints: z.record(z.string(), z.object({ ignore: z.array(z.string()) })),
  global: z.array(z.string()),
});
export type NoiseModel = z.infer<typeof NoiseModelSchema>;

export interface NoiseSample {
  /** Endpoint key, e.g. `GET /orders/{id}`. */
  endpoint: string;
  /** The two live responses to the same request, from two runs. */
  a: ActualResponse;
  b: ActualResponse;
}

export interface LearnNoiseOptions {
  /**
   * A path noisy on at least this many endpoints, and on at least half of the endpoints seen, goes into
   * `global` (used for endpoints the model has not seen). Default 2.
   */
  globalMinEndpoints?: number;
}

export function emptyNoiseModel(): NoiseModel {
  return { version: 1, endpoints: {}, global: [] };
}

/**
 * Learn noise from pairs of responses. Every differing body path (generalised: `$.items[2].token` →
 * `$.items[*].token`) and every differing header (`header.<name>`) is recorded for its endpoint.
 * Status differences are not noise and are not learned. Non-JSON bodies that differ give `$`.
 */
export function learnNoise(samples: Iterable<NoiseSample>, opts: LearnNoiseOptions = {}): NoiseModel {
  const perEndpoint = new Map<string, Set<string>>();
  for (const s of samples) {
    let set = perEndpoint.get(s.endpoint);
    if (!set) perEndpoint.set(s.endpoint, (set = new Set()));
    const headerNames = new Set([...Object.keys(s.a.headers ?? {}), ...Object.keys(s.b.headers ?? {})].map((h) => h.toLowerCase()));
    const v = validateResponse(s.a, s.b, {
      ignore: [],
      tolerances: {},
      headers: [...headerNames],
      shapeOnly: false,
      autoNoise: false,
      maxDiffs: Number.MAX_SAFE_INTEGER,
    });
    for (const d of v.diffs) {
      if (d.kind === 'status') continue;
      if (d.kind === 'header') set.add(d.path);
      else set.add(d.path === '$' ? '$' : generalisePath(parsePath(d.path)));
    }
  }
  const model = emptyNoiseModel();
  const count = new Map<string, number>();
  for (const [ep, set] of [...perEndpoint].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    model.endpoints[ep] = { ignore: [...set].sort() };
    for (const p of set) count.set(p, (count.get(p) ?? 0) + 1);
  }
  const min = opts.globalMinEndpoints ?? 2;
  const half = perEndpoint.size / 2;
  model.global = [...count].filter(([, n]) => n >= min && n >= half).map(([p]) => p).sort();
  return model;
}

/** Union of two models (e.g. a new learning run on top of the saved one). */
export function mergeNoiseModels(a: NoiseModel, b: NoiseModel): NoiseModel {
  const out = emptyNoiseModel();
  for (const ep of new Set([...Object.keys(a.endpoints), ...Object.keys(b.endpoints)])) {
    out.endpoints[ep] = {
      ignore: [...new Set([...(a.endpoints[ep]?.ignore ?? []), ...(b.endpoints[ep]?.ignore ?? [])])].sort(),
    };
  }
  out.global = [...new Set([...a.global, ...b.global])].sort();
  return out;
}

/**
 * Options with the model's ignores added for this endpoint: the endpoint's own list when the model
 * knows it, otherwise the global list (a path noisy elsewhere may be business data here, so the global
 * list is not applied to learned endpoints). Returns `opts` itself when nothing is added, so the
 * compiled-options cache keeps working; callers should cache the result per endpoint.
 */
export function applyNoise(opts: ValidateOptions, model: NoiseModel | undefined, endpoint: string): ValidateOptions {
  if (!model) return opts;
  const extra = model.endpoints[endpoint]?.ignore ?? model.global;
  if (!extra.length) return opts;
  const have = new Set(opts.ignore);
  const add = extra.filter((p) => !have.has(p));
  return add.length ? { ...opts, ignore: [...opts.ignore, ...add] } : opts;
}

/** `<root>/.reprise/noise.json`. */
export function noiseFilePath(root: string): string {
  return path.join(root, '.reprise', 'noise.json');
}

/** Write the model (pretty JSON, atomically via a temp file), creating the folder. */
export async function saveNoiseModel(file: string, model: NoiseModel): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(model, null, 2) + '\n', 'utf8');
  await rename(tmp, file);
}

/** Read a model; undefined when the file does not exist; an Error naming the file when it is invalid. */
export async function loadNoiseModel(file: string): Promise<NoiseModel | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = NoiseModelSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: not a noise model: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}
