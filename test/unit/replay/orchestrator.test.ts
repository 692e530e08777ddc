import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { replay, compileFilter } from '../../../src/engine/replay/orchestrator.js';
import { createClient } from '../../../src/engine/replay/client.js';
import { defaultContext, type Logger } from '../../../src/engine/context.js';
import type { Pair } from '../../../src/engine/store/model.js';
import { startServer, json, pair, config, options, sleep, deadPort } from './helpers.js';

const T = { timeout: 30_000 };

function sessionsOf(count: number, perSession: number, gapMs = 0): Pair[] {
  // Store order: sessions interleaved, each session's pairs in seq order.
  const out: Pair[] = [];
  for (let i = 0; i < perSession; i++) {
    for (let s = 0; s < count; s++) {
      out.push(pair({ session: `s${s}`, seq: i, at: i * gapMs + s, request: { url: `/s/s${s}/${i}` } }));
    }
  }
  return out;
}

describe('ordering and parallelism', () => {
  test('a session goes in recorded order, one at a time, even with concurrency 8 and random delays', T, async () => {
    const active = new Map<string, number>();
    let overlapInSession = 0;
    const srv = await startServer(async (req, res) => {
      const [, , s, i] = req.url.split('/');
      const n = (active.get(s) ?? 0) + 1;
      active.set(s, n);
      if (n > 1) overlapInSession++;
      await sleep(Math.floor(Math.random() * 12));
      active.set(s, (active.get(s) ?? 1) - 1);
      json(res, 200, { s, i: Number(i) });
    });
    try {
      const pairs = sessionsOf(6, 10);
      const { opts, results } = options(srv.url, pairs, { config: config({ concurrency: 8 }) });
      const summary = await replay(opts);
      assert.equal(summary.sent, 60);
      assert.equal(summary.results, 60);
      assert.equal(summary.aborted, false);
      assert.equal(overlapInSession, 0, 'never two requests of one session at once');
      for (let s = 0; s < 6; s++) {
        const atServer = srv.seen.filter((r) => r.url.startsWith(`/s/s${s}/`)).map((r) => Number(r.url.split('/')[3]));
        assert.deepEqual(atServer, [...Array(10).keys()], `server order for s${s}`);
        const inResults = results.filter((r) => r.session === `s${s}`).map((r) => r.seq);
        assert.deepEqual(inResults, [...Array(10).keys()], `result order for s${s}`);
      }
      assert.ok(results.every((r) => r.outcome === 'pass'));
      assert.equal(results[0].endpoint.startsWith('GET /s/'), true);
    } finally {
      await srv.close();
    }
  });

  test('sessions run in parallel, never more than `concurrency` in flight', T, async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = await startServer(async (_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(25);
      inFlight--;
      res.end('ok');
    });
    try {
      const { opts, results } = options(srv.url, sessionsOf(8, 4), { config: config({ concurrency: 3 }) });
      await replay(opts);
      assert.equal(results.length, 32);
      assert.ok(maxInFlight > 1, `max in flight ${maxInFlight}`);
      assert.ok(maxInFlight <= 3, `max in flight ${maxInFlight}`);
    } finally {
      await srv.close();
    }
  });

  test('a session with out-of-order seq in the buffer is sent in seq order', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      // Requests of a session that arrive while the first is in flight get sorted by seq.
      const pairs = [0, 3, 1, 2].map((seq) => pair({ session: 'a', seq, request: { url: `/n/${seq}` } }));
      const { opts } = options(srv.url, pairs);
      await replay(opts);
      assert.deepEqual(srv.seen.map((s) => s.url), ['/n/0', '/n/1', '/n/2', '/n/3']);
    } finally {
      await srv.close();
    }
  });
});

