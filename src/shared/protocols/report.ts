/** Messages of the run report panel (webview-ui/src/report). Parameter schemas: schemas.ts. */
import { command, notification, request } from '../ipc.js';
import type { ReportInit, ReportRows } from '../view-types.js';

/** host → webview: the run's summary (first paint needs only this). */
export const reportInit = notification<ReportInit>('report/init');
/** host → webview: result rows in file order, streamed in chunks. */
export const reportRows = notification<ReportRows>('report/rows');

/** webview → host: open the response diff of one request. */
export const openDiff = command<{ pairId: string }>('report/openDiff');
/** webview → host: open the unmatched mock calls of this run. */
export const openUnmatched = command<Record<string, never>>('report/openUnmatched');
/** webview → host: replay the failed requests again (with the session steps before them). */
export const rerunFailed = request<Record<string, never>, { runId: string; verdict: string; message: string }>('report/rerunFailed');
