import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pair } from '../../../src/engine/store/model.js';
import { stubsFromTraffic } from '../../../src/engine/mocks/from-traffic.js';
import { MockServer } from '../../../src/engine/mocks/server.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import { mockConfig, send, startServer } from './helpers.js';

let n = 0;
function pair(method: string, url: string, status: number, body: string, extra: Partial<Pair> = {}, reqBody?: string): Pair {
  n++;
  return {
    id: `p${n}`,
    session: 'default',
    seq: n,
    ts: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    direction: 'out',
    service: 'payment-api',
    request: { method, url, headers: reqBody ? { 'content-type': 'application/json' } : {}, ...(reqBody ? { body: reqBody } : {}) },
    response: { status, headers: { 'content-type': 'application/json', 'content-length': '999', date: 'Mon, 01 Jan 2024 00:00:00 GMT' }, body },
    ...extra,
  };
}

describe('stubs from traffic', () => {
  test('identical requests become a sequence in recorded order (stay on last), with ignore paths', async () => {
    const pairs = [
      pair('POST', 'http://payment-api/charge?x=1', 200, '{"n":1}', {}, '{"amount":5,"orderId":"a"}'),
      pair('GET', 'http://payment-api/status', 200, '"up"', { duration: 42 }),
      pair('POST', 'http://payment-api/charge?x=1', 200, '{"n":2}', {}, '{"orderId":"b","amount":5}'),
      pair('POST', 'http://payment-api/charge?x=1', 402, '{"n":3}', {}, '{"amount":5,"orderId":"c"}'),
      pair('GET', 'http://payment-api/none', 0, '', { response: undefined }),
    ];
    async function* gen() {
      yield* pairs;
    }
    const { stubs, issues } = await stubsFromTraffic(gen(), { service: 'payment-api', ignore: ['$.orderId'] });
    assert.equal(stubs.length, 4);
    assert.equal(issues.length, 1);
    assert.match(issues[0].message, /no recorded response/);
    const seq = stubs.filter((s) => s.sequence);
    assert.deepEqual(seq.map((s) => s.sequence!.index), [0, 1, 2]);
    assert.equal(stubs.find((x) => x.request.path === '/status')?.delayMs, 42, 'recorded duration kept for timing');
    assert.equal(stubs.find((x) => x.request.path === '/status')?.sequence, undefined);
    const s = await startServer(stubs);
    try {
      const charge = () => send(s.url, 'POST', '/charge?x=1', { json: { amount: 5, orderId: 'zzz' } });
      const a = await charge();
      assert.equal(a.text, '{"n":1}');
      assert.equal(a.headers['content-length'], String(Buffer.byteLength('{"n":1}')));
      assert.equal((await charge()).text, '{"n":2}');
      const c = await charge();
      assert.equal(c.status, 402);
      assert.equal(c.text, '{"n":3}');
      assert.equal((await charge()).text, '{"n":3}', 'stays on the last');
      // a different body or an extra query parameter is not the same request
      assert.equal((await send(s.url, 'POST', '/charge?x=1', { json: { amount: 6 } })).status, 501);
      assert.equal((await send(s.url, 'POST', '/charge?x=1&y=2', { json: { amount: 5 } })).status, 501);
      s.resetSequences();
      assert.equal((await charge()).text, '{"n":1}', 'reset goes back to the first response');
      assert.deepEqual(s.stats(), { service: 'payment-api', port: s.port, calls: 7, matched: 5, unmatched: 2 });
    } finally {
      await s.stop();
    }
  });

  test('cycle mode wraps around', async () => {
    const pairs = [pair('GET', '/t', 200, 'one'), pair('GET', '/t', 200, 'two')];
    const { stubs } = await stubsFromTraffic(pairs, { service: 'payment-api', ignore: [] });
    const s = await startServer(stubs, { sequence: 'cycle' });
    try {
      const got = [];
      for (let i = 0; i < 5; i++) got.push((await send(s.url, 'GET', '/t')).text);
      assert.deepEqual(got, ['one', 'two', 'one', 'two', 'one']);
    } finally {
      await s.stop();
    }
  });
});