describe('think time', () => {
  async function gapAtServer(cfg: Partial<Parameters<typeof config>[0]>, recordedGap: number): Promise<number> {
    const times: number[] = [];
    const srv = await startServer((_req, res) => {
      times.push(performance.now());
      res.end('ok');
    });
    try {
      const pairs = [
        pair({ session: 'a', seq: 0, at: 0, request: { url: '/1' } }),
        pair({ session: 'a', seq: 1, at: recordedGap, request: { url: '/2' } }),
      ];
      const { opts, results } = options(srv.url, pairs, { config: config(cfg) });
      await replay(opts);
      assert.equal(results.length, 2);
      return times[1] - times[0];
    } finally {
      await srv.close();
    }
  }

  test('a 2 s recorded gap at time_scale 10 waits about 200 ms', T, async () => {
    const gap = await gapAtServer({ time_scale: 10, max_delay: 60_000 }, 2000);
    assert.ok(gap >= 150, `waited ${gap} ms`);
  });

  test('max_delay caps the wait (a 1 h gap capped at 200 ms still completes)', T, async () => {
    const gap = await gapAtServer({ time_scale: 1, max_delay: 200 }, 3_600_000);
    assert.ok(gap >= 150, `waited ${gap} ms`);
  });

  test('max_delay 0 and time_scale 0 skip waiting (a 1 h gap completes)', T, async () => {
    await gapAtServer({ time_scale: 1, max_delay: 0 }, 3_600_000);
    await gapAtServer({ time_scale: 0, max_delay: 3_600_000 }, 3_600_000);
  });

  test('a session waiting for its think time does not hold a slot', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const pairs = [
        pair({ session: 'slow', seq: 0, at: 0, request: { url: '/slow/0' } }),
        pair({ session: 'slow', seq: 1, at: 10_000, request: { url: '/slow/1' } }),
        ...[0, 1, 2, 3, 4].map((i) => pair({ session: 'fast', seq: i, at: i, request: { url: `/fast/${i}` } })),
      ];
      const { opts } = options(srv.url, pairs, { config: config({ concurrency: 1, time_scale: 1, max_delay: 1000 }) });
      await replay(opts);
      const urls = srv.seen.map((s) => s.url);
      assert.equal(urls.at(-1), '/slow/1', `order ${urls.join(' ')}`);
    } finally {
      await srv.close();
    }
  });
});

