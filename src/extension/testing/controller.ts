/**
 * The Testing API: traffic sources, their sessions and their inbound requests are test items (loaded
 * lazily, like the Traffic view). Running items replays exactly those requests through the ReplayRunner;
 * each result passes or fails its item, and a failure carries a TestMessage with the recorded (expected)
 * and replayed (actual) response, so VS Code's own diff shows it. "Rerun Failed Tests" works through the
 * built-in test commands.
 */
import * as vscode from 'vscode';
import type { RequestResult } from '../../shared/results.js';
import type { Pair } from '../../engine/store/model.js';
import type { ReplayRunner } from '../commands/replay-runner.js';
import { expectedActual } from '../commands/diff.js';
import type { EngineHost } from '../engine-host.js';
import type { WorkspaceConfig } from '../workspace-config.js';

interface ItemData {
  kind: 'source' | 'session' | 'request';
  source: string;
  session?: string;
  pairId?: string;
}

export class RepriseTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly byPair = new Map<string, vscode.TestItem>();

  constructor(
    private readonly host: EngineHost,
    private readonly runner: ReplayRunner,
    private readonly getConfig: () => Promise<WorkspaceConfig | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = vscode.tests.createTestController('reprise', 'Reprise');
    this.controller.resolveHandler = (item) => this.resolve(item);
    this.controller.refreshHandler = () => this.refresh();
    this.controller.createRunProfile('Replay', vscode.TestRunProfileKind.Run, (req, token) => this.runTests(req, token), true);
  }

  /** Re-reads the sources from reprise.yaml (children load again when expanded). */
  async refresh(): Promise<void> {
    this.byPair.clear();
    const config = await this.getConfig();
    const items: vscode.TestItem[] = [];
    for (const t of config?.traffic ?? []) {
      if (t.kind === 'missing') continue;
      const item = this.controller.createTestItem(`source:${t.absolute}`, t.path, vscode.Uri.file(t.absolute));
      item.canResolveChildren = true;
      this.data.set(item, { kind: 'source', source: t.absolute });
      items.push(item);
    }
    this.controller.items.replace(items);
  }

  private async resolve(item: vscode.TestItem | undefined): Promise<void> {
    if (!item) return this.refresh();
    const d = this.data.get(item);
    if (!d || d.kind === 'request') return;
    item.busy = true;
    try {
      const store = this.host.engine().store;
      if (d.kind === 'source') {
        const index = await store.indexSources([d.source], { direction: 'in' });
        item.description = `${index.inbound} requests`;
        const kids = index.sessions.map((s) => {
          const k = this.controller.createTestItem(`session:${d.source}:${s.session}`, s.session, item.uri);
          k.canResolveChildren = true;
          k.description = `${s.count} requests`;
          this.data.set(k, { kind: 'session', source: d.source, session: s.session });
          return k;
        });
        item.children.replace(kids);
      } else {
        const { items } = await store.listPairs([d.source], { session: d.session, direction: 'in', limit: Number.MAX_SAFE_INTEGER });
        const kids = items.map((p) => {
          const k = this.controller.createTestItem(`pair:${p.id}`, `${p.method} ${p.url}`, item.uri);
          if (p.line) k.range = new vscode.Range(p.line - 1, 0, p.line - 1, 0);
          k.description = p.status !== undefined ? String(p.status) : undefined;
          k.sortText = String(p.seq).padStart(8, '0');
          this.data.set(k, { kind: 'request', source: d.source, session: d.session, pairId: p.id });
          this.byPair.set(p.id, k);
          return k;
        });
        item.children.replace(kids);
      }
    } catch (e) {
      item.error = (e as Error).message;
    } finally {
      item.busy = false;
    }
  }

  /** Request items under `item` (resolving sessions and sources as needed). */
  private async leaves(item: vscode.TestItem, out: vscode.TestItem[]): Promise<void> {
    const d = this.data.get(item);
    if (!d) return;
    if (d.kind === 'request') {
      out.push(item);
      return;
    }
    if (item.children.size === 0) await this.resolve(item);
    const kids: vscode.TestItem[] = [];
    item.children.forEach((c) => kids.push(c));
    for (const c of kids) await this.leaves(c, out);
  }

  async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else {
      if (this.controller.items.size === 0) await this.refresh();
      this.controller.items.forEach((i) => roots.push(i));
    }
    const excluded = new Set(request.exclude ?? []);
    const leaves: vscode.TestItem[] = [];
    for (const r of roots) if (!excluded.has(r)) await this.leaves(r, leaves);
    const selected = leaves.filter((l) => !excluded.has(l) && !(l.parent && excluded.has(l.parent)));
    const run = this.controller.createTestRun(request, 'Reprise replay');
    const ids = new Map<string, vscode.TestItem>();
    for (const l of selected) {
      const pid = this.data.get(l)!.pairId!;
      ids.set(pid, l);
      run.enqueued(l);
    }
    const results: RequestResult[] = [];
    const finished = new Set<string>();
    try {
      if (!ids.size) return;
      for (const l of ids.values()) run.started(l);
      const done = await this.runner.run({
        title: `Replaying ${ids.size} test${ids.size === 1 ? '' : 's'}`,
        onlyPairIds: new Set(ids.keys()),
        token,
        onResult: (r) => {
          const item = ids.get(r.pairId);
          if (!item) return;
          finished.add(r.pairId);
          if (r.outcome === 'pass') run.passed(item, r.latencyMs);
          else if (r.outcome === 'skipped') run.skipped(item);
          else results.push(r);
        },
      });
      if (!done) {
        for (const l of ids.values()) run.skipped(l);
        return;
      }
      // Expected output needs the recorded pairs of the failures: one pass over the traffic.
      const want = new Set(results.map((r) => r.pairId));
      const pairs = new Map<string, Pair>();
      if (want.size) {
        for await (const p of this.host.engine().store.readPairs(done.config.traffic, { direction: 'in' })) {
          if (want.has(p.id)) pairs.set(p.id, p);
          if (pairs.size === want.size) break;
        }
      }
      for (const r of results) {
        const item = ids.get(r.pairId)!;
        const ea = expectedActual(this.host, pairs.get(r.pairId), r);
        const msg = vscode.TestMessage.diff(`${r.method} ${r.url}: ${ea.message}`, ea.expected, ea.actual);
        if (item.uri && item.range) msg.location = new vscode.Location(item.uri, item.range);
        if (r.outcome === 'error') run.errored(item, msg, r.latencyMs);
        else run.failed(item, msg, r.latencyMs);
      }
      // Items the run never reached (cancelled, stopped at a mismatch) are skipped.
      for (const [id, item] of ids) if (!finished.has(id)) run.skipped(item);
      run.appendOutput(`run ${done.outcome.runId}: ${done.outcome.summary.verdict}, ${done.outcome.summary.metrics.passed}/${done.outcome.summary.metrics.sent} passed\r\n`);
      this.log.info(`test run: ${ids.size} selected, ${results.length} failed (run ${done.outcome.runId})`);
    } catch (e) {
      run.appendOutput(`Reprise: ${(e as Error).message}\r\n`);
      for (const l of ids.values()) run.errored(l, new vscode.TestMessage((e as Error).message));
    } finally {
      run.end();
    }
  }

  /** The test item of a pair id, if it has been resolved. */
  itemFor(pairId: string): vscode.TestItem | undefined {
    return this.byPair.get(pairId);
  }

  dispose(): void {
    this.controller.dispose();
  }
}
