import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { importHar, readPairs, detectFormat } from '../../../src/engine/store/index.js';
import { tmpDir, collect, issueSink } from './helpers.js';

function entry(over: Record<string, unknown> = {}) {
  return {
    startedDateTime: '2024-05-01T10:00:00.000Z',
    time: 42.5,
    request: {
      method: 'get',
      url: 'https://shop.example:8443/orders/17?expand=items',
      httpVersion: 'HTTP/2',
      headers: [
        { name: ':authority', value: 'shop.example:8443' },
        { name: 'Accept', value: 'application/json' },
        { name: 'X-Trace', value: 'a' },
        { name: 'x-trace', value: 'b' },
      ],
      queryString: [{ name: 'expand', value: 'items' }],
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Set-Cookie', value: 'a=1' },
        { name: 'Set-Cookie', value: 'b=2' },
      ],
      content: { size: 9, mimeType: 'application/json', text: '{"id":17}' },
    },
    timings: { send: 1, wait: 40, receive: 1.5 },
    ...over,
  };
}

async function writeHar(dir: string, name: string, entries: unknown[], opts: { bom?: boolean; gzip?: boolean; pages?: unknown[] } = {}) {
  const file = path.join(dir, name);
  let text = JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, pages: opts.pages ?? [], entries } }, null, 2);
  if (opts.bom) text = '\uFEFF' + text;
  await fsp.writeFile(file, opts.gzip ? gzipSync(Buffer.from(text)) : text);
  return file;
}

