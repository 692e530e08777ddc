// The recorder against real servers on loopback: an app behind the inbound proxy that calls a dependency
// through the outbound proxy. What passes through must be byte-identical to talking to the app directly;
// what is stored must be valid pairs with the right sessions, links and decoded bodies.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { promises as fsp, existsSync } from 'node:fs';
import { ProxyAgent, request as undiciRequest } from 'undici';
import { startRecorder, type Recorder, type RecorderOptions } from '../../../src/engine/record/index.js';
import { defaultContext } from '../../../src/engine/context.js';
import { bodyBytes, headerValue } from '../../../src/engine/store/model.js';
import { tmpDir, serve, rawRequest, stableHeaders, readStore, readHead, readN } from './helpers.js';

const ctx = defaultContext();

async function withRecorder(appUrl: string, extra: Partial<RecorderOptions>, fn: (rec: Recorder, out: string) => Promise<void>): Promise<string> {
  const out = await tmpDir();
  const rec = await startRecorder({ appUrl, inPort: 0, outPort: 0, out, ctx, ...extra });
  try {
    await fn(rec, out);
  } finally {
    await rec.stop();
  }
  return out;
}

/** GET through a forward proxy in absolute-form, as an HTTP_PROXY client does. */
function viaProxy(proxyUrl: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const p = new URL(proxyUrl);
  const t = new URL(target);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: p.hostname, port: p.port, path: target, headers: { host: t.host, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A dependency with prices, and an app whose /buy/<sku> looks the price up through `proxy.url`. */
async function appWithDependency() {
  const dep = await serve(
    http.createServer((req, res) => {
      const sku = (req.url ?? '').split('/').pop();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sku, price: sku!.length * 100 }));
    }),
  );
  const proxy = { url: '' };
  const hold: { n: number; waiting: Array<() => void> } = { n: 0, waiting: [] };
  const app = await serve(
    http.createServer(async (req, res) => {
      if (req.url === '/health') return res.end('ok');
      const m = /^\/(buy|together)\/(\w+)$/.exec(req.url ?? '');
      if (!m) return res.writeHead(404).end();
      if (m[1] === 'together') {
        // wait until two requests are in flight, so their dependency calls overlap
        hold.n++;
        await new Promise<void>((r) => {
          hold.waiting.push(r);
          if (hold.n === 2) hold.waiting.forEach((w) => w());
        });
      }
      // with x-propagate, pass the trace context and session header on, like an instrumented app
      const pass: Record<string, string> = {};
      if (req.headers['x-propagate']) {
        for (const h of ['traceparent', 'x-session-id']) if (typeof req.headers[h] === 'string') pass[h] = req.headers[h] as string;
      }
      const r = await viaProxy(proxy.url, `${dep.url}/price/${m[2]}`, pass);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ item: m[2], upstream: JSON.parse(r.body) }));
    }),
  );
  return {
    dep,
    app,
    proxy,
    close: async () => {
      await app.close();
      await dep.close();
    },
  };
}

