/**
 * The CLI end to end on the example service: green run, a regression named by field, a dead target,
 * bad config, a malformed traffic line, runs/report/baseline.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, exampleCopy, freePort } from './helpers.js';
import { SERVER_SCRIPT, startProcess } from '../../../examples/orders/harness.mjs';

async function withService<T>(regression: string | undefined, fn: (dir: string, port: number) => Promise<T>): Promise<T> {
  const mockPort = await freePort();
  const svc = await startProcess(SERVER_SCRIPT, { PAYMENT_API_URL: `http://127.0.0.1:${mockPort}`, ORDERS_REGRESSION: regression ?? '' });
  try {
    const dir = await exampleCopy(svc.port, mockPort);
    return await fn(dir, svc.port);
  } finally {
    await svc.stop();
  }
}

describe('reprise run', () => {
  test('replays the example with mocks and passes every gate (exit 0)', async () => {
    await withService(undefined, async (dir) => {
      const r = await cli(['run', '--quiet'], dir);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /PASS/);
      assert.match(r.out, /✓ mock_match_rate/);
      const runs = await readdir(join(dir, '.reprise/runs'));
      const runDir = join(dir, '.reprise/runs', runs.find((x) => !x.endsWith('.json'))!);
      const summary = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
      assert.equal(summary.status, 'completed');
      assert.equal(summary.verdict, 'pass');
      assert.equal(summary.metrics.sent, 43);
      assert.equal(summary.metrics.unmatched_requests, 0);
      const results = (await readFile(join(runDir, 'results.jsonl'), 'utf8')).trim().split('\n');
      assert.equal(results.length, 43);
      const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
      assert.match(junit, /<testsuites/);
    });
  });

  test('a regression in the service fails the body gate and names the field (exit 1)', async () => {
    await withService('total', async (dir) => {
      const r = await cli(['run', '--quiet', '--json'], dir);
      assert.equal(r.code, 1, r.err);
      const summary = JSON.parse(r.out);
      const body = summary.gates.find((g: { name: string }) => g.name === 'body_match_rate');
      assert.equal(body.pass, false);
      assert.equal(summary.gates.find((g: { name: string }) => g.name === 'status_pass_rate').pass, true);
      const runDir = join(dir, '.reprise/runs', summary.runId);
      const failed = (await readFile(join(runDir, 'results.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((x) => x.outcome === 'fail');
      assert.ok(failed.length > 0);
      const paths = new Set(failed.flatMap((f) => f.validation.diffs.filter((d: { ignored?: string }) => !d.ignored).map((d: { path: string }) => d.path)));
      assert.ok(paths.has('$.total'), `failing paths: ${[...paths].join(', ')}`);
      for (const p of paths) assert.match(p, /total/, `only total fields should differ, got ${p}`);
    });
  });

  test('with no quality_gates configured, failing requests still fail the run', async () => {
    await withService('total', async (dir) => {
      const file = join(dir, 'reprise.yaml');
      const yaml = await readFile(file, 'utf8');
      await writeFile(file, yaml.replace(/^quality_gates:[\s\S]*?(?=^\S|$(?![\s\S]))/m, ''));
      assert.doesNotMatch(await readFile(file, 'utf8'), /quality_gates/);
      const r = await cli(['run', '--quiet', '--json'], dir);
      assert.equal(r.code, 1, r.err);
      const summary = JSON.parse(r.out);
      const g = summary.gates.find((x: { name: string }) => x.name === 'failed_requests');
      assert.ok(g, JSON.stringify(summary.gates));
      assert.equal(g.pass, false);
      assert.equal(g.measured, summary.metrics.failed + summary.metrics.errors);
    });
  });

  test('redact.json_paths masks body fields in the run folder', async () => {
    await withService(undefined, async (dir) => {
      const file = join(dir, 'reprise.yaml');
      await appendFile(file, 'redact: {json_paths: ["$.access_token"]}\n');
      const r = await cli(['run', '--quiet', '--json'], dir);
      assert.equal(r.code, 0, r.out + r.err);
      const id = JSON.parse(r.out).runId;
      const logins = (await readFile(join(dir, '.reprise/runs', id, 'results.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((x) => x.endpoint === 'POST /login' && x.actual?.status === 200);
      assert.ok(logins.length > 0);
      for (const l of logins) assert.equal(JSON.parse(l.actual.body).access_token, '***');
    });
  });

  test('a dead target gives failed results with the reason, not a crash', async () => {
    const dead = await freePort();
    const dir = await exampleCopy(dead, await freePort());
    const r = await cli(['run', '--quiet', '--json'], dir);
    assert.equal(r.code, 1, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.status, 'completed');
    assert.equal(summary.metrics.errors, 43);
    assert.equal(summary.metrics.error_rate, 1);
    const first = JSON.parse((await readFile(join(dir, '.reprise/runs', summary.runId, 'results.jsonl'), 'utf8')).split('\n')[0]);
    assert.equal(first.outcome, 'error');
    assert.equal(first.error.code, 'ECONNREFUSED');
  });

  test('a malformed traffic line is reported with file and line; the rest still replays', async () => {
    await withService(undefined, async (dir) => {
      const file = join(dir, 'traffic/inbound.jsonl');
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      // Keep only the probe session (health checks) so the run does not depend on order state.
      const probe = lines.filter((l) => JSON.parse(l).session === 'probe');
      await writeFile(file, [probe[0], '{"id": "broken", this is not json', ...probe.slice(1)].join('\n') + '\n');
      const r = await cli(['run', '--quiet', '--json'], dir);
      const summary = JSON.parse(r.out);
      assert.equal(summary.metrics.sent, probe.length);
      const issue = summary.sourceIssues.find((i: { line?: number }) => i.line === 2);
      assert.ok(issue, JSON.stringify(summary.sourceIssues));
      assert.match(issue.file, /inbound\.jsonl$/);
      assert.equal(r.code, 0, r.out);
    });
  });

  test('bad config: every problem with file:line:col, exit 2', async () => {
    const dir = await exampleCopy(await freePort(), await freePort());
    await appendFile(join(dir, 'reprise.yaml'), 'replay_typo: 1\n');
    const text = await readFile(join(dir, 'reprise.yaml'), 'utf8');
    await writeFile(join(dir, 'reprise.yaml'), text.replace('concurrency: 4', 'concurrency: lots').replace('">= 0.99"', '"=> 0.99"'));
    const r = await cli(['run'], dir);
    assert.equal(r.code, 2);
    const lines = r.err.split('\n').filter((l) => /reprise\.yaml:\d+:\d+/.test(l));
    assert.ok(lines.length >= 3, r.err);
    assert.ok(lines.some((l) => l.includes('replay.concurrency')), r.err);
    assert.ok(lines.some((l) => l.includes('replay_typo')), r.err);
    assert.ok(lines.some((l) => /bad-gate/.test(l)), r.err);
    const v = await cli(['validate-config'], dir);
    assert.equal(v.code, 2);
    assert.match(v.out, /errors? in /);
  });

  test('usage errors exit 2 with help', async () => {
    const r = await cli(['run', '--concurrency', 'abc'], process.cwd());
    assert.equal(r.code, 2);
    const u = await cli(['frobnicate'], process.cwd());
    assert.equal(u.code, 2);
    assert.match(u.err, /unknown command/);
    const h = await cli(['run', '--help'], process.cwd());
    assert.equal(h.code, 0);
    assert.match(h.out, /--time-scale/);
  });

  test('runs, report and baseline set work on past runs', async () => {
    await withService(undefined, async (dir) => {
      const r1 = await cli(['run', '--quiet', '--json'], dir);
      const id = JSON.parse(r1.out).runId;
      const list = await cli(['runs'], dir);
      assert.equal(list.code, 0);
      assert.match(list.out, new RegExp(id));
      const rep = await cli(['report', id], dir);
      assert.equal(rep.code, 0);
      assert.match(rep.out, /quality gates/);
      const latest = await cli(['report', 'latest', '--json'], dir);
      assert.equal(JSON.parse(latest.out).runId, id);
      const b = await cli(['baseline', 'set', id], dir);
      assert.equal(b.code, 0, b.err);
      const missing = await cli(['report', 'no-such-run'], dir);
      assert.equal(missing.code, 2);
    });
  });
});
