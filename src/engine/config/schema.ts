/**
 * The zod schema of reprise.yaml as written (raw), and resolveConfig() which turns a valid raw config into
 * the RepriseConfig the engine consumes (defaults applied, durations in ms, paths absolute).
 *
 * Every key carries a description and an example: this schema drives the JSON Schema (json-schema.ts),
 * completion and hover in the editor. Objects are strict: unknown keys are errors.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { DURATION_HELP, DURATION_PATTERN, parseDuration } from './duration.js';
import type { MockServiceConfig, RepriseConfig, SutConfig } from './types.js';
import { KNOWN_GATES, type GateName } from '../gates/known.js';
import { gateProblem } from '../gates/parse.js';
import { CUTOFF_INFO, CUTOFF_NAMES, cutoffProblem, type CutoffName } from '../run/cutoffs.js';

// ---------------------------------------------------------------------------------------------------------
// Annotations: a friendlier code and message for problems with a particular value. load.ts finds the schema
// at an issue's path (schemaAt) and uses its annotation instead of zod's generic wording.

export interface ValueAnnotation {
  /** Issue code used for any problem with this value (other than a missing key). */
  code: string;
  /** Message for a bad value; receives the value as written. */
  message: (value: unknown) => string;
}
const ANNOTATIONS = new WeakMap<object, ValueAnnotation>();

function annotate<T extends z.ZodType>(schema: T, code: string, message: (value: unknown) => string): T {
  ANNOTATIONS.set(schema, { code, message });
  return schema;
}