describe('runtime values and correlation', () => {
  test('now (with offsets), uuid, env, config headers and a captured token', T, async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/login') return json(res, 200, { access_token: 'live-token-1' });
      json(res, 200, { ok: true });
    });
    const NOW = Date.parse('2026-05-01T10:00:00.000Z');
    try {
      const pairs = [
        pair({ session: 'u', seq: 0, request: { method: 'POST', url: '/login', body: '{}', headers: { 'content-type': 'application/json' } }, response: { status: 200, headers: {}, body: '{"access_token":"rec-token-1"}' } }),
        pair({
          session: 'u',
          seq: 1,
          request: {
            method: 'POST',
            url: '/things?from={{now-30m}}&id={{uuid}}',
            headers: { 'content-type': 'application/json', 'x-key': '{{env.REPRISE_KEY}}', authorization: 'Bearer {{token}}' },
            body: '{"until":"{{now+1h}}","day":"{{now+2d:date}}","ts":{{now:epoch}},"odd":"{{nope}}"}',
          },
        }),
      ];
      const { opts, results } = options(srv.url, pairs, {
        config: config({ capture: { token: '$.access_token' }, headers: { 'x-run': 'run-{{uuid}}', 'user-agent': '' } }),
        runtime: { now: () => NOW, env: { REPRISE_KEY: 'secret-key' }, uuid: () => 'uuid-1' },
      });
      const summary = await replay(opts);
      assert.equal(results.length, 2);
      const req = srv.seen[1];
      assert.equal(req.url, '/things?from=2026-05-01T09:30:00.000Z&id=uuid-1');
      assert.equal(req.headers['x-key'], 'secret-key');
      assert.equal(req.headers.authorization, 'Bearer live-token-1');
      assert.equal(req.headers['x-run'], 'run-uuid-1');
      assert.equal(req.headers['user-agent'], undefined, 'an empty config header removes it');
      assert.deepEqual(JSON.parse(req.body), {
        until: '2026-05-01T11:00:00.000Z',
        day: '2026-05-03',
        ts: NOW / 1000,
        odd: '{{nope}}',
      });
      assert.deepEqual(summary.unknownPlaceholders, ['nope']);
      assert.equal(results[1].url, '/things?from=2026-05-01T09:30:00.000Z&id=uuid-1');
    } finally {
      await srv.close();
    }
  });

  test('create-then-read: the recorded id is replaced by the live one in later requests of the session only', T, async () => {
    let next = 900;
    const created = new Map<string, string>();
    const srv = await startServer((req, res) => {
      if (req.method === 'POST' && req.url === '/orders') {
        const id = `ord-${next++}`;
        created.set(id, JSON.parse(req.body).item);
        return json(res, 201, { id, status: 'created' }, { location: `/orders/${id}` });
      }
      const m = /^\/orders\/([^/?]+)/.exec(req.url);
      if (req.method === 'GET' && m) {
        const item = created.get(m[1]);
        return item ? json(res, 200, { id: m[1], item }) : json(res, 404, { error: 'not found' });
      }
      if (req.method === 'PATCH' && m) return created.has(m[1]) && JSON.parse(req.body).id === m[1] ? json(res, 200, {}) : json(res, 409, {});
      json(res, 404, {});
    });
    try {
      const session = (s: string, recId: string, item: string): Pair[] => [
        pair({
          session: s,
          seq: 0,
          request: { method: 'POST', url: '/orders', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item }) },
          response: { status: 201, headers: { location: `/orders/${recId}` }, body: JSON.stringify({ id: recId, status: 'created' }) },
        }),
        pair({ session: s, seq: 1, request: { url: `/orders/${recId}?expand=items` }, response: { status: 200, headers: {} } }),
        pair({
          session: s,
          seq: 2,
          request: { method: 'PATCH', url: `/orders/${recId}`, headers: { 'content-type': 'application/json', 'x-order': recId }, body: JSON.stringify({ id: recId }) },
          response: { status: 200, headers: {} },
        }),
      ];
      // Both sessions recorded the same id; each must get its own live id.
      const pairs = [...session('a', 'ord-123', 'book'), ...session('b', 'ord-123', 'pen')];
      const { opts, results } = options(srv.url, pairs, { config: config({ capture: { order_id: '$.id' }, concurrency: 1 }) });
      await replay(opts);
      const rows = results.map((r) => [r.session, r.seq, r.outcome, r.actualStatus] as const);
      rows.sort((x, y) => x[0].localeCompare(y[0]) || x[1] - y[1]);
      assert.deepEqual(rows, [
        ['a', 0, 'pass', 201],
        ['a', 1, 'pass', 200],
        ['a', 2, 'pass', 200],
        ['b', 0, 'pass', 201],
        ['b', 1, 'pass', 200],
        ['b', 2, 'pass', 200],
      ]);
      // Each session reads back the id its own create returned.
      const liveId = (s: string) => JSON.parse(results.find((r) => r.session === s && r.seq === 0)!.actual!.body!).id as string;
      const [a, b] = [liveId('a'), liveId('b')];
      assert.notEqual(a, b);
      const sent = (s: string) =>
        results.filter((r) => r.session === s).map((r) => r.url);
      assert.deepEqual(sent('a'), ['/orders', `/orders/${a}?expand=items`, `/orders/${a}`]);
      assert.deepEqual(sent('b'), ['/orders', `/orders/${b}?expand=items`, `/orders/${b}`]);
      const patches = srv.seen.filter((x) => x.method === 'PATCH').map((x) => [x.url, x.headers['x-order'], JSON.parse(x.body).id]);
      assert.deepEqual(patches.sort(), [
        [`/orders/${a}`, a, a],
        [`/orders/${b}`, b, b],
      ].sort());
    } finally {
      await srv.close();
    }
  });

  test('the location header correlates ids without any capture configured', T, async () => {
    const srv = await startServer((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(201, { location: '/items/item-5555' });
        return res.end();
      }
      res.end(req.url);
    });
    try {
      const pairs = [
        pair({ session: 'x', seq: 0, request: { method: 'POST', url: '/items' }, response: { status: 201, headers: { location: '/items/item-1001' } } }),
        pair({ session: 'x', seq: 1, request: { url: '/items/item-1001' } }),
      ];
      const { opts } = options(srv.url, pairs);
      await replay(opts);
      assert.equal(srv.seen[1].url, '/items/item-5555');
    } finally {
      await srv.close();
    }
  });

  test('onSessionStart runs once per session, before its first request', T, async () => {
    const log: string[] = [];
    const srv = await startServer((req, res) => {
      log.push(`req ${req.url}`);
      res.end('ok');
    });
    try {
      const { opts } = options(srv.url, sessionsOf(2, 2), {
        config: config({ concurrency: 1 }),
        onSessionStart: async (s) => {
          await sleep(5);
          log.push(`start ${s}`);
        },
      });
      await replay(opts);
      assert.deepEqual(log.filter((l) => l.startsWith('start')).sort(), ['start s0', 'start s1']);
      for (const s of ['s0', 's1']) {
        assert.ok(log.indexOf(`start ${s}`) < log.indexOf(`req /s/${s}/0`), log.join(', '));
      }
    } finally {
      await srv.close();
    }
  });
});