describe('timing', () => {
  const stub: StubDefinition = { id: 'slow', request: { method: 'GET', path: '/slow' }, response: { status: 200, body: 'ok' }, delayMs: 120 };
  async function elapsed(timing: 'recorded' | 'none' | number): Promise<number> {
    const s = await startServer([stub], { timing });
    try {
      const t0 = performance.now();
      const r = await send(s.url, 'GET', '/slow');
      assert.equal(r.text, 'ok');
      return performance.now() - t0;
    } finally {
      await s.stop();
    }
  }
  test('recorded latency is replayed (lower bound only)', async () => {
    assert.ok((await elapsed('recorded')) >= 110);
  });
  test('a factor scales it (lower bound only)', async () => {
    assert.ok((await elapsed(2)) >= 230);
  });
  test('none answers without waiting for the recorded delay to be applied', async () => {
    // No upper-bound timing assertion (noisy machine): check the server did not schedule a delay at all.
    const s = new MockServer(mockConfig({ timing: 'none' }), [stub]);
    assert.equal((s as unknown as { factor: number }).factor, 0);
    await s.start();
    try {
      assert.equal((await send(s.url, 'GET', '/slow')).text, 'ok');
    } finally {
      await s.stop();
    }
  });
});

describe('unmatched calls', () => {
  const stubs: StubDefinition[] = [
    { id: 'charge', request: { method: 'POST', path: '/charge', body: { equalToJson: { amount: 10, currency: 'EUR' } } }, response: { status: 200 } },
    { id: 'refund', request: { method: 'POST', path: '/refund' }, response: { status: 200 } },
    { id: 'status', request: { method: 'GET', path: '/charge' }, response: { status: 200 } },
    { id: 'far', request: { method: 'DELETE', path: '/a/b/c/d' }, response: { status: 200 } },
  ];

  test('501 with a JSON body, three nearest stubs with field-level failures, secrets redacted', async () => {
    const s = await startServer(stubs);
    const events: unknown[] = [];
    s.onCall = (e) => events.push(e);
    try {
      const r = await send(s.url, 'POST', '/charge?debug=1', { json: { amount: 12, currency: 'EUR' }, headers: { authorization: 'Bearer sekrit' } });
      assert.equal(r.status, 501);
      const body = r.json();
      assert.equal(body.error, 'reprise: no stub matched');
      assert.equal(body.nearest.length, 3);
      assert.equal(body.nearest[0].stubId, 'charge');
      const calls = s.unmatched();
      assert.equal(calls.length, 1);
      const c = calls[0];
      assert.equal(c.service, 'payment-api');
      assert.equal(c.request.url, '/charge?debug=1');
      assert.equal(c.request.body, '{"amount":12,"currency":"EUR"}');
      assert.equal(c.request.headers.authorization, '[redacted]');
      assert.equal(c.answeredWith.status, 501);
      assert.equal(c.nearest.length, 3);
      // same path with another method ranks before another path; the far stub is left out
      assert.deepEqual(c.nearest.map((x) => x.stubId), ['charge', 'status', 'refund']);
      assert.ok(c.nearest[0].distance < c.nearest[1].distance);
      const f = c.nearest[0].failures;
      assert.deepEqual(f.map((x) => [x.matcher, x.field]), [['body', '$.amount']]);
      assert.equal(f[0].expected, 10);
      assert.equal(f[0].actual, 12);
      assert.deepEqual(c.nearest[1].failures.map((x) => x.matcher), ['method']);
      assert.ok(c.nearest[2].failures.some((x) => x.matcher === 'path' && x.expected === '/refund' && x.actual === '/charge'));
      assert.match(c.nearest[0].summary, /^POST \/charge body≈/);
      assert.deepEqual(events, [
        {
          service: 'payment-api',
          method: 'POST',
          url: '/charge?debug=1',
          matched: false,
          status: 501,
          unmatchedId: c.id,
          nearest: { stubId: 'charge', summary: c.nearest[0].summary, why: '$.amount is 12, expected 10' },
        },
      ]);
      assert.deepEqual(s.stats(), { service: 'payment-api', port: s.port, calls: 1, matched: 0, unmatched: 1 });
    } finally {
      await s.stop();
    }
  });

  test('configurable status', async () => {
    const s = await startServer(stubs, { unmatched: { status: 404 } });
    try {
      const r = await send(s.url, 'GET', '/nope');
      assert.equal(r.status, 404);
      assert.equal(s.unmatched()[0].answeredWith.status, 404);
    } finally {
      await s.stop();
    }
  });

  test('passthrough to a real URL', async () => {
    const seen: Array<{ method?: string; url?: string; body: string }> = [];
    const real = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body: b });
        res.writeHead(202, { 'content-type': 'text/plain', 'x-real': 'yes' });
        res.end('from real');
      });
    });
    await new Promise<void>((r) => real.listen(0, '127.0.0.1', r));
    const realUrl = `http://127.0.0.1:${(real.address() as AddressInfo).port}/base`;
    const s = await startServer(stubs, { unmatched: { status: 501, passthrough: realUrl } });
    try {
      const r = await send(s.url, 'PUT', '/thing?q=1', { body: 'payload' });
      assert.equal(r.status, 202);
      assert.equal(r.text, 'from real');
      assert.equal(r.headers['x-real'], 'yes');
      assert.deepEqual(seen, [{ method: 'PUT', url: '/base/thing?q=1', body: 'payload' }]);
      assert.deepEqual(s.unmatched()[0].answeredWith, { status: 202, passthrough: realUrl });
      // a matched call is still served by the stub
      assert.equal((await send(s.url, 'POST', '/refund')).status, 200);
      assert.equal(seen.length, 1);
    } finally {
      await s.stop();
      await new Promise((r) => real.close(r));
    }
  });
});

