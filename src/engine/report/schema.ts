/**
 * zod schema of run.json (RunSummary), used by RunReader to check files read back from disk. Objects
 * are loose: fields a newer writer adds are kept, not rejected.
 */
import { z } from 'zod';
import type { RunSummary } from './types.js';

const num = z.number();
const nullableNum = z.number().nullable();

export const MetricsSchema = z.looseObject({
  total: num,
  sent: num,
  passed: num,
  failed: num,
  errors: num,
  status_pass_rate: num,
  body_match_rate: num,
  mock_match_rate: num,
  unmatched_requests: num,
  error_rate: num,
  latency_p50: num,
  latency_p95: num,
  latency_p99: num,
  latency_mean: num,
  latency_max: num,
  throughput: num,
  duration_ms: num,
  status_counts: z.record(z.string(), num),
});

export const GateResultSchema = z.looseObject({
  name: z.string(),
  expression: z.string(),
  measured: nullableNum,
  baseline: nullableNum.optional(),
  pass: z.boolean(),
  note: z.string().optional(),
});

export const EndpointStatsSchema = z.looseObject({
  endpoint: z.string(),
  requests: num,
  passed: num,
  failed: num,
  errors: num,
  latency_p95: num,
});

export const FailureBriefSchema = z.looseObject({
  pairId: z.string(),
  endpoint: z.string(),
  method: z.string(),
  url: z.string(),
  outcome: z.enum(['fail', 'error']),
  expectedStatus: num.optional(),
  actualStatus: num.optional(),
  firstDiff: z.string().optional(),
  message: z.string().optional(),
});

export const RunSummarySchema = z.looseObject({
  schema: z.literal('reprise.run/1'),
  runId: z.string().min(1),
  status: z.enum(['running', 'completed', 'aborted', 'error']),
  verdict: z.enum(['pass', 'fail', 'error', 'running', 'aborted']),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  target: z.string(),
  configPath: z.string().optional(),
  traffic: z.array(z.string()),
  baseline: z.object({ runId: z.string(), path: z.string() }).nullable().optional(),
  metrics: MetricsSchema,
  gates: z.array(GateResultSchema),
  endpoints: z.array(EndpointStatsSchema),
  mocks: z.array(z.looseObject({ service: z.string(), port: num, calls: num, matched: num, unmatched: num })),
  sourceIssues: z.array(
    z.looseObject({ file: z.string(), line: num.optional(), entry: num.optional(), severity: z.string(), message: z.string() }),
  ),
  abortReason: z.string().optional(),
  error: z.string().optional(),
  failures: z.array(FailureBriefSchema).optional(),
  writer: z.looseObject({ pid: num, host: z.string(), startedAt: z.string() }).optional(),
});

/** Parse and check a run.json text; throws an Error naming the file on any problem. */
export function parseRunSummary(text: string, file: string): RunSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const r = RunSummarySchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${file}: not a run summary: ${first.join('; ')}`);
  }
  return r.data as unknown as RunSummary;
}
