/** Per-endpoint figures of a run beyond the metrics collector's: status counts and deltas to the baseline. */
import type { EndpointStats } from '../report/types.js';
import type { RequestResult } from '../replay/types.js';

/** Counts the statuses each endpoint answered with (`error` for no response); bounded at 10,000 endpoints. */
export class StatusCounts {
  private readonly byEndpoint = new Map<string, Record<string, number>>();

  add(r: RequestResult): void {
    const ep = r.endpoint || `${r.method} ${r.url}`;
    if (r.outcome === 'skipped' || (this.byEndpoint.size >= 10000 && !this.byEndpoint.has(ep))) return;
    let sc = this.byEndpoint.get(ep);
    if (!sc) this.byEndpoint.set(ep, (sc = {}));
    const k = r.actualStatus !== undefined && r.error === undefined ? String(r.actualStatus) : 'error';
    sc[k] = (sc[k] ?? 0) + 1;
  }

  /** The endpoints with their `status_counts` (keys sorted). */
  apply(endpoints: EndpointStats[]): EndpointStats[] {
    return endpoints.map((e) => {
      const sc = this.byEndpoint.get(e.endpoint);
      return sc ? { ...e, status_counts: sortedCounts(sc) } : e;
    });
  }
}

function sortedCounts(sc: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(sc).sort()) out[k] = sc[k];
  return out;
}

/** Per-endpoint deltas against the baseline run's endpoints (optional fields of EndpointStats). */
export function endpointDeltas(endpoints: EndpointStats[], baseline: readonly EndpointStats[] | undefined): EndpointStats[] {
  if (!baseline?.length) return endpoints;
  const byKey = new Map(baseline.map((e) => [e.endpoint, e]));
  return endpoints.map((e) => {
    const b = byKey.get(e.endpoint);
    if (!b) return e;
    const out: EndpointStats = {
      ...e,
      baseline: { requests: b.requests, passed: b.passed, failed: b.failed, errors: b.errors, latency_p95: b.latency_p95 },
    };
    if (b.status_counts) out.baseline!.status_counts = b.status_counts;
    out.latency_p95_delta = round(e.latency_p95 - b.latency_p95);
    if (b.latency_p95 > 0) out.latency_p95_change = round((e.latency_p95 - b.latency_p95) / b.latency_p95);
    const rate = (x: { requests: number; passed: number }) => (x.requests ? x.passed / x.requests : 1);
    out.pass_rate_delta = round(rate(e) - rate(b));
    if (e.status_counts && b.status_counts) {
      const delta: Record<string, number> = {};
      for (const k of new Set([...Object.keys(e.status_counts), ...Object.keys(b.status_counts)])) {
        const d = (e.status_counts[k] ?? 0) - (b.status_counts[k] ?? 0);
        if (d !== 0) delta[k] = d;
      }
      out.status_delta = delta;
    }
    return out;
  });
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}
