import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defaultContext } from '../../../src/engine/context.js';
import { startMocks, sessionMode, type SessionIsolation } from '../../../src/engine/mocks/manager.js';
import { MockServer } from '../../../src/engine/mocks/server.js';
import type { Pair } from '../../../src/engine/store/model.js';
import { RESET_PATH } from '../../../src/engine/mocks/server.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import type { Logger } from '../../../src/engine/context.js';
import { mockConfig, send, startServer } from './helpers.js';

// GET /balance answers 100, then 90, then stays on 90 (a recorded sequence).
const seq: StubDefinition[] = [
  { id: 'b0', request: { method: 'GET', path: '/balance' }, response: { status: 200, body: '100' }, sequence: { key: 'bal', index: 0 } },
  { id: 'b1', request: { method: 'GET', path: '/balance' }, response: { status: 200, body: '90' }, sequence: { key: 'bal', index: 1 } },
];

async function texts(url: string, n: number, headers?: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await send(url, 'GET', '/balance', { headers })).text);
  return out;
}

function outPair(id: string, ts: string, body: string): Pair {
  return { id, session: 's', seq: 0, ts, direction: 'out', service: 'payment-api', request: { method: 'GET', url: '/balance', headers: {} }, response: { status: 200, headers: {}, body } };
}

/** Two recorded calls of GET /balance (100, then 90): the mock serves them as a sequence. */
const outbound = () =>
  (async function* () {
    yield outPair('o1', '2024-01-01T00:00:00.000Z', '100');
    yield outPair('o2', '2024-01-01T00:00:01.000Z', '90');
  })();

describe('sequence state per replay session', () => {
  test('a session header gives each session its own sequence; calls without it share one', async () => {
    const server = new MockServer(mockConfig(), seq, { sessionHeader: 'X-Reprise-Session' });
    await server.start();
    try {
      assert.deepEqual(await texts(server.url, 2, { 'x-reprise-session': 'a' }), ['100', '90']);
      // session b starts at the beginning although a is at its end
      assert.deepEqual(await texts(server.url, 1, { 'x-reprise-session': 'b' }), ['100']);
      assert.deepEqual(await texts(server.url, 1, { 'x-reprise-session': 'a' }), ['90']);
      // no header: the shared state, untouched by a and b
      assert.deepEqual(await texts(server.url, 3), ['100', '90', '90']);
      server.resetSequences('a');
      assert.deepEqual(await texts(server.url, 1, { 'x-reprise-session': 'a' }), ['100']);
      assert.deepEqual(await texts(server.url, 1, { 'x-reprise-session': 'b' }), ['90']);
      assert.deepEqual(await texts(server.url, 1), ['90']);
    } finally {
      await server.stop();
    }
  });

  test('POST /__reprise/reset restarts every sequence and is not counted as a call', async () => {
    const s = await startServer(seq);
    try {
      assert.deepEqual(await texts(s.url, 2), ['100', '90']);
      const r = await send(s.url, 'POST', RESET_PATH);
      assert.equal(r.status, 204);
      assert.deepEqual(await texts(s.url, 2), ['100', '90']);
      // GET on the reset path is an ordinary (unmatched) call
      assert.equal((await send(s.url, 'GET', RESET_PATH)).status, 501);
      assert.deepEqual(s.stats(), { service: 'payment-api', port: s.port, calls: 5, matched: 4, unmatched: 1 });
    } finally {
      await s.stop();
    }
  });

  test('serial mode keeps interleaved sessions apart: each sees the recorded sequence from its start', async () => {
    const ctx = defaultContext();
    const m = await startMocks([mockConfig()], { outbound, ctx, sessions: { isolate: true, concurrency: 1 } });
    try {
      const url = m.urls['payment-api'];
      const seen: Record<string, string[]> = { A: [], B: [] };
      // The orchestrator at concurrency 1 alternates sessions request by request: A1 B1 A2 B2 A3 B3.
      for (const session of ['A', 'B', 'A', 'B', 'A', 'B']) {
        if (seen[session].length === 0) m.sessionStart(session);
        m.sessionActive(session);
        seen[session].push(...(await texts(url, 1)));
      }
      assert.deepEqual(seen, { A: ['100', '90', '90'], B: ['100', '90', '90'] });
    } finally {
      await m.stop();
    }
  });

  test('modes: off, serial (concurrency 1) resets at each session start, shared (parallel) warns and keeps state', async () => {
    assert.equal(sessionMode(undefined), 'off');
    assert.equal(sessionMode({ isolate: false, concurrency: 1 }), 'off');
    assert.equal(sessionMode({ isolate: true, concurrency: 1 }), 'serial');
    assert.equal(sessionMode({ isolate: true, concurrency: 4 }), 'shared');
    assert.equal(sessionMode({ isolate: true, concurrency: 4, header: 'x-reprise-session' }), 'header');

    const warnings: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} } as unknown as Logger;
    const ctx = defaultContext({ logger });
    const after = async (sessions: SessionIsolation | undefined) => {
      const m = await startMocks([mockConfig()], { outbound, ctx, sessions });
      try {
        const url = m.urls['payment-api'];
        m.sessionStart('first');
        m.sessionActive('first');
        const first = await texts(url, 2);
        m.sessionStart('next');
        m.sessionActive('next');
        return { mode: m.sessionMode, first, next: await texts(url, 1) };
      } finally {
        await m.stop();
      }
    };
    assert.deepEqual(await after(undefined), { mode: 'off', first: ['100', '90'], next: ['90'] });
    assert.deepEqual(await after({ isolate: true, concurrency: 1 }), { mode: 'serial', first: ['100', '90'], next: ['100'] });
    assert.equal(warnings.length, 0);
    // parallel sessions: resetting the shared state would break the sessions in flight, so it is kept
    assert.deepEqual(await after({ isolate: true, concurrency: 3 }), { mode: 'shared', first: ['100', '90'], next: ['90'] });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cannot be isolated with replay\.concurrency 3/);
    // header mode: the server keys state by the header; sessionStart clears that session's state only
    const m = await startMocks([mockConfig()], { outbound, ctx, sessions: { isolate: true, concurrency: 3, header: 'x-reprise-session' } });
    try {
      const url = m.urls['payment-api'];
      assert.deepEqual(await texts(url, 2, { 'x-reprise-session': 's1' }), ['100', '90']);
      assert.deepEqual(await texts(url, 1, { 'x-reprise-session': 's2' }), ['100']);
      m.sessionStart('s1');
      assert.deepEqual(await texts(url, 1, { 'x-reprise-session': 's1' }), ['100']);
      assert.deepEqual(await texts(url, 1, { 'x-reprise-session': 's2' }), ['90']);
    } finally {
      await m.stop();
    }
  });
});
