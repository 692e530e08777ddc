/**
 * Run metrics from a stream of RequestResults, in bounded memory: counters, one LatencyHistogram for
 * the run and one per endpoint (see histogram.ts for precision). Nothing per request is kept.
 *
 * Definitions (a rate with an empty denominator is 1 — nothing failed):
 * - total: results added; sent: outcome ≠ skipped; passed/failed/errors: outcome pass/fail/error.
 * - status_pass_rate: sent results with an expected status whose actual status equals it, over sent
 *   results with an expected status (no response counts as a fail).
 * - body_match_rate: sent results with validation.bodyMatch, over sent results that were validated or
 *   got no response (errors count as fails).
 * - error_rate: (actual status ≥ 500 + no response) / sent.
 * - mock_match_rate: matched / calls over all mocks (1 with no calls); unmatched_requests: sum of unmatched.
 * - query_match_rate: matched / calls over Postgres mocks (statements), present only when one ran.
 * - latency_*: over results with a latency, nearest-rank percentiles, in ms.
 * - throughput: sent / (duration_ms / 1000).
 * - status_counts: actual status → count; sent requests without a response count under "error".
 */
import type { RequestResult } from '../replay/types.js';
import type { MockStats } from '../mocks/types.js';
import type { EndpointStats, Metrics } from './types.js';
import { LatencyHistogram } from './histogram.js';

interface EndpointAcc {
  requests: number;
  passed: number;
  failed: number;
  errors: number;
  latency: LatencyHistogram;
}

export interface MetricsCollectorOptions {
  /** Exact latency samples kept for the whole run before switching to the histogram. Default 10000. */
  exactCap?: number;
  /** Same, per endpoint. Default 256. */
  endpointExactCap?: number;
}

export class MetricsCollector {
  total = 0;
  sent = 0;
  passed = 0;
  failed = 0;
  errors = 0;
  private statusExpected = 0;
  private statusMatched = 0;
  private bodyCompared = 0;
  private bodyMatched = 0;
  private serverErrors = 0;
  private noResponse = 0;
  private readonly latency: LatencyHistogram;
  private readonly statusCounts = new Map<string, number>();
  private readonly perEndpoint = new Map<string, EndpointAcc>();
  private readonly mockStats = new Map<string, MockStats>();
  private readonly endpointExactCap: number;

  constructor(opts: MetricsCollectorOptions = {}) {
    this.latency = new LatencyHistogram(opts.exactCap ?? 10_000);
    this.endpointExactCap = opts.endpointExactCap ?? 256;
  }

  add(r: RequestResult): void {
    this.total++;
    const ep = this.endpointAcc(r.endpoint || `${r.method} ${r.url}`);
    ep.requests++;
    if (r.outcome === 'skipped') return;
    this.sent++;
    if (r.outcome === 'pass') {
      this.passed++;
      ep.passed++;
    } else if (r.outcome === 'fail') {
      this.failed++;
      ep.failed++;
    } else if (r.outcome === 'error') {
      this.errors++;
      ep.errors++;
    }
    const gotResponse = r.actualStatus !== undefined && r.error === undefined;
    if (r.expectedStatus !== undefined) {
      this.statusExpected++;
      if (gotResponse && r.actualStatus === r.expectedStatus) this.statusMatched++;
    }
    if (r.validation) {
      this.bodyCompared++;
      if (r.validation.bodyMatch && gotResponse) this.bodyMatched++;
    } else if (!gotResponse) {
      this.bodyCompared++;
    }
    if (!gotResponse) {
      this.noResponse++;
      this.bump('error');
    } else {
      if (r.actualStatus! >= 500) this.serverErrors++;
      this.bump(String(r.actualStatus));
    }
    if (typeof r.latencyMs === 'number') {
      this.latency.add(r.latencyMs);
      ep.latency.add(r.latencyMs);
    }
  }

  /** Mock counters are cumulative: a later snapshot for the same service replaces the earlier one. */
  addMockStats(stats: readonly MockStats[]): void {
    for (const s of stats) this.mockStats.set(`${s.service}:${s.port}`, { ...s });
  }

  /** Metrics so far. May be called any number of times (for live run.json updates). */
  finish(durationMs: number): Metrics {
    const [p50, p95, p99] = this.latency.percentiles([50, 95, 99]);
    let calls = 0;
    let matched = 0;
    let unmatched = 0;
    let dbCalls = 0;
    let dbMatched = 0;
    let db = false;
    for (const s of this.mockStats.values()) {
      calls += s.calls;
      matched += s.matched;
      unmatched += s.unmatched;
      if (s.protocol === 'postgres') {
        db = true;
        dbCalls += s.calls;
        dbMatched += s.matched;
      }
    }
    const duration = Math.max(0, durationMs);
    const statusCounts: Record<string, number> = {};
    for (const k of [...this.statusCounts.keys()].sort()) statusCounts[k] = this.statusCounts.get(k)!;
    return {
      total: this.total,
      sent: this.sent,
      passed: this.passed,
      failed: this.failed,
      errors: this.errors,
      status_pass_rate: ratio(this.statusMatched, this.statusExpected),
      body_match_rate: ratio(this.bodyMatched, this.bodyCompared),
      mock_match_rate: ratio(matched, calls),
      unmatched_requests: unmatched,
      ...(db ? { query_match_rate: ratio(dbMatched, dbCalls) } : {}),
      error_rate: this.sent ? (this.serverErrors + this.noResponse) / this.sent : 0,
      latency_p50: p50,
      latency_p95: p95,
      latency_p99: p99,
      latency_mean: this.latency.mean,
      latency_max: this.latency.count ? this.latency.max : 0,
      throughput: duration > 0 ? this.sent / (duration / 1000) : 0,
      duration_ms: duration,
      status_counts: statusCounts,
    };
  }

  /** Per-endpoint stats, sorted by endpoint key. */
  endpoints(): EndpointStats[] {
    return [...this.perEndpoint.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([endpoint, e]) => ({
        endpoint,
        requests: e.requests,
        passed: e.passed,
        failed: e.failed,
        errors: e.errors,
        latency_p95: e.latency.percentile(95),
      }));
  }

  private endpointAcc(key: string): EndpointAcc {
    let e = this.perEndpoint.get(key);
    if (!e) {
      e = { requests: 0, passed: 0, failed: 0, errors: 0, latency: new LatencyHistogram(this.endpointExactCap) };
      this.perEndpoint.set(key, e);
    }
    return e;
  }

  private bump(key: string): void {
    this.statusCounts.set(key, (this.statusCounts.get(key) ?? 0) + 1);
  }
}

function ratio(n: number, d: number): number {
  return d === 0 ? 1 : n / d;
}