describe('HAR importer', () => {
  test('maps an entry to an inbound pair: origin-form url, lower-cased headers, repeats as arrays, pseudo-headers dropped', async () => {
    const dir = await tmpDir();
    const file = await writeHar(dir, 'shop.har', [entry(), entry({ startedDateTime: '2024-05-01T10:00:01.000Z' })]);
    const { issues, onIssue } = issueSink();
    const pairs = await collect(importHar(file, { onIssue }));
    assert.deepEqual(issues, []);
    assert.equal(pairs.length, 2);
    const p = pairs[0];
    assert.equal(p.direction, 'in');
    assert.equal(p.session, 'shop');
    assert.equal(p.seq, 0);
    assert.equal(pairs[1].seq, 1);
    assert.equal(p.ts, '2024-05-01T10:00:00.000Z');
    assert.equal(p.duration, 42.5);
    assert.equal(p.request.method, 'GET');
    assert.equal(p.request.url, '/orders/17?expand=items');
    assert.deepEqual(p.request.headers, { accept: 'application/json', 'x-trace': ['a', 'b'], host: 'shop.example:8443' });
    assert.equal(p.response?.status, 200);
    assert.deepEqual(p.response?.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(p.response?.body, '{"id":17}');
    assert.equal(p.response?.bodyEncoding, undefined);
    assert.notEqual(pairs[0].id, pairs[1].id);
  });

  test('UTF-8 BOM and gzip are handled, and content sniffing (not the name) finds the format', async () => {
    const dir = await tmpDir();
    const a = await writeHar(dir, 'bom.har', [entry()], { bom: true });
    const b = await writeHar(dir, 'capture.bin', [entry()], { gzip: true });
    assert.equal(await detectFormat(a), 'har');
    assert.equal(await detectFormat(b), 'har');
    const pairs = await collect(readPairs([a, b]));
    assert.equal(pairs.length, 2);
  });

  test('base64 bodies, missing bodies, form params, status 0, pagerefs', async () => {
    const dir = await tmpDir();
    const bin = Buffer.from([0, 1, 2, 250, 251, 252]);
    const file = await writeHar(
      dir,
      'mixed.har',
      [
        entry({ pageref: 'page_1', response: { status: 200, headers: [], content: { size: 6, mimeType: 'application/octet-stream', text: bin.toString('base64'), encoding: 'base64' } } }),
        entry({ pageref: 'page_1', response: { status: 200, headers: [], content: { size: 5, mimeType: 'text/plain', text: Buffer.from('hello').toString('base64'), encoding: 'base64' } } }),
        entry({ response: { status: 204, headers: [], content: { size: 0, mimeType: 'x-unknown' } } }),
        entry({
          request: {
            method: 'POST',
            url: 'http://h/login',
            headers: [],
            postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'a b' }, { name: 'x', value: '1' }] },
          },
        }),
        entry({ response: { status: 0, statusText: '', headers: [], content: { size: 0, mimeType: '' }, _error: 'net::ERR_FAILED' } }),
      ],
      { pages: [{ id: 'page_1', title: 'Home' }] },
    );
    const { issues, onIssue } = issueSink();
    const pairs = await collect(importHar(file, { onIssue }));
    assert.equal(pairs.length, 5);
    assert.equal(pairs[0].response?.bodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(pairs[0].response!.body!, 'base64'), bin);
    assert.equal(pairs[0].session, 'mixed#page_1');
    assert.equal(pairs[2].session, 'mixed');
    assert.equal(pairs[1].response?.body, 'hello'); // base64 text that is valid UTF-8 becomes text
    assert.equal(pairs[1].response?.bodyEncoding, undefined);
    assert.equal(pairs[2].response?.body, undefined);
    assert.equal(pairs[3].request.body, 'user=a+b&x=1');
    assert.equal(pairs[4].response, undefined);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].severity, 'info');
    assert.equal(issues[0].entry, 4);
    assert.match(issues[0].message, /status 0.*ERR_FAILED/);
  });

  test('broken entries are skipped with their index; websocket skipped with a reason; event-stream kept', async () => {
    const dir = await tmpDir();
    const file = await writeHar(dir, 'edge.har', [
      'not an entry',
      entry({ request: { url: 'http://h/' } }), // no method
      entry({ response: { status: 200, headers: [], content: { text: '%%%not base64%%%', encoding: 'base64' } } }),
      entry({
        response: { status: 101, headers: [{ name: 'Upgrade', value: 'websocket' }], content: { size: 0 } },
        _webSocketMessages: [{ type: 'send', time: 1, opcode: 1, data: 'hi' }],
      }),
      entry({ response: { status: 200, headers: [{ name: 'Content-Type', value: 'text/event-stream' }], content: { mimeType: 'text/event-stream', text: 'data: 1\n\ndata: 2\n\n' } } }),
      entry({ response: { status: 200, headers: [{ name: 'Content-Encoding', value: 'gzip' }], content: { text: 'H4sIAAAAAAAAAyE+EjNBD/iT6u4EAAAA', encoding: 'base64' } } }),
      entry(),
    ]);
    const { issues, onIssue } = issueSink();
    const pairs = await collect(importHar(file, { onIssue }));
    assert.deepEqual(pairs.map((p) => p.seq), [4, 5, 6]);
    assert.equal(pairs[0].response?.body, 'data: 1\n\ndata: 2\n\n');
    assert.equal(pairs[1].response?.bodyEncoding, 'base64'); // undecodable gzip kept as bytes
    const byEntry = new Map(issues.map((i) => [i.entry, i]));
    for (const i of [0, 1, 2]) {
      assert.equal(byEntry.get(i)?.severity, 'warning', `entry ${i}`);
      assert.match(byEntry.get(i)!.message, new RegExp(`entry ${i} skipped`));
    }
    assert.match(byEntry.get(3)!.message, /WebSocket/);
    assert.equal(byEntry.get(3)!.severity, 'info');
    assert.match(byEntry.get(5)!.message, /gzip.*does not decode/);
  });

  test('gzip-compressed base64 content that does decode is stored decoded', async () => {
    const dir = await tmpDir();
    const gz = gzipSync(Buffer.from('{"ok":true}')).toString('base64');
    const file = await writeHar(dir, 'gz.har', [entry({ response: { status: 200, headers: [{ name: 'Content-Encoding', value: 'gzip' }], content: { text: gz, encoding: 'base64' } } })]);
    const [p] = await collect(importHar(file));
    assert.equal(p.response?.body, '{"ok":true}');
  });

  test('not a HAR / invalid JSON is one error issue, no throw', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'bad.har');
    await fsp.writeFile(file, '{"log": {"entries": [ {"request": ');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([file], { onIssue }));
    assert.equal(pairs.length, 0);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].severity, 'error');
    assert.match(issues[0].message, /invalid HAR JSON/);
  });

  test('defaultDirection out keeps absolute URLs and sets service from the host', async () => {
    const dir = await tmpDir();
    const file = await writeHar(dir, 'deps.har', [entry()]);
    const [p] = await collect(readPairs([file], { defaultDirection: 'out' }));
    assert.equal(p.direction, 'out');
    assert.equal(p.request.url, 'https://shop.example:8443/orders/17?expand=items');
    assert.equal(p.service, 'shop.example');
  });
});
