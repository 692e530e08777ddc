import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateReprise, label, workspaceRoot } from './helpers.js';

describe('Traffic view', () => {
  it('lists the traffic entries of the workspace reprise.yaml, in order, with their kind', async () => {
    const api = await activateReprise();
    const items = await api.traffic.getChildren();
    assert.deepEqual(items.map(label), ['traffic/orders.har', 'traffic/recorded', 'traffic/not-there.jsonl']);
    assert.deepEqual(
      items.map((i) => i.entry.kind),
      ['file', 'folder', 'missing'],
    );
    const root = workspaceRoot();
    assert.equal(items[0].entry.absolute, path.join(root, 'traffic', 'orders.har'));
    assert.equal(items[2].description, 'missing');
    assert.equal(items[0].command?.command, 'vscode.open', 'a traffic file opens on click');
  });

  it('follows edits of reprise.yaml after a refresh', async () => {
    const api = await activateReprise();
    const file = path.join(workspaceRoot(), 'reprise.yaml');
    const original = await fs.readFile(file, 'utf8');
    try {
      await fs.writeFile(file, 'target: http://127.0.0.1:8080\ntraffic: traffic/orders.har\n');
      api.refresh();
      const items = await api.traffic.getChildren();
      assert.deepEqual(items.map(label), ['traffic/orders.har']);
    } finally {
      await fs.writeFile(file, original);
      api.refresh();
    }
    assert.equal((await api.traffic.getChildren()).length, 3);
  });

  it('fires onDidChangeTreeData on refresh', async () => {
    const api = await activateReprise();
    const fired = new Promise<void>((resolve) => {
      const sub = api.traffic.onDidChangeTreeData(() => {
        sub.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('reprise.refresh');
    await fired;
  });
});

describe('Runs view', () => {
  it('lists run folders under .reprise/runs, newest first', async () => {
    const api = await activateReprise();
    const runsDir = path.join(workspaceRoot(), '.reprise', 'runs');
    await fs.rm(runsDir, { recursive: true, force: true });
    assert.deepEqual(await api.runs.getChildren(), [], 'no runs before any folder exists');

    await fs.mkdir(path.join(runsDir, '2026-01-01T10-00-00-aaaa'), { recursive: true });
    await fs.mkdir(path.join(runsDir, '2026-01-02T09-30-00-bbbb'), { recursive: true });
    await fs.writeFile(path.join(runsDir, 'stray-file.txt'), 'not a run');
    api.runs.refresh();
    const items = await api.runs.getChildren();
    assert.deepEqual(items.map(label), ['2026-01-02T09-30-00-bbbb', '2026-01-01T10-00-00-aaaa']);
    assert.equal(items[0].run.dir, path.join(runsDir, '2026-01-02T09-30-00-bbbb'));
    await fs.rm(path.join(workspaceRoot(), '.reprise'), { recursive: true, force: true });
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
