// The recorder's small parts: body decoding and capping, header forwarding rules, CONNECT authorities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, deflateRawSync, gzipSync, brotliCompressSync } from 'node:zlib';
import { BodyTap, decodeContent, recordBody } from '../../../src/engine/record/body.js';
import { forwardHeaders, parseAuthority, safeServiceName } from '../../../src/engine/record/http-bits.js';
import { traceIdOf, cookieValue } from '../../../src/engine/record/sessions.js';

const tap = (b: Buffer, cap = 1 << 20) => {
  const t = new BodyTap(cap);
  t.push(b.subarray(0, 3));
  t.push(b.subarray(3));
  return t;
};

test('decodeContent: gzip, zlib deflate, raw deflate, br, stacked codings; unknown coding throws', async () => {
  const text = Buffer.from('{"a":1}');
  assert.ok((await decodeContent(gzipSync(text), 'gzip', 1e6)).equals(text));
  assert.ok((await decodeContent(gzipSync(text), 'X-GZIP', 1e6)).equals(text));
  assert.ok((await decodeContent(deflateSync(text), 'deflate', 1e6)).equals(text));
  assert.ok((await decodeContent(deflateRawSync(text), 'deflate', 1e6)).equals(text));
  assert.ok((await decodeContent(brotliCompressSync(text), 'br', 1e6)).equals(text));
  assert.ok((await decodeContent(brotliCompressSync(gzipSync(text)), 'gzip, br', 1e6)).equals(text));
  await assert.rejects(decodeContent(text, 'zstd', 1e6), /unsupported content-encoding 'zstd'/);
  await assert.rejects(decodeContent(gzipSync(Buffer.alloc(5000)), 'gzip', 100));
});

test('recordBody: decoded with meta, undecodable kept as base64 with its header, over the cap dropped', async () => {
  const gz = gzipSync('hello');
  const ok = await recordBody({ 'content-encoding': 'gzip', 'content-length': String(gz.length), 'content-type': 'text/plain' }, tap(gz));
  assert.deepEqual(ok, { headers: { 'content-length': '5', 'content-type': 'text/plain' }, contentEncoding: 'gzip', wireLength: gz.length, body: 'hello' });
  const bad = await recordBody({ 'content-encoding': 'gzip' }, tap(Buffer.from('not gzip at all')));
  assert.equal(bad.headers['content-encoding'], 'gzip');
  assert.equal(bad.bodyEncoding, 'base64');
  assert.equal(Buffer.from(bad.body!, 'base64').toString(), 'not gzip at all');
  assert.ok(bad.decodeError);
  const big = await recordBody({}, tap(Buffer.alloc(50, 1), 10));
  assert.deepEqual(big, { headers: {}, truncated: 50 });
  assert.deepEqual(await recordBody({ 'content-encoding': 'gzip' }, new BodyTap(10)), { headers: { 'content-encoding': 'gzip' } });
});

test('forwardHeaders drops hop-by-hop ones (and those named in Connection), keeps case, order, repeats and framing', () => {
  const raw = ['Host', 'a', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'Proxy-Authorization', 'Basic x',
    'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Trailer', 'X-Sum', 'Upgrade', 'h2c', 'X-Keep', 'v'];
  assert.deepEqual(forwardHeaders(raw), ['Host', 'a', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'Trailer', 'X-Sum', 'X-Keep', 'v']);
});

test('parseAuthority, safeServiceName, traceIdOf, cookieValue', () => {
  assert.deepEqual(parseAuthority('api.example.com:8443'), { host: 'api.example.com', port: 8443 });
  assert.deepEqual(parseAuthority('[::1]:443'), { host: '::1', port: 443 });
  assert.deepEqual(parseAuthority('example.com'), { host: 'example.com', port: 443 });
  assert.equal(parseAuthority('example.com:99999'), undefined);
  assert.equal(parseAuthority('/path'), undefined);
  assert.equal(safeServiceName('api.example.com'), 'api.example.com');
  assert.equal(safeServiceName('::1'), '__1');
  assert.equal(safeServiceName('../etc'), '__etc');
  assert.equal(safeServiceName('..'), '_');
  assert.equal(traceIdOf({ traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' }), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(traceIdOf({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }), undefined);
  assert.equal(traceIdOf({}), undefined);
  assert.equal(cookieValue('a=1; sid=x=y; b=2', 'sid'), 'x=y');
  assert.equal(cookieValue(['a=1', 'sid=2'], 'sid'), '2');
  assert.equal(cookieValue('a=1', 'sid'), undefined);
});
