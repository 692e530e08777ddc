import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateReprise, EXTENSION_ID, workspaceRoot } from './helpers.js';

describe('extension activation', () => {
  it('activates and returns its API', async () => {
    const before = vscode.extensions.getExtension(EXTENSION_ID);
    const wasActive = before?.isActive;
    const t0 = performance.now();
    const api = await activateReprise();
    const wall = performance.now() - t0;
    // A measurement, not an assertion (timings flake on a shared machine): the target is load + activate ≤ 50 ms.
    const ext0 = vscode.extensions.getExtension(EXTENSION_ID)!;
    const kb = (name: string) => {
      try {
        return `${(fs.statSync(path.join(ext0.extensionPath, 'dist', name)).size / 1024).toFixed(0)} KB`;
      } catch {
        return 'absent';
      }
    };
    console.log(
      `    reprise activation: activate() ${api.activationMs.toFixed(1)} ms, bundle evaluation ${api.loadMs.toFixed(1)} ms, ` +
        `sum ${(api.activationMs + api.loadMs).toFixed(1)} ms (then the host waited ${api.hostWaitMs.toFixed(1)} ms before calling activate())` +
        (wasActive ? ' (already active)' : `, ext.activate() wall time ${wall.toFixed(1)} ms (load + activate, as the host saw it)`) +
        `; dist/extension.js ${kb('extension.js')} (lazy: engine.js ${kb('engine.js')}, language.js ${kb('language.js')}, webviews.js ${kb('webviews.js')}, yaml.js ${kb('yaml.js')})`,
    );
    assert.equal(api.host.isLoaded, false, 'activation does not load the engine bundle');
    assert.equal(api.bundles.engine.isLoaded, false, 'activation does not load dist/engine.js');
    assert.equal(api.bundles.language.isLoaded, false, 'activation does not load dist/language.js (language features)');
    assert.equal(api.bundles.webviews.isLoaded, false, 'activation does not load dist/webviews.js (panels, zod)');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(ext?.isActive, true);
    assert.equal(typeof api.refresh, 'function');
    assert.ok(api.traffic, 'traffic provider exported');
    assert.ok(api.runs, 'runs provider exported');
    assert.equal(api.log.name, 'Reprise');
  });

  it('loads no implementation bundle for a YAML file that is not a Reprise config', async () => {
    // onLanguage:yaml activates Reprise for any YAML file: for this one it must stay at the wiring.
    const api = await activateReprise();
    const file = path.join(workspaceRoot(), 'not-reprise.yaml');
    fs.writeFileSync(file, 'name: ci\non:\n  push: {}\n');
    try {
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'yaml');
      const end = new vscode.Position(1, 3);
      await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, end);
      await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, end);
      await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
      await doc.save();
      assert.equal(api.bundles.language.isLoaded, false, 'dist/language.js stays unloaded');
      assert.equal(api.bundles.webviews.isLoaded, false, 'dist/webviews.js stays unloaded');
      assert.equal(api.bundles.engine.isLoaded, false, 'dist/engine.js stays unloaded');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(file, { force: true });
    }
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