describe('recording a session', () => {
  test('inbound and outbound pairs land in their files with sessions, seq and links', async () => {
    const env = await appWithDependency();
    const seen: string[] = [];
    try {
      const out = await withRecorder(
        env.app.url,
        { serviceName: (h) => (h === '127.0.0.1' ? 'prices' : undefined), onPair: (p, k) => seen.push(`${k}:${p.request.url}`) },
        async (rec) => {
          env.proxy.url = rec.outProxyUrl;
          for (const [session, p] of [['s1', '/buy/KB'], ['s1', '/buy/MOUSE'], ['s2', '/buy/HUB'], ['s2', '/health']]) {
            const r = await rawRequest(rec.inUrl + p, { headers: { 'x-session-id': session, authorization: 'Bearer not-redacted' } });
            assert.equal(r.status, 200);
          }
          assert.deepEqual({ ...rec.stats(), inFlight: 0 }, { inbound: 4, outbound: 3, tunnels: 0, errors: 0, inFlight: 0 });
        },
      );
      const inbound = await readStore(path.join(out, 'inbound.jsonl'));
      const outbound = await readStore(path.join(out, 'prices', 'outbound.jsonl'));
      assert.deepEqual(
        inbound.map((p) => [p.session, p.seq, p.request.method, p.request.url, p.response?.status]),
        [
          ['s1', 0, 'GET', '/buy/KB', 200],
          ['s1', 1, 'GET', '/buy/MOUSE', 200],
          ['s2', 0, 'GET', '/buy/HUB', 200],
          ['s2', 1, 'GET', '/health', 200],
        ],
      );
      for (const p of inbound) {
        assert.equal(p.direction, 'in');
        assert.equal(p.meta?.sessionSource, 'header');
        assert.ok(!Number.isNaN(Date.parse(p.ts)) && p.ts.endsWith('Z'), p.ts);
        assert.equal(typeof p.duration, 'number');
        assert.equal(headerValue(p.request.headers, 'authorization'), 'Bearer not-redacted', 'no redaction unless asked');
        for (const k of Object.keys(p.response!.headers)) assert.equal(k, k.toLowerCase());
      }
      assert.deepEqual(JSON.parse(inbound[0].response!.body!), { item: 'KB', upstream: { sku: 'KB', price: 200 } });
      assert.equal(inbound[3].response!.body, 'ok');

      const byUrl = new Map(inbound.map((p) => [p.request.url, p]));
      assert.deepEqual(
        outbound.map((p) => [p.session, p.seq, p.service, p.request.url, p.response?.status, p.meta?.inboundId]),
        [
          ['s1', 0, 'prices', `${env.dep.url}/price/KB`, 200, byUrl.get('/buy/KB')!.id],
          ['s1', 1, 'prices', `${env.dep.url}/price/MOUSE`, 200, byUrl.get('/buy/MOUSE')!.id],
          ['s2', 0, 'prices', `${env.dep.url}/price/HUB`, 200, byUrl.get('/buy/HUB')!.id],
        ],
      );
      for (const p of outbound) {
        assert.equal(p.direction, 'out');
        assert.equal(headerValue(p.request.headers, 'host'), `127.0.0.1:${env.dep.port}`);
        assert.equal(p.request.headers['proxy-connection'], undefined);
      }
      assert.deepEqual(JSON.parse(outbound[2].response!.body!), { sku: 'HUB', price: 300 });
      assert.equal(new Set([...inbound, ...outbound].map((p) => p.id)).size, 7, 'ids are unique');
      assert.equal(seen.length, 7);
      assert.ok(seen.includes('inbound:/buy/KB') && seen.includes(`outbound:${env.dep.url}/price/KB`));
    } finally {
      await env.close();
    }
  });

  test('an outbound call made while several inbound requests are in flight lists them as candidates', async () => {
    const env = await appWithDependency();
    try {
      const out = await withRecorder(env.app.url, {}, async (rec) => {
        env.proxy.url = rec.outProxyUrl;
        const [a, b] = await Promise.all([
          rawRequest(rec.inUrl + '/together/A', { headers: { 'x-session-id': 'sa' } }),
          rawRequest(rec.inUrl + '/together/B', { headers: { 'x-session-id': 'sb' } }),
        ]);
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
      });
      const inbound = await readStore(path.join(out, 'inbound.jsonl'));
      const outbound = await readStore(path.join(out, '127.0.0.1', 'outbound.jsonl'));
      assert.equal(inbound.length, 2);
      assert.equal(outbound.length, 2);
      const ids = inbound.map((p) => p.id).sort();
      for (const p of outbound) {
        assert.equal(p.service, '127.0.0.1', 'default service name is the host without port');
        assert.equal(p.meta?.inboundId, undefined);
        assert.deepEqual([...(p.meta?.inboundCandidates as string[])].sort(), ids);
        assert.equal(p.session, 'default');
      }
    } finally {
      await env.close();
    }
  });
});

