import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import net from 'node:net';
import { createClient, sanitizeHeaders, errorCode } from '../../../src/engine/replay/client.js';
import { startServer, deadPort, sleep } from './helpers.js';

describe('sanitizeHeaders', () => {
  test('drops hop-by-hop, computed and pseudo headers; keeps the rest', () => {
    const out = sanitizeHeaders({
      Host: 'recorded.example:8080',
      'Content-Length': '12',
      'transfer-encoding': 'chunked',
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      'x-hop': 'gone',
      expect: '100-continue',
      ':authority': 'recorded.example',
      'X-Trace': 'abc',
      accept: ['a', 'b'],
    });
    assert.deepEqual(out, { 'x-trace': 'abc', accept: ['a', 'b'] });
  });

  test('keeps the recorded host only when asked', () => {
    assert.deepEqual(sanitizeHeaders({ host: 'h.example' }, true), { host: 'h.example' });
    assert.deepEqual(sanitizeHeaders({ host: 'h.example' }, false), {});
  });

  test('error codes', () => {
    assert.equal(errorCode({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout');
    assert.equal(errorCode({ code: 'UND_ERR_BODY_TIMEOUT' }), 'timeout');
    assert.equal(errorCode({ code: 'UND_ERR_SOCKET' }), 'ECONNRESET');
    assert.equal(errorCode({ code: 'ENOTFOUND' }), 'ENOTFOUND');
    assert.equal(errorCode({ name: 'AbortError' }), 'aborted');
    assert.equal(errorCode(Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {})), 'ECONNREFUSED');
    assert.equal(errorCode(new Error('plain')), 'error');
  });
});

describe('client.send', () => {
  test('sends method, path, headers and body; reads the whole response; computes content-length itself', async () => {
    const srv = await startServer((req, res) => {
      res.setHeader('x-echo', 'yes');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ method: req.method, url: req.url, body: req.body, headers: req.headers }));
    });
    const client = createClient({ connections: 2 });
    try {
      const r = await client.send(
        {
          method: 'post',
          url: `${srv.url}/things?x=1`,
          headers: { 'content-type': 'text/plain', 'content-length': '999', host: 'recorded:1', 'x-a': 'b' },
          body: Buffer.from('héllo'),
        },
        { timeoutMs: 5000 },
      );
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-echo'], 'yes');
      assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
      const echo = JSON.parse(r.body.toString('utf8'));
      assert.equal(echo.method, 'POST');
      assert.equal(echo.url, '/things?x=1');
      assert.equal(echo.body, 'héllo');
      assert.equal(echo.headers['content-length'], String(Buffer.byteLength('héllo')));
      assert.equal(echo.headers.host, `127.0.0.1:${srv.port}`);
      assert.equal(echo.headers['x-a'], 'b');
      assert.ok(r.latencyMs >= 0);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('preserveHost sends the recorded host', async () => {
    const srv = await startServer((req, res) => res.end(String(req.headers.host)));
    const client = createClient({ preserveHost: true });
    try {
      const r = await client.send({ method: 'GET', url: `${srv.url}/`, headers: { host: 'shop.example' } });
      assert.ok(r.ok);
      assert.equal(r.body.toString(), 'shop.example');
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('decodes gzip and br bodies; keeps raw bytes when decoding fails', async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/gz') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('{"a":1}'));
      } else if (req.url === '/br') {
        res.writeHead(200, { 'content-encoding': 'br' });
        res.end(zlib.brotliCompressSync('brotli!'));
      } else {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end('not gzip');
      }
    });
    const client = createClient();
    try {
      const gz = await client.send({ method: 'GET', url: `${srv.url}/gz`, headers: {} });
      assert.ok(gz.ok);
      assert.equal(gz.body.toString(), '{"a":1}');
      assert.equal(gz.decoded, 'gzip');
      const br = await client.send({ method: 'GET', url: `${srv.url}/br`, headers: {} });
      assert.ok(br.ok);
      assert.equal(br.body.toString(), 'brotli!');
      const bad = await client.send({ method: 'GET', url: `${srv.url}/bad`, headers: {} });
      assert.ok(bad.ok);
      assert.equal(bad.body.toString(), 'not gzip');
      assert.equal(bad.decoded, undefined);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('a closed port gives ECONNREFUSED, not a throw', async () => {
    const port = await deadPort();
    const client = createClient();
    try {
      const r = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {} }, { timeoutMs: 5000 });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.code === 'ECONNREFUSED', JSON.stringify(r));
    } finally {
      await client.close();
    }
  });

  test('no headers within the timeout gives timeout; a body that stalls gives timeout too', async () => {
    const srv = await startServer(async (req, res) => {
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      }
      // never end
    });
    const client = createClient();
    try {
      const a = await client.send({ method: 'GET', url: `${srv.url}/hang`, headers: {} }, { timeoutMs: 150 });
      assert.ok(!a.ok && a.error.code === 'timeout', JSON.stringify(a));
      const b = await client.send({ method: 'GET', url: `${srv.url}/stall-body`, headers: {} }, { timeoutMs: 150 });
      assert.ok(!b.ok && b.error.code === 'timeout', JSON.stringify(b));
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('a connection reset gives ECONNRESET', async () => {
    const srv = net.createServer((sock) => sock.once('data', () => sock.resetAndDestroy()));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const client = createClient();
    try {
      const r = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }, { timeoutMs: 5000 });
      assert.ok(!r.ok && r.error.code === 'ECONNRESET', JSON.stringify(r));
    } finally {
      await client.close();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  test('the signal aborts a request in flight with code aborted', async () => {
    const srv = await startServer(() => {});
    const client = createClient();
    const ac = new AbortController();
    try {
      const p = client.send({ method: 'GET', url: `${srv.url}/hang`, headers: {} }, { timeoutMs: 10_000, signal: ac.signal });
      await sleep(50);
      ac.abort();
      const r = await p;
      assert.ok(!r.ok && r.error.code === 'aborted', JSON.stringify(r));
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('an invalid header value is an error result, not a throw', async () => {
    const srv = await startServer((_req, res) => res.end('x'));
    const client = createClient();
    try {
      const r = await client.send({ method: 'GET', url: `${srv.url}/`, headers: { 'x-bad': 'a\r\nb' } });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.code === 'invalid-request', JSON.stringify(r));
      assert.equal(srv.seen.length, 0);
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
