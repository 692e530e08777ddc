/**
 * runReplay with mocks the caller already runs (the debug flow's): the run uses them instead of starting its
 * own (the config's fixed port is taken by them), keeps sessions apart by the plan they were started with,
 * counts only the calls made during the run, and leaves them running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../../../src/engine/config/index.js';
import { runReplay, sessionPlan } from '../../../src/engine/run/index.js';
import { startMocks } from '../../../src/engine/mocks/index.js';
import { readPairs } from '../../../src/engine/store/index.js';
import { defaultContext } from '../../../src/engine/context.js';
import { freePort } from '../cli/helpers.js';

/** A service whose GET /x answers with what its dependency's GET /seq answered, forwarding x-reprise-session. */
async function startService(depPort: number): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = {};
    const s = req.headers['x-reprise-session'];
    if (typeof s === 'string') headers['x-reprise-session'] = s;
    http
      .get({ host: '127.0.0.1', port: depPort, path: '/seq', headers }, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(body);
        });
      })
      .on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((r) => server.close(() => r())) };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('a run uses the mocks handed to it, counts the calls of the run only, and leaves them running', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reprise-handed-'));
  const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const pair = (session: string, n: number, k: number, direction: 'in' | 'out') => ({
    id: `${direction}-${session}${n}`, session, seq: n, ts: t(k * 10 + n), direction,
    ...(direction === 'out' ? { service: 'dep' } : {}),
    request: { method: 'GET', url: direction === 'in' ? '/x' : 'http://dep/seq', headers: {} },
    response: { status: 200, headers: { 'content-type': 'text/plain' }, body: String(n) },
  });
  const inbound = ['A', 'B'].flatMap((s, k) => [1, 2].map((n) => pair(s, n, k, 'in')));
  const outbound = ['A', 'B'].flatMap((s, k) => [1, 2].map((n) => pair(s, n, k, 'out')));
  await mkdir(join(dir, 'traffic'), { recursive: true });
  await writeFile(join(dir, 'traffic/in.jsonl'), inbound.map((p) => JSON.stringify(p)).join('\n') + '\n');
  await writeFile(join(dir, 'traffic/out.jsonl'), outbound.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const mockPort = await freePort();
  const svc = await startService(mockPort);
  const { config, issues } = configFromObject(
    {
      target: `http://127.0.0.1:${svc.port}`,
      traffic: ['./traffic/in.jsonl'],
      mocks: [{ service: 'dep', port: mockPort, traffic: './traffic/out.jsonl', env: 'DEP_URL' }],
      // Parallel sessions kept apart by the header: only mocks started with the run's plan keep them apart.
      replay: { concurrency: 2, time_scale: 0, max_delay: 0, isolate_sessions: true, session_header: 'x-reprise-session' },
      validate: { headers: [] },
      quality_gates: { body_match_rate: '>= 1' },
    },
    dir,
  );
  assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
  const plan = sessionPlan(config!);
  assert.equal(plan.mode, 'header');
  // The caller's mocks, with their own context (as the extension's are).
  const mocks = await startMocks(config!.mocks, {
    ctx: defaultContext(),
    sessions: plan,
    outbound: (service, cfg) =>
      (async function* () {
        for await (const p of readPairs(cfg.traffic, { direction: 'out', onIssue: () => {} })) if (p.service === service) yield p;
      })(),
  });
  try {
    // A call before the run (the debuggee starting up): not the run's.
    assert.equal((await get(`${mocks.urls.dep}/startup-check`)).status, 501, 'unmatched');
    assert.equal(mocks.unmatched().length, 1);

    const out = await runReplay({ config: config!, ctx: defaultContext(), mocks });
    const s = out.summary;
    assert.equal(s.verdict, 'pass', JSON.stringify({ metrics: s.metrics, phases: s.phases }));
    assert.equal(s.metrics.passed, 4);
    const backends = (s.phases ?? []).find((p) => p.name === 'backends');
    assert.equal(backends?.status, 'ok');
    assert.match(backends?.detail ?? '', /mocks already running: dep at http:\/\/127\.0\.0\.1:\d+/);
    assert.deepEqual(
      s.mocks.map((m) => ({ service: m.service, calls: m.calls, matched: m.matched, unmatched: m.unmatched })),
      [{ service: 'dep', calls: 4, matched: 4, unmatched: 0 }],
      'only the calls made during the run are counted',
    );
    const unmatchedFile = await readFile(join(out.runDir, 'unmatched.jsonl'), 'utf8').catch(() => '');
    assert.doesNotMatch(unmatchedFile, /startup-check/, 'the call before the run is not the run\'s unmatched call');

    // Still running: the run left them to their owner.
    const after = await get(`${mocks.urls.dep}/seq`);
    assert.equal(after.status, 200);
  } finally {
    await mocks.stop();
    await svc.close();
  }
});