describe('linking outbound calls that overlap', () => {
  test('a propagated traceparent or session header links each call to its own request', async () => {
    const env = await appWithDependency();
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    try {
      const out = await withRecorder(env.app.url, {}, async (rec) => {
        env.proxy.url = rec.outProxyUrl;
        const [a, b] = await Promise.all([
          rawRequest(rec.inUrl + '/together/T', { headers: { 'x-propagate': '1', traceparent: `00-${trace}-00f067aa0ba902b7-01` } }),
          rawRequest(rec.inUrl + '/together/S', { headers: { 'x-propagate': '1', 'x-session-id': 'shop-7' } }),
        ]);
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
      });
      const inbound = await readStore(path.join(out, 'inbound.jsonl'));
      const outbound = await readStore(path.join(out, '127.0.0.1', 'outbound.jsonl'));
      const inT = inbound.find((p) => p.request.url === '/together/T')!;
      const inS = inbound.find((p) => p.request.url === '/together/S')!;
      assert.match(inT.session, /^conn-/);
      assert.equal(inS.session, 'shop-7');
      const outT = outbound.find((p) => p.request.url.endsWith('/price/T'))!;
      const outS = outbound.find((p) => p.request.url.endsWith('/price/S'))!;
      assert.deepEqual([outT.meta?.inboundId, outT.meta?.linkedBy, outT.session], [inT.id, 'traceparent', inT.session]);
      assert.deepEqual([outS.meta?.inboundId, outS.meta?.linkedBy, outS.session], [inS.id, 'header', 'shop-7']);
      assert.equal(outT.meta?.inboundCandidates, undefined);
    } finally {
      await env.close();
    }
  });
});

