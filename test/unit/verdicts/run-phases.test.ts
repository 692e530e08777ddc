// Runs in phases with the service under test started by Reprise (`sut:`): the example orders service and
// deliberately broken services, real processes and real requests on loopback.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { runReplay } from '../../../src/engine/run/index.js';
import { readRun, setBaseline, formatSummary } from '../../../src/engine/report/index.js';
import { NO_BASELINE_NOTE } from '../../../src/engine/gates/index.js';
import { ctx, exampleConfig, freePort, makeConfig, tmpDir, assertGone, readJsonLines, repoRoot } from './helpers.js';

const posix = process.platform !== 'win32';
const node = JSON.stringify(process.execPath);

/** One recorded GET / → 200 "ok". */
async function oneRequestTraffic(dir: string): Promise<string> {
  const file = path.join(dir, 'in.jsonl');
  const pair = {
    id: 'p1',
    session: 's1',
    seq: 0,
    ts: '2026-01-01T00:00:00.000Z',
    direction: 'in',
    request: { method: 'GET', url: '/', headers: {} },
    response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' },
  };
  await fsp.writeFile(file, JSON.stringify(pair) + '\n');
  return file;
}

/** A config for a hand-made service command, on a free port. */
async function sutConfig(dir: string, sut: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const port = await freePort();
  return makeConfig(
    {
      target: `http://127.0.0.1:${port}`,
      traffic: [await oneRequestTraffic(dir)],
      runs_dir: path.join(dir, 'runs'),
      sut: { cwd: dir, ready: { url: '/', timeout: '400ms', interval: '50ms' }, stop_timeout: '300ms', ...sut },
      ...extra,
    },
    dir,
  );
}