/** Shown in messages: `"fast"`, `5`, `a list`, `a mapping`. */
export function showValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function doc<T extends z.ZodType>(schema: T, description: string, example: unknown, dflt?: unknown): T {
  const meta: Record<string, unknown> = { description, examples: [example] };
  if (dflt !== undefined) meta.default = dflt;
  const out = schema.meta(meta) as T;
  const a = ANNOTATIONS.get(schema);
  if (a) ANNOTATIONS.set(out, a); // meta() returns a copy: keep the annotation on it
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

const SERVICE_RE = /^(?!\.\.?$)[^\\/\s]+$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CAPTURE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const CAPTURE_SOURCE_RE = /^(\$|header\.).+|^\$$/;
const TIMING_FACTOR_RE = /^\s*\d+(?:\.\d+)?\s*x\s*$/;

const httpUrl = (what: string) =>
  annotate(
    z.url({ protocol: /^https?$/ }),
    'invalid-value',
    (v) =>
      typeof v === 'string' && !/^[a-z]+:\/\//i.test(v)
        ? `${what} must be an http(s) URL: ${showValue(v)} has no scheme — did you mean "http://${v}"?`
        : `${what} must be an http(s) URL such as http://localhost:8080, got ${showValue(v)}`,
  );

const pathList = (what: string) =>
  annotate(
    z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    'invalid-type',
    (v) => `expected a path or a list of paths for ${what}, got ${Array.isArray(v) && v.length === 0 ? 'an empty list' : showValue(v)}`,
  );

const globList = (what: string) =>
  annotate(
    z.union([z.string().min(1), z.array(z.string().min(1))]),
    'invalid-type',
    (v) => `expected a glob or a list of globs for ${what}, got ${showValue(v)}`,
  );

const duration = (what: string) =>
  annotate(
    z.union([z.number().min(0), z.string().regex(new RegExp(DURATION_PATTERN))]),
    'bad-duration',
    (v) => `${showValue(v)} is not a valid ${what} — ${DURATION_HELP}`,
  );

// ---------------------------------------------------------------------------------------------------------
// Sections

export const MockSchema = doc(
  z.strictObject({
    service: doc(
      annotate(z.string().regex(SERVICE_RE), 'invalid-value', (v) =>
        `service must be a name without spaces or slashes (it names the stubs folder), got ${showValue(v)}`),
      'Name of the dependency this mock stands in for. Outbound pairs recorded with this service name become its stubs.',
      'payment-api',
    ),
    port: doc(
      annotate(z.number().int().min(0).max(65535), 'invalid-value', (v) =>
        `port must be a whole number from 1 to 65535 (0 picks a free port), got ${showValue(v)}`),
      'Port the mock listens on. The service under test must call the dependency here (see `env`). 0 picks a free port.',
      8081,
    ),
    type: doc(
      annotate(z.enum(['http', 'postgres']), 'invalid-value', (v) => `type must be "http" or "postgres", got ${showValue(v)}`),
      'What the mock speaks: `http` (default) or `postgres` (a Postgres wire-protocol server answering from recorded conversations). Left out, it is `postgres` when the mock\'s traffic holds Postgres conversations (native or Keploy `kind: Postgres` mocks) and no HTTP calls.',
      'postgres',
    ).optional(),
    auth: doc(
      z.strictObject({
        method: doc(
          annotate(z.enum(['trust', 'password', 'md5', 'scram-sha-256']), 'invalid-value', (v) =>
            `auth.method must be trust, password, md5 or scram-sha-256, got ${showValue(v)}`),
          'How a Postgres mock authenticates clients. Recorded SCRAM exchanges cannot be replayed, so the mock runs the method itself.',
          'md5',
          'trust',
        ).optional(),
        user: doc(z.string().min(1), 'User put in the mock\'s URL (default: the recorded user).', 'app').optional(),
        password: doc(z.string(), 'Password the mock checks (needed for scram-sha-256; md5 and password accept any when unset).', 'secret').optional(),
      }),
      'Postgres mocks only: how clients authenticate.',
      { method: 'trust' },
    ).optional(),
    host: doc(
      z.string().min(1),
      'Address the mock binds to. Keep 127.0.0.1 unless the service runs in a container.',
      '127.0.0.1',
      '127.0.0.1',
    ).optional(),
    traffic: doc(
      pathList('mock traffic'),
      'Traffic sources (files or folders, relative to this file) whose outbound calls feed this mock. Default: the run\'s `traffic`.',
      './prod-traffic/payment-api/',
    ).optional(),
    stubs: doc(
      z.string().min(1),
      'Folder of hand-written or promoted stub files for this mock. Default: .reprise/stubs/<service>.',
      './stubs/payment-api',
    ).optional(),
    env: doc(
      annotate(z.string().regex(ENV_RE), 'invalid-value', (v) =>
        `env must be an environment variable name (letters, digits, _), got ${showValue(v)}`),
      'Environment variable through which the service under test is told the mock\'s URL (e.g. http://127.0.0.1:8081).',
      'PAYMENT_API_URL',
    ).optional(),
    ignore: doc(
      z.array(z.string().min(1)),
      'Request-body JSONPaths ignored when matching calls to recorded stubs (fields that change every run).',
      ['$.orderId', '$.timestamp'],
      [],
    ).optional(),
    unmatched: doc(
      z.strictObject({
        status: doc(
          annotate(z.number().int().min(100).max(599), 'invalid-value', (v) =>
            `unmatched.status must be an HTTP status from 100 to 599, got ${showValue(v)}`),
          'Status answered to a call that matches no stub.',
          501,
          501,
        ).optional(),
        passthrough: doc(
          httpUrl('unmatched.passthrough'),
          'Forward calls that match no stub to this real service instead of answering with `status`.',
          'https://payments.example.com',
        ).optional(),
      }),
      'What a call that matches no recorded stub is answered with: a status, or passthrough to a real service.',
      { status: 501 },
      { status: 501 },
    ).optional(),
    sequence: doc(
      annotate(z.enum(['stay', 'cycle']), 'invalid-value', (v) => `sequence must be "stay" or "cycle", got ${showValue(v)}`),
      'When a call was recorded several times with different responses, they are played in order; after the last: `stay` on it or `cycle` back to the first.',
      'stay',
      'stay',
    ).optional(),
    timing: doc(
      annotate(
        z.union([z.enum(['recorded', 'none']), z.string().regex(TIMING_FACTOR_RE), z.number().min(0)]),
        'invalid-value',
        (v) => `timing must be "recorded", "none" or a factor of the recorded latency such as "0.5x", got ${showValue(v)}`,
      ),
      'Response latency of the mock: `recorded` (as captured), `none` (answer at once), or a factor of the recorded latency like "0.5x".',
      'recorded',
      'none',
    ).optional(),
  }),
  'One mocked dependency: an in-process HTTP server answering the service\'s outbound calls from recorded traffic.',
  { service: 'payment-api', port: 8081, env: 'PAYMENT_API_URL' },
);

export const ReplaySchema = doc(
  z.strictObject({
    concurrency: doc(
      annotate(z.number().int().min(1).max(10_000), 'invalid-value', (v) =>
        `concurrency must be a whole number of at least 1, got ${showValue(v)}`),
      'Requests in flight at once; sessions run in parallel up to this.',
      10,
      10,
    ).optional(),
    time_scale: doc(
      annotate(z.number().min(0), 'invalid-value', (v) => `time_scale must be a number of at least 0, got ${showValue(v)}`),
      'Recorded gaps between requests are divided by this: 1 = real time, 10 = ten times faster, 0 = no waiting.',
      10,
      1,
    ).optional(),
    max_delay: doc(duration('max_delay'), 'Cap on any single wait between requests. 0 sends as fast as possible.', '5s', '5s').optional(),
    timeout: doc(duration('timeout'), 'Timeout of each replayed request.', '10s', '10s').optional(),
    capture: doc(
      z.record(
        annotate(z.string().regex(CAPTURE_NAME_RE), 'invalid-value', (v) =>
          `capture names must start with a letter or _ (then letters, digits, _ . -), got ${showValue(v)}`),
        annotate(z.string().regex(CAPTURE_SOURCE_RE), 'invalid-value', (v) =>
          `a capture is a JSONPath into the response body ("$.access_token") or "header.<name>", got ${showValue(v)}`),
      ),
      'Values captured from responses and reused in later requests of the same session as {{name}}: name → JSONPath (`$.access_token`) or `header.<name>`.',
      { token: '$.access_token', session: 'header.x-session-id' },
      {},
    ).optional(),
    headers: doc(
      z.record(
        z.string().min(1),
        annotate(z.union([z.string(), z.number(), z.boolean()]), 'invalid-type', (v) =>
          `a header value must be a string, got ${showValue(v)}`),
      ),
      'Headers added to (or replacing) every replayed request; values may use {{name}} captured values.',
      { authorization: 'Bearer {{token}}' },
      {},
    ).optional(),
    include: doc(
      globList('include'),
      'Only replay requests whose endpoint (`GET /orders/*`) or session matches one of these globs. Empty: all.',
      ['GET /orders/**', 'POST /checkout'],
      [],
    ).optional(),
    exclude: doc(
      globList('exclude'),
      'Skip requests whose endpoint or session matches one of these globs.',
      ['* /health', '* /metrics'],
      [],
    ).optional(),
    isolate_sessions: doc(
      z.boolean(),
      'Give every replay session the mocks\' recorded sequences (repeated identical calls) from their start. With concurrency 1 this always works; with parallel sessions it needs `session_header`, forwarded by the service to its dependencies.',
      true,
      false,
    ).optional(),
    session_header: doc(
      z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'),
      'Header Reprise adds to every replayed request with the session id ({{session}}). When the service forwards it to its dependencies (as it would a trace header), the mocks keep each session\'s sequences apart at any concurrency (with `isolate_sessions`).',
      'x-reprise-session',
    ).optional(),
  }),
  'How inbound traffic is replayed against the target.',
  { concurrency: 10, time_scale: 10, max_delay: '5s', timeout: '10s' },
);

export const ValidateSchema = doc(
  z.strictObject({
    ignore: doc(
      z.array(z.string().min(1)),
      'Fields ignored when comparing responses: body JSONPaths (`$.createdAt`, `$..id`) and `header.<name>`.',
      ['$.createdAt', '$..id', 'header.date'],
      [],
    ).optional(),
    tolerances: doc(
      z.record(
        z.string().min(1),
        annotate(z.number().min(0), 'invalid-value', (v) => `a tolerance must be a number of at least 0, got ${showValue(v)}`),
      ),
      'Numeric fields compared with an absolute tolerance: JSONPath → allowed difference.',
      { '$.total': 0.01 },
      {},
    ).optional(),
    headers: doc(
      z.array(z.string().min(1)),
      'Response headers whose values are compared (case-insensitive names).',
      ['content-type', 'cache-control'],
      ['content-type'],
    ).optional(),
    shape_only: doc(
      z.boolean(),
      'Compare only the shape of JSON bodies (keys and types), not the values.',
      false,
      false,
    ).optional(),
    auto_noise: doc(
      z.boolean(),
      'Detect fields that differ between identical recorded requests (timestamps, ids) and ignore them.',
      true,
      false,
    ).optional(),
  }),
  'How replayed responses are compared with the recorded ones.',
  { ignore: ['$.createdAt', 'header.date'], tolerances: { '$.total': 0.01 } },
);

function gateSchema(name: GateName) {
  const info = KNOWN_GATES[name];
  const s = z.string().superRefine((v, ctx) => {
    const problem = gateProblem(name, v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'bad-gate' } });
  });
  annotate(s, 'bad-gate', (v) => `${name}: a gate is a comparison in quotes such as "${info.example}", got ${showValue(v)}`);
  return doc(s, info.description, info.example);
}

