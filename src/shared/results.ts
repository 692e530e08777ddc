/**
 * The plain-JSON result contract: what a run produces and every reader consumes (the CLI, the extension's
 * trees and webviews, the HTML/JUnit reports, a run folder reopened later). Owned here; the engine produces
 * these shapes and imports them from this file, never the other way round (src/shared imports nothing from
 * src/engine — .oxlintrc.json). No Node-only import: the webview bundles use these types too.
 *
 * - run.json: RunSummary (Metrics, GateResult, EndpointStats, PhaseRecord, FailureBrief, RunWriterProcess)
 * - results.jsonl: RequestResult (Validation, FieldDiff, ActualResponse)
 * - unmatched.jsonl: UnmatchedCall (NearStub, MatcherFailure); MockStats
 */

/** Header map. Names are lower-case; repeated headers (set-cookie) keep every value in an array.
 * The same shape as the traffic model's `Headers` (src/engine/store/model.ts). */
export type HeaderMap = Record<string, string | string[]>;

/** A body is UTF-8 text, or base64 when `bodyEncoding` is "base64". */
export type BodyEncoding = 'utf8' | 'base64';

/** A live response as the replayer received it; as kept in a result its body may be cut to a size cap. */
export interface ActualResponse {
  status: number;
  headers: HeaderMap;
  body?: string;
  bodyEncoding?: BodyEncoding;
  /** Set on a kept response (RequestResult.actual) whose body was cut to the run's size cap. */
  truncated?: boolean;
}

// ---- run.json ---------------------------------------------------------------------------------------------

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
  /** Matched statements / all statements over Postgres mocks (1 with none); only when a Postgres mock ran. */
  query_match_rate?: number;
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

// ---- results.jsonl ----------------------------------------------------------------------------------------

/** What happened to one replayed inbound request. One line of results.jsonl. */
export interface RequestResult {
  /** Pair id in the traffic store. */
  pairId: string;
  session: string;
  seq: number;
  method: string;
  /** The URL actually sent (after runtime values were injected), origin-form. */
  url: string;
  /** Endpoint key: method + templated path, e.g. `GET /orders/{id}`. */
  endpoint: string;
  /** ISO time the request was sent. */
  startedAt: string;
  /** Milliseconds from send to full response body; undefined when no response arrived. */
  latencyMs?: number;
  /** Recorded duration, for latency comparisons. */
  recordedLatencyMs?: number;
  expectedStatus?: number;
  actualStatus?: number;
  /** Set when no response arrived: 'ECONNREFUSED', 'timeout', 'ECONNRESET', 'aborted', … */
  error?: { code: string; message: string };
  /** Undefined when there was nothing to compare (no recorded response) or an error. */
  validation?: Validation;
  /** pass: validated and matched; fail: mismatched; error: no response; skipped: not sent. */
  outcome: 'pass' | 'fail' | 'error' | 'skipped';
  /** Why the outcome is what it is when that is not obvious (e.g. no recorded response to compare). */
  note?: string;
  /** The actual response, kept for diffs (body possibly truncated to a size cap). */
  actual?: ActualResponse;
}

/** Result of comparing a live response with the recorded one. Plain JSON data. */
export type DiffKind = 'changed' | 'missing' | 'added' | 'type' | 'status' | 'header' | 'text';

export interface FieldDiff {
  /** JSONPath of the field (`$.items[0].price`), `status`, `header.<name>`, or `$` for whole-text bodies. */
  path: string;
  kind: DiffKind;
  expected?: unknown;
  actual?: unknown;
  /** Set when the difference was tolerated or ignored and so does not fail the request. */
  ignored?: 'ignore' | 'tolerance' | 'shape' | 'noise';
}

export interface Validation {
  pass: boolean;
  statusMatch: boolean;
  headersMatch: boolean;
  bodyMatch: boolean;
  /** Fraction of compared leaf fields that matched (1 when there is nothing to compare). */
  fieldMatchRate: number;
  fieldsCompared: number;
  /** Failing differences first; ignored ones are kept (with `ignored` set) so the UI can grey them out. */
  diffs: FieldDiff[];
  /** A remark about how the response was judged (e.g. no recorded response to compare with). */
  note?: string;
  /** How many differences were left out of `diffs` because of `ValidateOptions.maxDiffs`. */
  diffsOmitted?: number;
}

// ---- unmatched.jsonl --------------------------------------------------------------------------------------

/** An unmatched mock call, as recorded in unmatched.jsonl. Plain data. */
export interface UnmatchedCall {
  id: string;
  service: string;
  /** Absent means 'http'. A Postgres call's request is `QUERY`/`EXECUTE` with the SQL as url (see `query`). */
  protocol?: 'http' | 'postgres';
  /** ISO time of the call. */
  at: string;
  request: { method: string; url: string; headers: HeaderMap; body?: string; bodyEncoding?: BodyEncoding };
  /** The closest stubs (at most three), best first. */
  nearest: NearStub[];
  /** A Postgres call: the statement as the client sent it. */
  query?: { sql: string; params?: Array<string | null | { base64: string }>; protocol: 'simple' | 'extended' };
  /** What the mock answered (a Postgres mock: status 0 and the SQLSTATE of its ErrorResponse). */
  answeredWith: { status: number; passthrough?: string; sqlstate?: string };
}

export interface NearStub {
  stubId: string;
  /** 0 = would match; larger is further away. */
  distance: number;
  /** Human summary of the stub's request matcher, e.g. `POST /charge body≈{…}`. */
  summary: string;
  /** Each matcher that failed and why. */
  failures: MatcherFailure[];
}

export interface MatcherFailure {
  /** `scenario`: every request matcher passed but the stub waits for another sequence/scenario state. */
  matcher: 'method' | 'path' | 'query' | 'header' | 'body' | 'scenario' | 'sql' | 'params';
  /** Where inside the matcher: query param name, header name, JSONPath of a body field. */
  field?: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

/** Per-service counters a mock keeps; mock_match_rate and unmatched_requests come from these. */
export interface MockStats {
  service: string;
  /** Absent means 'http'. Postgres mocks count statements (queries and executes); query_match_rate reads them. */
  protocol?: 'http' | 'postgres';
  port: number;
  calls: number;
  matched: number;
  unmatched: number;
}
