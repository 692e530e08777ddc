/** Evaluates quality gates against run metrics (and, for *_delta gates, the baseline run's metrics). */
import type { GateResult, Metrics } from '../report/types.js';
import { compileGate, GateSyntaxError, type CompiledGate, type GateOp } from './parse.js';

export const NO_BASELINE_NOTE = 'no baseline run: set one with `reprise baseline set <run>`';

/**
 * Metrics as gates read them: the run's Metrics plus optional measurements some runs carry
 * (target CPU/memory, error lines in the target's log).
 */
export type GateMetrics = Metrics & { cpu_avg?: number; mem_peak?: number; log_errors?: number };

/**
 * One result per gate, in the order given. Never throws and never passes a gate it could not evaluate:
 * an unknown gate, a bad expression, a metric the run did not measure, or a delta gate with no baseline
 * all give `pass: false` with a `note` saying why.
 */
export function evaluateGates(
  gates: Record<string, string>,
  metrics: Metrics,
  baseline?: Metrics | null,
): GateResult[] {
  const out: GateResult[] = [];
  for (const [name, expression] of Object.entries(gates ?? {})) {
    let g: CompiledGate;
    try {
      g = compileGate(name, expression);
    } catch (err) {
      const msg = err instanceof GateSyntaxError ? err.message : String(err);
      out.push({ name, expression: String(expression), measured: null, pass: false, note: msg });
      continue;
    }
    out.push(evaluateCompiled(g, metrics, baseline ?? null));
  }
  return out;
}

/** Whether every gate passed (true when there are none). */
export function gatesPassed(results: GateResult[]): boolean {
  return results.every((r) => r.pass);
}

export function evaluateCompiled(g: CompiledGate, metrics: Metrics, baseline: Metrics | null): GateResult {
  const { name, expression } = g;
  const current = metricValue(metrics, g.info.metric);
  if (g.mode === 'value') {
    if (current === null) return { name, expression, measured: null, pass: false, note: notMeasured(g.info.metric, 'this run') };
    return { name, expression, measured: current, pass: compare(current, g.op, g.threshold) };
  }

  if (!baseline) return { name, expression, measured: null, baseline: null, pass: false, note: NO_BASELINE_NOTE };
  const base = metricValue(baseline, g.info.metric);
  if (current === null) {
    return { name, expression, measured: null, baseline: base, pass: false, note: notMeasured(g.info.metric, 'this run') };
  }
  if (base === null) {
    return { name, expression, measured: null, baseline: null, pass: false, note: notMeasured(g.info.metric, 'the baseline run') };
  }
  if (g.mode === 'absolute') {
    const delta = current - base;
    return { name, expression, measured: round(delta), baseline: base, pass: compare(delta, g.op, g.threshold) };
  }
  // relative change
  if (base === 0) {
    if (current === 0) return { name, expression, measured: 0, baseline: 0, pass: compare(0, g.op, g.threshold) };
    // Growth from zero is unbounded: compare as ±infinity, but report no number (JSON has no Infinity).
    const inf = current > 0 ? Infinity : -Infinity;
    return {
      name,
      expression,
      measured: null,
      baseline: 0,
      pass: compare(inf, g.op, g.threshold),
      note: `baseline ${g.info.metric} was 0, so the relative change to ${round(current)} is unbounded (${inf > 0 ? '+' : '-'}∞); an absolute delta (e.g. "<= +50${g.info.base === 'duration' ? 'ms' : ''}") avoids this`,
    };
  }
  const rel = (current - base) / Math.abs(base);
  return { name, expression, measured: round(rel), baseline: base, pass: compare(rel, g.op, g.threshold) };
}

/** Comparison with a tiny tolerance, so `(1.1 - 1) / 1` still counts as `<= +10%`. */
export function compare(a: number, op: GateOp, b: number): boolean {
  const eps = Number.isFinite(a) && Number.isFinite(b) ? 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) : 0;
  switch (op) {
    case '>=': return a >= b - eps;
    case '>': return a > b + eps;
    case '<=': return a <= b + eps;
    case '<': return a < b - eps;
    case '==': return Math.abs(a - b) <= eps || a === b;
    case '!=': return !(Math.abs(a - b) <= eps || a === b);
  }
}

function metricValue(m: Metrics, key: string): number | null {
  const v = (m as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' && !Number.isNaN(v) ? v : null;
}

function notMeasured(metric: string, where: string): string {
  return `not measured: ${where} has no \`${metric}\` metric`;
}

function round(v: number): number {
  return Number(v.toPrecision(12));
}

/** The gate a Postgres mock brings when no gate names it: `query_match_rate >= 0.95`. */
export const DEFAULT_QUERY_MATCH_RATE = '>= 0.95';

/** Gates checked by default: query_match_rate when a Postgres mock ran (the metric is present) and no gate names it. */
export function defaultDbGates(gates: Record<string, string>, metrics: Metrics): GateResult[] {
  if (metrics.query_match_rate === undefined || Object.prototype.hasOwnProperty.call(gates ?? {}, 'query_match_rate')) return [];
  const [r] = evaluateGates({ query_match_rate: DEFAULT_QUERY_MATCH_RATE }, metrics);
  return [{ ...r, note: 'default gate: a Postgres mock ran' }];
}