const gateShape = Object.fromEntries(
  (Object.keys(KNOWN_GATES) as GateName[]).map((n) => [n, gateSchema(n).optional()]),
) as { [K in GateName]: z.ZodOptional<z.ZodString> };

export const QualityGatesSchema = doc(
  z.strictObject(gateShape),
  'Conditions a run must meet to pass: gate → comparison. Quote expressions that start with ">" (YAML reads a bare > as a folded block).',
  { status_pass_rate: '>= 0.99', unmatched_requests: '== 0', latency_p95_delta: '<= +10%' },
  {},
);

// ---------------------------------------------------------------------------------------------------------
// The service under test, cutoffs, learned noise

/** `/source/flags` or a bare source (compiled case-insensitive); null when it is not a valid regex. */
export function compileLogPattern(p: string): RegExp | null {
  try {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(p);
    return m ? new RegExp(m[1], m[2].replace(/[gy]/g, '')) : new RegExp(p, 'i');
  } catch {
    return null;
  }
}

const READY_URL_RE = /^(\/|https?:\/\/)\S*$/i;
const DEPENDENCY_URL_RE = /^(https?|tcp):\/\/\S+$/i;

export const SutSchema = doc(
  z.strictObject({
    command: doc(
      z.string().min(1),
      'Shell command that starts the service under test. Reprise runs it in its own process group with the mocks\' URLs in its environment (each mock\'s `env` name, plus REPRISE_TARGET and REPRISE_TARGET_PORT), captures its output into the run folder (sut.log), waits for `ready`, and stops the whole group at the end (SIGTERM, then SIGKILL after `stop_timeout`). Leave it out when you start the service yourself: Reprise then only waits for `ready`.',
      'npm start',
    ).optional(),
    cwd: doc(z.string().min(1), 'Working folder of `command`, relative to this file.', '.', '.').optional(),
    launch: doc(
      z.string().min(1),
      'Name of the VS Code launch configuration (.vscode/launch.json) that starts the service under the debugger. "Run Replay Against Debug Target" starts it, with the mocks\' URLs in its environment, when no debug session is running.',
      'orders service',
    ).optional(),
    env: doc(
      z.record(
        annotate(z.string().regex(ENV_RE), 'invalid-value', (v) =>
          `sut.env names must be environment variable names (letters, digits, _), got ${showValue(v)}`),
        annotate(z.union([z.string(), z.number(), z.boolean()]), 'invalid-type', (v) => `an environment value must be a string, got ${showValue(v)}`),
      ),
      'Extra environment of `command`. Values may use ${NAME} of the environment Reprise composes, e.g. "${REPRISE_TARGET_PORT}" or a mock\'s "${PAYMENT_API_URL}".',
      { PORT: '${REPRISE_TARGET_PORT}', NODE_ENV: 'test' },
      {},
    ).optional(),
    ready: doc(
      z.strictObject({
        url: doc(
          annotate(z.string().regex(READY_URL_RE), 'invalid-value', (v) =>
            `ready.url must be a path on the target ("/health") or an http(s) URL, got ${showValue(v)}`),
          'Polled until it answers 2xx: a path on the target (`/health`) or an absolute http(s) URL. Default: the target\'s port accepting connections.',
          '/health',
        ).optional(),
        timeout: doc(duration('ready.timeout'), 'Give up (and stop the run) when the service is not ready after this long.', '60s', '30s').optional(),
        stable_for: doc(duration('ready.stable_for'), 'After the first success, readiness must hold for this long before traffic starts.', '5s', '0s').optional(),
        interval: doc(duration('ready.interval'), 'How often readiness is polled.', '200ms', '200ms').optional(),
      }),
      'When the service is ready for traffic.',
      { url: '/health', timeout: '60s', stable_for: '5s' },
    ).optional(),
    stop_timeout: doc(duration('stop_timeout'), 'Grace period between SIGTERM and SIGKILL when the service is stopped.', '5s', '5s').optional(),
    log_errors_pattern: doc(
      annotate(z.string().min(1).refine((p) => compileLogPattern(p) !== null), 'invalid-value', (v) =>
        `log_errors_pattern must be a regular expression (a source, or /source/flags), got ${showValue(v)}`),
      'Lines of the service\'s output that count as errors (the `log_errors` gate): a regular expression, case-insensitive unless written as /source/flags.',
      '\\b(error|exception|panic|fatal)\\b',
      '\\b(error|exception|panic|fatal)\\b',
    ).optional(),
    depends_on: doc(
      z.array(
        z.strictObject({
          name: doc(z.string().min(1), 'Name shown when the dependency is not ready.', 'postgres'),
          url: doc(
            annotate(z.string().regex(DEPENDENCY_URL_RE), 'invalid-value', (v) =>
              `depends_on url must be an http(s) URL answering 2xx when ready, or tcp://host:port, got ${showValue(v)}`),
            'An http(s) URL that answers 2xx when the dependency is ready, or tcp://host:port that accepts connections.',
            'tcp://127.0.0.1:5432',
          ),
          timeout: doc(duration('depends_on timeout'), 'How long to wait for it.', '30s', '30s').optional(),
        }),
      ),
      'Real (not mocked) dependencies checked before the service is started; the run stops when one is not ready.',
      [{ name: 'postgres', url: 'tcp://127.0.0.1:5432' }],
      [],
    ).optional(),
    sample_interval: doc(duration('sample_interval'), 'How often the service\'s CPU and memory are sampled while replaying (Linux /proc).', '250ms', '250ms').optional(),
  }),
  'The service under test: started by Reprise (optional), awaited until ready, resource-sampled while replaying and always stopped.',
  { command: 'npm start', ready: { url: '/health', timeout: '60s', stable_for: '5s' } },
);