describe('passing traffic through unchanged', () => {
  const json = JSON.stringify({ hello: 'world', n: Array.from({ length: 200 }, (_, i) => i) });
  const gz = gzipSync(json);
  const br = brotliCompressSync(json);
  const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + 11) % 256));
  const received: Array<{ url: string; sha: string; length: number; rawHeaders: string[] }> = [];

  const appHandler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/chunked') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Mixed-Case': 'Value' });
      res.write('part1-');
      setImmediate(() => {
        res.write('part2-');
        setImmediate(() => res.end('part3'));
      });
    } else if (req.url === '/gzip') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': gz.length, Vary: 'Accept-Encoding' });
      res.end(gz);
    } else if (req.url === '/gzip-chunked') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.write(gz.subarray(0, 10));
      setImmediate(() => res.end(gz.subarray(10)));
    } else if (req.url === '/br') {
      res.writeHead(200, [['Content-Type', 'application/json'], ['Content-Encoding', 'br'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']] as unknown as http.OutgoingHttpHeaders);
      res.end(br);
    } else if (req.url === '/binary') {
      res.writeHead(201, 'Made It', { 'Content-Type': 'application/octet-stream' });
      res.end(binary);
    } else if (req.url === '/trailers') {
      res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Checksum' });
      res.write('with trailers');
      res.addTrailers({ 'X-Checksum': 'abc123' });
      res.end();
    } else if (req.url === '/big') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(5000));
    } else {
      const h = createHash('sha256');
      let length = 0;
      req.on('data', (c: Buffer) => {
        h.update(c);
        length += c.length;
      });
      req.on('end', () => {
        const sha = h.digest('hex');
        received.push({ url: req.url ?? '', sha, length, rawHeaders: req.rawHeaders });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sha, length }));
      });
    }
  };

  test('chunked, gzip, brotli, binary and trailer responses are byte-identical through the proxy and stored decoded', async () => {
    const app = await serve(http.createServer(appHandler));
    try {
      const out = await withRecorder(app.url, { sessionHeader: 'x-s' }, async (rec) => {
        for (const p of ['/chunked', '/gzip', '/gzip-chunked', '/br', '/binary', '/trailers']) {
          const direct = await rawRequest(app.url + p, { headers: { 'Accept-Encoding': 'gzip, br', 'x-s': 'direct' } });
          const proxied = await rawRequest(rec.inUrl + p, { headers: { 'Accept-Encoding': 'gzip, br', 'x-s': 'web' } });
          assert.equal(proxied.status, direct.status, p);
          assert.ok(proxied.body.equals(direct.body), `${p}: body bytes`);
          assert.deepEqual(stableHeaders(proxied.rawHeaders), stableHeaders(direct.rawHeaders), `${p}: headers, case and order`);
          assert.deepEqual(proxied.rawTrailers, direct.rawTrailers, `${p}: trailers`);
        }
      });
      const pairs = await readStore(path.join(out, 'inbound.jsonl'));
      const by = new Map(pairs.map((p) => [p.request.url, p]));
      assert.equal(pairs.length, 6);
      assert.ok(pairs.every((p) => p.session === 'web' && p.request.headers['accept-encoding'] === 'gzip, br'));

      const chunked = by.get('/chunked')!.response!;
      assert.equal(chunked.body, 'part1-part2-part3');
      assert.equal(chunked.headers['transfer-encoding'], 'chunked');
      assert.equal(chunked.headers['x-mixed-case'], 'Value');

      for (const p of ['/gzip', '/gzip-chunked', '/br']) {
        const pair = by.get(p)!;
        assert.equal(pair.response!.body, json, `${p}: stored decoded`);
        assert.equal(pair.response!.bodyEncoding, undefined);
        assert.equal(pair.response!.headers['content-encoding'], undefined, `${p}: content-encoding moved to meta`);
        assert.equal((pair.meta?.contentEncoding as Record<string, string>).response, p === '/br' ? 'br' : 'gzip');
      }
      const gzPair = by.get('/gzip')!;
      assert.equal(gzPair.response!.headers['content-length'], String(Buffer.byteLength(json)));
      assert.equal((gzPair.meta?.wireLength as Record<string, number>).response, gz.length);
      assert.deepEqual(by.get('/br')!.response!.headers['set-cookie'], ['a=1', 'b=2']);

      const bin = by.get('/binary')!.response!;
      assert.equal(bin.status, 201);
      assert.equal(bin.bodyEncoding, 'base64');
      assert.ok(bodyBytes(bin.body, bin.bodyEncoding).equals(binary));

      const tr = by.get('/trailers')!;
      assert.equal(tr.response!.body, 'with trailers');
      assert.deepEqual(tr.meta?.trailers, { 'x-checksum': 'abc123' });
    } finally {
      await app.close();
    }
  });

  test('chunked and gzip request bodies reach the app unchanged and are stored decoded', async () => {
    received.length = 0;
    const app = await serve(http.createServer(appHandler));
    const bytes = [Buffer.from([0xff, 0x00, 0xfe]), Buffer.from('then text')];
    const payload = JSON.stringify({ order: 42, note: 'gzip me' });
    const gzPayload = gzipSync(payload);
    try {
      const out = await withRecorder(app.url, {}, async (rec) => {
        for (const base of [app.url, rec.inUrl]) {
          const r1 = await rawRequest(base + '/echo-chunked', { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
          assert.equal(r1.status, 200);
          const r2 = await rawRequest(base + '/echo-gzip', {
            method: 'POST',
            body: gzPayload,
            headers: ['Content-Type', 'application/json', 'Content-Encoding', 'gzip', 'Content-Length', String(gzPayload.length), 'X-UPPER', 'Case', 'Host', new URL(base).host],
          });
          assert.equal(r2.status, 200);
        }
      });
      assert.equal(received.length, 4);
      const [dChunk, dGzip, pChunk, pGzip] = received;
      assert.deepEqual([pChunk.sha, pChunk.length], [dChunk.sha, dChunk.length], 'chunked request body unchanged');
      assert.deepEqual([pGzip.sha, pGzip.length], [dGzip.sha, dGzip.length], 'gzip request body unchanged (still compressed)');
      assert.equal(pGzip.sha, createHash('sha256').update(gzPayload).digest('hex'));
      const te = pChunk.rawHeaders.findIndex((h) => h.toLowerCase() === 'transfer-encoding');
      assert.equal(pChunk.rawHeaders[te + 1], 'chunked', 'still chunked');
      assert.ok(pGzip.rawHeaders.includes('X-UPPER'), 'header name case kept');

      const pairs = await readStore(path.join(out, 'inbound.jsonl'));
      const chunkPair = pairs.find((p) => p.request.url === '/echo-chunked')!;
      assert.equal(chunkPair.request.bodyEncoding, 'base64');
      assert.ok(bodyBytes(chunkPair.request.body, chunkPair.request.bodyEncoding).equals(Buffer.concat(bytes)));
      assert.equal(chunkPair.request.headers['transfer-encoding'], 'chunked');
      const gzPair = pairs.find((p) => p.request.url === '/echo-gzip')!;
      assert.equal(gzPair.request.body, payload);
      assert.equal(gzPair.request.headers['content-encoding'], undefined);
      assert.equal((gzPair.meta?.contentEncoding as Record<string, string>).request, 'gzip');
    } finally {
      await app.close();
    }
  });

  test('a body over the cap passes through whole and is stored as truncated', async () => {
    const app = await serve(http.createServer(appHandler));
    try {
      const out = await withRecorder(app.url, { maxBodyBytes: 1000 }, async (rec) => {
        const r = await rawRequest(rec.inUrl + '/big');
        assert.equal(r.body.length, 5000);
      });
      const [pair] = await readStore(path.join(out, 'inbound.jsonl'));
      assert.equal(pair.response!.body, undefined);
      assert.deepEqual(pair.meta?.truncated, { response: 5000 });
    } finally {
      await app.close();
    }
  });
});

