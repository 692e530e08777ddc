import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateReprise, EXTENSION_ID } from './helpers.js';

describe('extension activation', () => {
  it('activates and returns its API', async () => {
    const before = vscode.extensions.getExtension(EXTENSION_ID);
    const wasActive = before?.isActive;
    const t0 = performance.now();
    const api = await activateReprise();
    const wall = performance.now() - t0;
    console.log(
      `    reprise activation: activate() ${api.activationMs.toFixed(1)} ms, bundle evaluation ${api.loadMs.toFixed(1)} ms` +
        (wasActive ? ' (already active)' : `, ext.activate() wall time ${wall.toFixed(1)} ms (load + activate, as the host saw it)`),
    );
    assert.equal(api.host.isLoaded, false, 'activation does not load the engine bundle');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(ext?.isActive, true);
    assert.equal(typeof api.refresh, 'function');
    assert.ok(api.traffic, 'traffic provider exported');
    assert.ok(api.runs, 'runs provider exported');
    assert.equal(api.log.name, 'Reprise');
  });

  it('registers its commands', async () => {
    await activateReprise();
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of ['reprise.showLog', 'reprise.refresh', 'reprise.activationTime']) {
      assert.ok(all.has(id), `command ${id} is not registered`);
    }
  });

  it('contributes every command it registers, with the Reprise category', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; category?: string }[] };
    };
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const id of ['reprise.activationTime', 'reprise.refresh', 'reprise.showLog', 'reprise.runReplay', 'reprise.stop']) {
      assert.ok(contributed.has(id), `${id} is contributed`);
    }
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Reprise', `${c.command} category`);
  });

  it('reports its activation time through reprise.activationTime', async () => {
    const api = await activateReprise();
    const ms = await vscode.commands.executeCommand<number>('reprise.activationTime');
    assert.equal(typeof ms, 'number');
    assert.ok(Number.isFinite(ms) && ms > 0, `activation time ${ms}`);
    assert.equal(ms, api.activationMs);
    console.log(`    reprise activation time: ${ms.toFixed(1)} ms`);
  });

  it('shows its log without error', async () => {
    await activateReprise();
    await vscode.commands.executeCommand('reprise.showLog');
  });
});