function cutoffSchema(name: CutoffName) {
  const info = CUTOFF_INFO[name];
  const s = z.string().superRefine((v, ctx) => {
    const problem = cutoffProblem(name, v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'bad-gate' } });
  });
  annotate(s, 'bad-gate', (v) => `cutoffs.${name}: a cutoff is a comparison in quotes such as "${info.example}", got ${showValue(v)}`);
  return doc(s, info.description, info.example).optional();
}

export const CutoffsSchema = doc(
  z.strictObject({
    ...(Object.fromEntries(CUTOFF_NAMES.map((n) => [n, cutoffSchema(n)])) as Record<CutoffName, ReturnType<typeof cutoffSchema>>),
    window: doc(
      annotate(z.number().int().min(1).max(10_000), 'invalid-value', (v) => `window must be a whole number from 1 to 10000, got ${showValue(v)}`),
      'Size of the sliding window: the last N requests (mock calls for mock_miss_rate).',
      50,
      50,
    ).optional(),
    min_samples: doc(
      annotate(z.number().int().min(1), 'invalid-value', (v) => `min_samples must be a whole number of at least 1, got ${showValue(v)}`),
      'A window is judged only once it holds this many entries. Default: min(window, 10).',
      10,
    ).optional(),
  }),
  'Abort the replay early, keeping what was done as a run marked aborted, when a cutoff is passed over a sliding window. Quote expressions (a bare > starts a YAML block).',
  { error_rate: '> 0.2', latency_p95: '> 2s', mock_miss_rate: '> 0.1', window: 50 },
);

