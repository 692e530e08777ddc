/**
 * Restricted Mode (run by `run.mjs --untrusted`: workspace trust on, the folder not trusted). The views still
 * browse traffic and runs; replay, mocks and recording are refused with an explanation and start nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GroupItem, SourceItem } from '../../src/extension/views/traffic-tree.js';
import type { RunItem } from '../../src/extension/views/runs-tree.js';
import { activateReprise, workspaceRoot } from './helpers.js';

describe('Workspace trust (Restricted Mode)', function () {
  this.timeout(60_000);

  it('runs in an untrusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner opened the folder untrusted');
  });

  it('still browses traffic: sources, sessions, requests', async () => {
    const api = await activateReprise();
    const [source] = (await api.traffic.getChildren()) as SourceItem[];
    assert.equal(source.label, './traffic/inbound.jsonl');
    const sessions = (await api.traffic.getChildren(source)) as GroupItem[];
    assert.equal(sessions.length, 6);
    assert.equal((await api.traffic.getChildren(sessions[1])).length, 7);
  });

  it('still browses runs', async () => {
    const api = await activateReprise();
    const runsDir = path.join(workspaceRoot(), '.reprise', 'runs');
    await fs.rm(runsDir, { recursive: true, force: true });
    const report = api.host.engine().report;
    const writer = await report.RunWriter.create(runsDir, { target: 'http://127.0.0.1:1', traffic: [] });
    await writer.finish({ gates: [{ name: 'status_pass_rate', expression: '>= 0.99', measured: 1, pass: true }] });
    api.runs.refresh();
    const runs = (await api.runs.getChildren()) as RunItem[];
    assert.deepEqual(runs.map((r) => r.summary.runId), [writer.runId]);
    assert.deepEqual((await api.runs.getChildren(runs[0])).map((k) => k.label), ['✓ status_pass_rate']);
  });

  it('refuses replay, debug replay, mocks and recording with an explanation, starting nothing', async () => {
    const api = await activateReprise();
    const runsDir = path.join(workspaceRoot(), '.reprise', 'runs');
    const before = await fs.readdir(runsDir).catch(() => [] as string[]);
    const n = api.services.refusals.length;
    assert.equal(await vscode.commands.executeCommand('reprise.runReplay'), undefined);
    assert.equal(await vscode.commands.executeCommand('reprise.runReplayDebug'), undefined);
    assert.equal(await vscode.commands.executeCommand('reprise.startMocks'), undefined);
    assert.equal(await vscode.commands.executeCommand('reprise.record', { out: 'traffic/never' }), undefined);
    const shown = api.services.refusals.slice(n);
    assert.equal(shown.length, 4);
    assert.match(shown[0], /^Reprise: Replaying traffic is not available in Restricted Mode: .*Trust the workspace/);
    assert.match(shown[2], /^Reprise: Starting mocks is not available/);
    assert.match(shown[3], /^Reprise: Recording traffic is not available/);
    assert.deepEqual(await fs.readdir(runsDir).catch(() => [] as string[]), before, 'no run folder was created');
    assert.equal(api.services.background.mocks, undefined, 'no mocks were started');
    await assert.rejects(fs.access(path.join(workspaceRoot(), 'traffic', 'never')), 'no recording folder');
    assert.equal(api.services.runner.isRunning, false);
  });
});
