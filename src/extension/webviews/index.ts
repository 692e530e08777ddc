/**
 * The webview panels (run report, response diff, unmatched mock calls) and their commands:
 *   reprise.openReport   (run id | run folder | run.json | {dir} | {runDir}; none: pick a run)
 *   reprise.openDiff     ({runDir|runId, pairId} | runIdOrDir, pairId)
 *   reprise.openUnmatched(run id | run folder | {dir} | {runDir})
 * Each command returns the panel (the integration tests probe it). One panel per run/request: opening it
 * again reveals it.
 *
 * This file is in the extension bundle and registers the commands only; the panels (and zod, which checks
 * their messages) are the bundle dist/webviews.js (panels.ts), loaded when the first panel opens.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WebviewServices, WebviewDeps } from './services.js';
import type { ReportPanel } from './report-panel.js';
import type { DiffPanel } from './diff-panel.js';
import type { UnmatchedPanel } from './unmatched-panel.js';
import type * as PanelsBundle from './panels.js';
import { DiffDocuments, DIFF_SCHEME } from './diff-documents.js';
import type { RepriseWebview } from './panel.js';
import { LazyBundle } from '../lazy-bundle.js';

export type { WebviewDeps } from './services.js';
export type { ReportPanel, DiffPanel, UnmatchedPanel };

export interface WebviewsApi {
  openReport(ref?: unknown): Promise<ReportPanel | undefined>;
  openDiff(ref: unknown, pairId?: string): Promise<DiffPanel | undefined>;
  openUnmatched(ref?: unknown): Promise<UnmatchedPanel | undefined>;
  /** Open panels, newest last. */
  readonly panels: readonly RepriseWebview[];
  /** dist/webviews.js: loaded when the first panel opens. */
  readonly bundle: LazyBundle<typeof PanelsBundle>;
}

/** A run reference out of a command argument. */
function runRefOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object') {
    const o = arg as { dir?: unknown; runDir?: unknown; runId?: unknown; run?: { dir?: unknown } };
    if (typeof o.runDir === 'string') return o.runDir;
    if (typeof o.dir === 'string') return o.dir;
    if (o.run && typeof o.run.dir === 'string') return o.run.dir;
    if (typeof o.runId === 'string') return o.runId;
  }
  return undefined;
}

export function registerWebviews(context: vscode.ExtensionContext, deps: WebviewDeps): WebviewsApi {
  const bundle = new LazyBundle<typeof PanelsBundle>(context.extensionPath, 'webviews.js', (file, ms) =>
    deps.log.info(`webviews loaded from ${file} in ${ms.toFixed(1)} ms`),
  );
  let services: WebviewServices | undefined;
  /** The panels' shared services; the first call loads dist/webviews.js. */
  const impl = () => {
    const m = bundle.get();
    services ??= new m.WebviewServices(deps, context.extensionUri);
    return { ...m, svc: services };
  };
  const docs = new DiffDocuments();
  const reports = new Map<string, ReportPanel>();
  const diffs = new Map<string, DiffPanel>();
  const unmatched = new Map<string, UnmatchedPanel>();
  const panels: RepriseWebview[] = [];

  const track = <T extends RepriseWebview>(map: Map<string, T>, key: string, p: T): T => {
    map.set(key, p);
    panels.push(p);
    p.onDidDispose(() => {
      if (map.get(key) === p) map.delete(key);
      const i = panels.indexOf(p);
      if (i >= 0) panels.splice(i, 1);
    });
    return p;
  };

  const fail = (what: string, e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    deps.log.error(`${what}: ${msg}`);
    void vscode.window.showErrorMessage(`Reprise: ${what}: ${msg}`);
    return undefined;
  };

  async function pickRun(): Promise<string | undefined> {
    const runsDir = (await deps.getConfig())?.runsDir;
    if (!runsDir) {
      void vscode.window.showInformationMessage('Reprise: no reprise.yaml in this workspace, so no runs.');
      return undefined;
    }
    const runs = await deps.host.engine().report.listRuns(runsDir);
    if (!runs.length) {
      void vscode.window.showInformationMessage('Reprise: no runs yet.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      runs.map((s) => ({
        label: s.runId,
        description: `${s.verdict.toUpperCase()} · ${s.metrics.passed}/${s.metrics.sent} passed`,
        detail: s.target,
      })),
      { title: 'Reprise: open the report of which run?' },
    );
    return pick ? path.join(runsDir, pick.label) : undefined;
  }

  async function openReport(arg?: unknown): Promise<ReportPanel | undefined> {
    try {
      const ref = runRefOf(arg) ?? (await pickRun());
      if (!ref) return undefined;
      const { svc, ReportPanel } = impl();
      const dir = await svc.runDir(ref);
      const open = reports.get(dir);
      if (open && !open.isDisposed) {
        open.reveal();
        return open;
      }
      return track(reports, dir, new ReportPanel(svc, dir));
    } catch (e) {
      return fail('cannot open the report', e);
    }
  }

  async function openDiff(arg: unknown, pairArg?: string): Promise<DiffPanel | undefined> {
    try {
      let pairId = pairArg;
      if (!pairId && arg && typeof arg === 'object') {
        const o = arg as { pairId?: unknown; result?: { pairId?: unknown } };
        if (typeof o.pairId === 'string') pairId = o.pairId;
        else if (o.result && typeof o.result.pairId === 'string') pairId = o.result.pairId;
      }
      const ref = runRefOf(arg) ?? 'latest';
      if (!pairId) throw new Error('no request given (a pair id is needed)');
      const { svc, DiffPanel } = impl();
      const dir = await svc.runDir(ref);
      const key = `${dir}\n${pairId}`;
      const open = diffs.get(key);
      if (open && !open.isDisposed) {
        open.reveal();
        return open;
      }
      return track(diffs, key, new DiffPanel(svc, docs, { runDir: dir, pairId }));
    } catch (e) {
      return fail('cannot open the diff', e);
    }
  }

  async function openUnmatched(arg?: unknown): Promise<UnmatchedPanel | undefined> {
    try {
      const ref = runRefOf(arg) ?? (await pickRun());
      if (!ref) return undefined;
      const { svc, UnmatchedPanel } = impl();
      const dir = await svc.runDir(ref);
      const open = unmatched.get(dir);
      if (open && !open.isDisposed) {
        open.reveal();
        return open;
      }
      return track(unmatched, dir, new UnmatchedPanel(svc, dir));
    } catch (e) {
      return fail('cannot open the unmatched calls', e);
    }
  }

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, docs),
    vscode.commands.registerCommand('reprise.openReport', openReport),
    vscode.commands.registerCommand('reprise.openDiff', openDiff),
    vscode.commands.registerCommand('reprise.openUnmatched', openUnmatched),
    { dispose: () => [...panels].forEach((p) => p.dispose()) },
  );
  return { openReport, openDiff, openUnmatched, panels, bundle };
}
