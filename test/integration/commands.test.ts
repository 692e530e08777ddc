/**
 * The Reprise commands in the real extension host, on the orders example: the example's reprise.yaml starts
 * the service itself (`sut:`), so every replay here is a real run against a fresh service process.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReplayDone } from '../../src/extension/commands/replay-runner.js';
import type { RunItem } from '../../src/extension/views/runs-tree.js';
import { activateReprise, EXTENSION_ID, workspaceRoot } from './helpers.js';
import { clearRuns, configFile, configureExample, eventually, originalConfig, restoreConfig } from './example-service.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function resultLines(runDir: string): Promise<unknown[]> {
  const text = await fs.readFile(path.join(runDir, 'results.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('Reprise commands (orders example)', function () {
  this.timeout(120_000);

  before(async () => {
    await clearRuns();
  });
  after(async () => {
    await restoreConfig();
    await clearRuns();
    (await activateReprise()).refresh();
  });

  it('Run Replay produces a run that appears in the Runs view, and the status bar shows its verdict', async () => {
    const api = await activateReprise();
    await configureExample();
    api.refresh();
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplay');
    assert.ok(done, 'the replay ran');
    assert.equal(done.outcome.summary.verdict, 'pass', `verdict ${done.outcome.summary.verdict}: ${JSON.stringify(done.outcome.summary.gates)} ${done.outcome.summary.error ?? ''}`);
    assert.equal(done.outcome.summary.metrics.sent, 43);
    assert.equal(path.dirname(done.outcome.runDir), path.join(workspaceRoot(), '.reprise', 'runs'));
    const runs = (await api.runs.getChildren()) as RunItem[];
    assert.equal(runs[0].summary.runId, done.outcome.runId, 'the new run is first in the Runs view');
    assert.match(api.services.status.item.text, /pass 100%/);
    assert.deepEqual(api.services.status.item.command, { command: 'reprise.showRunReport', title: 'Open Report', arguments: [done.outcome.runDir] });
  });

  it('Stop cancels a running replay and leaves a valid, aborted run', async () => {
    const api = await activateReprise();
    await configureExample({ slow: true });
    const runsDir = path.join(workspaceRoot(), '.reprise', 'runs');
    const before = new Set(await fs.readdir(runsDir).catch(() => [] as string[]));
    const started = vscode.commands.executeCommand<ReplayDone>('reprise.runReplay');
    // Wait until the new run has written a result, then stop it.
    const dir = await eventually(async () => {
      for (const id of await fs.readdir(runsDir)) {
        if (before.has(id) || id === 'baseline.json') continue;
        if ((await resultLines(path.join(runsDir, id))).length > 0) return path.join(runsDir, id);
      }
      return undefined;
    }, 'the slow run to write its first result', 60_000);
    assert.equal(api.services.runner.isRunning, true);
    assert.equal(await vscode.commands.executeCommand('reprise.stop'), true);
    const done = await started;
    assert.ok(done);
    assert.equal(done.outcome.runDir, dir);
    const summary = JSON.parse(await fs.readFile(path.join(dir, 'run.json'), 'utf8'));
    assert.equal(summary.status, 'aborted');
    assert.equal(summary.verdict, 'aborted');
    const lines = await resultLines(dir);
    assert.ok(lines.length >= 1 && lines.length < 43, `${lines.length} results before the stop`);
    assert.equal(summary.metrics.sent, lines.length, 'run.json agrees with results.jsonl');
    assert.equal(api.services.runner.isRunning, false);
    const runs = (await api.runs.getChildren()) as RunItem[];
    assert.equal(runs[0].summary.runId, path.basename(dir));
    assert.equal(runs[0].summary.verdict, 'aborted');
  });

  it('Rerun Failed replays only the failed requests of the last run', async () => {
    await activateReprise();
    await configureExample({ regression: 'total' });
    const first = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplay');
    assert.ok(first);
    assert.equal(first.outcome.summary.verdict, 'fail');
    const failed = first.outcome.summary.metrics.failed + first.outcome.summary.metrics.errors;
    assert.equal(failed, 21);
    const rerun = await vscode.commands.executeCommand<ReplayDone>('reprise.rerunFailed');
    assert.ok(rerun);
    assert.notEqual(rerun.outcome.runId, first.outcome.runId);
    assert.equal(rerun.outcome.summary.metrics.sent, 21, 'only the 21 failed requests were sent again');
    const failedIds = new Set<string>();
    for (const r of (await resultLines(first.outcome.runDir)) as { pairId: string; outcome: string }[]) if (r.outcome !== 'pass') failedIds.add(r.pairId);
    const again = ((await resultLines(rerun.outcome.runDir)) as { pairId: string }[]).map((r) => r.pairId);
    assert.deepEqual(new Set(again), failedIds);
  });

  it('Start Mocks Only serves the recorded payment API until Stop', async () => {
    const api = await activateReprise();
    const ports = await configureExample();
    const env = await vscode.commands.executeCommand<Record<string, string>>('reprise.startMocks');
    assert.deepEqual(env, { PAYMENT_API_URL: `http://127.0.0.1:${ports.mock}` });
    assert.deepEqual(api.services.background.mockEnv, env);
    const res = await get(`${env.PAYMENT_API_URL}/v1/customers/cus_alice`);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /discount_rate/);
    assert.equal(await vscode.commands.executeCommand('reprise.stop'), true);
    await assert.rejects(get(`${env.PAYMENT_API_URL}/v1/customers/cus_alice`), /ECONNREFUSED/);
  });

  it('Record Traffic records what passes through its proxy into the native store', async () => {
    await activateReprise();
    const ports = await configureExample();
    // A stand-in for the service on the configured target port.
    const app = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => app.listen(ports.service, '127.0.0.1', r));
    try {
      const rec = await vscode.commands.executeCommand<{ inUrl: string; outDir: string }>('reprise.record', { out: 'traffic/rec-test' });
      assert.ok(rec, 'recording started');
      const res = await get(`${rec.inUrl}/hello?x=1`);
      assert.deepEqual(JSON.parse(res.body), { path: '/hello?x=1' });
      assert.equal(await vscode.commands.executeCommand('reprise.stop'), true);
      const lines = (await fs.readFile(path.join(rec.outDir, 'inbound.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 1);
      assert.equal(lines[0].request.url, '/hello?x=1');
      assert.equal(lines[0].response.status, 200);
    } finally {
      await new Promise((r) => app.close(r));
      await fs.rm(path.join(workspaceRoot(), 'traffic', 'rec-test'), { recursive: true, force: true });
    }
  });

  it('Import Traffic converts a HAR capture into native JSONL', async () => {
    await activateReprise();
    const har = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'fixtures', 'workspace', 'traffic', 'orders.har');
    const out = path.join(workspaceRoot(), 'traffic', 'imported-test');
    const written = await vscode.commands.executeCommand<string[]>('reprise.import', [har], out);
    assert.deepEqual(written, [path.join(out, 'orders.jsonl')]);
    const pairs = (await fs.readFile(written[0], 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const harEntries = JSON.parse(await fs.readFile(har, 'utf8')).log.entries.length;
    assert.equal(pairs.length, harEntries);
    assert.ok(pairs.every((p) => p.request?.method && p.id && p.session !== undefined));
    await fs.rm(out, { recursive: true, force: true });
  });

  it('Create reprise.yaml scaffolds a valid config from the traffic it finds, with a mock per outbound service', async () => {
    const api = await activateReprise();
    const saved = await originalConfig();
    await fs.rm(configFile());
    try {
      api.refresh();
      const file = await vscode.commands.executeCommand<string>('reprise.scaffoldConfig', { pick: './traffic/inbound.jsonl' });
      assert.equal(file, configFile());
      const text = await fs.readFile(file, 'utf8');
      assert.match(text, /^traffic: \[\.\/traffic\/inbound\.jsonl\]$/m);
      assert.match(text, /- service: payment-api/);
      assert.match(text, /env: PAYMENT_API_URL/);
      // The engine accepts it.
      const config = await api.host.loadConfig(file);
      assert.equal(config.mocks[0].service, 'payment-api');
      assert.deepEqual(config.mocks[0].traffic, [path.join(workspaceRoot(), 'traffic', 'payment-api', 'outbound.jsonl')]);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      await fs.writeFile(configFile(), saved);
      api.refresh();
    }
  });
});
