/**
 * The quality gates Reprise knows: which metric each reads, what unit its threshold is in, and a one-line
 * description (used in docs, JSON Schema and editor hover).
 */

/** How a gate's threshold is written and what it is compared with. */
export type GateKind =
  /** A fraction 0..1 (`>= 0.99`, or `>= 99%`). */
  | 'fraction'
  /** A count (`== 0`). */
  | 'count'
  /** Milliseconds (`<= 250`, `<= 250ms`, `<= 2s`). */
  | 'duration'
  /** Requests per second (`>= 100`). */
  | 'rate'
  /** A change against the baseline run: relative (`<= +10%`) or absolute (`<= +50ms`, `>= -20`). */
  | 'delta';

export interface GateInfo {
  /** One line, shown on hover and in docs. */
  description: string;
  kind: GateKind;
  /** The metric read from run metrics (for delta gates: from both the run and the baseline). */
  metric: string;
  /** For delta gates: the kind of the underlying metric (decides which absolute units are allowed). */
  base?: Exclude<GateKind, 'delta'>;
  /** An example expression. */
  example: string;
  /** Metrics not every run measures: evaluated when present, else reported as not measured. */
  optional?: boolean;
}

export const KNOWN_GATES = {
  status_pass_rate: {
    description: 'Fraction of replayed requests whose status code matched the recorded one.',
    kind: 'fraction', metric: 'status_pass_rate', example: '>= 0.99',
  },
  body_match_rate: {
    description: 'Fraction of replayed requests whose response body matched the recorded one.',
    kind: 'fraction', metric: 'body_match_rate', example: '>= 0.95',
  },
  mock_match_rate: {
    description: 'Fraction of calls to mocks that matched a recorded stub (1 when there were no calls).',
    kind: 'fraction', metric: 'mock_match_rate', example: '>= 0.98',
  },
  unmatched_requests: {
    description: 'Number of calls to mocks that matched no recorded stub.',
    kind: 'count', metric: 'unmatched_requests', example: '== 0',
  },
  query_match_rate: {
    description: 'Fraction of statements sent to Postgres mocks that matched a recorded query Measured only when a Postgres mock ran; then checked as `>= 0.95` when no gate names it.',
    kind: 'fraction', metric: 'query_match_rate', example: '>= 0.95', optional: true,
  },
  error_rate: {
    description: 'Fraction of sent requests that got a 5xx or no response at all.',
    kind: 'fraction', metric: 'error_rate', example: '<= 0.01',
  },
  latency_p50: {
    description: 'Median response time of the replay, in ms (units ms or s allowed).',
    kind: 'duration', metric: 'latency_p50', example: '<= 100ms',
  },
  latency_p95: {
    description: '95th percentile response time of the replay, in ms (units ms or s allowed).',
    kind: 'duration', metric: 'latency_p95', example: '<= 250ms',
  },
  latency_p99: {
    description: '99th percentile response time of the replay, in ms (units ms or s allowed).',
    kind: 'duration', metric: 'latency_p99', example: '<= 1s',
  },
  latency_p50_delta: {
    description: 'Change of the median latency against the baseline run: relative (`<= +10%`) or absolute (`<= +20ms`).',
    kind: 'delta', base: 'duration', metric: 'latency_p50', example: '<= +10%',
  },
  latency_p95_delta: {
    description: 'Change of the p95 latency against the baseline run: relative (`<= +10%`) or absolute (`<= +50ms`).',
    kind: 'delta', base: 'duration', metric: 'latency_p95', example: '<= +10%',
  },
  latency_p99_delta: {
    description: 'Change of the p99 latency against the baseline run: relative (`<= +15%`) or absolute (`<= +100ms`).',
    kind: 'delta', base: 'duration', metric: 'latency_p99', example: '<= +15%',
  },
  throughput: {
    description: 'Requests per second over the replay phase.',
    kind: 'rate', metric: 'throughput', example: '>= 50',
  },
  throughput_delta: {
    description: 'Change of throughput against the baseline run: relative (`>= -5%`) or absolute in req/s (`>= -20`).',
    kind: 'delta', base: 'rate', metric: 'throughput', example: '>= -5%',
  },
  cpu_delta: {
    description: 'Change of the target\'s average CPU use against the baseline run (needs a run that measures `cpu_avg`).',
    kind: 'delta', base: 'count', metric: 'cpu_avg', example: '<= +20%', optional: true,
  },
  mem_delta: {
    description: 'Change of the target\'s peak memory against the baseline run (needs a run that measures `mem_peak`).',
    kind: 'delta', base: 'count', metric: 'mem_peak', example: '<= +20%', optional: true,
  },
  log_errors: {
    description: 'Number of error lines the target logged during the replay (needs a run that measures `log_errors`).',
    kind: 'count', metric: 'log_errors', example: '== 0', optional: true,
  },
} as const satisfies Record<string, GateInfo>;

export type GateName = keyof typeof KNOWN_GATES;

export const GATE_NAMES = Object.keys(KNOWN_GATES) as GateName[];

export function isKnownGate(name: string): name is GateName {
  return Object.prototype.hasOwnProperty.call(KNOWN_GATES, name);
}

export function gateInfo(name: string): GateInfo | undefined {
  return isKnownGate(name) ? KNOWN_GATES[name] : undefined;
}