describe('results', () => {
  test('validation outcome, no recorded response, truncation and redaction', T, async () => {
    const big = 'x'.repeat(100);
    const srv = await startServer((req, res) => {
      if (req.url === '/boom') return json(res, 503, {});
      if (req.url.startsWith('/big')) {
        res.setHeader('set-cookie', 'sid=abc123; Path=/');
        return res.end(big);
      }
      if (req.url === '/bin') return res.end(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
      json(res, 200, {});
    });
    let validatedBody: string | undefined;
    try {
      const pairs = [
        pair({ session: 'a', seq: 0, request: { url: '/ok' }, response: { status: 200, headers: {} } }),
        pair({ session: 'a', seq: 1, request: { url: '/ok' }, response: { status: 201, headers: {} } }),
        pair({ session: 'a', seq: 2, request: { url: '/ok' }, response: undefined }),
        pair({ session: 'a', seq: 3, request: { url: '/boom' }, response: undefined }),
        pair({ session: 'a', seq: 4, request: { url: '/big?token=s3cret' }, response: { status: 200, headers: {} } }),
        pair({ session: 'a', seq: 5, request: { url: '/bin' }, response: { status: 200, headers: {} }, duration: 12 }),
      ];
      const { opts, results } = options(srv.url, pairs, {
        maxBodyBytes: 10,
        validate: (p, actual) => {
          if (p.request.url.startsWith('/big')) validatedBody = actual.body;
          const ok = p.response?.status === actual.status;
          return { pass: ok, statusMatch: ok, headersMatch: true, bodyMatch: true, fieldMatchRate: 1, fieldsCompared: 1, diffs: [] };
        },
      });
      const summary = await replay(opts);
      assert.deepEqual(results.map((r) => r.outcome), ['pass', 'fail', 'pass', 'fail', 'pass', 'pass']);
      assert.equal(results[1].expectedStatus, 201);
      assert.equal(results[1].actualStatus, 200);
      assert.ok(results[1].validation && !results[1].validation.pass);
      assert.equal(results[2].validation, undefined);
      assert.match(results[2].note ?? '', /no recorded response/);
      assert.equal(results[3].actualStatus, 503);
      assert.equal(validatedBody, big, 'the validator sees the whole body');
      assert.equal(results[4].actual?.body, 'x'.repeat(10));
      assert.equal(results[4].actual?.truncated, true);
      assert.equal(results[4].actual?.headers['set-cookie'], 'sid=***; Path=/');
      assert.equal(results[4].url, '/big?token=***');
      assert.equal(results[5].actual?.bodyEncoding, 'base64');
      assert.equal(Buffer.from(results[5].actual!.body!, 'base64').length, 4);
      assert.equal(results[5].recordedLatencyMs, 12);
      assert.ok(typeof results[0].latencyMs === 'number');
      assert.ok(!Number.isNaN(Date.parse(results[0].startedAt)));
      assert.deepEqual([summary.passed, summary.failed, summary.errors], [4, 2, 0]);
    } finally {
      await srv.close();
    }
  });

  test('progress events after each result', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const ctx = defaultContext();
      const events: { done: number; total: number; passed: number; runId: string }[] = [];
      ctx.events.on('request:done', (e) => events.push(e));
      const { opts } = options(srv.url, sessionsOf(2, 3), { ctx, runId: 'r1', total: 6 });
      await replay(opts);
      assert.deepEqual(events.map((e) => e.done), [1, 2, 3, 4, 5, 6]);
      assert.ok(events.every((e) => e.total === 6 && e.runId === 'r1'));
      assert.equal(events.at(-1)!.passed, 6);
    } finally {
      await srv.close();
    }
  });
});

