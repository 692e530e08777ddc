/**
 * Runs one replay at a time from the editor: loads reprise.yaml through the engine, runs it under
 * withProgress (cancellable, showing requests done and the pass rate so far), keeps the status bar and the
 * Runs view in step, and can stop at the first failing request. Every replay command goes through here.
 */
import * as vscode from 'vscode';
import type { RepriseConfig } from '../../engine/config/types.js';
import type { MockManager } from '../../engine/mocks/index.js';
import type { RequestResult } from '../../shared/results.js';
import type { RunOutcome, SessionPlan } from '../../engine/run/index.js';
import { ConfigError, type EngineHost } from '../engine-host.js';
import type { RepriseStatusBar } from '../status-bar.js';
import { findConfigFile } from '../workspace-config.js';
import { requireTrust } from './trust.js';
import { pct } from '../views/runs-tree.js';

export interface ReplayOptions {
  /** Shown in the progress notification. */
  title?: string;
  /** Only replay these pair ids (a session, a request, the failed ones). */
  onlyPairIds?: Set<string>;
  /** Change the loaded config before the run (debug target, mocks already handled, …). */
  adjust?: (config: RepriseConfig) => RepriseConfig;
  /** Abort at the first failing request (its result is returned as `firstMismatch`). */
  stopAtFirstMismatch?: boolean;
  /** Each result as it is written. */
  onResult?: (r: RequestResult) => void;
  /** Cancels the run too (a test run's token). */
  token?: vscode.CancellationToken;
  /** Mocks already running (the debug flow's): the run uses them and leaves them running. */
  mocks?: MockManager;
}

export interface ReplayDone {
  outcome: RunOutcome;
  config: RepriseConfig;
  /** With stopAtFirstMismatch: the failing result the run stopped at. */
  firstMismatch?: RequestResult;
}

export class ReplayRunner implements vscode.Disposable {
  private current: AbortController | undefined;
  private readonly finished = new vscode.EventEmitter<ReplayDone>();
  /** Fires after every replay that produced a run folder. */
  readonly onDidFinish = this.finished.event;
  private last: ReplayDone | undefined;

  constructor(
    private readonly host: EngineHost,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: RepriseStatusBar,
    private readonly onRunsChanged: () => void,
  ) {}

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** The last replay started from this window, if any. */
  get lastRun(): ReplayDone | undefined {
    return this.last;
  }

  /** Stops the running replay (the run folder is finished as aborted). */
  stop(reason = 'cancelled'): boolean {
    if (!this.current) return false;
    this.log.info(`stopping the replay (${reason})`);
    this.current.abort(reason);
    return true;
  }

  /** How a run of this config keeps sessions apart: mocks handed to a run are started with it. */
  sessionPlan(config: RepriseConfig): SessionPlan {
    return this.host.engine().sessionPlan(config);
  }

  /** Loads and validates reprise.yaml; shows the problems and returns undefined when it has errors. */
  async loadConfig(): Promise<RepriseConfig | undefined> {
    const file = await findConfigFile();
    if (!file) {
      void vscode.window.showErrorMessage('Reprise: no reprise.yaml in this workspace.', 'Create reprise.yaml').then((a) => {
        if (a) void vscode.commands.executeCommand('reprise.scaffoldConfig');
      });
      return undefined;
    }
    try {
      return await this.host.loadConfig(file);
    } catch (e) {
      if (e instanceof ConfigError) {
        for (const i of e.issues) this.log.error(i);
        void vscode.window.showErrorMessage(`Reprise: ${e.issues[0]}${e.issues.length > 1 ? ` (and ${e.issues.length - 1} more; see the log)` : ''}`, 'Open reprise.yaml').then((a) => {
          if (a) void vscode.window.showTextDocument(vscode.Uri.file(file));
        });
        return undefined;
      }
      throw e;
    }
  }

