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
  /** http (default) or postgres; undefined: inferred from the traffic when the mocks start. */
  type?: 'http' | 'postgres';
  /** Postgres mocks: how clients authenticate (default trust). */
  auth?: { method: 'trust' | 'password' | 'md5' | 'scram-sha-256'; user?: string; password?: string };
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
  /** Restart mock sequences at each replay session's start (sound with concurrency 1). */
  isolate_sessions?: boolean;
  /** Header added to every replayed request with its session id; the mocks key sequence state by it. */
  session_header?: string;
}

export interface ValidateConfig {
  ignore: string[];
  tolerances: Record<string, number>;
  headers: string[];
  shape_only: boolean;
  auto_noise: boolean;
}

/** A real dependency checked before the service is started (`sut.depends_on`). */
export interface DependencyCheck {
  name: string;
  /** http(s) URL answered with 2xx when ready, or tcp://host:port accepting connections. */
  url: string;
  /** How long to wait for it, ms. */
  timeout: number;
}

/** Readiness of the service under test. */
export interface SutReadyConfig {
  /** URL polled until it answers 2xx: relative to the target (`/health`) or absolute. Undefined: the
   * target's port accepting TCP connections. */
  url?: string;
  /** Give up after this long, ms. */
  timeout: number;
  /** After the first 2xx, it must keep answering 2xx for this long, ms (0: ready at once). */
  stable_for: number;
  /** Poll interval, ms. */
  interval: number;
}

/** The service under test, optionally started (and always stopped) by Reprise. */
export interface SutConfig {
  /** Shell command that starts the service (own process group). Undefined: the service is started by
   * hand; Reprise only waits for it to be ready. */
  command?: string;
  /** Working folder of the command (absolute). */
  cwd: string;
  /** VS Code launch configuration that starts the service under the debugger (extension only). */
  launch?: string;
  /** Extra environment (values may use ${NAME} of the composed environment, e.g. ${REPRISE_TARGET_PORT}). */
  env: Record<string, string>;
  ready: SutReadyConfig;
  /** SIGTERM, then SIGKILL after this many ms. */
  stop_timeout: number;
  /** Lines of the service's output matching this count as error lines (log_errors gate). A regex
   * source (case-insensitive) or `/source/flags`. */
  log_errors_pattern: string;
  /** Real dependencies that must be ready before the service is started. */
  depends_on: DependencyCheck[];
  /** Sample the service's CPU and memory every this many ms while replaying. */
  sample_interval: number;
}

/** Abort the replay early (see engine/run/cutoffs.ts). */
export interface CutoffsConfig {
  error_rate?: string;
  latency_p95?: string;
  mock_miss_rate?: string;
  window: number;
  min_samples: number;
}

/** Learned noise (`reprise learn`). */
export interface NoiseConfig {
  /** The noise model file (absolute; default <root>/.reprise/noise.json). */
  file: string;
  /** Apply the learned noise in runs. Default true. */
  apply: boolean;
  /** `reprise learn`: restart the service between its two passes when Reprise starts it. Default true. */
  restart: boolean;
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
  /** Extra header names and JSON body paths masked in run folders, reports and diffs. */
  redact?: { headers: string[]; json_paths: string[] };
  /** The service under test: started, awaited and stopped by Reprise (when `command` is set). */
  sut?: SutConfig;
  /** Abort the replay early when the service is clearly failing. */
  cutoffs?: CutoffsConfig;
  /** Learned noise; undefined means the defaults (apply <root>/.reprise/noise.json). */
  noise?: NoiseConfig;
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