describe('runs with the service started by Reprise', { skip: posix ? false : 'process groups are POSIX' }, () => {
  test('the example service through sut: ready, replayed green, phases recorded, resources measured, stopped', async () => {
    const dir = await tmpDir();
    const config = await exampleConfig(path.join(dir, 'runs'), { extra: { quality_gates: { body_match_rate: '>= 0.95', log_errors: '== 0' } } });
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 0, formatSummary(s, { color: false }));
    assert.equal(s.verdict, 'pass');
    assert.deepEqual(s.phases?.map((p) => `${p.name}:${p.status}`), ['backends:ok', 'service:ok', 'gates:ok', 'replay:ok', 'stop:ok']);
    const svc = s.phases!.find((p) => p.name === 'service')!;
    assert.match(svc.detail!, /started `.*server\.mjs` \(pid \d+\); ready after \d+(ms|\.\ds|s) \(GET http:\/\/127\.0\.0\.1:\d+\/health → 2xx\)/);
    assert.match(s.phases!.find((p) => p.name === 'stop')!.detail!, /stopped with SIGTERM/);
    // the mock's URL (port 0 → a free port) reached the service: every payment call matched
    assert.equal(s.mocks[0].calls, 16);
    assert.equal(s.metrics.unmatched_requests, 0);
    // the service's resources and log
    assert.equal(typeof s.metrics.mem_peak, 'number');
    assert.ok(s.metrics.mem_peak! > 1024 * 1024);
    assert.equal(typeof s.metrics.cpu_avg, 'number');
    assert.equal(s.metrics.log_errors, 0);
    assert.equal(s.gates.find((g) => g.name === 'log_errors')?.pass, true);
    const log = await fsp.readFile(path.join(outcome.runDir, 'sut.log'), 'utf8');
    assert.match(log, /orders service listening on http:\/\/127\.0\.0\.1:\d+, payment API http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(s.sut?.log, 'sut.log');
    assertGone(s.sut?.pid);
    // run.json on disk has the phases too
    const disk = await readRun(outcome.runDir);
    assert.deepEqual(disk.phases?.map((p) => p.name), ['backends', 'service', 'gates', 'replay', 'stop']);
    assert.match(formatSummary(disk, { color: false }), /phases \.+ ✓ backends \S+ {2}✓ service \S+ {2}✓ gates \S+ {2}✓ replay \S+ {2}✓ stop/);
  });

  test('a service that never becomes ready: the service phase fails, nothing is replayed, no process is left', async () => {
    const dir = await tmpDir();
    const config = await sutConfig(dir, { command: `${node} -e "setInterval(() => {}, 1000)"` });
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 3);
    assert.equal(s.status, 'error');
    assert.equal(s.verdict, 'error');
    assert.match(s.error!, /^service phase failed: the service \(`.*`\) was not ready after 400ms: last check GET http:\/\/127\.0\.0\.1:\d+\/ → ECONNREFUSED/);
    assert.deepEqual(s.phases?.map((p) => `${p.name}:${p.status}`), ['backends:skipped', 'service:failed', 'stop:ok']);
    assert.equal(s.metrics.sent, 0);
    assert.deepEqual(await readJsonLines(path.join(outcome.runDir, 'results.jsonl')), []);
    assertGone(s.sut?.pid);
    const text = formatSummary(await readRun(outcome.runDir), { color: false });
    assert.match(text, /✗ service: the service .* was not ready after 400ms/);
    assert.match(text, /✗ ERROR — service phase failed/);
  });

  test('a command that exits at once: the reason has its exit code and last output', async () => {
    const dir = await tmpDir();
    const config = await sutConfig(dir, { command: 'echo "listen EADDRINUSE: address already in use" >&2; exit 3', ready: { url: '/', timeout: '10s' } });
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 3);
    const phase = s.phases!.find((p) => p.name === 'service')!;
    assert.equal(phase.status, 'failed');
    assert.match(phase.detail!, /exited with code 3 before it became ready; its last output:\n\s+listen EADDRINUSE/);
    assert.equal(s.sut?.exitCode, 3);
    assertGone(s.sut?.pid);
    assert.match(await fsp.readFile(path.join(outcome.runDir, 'sut.log'), 'utf8'), /EADDRINUSE/);
  });

  test('a service that ignores SIGTERM is killed with SIGKILL after stop_timeout; the stop phase says so', async () => {
    const dir = await tmpDir();
    const server = `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); require('http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('ok'); }).listen(process.env.PORT, '127.0.0.1')`;
    await fsp.writeFile(path.join(dir, 'stubborn.js'), server);
    const config = await sutConfig(dir, { command: `${node} stubborn.js`, env: { PORT: '${REPRISE_TARGET_PORT}' }, ready: { url: '/', timeout: '10s', interval: '50ms' } });
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(s.verdict, 'pass', formatSummary(s, { color: false }));
    const stop = s.phases!.find((p) => p.name === 'stop')!;
    assert.equal(stop.status, 'failed');
    assert.match(stop.detail!, /ignored SIGTERM for 300ms \(stop_timeout\): killed its process group with SIGKILL/);
    assertGone(s.sut?.pid);
    assert.match(await fsp.readFile(path.join(outcome.runDir, 'sut.log'), 'utf8'), /ignoring SIGTERM/);
  });

  test('cancellation while waiting for readiness stops the service and ends the run as aborted', async () => {
    const dir = await tmpDir();
    const config = await sutConfig(dir, { command: 'sleep 1000', ready: { url: '/', timeout: '60s', interval: '50ms' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 300);
    const outcome = await runReplay({ config, ctx: ctx(), signal: ac.signal });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 1);
    assert.equal(s.status, 'aborted');
    assert.equal(s.abortReason, 'cancelled during the service phase');
    assertGone(s.sut?.pid);
  });

  test('a real dependency that is not ready fails the backends phase before the service is started', async () => {
    const dir = await tmpDir();
    const dead = await freePort();
    const config = await sutConfig(dir, {
      command: 'sleep 1000',
      depends_on: [{ name: 'db', url: `tcp://127.0.0.1:${dead}`, timeout: '200ms' }],
    });
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 3);
    assert.match(s.error!, new RegExp(`^backends phase failed: dependency db was not ready after 200ms: last check connect 127\\.0\\.0\\.1:${dead} → ECONNREFUSED`));
    assert.deepEqual(s.phases?.map((p) => `${p.name}:${p.status}`), ['backends:failed']);
    assert.equal(s.sut, undefined, 'the service was never started');
  });

  test('gates phase: a resource gate without a service started by Reprise fails before any traffic', async () => {
    const dir = await tmpDir();
    const port = await freePort();
    const config = makeConfig(
      { target: `http://127.0.0.1:${port}`, traffic: [await oneRequestTraffic(dir)], runs_dir: path.join(dir, 'runs'), quality_gates: { cpu_delta: '<= +15%', log_errors: '== 0' } },
      dir,
    );
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(outcome.exitCode, 3);
    assert.deepEqual(s.phases?.map((p) => `${p.name}:${p.status}`), ['backends:skipped', 'service:skipped', 'gates:failed']);
    assert.match(s.error!, /^gates phase failed: cpu_delta measures the service's CPU, which needs the service started by Reprise \(sut\.command\); log_errors counts/);
    assert.equal(s.metrics.sent, 0);
  });
});

