/**
 * replay.isolate_sessions with replay.session_header: parallel sessions each see the mocks' recorded
 * sequences from their start, because the service forwards the session header to its dependency.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../../../src/engine/config/index.js';
import { runReplay } from '../../../src/engine/run/index.js';
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

async function project(dir: string, targetPort: number, mockPort: number, replay: Record<string, unknown>) {
  const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const inbound = ['A', 'B'].flatMap((session, k) =>
    [1, 2].map((n) => ({
      id: `${session}${n}`, session, seq: n, ts: t(k * 10 + n), direction: 'in',
      request: { method: 'GET', url: '/x', headers: {} },
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: String(n) },
    })),
  );
  // Each session's service made the same call twice and got 1, then 2.
  const outbound = ['A', 'B'].flatMap((session, k) =>
    [1, 2].map((n) => ({
      id: `out-${session}${n}`, session, seq: n, ts: t(k * 10 + n), direction: 'out', service: 'dep',
      request: { method: 'GET', url: 'http://dep/seq', headers: {} },
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: String(n) },
    })),
  );
  await mkdir(join(dir, 'traffic'), { recursive: true });
  await writeFile(join(dir, 'traffic/in.jsonl'), inbound.map((p) => JSON.stringify(p)).join('\n') + '\n');
  await writeFile(join(dir, 'traffic/out.jsonl'), outbound.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const { config, issues } = configFromObject(
    {
      target: `http://127.0.0.1:${targetPort}`,
      traffic: ['./traffic/in.jsonl'],
      mocks: [{ service: 'dep', port: mockPort, traffic: './traffic/out.jsonl' }],
      replay: { concurrency: 2, time_scale: 0, max_delay: 0, ...replay },
      validate: { headers: [] },
      quality_gates: { body_match_rate: '>= 1' },
    },
    dir,
  );
  assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
  return config!;
}

test('parallel sessions keep their own mock sequences with isolate_sessions + session_header', async () => {
  for (const isolated of [true, false]) {
    const dir = await mkdtemp(join(tmpdir(), 'reprise-iso-'));
    const mockPort = await freePort();
    const svc = await startService(mockPort);
    try {
      const config = await project(dir, svc.port, mockPort, isolated ? { isolate_sessions: true, session_header: 'x-reprise-session' } : {});
      const out = await runReplay({ config, ctx: defaultContext() });
      if (isolated) {
        assert.equal(out.summary.metrics.passed, 4, JSON.stringify(out.summary.metrics));
        assert.equal(out.summary.verdict, 'pass');
      } else {
        // Shared sequences: the two sessions' calls interleave, so some session gets another's response.
        assert.ok(out.summary.metrics.failed > 0, 'without isolation the shared sequence mixes the sessions up');
      }
    } finally {
      await svc.close();
    }
  }
});
