import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { JsonlWriter, readPairs, exportHar, exportRrpairMd, detectFormat, PairSchema, type Pair, type PairInput } from '../../../src/engine/store/index.js';
import { tmpDir, collect, issueSink } from './helpers.js';

const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff, 0xfe]).toString('base64');

/** A store exercising what the exporters must carry. */
const SAMPLE: PairInput[] = [
  {
    id: 'in-1', session: 'checkout', seq: 0, ts: '2026-05-27T19:08:01.430262Z', direction: 'in',
    request: { method: 'POST', url: '/orders?expand=items&q=a%20b', headers: { host: 'shop:8080', 'content-type': 'application/json', 'x-multi': ['a', 'b, c'] }, body: '{"sku":"A1"}' },
    response: { status: 201, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, no-store', 'set-cookie': ['a=1; Path=/', 'b=2'] }, body: '{"id":"o-1"}\n' },
    duration: 71.5,
    meta: { ignore: ['$.id', 'header.date'] },
  },
  {
    id: 'in-2', session: 'checkout', seq: 1, ts: '2026-05-27T19:08:02.000Z', direction: 'in',
    request: { method: 'GET', url: '/logo.png', headers: { host: 'shop:8080' } },
    response: { status: 200, headers: { 'content-type': 'image/png' }, body: binary, bodyEncoding: 'base64' },
    duration: 3,
  },
  {
    id: 'in-3', session: 'other', seq: 0, ts: '2026-05-27T19:08:03.000Z', direction: 'in',
    request: { method: 'PUT', url: '/upload', headers: { host: 'shop:8080' }, body: binary, bodyEncoding: 'base64' },
  },
  {
    id: 'out-1', session: 'checkout', seq: 2, ts: '2026-05-27T19:08:01.500Z', direction: 'out', service: 'payment-api',
    request: { method: 'POST', url: 'http://payment-api:9000/charge', headers: { 'content-type': 'application/json', authorization: 'Bearer s3cr3t' }, body: '{"amount":5}' },
    response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'line1\r\nline2\n```\nnot a fence end' },
    duration: 12,
  },
];

async function writeStore(): Promise<{ dir: string; store: string; pairs: Pair[] }> {
  const dir = await tmpDir();
  const store = path.join(dir, 'store.jsonl');
  const w = await JsonlWriter.open(store);
  for (const p of SAMPLE) await w.write(p);
  await w.close();
  return { dir, store, pairs: SAMPLE.map((p) => PairSchema.parse(p)) };
}

const byId = (ps: Pair[]) => new Map(ps.map((p) => [p.id, p]));

describe('exporters', () => {
  test('native → HAR → native is lossless (extras ride in each entry\'s _reprise field)', async () => {
    const { dir, store, pairs } = await writeStore();
    const har = path.join(dir, 'out', 'export.har');
    const n = await exportHar(readPairs([store]), har, { redact: false });
    assert.equal(n, 4);
    assert.equal(await detectFormat(har), 'har');
    const doc = JSON.parse(await fsp.readFile(har, 'utf8')) as { log: { version: string; entries: Array<{ request: { url: string; queryString: unknown[] }; response: { status: number } }> } };
    assert.equal(doc.log.version, '1.2');
    assert.equal(doc.log.entries[0].request.url, 'http://shop:8080/orders?expand=items&q=a%20b');
    assert.deepEqual(doc.log.entries[0].request.queryString, [{ name: 'expand', value: 'items' }, { name: 'q', value: 'a b' }]);
    assert.equal(doc.log.entries[2].response.status, 0); // no response
    const { issues, onIssue } = issueSink();
    const back = await collect(readPairs([har], { onIssue }));
    assert.deepEqual(back, pairs);
    assert.deepEqual(issues.map((i) => i.entry), [2]); // the request-only pair is noted, not lost
  });

  test('native → RRPair Markdown → native keeps everything the format can hold', async () => {
    const { dir, store, pairs } = await writeStore();
    const out = path.join(dir, 'rrpair');
    const files = await exportRrpairMd(readPairs([store]), out, { redact: false });
    assert.equal(files.length, 4);
    assert.deepEqual(files.map((f) => path.relative(out, f).split(path.sep)[0]), ['shop', 'shop', 'shop', 'payment-api']);
    assert.equal(await detectFormat(files[0]), 'rrpair-md');
    const md = await fsp.readFile(files[0], 'utf8');
    assert.match(md, /^Cache-Control: no-cache\\, no-store$/m);
    assert.match(md, /^X-Multi: a, b\\, c$/m);
    assert.match(md, /^direction: IN$/m);
    const back = byId(await collect(readPairs([out])));
    assert.equal(back.size, 4);
    for (const orig of pairs) {
      const got = back.get(orig.id);
      assert.ok(got, orig.id);
      // RRPair Markdown has no place for `meta` (documented in exporters/rrpair-md.ts).
      const { meta: _meta, ...expected } = orig;
      assert.deepEqual(got, expected, orig.id);
    }
  });

  test('exports redact secret headers by default; opt-out keeps them', async () => {
    const { dir } = await writeStore();
    const p: PairInput = {
      id: 's', ts: '2026-01-01T00:00:00Z', direction: 'in',
      request: { method: 'GET', url: '/', headers: { host: 'h', authorization: 'Bearer abc', cookie: 'sid=1', 'x-api-key': 'k', 'api-key': 'k2', 'x-auth-token': 't', 'proxy-authorization': 'Basic zz', 'x-my-token-id': 'tt', 'x-client-secret': 'ss', accept: '*/*' } },
      response: { status: 200, headers: { 'set-cookie': 'sid=2; Path=/', 'content-type': 'text/plain' }, body: 'ok' },
    };
    const pair = PairSchema.parse(p);
    const har = path.join(dir, 'r.har');
    await exportHar([pair], har);
    const mdDir = path.join(dir, 'md');
    await exportRrpairMd([pair], mdDir);
    for (const [back] of [await collect(readPairs([har])), await collect(readPairs([mdDir]))]) {
      const h = back.request.headers;
      for (const k of ['authorization', 'cookie', 'x-api-key', 'api-key', 'x-auth-token', 'proxy-authorization', 'x-my-token-id', 'x-client-secret']) {
        assert.ok(!/abc|sid=1$|^k$|k2|^t$|zz|tt|ss/.test(String(h[k])), `${k} leaked: ${String(h[k])}`);
        assert.match(String(h[k]), /\*\*\*/, k);
      }
      assert.equal(h.accept, '*/*');
      assert.equal(h.host, 'h');
      assert.match(String(back.response?.headers['set-cookie']), /^sid=\*\*\*; Path=\/$/);
    }
    const raw = await fsp.readFile(har, 'utf8');
    assert.ok(!raw.includes('Bearer abc'));
    const kept = path.join(dir, 'kept.har');
    await exportHar([pair], kept, { redact: false });
    const [k] = await collect(readPairs([kept]));
    assert.equal(k.request.headers.authorization, 'Bearer abc');
    assert.equal(k.response?.headers['set-cookie'], 'sid=2; Path=/');
  });
});