describe('failures', () => {
  test('a dead target gives ECONNREFUSED results and the run completes', T, async () => {
    const port = await deadPort();
    const { opts, results } = options(`http://127.0.0.1:${port}`, sessionsOf(3, 2));
    const summary = await replay(opts);
    assert.equal(summary.results, 6);
    assert.equal(summary.sent, 6);
    assert.equal(summary.aborted, false);
    assert.equal(summary.errors, 6);
    for (const r of results) {
      assert.equal(r.outcome, 'error');
      assert.equal(r.error?.code, 'ECONNREFUSED');
      assert.equal(r.actualStatus, undefined);
    }
  });

  test('a request that outlives the timeout is an error with code timeout', T, async () => {
    const srv = await startServer((req, res) => {
      if (req.url !== '/hang') res.end('ok');
    });
    try {
      const pairs = [pair({ session: 'a', seq: 0, request: { url: '/hang' } }), pair({ session: 'a', seq: 1, request: { url: '/fine' } })];
      const { opts, results } = options(srv.url, pairs, { config: config({ timeout: 150 }) });
      await replay(opts);
      assert.equal(results[0].outcome, 'error');
      assert.equal(results[0].error?.code, 'timeout');
      assert.equal(results[1].outcome, 'pass', 'the session goes on');
    } finally {
      await srv.close();
    }
  });

  test('a failing onResult rejects the run', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const { opts } = options(srv.url, sessionsOf(2, 5), {
        onResult: () => {
          throw new Error('disk full');
        },
      });
      await assert.rejects(replay(opts), /disk full/);
    } finally {
      await srv.close();
    }
  });

  test('a stream that throws rejects the run after in-flight requests settle', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    async function* broken(): AsyncGenerator<Pair> {
      yield pair({ session: 'a', seq: 0, request: { url: '/1' } });
      throw new Error('bad line 7');
    }
    try {
      const { opts } = options(srv.url, broken());
      await assert.rejects(replay(opts), /bad line 7/);
    } finally {
      await srv.close();
    }
  });
});

