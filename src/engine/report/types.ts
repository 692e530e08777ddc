/** run.json: the summary of one run. Plain data; written at start (status running) and rewritten as the run goes. */
export interface Metrics {
  total: number;
  sent: number;
  passed: number;
  failed: number;
  errors: number;
  /** Fraction of requests whose status matched the recorded one (of those that got a response or errored). */
  status_pass_rate: number;
  /** Fraction of requests whose body matched. */
  body_match_rate: number;
  /** Matched mock calls / all mock calls (1 when there were no calls). */
  mock_match_rate: number;
  unmatched_requests: number;
  /** Fraction of sent requests that got a 5xx or no response. */
  error_rate: number;
  latency_p50: number;
  latency_p95: number;
  latency_p99: number;
  latency_mean: number;
  latency_max: number;
  /** Requests per second over the replay phase. */
  throughput: number;
  duration_ms: number;
  status_counts: Record<string, number>;
}

export interface GateResult {
  name: string;
  /** The expression as written: ">= 0.99", "<= +10%". */
  expression: string;
  /** Measured value (for delta gates: the relative or absolute delta). */
  measured: number | null;
  /** Baseline value for delta gates. */
  baseline?: number | null;
  pass: boolean;
  /** Why a gate could not be evaluated (no baseline, …) — then pass is false. */
  note?: string;
}

export interface EndpointStats {
  endpoint: string;
  requests: number;
  passed: number;
  failed: number;
  errors: number;
  latency_p95: number;
}

export interface RunSummary {
  schema: 'reprise.run/1';
  runId: string;
  status: 'running' | 'completed' | 'aborted' | 'error';
  verdict: 'pass' | 'fail' | 'error' | 'running' | 'aborted';
  startedAt: string;
  endedAt?: string;
  target: string;
  configPath?: string;
  traffic: string[];
  baseline?: { runId: string; path: string } | null;
  metrics: Metrics;
  gates: GateResult[];
  endpoints: EndpointStats[];
  mocks: { service: string; port: number; calls: number; matched: number; unmatched: number }[];
  /** Problems found reading traffic (file/line), kept so a run shows what was skipped. */
  sourceIssues: { file: string; line?: number; entry?: number; severity: string; message: string }[];
  abortReason?: string;
  error?: string;
  /** The first failed or errored requests (at most 10, in the order they finished), so a summary can name
   * them without reading results.jsonl. Filled by RunWriter. */
  failures?: FailureBrief[];
}

/** A failed request in brief (see RunSummary.failures). URL is redacted. */
export interface FailureBrief {
  pairId: string;
  endpoint: string;
  method: string;
  url: string;
  outcome: 'fail' | 'error';
  expectedStatus?: number;
  actualStatus?: number;
  /** First failing diff path (`status`, `$.items[0].price`, `header.content-type`) or the error code. */
  firstDiff?: string;
  /** One line: `$.price: expected 10, got 12` or `ECONNREFUSED: connect …`. */
  message?: string;
}