  /** Runs a replay. Undefined when it did not start (untrusted, bad config, another one running). */
  async run(opts: ReplayOptions = {}): Promise<ReplayDone | undefined> {
    if (!requireTrust('Replaying traffic')) return undefined;
    if (this.current) {
      void vscode.window.showWarningMessage('Reprise: a replay is already running. Stop it first (Reprise: Stop).');
      return undefined;
    }
    const ac = new AbortController();
    this.current = ac;
    void vscode.commands.executeCommand('setContext', 'reprise.running', true);
    try {
      const loaded = await this.loadConfig();
      if (!loaded) return undefined;
      const config = opts.adjust ? opts.adjust(loaded) : loaded;
      const engine = this.host.engine();
      const ctx = this.host.context();
      let firstMismatch: RequestResult | undefined;
      const title = opts.title ?? `Replaying against ${config.target}`;
      this.log.info(`${title}${opts.onlyPairIds ? ` (${opts.onlyPairIds.size} selected request${opts.onlyPairIds.size === 1 ? '' : 's'})` : ''}`);
      this.status.running(0, 0, 0, 0);
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Reprise: ${title}`, cancellable: true },
        async (progress, token) => {
          const subs = [token.onCancellationRequested(() => ac.abort('cancelled'))];
          if (opts.token) subs.push(opts.token.onCancellationRequested(() => ac.abort('cancelled')));
          let lastPct = 0;
          ctx.events.on('request:done', (p) => {
            const f = p.total > 0 ? (p.done / p.total) * 100 : 0;
            const message = `${p.done}/${p.total || '?'} requests · ${pct(p.done ? p.passed / p.done : undefined)} passed · ${p.failed} failed`;
            progress.report({ message, increment: f > lastPct ? f - lastPct : undefined });
            lastPct = Math.max(lastPct, f);
            this.status.running(p.done, p.total, p.passed, p.failed);
          });
          ctx.events.on('run:start', () => this.onRunsChanged());
          try {
            return await engine.runReplay({
              config,
              ctx,
              signal: ac.signal,
              onlyPairIds: opts.onlyPairIds,
              mocks: opts.mocks,
              onResult: (r) => {
                opts.onResult?.(r);
                if (opts.stopAtFirstMismatch && !firstMismatch && (r.outcome === 'fail' || r.outcome === 'error')) {
                  firstMismatch = r;
                  ac.abort('stopped at first mismatch');
                }
              },
            });
          } finally {
            for (const s of subs) s.dispose();
          }
        },
      );
      const s = outcome.summary;
      this.log.info(`run ${s.runId}: ${s.verdict} — ${s.metrics.passed}/${s.metrics.sent} passed, ${s.metrics.failed} failed, ${s.metrics.errors} errors (${outcome.runDir})`);
      for (const g of s.gates) this.log.info(`  ${g.pass ? '✓' : '✗'} ${g.name} ${g.measured ?? '–'} ${g.expression}${g.note ? ` (${g.note})` : ''}`);
      this.status.finished(s, outcome.runDir);
      const done: ReplayDone = { outcome, config, firstMismatch };
      this.last = done;
      this.onRunsChanged();
      this.finished.fire(done);
      void vscode.window
        .showInformationMessage(`Reprise: ${s.verdict} — ${s.metrics.passed}/${s.metrics.sent} passed${s.abortReason ? ` (${s.abortReason})` : ''}`, 'Open Report')
        .then((a) => {
          if (a) void vscode.commands.executeCommand('reprise.showRunReport', outcome.runDir);
        });
      return done;
    } catch (e) {
      const msg = (e as Error).message;
      this.log.error(`replay failed: ${(e as Error).stack ?? msg}`);
      this.status.message('$(bug) Reprise error', msg);
      this.onRunsChanged();
      void vscode.window.showErrorMessage(`Reprise: replay failed: ${msg}`);
      return undefined;
    } finally {
      this.current = undefined;
      void vscode.commands.executeCommand('setContext', 'reprise.running', false);
    }
  }

  dispose(): void {
    this.current?.abort('window closed');
    this.finished.dispose();
  }
}