describe('CONNECT tunnels', () => {
  test('opaque tunnels pass bytes both ways and are recorded as meta only; unreachable hosts get 502', async () => {
    const echo = await serve(net.createServer((s) => s.pipe(s)));
    const greeter = await serve(net.createServer((s) => s.end('220 hello from the server\r\n')));
    const closed = await serve(net.createServer());
    const closedPort = closed.port;
    await closed.close();
    const out = await withRecorder('http://127.0.0.1:9', {}, async (rec) => {
      const proxy = new URL(rec.outProxyUrl);
      // client speaks first (like TLS)
      const s = net.connect(Number(proxy.port), proxy.hostname);
      s.write(`CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\nProxy-Authorization: Basic c2VjcmV0\r\n\r\n`);
      const { head, rest } = await readHead(s);
      assert.match(head, /^HTTP\/1\.1 200 /);
      s.write('\x16\x03\x01hello tunnel');
      assert.equal((await readN(s, 15, rest)).toString('latin1'), '\x16\x03\x01hello tunnel');
      await new Promise<void>((r) => s.end(() => r()));
      await new Promise((r) => s.once('close', r));

      // server speaks first (the proxy must not wait for the client)
      const g = net.connect(Number(proxy.port), proxy.hostname);
      g.write(`CONNECT 127.0.0.1:${greeter.port} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const gh = await readHead(g);
      assert.match(gh.head, /^HTTP\/1\.1 200 /);
      assert.equal((await readN(g, 27, gh.rest)).toString(), '220 hello from the server\r\n');
      g.destroy();

      const f = net.connect(Number(proxy.port), proxy.hostname);
      f.write(`CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match((await readHead(f)).head, /^HTTP\/1\.1 502 /);
      f.destroy();
    });
    await echo.close();
    await greeter.close();
    const tunnels = await readStore(path.join(out, 'tunnels.jsonl'));
    assert.equal(tunnels.length, 3);
    const ok = tunnels.find((p) => p.request.url === `127.0.0.1:${echo.port}`)!;
    assert.equal(ok.request.method, 'CONNECT');
    assert.equal(ok.direction, 'out');
    assert.equal(ok.service, '127.0.0.1');
    assert.equal(ok.response!.status, 200);
    assert.equal(ok.response!.body, undefined);
    assert.equal(ok.request.headers['proxy-authorization'], undefined, 'proxy credentials are not stored');
    assert.deepEqual({ ...(ok.meta!.tunnel as object), connectMs: 0 }, { host: '127.0.0.1', port: echo.port, bytesUp: 15, bytesDown: 15, connectMs: 0 });
    const greet = tunnels.find((p) => p.request.url === `127.0.0.1:${greeter.port}`)!;
    assert.equal((greet.meta!.tunnel as { bytesDown: number }).bytesDown, 27);
    const bad = tunnels.find((p) => p.request.url === `127.0.0.1:${closedPort}`)!;
    assert.equal(bad.response!.status, 502);
    assert.match(String(bad.meta!.error), /ECONNREFUSED/);
    assert.equal(existsSync(path.join(out, 'inbound.jsonl')), false);
  });

  test("plain HTTP inside a tunnel (undici's ProxyAgent) and absolute-form (proxyTunnel: false) are both recorded as calls", async () => {
    const dep = await serve(
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ path: req.url, got: body }));
        });
      }),
    );
    try {
      const out = await withRecorder('http://127.0.0.1:9', { serviceName: () => 'dep' }, async (rec) => {
        const tunnel = new ProxyAgent(rec.outProxyUrl);
        const plain = new ProxyAgent({ uri: rec.outProxyUrl, proxyTunnel: false });
        try {
          for (const [agent, p] of [[tunnel, '/via-connect'], [tunnel, '/via-connect-2'], [plain, '/absolute?q=1']] as const) {
            const r = await undiciRequest(`${dep.url}${p}`, { method: 'POST', body: `body of ${p}`, dispatcher: agent, headers: { 'content-type': 'text/plain' } });
            assert.equal(r.statusCode, 200);
            assert.deepEqual(await r.body.json(), { path: p, got: `body of ${p}` });
          }
        } finally {
          await tunnel.close();
          await plain.close();
        }
      });
      const calls = await readStore(path.join(out, 'dep', 'outbound.jsonl'));
      assert.deepEqual(
        calls.map((p) => [p.request.method, p.request.url, p.request.body, p.meta?.viaConnect ?? false]),
        [
          ['POST', `${dep.url}/via-connect`, 'body of /via-connect', true],
          ['POST', `${dep.url}/via-connect-2`, 'body of /via-connect-2', true],
          ['POST', `${dep.url}/absolute?q=1`, 'body of /absolute?q=1', false],
        ],
      );
      assert.deepEqual(JSON.parse(calls[0].response!.body!), { path: '/via-connect', got: 'body of /via-connect' });
      assert.equal(existsSync(path.join(out, 'tunnels.jsonl')), false, 'seen-through tunnels are not opaque tunnels');
    } finally {
      await dep.close();
    }
  });
});

