/** What the panels share: engine access, the workspace config, reruns, run folder lookups. */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { EngineHost } from '../engine-host.js';
import type { RepriseConfig } from '../../engine/config/types.js';
import type { RequestResult } from '../../shared/results.js';
import type { RunOutcome } from '../../engine/run/index.js';
import { sessionPrefixIds, type SessionStep } from './rerun-scope.js';

export interface WebviewDeps {
  host: EngineHost;
  log: vscode.LogOutputChannel;
  /** The workspace's reprise.yaml and runs folder (a light read). */
  getConfig: () => Promise<{ file: string; runsDir: string } | undefined>;
  /**
   * Runs a replay the way the rest of the extension does (progress, status bar, Runs view refresh):
   * the commands' ReplayRunner.run. Without it the panels call the engine's runReplay under a progress
   * notification themselves.
   */
  replay?: (opts: { title?: string; onlyPairIds?: Set<string> }) => Promise<{ outcome: RunOutcome } | undefined>;
}

export class WebviewServices {
  constructor(
    readonly deps: WebviewDeps,
    readonly extensionUri: vscode.Uri,
  ) {}

  get engine() {
    return this.deps.host.engine();
  }

  get log(): vscode.LogOutputChannel {
    return this.deps.log;
  }

  async configFile(): Promise<string> {
    const c = await this.deps.getConfig();
    if (!c) throw new Error('no reprise.yaml in this workspace');
    return c.file;
  }

  async runsDir(): Promise<string | undefined> {
    return (await this.deps.getConfig())?.runsDir;
  }

  /** reprise.yaml fully loaded and validated (throws listing the problems). */
  async config(): Promise<RepriseConfig> {
    return this.deps.host.loadConfig(await this.configFile());
  }

  /** The config file a run was made with (run.json's configPath), else the workspace's reprise.yaml. */
  async configFileOf(runDir: string): Promise<string> {
    const summary = await this.engine.report.readRun(runDir).catch(() => undefined);
    if (summary?.configPath && existsSync(summary.configPath)) return summary.configPath;
    return this.configFile();
  }

  /** The config of a run (see configFileOf), loaded and validated. */
  async configOf(runDir: string): Promise<RepriseConfig> {
    return this.deps.host.loadConfig(await this.configFileOf(runDir));
  }

  /** Resolve a run reference (run folder, run.json path, run id in the runs folder, "latest"). */
  async runDir(ref: string): Promise<string> {
    if (path.isAbsolute(ref)) {
      if (existsSync(path.join(ref, 'run.json'))) return ref;
      if (path.basename(ref) === 'run.json' && existsSync(ref)) return path.dirname(ref);
    }
    const runsDir = await this.runsDir();
    if (!runsDir) throw new Error(`run '${ref}' not found (no reprise.yaml, so no runs folder)`);
    return this.engine.report.runDirOf(runsDir, ref);
  }

  /** The first result of `pairId` in a run (and its position). */
  async findResult(runDir: string, pairId: string, signal?: AbortSignal): Promise<RequestResult | undefined> {
    for await (const r of this.engine.report.readResults(runDir, { signal })) if (r.pairId === pairId) return r;
    return undefined;
  }

  /** Session/seq of every result of a run (small: for rerun scopes). */
  async steps(runDir: string, signal?: AbortSignal): Promise<{ steps: SessionStep[]; failed: Set<string> }> {
    const steps: SessionStep[] = [];
    const failed = new Set<string>();
    for await (const r of this.engine.report.readResults(runDir, { signal })) {
      steps.push({ pairId: r.pairId, session: r.session, seq: r.seq });
      if (r.outcome === 'fail' || r.outcome === 'error') failed.add(r.pairId);
    }
    return { steps, failed };
  }

  /** Replay `targets` of a run again with the earlier steps of their sessions. */
  async rerun(runDir: string, targets: Set<string>, title: string): Promise<RunOutcome | undefined> {
    const { steps } = await this.steps(runDir);
    const ids = sessionPrefixIds(steps, targets);
    this.log.info(`${title}: replaying ${ids.size} request(s) (${targets.size} asked for, plus the earlier steps of their sessions)`);
    return this.replay({ title, onlyPairIds: ids, runDir });
  }

  /**
   * Replay with the config the run was made with: through the extension's replay runner when that is the
   * workspace's reprise.yaml, else with the engine directly (a run of another project folder).
   */
  async replay(opts: { title: string; onlyPairIds?: Set<string>; runDir?: string }): Promise<RunOutcome | undefined> {
    const file = opts.runDir ? await this.configFileOf(opts.runDir) : await this.configFile();
    const workspaceFile = (await this.deps.getConfig())?.file;
    if (this.deps.replay && workspaceFile && path.resolve(file) === path.resolve(workspaceFile)) {
      return (await this.deps.replay({ title: opts.title, onlyPairIds: opts.onlyPairIds }))?.outcome;
    }
    if (!vscode.workspace.isTrusted) throw new Error('Reprise does not replay in Restricted Mode: trust the workspace first');
    const config = await this.deps.host.loadConfig(file);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reprise: ${opts.title}`, cancellable: true },
      async (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort('cancelled'));
        return this.engine.runReplay({ config, ctx: this.deps.host.context(), signal: ac.signal, onlyPairIds: opts.onlyPairIds });
      },
    );
  }
}