describe('cutoffs, with the example service switched into a failing mode', { skip: posix ? false : 'process groups are POSIX' }, () => {
  async function cutoffRun(env: Record<string, string>, cutoffs: Record<string, unknown>, gates?: Record<string, string>) {
    const dir = await tmpDir();
    const config = await exampleConfig(path.join(dir, 'runs'), { env, extra: { cutoffs, ...(gates ? { quality_gates: gates } : {}) } });
    config.replay.concurrency = 2;
    const outcome = await runReplay({ config, ctx: ctx() });
    const s = outcome.summary;
    assert.equal(s.status, 'aborted', formatSummary(s, { color: false }));
    assert.equal(s.verdict, 'aborted');
    assert.equal(outcome.exitCode, 1);
    assert.ok(s.metrics.total > 0 && s.metrics.total < 43, `stopped early with what was done kept: ${s.metrics.total} results`);
    const lines = await readJsonLines(path.join(outcome.runDir, 'results.jsonl'));
    assert.equal(lines.length, s.metrics.total, 'results so far are in the run folder');
    const replayPhase = s.phases!.find((p) => p.name === 'replay')!;
    assert.equal(replayPhase.status, 'failed');
    assert.equal(s.phases!.at(-1)!.name, 'stop');
    assertGone(s.sut?.pid);
    return { s, outcome };
  }

  test('error_rate: a service answering 500 is cut off; its ERROR lines are counted', async () => {
    const { s } = await cutoffRun({ ORDERS_REGRESSION: '500' }, { error_rate: '> 0.5', window: 6 }, { log_errors: '== 0' });
    assert.match(s.abortReason!, /^cutoff error_rate > 0\.5 tripped: 0\.\d+ over the last 6 requests$/);
    assert.ok(s.metrics.log_errors! > 0, 'the service logged ERROR lines');
    const g = s.gates.find((x) => x.name === 'log_errors')!;
    assert.equal(g.pass, false);
    assert.match(formatSummary(s, { color: false }), /■ ABORTED — cutoff error_rate/);
  });

  test('latency_p95: a slow service is cut off', async () => {
    const { s } = await cutoffRun({ ORDERS_REGRESSION: 'slow', ORDERS_SLOW_MS: '150' }, { latency_p95: '> 100ms', window: 4 });
    assert.match(s.abortReason!, /^cutoff latency_p95 > 100ms tripped: \d+ms over the last 4 requests$/);
  });

  test('mock_miss_rate: a service making calls the mocks do not know is cut off', async () => {
    const { s } = await cutoffRun({ ORDERS_REGRESSION: 'charge' }, { mock_miss_rate: '> 0.2', window: 4 });
    assert.match(s.abortReason!, /^cutoff mock_miss_rate > 0\.2 tripped: 0\.5 over the last 4 mock calls$/);
    assert.ok(s.metrics.unmatched_requests > 0);
  });

  test('a healthy service trips no cutoff', async () => {
    const dir = await tmpDir();
    const config = await exampleConfig(path.join(dir, 'runs'), { extra: { cutoffs: { error_rate: '> 0.2', latency_p95: '> 5s', mock_miss_rate: '> 0.1', window: 10 } } });
    const outcome = await runReplay({ config, ctx: ctx() });
    assert.equal(outcome.summary.verdict, 'pass', formatSummary(outcome.summary, { color: false }));
    assert.match(outcome.summary.phases!.find((p) => p.name === 'replay')!.detail!, /cutoffs error_rate > 0\.2, latency_p95 > 5s, mock_miss_rate > 0\.1 not tripped/);
  });
});