describe('session inference', () => {
  test('client connection, then session cookie (a cookie set by a response keeps its session)', async () => {
    const app = await serve(
      http.createServer((req, res) => {
        if (req.url === '/login') res.setHeader('Set-Cookie', 'sid=abc123; Path=/; HttpOnly');
        res.end(req.url);
      }),
    );
    try {
      const out = await withRecorder(app.url, { sessionCookie: 'sid' }, async (rec) => {
        const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const b = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          for (let i = 0; i < 3; i++) {
            await rawRequest(`${rec.inUrl}/a${i}`, { agent: a });
            await rawRequest(`${rec.inUrl}/b${i}`, { agent: b });
          }
        } finally {
          a.destroy();
          b.destroy();
        }
        await rawRequest(`${rec.inUrl}/login`); // new connection, no cookie yet
        await rawRequest(`${rec.inUrl}/me`, { headers: { cookie: 'theme=dark; sid=abc123' } }); // another new connection
        await rawRequest(`${rec.inUrl}/other`, { headers: { cookie: 'sid=zzz-secret' } });
      });
      const pairs = await readStore(path.join(out, 'inbound.jsonl'));
      const s = (u: string) => pairs.find((p) => p.request.url === u)!;
      assert.match(s('/a0').session, /^conn-\d+$/);
      assert.notEqual(s('/a0').session, s('/b0').session);
      for (const x of ['a', 'b']) {
        assert.deepEqual([0, 1, 2].map((i) => s(`/${x}${i}`).session), Array(3).fill(s(`/${x}0`).session));
        assert.deepEqual([0, 1, 2].map((i) => s(`/${x}${i}`).seq), [0, 1, 2]);
      }
      assert.equal(s('/a0').meta?.sessionSource, 'connection');
      assert.equal(s('/me').session, s('/login').session, 'cookie set by /login continues its session');
      assert.equal(s('/me').meta?.sessionSource, 'cookie');
      assert.equal(s('/me').seq, 1);
      assert.match(s('/other').session, /^cookie-[0-9a-f]+$/);
      assert.ok(!s('/other').session.includes('zzz'), 'cookie values are not used as session ids');
    } finally {
      await app.close();
    }
  });
});

