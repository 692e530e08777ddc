/** The run report panel: summary first, then every result as a row, streamed in chunks. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RepriseWebview } from './panel.js';
import type { WebviewServices } from './services.js';
import { reportInit, reportRows, openDiff, openUnmatched, rerunFailed } from '../../shared/protocols/report.js';
import type { ResultRow } from '../../shared/view-types.js';

const FIRST_CHUNK = 300;
const CHUNK = 5000;

export class ReportPanel extends RepriseWebview {
  static readonly viewType = 'reprise.report';
  /** Milliseconds from open() to the summary being posted, and to the last row being posted. */
  readonly timings: { initPosted?: number; rowsPosted?: number } = {};
  private readonly started = performance.now();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly svc: WebviewServices,
    readonly runDir: string,
  ) {
    super(ReportPanel.viewType, `Report ${path.basename(runDir)}`, 'report', svc.extensionUri, svc.log);
    this.endpoint.onCommand(openDiff, ({ pairId }) => {
      void vscode.commands.executeCommand('reprise.openDiff', { runDir: this.runDir, pairId });
    });
    this.endpoint.onCommand(openUnmatched, () => {
      void vscode.commands.executeCommand('reprise.openUnmatched', this.runDir);
    });
    this.endpoint.onRequest(rerunFailed, async () => {
      const { failed } = await this.svc.steps(this.runDir, this.abort.signal);
      if (!failed.size) return { runId: path.basename(this.runDir), verdict: 'pass', message: 'This run has no failed requests.' };
      const outcome = await this.svc.rerun(this.runDir, failed, `Rerunning ${failed.size} failed request(s) of ${path.basename(this.runDir)}`);
      if (!outcome) return { runId: '', verdict: 'none', message: 'The rerun did not start (see the Reprise log).' };
      void vscode.commands.executeCommand('reprise.openReport', outcome.runDir);
      return { runId: outcome.runId, verdict: outcome.summary.verdict, message: `Rerun ${outcome.runId}: ${outcome.summary.verdict.toUpperCase()} (${outcome.summary.metrics.passed}/${outcome.summary.metrics.sent} passed); its report is open.` };
    });
    this.loaded = this.load();
  }

  /** Resolves when every row has been posted (or the panel closed). */
  whenLoaded(): Promise<void> {
    return this.loaded ?? Promise.resolve();
  }

  private async load(): Promise<void> {
    const report = this.svc.engine.report;
    try {
      const init = await report.readReportInit(this.runDir, 'vscode');
      this.panel.title = `Report ${init.summary.runId} — ${init.summary.verdict.toUpperCase()}`;
      this.notify(reportInit, init);
      this.timings.initPosted = performance.now() - this.started;
      let chunk: ResultRow[] = [];
      let limit = FIRST_CHUNK;
      let i = 0;
      const issues: string[] = [];
      for await (const r of report.readResults(this.runDir, { signal: this.abort.signal, onIssue: (x) => issues.length < 20 && issues.push(`${x.file}:${x.line}: ${x.message}`) })) {
        chunk.push(report.resultRow(r, i++));
        if (chunk.length >= limit) {
          this.notify(reportRows, { rows: chunk, done: false });
          chunk = [];
          limit = CHUNK;
        }
      }
      this.notify(reportRows, { rows: chunk, done: true, issues: issues.length ? issues : undefined });
      this.timings.rowsPosted = performance.now() - this.started;
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.log.error(`report ${this.runDir}: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Reprise: cannot open the report of ${path.basename(this.runDir)}: ${(e as Error).message}`);
    }
  }
}