describe('cancellation and cutoffs', () => {
  test('aborting mid-run resolves aborted with fewer results and leaves no open sockets', T, async () => {
    const srv = await startServer(async (_req, res) => {
      await sleep(40);
      res.end('ok');
    });
    const ac = new AbortController();
    try {
      const { opts, results } = options(srv.url, sessionsOf(4, 10), {
        config: config({ concurrency: 2 }),
        signal: ac.signal,
        onResult: (r) => {
          results.push(r);
          if (results.length === 3) ac.abort();
        },
      });
      const summary = await replay(opts);
      assert.equal(summary.aborted, true);
      assert.equal(summary.abortReason, 'cancelled');
      assert.ok(summary.results < 40, `${summary.results} results`);
      assert.equal(summary.sent, summary.results, 'every sent request has a result');
      const aborted = results.filter((r) => r.error?.code === 'aborted');
      assert.ok(aborted.every((r) => r.outcome === 'error'));
      const sentBefore = srv.seen.length;
      // The client is closed: the server's sockets go away and nothing more arrives.
      for (let i = 0; i < 100; i++) {
        const open = await new Promise<number>((r) => srv.server.getConnections((_e, n) => r(n)));
        if (open === 0) break;
        await sleep(20);
      }
      assert.equal(await new Promise<number>((r) => srv.server.getConnections((_e, n) => r(n))), 0);
      await sleep(100);
      assert.equal(srv.seen.length, sentBefore);
    } finally {
      await srv.close();
    }
  });

  test('an already aborted signal sends nothing', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const { opts } = options(srv.url, sessionsOf(2, 2), { signal: AbortSignal.abort('stop now') });
      const summary = await replay(opts);
      assert.equal(summary.aborted, true);
      assert.equal(summary.abortReason, 'stop now');
      assert.equal(summary.sent, 0);
      assert.equal(srv.seen.length, 0);
    } finally {
      await srv.close();
    }
  });

  test('shouldStop aborts the run with its reason', T, async () => {
    const port = await deadPort();
    let errors = 0;
    const { opts } = options(`http://127.0.0.1:${port}`, sessionsOf(2, 50), {
      config: config({ concurrency: 1 }),
      onResult: (r) => {
        if (r.outcome === 'error') errors++;
      },
      shouldStop: () => (errors >= 3 ? 'error cutoff: 3 errors' : undefined),
    });
    const summary = await replay(opts);
    assert.equal(summary.aborted, true);
    assert.equal(summary.abortReason, 'error cutoff: 3 errors');
    assert.equal(summary.results, 3);
  });
});

describe('memory and backpressure', () => {
  /** A source that records how far ahead of the delivered results it has been pulled. */
  function instrumented(pairs: Pair[], delivered: () => number) {
    const state = { pulled: 0, maxAhead: 0 };
    async function* gen(): AsyncGenerator<Pair> {
      for (const p of pairs) {
        state.pulled++;
        state.maxAhead = Math.max(state.maxAhead, state.pulled - delivered());
        yield p;
      }
    }
    return { state, gen: gen() };
  }

  test('a slow onResult keeps the number of pairs read ahead bounded', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      let delivered = 0;
      const pairs = sessionsOf(50, 12); // 600 pairs
      const src = instrumented(pairs, () => delivered);
      const { opts } = options(srv.url, src.gen, {
        config: config({ concurrency: 2 }),
        maxBufferedPairs: 20,
        onResult: async () => {
          await sleep(1);
          delivered++;
        },
      });
      const summary = await replay(opts);
      assert.equal(summary.results, 600);
      assert.equal(src.state.pulled, 600);
      // buffered (20) + in flight (2) + the one being read
      assert.ok(src.state.maxAhead <= 23, `read ${src.state.maxAhead} pairs ahead`);
      assert.ok(src.state.maxAhead >= 20, `the buffer is used (${src.state.maxAhead})`);
    } finally {
      await srv.close();
    }
  });

  test('no deadlock when the buffer is full of one session', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const pairs = [
        ...[...Array(30).keys()].map((i) => pair({ session: 'long', seq: i, request: { url: `/long/${i}` } })),
        ...sessionsOf(5, 3),
      ];
      const { opts, results } = options(srv.url, pairs, { config: config({ concurrency: 4 }), maxBufferedPairs: 5 });
      await replay(opts);
      assert.equal(results.length, 45);
      assert.deepEqual(results.filter((r) => r.session === 'long').map((r) => r.seq), [...Array(30).keys()]);
    } finally {
      await srv.close();
    }
  });

  test('idle session state is evicted beyond maxIdleSessions', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const pairs = [...Array(40).keys()].map((i) => pair({ session: `one-${i}`, seq: 0, request: { url: `/${i}` } }));
      const { opts } = options(srv.url, pairs, { config: config({ concurrency: 1 }), maxIdleSessions: 10 });
      const summary = await replay(opts);
      assert.equal(summary.results, 40);
      assert.ok((summary.evictedSessions ?? 0) >= 25, `evicted ${summary.evictedSessions}`);
    } finally {
      await srv.close();
    }
  });
});

