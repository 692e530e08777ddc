/** The status bar item: the last run's verdict and pass rate (or live progress); a click opens its report. */
import * as vscode from 'vscode';
import type { RunSummary } from '../shared/results.js';
import { passRate, pct } from './views/runs-tree.js';

const ICONS: Record<string, string> = { pass: '$(pass)', fail: '$(error)', error: '$(bug)', aborted: '$(circle-slash)', running: '$(loading~spin)' };

export class RepriseStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('reprise.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Reprise';
  }

  /** A replay is under way. */
  running(done: number, total: number, passed: number, failed: number): void {
    const rate = done > 0 ? ` ${pct(passed / done)}` : '';
    this.item.text = `$(loading~spin) Reprise ${done}/${total || '?'}${rate}`;
    this.item.tooltip = `Replaying: ${done} of ${total || '?'} done, ${passed} passed, ${failed} failed — click to stop`;
    this.item.command = 'reprise.stop';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  /** The last run finished: its verdict; a click opens its report. */
  finished(summary: RunSummary, runDir: string): void {
    this.item.text = `${ICONS[summary.verdict] ?? ''} Reprise ${summary.verdict} ${pct(passRate(summary))}`;
    this.item.tooltip = `Last replay ${summary.runId}: ${summary.verdict}, ${summary.metrics.passed}/${summary.metrics.sent} passed — click to open the report`;
    this.item.command = { command: 'reprise.showRunReport', title: 'Open Report', arguments: [runDir] };
    this.item.backgroundColor = summary.verdict === 'pass' ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
  }

  message(text: string, tooltip?: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = 'reprise.showLog';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
