/**
 * The run report: verdict banner, gates, latency and status distribution against the baseline, endpoints
 * (sortable, filterable), and the request results (virtualised; failed ones first in view). Used by the
 * VS Code panel and by the standalone HTML report (`reprise report --html`) alike.
 */
import type { ReportInit, ResultRow, RunSummary, GateResult } from '../../../src/shared/view-types.js';
import { h, clear, fmtMs, fmtPct, showValue, button, cut, type Child } from '../common/dom.js';
import { VirtualList } from '../common/virtual-list.js';

export interface ReportActions {
  openDiff(row: ResultRow): void;
  openUnmatched(): void;
  rerunFailed(): Promise<string>;
}

const RATE_METRICS = new Set(['status_pass_rate', 'body_match_rate', 'mock_match_rate', 'error_rate']);
const MS_METRICS = /^latency_|duration_ms/;

/** Format a metric value the way its name suggests (rates as %, latencies in ms). */
export function fmtMetric(name: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (RATE_METRICS.has(name)) return fmtPct(v);
  if (MS_METRICS.test(name)) return fmtMs(v);
  if (name === 'throughput') return `${v.toFixed(1)}/s`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function fmtDelta(name: string, now: number | null | undefined, base: number | null | undefined): { text: string; cls: string } {
  if (now === null || now === undefined || base === null || base === undefined || !Number.isFinite(now) || !Number.isFinite(base)) {
    return { text: '—', cls: 'muted' };
  }
  const d = now - base;
  if (d === 0) return { text: '±0', cls: 'muted' };
  const sign = d > 0 ? '+' : '−';
  let text: string;
  if (RATE_METRICS.has(name)) text = `${sign}${(Math.abs(d) * 100).toFixed(1)} pt`;
  else if (MS_METRICS.test(name)) text = `${sign}${fmtMs(Math.abs(d))}${base ? ` (${sign}${((Math.abs(d) / base) * 100).toFixed(0)}%)` : ''}`;
  else text = `${sign}${Number.isInteger(d) ? Math.abs(d) : Math.abs(d).toFixed(3)}`;
  // Worse is red: higher latencies/errors/unmatched, lower pass rates.
  const higherIsBetter = name.endsWith('_rate') && name !== 'error_rate';
  const worse = higherIsBetter ? d < 0 : d > 0;
  return { text, cls: worse ? 'fail' : 'pass' };
}

export interface GateRow {
  name: string;
  threshold: string;
  measured: string;
  baseline: string;
  delta: string;
  deltaClass: string;
  pass: boolean;
  note?: string;
}

/** The gates table's rows: measured value, the baseline's value of the same metric, and the change. */
export function gateRows(summary: RunSummary, baseline: RunSummary | null): GateRow[] {
  return summary.gates.map((g: GateResult) => {
    const metric = g.name.replace(/_delta$/, '');
    const isDelta = /[+-]\d|%/.test(g.expression) || g.name.endsWith('_delta');
    const baseVal =
      g.baseline !== undefined && g.baseline !== null
        ? g.baseline
        : baseline
          ? ((baseline.metrics as unknown as Record<string, number>)[metric] ?? null)
          : null;
    const nowVal = isDelta ? ((summary.metrics as unknown as Record<string, number>)[metric] ?? null) : g.measured;
    const d = fmtDelta(metric, nowVal, baseVal);
    return {
      name: g.name,
      threshold: g.expression,
      measured: isDelta && g.measured !== null ? `${g.expression.includes('%') ? `${(g.measured * 100).toFixed(1)}%` : fmtMetric(metric, g.measured)}` : fmtMetric(metric, g.measured),
      baseline: fmtMetric(metric, baseVal),
      delta: d.text,
      deltaClass: d.cls,
      pass: g.pass,
      note: g.note,
    };
  });
}

type SortKey = 'endpoint' | 'requests' | 'passRate' | 'p95' | 'delta';

export class ReportView {
  private init: ReportInit | undefined;
  private rows: ResultRow[] = [];
  private done = false;
  private filterOutcome: 'failed' | 'all' = 'failed';
  private filterText = '';
  private epSort: { key: SortKey; dir: 1 | -1 } = { key: 'requests', dir: -1 };
  private epFilter = '';
  private list: VirtualList<ResultRow>;
  private listCount!: HTMLElement;
  private epBody!: HTMLElement;
  private details!: HTMLElement;
  private statusLine!: HTMLElement;
  private selected = -1;
  private filtered: ResultRow[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly actions: ReportActions | null,
  ) {
    this.list = new VirtualList<ResultRow>({ rowHeight: 24, render: (r) => this.renderRow(r) });
  }

  /** Show a run (first paint: summary only; rows follow through addRows). */
  show(init: ReportInit): void {
    this.init = init;
    this.rows = [];
    this.done = false;
    this.selected = -1;
    clear(this.root);
    const s = init.summary;
    this.root.appendChild(
      h(
        'main',
        {},
        this.banner(init),
        h('div', { class: 'cards' }, h('section', {}, h('h2', {}, 'Quality gates'), this.gatesTable(s, init.baseline)), h('section', {}, h('h2', {}, 'Latency'), this.latencyTable(s, init.baseline))),
        h('div', { class: 'cards' }, h('section', {}, h('h2', {}, 'Status codes'), this.statusTable(s, init.baseline)), h('section', {}, this.issuesSection(s))),
        h('h2', {}, 'Endpoints'),
        this.endpointsSection(s, init.baseline),
        h('h2', { id: 'requests' }, 'Requests'),
        this.requestsSection(),
      ),
    );
    // Until rows stream in, the failures recorded in run.json stand in for the list.
    const brief: ResultRow[] = (s.failures ?? []).map((f, i) => ({
      i: -1 - i,
      pairId: f.pairId,
      session: '',
      seq: 0,
      method: f.method,
      url: f.url,
      endpoint: f.endpoint,
      outcome: f.outcome,
      expectedStatus: f.expectedStatus,
      actualStatus: f.actualStatus,
      firstDiff: f.firstDiff,
      message: f.message,
    }));
    this.applyFilter(brief);
    this.list.paint();
  }

  /** Append streamed rows. */
  addRows(rows: ResultRow[], done: boolean): void {
    for (const r of rows) this.rows.push(r);
    this.done = done;
    this.applyFilter();
  }

  get rowCount(): number {
    return this.rows.length;
  }

  private banner(init: ReportInit): HTMLElement {
    const s = init.summary;
    const m = s.metrics;
    const dur = s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : m.duration_ms;
    const verdictText = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', running: 'RUNNING', aborted: 'ABORTED' }[s.verdict] ?? s.verdict;
    const failedGates = s.gates.filter((g) => !g.pass).map((g) => g.name);
    this.statusLine = h('div', { class: 'status-line', role: 'status' });
    const acts: Child[] = [];
    if (this.actions) {
      if (m.failed + m.errors > 0) {
        acts.push(
          button('Rerun failed requests', () => {
            this.setStatus('Rerunning the failed requests…');
            this.actions!.rerunFailed().then(
              (msg) => this.setStatus(msg, true),
              (e: Error) => this.setStatus(e.message, false),
            );
          }, { id: 'rerun-failed' }),
        );
      }
      if (init.unmatchedCount > 0) acts.push(button(`Unmatched mock calls (${init.unmatchedCount})`, () => this.actions!.openUnmatched(), { secondary: true, id: 'open-unmatched' }));
    } else if (init.unmatchedCount > 0) {
      acts.push(h('span', { class: 'warn' }, `${init.unmatchedCount} unmatched mock call(s)`));
    }
    return h(
      'section',
      { class: `banner ${s.verdict}`, id: 'verdict', data: { verdict: s.verdict } },
      h('div', {}, h('span', { class: 'verdict' }, verdictText), ' ', h('span', { class: 'muted' }, `run ${s.runId}`)),
      h(
        'div',
        { class: 'facts' },
        `${m.total} requests · ${m.passed} passed · ${m.failed} failed · ${m.errors} errors · ${fmtMs(dur)} · target ${s.target}`,
        s.baseline ? ` · baseline ${s.baseline.runId}` : ' · no baseline',
      ),
      failedGates.length ? h('div', { class: 'fail' }, `Failed gates: ${failedGates.join(', ')}`) : null,
      s.abortReason ? h('div', { class: 'warn' }, `Aborted: ${s.abortReason}`) : null,
      s.error ? h('div', { class: 'fail' }, `Error: ${s.error}`) : null,
      acts.length ? h('div', { class: 'toolbar' }, acts) : null,
      this.statusLine,
    );
  }

  setStatus(text: string, ok?: boolean): void {
    this.statusLine.textContent = text;
    this.statusLine.className = `status-line${ok === true ? ' ok' : ok === false ? ' bad' : ''}`;
  }

  private gatesTable(s: RunSummary, baseline: RunSummary | null): HTMLElement {
    const rows = gateRows(s, baseline);
    if (!rows.length) return h('p', { class: 'muted' }, 'No quality gates configured.');
    return h(
      'table',
      { class: 'grid', id: 'gates' },
      h('thead', {}, h('tr', {}, ['', 'Gate', 'Threshold', 'Measured', 'Baseline', 'Delta'].map((c, i) => h('th', { class: i > 2 ? 'num' : '' }, c)))),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { data: { gate: r.name, pass: String(r.pass) } },
            h('td', { class: r.pass ? 'pass' : 'fail', title: r.pass ? 'pass' : 'fail' }, r.pass ? '✓' : '✗'),
            h('td', { class: 'mono' }, r.name, r.note ? h('div', { class: 'muted' }, r.note) : null),
            h('td', { class: 'mono' }, r.threshold),
            h('td', { class: 'num' }, r.measured),
            h('td', { class: 'num muted' }, r.baseline),
            h('td', { class: `num ${r.deltaClass}` }, r.delta),
          ),
        ),
      ),
    );
  }

  private latencyTable(s: RunSummary, b: RunSummary | null): HTMLElement {
    const keys = ['latency_p50', 'latency_p95', 'latency_p99', 'latency_mean', 'latency_max'] as const;
    const extra = ['throughput', 'error_rate'] as const;
    return h(
      'table',
      { class: 'grid', id: 'latency' },
      h('thead', {}, h('tr', {}, ['Metric', 'This run', 'Baseline', 'Delta'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)))),
      h(
        'tbody',
        {},
        [...keys, ...extra].map((k) => {
          const now = s.metrics[k];
          const base = b ? b.metrics[k] : null;
          const d = fmtDelta(k, now, base);
          return h(
            'tr',
            {},
            h('td', {}, k.replace('latency_', '').replace('_', ' ')),
            h('td', { class: 'num' }, fmtMetric(k, now)),
            h('td', { class: 'num muted' }, fmtMetric(k, base)),
            h('td', { class: `num ${d.cls}` }, d.text),
          );
        }),
      ),
    );
  }

  private statusTable(s: RunSummary, b: RunSummary | null): HTMLElement {
    const codes = new Set([...Object.keys(s.metrics.status_counts), ...Object.keys(b?.metrics.status_counts ?? {})]);
    if (!codes.size) return h('p', { class: 'muted' }, 'No responses.');
    const sorted = [...codes].sort();
    const max = Math.max(1, ...sorted.map((c) => Math.max(s.metrics.status_counts[c] ?? 0, b?.metrics.status_counts[c] ?? 0)));
    return h(
      'table',
      { class: 'grid', id: 'statuses' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', { class: 'num' }, 'This run'), h('th', { class: 'num' }, 'Baseline'), h('th', {}, ''))),
      h(
        'tbody',
        {},
        sorted.map((c) => {
          const now = s.metrics.status_counts[c] ?? 0;
          const base = b ? (b.metrics.status_counts[c] ?? 0) : null;
          const bar = h('span', { class: 'bar' });
          bar.style.width = `${(now / max) * 100}%`;
          const cell = h('td', { class: 'bar-cell' }, bar);
          if (base !== null) {
            const bb = h('span', { class: 'bar base', title: 'baseline' });
            bb.style.width = `${(base / max) * 100}%`;
            cell.appendChild(bb);
          }
          return h(
            'tr',
            {},
            h('td', { class: `mono ${c.startsWith('5') || c === 'error' ? 'fail' : ''}` }, c),
            h('td', { class: 'num' }, now),
            h('td', { class: 'num muted' }, base === null ? '—' : base),
            cell,
          );
        }),
      ),
    );
  }

  private issuesSection(s: RunSummary): Child {
    if (!s.sourceIssues.length && !s.mocks.length) return null;
    return [
      s.mocks.length ? h('h2', {}, 'Mocks') : null,
      s.mocks.length
        ? h(
            'table',
            { class: 'grid', id: 'mocks' },
            h('thead', {}, h('tr', {}, ['Service', 'Calls', 'Matched', 'Unmatched'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)))),
            h('tbody', {}, s.mocks.map((m) => h('tr', {}, h('td', {}, m.service), h('td', { class: 'num' }, m.calls), h('td', { class: 'num' }, m.matched), h('td', { class: `num ${m.unmatched ? 'fail' : ''}` }, m.unmatched)))),
          )
        : null,
      s.sourceIssues.length ? h('h2', {}, `Traffic problems (${s.sourceIssues.length})`) : null,
      s.sourceIssues.length
        ? h('ul', {}, s.sourceIssues.slice(0, 50).map((i) => h('li', { class: i.severity === 'error' ? 'fail' : 'warn' }, `${i.file}${i.line ? `:${i.line}` : ''}: ${cut(i.message, 300)}`)))
        : null,
    ];
  }

  private endpointsSection(s: RunSummary, b: RunSummary | null): HTMLElement {
    const base = new Map((b?.endpoints ?? []).map((e) => [e.endpoint, e]));
    const filter = h('input', {
      attrs: { type: 'search', placeholder: 'Filter endpoints', 'aria-label': 'Filter endpoints' },
      id: 'endpoint-filter',
      on: {
        input: (e) => {
          this.epFilter = (e.target as HTMLInputElement).value.toLowerCase();
          paint();
        },
      },
    });
    const cols: [SortKey, string][] = [
      ['endpoint', 'Endpoint'],
      ['requests', 'Requests'],
      ['passRate', 'Pass rate'],
      ['p95', 'p95'],
      ['delta', 'Δ p95 vs baseline'],
    ];
    const headRow = h('tr', {});
    this.epBody = h('tbody', {});
    const data = s.endpoints.map((e) => {
      const be = base.get(e.endpoint);
      return { e, passRate: e.requests ? e.passed / e.requests : 1, delta: be ? e.latency_p95 - be.latency_p95 : NaN, be };
    });
    const paint = () => {
      clear(headRow);
      for (const [key, label] of cols) {
        const arrow = this.epSort.key === key ? (this.epSort.dir === 1 ? ' ▲' : ' ▼') : '';
        headRow.appendChild(
          h(
            'th',
            {
              class: `sortable ${key === 'endpoint' ? '' : 'num'}`,
              data: { sort: key },
              on: {
                click: () => {
                  this.epSort = { key, dir: this.epSort.key === key ? (-this.epSort.dir as 1 | -1) : key === 'endpoint' ? 1 : -1 };
                  paint();
                },
              },
            },
            label + arrow,
          ),
        );
      }
      const { key, dir } = this.epSort;
      const val = (d: (typeof data)[number]): number | string =>
        key === 'endpoint' ? d.e.endpoint : key === 'requests' ? d.e.requests : key === 'passRate' ? d.passRate : key === 'p95' ? d.e.latency_p95 : Number.isNaN(d.delta) ? -Infinity : d.delta;
      const shown = data
        .filter((d) => !this.epFilter || d.e.endpoint.toLowerCase().includes(this.epFilter))
        .sort((x, y) => {
          const a = val(x);
          const c = val(y);
          return (a < c ? -1 : a > c ? 1 : 0) * dir;
        });
      clear(this.epBody);
      for (const d of shown) {
        const delta = d.be ? fmtDelta('latency_p95', d.e.latency_p95, d.be.latency_p95) : { text: '—', cls: 'muted' };
        this.epBody.appendChild(
          h(
            'tr',
            { data: { endpoint: d.e.endpoint } },
            h('td', { class: 'mono' }, d.e.endpoint),
            h('td', { class: 'num' }, d.e.requests),
            h('td', { class: `num ${d.passRate < 1 ? 'fail' : ''}` }, fmtPct(d.passRate)),
            h('td', { class: 'num' }, fmtMs(d.e.latency_p95)),
            h('td', { class: `num ${delta.cls}` }, delta.text),
          ),
        );
      }
      if (!shown.length) this.epBody.appendChild(h('tr', {}, h('td', { class: 'muted', attrs: { colspan: '5' } }, 'No endpoints match.')));
    };
    paint();
    return h('div', {}, h('div', { class: 'toolbar' }, filter), h('table', { class: 'grid', id: 'endpoints' }, h('thead', {}, headRow), this.epBody));
  }

  private requestsSection(): HTMLElement {
    const outcomeSel = h(
      'select',
      {
        id: 'outcome-filter',
        attrs: { 'aria-label': 'Which requests' },
        on: {
          change: (e) => {
            this.filterOutcome = (e.target as HTMLSelectElement).value as 'failed' | 'all';
            this.applyFilter();
          },
        },
      },
      h('option', { attrs: { value: 'failed' } }, 'Failed and errors'),
      h('option', { attrs: { value: 'all' } }, 'All requests'),
    );
    const text = h('input', {
      id: 'request-filter',
      attrs: { type: 'search', placeholder: 'Filter by endpoint, URL, path, session', 'aria-label': 'Filter requests' },
      on: {
        input: (e) => {
          this.filterText = (e.target as HTMLInputElement).value.toLowerCase();
          this.applyFilter();
        },
      },
    });
    this.listCount = h('span', { class: 'muted', id: 'request-count' });
    this.details = h('div', { class: 'details', id: 'request-details' });
    const head = h('div', { class: 'rhead' }, ['Outcome', 'Method', 'URL', 'Status', 'Latency', 'Difference'].map((c) => h('span', {}, c)));
    return h('div', {}, h('div', { class: 'toolbar' }, outcomeSel, text, this.listCount), head, this.list.element, this.details);
  }

  private applyFilter(source?: ResultRow[]): void {
    const all = source ?? this.rows;
    const t = this.filterText;
    const f: ResultRow[] = [];
    for (const r of all) {
      if (this.filterOutcome === 'failed' && r.outcome !== 'fail' && r.outcome !== 'error') continue;
      if (t && !(r.endpoint.toLowerCase().includes(t) || r.url.toLowerCase().includes(t) || (r.firstDiff ?? '').toLowerCase().includes(t) || r.session.toLowerCase().includes(t) || r.pairId.toLowerCase().includes(t))) continue;
      f.push(r);
    }
    this.filtered = f;
    this.list.setItems(f);
    const total = this.init?.summary.metrics.total ?? 0;
    const loading = source ? ' (loading results…)' : this.done ? '' : ` (loading: ${this.rows.length} of ${total} read)`;
    this.listCount.textContent = `${f.length} shown${loading}`;
  }

  private renderRow(r: ResultRow): HTMLElement {
    const status =
      r.expectedStatus !== undefined || r.actualStatus !== undefined
        ? r.expectedStatus === r.actualStatus
          ? String(r.actualStatus)
          : `${r.expectedStatus ?? '—'} → ${r.actualStatus ?? '—'}`
        : '—';
    const row = h(
      'div',
      {
        class: `rrow${r.i === this.selected ? ' selected' : ''}`,
        role: 'row',
        data: { pair: r.pairId, outcome: r.outcome },
        title: r.message ?? '',
        on: { click: () => this.select(r) },
      },
      h('span', { class: r.outcome }, r.outcome),
      h('span', { class: 'mono' }, r.method),
      h('span', { class: 'mono' }, cut(r.url, 400)),
      h('span', { class: r.expectedStatus !== r.actualStatus ? 'fail' : '' }, status),
      h('span', {}, fmtMs(r.latencyMs)),
      h('span', { class: 'mono' }, cut(r.message ?? r.firstDiff ?? '', 400)),
    );
    return row;
  }

  private select(r: ResultRow): void {
    this.selected = r.i;
    this.list.refresh();
    if (this.actions && (r.outcome === 'fail' || r.outcome === 'error' || r.outcome === 'pass')) {
      this.actions.openDiff(r);
      return;
    }
    clear(this.details);
    this.details.appendChild(
      h(
        'div',
        {},
        h('h2', {}, `${r.method} ${cut(r.url, 300)}`),
        h('div', { class: 'muted' }, `pair ${r.pairId} · session ${r.session} #${r.seq} · ${r.endpoint}`),
        r.message ? h('div', { class: 'pre' }, cut(r.message, 2000)) : null,
        r.diffs?.length
          ? h(
              'table',
              { class: 'grid' },
              h('thead', {}, h('tr', {}, ['Path', 'Kind', 'Expected', 'Actual'].map((c) => h('th', {}, c)))),
              h('tbody', {}, r.diffs.map((d) => h('tr', {}, h('td', { class: 'mono' }, d.path), h('td', {}, d.kind), h('td', { class: 'mono' }, cut(showValue(d.expected), 500)), h('td', { class: 'mono' }, cut(showValue(d.actual), 500))))),
            )
          : null,
      ),
    );
  }

  /** For tests and the e2e: how many result rows are rendered right now (virtualisation check). */
  renderedRows(): number {
    return this.list.element.querySelectorAll('.rrow').length;
  }

  get visibleCount(): number {
    return this.filtered.length;
  }
}
