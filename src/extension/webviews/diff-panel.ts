/**
 * The response diff panel of one request of a run: the engine computes the diff when the panel opens
 * (recorded pair from the traffic store, actual response from results.jsonl); the actions edit
 * reprise.yaml, the recording, or replay the request again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RepriseWebview } from './panel.js';
import type { WebviewServices } from './services.js';
import { diffInit, diffMore, ignorePath, addTolerance, acceptActual, openNativeDiff, rerunRequest, type ActionReply } from '../../shared/protocols/diff.js';
import type { DiffView } from '../../shared/view-types.js';
import type { RequestResult } from '../../shared/results.js';
import type { Pair } from '../../engine/store/model.js';
import type { RepriseConfig } from '../../engine/config/types.js';
import { addIgnore, setTolerance } from './config-edit.js';
import { acceptActualInFile } from './traffic-edit.js';
import type { DiffDocuments } from './diff-documents.js';

export interface DiffTarget {
  runDir: string;
  pairId: string;
}

export class DiffPanel extends RepriseWebview {
  static readonly viewType = 'reprise.diff';
  private result: RequestResult | undefined;
  private pair: Pair | undefined;
  private located: { file: string; line?: number } | undefined;
  private config: RepriseConfig | undefined;
  private view: DiffView | undefined;
  private lineLimit: number | undefined;
  private loaded: Promise<void>;

  constructor(
    private readonly svc: WebviewServices,
    private readonly docs: DiffDocuments,
    private target: DiffTarget,
  ) {
    super(DiffPanel.viewType, `Diff ${target.pairId}`, 'diff', svc.extensionUri, svc.log);
    this.endpoint.onRequest(diffMore, async ({ lineLimit }) => {
      this.lineLimit = lineLimit;
      return this.compute();
    });
    this.endpoint.onRequest(ignorePath, (p) => this.act(() => this.ignore(p.path)));
    this.endpoint.onRequest(addTolerance, (p) => this.act(() => this.tolerate(p.path, p.tolerance)));
    this.endpoint.onRequest(acceptActual, () => this.act(() => this.accept()));
    this.endpoint.onRequest(openNativeDiff, () => this.act(() => this.native()));
    this.endpoint.onRequest(rerunRequest, () => this.rerun());
    this.loaded = this.load();
  }

  get key(): string {
    return `${this.target.runDir}\n${this.target.pairId}`;
  }

  get current(): DiffTarget {
    return { ...this.target };
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  private async act(fn: () => Promise<ActionReply>): Promise<ActionReply> {
    try {
      return await fn();
    } catch (e) {
      this.log.error(`diff action: ${(e as Error).message}`);
      return { ok: false, message: (e as Error).message };
    }
  }

  /** Read the result, the recorded pair and the config, then send the diff. */
  private async load(): Promise<void> {
    const { runDir, pairId } = this.target;
    try {
      this.result = await this.svc.findResult(runDir, pairId, this.abort.signal);
      if (!this.result) throw new Error(`no result for pair ${pairId} in run ${path.basename(runDir)}`);
      this.panel.title = `Diff ${this.result.method} ${this.result.url.split('?')[0]}`;
      this.config = await this.svc.configOf(runDir).catch((e: Error) => {
        this.log.warn(`diff: reprise.yaml not usable (${e.message}); showing the diff without its ignore list`);
        return undefined;
      });
      const summary = await this.svc.engine.report.readRun(runDir);
      const sources = this.config?.traffic.length ? this.config.traffic : summary.traffic;
      this.pair = undefined;
      this.located = undefined;
      for await (const lp of this.svc.engine.store.readLocated(sources, { signal: this.abort.signal })) {
        if (lp.pair.id === pairId) {
          this.pair = lp.pair;
          this.located = { file: lp.file, line: lp.line };
          break;
        }
      }
      this.notify(diffInit, this.compute());
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.log.error(`diff ${pairId}: ${(e as Error).message}`);
      this.notify(diffInit, this.emptyView((e as Error).message));
    }
  }

  private emptyView(problem: string): DiffView {
    return {
      runId: path.basename(this.target.runDir),
      pairId: this.target.pairId,
      method: this.result?.method ?? '',
      url: this.result?.url ?? '',
      endpoint: this.result?.endpoint ?? '',
      outcome: this.result?.outcome ?? 'error',
      expected: null,
      actual: null,
      unified: '',
      ignoredLines: { old: [], new: [] },
      fieldDiffs: [],
      truncated: false,
      lineLimit: 0,
      problem,
      actions: false,
    };
  }

  private compute(): DiffView {
    const r = this.result;
    if (!r) return this.emptyView('no result');
    const report = this.svc.engine.report;
    const cfg = this.config;
    const pairIgnore = Array.isArray(this.pair?.meta?.ignore) ? (this.pair!.meta!.ignore as unknown[]).filter((x): x is string => typeof x === 'string') : [];
    const diffs = r.validation?.diffs ?? [];
    const headers = new Set((cfg?.validate.headers ?? ['content-type']).map((h) => h.toLowerCase()));
    for (const d of diffs) if (d.path.startsWith('header.')) headers.add(d.path.slice(7).toLowerCase());
    const view = report.buildResponseDiff(
      this.pair?.response,
      r.actual,
      {
        runId: path.basename(this.target.runDir),
        pairId: r.pairId,
        method: r.method,
        url: r.url,
        endpoint: r.endpoint,
        outcome: r.outcome,
        note: r.note ?? (r.error ? `${r.error.code}: ${r.error.message}` : undefined),
        problem: this.pair ? undefined : `pair ${r.pairId} is no longer in the traffic sources: only the actual response is shown`,
        actions: true,
      },
      {
        ignore: [...(cfg?.validate.ignore ?? []), ...pairIgnore],
        headers: [...headers],
        fieldDiffs: diffs,
        diffsOmitted: r.validation?.diffsOmitted,
        lineLimit: this.lineLimit,
      },
    );
    this.view = view;
    return view;
  }

  private async ignore(p: string): Promise<ActionReply> {
    let target = p;
    if (/\[\d+\]/.test(p)) {
      let general = p;
      try {
        general = this.svc.engine.validate.generalisePath(p);
      } catch {
        /* keep the exact path */
      }
      const pick = await vscode.window.showQuickPick(
        [
          { label: general, description: 'every element of the array' },
          { label: p, description: 'only this element' },
        ],
        { title: 'Reprise: ignore which path?' },
      );
      if (!pick) return { ok: false, message: 'Cancelled.' };
      target = pick.label;
    }
    const file = await this.svc.configFileOf(this.target.runDir);
    const changed = await addIgnore(file, target);
    this.config = await this.svc.configOf(this.target.runDir).catch(() => this.config);
    this.notify(diffInit, this.compute());
    return {
      ok: true,
      message: changed ? `Added ${target} to validate.ignore in ${path.basename(file)}. Replay the request to check.` : `${target} is already in validate.ignore.`,
    };
  }

  private async tolerate(p: string, given?: number): Promise<ActionReply> {
    const d = this.result?.validation?.diffs.find((x) => x.path === p);
    const suggested = d && typeof d.expected === 'number' && typeof d.actual === 'number' ? Math.abs(d.actual - d.expected) : undefined;
    let tol = given;
    if (tol === undefined) {
      const text = await vscode.window.showInputBox({
        title: `Reprise: tolerance for ${p}`,
        prompt: 'Largest absolute difference accepted',
        value: suggested !== undefined ? String(suggested) : '',
        validateInput: (v) => (v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? undefined : 'a number ≥ 0'),
      });
      if (text === undefined) return { ok: false, message: 'Cancelled.' };
      tol = Number(text);
    }
    const file = await this.svc.configFileOf(this.target.runDir);
    await setTolerance(file, p, tol);
    this.config = await this.svc.configOf(this.target.runDir).catch(() => this.config);
    this.notify(diffInit, this.compute());
    return { ok: true, message: `validate.tolerances: ${p} ± ${tol} in ${path.basename(file)}. Replay the request to check.` };
  }

  private async accept(): Promise<ActionReply> {
    const r = this.result;
    if (!r?.actual) return { ok: false, message: 'There is no actual response to accept.' };
    if (!this.located?.line) return { ok: false, message: 'The recorded pair was not found in a JSONL file (other formats cannot be updated).' };
    const ok = await vscode.window.showWarningMessage(
      `Replace the recorded response of ${r.method} ${r.url} with the replayed one?`,
      { modal: true, detail: `${this.located.file}:${this.located.line}` },
      'Replace',
    );
    if (ok !== 'Replace') return { ok: false, message: 'Cancelled.' };
    await acceptActualInFile(this.located.file, this.located.line, r.pairId, r.actual);
    this.pair = this.pair ? { ...this.pair, response: { status: r.actual.status, headers: r.actual.headers, body: r.actual.body, bodyEncoding: r.actual.bodyEncoding } } : this.pair;
    this.notify(diffInit, this.compute());
    return { ok: true, message: `Recording updated: ${path.basename(this.located.file)}:${this.located.line}. Replay the request to check.` };
  }

  private async native(): Promise<ActionReply> {
    const r = this.result;
    if (!r) return { ok: false, message: 'no result' };
    const report = this.svc.engine.report;
    const headers = [...new Set([...(this.config?.validate.headers ?? ['content-type']), ...(r.validation?.diffs ?? []).filter((d) => d.path.startsWith('header.')).map((d) => d.path.slice(7))])];
    const exp = this.pair?.response ? report.normalisedText(this.pair.response, { headers }) : '(no recorded response)\n';
    const act = r.actual ? report.normalisedText(r.actual, { headers }) : `(no response${r.error ? `: ${r.error.code}` : ''})\n`;
    const [left, right] = this.docs.pair(`${r.pairId}`, exp, act);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${r.method} ${r.url.split('?')[0]}: recorded ↔ replayed`, { preview: true });
    return { ok: true, message: 'Opened in the diff editor.' };
  }

  private async rerun(): Promise<ActionReply & { outcome?: string; runId?: string }> {
    const r = this.result;
    if (!r) return { ok: false, message: 'no result' };
    try {
      const outcome = await this.svc.rerun(this.target.runDir, new Set([r.pairId]), `Replaying ${r.method} ${r.url}`);
      if (!outcome) return { ok: false, message: 'The replay did not start (see the Reprise log).' };
      const again = await this.svc.findResult(outcome.runDir, r.pairId);
      if (!again) return { ok: false, runId: outcome.runId, message: `Run ${outcome.runId} has no result for this request.` };
      // Show the new result in this panel.
      this.target = { runDir: outcome.runDir, pairId: r.pairId };
      this.lineLimit = undefined;
      await this.load();
      const ok = again.outcome === 'pass';
      const why = ok ? '' : ` — ${this.svc.engine.report.failureMessage(again)}`;
      return { ok, outcome: again.outcome, runId: outcome.runId, message: `Replayed in run ${outcome.runId}: ${again.outcome.toUpperCase()}${why}` };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }
}
