/**
 * The Traffic and Runs views on the orders example (the runner opens a scratch copy of examples/orders).
 * Runs are produced by real replays against the example service (see commands.test.ts for the commands).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GroupItem, RequestItem, SourceItem } from '../../src/extension/views/traffic-tree.js';
import type { FailedItem, FolderItem, GateItem, RunItem, RunsNode } from '../../src/extension/views/runs-tree.js';
import type { ReplayDone } from '../../src/extension/commands/replay-runner.js';
import { activateReprise, label, workspaceRoot } from './helpers.js';
import { clearRuns, configureExample, restoreConfig } from './example-service.js';

const SESSIONS = ['probe', 'user-alice', 'user-bob', 'user-carol', 'user-dave', 'user-erin'];

describe('Traffic view (orders example)', () => {
  afterEach(async () => {
    const api = await activateReprise();
    api.traffic.setGrouping('session');
  });

  it('lists the reprise.yaml source, its sessions with counts, and each session’s requests in order', async () => {
    const api = await activateReprise();
    api.refresh();
    const roots = (await api.traffic.getChildren()) as SourceItem[];
    assert.deepEqual(roots.map(label), ['./traffic/inbound.jsonl']);
    assert.equal(roots[0].entry.absolute, path.join(workspaceRoot(), 'traffic', 'inbound.jsonl'));
    assert.equal(roots[0].collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'sources load their children lazily');

    const sessions = (await api.traffic.getChildren(roots[0])) as GroupItem[];
    assert.deepEqual(sessions.map(label), SESSIONS);
    assert.deepEqual(
      sessions.map((s) => s.description),
      ['6 requests', '7 requests', '8 requests', '6 requests', '8 requests', '8 requests'],
    );
    assert.equal(sessions[1].contextValue, 'reprise.session');
    // The source's description is filled once it has been indexed.
    assert.equal(roots[0].description, '43 pairs · 6 sessions');

    const alice = (await api.traffic.getChildren(sessions[1])) as RequestItem[];
    assert.deepEqual(alice.map(label), [
      'POST /login',
      'GET /products',
      'POST /orders',
      'GET /orders/ord_49db8b5379e7',
      'POST /orders',
      'GET /orders/ord_6748d16ffb49',
      'GET /orders?user=alice',
    ]);
    assert.match(String(alice[2].description), /^201 · \d+ ms$/, 'status and duration');
    assert.equal(alice[2].contextValue, 'reprise.request.in', 'inbound requests can be replayed');
    assert.equal(alice[2].command?.command, 'reprise.openPair');
  });

  it('switches to grouping by endpoint, with status counts', async () => {
    const api = await activateReprise();
    await vscode.commands.executeCommand('reprise.traffic.groupByEndpoint');
    assert.equal(api.traffic.grouping, 'endpoint');
    const [source] = (await api.traffic.getChildren()) as SourceItem[];
    const endpoints = (await api.traffic.getChildren(source)) as GroupItem[];
    const byKey = new Map(endpoints.map((e) => [e.key, e]));
    assert.ok(byKey.has('POST /orders'), `endpoints: ${[...byKey.keys()].join(', ')}`);
    assert.ok(byKey.has('GET /orders/{id}'), 'ids are templated');
    assert.equal(byKey.get('GET /health')?.description, '6 requests · 200×6');
    assert.equal(endpoints.reduce((n, e) => n + e.count, 0), 43);
    const health = (await api.traffic.getChildren(byKey.get('GET /health'))) as RequestItem[];
    assert.equal(health.length, 6);
    assert.ok(health.every((h) => String(h.description).endsWith('probe')), 'requests under an endpoint name their session');
    await vscode.commands.executeCommand('reprise.traffic.groupBySession');
    assert.equal(api.traffic.grouping, 'session');
  });

  it('opens a pair as a read-only document with the request and response, secrets redacted', async () => {
    const api = await activateReprise();
    const [source] = (await api.traffic.getChildren()) as SourceItem[];
    const sessions = (await api.traffic.getChildren(source)) as GroupItem[];
    const alice = (await api.traffic.getChildren(sessions.find((s) => s.key === 'user-alice'))) as RequestItem[];
    const editor = (await vscode.commands.executeCommand('reprise.openPair', alice[2])) as vscode.TextEditor;
    const text = editor.document.getText();
    assert.equal(editor.document.uri.scheme, 'reprise', 'a content-provider (read-only) document');
    assert.match(text, /^POST \/orders$/m);
    assert.match(text, /^HTTP 201$/m);
    assert.match(text, /"chargeId":/, 'the response body, pretty-printed');
    assert.doesNotMatch(text, /tok_394ec84a85992e761bf24fd1ac99a91c/, 'the bearer token is redacted');
    assert.match(text, /^authorization: /m);
    // Served by a TextDocumentContentProvider: VS Code opens it read-only (there is no file to save to).
    assert.equal(editor.document.isUntitled, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});

describe('Runs view (orders example)', () => {
  let done: { pass?: ReplayDone; fail?: ReplayDone } = {};

  before(async function () {
    this.timeout(120_000);
    await clearRuns();
    const api = await activateReprise();
    // reprise.yaml starts the example service itself (sut:), fresh for each run.
    for (const [key, regression] of [['pass', undefined], ['fail', 'total']] as const) {
      await configureExample({ regression });
      api.refresh();
      done[key] = (await vscode.commands.executeCommand<ReplayDone>('reprise.runReplay'))!;
      assert.ok(done[key], `the ${key} replay ran`);
    }
  });

  after(async () => {
    await restoreConfig();
    done = {};
  });

  it('lists the runs newest first with verdict icon, pass rate and time', async () => {
    const api = await activateReprise();
    const runs = (await api.runs.getChildren()) as RunItem[];
    assert.equal(runs.length, 2);
    assert.deepEqual(runs.map((r) => r.summary.runId), [done.fail!.outcome.runId, done.pass!.outcome.runId]);
    assert.match(label(runs[0]), /^fail · /);
    assert.match(label(runs[1]), /^pass · /);
    assert.equal((runs[1].iconPath as vscode.ThemeIcon).id, 'pass');
    assert.equal((runs[0].iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(runs[1].description), /^100% passed · 43 req · [\d.]+ s$/);
    assert.match(String(runs[0].description), /^51\.1% passed · 43 req/, '22 of 43 pass when $.total is wrong');
    assert.equal(runs[0].contextValue, 'reprise.run.hasFailures');
  });

  it('shows a run’s gates with values, its failed requests naming the field, and no unmatched calls', async () => {
    const api = await activateReprise();
    const [failRun, passRun] = (await api.runs.getChildren()) as RunItem[];
    const passKids = (await api.runs.getChildren(passRun)) as RunsNode[];
    assert.deepEqual(passKids.map(label), ['✓ status_pass_rate', '✓ body_match_rate', '✓ mock_match_rate', '✓ unmatched_requests']);
    assert.equal((passKids[0] as GateItem).description, '1.000 >= 0.99');

    const failKids = (await api.runs.getChildren(failRun)) as RunsNode[];
    assert.deepEqual(failKids.map(label), ['✓ status_pass_rate', '✗ body_match_rate', '✓ mock_match_rate', '✓ unmatched_requests', 'Failed requests']);
    assert.match(String((failKids[1] as GateItem).description), /^0\.51\d >= 0\.95$/);
    const folder = failKids[4] as FolderItem;
    assert.equal(folder.description, '21');
    const failed = (await api.runs.getChildren(folder)) as FailedItem[];
    assert.equal(failed.length, 21);
    assert.ok(failed.every((f) => /\$(\.orders\[\d+\])?\.total/.test(String(f.description))), `every failure names $.total: ${failed.map((f) => f.description).join(' | ')}`);
    assert.equal(failed[0].contextValue, 'reprise.failedRequest');
  });

  it('opens the diff of a failed request', async () => {
    const api = await activateReprise();
    const [failRun] = (await api.runs.getChildren()) as RunItem[];
    const folder = ((await api.runs.getChildren(failRun)) as RunsNode[]).find((k) => k.kind === 'folder') as FolderItem;
    const [first] = (await api.runs.getChildren(folder)) as FailedItem[];
    await vscode.commands.executeCommand('reprise.openNativeDiff', first);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `a diff editor is open (${tab?.label})`);
    const left = (await vscode.workspace.openTextDocument(tab.input.original)).getText();
    const right = (await vscode.workspace.openTextDocument(tab.input.modified)).getText();
    const total = (t: string) => /"total": (\d+)/.exec(t)?.[1];
    assert.ok(total(left) && total(right) && total(left) !== total(right), `recorded and replayed totals differ:\n${left}\n---\n${right}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('sets a run as the baseline and deletes a run', async () => {
    const api = await activateReprise();
    const [failRun, passRun] = (await api.runs.getChildren()) as RunItem[];
    await vscode.commands.executeCommand('reprise.setBaseline', passRun);
    const baseline = JSON.parse(await fs.readFile(path.join(path.dirname(passRun.dir), 'baseline.json'), 'utf8'));
    assert.equal(baseline.runId, passRun.summary.runId);
    const again = (await api.runs.getChildren()) as RunItem[];
    assert.equal(again[1].contextValue, 'reprise.run.baseline');
    assert.match(String(again[1].description), /baseline$/);

    assert.equal(await vscode.commands.executeCommand('reprise.deleteRun', failRun, { confirmed: true }), true);
    await assert.rejects(fs.access(failRun.dir), 'the run folder is gone');
    const left = (await api.runs.getChildren()) as RunItem[];
    assert.deepEqual(left.map((r) => r.summary.runId), [passRun.summary.runId]);
  });

  it('lists a run whose process was killed (kill -9) as aborted, with the time it was last written', async () => {
    const api = await activateReprise();
    const [passRun] = (await api.runs.getChildren()) as RunItem[];
    // A run folder whose writer was a real process, now SIGKILLed; its run.json still says "running".
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    assert.equal((await exited)[1], 'SIGKILL');
    const runId = `${passRun.summary.runId}-killed`;
    const dir = path.join(path.dirname(passRun.dir), runId);
    await fs.mkdir(dir);
    try {
      const startedAt = new Date(Date.parse(passRun.summary.startedAt) - 60_000).toISOString();
      const running = { ...passRun.summary, runId, startedAt, status: 'running', verdict: 'running', endedAt: undefined, gates: [], writer: { pid: child.pid, host: os.hostname(), startedAt } };
      await fs.writeFile(path.join(dir, 'run.json'), JSON.stringify(running));
      const written = new Date((await fs.stat(path.join(dir, 'run.json'))).mtimeMs).toISOString();
      api.refresh();
      const runs = (await api.runs.getChildren()) as RunItem[];
      const killed = runs.find((r) => r.summary.runId === runId);
      assert.ok(killed, `listed: ${runs.map((r) => r.summary.runId).join(', ')}`);
      assert.match(label(killed), /^aborted · /);
      assert.equal((killed.iconPath as vscode.ThemeIcon).id, 'circle-slash');
      assert.equal(killed.summary.orphaned?.lastWrittenAt, written);
      assert.match(String(killed.description), /· process gone, last written /);
      assert.match((killed.tooltip as vscode.MarkdownString).value, new RegExp(`aborted \\(its process \\(pid ${child.pid}\\) is gone; last written ${written}\\)`));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Reprise view container', () => {
  it('opens and focuses both views', async () => {
    await activateReprise();
    await vscode.commands.executeCommand('workbench.view.extension.reprise');
    await vscode.commands.executeCommand('reprise.traffic.focus');
    await vscode.commands.executeCommand('reprise.runs.focus');
  });
});
