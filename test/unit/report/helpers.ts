import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RequestResult, RunSummary } from '../../../src/shared/results.js';
import { MetricsCollector } from '../../../src/engine/report/metrics.js';

export const repoRoot = path.resolve(__dirname, '../../..');

export async function tmpDir(prefix = 'reprise-report-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function result(i: number, over: Partial<RequestResult> = {}): RequestResult {
  return {
    pairId: `p${i}`,
    session: 's1',
    seq: i,
    method: 'GET',
    url: `/orders/${i}`,
    endpoint: 'GET /orders/{id}',
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    latencyMs: 10,
    expectedStatus: 200,
    actualStatus: 200,
    validation: { pass: true, statusMatch: true, headersMatch: true, bodyMatch: true, fieldMatchRate: 1, fieldsCompared: 3, diffs: [] },
    outcome: 'pass',
    actual: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":1}' },
    ...over,
  };
}

export function failing(i: number, over: Partial<RequestResult> = {}): RequestResult {
  return result(i, {
    outcome: 'fail',
    actualStatus: 200,
    validation: {
      pass: false,
      statusMatch: true,
      headersMatch: true,
      bodyMatch: false,
      fieldMatchRate: 0.5,
      fieldsCompared: 2,
      diffs: [
        { path: '$.updatedAt', kind: 'changed', expected: 'a', actual: 'b', ignored: 'noise' },
        { path: '$.total', kind: 'changed', expected: 10, actual: 12 },
      ],
    },
    ...over,
  });
}

export function erroring(i: number, over: Partial<RequestResult> = {}): RequestResult {
  return result(i, {
    outcome: 'error',
    actualStatus: undefined,
    latencyMs: undefined,
    validation: undefined,
    actual: undefined,
    error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' },
    ...over,
  });
}

export function summaryOf(results: RequestResult[], over: Partial<RunSummary> = {}): RunSummary {
  const m = new MetricsCollector();
  for (const r of results) m.add(r);
  return {
    schema: 'reprise.run/1',
    runId: '2026-01-01T00-00-00-000Z-abcd',
    status: 'completed',
    verdict: 'pass',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:02.000Z',
    target: 'http://127.0.0.1:8080',
    traffic: ['traffic/orders.jsonl'],
    baseline: null,
    metrics: m.finish(2000),
    gates: [],
    endpoints: m.endpoints(),
    mocks: [],
    sourceIssues: [],
    ...over,
  };
}