export const NoiseSchema = doc(
  z.strictObject({
    file: doc(z.string().min(1), 'Where `reprise learn` keeps the learned noise, relative to this file.', '.reprise/noise.json', '.reprise/noise.json').optional(),
    apply: doc(z.boolean(), 'Ignore the learned noisy fields of each endpoint in runs.', true, true).optional(),
    restart: doc(
      z.boolean(),
      '`reprise learn` restarts the service (`sut.command`) between its two passes, so state from the first pass does not show up as noise.',
      true,
      true,
    ).optional(),
  }),
  'Learned noise: fields that change on every run against an unchanged service (`reprise learn`).',
  { file: '.reprise/noise.json', apply: true },
);

export const RawConfigSchema = z
  .strictObject({
    target: doc(httpUrl('target'), 'Base URL of the locally running service that traffic is replayed against.', 'http://localhost:8080'),
    traffic: doc(
      pathList('traffic'),
      'Recorded traffic to replay: files or folders (JSONL, HAR, proxymock, GoReplay, Keploy, WireMock), relative to this file. Several sources are mixed in one run.',
      ['./prod-traffic/', './local-traffic/'],
    ),
    mocks: doc(
      z.array(MockSchema),
      'Dependencies of the service, mocked from recorded outbound traffic while replaying.',
      [{ service: 'payment-api', port: 8081, env: 'PAYMENT_API_URL' }],
      [],
    ).optional(),
    replay: ReplaySchema.optional(),
    validate: ValidateSchema.optional(),
    quality_gates: QualityGatesSchema.optional(),
    baseline: doc(
      z.string().min(1),
      'Run compared against by *_delta gates and reports: "previous" (the last completed run), a run id, or a path to a run folder.',
      'previous',
    ).optional(),
    runs_dir: doc(z.string().min(1), 'Folder runs are written to, relative to this file.', '.reprise/runs', '.reprise/runs').optional(),
    sut: SutSchema.optional(),
    cutoffs: CutoffsSchema.optional(),
    noise: NoiseSchema.optional(),
    redact: doc(
      z.strictObject({
        headers: doc(
          z.array(z.string().min(1)),
          'Header names masked in run folders and reports, besides the built-in ones (authorization, cookie, set-cookie, API keys, names with token/secret/password).',
          ['x-session'],
          [],
        ).optional(),
        json_paths: doc(
          z.array(z.string().min(1)),
          'JSON body paths whose values are masked in run folders, reports and diffs (`$.access_token`, `$..card.number`).',
          ['$.access_token'],
          [],
        ).optional(),
      }),
      'What is masked in everything a run writes or shows, beyond the secret headers masked always.',
      { json_paths: ['$.access_token'] },
    ).optional(),
  })
  .meta({
    title: 'Reprise configuration (reprise.yaml)',
    description: 'Replay captured HTTP traffic against a local service, with mocks, validation and quality gates.',
  });

