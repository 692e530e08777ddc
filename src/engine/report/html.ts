/**
 * The run report as data for the report screen, and as one self-contained HTML file
 * (`reprise report <run> --html out.html`): the same renderer the VS Code panel runs (dist/webview/report.js)
 * inlined with its CSS and the run's data: the summary before the script, the result rows after it (so the
 * summary is drawn before a big run's rows are even parsed). Data goes in `<script type="application/json">` with every
 * `<` written as `\u003c`, so no captured text can close the element; a CSP meta tag allows only the inline
 * script and style carrying the page's nonce.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RequestResult } from '../replay/types.js';
import type { RunSummary } from './types.js';
import type { ReportInit, ResultRow } from '../../shared/view-types.js';
import { readRun, readResults, RUN_FILE, UNMATCHED_FILE } from './run-folder.js';
import { failureMessage, firstDiffPath } from './describe.js';
import { jsonLines } from './lines.js';
import { shortValue } from './diff.js';

/** Failing field differences kept per row of the static report. */
const ROW_DIFFS = 5;

/** A result as a row of the report's list (no bodies; a few failing differences with shortened values). */
export function resultRow(r: RequestResult, i: number, opts: { diffs?: boolean } = {}): ResultRow {
  const row: ResultRow = {
    i,
    pairId: r.pairId,
    session: r.session,
    seq: r.seq,
    method: r.method,
    url: r.url,
    endpoint: r.endpoint,
    outcome: r.outcome,
  };
  if (r.expectedStatus !== undefined) row.expectedStatus = r.expectedStatus;
  if (r.actualStatus !== undefined) row.actualStatus = r.actualStatus;
  if (r.latencyMs !== undefined) row.latencyMs = Math.round(r.latencyMs * 10) / 10;
  if (r.outcome === 'fail' || r.outcome === 'error') {
    const first = firstDiffPath(r);
    if (first) row.firstDiff = first;
    const msg = failureMessage(r);
    if (msg) row.message = msg;
    if (opts.diffs && r.validation?.diffs.length) {
      row.diffs = r.validation.diffs
        .filter((d) => !d.ignored)
        .slice(0, ROW_DIFFS)
        .map((d) => ({ ...d, expected: shortValue(d.expected, 120), actual: shortValue(d.actual, 120) }));
    }
  } else if (r.note) {
    row.message = r.note;
  }
  return row;
}

/** The baseline run's summary, when the run names one that is still readable. */
export async function readBaselineSummary(summary: RunSummary): Promise<RunSummary | null> {
  if (!summary.baseline?.path) return null;
  try {
    return await readRun(summary.baseline.path);
  } catch {
    return null;
  }
}

/** Number of lines in unmatched.jsonl (0 when absent). */
export async function countUnmatched(runDir: string, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const l of jsonLines(path.join(runDir, UNMATCHED_FILE), signal)) if (l.value) n++;
  return n;
}

/** What the report screen starts from, read from a run folder. */
export async function readReportInit(runDir: string, mode: ReportInit['mode']): Promise<ReportInit> {
  const summary = await readRun(runDir);
  const [baseline, unmatchedCount] = await Promise.all([readBaselineSummary(summary), countUnmatched(runDir)]);
  return { summary, baseline, mode, unmatchedCount };
}

export interface ReportData {
  init: ReportInit;
  rows: ResultRow[];
}

/** The whole report's data (every result as a row): what the HTML file embeds. */
export async function readReportData(runDir: string, opts: { signal?: AbortSignal; onIssue?: (m: string) => void } = {}): Promise<ReportData> {
  const init = await readReportInit(runDir, 'static');
  const rows: ResultRow[] = [];
  let i = 0;
  for await (const r of readResults(runDir, { signal: opts.signal, onIssue: (x) => opts.onIssue?.(`${x.file}:${x.line}: ${x.message}`) })) {
    rows.push(resultRow(r, i++, { diffs: true }));
  }
  return { init, rows };
}

/** JSON safe inside a <script> element: `<` becomes `\u003c` (and the JS line separators are escaped). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface ReportAssets {
  /** dist/webview/report.js */
  js: string;
  /** dist/webview/report.css */
  css: string;
}

/** Read the report screen's bundle from a folder (dist/webview). */
export async function readReportAssets(dir: string): Promise<ReportAssets> {
  const read = async (f: string) => {
    try {
      return await fsp.readFile(path.join(dir, f), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path.join(dir, f)} missing: build the webviews first (npm run build)`);
      throw e;
    }
  };
  const [js, css] = await Promise.all([read('report.js'), read('report.css')]);
  return { js, css };
}

/** One self-contained HTML document showing the report. */
export function renderReportHtml(data: ReportData, assets: ReportAssets, opts: { nonce?: string } = {}): string {
  const nonce = opts.nonce ?? randomBytes(16).toString('base64');
  const js = assets.js.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  const css = assets.css.replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '').replace(/<\/(style)/gi, '<\\/$1');
  const s = data.init.summary;
  const title = `Reprise report ${s.runId} — ${s.verdict.toUpperCase()}`;
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; font-src data:`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reprise">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${css}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="reprise-init">${scriptSafeJson(data.init)}</script>
<script nonce="${nonce}">${js}</script>
<script type="application/json" id="reprise-rows">${scriptSafeJson(data.rows)}</script>
</body>
</html>
`;
}

/** Write the report of a run folder as one HTML file; returns the bytes written. */
export async function writeReportHtml(runDir: string, outFile: string, opts: { assetsDir: string; signal?: AbortSignal; onIssue?: (m: string) => void }): Promise<{ bytes: number; rows: number }> {
  await fsp.access(path.join(runDir, RUN_FILE));
  const [data, assets] = await Promise.all([readReportData(runDir, opts), readReportAssets(opts.assetsDir)]);
  const html = renderReportHtml(data, assets);
  await fsp.mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
  await fsp.writeFile(outFile, html, 'utf8');
  return { bytes: Buffer.byteLength(html), rows: data.rows.length };
}
