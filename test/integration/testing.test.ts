/**
 * The Testing API controller: traffic as test items, runs through VS Code's own test commands (Run All,
 * Rerun Failed Tests), failures carrying expected/actual output for VS Code's diff.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateReprise, workspaceRoot } from './helpers.js';
import { clearRuns, configureExample, restoreConfig } from './example-service.js';

interface Recorded {
  include: string[] | undefined;
  events: { kind: string; id: string; message?: vscode.TestMessage }[];
}

/** Records what our run handler reports, by wrapping controller.createTestRun (the runs still reach VS Code). */
function recordRuns(ctrl: vscode.TestController): { runs: Recorded[]; next(): Promise<Recorded>; restore(): void } {
  const orig = ctrl.createTestRun.bind(ctrl);
  const runs: Recorded[] = [];
  let waiters: ((r: Recorded) => void)[] = [];
  ctrl.createTestRun = (request, name, persist) => {
    const run = orig(request, name, persist);
    const rec: Recorded = { include: request.include?.map((i) => i.id), events: [] };
    runs.push(rec);
    const note = (kind: string) => (item: vscode.TestItem, msg?: vscode.TestMessage | readonly vscode.TestMessage[] | number, d?: number) => {
      const message = msg instanceof vscode.TestMessage ? msg : Array.isArray(msg) ? msg[0] : undefined;
      rec.events.push({ kind, id: item.id, message });
      return (run as unknown as Record<string, (...a: unknown[]) => void>)[kind](item, msg, d);
    };
    return new Proxy(run, {
      get(target, p) {
        if (p === 'passed' || p === 'failed' || p === 'errored' || p === 'skipped') return note(p);
        if (p === 'end') {
          return () => {
            target.end();
            const w = waiters;
            waiters = [];
            for (const f of w) f(rec);
          };
        }
        const v = (target as unknown as Record<string | symbol, unknown>)[p];
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return {
    runs,
    next: () => new Promise<Recorded>((r) => waiters.push(r)),
    restore: () => {
      ctrl.createTestRun = orig;
    },
  };
}

describe('Testing API (orders example)', function () {
  this.timeout(120_000);
  after(async () => {
    await restoreConfig();
    await clearRuns();
  });

  it('exposes sources, sessions and requests as test items, loaded lazily', async () => {
    const api = await activateReprise();
    const ctrl = api.services.tests.controller;
    await ctrl.resolveHandler!(undefined);
    const sources: vscode.TestItem[] = [];
    ctrl.items.forEach((i) => sources.push(i));
    assert.deepEqual(sources.map((s) => s.label), ['./traffic/inbound.jsonl']);
    assert.equal(sources[0].uri?.fsPath, path.join(workspaceRoot(), 'traffic', 'inbound.jsonl'));
    assert.equal(sources[0].children.size, 0, 'children load on demand');
    await ctrl.resolveHandler!(sources[0]);
    const sessions: vscode.TestItem[] = [];
    sources[0].children.forEach((s) => sessions.push(s));
    assert.deepEqual(sessions.map((s) => s.label), ['probe', 'user-alice', 'user-bob', 'user-carol', 'user-dave', 'user-erin']);
    const alice = sessions[1];
    await ctrl.resolveHandler!(alice);
    const reqs: vscode.TestItem[] = [];
    alice.children.forEach((r) => reqs.push(r));
    assert.equal(reqs.length, 7);
    assert.ok(reqs.every((r) => r.id.startsWith('pair:')));
    const login = reqs.find((r) => r.label === 'POST /login');
    assert.ok(login?.range, 'a request item points at its line in the traffic file');
  });

  it('Run All replays every request and reports failures with expected and actual output; Rerun Failed Tests reruns exactly those', async () => {
    const api = await activateReprise();
    await configureExample({ regression: 'total' });
    api.refresh();
    const ctrl = api.services.tests.controller;
    const rec = recordRuns(ctrl);
    try {
      const first = rec.next();
      await vscode.commands.executeCommand('testing.runAll');
      const run = await first;
      const by = (k: string) => run.events.filter((e) => e.kind === k);
      assert.equal(by('passed').length, 22, `events: ${run.events.map((e) => e.kind).join(',')}`);
      assert.equal(by('failed').length, 21);
      for (const f of by('failed')) {
        const m = f.message!;
        assert.ok(m.expectedOutput && m.actualOutput, 'a failure carries expected and actual output');
        const total = (t: string) => /"total": (\d+)/.exec(t)?.[1];
        assert.ok(/"total"/.test(m.expectedOutput), m.expectedOutput);
        assert.notEqual(total(m.expectedOutput), total(m.actualOutput), 'expected and actual differ in total');
        assert.match(String(m.message), /total/);
      }

      const failedIds = by('failed').map((e) => e.id).sort();
      const second = rec.next();
      await vscode.commands.executeCommand('testing.reRunFailTests');
      const rerun = await second;
      assert.deepEqual([...(rerun.include ?? [])].sort(), failedIds, 'VS Code asked to rerun exactly the failed items');
      assert.deepEqual(rerun.events.map((e) => e.id).sort(), failedIds, 'and only those were replayed');
    } finally {
      rec.restore();
    }
  });
});
