/**
 * The resolved configuration the rest of the engine consumes. `loadConfig` (config/load.ts) parses
 * reprise.yaml with source positions, validates it with the zod schema (config/schema.ts), applies
 * defaults, converts durations to milliseconds and resolves paths against the config file's folder.
 */
export interface MockServiceConfig {
  /** Service name; outbound pairs whose `service` equals it become this mock's stubs. */
  service: string;
  port: number;
  /** Default 127.0.0.1. */
  host: string;
  /** Traffic sources (absolute paths) whose outbound pairs feed this mock. Empty: use the run's traffic. */
  traffic: string[];
  /** Folder of stub files (.reprise/stubs/<service> by default, absolute). */
  stubs: string;
  /** Environment variable name under which the mock's URL is given to the service (e.g. PAYMENT_API_URL). */
  env?: string;
  /** What an unmatched call is answered with. */
  unmatched: { status: number; passthrough?: string };
  /** after the last recorded response of a sequence: stay on the last one, or cycle. */
  sequence: 'stay' | 'cycle';
  /** recorded | none | a factor (e.g. 0.5 means half the recorded latency). */
  timing: 'recorded' | 'none' | number;
  /** JSONPaths ignored when matching request bodies (fields that change every run, e.g. `$.orderId`). */
  ignore: string[];
}

export interface ReplayConfig {
  /** Requests in flight at once (sessions run in parallel up to this). */
  concurrency: number;
  /** Recorded gaps are divided by this; 0 or Infinity means no waiting. */
  time_scale: number;
  /** Cap on any gap, ms. 0 = send as fast as possible. */
  max_delay: number;
  /** Per-request timeout, ms. */
  timeout: number;
  /** Values captured from responses of the same session: name → JSONPath (`$.access_token`) or `header.<name>`. */
  capture: Record<string, string>;
  /** Headers added to (or replacing) every replayed request; values may use {{...}} runtime values. */
  headers: Record<string, string>;
  /** Only replay pairs whose endpoint or session matches one of these globs (empty: all). */
  include: string[];
  exclude: string[];
}

export interface ValidateConfig {
  ignore: string[];
  tolerances: Record<string, number>;
  headers: string[];
  shape_only: boolean;
  auto_noise: boolean;
}

export interface RepriseConfig {
  /** Absolute path of the config file ('' when built in memory). */
  file: string;
  /** Folder paths are resolved against (the config file's folder). */
  root: string;
  target: string;
  /** Absolute paths of traffic sources (files or folders). */
  traffic: string[];
  mocks: MockServiceConfig[];
  replay: ReplayConfig;
  validate: ValidateConfig;
  /** Gate name → expression, e.g. status_pass_rate → ">= 0.99". */
  quality_gates: Record<string, string>;
  /** "previous", a run id, or a path to a run folder; undefined: none. */
  baseline?: string;
  /** Where runs are written (default <root>/.reprise/runs). */
  runs_dir: string;
}

/** One config problem: every problem is reported at once. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path: `replay.concurrency`, `mocks[1].port`. */
  key: string;
  message: string;
  /** Stable code, e.g. `unknown-key`, `invalid-type`, `bad-gate`. */
  code: string;
  severity: 'error' | 'warning';
  /** Range end when known (1-based line/col, exclusive). */
  endLine?: number;
  endColumn?: number;
  /** Suggested replacement for quick fixes ("did you mean"). */
  suggestion?: string;
}
