/**
 * The end-of-run summary for a terminal, in the spirit of k6's: what ran, the numbers, every gate with
 * ✓/✗ and its measured value, the worst endpoints, the first failed requests, and a verdict line.
 * Plain text; ANSI colours only when `color` is set.
 */
import type { FailureBrief, GateResult, RunSummary } from './types.js';

export interface SummaryOptions {
  color: boolean;
  /** Terminal width (default 80, clamped to 60..160). */
  width?: number;
  /** Failed requests to list (default: summary.failures). */
  failures?: FailureBrief[];
  /** How many failed requests to list (default 5). */
  maxFailures?: number;
}

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };
type Style = keyof typeof ANSI;

function painter(on: boolean) {
  return (s: string, ...styles: Style[]) => (on && styles.length ? styles.map((k) => ANSI[k]).join('') + s + ANSI.reset : s);
}

export function pct(v: number, digits = 2): string {
  return `${(v * 100).toFixed(digits)}%`;
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 60_000) return `${(v / 60_000).toFixed(1)}m`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)}s`;
  if (v >= 100) return `${v.toFixed(0)}ms`;
  if (v >= 10) return `${v.toFixed(1)}ms`;
  return `${v.toFixed(2)}ms`;
}

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${n} B`;
}

function signedPct(v: number): string {
  const s = (v * 100).toFixed(2);
  return `${v >= 0 ? '+' : ''}${s}%`;
}

