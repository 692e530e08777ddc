import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createClient } from '../../../src/engine/replay/client.js';
import { startServer, sleep } from './helpers.js';

describe('replay client: shared timeout and abort bookkeeping', () => {
  test('one abort listener per signal while requests are in flight, none once they are done', async () => {
    const srv = await startServer(async (_req, res) => {
      await sleep(30);
      res.end('ok');
    });
    const client = createClient({ connections: 4 });
    const ac = new AbortController();
    try {
      const all = Array.from({ length: 8 }, (_, i) => client.send({ method: 'GET', url: `${srv.url}/r/${i}`, headers: {} }, { timeoutMs: 5000, signal: ac.signal }));
      await sleep(10);
      assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
      const results = await Promise.all(all);
      assert.ok(results.every((r) => r.ok && r.body.toString() === 'ok'), JSON.stringify(results.filter((r) => !r.ok)));
      assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('a request still waiting for a connection times out on time, and the next one gets the connection', async () => {
    let hang = true;
    const srv = await startServer((req, res) => {
      if (req.url === '/hang' && hang) return; // never answers (until the socket is cut)
      res.end(`done ${req.url}`);
    });
    const client = createClient({ connections: 1 });
    try {
      const first = client.send({ method: 'GET', url: `${srv.url}/hang`, headers: {} }, { timeoutMs: 300 });
      const queued = client.send({ method: 'GET', url: `${srv.url}/queued`, headers: {} }, { timeoutMs: 100 });
      const q = await queued;
      assert.ok(!q.ok && q.error.code === 'timeout', JSON.stringify(q));
      assert.match(q.error.message, /within 100 ms/);
      const f = await first;
      assert.ok(!f.ok && f.error.code === 'timeout', JSON.stringify(f));
      hang = false;
      const next = await client.send({ method: 'GET', url: `${srv.url}/next`, headers: {} }, { timeoutMs: 2000 });
      assert.ok(next.ok && next.body.toString() === 'done /next', JSON.stringify(next));
      // the timed-out queued request was never sent
      assert.equal(srv.seen.filter((s) => s.url === '/queued').length, 0);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('URLs the URL parser would change are sent as new URL() gives them', async () => {
    const srv = await startServer((req, res) => res.end(req.url));
    const client = createClient();
    try {
      const cases: [string, string][] = [
        ['/plain/1?q=x', '/plain/1?q=x'],
        ['/a/../b', '/b'],
        ['/a/%2e%2e/c', '/c'],
        ['/sp ace?x=a b', '/sp%20ace?x=a%20b'],
        ['/frag#x', '/frag'],
        ["/q?x='", '/q?x=%27'],
      ];
      for (const [sent, seen] of cases) {
        const r = await client.send({ method: 'get', url: `${srv.url}${sent}`, headers: { Accept: 'x' } });
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.body.toString(), seen, sent);
      }
      assert.ok(srv.seen.every((s) => s.method === 'GET' && s.headers.accept === 'x'));
      const bad = await client.send({ method: 'GET', url: 'not a url', headers: {} });
      assert.ok(!bad.ok && bad.error.code === 'invalid-request', JSON.stringify(bad));
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('1xx informational responses are skipped; a multi-chunk body is whole', async () => {
    const big = 'x'.repeat(300_000);
    const srv = await startServer((req, res) => {
      if (req.url === '/early') {
        res.writeEarlyHints({ link: '</a.css>; rel=preload' });
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('created');
        return;
      }
      res.end(big);
    });
    const client = createClient();
    try {
      const e = await client.send({ method: 'GET', url: `${srv.url}/early`, headers: {} });
      assert.ok(e.ok && e.status === 201 && e.body.toString() === 'created', JSON.stringify(e));
      const b = await client.send({ method: 'GET', url: `${srv.url}/big`, headers: {} });
      assert.ok(b.ok && b.body.length === big.length && b.body.toString() === big);
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
