/**
 * The unmatched mock calls panel of a run: shows each call with its nearest stubs and failing matchers;
 * drafts stubs from chosen calls (engine: draftStubFromUnmatched), saves the edited draft after checking it
 * against the stub schema, and reruns to show whether the calls match now.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RepriseWebview } from './panel.js';
import type { WebviewServices } from './services.js';
import { unmatchedInit, draftStubs, saveStubs, rerunAfterPromote, type StubDraft, type SaveReply, type RerunReply } from '../../shared/protocols/unmatched.js';
import type { UnmatchedCallView } from '../../shared/view-types.js';
import type { UnmatchedCall } from '../../shared/results.js';
import type { StubDefinition, StubResponse } from '../../engine/mocks/stub.js';
import type { MockServiceConfig, RepriseConfig } from '../../engine/config/types.js';

const MAX_CALLS = 2000;
const BODY_PREVIEW = 64 * 1024;

function callKey(c: { service: string; request: { method: string; url: string; body?: string } }): string {
  return `${c.service}\n${c.request.method.toUpperCase()}\n${c.request.url}\n${c.request.body ?? ''}`;
}

export class UnmatchedPanel extends RepriseWebview {
  static readonly viewType = 'reprise.unmatched';
  private calls: UnmatchedCall[] = [];
  private loaded: Promise<void>;

  constructor(
    private readonly svc: WebviewServices,
    readonly runDir: string,
  ) {
    super(UnmatchedPanel.viewType, `Unmatched calls ${path.basename(runDir)}`, 'unmatched', svc.extensionUri, svc.log);
    this.endpoint.onRequest(draftStubs, (p) => this.draft(p.callIds, p.mode));
    this.endpoint.onRequest(saveStubs, (p) => this.save(p.text));
    this.endpoint.onRequest(rerunAfterPromote, (p) => this.rerun(p.callIds));
    this.loaded = this.load();
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  private async load(): Promise<void> {
    const report = this.svc.engine.report;
    try {
      this.calls = await report.readUnmatched(this.runDir, { limit: MAX_CALLS, signal: this.abort.signal });
      const total = await report.countUnmatched(this.runDir, this.abort.signal);
      const views: UnmatchedCallView[] = this.calls.map((c) => {
        const body = c.request.body;
        return {
          id: c.id,
          service: c.service,
          at: c.at,
          method: c.request.method,
          url: report.redactUrl(c.request.url),
          headers: report.redactHeaders(c.request.headers),
          body: body === undefined ? undefined : body.length > BODY_PREVIEW ? body.slice(0, BODY_PREVIEW) : body,
          bodyEncoding: c.request.bodyEncoding,
          bodyTruncated: body !== undefined && body.length > BODY_PREVIEW ? true : undefined,
          answeredWith: c.answeredWith,
          nearest: c.nearest.map((n) => ({ ...n, failures: n.failures.map((f) => ({ ...f, expected: report.shortValue(f.expected), actual: report.shortValue(f.actual) })) })),
        };
      });
      this.panel.title = `Unmatched calls (${total}) ${path.basename(this.runDir)}`;
      this.notify(unmatchedInit, { runId: path.basename(this.runDir), calls: views, total, actions: true });
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.log.error(`unmatched ${this.runDir}: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Reprise: cannot read the unmatched calls of ${path.basename(this.runDir)}: ${(e as Error).message}`);
    }
  }

  private mockConfig(config: RepriseConfig, service: string): MockServiceConfig {
    const m = config.mocks.find((x) => x.service === service);
    if (!m) throw new Error(`reprise.yaml has no mock for service '${service}'`);
    return m;
  }

  /** The stub definitions a mock serves (stub folder + captured traffic), by id. */
  private async stubsOf(config: RepriseConfig, cfg: MockServiceConfig): Promise<Map<string, StubDefinition>> {
    const e = this.svc.engine;
    const sources = cfg.traffic.length ? cfg.traffic : config.traffic;
    async function* outbound() {
      for await (const p of e.store.readPairs(sources, { direction: 'out' })) if (p.service === cfg.service) yield p;
    }
    const { stubs } = await e.mocks.loadServiceStubs(cfg, outbound());
    return new Map(stubs.filter((s) => s.id).map((s) => [s.id!, s]));
  }

  private async draft(callIds: string[], mode: 'new' | 'loosen-nearest'): Promise<StubDraft> {
    const e = this.svc.engine;
    const config = await this.svc.configOf(this.runDir);
    const byId = new Map(this.calls.map((c) => [c.id, c]));
    const stubsByService = new Map<string, Map<string, StubDefinition>>();
    const drafts: StubDefinition[] = [];
    const notes: string[] = [];
    for (const id of callIds) {
      const call = byId.get(id);
      if (!call) throw new Error(`no unmatched call '${id}' in this run`);
      const cfg = this.mockConfig(config, call.service);
      let stubs = stubsByService.get(call.service);
      if (!stubs) stubsByService.set(call.service, (stubs = await this.stubsOf(config, cfg)));
      const near = call.nearest[0] ? stubs.get(call.nearest[0].stubId) : undefined;
      let response: StubResponse | undefined;
      if (!near) {
        response = { status: 200, json: {} };
        notes.push(`${call.request.method} ${call.request.url}: no nearest stub to copy a response from — set the response.`);
      } else if (mode === 'new') {
        notes.push(`${call.request.method} ${call.request.url}: response copied from stub ${near.id} (distance ${call.nearest[0].distance.toFixed(2)}) — check it.`);
      } else {
        notes.push(`${call.request.method} ${call.request.url}: stub ${near.id} loosened (${call.nearest[0].failures.map((f) => f.matcher + (f.field ? ` ${f.field}` : '')).join(', ')}).`);
      }
      const effectiveMode = mode === 'loosen-nearest' && !near ? 'new' : mode;
      drafts.push(e.mocks.draftStubFromUnmatched(call, near, effectiveMode, response));
    }
    const text = JSON.stringify(drafts.length === 1 ? drafts[0] : drafts, null, 2);
    return { text, schema: e.mocks.stubJsonSchema(), notes };
  }

  private async save(text: string): Promise<SaveReply> {
    const e = this.svc.engine;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return { ok: false, files: [], errors: [`not JSON: ${(err as Error).message}`] };
    }
    const list = Array.isArray(raw) ? raw : [raw];
    const errors: string[] = [];
    const stubs: StubDefinition[] = [];
    list.forEach((s, i) => {
      const r = e.mocks.StubDefinitionSchema.safeParse(s);
      if (r.success) stubs.push(r.data);
      else errors.push(...r.error.issues.slice(0, 5).map((x) => `stub ${i + 1}: ${x.path.join('.') || '(stub)'}: ${x.message}`));
    });
    if (!stubs.length && !errors.length) errors.push('no stub to save');
    if (errors.length) return { ok: false, files: [], errors };
    const config = await this.svc.configOf(this.runDir);
    const files: string[] = [];
    const targets = stubs.map((s) => {
      const service = s.service ?? (config.mocks.length === 1 ? config.mocks[0].service : undefined);
      if (!service) throw new Error('a stub names no service and reprise.yaml has several mocks: add "service"');
      return { stub: s, dir: this.mockConfig(config, service).stubs };
    });
    for (const t of targets) files.push(await e.mocks.saveStub(t.dir, t.stub));
    const root = path.dirname(await this.svc.configFileOf(this.runDir));
    const shown = files.map((f) => path.relative(root, f));
    this.log.info(`saved stub(s): ${files.join(', ')}`);
    void vscode.window.showInformationMessage(`Reprise: saved ${files.length} stub(s). Rerun to check?`, 'Rerun').then((a) => {
      if (a === 'Rerun') void this.rerun([]);
    });
    return { ok: true, files: shown, errors: [] };
  }

  private async rerun(callIds: string[]): Promise<RerunReply> {
    const { failed } = await this.svc.steps(this.runDir);
    const outcome = failed.size
      ? await this.svc.rerun(this.runDir, failed, `Rerunning ${failed.size} failed request(s) with the new stubs`)
      : await this.svc.replay({ title: 'Rerunning with the new stubs', runDir: this.runDir });
    if (!outcome) return { ok: false, message: 'The rerun did not start (see the Reprise log).', calls: [] };
    const still = new Set((await this.svc.engine.report.readUnmatched(outcome.runDir)).map(callKey));
    const byId = new Map(this.calls.map((c) => [c.id, c]));
    const calls = callIds.map((id) => {
      const c = byId.get(id);
      return { callId: id, matched: !!c && !still.has(callKey(c)) };
    });
    const unmatchedNow = outcome.summary.metrics.unmatched_requests;
    const allMatched = calls.every((c) => c.matched);
    const message =
      calls.length === 0
        ? `Rerun ${outcome.runId}: ${outcome.summary.verdict.toUpperCase()}, ${unmatchedNow} unmatched call(s).`
        : allMatched
          ? `Rerun ${outcome.runId}: the ${calls.length} promoted call(s) now match a stub (${unmatchedNow} unmatched call(s) left; verdict ${outcome.summary.verdict.toUpperCase()}).`
          : `Rerun ${outcome.runId}: ${calls.filter((c) => !c.matched).length} promoted call(s) are still unmatched.`;
    return { ok: calls.length === 0 || allMatched, runId: outcome.runId, message, calls };
  }
}
