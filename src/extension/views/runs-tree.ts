/**
 * The Runs view: runs from the runs folder (default .reprise/runs), newest first, with a verdict icon, the
 * pass rate and the time; under each run its gates (✓/✗ with values), its failed requests and the unmatched
 * mock calls. Everything is read from the run folders on disk (run.json, results.jsonl, unmatched.jsonl).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GateResult, RunSummary, RequestResult, UnmatchedCall } from '../../shared/results.js';
import type { EngineHost } from '../engine-host.js';
import type { WorkspaceConfig } from '../workspace-config.js';

/** Failed requests listed under a run at most (the report has them all). */
export const MAX_FAILED_SHOWN = 100;
/** While another process's run is listed as running, the view looks again this often: a run whose process is
 * killed writes nothing more, so no file change would tell the view it is now aborted. */
export const RECHECK_RUNNING_MS = 5000;

export function passRate(s: RunSummary): number | undefined {
  const m = s.metrics;
  return m.sent > 0 ? m.passed / m.sent : undefined;
}

export function pct(x: number | undefined): string {
  return x === undefined ? '–' : `${(Math.floor(x * 1000) / 10).toFixed(x === 1 ? 0 : 1)}%`;
}

export function verdictIcon(verdict: RunSummary['verdict']): vscode.ThemeIcon {
  switch (verdict) {
    case 'pass':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'fail':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'error':
      return new vscode.ThemeIcon('bug', new vscode.ThemeColor('testing.iconErrored'));
    case 'aborted':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    default:
      return new vscode.ThemeIcon('loading~spin');
  }
}

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

function gateValue(v: number | null | undefined, name: string): string {
  if (v === null || v === undefined) return '–';
  if (/rate/.test(name)) return v.toFixed(3);
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

export class RunItem extends vscode.TreeItem {
  readonly kind = 'run' as const;
  readonly dir: string;
  constructor(
    readonly summary: RunSummary,
    runsDir: string,
    readonly isBaseline: boolean,
  ) {
    super(`${summary.verdict} · ${when(summary.startedAt)}`, vscode.TreeItemCollapsibleState.Collapsed);
    this.dir = path.join(runsDir, summary.runId);
    this.id = `run:${this.dir}`;
    const failed = summary.metrics.failed + summary.metrics.errors;
    this.contextValue = ['reprise.run', failed > 0 ? 'hasFailures' : '', isBaseline ? 'baseline' : ''].filter(Boolean).join('.');
    const parts = [`${pct(passRate(summary))} passed`, `${summary.metrics.sent} req`];
    if (summary.metrics.duration_ms) parts.push(`${(summary.metrics.duration_ms / 1000).toFixed(1)} s`);
    if (summary.orphaned) parts.push(`process gone, last written ${when(summary.orphaned.lastWrittenAt)}`);
    if (isBaseline) parts.push('baseline');
    this.description = parts.join(' · ');
    this.iconPath = verdictIcon(summary.verdict);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${summary.runId}** — ${summary.verdict}${summary.abortReason ? ` (${summary.abortReason})` : ''}\n\n`);
    md.appendMarkdown(`target \`${summary.target}\` · ${summary.metrics.sent} sent · ${summary.metrics.passed} passed · ${summary.metrics.failed} failed · ${summary.metrics.errors} errors\n\n`);
    for (const g of summary.gates) md.appendMarkdown(`${g.pass ? '✓' : '✗'} \`${g.name}\` ${gateValue(g.measured, g.name)} ${g.expression}\n\n`);
    if (summary.error) md.appendMarkdown(`error: ${summary.error}\n\n`);
    this.tooltip = md;
  }
}

export class GateItem extends vscode.TreeItem {
  readonly kind = 'gate' as const;
  constructor(
    readonly run: RunItem,
    readonly gate: GateResult,
  ) {
    super(`${gate.pass ? '✓' : '✗'} ${gate.name}`, vscode.TreeItemCollapsibleState.None);
    this.id = `${run.id}:gate:${gate.name}`;
    this.contextValue = 'reprise.gate';
    this.description = `${gateValue(gate.measured, gate.name)} ${gate.expression}${gate.note ? ` (${gate.note})` : ''}`;
    this.iconPath = new vscode.ThemeIcon(gate.pass ? 'check' : 'close', new vscode.ThemeColor(gate.pass ? 'testing.iconPassed' : 'testing.iconFailed'));
    this.tooltip = `${gate.name} ${gate.expression}: measured ${gate.measured ?? 'n/a'}${gate.baseline !== undefined ? `, baseline ${gate.baseline}` : ''}${gate.note ? `\n${gate.note}` : ''}`;
  }
}

