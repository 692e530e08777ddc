/**
 * The Reprise commands (category "Reprise") and the pieces behind them: the replay runner, mocks and
 * recording, the debug flow, the Testing API controller, read-only documents and the status bar.
 * extension.ts calls registerCommands once; everything it creates is disposed with the extension.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RequestResult } from '../../shared/results.js';
import type { EngineHost } from '../engine-host.js';
import { RepriseStatusBar } from '../status-bar.js';
import { DebugTarget, type DebugReplayOptions } from '../debug/debug-target.js';
import { RepriseTests } from '../testing/controller.js';
import { DOC_SCHEME, RepriseDocuments } from '../views/pair-document.js';
import type { RequestItem, GroupItem, MoreItem, SourceItem, TrafficTreeProvider } from '../views/traffic-tree.js';
import type { FailedItem, RunItem, RunsTreeProvider, UnmatchedItem } from '../views/runs-tree.js';
import type { WorkspaceConfig } from '../workspace-config.js';
import { BackgroundServices } from './background.js';
import { openNativeDiff, openResultDiff } from './diff.js';
import { ReplayRunner, type ReplayDone } from './replay-runner.js';
import { importTraffic, scaffoldConfig } from './workspace-setup.js';
import { refusals } from './trust.js';

export interface CommandDeps {
  host: EngineHost;
  log: vscode.LogOutputChannel;
  traffic: TrafficTreeProvider;
  runs: RunsTreeProvider;
  getConfig: () => Promise<WorkspaceConfig | undefined>;
}

/** What registerCommands creates (exposed through the extension API for tests). */
export interface CommandServices {
  runner: ReplayRunner;
  background: BackgroundServices;
  debug: DebugTarget;
  tests: RepriseTests;
  docs: RepriseDocuments;
  status: RepriseStatusBar;
  /** Explanations shown for actions refused in Restricted Mode (see trust.ts). */
  refusals: readonly string[];
}