export type RawConfig = z.infer<typeof RawConfigSchema>;
export type RawMock = z.infer<typeof MockSchema>;
export type RawSut = z.infer<typeof SutSchema>;

/** The top-level keys, in documentation order. */
export const TOP_LEVEL_KEYS = Object.keys(RawConfigSchema.shape);

// ---------------------------------------------------------------------------------------------------------
// Schema navigation (for issue mapping, completion and hover)

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Each schema from `s` down through optional/default/nullable/pipe wrappers. */
function wrappers(s: z.ZodType): z.ZodType[] {
  const out = [s];
  for (;;) {
    const d = defOf(out[out.length - 1]);
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!next) return out;
    out.push(next);
  }
}

/** The schema of the value at `path` (keys and list indexes), or undefined when the path leads nowhere. */
export function schemaAt(path: readonly PropertyKey[], root: z.ZodType = RawConfigSchema): z.ZodType | undefined {
  let cur: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    cur = child(cur, seg);
  }
  return cur;
}

function child(s: z.ZodType, seg: PropertyKey): z.ZodType | undefined {
  const inner = wrappers(s).at(-1)!;
  const d = defOf(inner);
  switch (d.type) {
    case 'object':
      return typeof seg === 'string' && d.shape && Object.prototype.hasOwnProperty.call(d.shape, seg) ? d.shape[seg] : undefined;
    case 'array':
      return typeof seg === 'number' ? d.element : undefined;
    case 'record':
      return typeof seg === 'string' ? d.valueType : undefined;
    case 'union':
      for (const o of d.options ?? []) {
        const c = child(o, seg);
        if (c) return c;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The friendlier code/message attached to the value schema at `path`, if any. */
export function annotationAt(path: readonly PropertyKey[]): ValueAnnotation | undefined {
  const s = schemaAt(path);
  if (!s) return undefined;
  for (const w of wrappers(s)) {
    const a = ANNOTATIONS.get(w);
    if (a) return a;
  }
  return undefined;
}

/** The keys an object at `path` accepts (for "did you mean" and completion); [] when it is not an object. */
export function keysAt(path: readonly PropertyKey[]): string[] {
  const s = schemaAt(path);
  if (!s) return [];
  const d = defOf(wrappers(s).at(-1)!);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

/** Description, example and default of the key at `path`, from the schema's metadata (for hover). */
export function describeKey(path: readonly PropertyKey[]): { description?: string; example?: unknown; default?: unknown } | undefined {
  const s = schemaAt(path);
  if (!s) return undefined;
  for (const w of wrappers(s)) {
    const m = w.meta() as { description?: string; examples?: unknown[]; default?: unknown } | undefined;
    if (m?.description) return { description: m.description, example: m.examples?.[0], default: m.default };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Resolution

export const DEFAULTS = {
  replay: { concurrency: 10, time_scale: 1, max_delay: 5000, timeout: 10_000 },
  validate: { headers: ['content-type'] },
  mock: { host: '127.0.0.1', unmatchedStatus: 501, sequence: 'stay', timing: 'none' },
  runs_dir: '.reprise/runs',
  stubs_dir: '.reprise/stubs',
  sut: {
    readyTimeout: 30_000,
    stableFor: 0,
    readyInterval: 200,
    stopTimeout: 5000,
    logErrorsPattern: '\\b(error|exception|panic|fatal)\\b',
    dependencyTimeout: 30_000,
    sampleInterval: 250,
  },
  cutoffs: { window: 50 },
  noise_file: '.reprise/noise.json',
} as const;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Applies defaults, converts durations to ms and resolves paths. `raw` must already be valid against
 * RawConfigSchema. `file` is the config file ('' for an in-memory config); `root` defaults to its folder
 * (or the current directory when there is no file).
 */
export function resolveConfig(raw: RawConfig, file: string, root?: string): RepriseConfig {
  const absFile = file ? path.resolve(file) : '';
  const base = path.resolve(root ?? (absFile ? path.dirname(absFile) : process.cwd()));
  const abs = (p: string) => path.resolve(base, p);
  const r = raw.replay ?? {};
  const v = raw.validate ?? {};
  const config: RepriseConfig = {
    file: absFile,
    root: base,
    target: raw.target,
    traffic: list(raw.traffic).map(abs),
    mocks: (raw.mocks ?? []).map((m) => resolveMock(m, base)),
    replay: {
      concurrency: r.concurrency ?? DEFAULTS.replay.concurrency,
      time_scale: r.time_scale ?? DEFAULTS.replay.time_scale,
      max_delay: r.max_delay === undefined ? DEFAULTS.replay.max_delay : parseDuration(r.max_delay),
      timeout: r.timeout === undefined ? DEFAULTS.replay.timeout : parseDuration(r.timeout),
      capture: { ...(r.capture ?? {}) },
      headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, val]) => [k, String(val)])),
      include: list(r.include),
      exclude: list(r.exclude),
      isolate_sessions: r.isolate_sessions ?? false,
      ...(r.session_header ? { session_header: r.session_header.toLowerCase() } : {}),
    },
    validate: {
      ignore: [...(v.ignore ?? [])],
      tolerances: { ...(v.tolerances ?? {}) },
      headers: (v.headers ?? DEFAULTS.validate.headers).map((h) => h.toLowerCase()),
      shape_only: v.shape_only ?? false,
      auto_noise: v.auto_noise ?? false,
    },
    quality_gates: Object.fromEntries(Object.entries(raw.quality_gates ?? {}).filter(([, e]) => e !== undefined)) as Record<string, string>,
    runs_dir: abs(raw.runs_dir ?? DEFAULTS.runs_dir),
  };
  if (raw.redact) config.redact = { headers: [...(raw.redact.headers ?? [])], json_paths: [...(raw.redact.json_paths ?? [])] };
  if (raw.baseline !== undefined) config.baseline = raw.baseline;
  if (raw.sut) config.sut = resolveSut(raw.sut, base);
  if (raw.cutoffs) {
    const c = raw.cutoffs;
    const window = c.window ?? DEFAULTS.cutoffs.window;
    config.cutoffs = { window, min_samples: Math.min(window, c.min_samples ?? Math.min(window, 10)) };
    if (c.error_rate !== undefined) config.cutoffs.error_rate = c.error_rate;
    if (c.latency_p95 !== undefined) config.cutoffs.latency_p95 = c.latency_p95;
    if (c.mock_miss_rate !== undefined) config.cutoffs.mock_miss_rate = c.mock_miss_rate;
  }
  if (raw.noise) {
    config.noise = {
      file: abs(raw.noise.file ?? DEFAULTS.noise_file),
      apply: raw.noise.apply ?? true,
      restart: raw.noise.restart ?? true,
    };
  }
  return config;
}

function resolveSut(s: RawSut, base: string): SutConfig {
  const d = DEFAULTS.sut;
  const dur = (v: string | number | undefined, dflt: number) => (v === undefined ? dflt : parseDuration(v));
  const out: SutConfig = {
    cwd: path.resolve(base, s.cwd ?? '.'),
    env: Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, String(v)])),
    ready: {
      timeout: dur(s.ready?.timeout, d.readyTimeout),
      stable_for: dur(s.ready?.stable_for, d.stableFor),
      interval: Math.max(10, dur(s.ready?.interval, d.readyInterval)),
    },
    stop_timeout: dur(s.stop_timeout, d.stopTimeout),
    log_errors_pattern: s.log_errors_pattern ?? d.logErrorsPattern,
    depends_on: (s.depends_on ?? []).map((x) => ({ name: x.name, url: x.url, timeout: dur(x.timeout, d.dependencyTimeout) })),
    sample_interval: Math.max(20, dur(s.sample_interval, d.sampleInterval)),
  };
  if (s.command !== undefined) out.command = s.command;
  if (s.launch !== undefined) out.launch = s.launch;
  if (s.ready?.url !== undefined) out.ready.url = s.ready.url;
  return out;
}

