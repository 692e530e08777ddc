/**
 * Cutoffs: stop a replay early when it is clearly going wrong, instead of hammering a broken service with
 * the rest of the traffic. Each cutoff is a comparison that, when TRUE over a sliding window, aborts
 * the run (everything done so far is kept; the run is marked aborted with the reason):
 *
 *   cutoffs: {error_rate: "> 0.2", latency_p95: "> 2s", mock_miss_rate: "> 0.1", window: 50}
 *
 * - error_rate      fraction of the last `window` replayed requests that got a 5xx or no response
 * - latency_p95     nearest-rank p95 latency of the last `window` requests that got a response (ms; "2s" ok)
 * - mock_miss_rate  fraction of the last `window` calls to the mocks that matched no recorded stub
 *
 * A window is judged only once it holds `min_samples` entries (default min(window, 10)), so one early
 * failure does not end a run. Requests aborted by the run itself (cancellation) never count.
 */
import type { RequestResult } from '../replay/types.js';
import type { CutoffsConfig } from '../config/types.js';
import { compare, parseGate, GateSyntaxError, type GateOp } from '../gates/index.js';

export type CutoffName = 'error_rate' | 'latency_p95' | 'mock_miss_rate';
export const CUTOFF_NAMES: readonly CutoffName[] = ['error_rate', 'latency_p95', 'mock_miss_rate'];

export type { CutoffsConfig };

export const CUTOFF_INFO: Record<CutoffName, { kind: 'fraction' | 'duration'; description: string; example: string }> = {
  error_rate: {
    kind: 'fraction',
    description: 'Abort when the fraction of the last `window` requests that got a 5xx or no response passes this, e.g. "> 0.2".',
    example: '> 0.2',
  },
  latency_p95: {
    kind: 'duration',
    description: 'Abort when the p95 latency of the last `window` requests passes this, e.g. "> 2s".',
    example: '> 2s',
  },
  mock_miss_rate: {
    kind: 'fraction',
    description: 'Abort when the fraction of the last `window` calls to the mocks that matched no stub passes this, e.g. "> 0.1".',
    example: '> 0.1',
  },
};

export interface CompiledCutoff {
  name: CutoffName;
  expression: string;
  op: GateOp;
  /** Fraction or ms. */
  threshold: number;
}

/** Check a cutoff expression; throws GateSyntaxError saying how to write it. */
export function compileCutoff(name: CutoffName, expression: string): CompiledCutoff {
  const info = CUTOFF_INFO[name];
  const e = parseGate(expression);
  const written = e.source.trim();
  if (e.sign) throw new GateSyntaxError(`cutoffs.${name} is an absolute value, not a change: write e.g. "${info.example}"`, expression);
  if (info.kind === 'fraction') {
    if (e.unit === 'ms' || e.unit === 's') throw new GateSyntaxError(`cutoffs.${name} is a fraction between 0 and 1, not a time: write e.g. "${info.example}"`, expression);
    if (e.value > 1) throw new GateSyntaxError(`cutoffs.${name} is a fraction between 0 and 1; "${written}" is out of range (write e.g. "${info.example}" or "> 20%")`, expression);
  } else if (e.unit === '%') {
    throw new GateSyntaxError(`cutoffs.${name} is a time: write e.g. "${info.example}" or "> 1500ms"`, expression);
  }
  return { name, expression, op: e.op, threshold: e.value };
}

/** The problem with a cutoff expression, or null. */
export function cutoffProblem(name: CutoffName, expression: unknown): string | null {
  try {
    compileCutoff(name, expression as string);
    return null;
  } catch (e) {
    if (e instanceof GateSyntaxError) return e.message;
    throw e;
  }
}

/** A fixed-size ring of numbers. */
class Ring {
  private readonly buf: number[] = [];
  private next = 0;
  constructor(readonly size: number) {}
  push(v: number): void {
    if (this.buf.length < this.size) this.buf.push(v);
    else {
      this.buf[this.next] = v;
      this.next = (this.next + 1) % this.size;
    }
  }
  get length(): number {
    return this.buf.length;
  }
  values(): readonly number[] {
    return this.buf;
  }
  sum(): number {
    let s = 0;
    for (const v of this.buf) s += v;
    return s;
  }
}

function fmt(name: CutoffName, v: number): string {
  if (CUTOFF_INFO[name].kind === 'duration') return `${Math.round(v)}ms`;
  return String(Number(v.toFixed(3)));
}

/**
 * Watches results and mock calls; `check()` returns an abort reason once a cutoff trips (and keeps
 * returning it). Feed it with `addResult` (each replay result) and `addMockCall` (each mock call).
 */
export class CutoffMonitor {
  readonly cutoffs: CompiledCutoff[];
  private readonly window: number;
  private readonly minSamples: number;
  private readonly errors: Ring;
  private readonly latency: Ring;
  private readonly misses: Ring;
  private tripped: string | undefined;
  /** Which cutoff tripped, with the value measured. */
  trip: { name: CutoffName; measured: number; expression: string; window: number } | undefined;

  constructor(config: CutoffsConfig) {
    this.window = Math.max(1, Math.floor(config.window));
    this.minSamples = Math.max(1, Math.min(this.window, Math.floor(config.min_samples)));
    this.cutoffs = CUTOFF_NAMES.filter((n) => config[n] !== undefined).map((n) => compileCutoff(n, config[n]!));
    this.errors = new Ring(this.window);
    this.latency = new Ring(this.window);
    this.misses = new Ring(this.window);
  }

  get active(): boolean {
    return this.cutoffs.length > 0;
  }

  addResult(r: RequestResult): void {
    if (r.outcome === 'skipped') return;
    if (r.error?.code === 'aborted') return; // aborted by us, not the service's doing
    const noResponse = r.actualStatus === undefined || r.error !== undefined;
    this.errors.push(noResponse || (r.actualStatus ?? 0) >= 500 ? 1 : 0);
    if (!noResponse && typeof r.latencyMs === 'number') this.latency.push(r.latencyMs);
  }

  addMockCall(matched: boolean): void {
    this.misses.push(matched ? 0 : 1);
  }

  /** The value a cutoff currently measures, or undefined when its window is not yet full enough. */
  measure(name: CutoffName): number | undefined {
    switch (name) {
      case 'error_rate':
        return this.errors.length >= this.minSamples ? this.errors.sum() / this.errors.length : undefined;
      case 'mock_miss_rate':
        return this.misses.length >= this.minSamples ? this.misses.sum() / this.misses.length : undefined;
      case 'latency_p95': {
        if (this.latency.length < this.minSamples) return undefined;
        const sorted = [...this.latency.values()].sort((a, b) => a - b);
        return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)];
      }
    }
  }

  /** An abort reason when a cutoff has tripped, else undefined. */
  check(): string | undefined {
    if (this.tripped) return this.tripped;
    for (const c of this.cutoffs) {
      const v = this.measure(c.name);
      if (v === undefined || !compare(v, c.op, c.threshold)) continue;
      const n = c.name === 'mock_miss_rate' ? this.misses.length : c.name === 'latency_p95' ? this.latency.length : this.errors.length;
      const what = c.name === 'mock_miss_rate' ? 'mock calls' : 'requests';
      this.trip = { name: c.name, measured: Number(v.toPrecision(6)), expression: c.expression, window: n };
      this.tripped = `cutoff ${c.name} ${c.expression.trim()} tripped: ${fmt(c.name, v)} over the last ${n} ${what}`;
      return this.tripped;
    }
    return undefined;
  }
}