export class FolderItem extends vscode.TreeItem {
  readonly kind = 'folder' as const;
  constructor(
    readonly run: RunItem,
    readonly what: 'failed' | 'unmatched',
    count: number,
  ) {
    super(what === 'failed' ? 'Failed requests' : 'Unmatched mock calls', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${run.id}:${what}`;
    this.contextValue = `reprise.${what}Folder`;
    this.description = String(count);
    this.iconPath = new vscode.ThemeIcon(what === 'failed' ? 'error' : 'question');
  }
}

export class FailedItem extends vscode.TreeItem {
  readonly kind = 'failed' as const;
  constructor(
    readonly run: RunItem,
    readonly result: RequestResult,
    message: string,
  ) {
    super(`${result.method} ${result.url}`, vscode.TreeItemCollapsibleState.None);
    this.id = `${run.id}:failed:${result.pairId}:${result.seq}`;
    this.contextValue = 'reprise.failedRequest';
    this.description = message;
    this.tooltip = `${result.endpoint} · session ${result.session} #${result.seq}\n${message}\npair ${result.pairId}`;
    this.iconPath = new vscode.ThemeIcon(result.outcome === 'error' ? 'debug-disconnect' : 'diff', new vscode.ThemeColor('testing.iconFailed'));
    this.command = { command: 'reprise.openFailedDiff', title: 'Open Diff', arguments: [this] };
  }
}

export class UnmatchedItem extends vscode.TreeItem {
  readonly kind = 'unmatched' as const;
  constructor(
    readonly run: RunItem,
    readonly call: UnmatchedCall,
  ) {
    super(`${call.request.method} ${call.request.url}`, vscode.TreeItemCollapsibleState.None);
    this.id = `${run.id}:unmatched:${call.id}`;
    this.contextValue = 'reprise.unmatchedCall';
    const near = call.nearest[0];
    this.description = `${call.service} · ${call.answeredWith.status}${near ? ` · nearest ${near.summary}` : ''}`;
    this.tooltip = near ? `${near.summary}\n${near.failures.map((f) => `• ${f.message}`).join('\n')}` : 'no stub is close';
    this.iconPath = new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground'));
    this.command = { command: 'reprise.openUnmatchedCall', title: 'Open Unmatched Call', arguments: [this] };
  }
}

export type RunsNode = RunItem | GateItem | FolderItem | FailedItem | UnmatchedItem;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly parents = new WeakMap<RunsNode, RunsNode>();
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly getConfig: () => Promise<WorkspaceConfig | undefined>,
    private readonly host: EngineHost,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: RunsNode): vscode.TreeItem {
    return item;
  }

  getParent(item: RunsNode): RunsNode | undefined {
    return this.parents.get(item);
  }

  async getChildren(parent?: RunsNode): Promise<RunsNode[]> {
    const kids = await this.children(parent);
    if (parent) for (const k of kids) this.parents.set(k, parent);
    return kids;
  }

  /** The runs folder of the workspace, or undefined without reprise.yaml. */
  async runsDir(): Promise<string | undefined> {
    return (await this.getConfig())?.runsDir;
  }

  private async children(parent?: RunsNode): Promise<RunsNode[]> {
    const report = () => this.host.engine().report;
    if (!parent) {
      const runsDir = await this.runsDir();
      if (!runsDir) return [];
      const { runs, issues } = await report().listRunsDetailed(runsDir);
      for (const i of issues) this.host.context().logger.warn(`run ${i.runId}: ${i.message}`);
      const baseline = await report().getBaseline(runsDir);
      if (!this.recheck && runs.some((s) => s.status === 'running' && s.writer && s.writer.pid !== process.pid)) {
        this.recheck = setTimeout(() => {
          this.recheck = undefined;
          this.refresh();
        }, RECHECK_RUNNING_MS);
        this.recheck.unref?.();
      }
      return runs.map((s) => new RunItem(s, runsDir, s.runId === baseline));
    }
    if (parent.kind === 'run') {
      const s = parent.summary;
      const out: RunsNode[] = s.gates.map((g) => new GateItem(parent, g));
      const failed = s.metrics.failed + s.metrics.errors;
      if (failed > 0) out.push(new FolderItem(parent, 'failed', failed));
      const unmatched = s.mocks.reduce((n, m) => n + m.unmatched, 0);
      if (unmatched > 0) out.push(new FolderItem(parent, 'unmatched', unmatched));
      return out;
    }
    if (parent.kind === 'folder' && parent.what === 'failed') {
      const page = await report().readResultsPage(parent.run.dir, { filter: 'failed', limit: MAX_FAILED_SHOWN });
      return page.items.map((r) => new FailedItem(parent.run, r, report().failureMessage(r)));
    }
    if (parent.kind === 'folder' && parent.what === 'unmatched') {
      return (await report().readUnmatched(parent.run.dir, { limit: MAX_FAILED_SHOWN })).map((c) => new UnmatchedItem(parent.run, c));
    }
    return [];
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.changed.dispose();
  }
}