describe('include / exclude', () => {
  test('globs over endpoint key, path and session id', () => {
    const f = compileFilter(['GET /orders/**', 'user-*'], ['* /orders/{id}/secret', 'user-bot']);
    assert.equal(f('GET /orders/{id}', 'anon'), true);
    assert.equal(f('POST /orders', 'anon'), false);
    assert.equal(f('POST /orders', 'user-alice'), true);
    assert.equal(f('GET /orders/{id}/secret', 'anon'), false);
    assert.equal(f('GET /health', 'user-bot'), false);
    assert.equal(compileFilter([], [])('ANY /x', 's'), true);
    assert.equal(compileFilter(['/health'], [])('GET /health', 's'), true);
    assert.equal(compileFilter(['{GET,POST} /a'], [])('POST /a', 's'), true);
  });

  test('only included, not excluded pairs are sent; outbound pairs are skipped', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const pairs = [
        pair({ session: 'a', seq: 0, request: { url: '/orders/1001' } }),
        pair({ session: 'a', seq: 1, request: { url: '/health' } }),
        pair({ session: 'b', seq: 0, request: { url: '/orders/1002' } }),
        pair({ session: 'c', seq: 0, request: { url: '/orders/1003' } }),
        pair({ session: 'c', seq: 1, direction: 'out', service: 'dep', request: { url: 'http://dep/x' } }),
      ];
      const { opts, results } = options(srv.url, pairs, { config: config({ include: ['GET /orders/{id}'], exclude: ['b'] }) });
      const summary = await replay(opts);
      assert.deepEqual(srv.seen.map((s) => s.url).sort(), ['/orders/1001', '/orders/1003']);
      assert.equal(results.length, 2);
      assert.equal(summary.skipped, 3);
    } finally {
      await srv.close();
    }
  });
});

describe('target and client', () => {
  test('a target with a path prefix; absolute recorded URLs use only their path', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const pairs = [pair({ request: { url: 'http://recorded.example:9999/v1/x?y=1' } })];
      const { opts, results } = options(`${srv.url}/api/`, pairs);
      await replay(opts);
      assert.equal(srv.seen[0].url, '/api/v1/x?y=1');
      assert.equal(results[0].url, '/api/v1/x?y=1');
    } finally {
      await srv.close();
    }
  });

  test('an injected client is used and left open', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    const client = createClient();
    try {
      const { opts } = options(srv.url, sessionsOf(1, 2), { client });
      await replay(opts);
      const again = await client.send({ method: 'GET', url: `${srv.url}/again`, headers: {} });
      assert.ok(again.ok);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('an invalid target is a clear error', async () => {
    const { opts } = options('not a url', []);
    await assert.rejects(replay(opts), /not a valid URL/);
  });

  test('unknown placeholders are warned about once', T, async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    const warnings: string[] = [];
    const logger: Logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    try {
      const pairs = [0, 1, 2].map((i) => pair({ session: 'a', seq: i, request: { url: `/x?v={{mystery}}` } }));
      const { opts } = options(srv.url, pairs, { ctx: defaultContext({ logger }) });
      const summary = await replay(opts);
      assert.deepEqual(summary.unknownPlaceholders, ['mystery']);
      assert.equal(warnings.filter((w) => w.includes('{{mystery}} is unknown')).length, 1);
      assert.equal(srv.seen[0].url, '/x?v={{mystery}}');
    } finally {
      await srv.close();
    }
  });
});