describe('redaction on record (--redact)', () => {
  test('masks secrets in what is stored, never in what passes through', async () => {
    let appSaw: { auth?: string; body?: string } = {};
    const app = await serve(
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          appSaw = { auth: req.headers.authorization, body };
          res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=fresh-secret; Path=/' });
          res.end(JSON.stringify({ token: 'resp-secret', user: 'ann' }));
        });
      }),
    );
    try {
      const sent = JSON.stringify({ user: 'ann', password: 'hunter2', card: { number: '4111111111111111', exp: '12/30' } });
      const out = await withRecorder(app.url, { redact: true, redactPaths: ['$.password', '$.card.number', '$.token'] }, async (rec) => {
        const r = await rawRequest(`${rec.inUrl}/login?api_key=k123&x=1`, {
          method: 'POST',
          body: Buffer.from(sent),
          headers: { authorization: 'Bearer live-token', cookie: 'sid=old-secret; theme=dark', 'x-api-key': 'key-1', 'content-type': 'application/json' },
        });
        assert.equal(JSON.parse(r.body.toString()).token, 'resp-secret', 'client gets the real response');
        assert.ok(r.rawHeaders.includes('sid=fresh-secret; Path=/'));
      });
      assert.deepEqual(appSaw, { auth: 'Bearer live-token', body: sent }, 'app gets the real request');
      const [p] = await readStore(path.join(out, 'inbound.jsonl'));
      assert.equal(p.request.url, '/login?api_key=***&x=1');
      assert.equal(p.request.headers.authorization, 'Bearer ***');
      assert.equal(p.request.headers.cookie, 'sid=***; theme=***');
      assert.equal(p.request.headers['x-api-key'], '***');
      assert.deepEqual(JSON.parse(p.request.body!), { user: 'ann', password: '***', card: { number: '***', exp: '12/30' } });
      assert.equal(p.response!.headers['set-cookie'], 'sid=***; Path=/');
      assert.deepEqual(JSON.parse(p.response!.body!), { token: '***', user: 'ann' });
      assert.equal(p.meta?.redacted, true);
      const raw = await fsp.readFile(path.join(out, 'inbound.jsonl'), 'utf8');
      for (const secret of ['live-token', 'old-secret', 'fresh-secret', 'hunter2', '4111111111111111', 'key-1', 'k123', 'resp-secret']) {
        assert.ok(!raw.includes(secret), `${secret} must not be stored`);
      }
    } finally {
      await app.close();
    }
  });
});

describe('errors', () => {
  test('an unreachable app gets 502 and nothing is recorded; origin-form on the outbound port gets 400', async () => {
    const gone = await serve(http.createServer());
    const port = gone.port;
    await gone.close();
    const out = await withRecorder(`http://127.0.0.1:${port}`, {}, async (rec) => {
      const r = await rawRequest(rec.inUrl + '/x');
      assert.equal(r.status, 502);
      assert.match(r.body.toString(), /did not answer/);
      const o = await rawRequest(rec.outProxyUrl + '/not-absolute');
      assert.equal(o.status, 400);
      assert.match(o.body.toString(), /HTTP_PROXY=/);
      assert.equal(rec.stats().errors, 1);
      assert.equal(rec.stats().inbound, 0);
    });
    assert.equal(existsSync(path.join(out, 'inbound.jsonl')), false);
  });

  test('a kept-alive app connection closed just as it is reused is retried once, invisibly', async () => {
    let conns = 0;
    const app = await serve(
      net.createServer((sock) => {
        const n = ++conns;
        let requests = 0;
        sock.on('data', () => {
          requests++;
          // the first connection answers one request, then drops the next one unanswered
          if (n === 1 && requests === 2) return sock.destroy();
          sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nr${n}`);
        });
      }),
    );
    try {
      const out = await withRecorder(app.url, {}, async (rec) => {
        assert.equal((await rawRequest(rec.inUrl + '/one')).body.toString(), 'r1');
        const second = await rawRequest(rec.inUrl + '/two');
        assert.equal(second.status, 200);
        assert.equal(second.body.toString(), 'r2');
        assert.equal(rec.stats().errors, 0);
      });
      assert.equal(conns, 2);
      const pairs = await readStore(path.join(out, 'inbound.jsonl'));
      assert.deepEqual(pairs.map((p) => p.response!.body), ['r1', 'r2']);
    } finally {
      await app.close();
    }
  });

  test('a taken port is a clear error', async () => {
    const busy = await serve(http.createServer());
    try {
      await assert.rejects(
        startRecorder({ appUrl: 'http://127.0.0.1:9', inPort: busy.port, outPort: 0, out: await tmpDir(), ctx }),
        new RegExp(`inbound port 127.0.0.1:${busy.port} is already in use`),
      );
    } finally {
      await busy.close();
    }
  });
});
