/**
 * Entry of the report screen. In VS Code the data arrives through the channel (report/init, then
 * report/rows in chunks); in a standalone HTML report it is embedded in
 * `<script type="application/json">` elements (reprise-init, reprise-rows) and there are no actions.
 */
import './report.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { connect } from '../common/channel.js';
import { answerProbes } from '../common/probe.js';
import { ReportView } from './render.js';
import { reportInit, reportRows, openDiff, openUnmatched, rerunFailed } from '../../../src/shared/protocols/report.js';
import type { ReportInit, ResultRow } from '../../../src/shared/view-types.js';

declare global {
  interface Window {
    /** Hooks for tests and benchmarks: the view and when (performance.now(), after the frame) things were painted. */
    __reprise?: { view: ReportView; firstPaintAt?: number; firstRowsAt?: number; allRowsAt?: number };
  }
}

/** Call `fn` with the time of the next frame after the current DOM changes (≈ when they are on screen). */
function afterPaint(fn: (t: number) => void): void {
  requestAnimationFrame(() => setTimeout(() => fn(performance.now()), 0));
}

const root = document.getElementById('app') ?? document.body;
const embeddedInit = document.getElementById('reprise-init');

if (embeddedInit) {
  // Standalone HTML report: the summary is embedded before this script and the rows after it, so the
  // summary is on screen before the browser has even parsed the rows.
  const init = JSON.parse(embeddedInit.textContent ?? '{}') as ReportInit;
  const view = new ReportView(root, null);
  const hooks: NonNullable<Window['__reprise']> = (window.__reprise = { view });
  view.show({ ...init, mode: 'static' });
  afterPaint((t) => (hooks.firstPaintAt = t));
  const loadRows = () => {
    const el = document.getElementById('reprise-rows');
    const rows = JSON.parse(el?.textContent ?? '[]') as ResultRow[];
    view.addRows(rows, true);
    afterPaint((t) => (hooks.firstRowsAt = hooks.allRowsAt = t));
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => setTimeout(loadRows, 0));
  else setTimeout(loadRows, 0);
} else {
  const ch = connect();
  const view = new ReportView(root, {
    openDiff: (row) => ch.client.command(openDiff, { pairId: row.pairId }),
    openUnmatched: () => ch.client.command(openUnmatched, {}),
    rerunFailed: async () => (await ch.client.request(rerunFailed, {})).message,
  });
  const hooks: NonNullable<Window['__reprise']> = (window.__reprise = { view });
  ch.client.onNotification(reportInit, (init) => {
    view.show(init);
    if (hooks.firstPaintAt === undefined) afterPaint((t) => (hooks.firstPaintAt ??= t));
  });
  ch.client.onNotification(reportRows, (chunk) => {
    view.addRows(chunk.rows, chunk.done);
    if (hooks.firstRowsAt === undefined && chunk.rows.length) afterPaint((t) => (hooks.firstRowsAt ??= t));
    if (chunk.done) afterPaint((t) => (hooks.allRowsAt = t));
  });
  answerProbes(ch.client, () => hooks.firstPaintAt);
  ch.client.ready();
}