function duration(msv: number): string {
  if (msv < 1000) return `${Math.round(msv)}ms`;
  const s = msv / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s - m * 60)
    .toString()
    .padStart(2, '0')}s`;
}

/** The metric a gate measures: `latency_p95_delta` → `latency_p95`. */
function metricOf(name: string): string {
  return name.replace(/_delta$/, '');
}

function isDeltaGate(g: GateResult): boolean {
  return g.baseline !== undefined || /_delta$/.test(g.name) || /[+-]\s*\d+(\.\d+)?\s*%/.test(g.expression);
}

/** A metric value with its unit: rates as %, latencies in ms, throughput in req/s. */
export function formatMetric(name: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const m = metricOf(name);
  if (/_rate$/.test(m)) return pct(v);
  if (/^latency_|_ms$/.test(m)) return ms(v);
  if (m === 'throughput') return `${v.toFixed(1)}/s`;
  if (m === 'cpu' || m === 'cpu_avg') return `${v.toFixed(1)}%`;
  if (m === 'mem' || m === 'mem_peak') return `${v < 0 ? '-' : ''}${bytes(Math.abs(v))}`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

/** The measured part of a gate line. Relative deltas (a `%` in the expression) are fractions: 0.1 = +10%. */
export function formatGateValue(g: GateResult): string {
  if (!isDeltaGate(g)) return formatMetric(g.name, g.measured);
  const relative = g.expression.includes('%');
  const delta =
    g.measured === null || !Number.isFinite(g.measured)
      ? 'n/a'
      : relative
        ? signedPct(g.measured)
        : `${g.measured >= 0 ? '+' : ''}${formatMetric(g.name, g.measured)}`;
  const base = g.baseline === undefined ? '' : ` vs baseline ${formatMetric(g.name, g.baseline)}`;
  return `Δ ${delta}${base}`;
}

function dots(label: string, width: number): string {
  return label.length >= width ? `${label} ` : `${label} ${'.'.repeat(width - label.length - 1)} `;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s;
}

export function formatSummary(summary: RunSummary, opts: SummaryOptions): string {
  const c = painter(opts.color);
  const width = Math.max(60, Math.min(160, opts.width ?? 80));
  const m = summary.metrics;
  const out: string[] = [];
  const label = 20;
  const row = (k: string, v: string) => out.push(`  ${c(dots(k, label), 'dim')}${v}`);

  out.push('', `  ${c('reprise', 'bold')} run ${summary.runId}`, '');
  row('target', summary.target);
  const traffic = summary.traffic.length ? summary.traffic.join(', ') : '-';
  row('traffic', cut(traffic, width - label - 4));
  row('duration', `${duration(m.duration_ms)}  (started ${summary.startedAt})`);
  if (summary.baseline) row('baseline', summary.baseline.runId);
  if (summary.status !== 'completed') row('status', summary.status + (summary.abortReason ? ` — ${summary.abortReason}` : ''));
  if (summary.phases?.length) {
    const mark = (st: string) => (st === 'ok' ? c('✓', 'green') : st === 'failed' ? c('✗', 'red') : c('-', 'dim'));
    row('phases', summary.phases.map((p) => `${mark(p.status)} ${p.name}${p.status === 'skipped' ? '' : ` ${duration(p.durationMs)}`}`).join('  '));
    for (const p of summary.phases.filter((x) => x.status === 'failed' && x.detail)) {
      const [first, ...more] = p.detail!.split('\n');
      out.push(`  ${c('✗', 'red')} ${p.name}: ${first}`);
      for (const l of more) out.push(`    ${c(l.trim(), 'dim')}`);
    }
  }
  out.push('');

  row(
    'requests',
    `${m.total} total · ${m.sent} sent · ${c(`${m.passed} passed`, m.passed ? 'green' : 'dim')} · ` +
      `${c(`${m.failed} failed`, m.failed ? 'red' : 'dim')} · ${c(`${m.errors} errors`, m.errors ? 'red' : 'dim')}`,
  );
  row('status_pass_rate', pct(m.status_pass_rate));
  row('body_match_rate', pct(m.body_match_rate));
  row('error_rate', pct(m.error_rate));
  const mockCalls = summary.mocks.reduce((n, x) => n + x.calls, 0);
  if (summary.mocks.length || mockCalls) {
    const matched = summary.mocks.reduce((n, x) => n + x.matched, 0);
    row(
      'mock calls',
      `${mockCalls} · ${matched} matched · ${c(`${m.unmatched_requests} unmatched`, m.unmatched_requests ? 'yellow' : 'dim')} (${pct(m.mock_match_rate)} matched)`,
    );
  }
  row('latency', `avg=${ms(m.latency_mean)} p50=${ms(m.latency_p50)} p95=${ms(m.latency_p95)} p99=${ms(m.latency_p99)} max=${ms(m.latency_max)}`);
  row('throughput', `${m.throughput.toFixed(1)} req/s`);
  const res: string[] = [];
  if (typeof m.cpu_avg === 'number') res.push(`cpu avg ${m.cpu_avg.toFixed(1)}%`);
  if (typeof m.mem_peak === 'number') res.push(`mem peak ${bytes(m.mem_peak)}`);
  if (typeof m.log_errors === 'number') res.push(c(`${m.log_errors} error line${m.log_errors === 1 ? '' : 's'}`, m.log_errors ? 'yellow' : 'dim'));
  if (res.length) row('service', res.join(' · '));
  const mix = Object.entries(m.status_counts)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  if (mix) row('status mix', cut(mix, width - label - 4));
  if (summary.sourceIssues.length) row('traffic issues', c(`${summary.sourceIssues.length} (skipped entries; see run.json)`, 'yellow'));

  if (summary.gates.length) {
    out.push('', `  ${c('quality gates', 'bold')}`);
    const nameW = Math.min(40, Math.max(...summary.gates.map((g) => `${g.name} ${g.expression}`.length)) + 2);
    for (const g of summary.gates) {
      const mark = g.pass ? c('✓', 'green') : c('✗', 'red');
      const text = `${g.name} ${g.expression}`;
      const note = g.note ? c(`  (${g.note})`, 'dim') : '';
      out.push(`  ${mark} ${dots(text, nameW)}${formatGateValue(g)}${note}`);
    }
  }

  const worst = summary.endpoints
    .filter((e) => e.failed + e.errors > 0)
    .sort((a, b) => b.failed + b.errors - (a.failed + a.errors) || (a.endpoint < b.endpoint ? -1 : 1))
    .slice(0, 5);
  if (worst.length) {
    out.push('', `  ${c('worst endpoints', 'bold')}`);
    const w = Math.min(48, Math.max(...worst.map((e) => e.endpoint.length)));
    for (const e of worst) {
      out.push(
        `  ${cut(e.endpoint, w).padEnd(w)}  ${c(`${e.failed} failed`, e.failed ? 'red' : 'dim')} · ${e.errors} errors of ${e.requests} · p95 ${e.latency_p95 > 0 ? ms(e.latency_p95) : '-'}`,
      );
    }
  }

  const changed = summary.endpoints
    .filter((e) => e.baseline && (Math.abs(e.latency_p95_change ?? 0) >= 0.1 || Object.keys(e.status_delta ?? {}).length > 0))
    .sort(
      (a, b) =>
        Number(Object.keys(b.status_delta ?? {}).length > 0) - Number(Object.keys(a.status_delta ?? {}).length > 0) ||
        Math.abs(b.latency_p95_change ?? 0) - Math.abs(a.latency_p95_change ?? 0) ||
        (a.endpoint < b.endpoint ? -1 : 1),
    )
    .slice(0, 5);
  if (changed.length) {
    out.push('', `  ${c('vs baseline', 'bold')}`);
    const w = Math.min(48, Math.max(...changed.map((e) => e.endpoint.length)));
    for (const e of changed) {
      const b = e.baseline!;
      const lat = `p95 ${b.latency_p95 > 0 ? ms(b.latency_p95) : '-'} → ${e.latency_p95 > 0 ? ms(e.latency_p95) : '-'}` +
        (e.latency_p95_change !== undefined ? ` (${signedPct(e.latency_p95_change)})` : '');
      const st = Object.entries(e.status_delta ?? {}).map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`).join(', ');
      out.push(`  ${cut(e.endpoint, w).padEnd(w)}  ${lat}${st ? ` · status ${st}` : ''}`);
    }
  }

  const failures = (opts.failures ?? summary.failures ?? []).slice(0, opts.maxFailures ?? 5);
  if (failures.length) {
    out.push('', `  ${c('first failed requests', 'bold')}`);
    const reqs = failures.map((f) => cut(`${f.method} ${f.url}`, 48));
    const w = Math.max(...reqs.map((r) => r.length));
    const sts = failures.map((f) =>
      f.outcome === 'error' ? 'ERR' : `${f.actualStatus ?? '-'}${f.expectedStatus !== undefined && f.expectedStatus !== f.actualStatus ? `≠${f.expectedStatus}` : ''}`,
    );
    const sw = Math.max(...sts.map((x) => x.length));
    failures.forEach((f, i) => {
      const msg = cut(f.message ?? f.firstDiff ?? '', Math.max(20, width - w - sw - 10));
      const st = f.outcome === 'error' ? c(sts[i].padEnd(sw), 'red') : sts[i].padEnd(sw);
      out.push(`  ${c('✗', 'red')} ${reqs[i].padEnd(w)}  ${st}  ${c(msg, 'dim')}`);
    });
  }

  out.push('', `  ${verdictLine(summary, c)}`, '');
  return out.join('\n');
}

