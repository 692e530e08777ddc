/**
 * The webview panels in the real extension host, on failing runs of the orders example: each panel opens by
 * its command, renders (checked with a probe: host → webview notification, webview → host command, a real
 * message round trip through postMessage), and its actions work end to end through the host's handlers
 * (the e2e spec test/e2e/webviews.spec.mjs clicks the same actions in the UI).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReplayDone } from '../../src/extension/commands/replay-runner.js';
import type { ReportPanel, DiffPanel, UnmatchedPanel } from '../../src/extension/webviews/index.js';
import type { RequestResult } from '../../src/shared/results.js';
import { activateReprise, workspaceRoot } from './helpers.js';
import { clearRuns, configFile, configureExample, eventually, restoreConfig } from './example-service.js';

async function results(runDir: string): Promise<RequestResult[]> {
  const text = await fs.readFile(path.join(runDir, 'results.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestResult);
}

type Probe = Awaited<ReturnType<ReportPanel['probe']>>;

async function probeUntil(panel: { probe(): Promise<Probe> }, ok: (p: Probe) => boolean, what: string): Promise<Probe> {
  let last: Probe | undefined;
  try {
    return await eventually(async () => {
      last = await panel.probe();
      return ok(last) ? last : undefined;
    }, what, 30_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast probe: ${JSON.stringify(last?.counts)}\n${last?.text.slice(0, 1500)}`);
  }
}

describe('Webview panels (orders example)', function () {
  this.timeout(180_000);
  let failing: ReplayDone;
  const outbound = () => path.join(workspaceRoot(), 'traffic', 'payment-api', 'outbound.jsonl');
  let outboundText: string | undefined;

  before(async () => {
    await clearRuns();
    const api = await activateReprise();
    await configureExample({ regression: 'total' });
    api.refresh();
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplay');
    assert.ok(done, 'the replay ran');
    assert.equal(done.outcome.summary.verdict, 'fail', 'ORDERS_REGRESSION=total makes the run fail');
    failing = done;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (outboundText !== undefined) await fs.writeFile(outbound(), outboundText);
    await restoreConfig();
    await clearRuns();
    (await activateReprise()).refresh();
  });

  it('Open Run Report renders the verdict, the gates, the endpoints and the failed requests', async () => {
    const t0 = performance.now();
    const panel = await vscode.commands.executeCommand<ReportPanel>('reprise.openReport', failing.outcome.runDir);
    assert.ok(panel, 'the command returns the panel');
    const p = await probeUntil(panel, (x) => x.text.includes('FAIL') && (x.counts['.rrow'] ?? 0) > 0, 'the report to render');
    const shown = performance.now() - t0;
    await panel.whenLoaded();
    const { bundles } = await activateReprise();
    assert.equal(bundles.webviews.isLoaded, true, 'opening a panel loaded dist/webviews.js');
    console.log(`    dist/webviews.js loaded on first use in ${bundles.webviews.loadMs?.toFixed(1)} ms`);
    const s = failing.outcome.summary;
    assert.equal(p.counts['#gates tbody tr'], s.gates.length, 'one row per gate');
    assert.equal(p.counts['#endpoints tbody tr'], s.endpoints.length, 'one row per endpoint');
    assert.match(p.text, /body_match_rate/);
    assert.match(p.text, /\$\.total: expected \d+, got \d+/, 'a failed request names its first difference');
    console.log(`    report panel: command → rendered summary and failed requests in ${shown.toFixed(0)} ms (summary posted ${panel.timings.initPosted?.toFixed(0)} ms after open)`);
    // Opening it again by run id reveals the same panel.
    const again = await vscode.commands.executeCommand<ReportPanel>('reprise.openReport', { runDir: failing.outcome.runDir });
    assert.equal(again, panel);
  });

  it('Open Response Diff shows the field difference and greyed ignored lines; Ignore this path + Replay makes it pass', async () => {
    const failed = (await results(failing.outcome.runDir)).find((r) => r.outcome === 'fail' && r.endpoint === 'POST /orders');
    assert.ok(failed, 'a failed POST /orders');
    const panel = await vscode.commands.executeCommand<DiffPanel>('reprise.openDiff', { runDir: failing.outcome.runDir, pairId: failed.pairId });
    assert.ok(panel);
    const p = await probeUntil(panel, (x) => (x.counts['.d2h-file-diff, .d2h-files-diff'] ?? 0) > 0, 'diff2html to render');
    assert.match(p.text, /\$\.total/);
    assert.ok((p.counts['tr.reprise-ignored'] ?? 0) > 0, 'the ignored $.id / $.createdAt lines are greyed');
    assert.ok((p.counts['#fields tbody tr'] ?? 0) >= 1);

    const ignored = await panel.endpoint.dispatch('diff/ignorePath', { path: '$.total' });
    assert.equal(ignored.error, undefined);
    assert.match((ignored.result as { message: string }).message, /Added \$\.total to validate\.ignore/);
    assert.match(await fs.readFile(configFile(), 'utf8'), /- \$\.total/);

    const bad = await panel.endpoint.dispatch('diff/ignorePath', { path: '' });
    assert.match(bad.error ?? '', /bad parameters/, 'payloads are checked on arrival');

    const rerun = await panel.endpoint.dispatch('diff/rerun', {});
    assert.equal(rerun.error, undefined);
    const r = rerun.result as { ok: boolean; outcome: string; message: string; runId: string };
    assert.equal(r.outcome, 'pass', r.message);
    assert.equal(panel.current.pairId, failed.pairId);
    assert.notEqual(panel.current.runDir, failing.outcome.runDir, 'the panel now shows the new run');
    await probeUntil(panel, (x) => x.text.includes('PASS'), 'the panel to show the passing result');
  });

  it('opens the report of a 100,000-result run quickly (time to first render measured, rows virtualised)', async () => {
    const api = await activateReprise();
    const e = api.host.engine();
    const runsDir = path.join(workspaceRoot(), '.reprise', 'big-runs');
    const w = await e.report.RunWriter.create(runsDir, { target: 'http://127.0.0.1:1', traffic: [], summaryEveryResults: 1_000_000 });
    const base = (await results(failing.outcome.runDir)).slice(0, 43);
    for (let i = 0; i < 100_000; i++) {
      const r = base[i % base.length];
      await w.result({ ...r, pairId: `${r.pairId}-${i}`, seq: i });
    }
    const summary = await w.finish();
    assert.equal(summary.metrics.total, 100_000);
    const t0 = performance.now();
    const epoch0 = Date.now();
    const panel = await vscode.commands.executeCommand<ReportPanel>('reprise.openReport', w.dir);
    assert.ok(panel);
    const first = await probeUntil(panel, (x) => /FAIL|PASS/.test(x.text) && (x.counts['.rrow'] ?? 0) > 0, 'the big report to render');
    const firstMs = performance.now() - t0;
    await panel.whenLoaded();
    const all = await probeUntil(panel, (x) => /\d+ shown$/m.test(x.text) && !/loading/.test(x.text), 'every row to arrive');
    const allMs = performance.now() - t0;
    assert.ok((all.counts['.rrow'] ?? 0) < 200, `rows are virtualised: ${all.counts['.rrow']} row elements for 100,000 results`);
    const paintedEpoch = (first.timeOrigin ?? NaN) + (first.renderedAt ?? NaN);
    console.log(
      `    100,000-result report: command → first render (verdict, gates, endpoints, failed requests painted) ${(paintedEpoch - epoch0).toFixed(0)} ms ` +
        `[webview document started ${((first.timeOrigin ?? NaN) - epoch0).toFixed(0)} ms after the command, painted ${first.renderedAt?.toFixed(0)} ms later]; ` +
        `first probe answered ${firstMs.toFixed(0)} ms; all 100,000 rows in the webview ${allMs.toFixed(0)} ms; ${all.counts['.rrow']} row elements in the DOM`,
    );
    panel.dispose();
  });

  it('Open Unmatched Mock Calls explains the call; promote it to a stub, rerun, and it matches', async () => {
    const api = await activateReprise();
    await restoreConfig();
    await configureExample();
    // Without the recorded charge for one order, that charge is an unmatched mock call.
    outboundText = await fs.readFile(outbound(), 'utf8');
    const lines = outboundText.split('\n').filter(Boolean);
    const dropped = lines.findIndex((l) => (JSON.parse(l) as { id: string }).id === 'out-0010');
    assert.ok(dropped >= 0, 'out-0010 is in the example traffic');
    await fs.writeFile(outbound(), lines.filter((_, i) => i !== dropped).join('\n') + '\n');
    api.refresh();
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplay');
    assert.ok(done);
    assert.ok(done.outcome.summary.metrics.unmatched_requests >= 1, 'an unmatched call was recorded');

    const panel = await vscode.commands.executeCommand<UnmatchedPanel>('reprise.openUnmatched', done.outcome.runDir);
    assert.ok(panel);
    const p = await probeUntil(panel, (x) => (x.counts['section.call'] ?? 0) >= 1, 'the unmatched calls to render');
    assert.match(p.text, /POST \/v1\/charges/);
    assert.match(p.text, /Nearest stub/);
    assert.match(p.text, /body/);

    const callId = ((await fs.readFile(path.join(done.outcome.runDir, 'unmatched.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; request: { url: string } })).find((c) => c.request.url.includes('/v1/charges'))!.id;
    const draft = await panel.endpoint.dispatch('unmatched/draft', { callIds: [callId], mode: 'new' });
    assert.equal(draft.error, undefined);
    const text = (draft.result as { text: string }).text;
    const stub = JSON.parse(text) as { request: { method: string; path: string } };
    assert.deepEqual([stub.request.method, stub.request.path], ['POST', '/v1/charges']);

    const saved = await panel.endpoint.dispatch('unmatched/save', { text });
    assert.equal(saved.error, undefined);
    const s = saved.result as { ok: boolean; files: string[]; errors: string[] };
    assert.ok(s.ok, s.errors.join('; '));
    assert.match(s.files[0], /^\.reprise\/stubs\/payment-api\/post-/);

    const invalid = await panel.endpoint.dispatch('unmatched/save', { text: '{"request": {}, "response": {"status": "x"}}' });
    assert.equal((invalid.result as { ok: boolean }).ok, false, 'a draft failing the stub schema is not saved');

    const rerun = await panel.endpoint.dispatch('unmatched/rerun', { callIds: [callId] });
    assert.equal(rerun.error, undefined);
    const rr = rerun.result as { ok: boolean; message: string; calls: { matched: boolean }[] };
    assert.ok(rr.ok, rr.message);
    assert.deepEqual(rr.calls.map((c) => c.matched), [true]);
  });
});