function resolveMock(m: RawMock, base: string): MockServiceConfig {
  const out: MockServiceConfig = {
    service: m.service,
    port: m.port,
    host: m.host ?? DEFAULTS.mock.host,
    traffic: list(m.traffic).map((p) => path.resolve(base, p)),
    stubs: path.resolve(base, m.stubs ?? path.join(DEFAULTS.stubs_dir, m.service)),
    unmatched: { status: m.unmatched?.status ?? DEFAULTS.mock.unmatchedStatus },
    sequence: m.sequence ?? DEFAULTS.mock.sequence,
    timing: resolveTiming(m.timing),
    ignore: [...(m.ignore ?? [])],
  };
  if (m.unmatched?.passthrough !== undefined) out.unmatched.passthrough = m.unmatched.passthrough;
  if (m.type !== undefined) out.type = m.type;
  if (m.auth !== undefined) out.auth = { method: m.auth.method ?? 'trust', ...(m.auth.user ? { user: m.auth.user } : {}), ...(m.auth.password !== undefined ? { password: m.auth.password } : {}) };
  if (m.env !== undefined) out.env = m.env;
  return out;
}

function resolveTiming(t: RawMock['timing']): MockServiceConfig['timing'] {
  if (t === undefined) return DEFAULTS.mock.timing;
  if (typeof t === 'number') return t;
  if (t === 'recorded' || t === 'none') return t;
  return Number(t.trim().replace(/\s*x$/, ''));
}
