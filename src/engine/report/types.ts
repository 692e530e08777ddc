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
  /** Average CPU use of the service under test (its process tree) over the replay, % of one core.
   * Only when Reprise started the service (sut.command) on a system with /proc. */
  cpu_avg?: number;
  /** Peak resident memory of the service's process tree during the replay, bytes. */
  mem_peak?: number;
  /** Lines of the service's output during the replay that matched sut.log_errors_pattern. */
  log_errors?: number;
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
  /** Actual status → count for this endpoint ("error": no response). Filled by the run wiring. */
  status_counts?: Record<string, number>;
  /** The same endpoint in the baseline run, when there is one and it has the endpoint. */
  baseline?: { requests: number; passed: number; failed: number; errors: number; latency_p95: number; status_counts?: Record<string, number> };
  /** latency_p95 − baseline latency_p95, ms. */
  latency_p95_delta?: number;
  /** (latency_p95 − baseline) / baseline; absent when the baseline p95 is 0. */
  latency_p95_change?: number;
  /** status → (count here − count in the baseline), only statuses whose count changed. Needs status_counts on both sides. */
  status_delta?: Record<string, number>;
  /** pass fraction here − pass fraction in the baseline. */
  pass_rate_delta?: number;
}

/** One phase of a run: backends (mocks, dependencies), service (start, readiness), gates (validity, baseline), replay, stop. */
export interface PhaseRecord {
  name: 'backends' | 'service' | 'gates' | 'replay' | 'stop' | (string & {});
  status: 'ok' | 'failed' | 'skipped';
  /** ISO time the phase started. */
  startedAt: string;
  durationMs: number;
  /** What happened (mocks started, pid, readiness) or, for a failed phase, why. */
  detail?: string;
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
  /** Phases of the run in order, with outcome and timing (runs made before phases were recorded have none). */
  phases?: PhaseRecord[];
  /** The service under test when Reprise started it. */
  sut?: { command: string; pid?: number; log?: string; exitCode?: number | null; signal?: string | null };
  /** The first failed or errored requests (at most 10, in the order they finished), so a summary can name
   * them without reading results.jsonl. Filled by RunWriter. */
  failures?: FailureBrief[];
  /** The process writing the run folder (recorded when the run starts), so a reader can tell a run whose
   * process is gone from one still going. Runs made before this was recorded have none. */
  writer?: RunWriterProcess;
  /** Set by the readers, never written: run.json still says "running" but its writer process is gone
   * (killed, crashed), so the run is shown as aborted; `lastWrittenAt` is when its folder was last written. */
  orphaned?: { lastWrittenAt: string };
}

/** See RunSummary.writer. */
export interface RunWriterProcess {
  pid: number;
  /** os.hostname() of the writer: liveness is only checked on the same host. */
  host: string;
  /** When the writer process started (ISO). */
  startedAt: string;
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