describe('server lifecycle', () => {
  test('a port already in use is a clear error naming the service and the port', async () => {
    const a = await startServer([]);
    try {
      const b = new MockServer(mockConfig({ service: 'ledger', port: a.port }), []);
      await assert.rejects(b.start(), { message: `mock 'ledger': port ${a.port} is already in use` });
    } finally {
      await a.stop();
    }
  });

  test('binds 127.0.0.1 by default and reports its URL', async () => {
    const s = await startServer([{ request: { path: '/' }, response: { status: 204 } }]);
    try {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await send(s.url, 'GET', '/')).status, 204);
    } finally {
      await s.stop();
    }
  });

  test('response headers: repeated values, recorded date and length dropped, json convenience', async () => {
    const s = await startServer([
      { request: { method: 'GET', path: '/h' }, response: { status: 200, headers: { Vary: ['Accept', 'Origin'], 'X-One': '1' }, json: { a: 1 } } },
    ]);
    try {
      const r = await send(s.url, 'GET', '/h');
      assert.deepEqual(r.json(), { a: 1 });
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-one'], '1');
      assert.deepEqual(r.headers['vary'], ['Accept', 'Origin']);
    } finally {
      await s.stop();
    }
  });
});

describe('unmatched calls keep secrets out of what is shown and saved', () => {
  test('secret query values and headers are masked in the call and in the nearest stubs\' explanations', async () => {
    async function* gen() {
      yield pair('GET', 'http://payment-api/v1/x?api_key=OLDKEY&page=1', 200, '{"ok":true}');
    }
    const { stubs } = await stubsFromTraffic(gen(), { service: 'payment-api', ignore: [] });
    const s = await startServer(stubs);
    try {
      const r = await send(s.url, 'GET', '/v1/x?api_key=sk_live_NEWSECRET&page=2', { headers: { authorization: 'Bearer tok_SECRET' } });
      assert.equal(r.status, 501);
      const [call] = s.unmatched();
      const saved = JSON.stringify(call);
      for (const secret of ['sk_live_NEWSECRET', 'OLDKEY', 'tok_SECRET']) assert.ok(!saved.includes(secret), `${secret} leaked: ${saved}`);
      assert.match(call.request.url, /api_key=\*\*\*/);
      // the non-secret difference is still explained with its values
      const page = call.nearest[0].failures.find((f) => f.field === 'page');
      assert.ok(page, JSON.stringify(call.nearest[0].failures));
      assert.equal(page.actual, '2');
      const key = call.nearest[0].failures.find((f) => f.field === 'api_key');
      assert.ok(key);
      assert.equal(key.actual, '***');
    } finally {
      await s.stop();
    }
  });
});