type RunRef = RunItem | { dir: string } | string | undefined;

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): CommandServices {
  const { host, log, traffic, runs, getConfig } = deps;
  const status = new RepriseStatusBar();
  const runner = new ReplayRunner(host, log, status, () => runs.refresh());
  const background = new BackgroundServices(host, runner, log, status);
  const docs = new RepriseDocuments(host);
  const tests = new RepriseTests(host, runner, getConfig, log);

  /** A run folder from a tree item, a path, or (undefined) the newest run. */
  const runDirOf = async (ref: RunRef): Promise<string | undefined> => {
    if (typeof ref === 'string') return ref;
    if (ref && 'dir' in ref) return ref.dir;
    const runsDir = await runs.runsDir();
    if (!runsDir) return undefined;
    const [newest] = await host.engine().report.listRuns(runsDir);
    return newest ? path.join(runsDir, newest.runId) : undefined;
  };

  const openMismatch = async (done: ReplayDone) => {
    const r = done.firstMismatch!;
    void vscode.window.showWarningMessage(`Reprise: stopped at the first mismatch: ${r.method} ${r.url} — ${host.engine().report.failureMessage(r)}`);
    await openResultDiff(host, docs, done.outcome.runDir, done.config.traffic, r);
  };
  const debug = new DebugTarget(runner, background, getConfig, log, openMismatch);

  const failedIdsOf = async (runDir: string): Promise<Set<string>> => {
    const ids = new Set<string>();
    for await (const r of host.engine().report.readResults(runDir, { filter: 'failed' })) ids.add(r.pairId);
    return ids;
  };

  /** A pair id from a Runs-view failed request, a test item, `{pairId}` (report webview) or a string. */
  const pairIdOf = (arg: unknown): string | undefined => {
    if (typeof arg === 'string') return arg;
    if (arg && typeof arg === 'object') {
      const o = arg as { kind?: string; result?: RequestResult; pairId?: unknown; id?: unknown; pair?: { id: string } };
      if (o.kind === 'failed' && o.result) return o.result.pairId;
      if (o.kind === 'request' && o.pair) return o.pair.id;
      if (typeof o.pairId === 'string') return o.pairId;
      if (typeof o.id === 'string' && o.id.startsWith('pair:')) return o.id.slice(5);
    }
    return undefined;
  };

  const reg = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);

  context.subscriptions.push(
    status,
    runner,
    background,
    docs,
    tests,
    debug,
    vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, docs),

    reg('reprise.runReplay', () => runner.run()),
    reg('reprise.runReplayDebug', (opts?: DebugReplayOptions) => debug.run(opts ?? {})),
    reg('reprise.runReplayDebugStopAtMismatch', (opts?: DebugReplayOptions) => debug.run({ ...(opts ?? {}), stopAtFirstMismatch: true })),
    reg('reprise.stop', () => background.stopAll()),
    reg('reprise.rerun', () => runner.run({ title: 'Rerunning' })),
    reg('reprise.rerunFailed', async (ref?: RunRef) => {
      const dir = ref === undefined && runner.lastRun ? runner.lastRun.outcome.runDir : await runDirOf(ref);
      if (!dir) {
        void vscode.window.showInformationMessage('Reprise: no run to rerun yet.');
        return undefined;
      }
      const ids = await failedIdsOf(dir);
      if (!ids.size) {
        void vscode.window.showInformationMessage(`Reprise: run ${path.basename(dir)} has no failed requests.`);
        return undefined;
      }
      return runner.run({ title: `Rerunning ${ids.size} failed request${ids.size === 1 ? '' : 's'} of ${path.basename(dir)}`, onlyPairIds: ids });
    }),
    reg('reprise.showRunReport', async (ref?: RunRef) => {
      const dir = await runDirOf(ref);
      if (!dir) {
        void vscode.window.showInformationMessage('Reprise: no runs yet.');
        return;
      }
      if ((await vscode.commands.getCommands(true)).includes('reprise.openReport')) {
        await vscode.commands.executeCommand('reprise.openReport', dir);
        return;
      }
      // Without the report webview: the run summary as text.
      const summary = await host.engine().report.readRun(dir);
      const text = host.engine().report.formatSummary(summary, { color: false });
      await vscode.window.showTextDocument(docs.textUri(`${summary.runId}.txt`, text), { preview: true });
    }),
    reg('reprise.setBaseline', async (ref?: RunRef) => {
      const runsDir = await runs.runsDir();
      if (!runsDir) return;
      let dir = typeof ref === 'object' || typeof ref === 'string' ? await runDirOf(ref) : undefined;
      if (!dir) {
        const all = await host.engine().report.listRuns(runsDir);
        const pick = await vscode.window.showQuickPick(all.map((s) => ({ label: s.runId, description: `${s.verdict} · ${s.metrics.passed}/${s.metrics.sent} passed` })), { title: 'Reprise: Set Baseline' });
        if (!pick) return;
        dir = path.join(runsDir, pick.label);
      }
      await host.engine().report.setBaseline(path.dirname(dir), path.basename(dir));
      log.info(`baseline set to ${path.basename(dir)}`);
      runs.refresh();
      void vscode.window.showInformationMessage(`Reprise: ${path.basename(dir)} is the baseline.`);
      return path.basename(dir);
    }),
    reg('reprise.deleteRun', async (ref?: RunRef, opts?: { confirmed?: boolean }) => {
      const dir = await runDirOf(ref);
      if (!dir) return false;
      if (!opts?.confirmed) {
        const ok = await vscode.window.showWarningMessage(`Delete run ${path.basename(dir)}?`, { modal: true, detail: dir }, 'Delete');
        if (ok !== 'Delete') return false;
      }
      // Only a run folder (it has run.json) inside the runs folder is removed.
      await fs.access(path.join(dir, 'run.json'));
      await fs.rm(dir, { recursive: true, force: true });
      log.info(`deleted run ${dir}`);
      runs.refresh();
      return true;
    }),
    reg('reprise.startMocks', () => background.startMocks()),
    reg('reprise.record', (opts?: { out?: string }) => background.startRecording(opts ?? {})),
    reg('reprise.import', (files?: string[], outDir?: string) => importTraffic(host, log, files, outDir)),
    reg('reprise.scaffoldConfig', (opts?: { pick?: string }) => scaffoldConfig(host, opts)),

    // Traffic view
    reg('reprise.traffic.groupByEndpoint', () => traffic.setGrouping('endpoint')),
    reg('reprise.traffic.groupBySession', () => traffic.setGrouping('session')),
    reg('reprise.traffic.loadMore', (more: MoreItem) => traffic.loadMore(more)),
    reg('reprise.replaySession', async (node: GroupItem | SourceItem) => {
      const ids = new Set(await traffic.pairIds(node));
      return runner.run({ title: `Replaying ${node.kind === 'group' ? `${node.grouping} ${node.key}` : node.entry.path} (${ids.size} requests)`, onlyPairIds: ids });
    }),
    reg('reprise.replayRequest', (node: RequestItem) =>
      runner.run({ title: `Replaying ${node.pair.method} ${node.pair.url}`, onlyPairIds: new Set([node.pair.id]) }),
    ),
    reg('reprise.openPair', async (node: RequestItem) => {
      const doc = await vscode.workspace.openTextDocument(traffic.pairUri(node));
      return vscode.window.showTextDocument(doc, { preview: true });
    }),

    // Runs view
    reg('reprise.openFailedDiff', async (node: FailedItem) => {
      const summary = node.run.summary;
      await openResultDiff(host, docs, node.run.dir, summary.traffic, node.result);
    }),
    reg('reprise.openNativeDiff', async (node: FailedItem) => openNativeDiff(host, docs, node.run.summary.traffic, node.result)),
    reg('reprise.openUnmatchedCall', async (node: UnmatchedItem) => {
      if ((await vscode.commands.getCommands(true)).includes('reprise.openUnmatched')) {
        try {
          await vscode.commands.executeCommand('reprise.openUnmatched', node.run.dir, node.call.id);
          return;
        } catch {
          /* fall back to text */
        }
      }
      const text = JSON.stringify({ ...node.call, request: { ...node.call.request, headers: host.engine().report.redactHeaders(node.call.request.headers) } }, null, 2);
      await vscode.window.showTextDocument(docs.textUri(`unmatched ${node.call.service} ${node.call.request.method}.json`, text), { preview: true });
    }),
    reg('reprise.replayUnderDebugger', async (arg?: unknown) => {
      const id = pairIdOf(arg);
      if (!id) {
        void vscode.window.showErrorMessage('Reprise: Replay Under Debugger needs a failed request (Runs view, test item or report).');
        return undefined;
      }
      return debug.run({ onlyPairIds: new Set([id]) });
    }),
  );
  void vscode.commands.executeCommand('setContext', 'reprise.trafficGrouping', traffic.grouping);
  return { runner, background, debug, tests, docs, status, refusals };
}