function verdictLine(s: RunSummary, c: ReturnType<typeof painter>): string {
  const failedGates = s.gates.filter((g) => !g.pass);
  switch (s.verdict) {
    case 'pass':
      return c(`✓ PASS`, 'green', 'bold') + ` — ${s.gates.length ? `all ${s.gates.length} gates passed` : 'no gates configured'}`;
    case 'fail':
      return (
        c(`✗ FAIL`, 'red', 'bold') +
        ` — ${failedGates.length} of ${s.gates.length} gates failed${failedGates.length ? `: ${failedGates.map((g) => g.name).join(', ')}` : ''}`
      );
    case 'aborted':
      return c(`■ ABORTED`, 'yellow', 'bold') + ` — ${s.abortReason ?? 'stopped before the end'}`;
    case 'error':
      return c(`✗ ERROR`, 'red', 'bold') + ` — ${s.error?.split('\n')[0].replace(/;[^;]*:$/, '') ?? 'the run failed'}`;
    default:
      return c(`… RUNNING`, 'cyan', 'bold') + ` — ${s.metrics.total} results so far`;
  }
}

/** One live progress line for a TTY: `[#####-----]  45%  450/1000  ✓ 440  ✗ 10`. total 0 = unknown. */
export function formatProgress(done: number, total: number, passed: number, failed: number): string {
  const barW = 24;
  if (total > 0) {
    const f = Math.min(1, Math.max(0, done / total));
    const filled = Math.round(f * barW);
    return `[${'#'.repeat(filled)}${'-'.repeat(barW - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${done}/${total}  ✓ ${passed}  ✗ ${failed}`;
  }
  return `${done} requests  ✓ ${passed}  ✗ ${failed}`;
}