describe('baselines', { skip: posix ? false : 'process groups are POSIX' }, () => {
  test('delta gates say "no baseline" instead of passing; with one they measure deltas; endpoints get latency and status deltas', async () => {
    const dir = await tmpDir();
    const runsDir = path.join(dir, 'runs');
    const gates = { status_pass_rate: '>= 0', mem_delta: '<= +1000%', cpu_delta: '<= +100000', latency_p95_delta: '<= +100000ms' };
    const first = await runReplay({ config: await exampleConfig(runsDir, { extra: { quality_gates: gates } }), ctx: ctx() });
    const s1 = first.summary;
    assert.equal(s1.verdict, 'fail');
    for (const name of ['mem_delta', 'cpu_delta', 'latency_p95_delta']) {
      const g = s1.gates.find((x) => x.name === name)!;
      assert.equal(g.pass, false, name);
      assert.equal(g.note, NO_BASELINE_NOTE);
    }
    assert.match(s1.phases!.find((p) => p.name === 'gates')!.detail!, /no baseline run, so 3 delta gates cannot pass \(set one with `reprise baseline set <run>`\)/);
    assert.equal(s1.endpoints.find((e) => e.endpoint === 'GET /orders/{id}')?.status_counts?.['200'], 8);

    await setBaseline(runsDir, first.runId);
    const second = await runReplay({ config: await exampleConfig(runsDir, { extra: { quality_gates: gates } }), ctx: ctx() });
    const s2 = second.summary;
    assert.equal(s2.baseline?.runId, first.runId);
    assert.equal(s2.verdict, 'pass', formatSummary(s2, { color: false }));
    const mem = s2.gates.find((g) => g.name === 'mem_delta')!;
    assert.equal(mem.baseline, s1.metrics.mem_peak);
    assert.equal(typeof mem.measured, 'number');
    assert.equal(s2.gates.find((g) => g.name === 'cpu_delta')!.baseline, s1.metrics.cpu_avg);
    const ep = s2.endpoints.find((e) => e.endpoint === 'POST /orders')!;
    assert.equal(ep.baseline?.requests, 9);
    assert.equal(ep.latency_p95_delta, Number((ep.latency_p95 - ep.baseline!.latency_p95).toPrecision(6)));
    assert.deepEqual(ep.status_delta, {});
    assert.equal(ep.pass_rate_delta, 0);

    // a regression shows as per-endpoint status deltas against the baseline
    const third = await runReplay({ config: await exampleConfig(runsDir, { env: { ORDERS_REGRESSION: 'status' }, extra: { quality_gates: gates } }), ctx: ctx() });
    const read = third.summary.endpoints.find((e) => e.endpoint === 'GET /orders/{id}')!;
    assert.ok((read.status_delta?.['500'] ?? 0) > 0, JSON.stringify(read));
    assert.equal((read.status_delta?.['200'] ?? 0) + (read.status_delta?.['500'] ?? 0), 0);
    assert.ok(read.pass_rate_delta! < 0);
    const text = formatSummary(await readRun(third.runDir), { color: false });
    assert.match(text, /vs baseline\n {2}GET \/orders\/\{id\}\s+p95 \S+ → \S+ \([+-][\d.]+%\) · status 200 -\d+, 500 \+\d+/);
  });
});

describe('auto noise', { skip: posix ? false : 'process groups are POSIX' }, () => {
  test('validate.auto_noise recognises changing timestamps without a learning run', async () => {
    const dir = await tmpDir();
    const runsDir = path.join(dir, 'runs');
    const config = await exampleConfig(runsDir);
    // stop ignoring the clock-based createdAt fields by name
    config.validate.ignore = config.validate.ignore.filter((p) => !p.includes('createdAt'));
    const without = await runReplay({ config, ctx: ctx() });
    assert.equal(without.summary.verdict, 'fail');
    assert.ok(without.summary.failures?.some((f) => /createdAt/.test(f.firstDiff ?? '')), JSON.stringify(without.summary.failures));

    const auto = await exampleConfig(runsDir);
    auto.validate.ignore = auto.validate.ignore.filter((p) => !p.includes('createdAt'));
    auto.validate.auto_noise = true;
    const withAuto = await runReplay({ config: auto, ctx: ctx() });
    assert.equal(withAuto.summary.verdict, 'pass', formatSummary(withAuto.summary, { color: false }));
  });
});

void repoRoot;
