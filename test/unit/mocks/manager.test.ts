import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultContext, silentLogger } from '../../../src/engine/context.js';
import type { Pair } from '../../../src/engine/store/model.js';
import { startMocks } from '../../../src/engine/mocks/manager.js';
import { parseStubFile } from '../../../src/engine/mocks/stub-files.js';
import { draftStubFromUnmatched, saveStub } from '../../../src/engine/mocks/promote.js';
import { stubJsonSchema, type StubDefinition } from '../../../src/engine/mocks/stub.js';
import { mockConfig, send, startServer } from './helpers.js';

async function tmp(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'reprise-mocks-'));
}

function outPair(id: string, service: string, method: string, url: string, body: string, reqBody?: string): Pair {
  return {
    id,
    session: 's',
    seq: 0,
    ts: '2024-01-01T00:00:00.000Z',
    direction: 'out',
    service,
    request: { method, url, headers: {}, ...(reqBody ? { body: reqBody } : {}) },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body },
  };
}

describe('stub files', () => {
  test('malformed JSON is reported with file and line; a bad entry with its line; good stubs still load', async () => {
    const dir = await tmp();
    await fs.writeFile(path.join(dir, 'a-good.json'), JSON.stringify({ request: { method: 'GET', path: '/good' }, response: { status: 200, body: 'good' } }, null, 2));
    await fs.writeFile(path.join(dir, 'b-broken.json'), '{\n  "request": { "method": "GET", "path": "/x" },\n  "response": { "status": 200 \n\n}\n');
    await fs.writeFile(
      path.join(dir, 'c-array.json'),
      JSON.stringify([{ request: { path: '/ok' }, response: { status: 201 } }, { request: { path: '/bad' }, response: { status: 'two hundred' } }], null, 2),
    );
    const ctx = defaultContext();
    const seen: unknown[] = [];
    ctx.events.on('source:issue', (i) => seen.push(i));
    const m = await startMocks([mockConfig({ stubs: dir })], { outbound: async function* () {}, ctx });
    try {
      assert.equal(m.issues.length, 2);
      const broken = m.issues.find((i) => i.file.endsWith('b-broken.json'))!;
      assert.equal(broken.severity, 'error');
      assert.equal(broken.line, 6);
      assert.match(broken.message, /malformed stub file/);
      const bad = m.issues.find((i) => i.file.endsWith('c-array.json'))!;
      assert.equal(bad.entry, 1);
      assert.match(bad.message, /stub #2 at response\.status/);
      // the line of "status": "two hundred" in the pretty-printed file
      const text = await fs.readFile(path.join(dir, 'c-array.json'), 'utf8');
      assert.equal(bad.line, text.split('\n').findIndex((l) => l.includes('two hundred')) + 1);
      assert.equal(seen.length, 2);
      const url = m.urls['payment-api'];
      assert.equal((await send(url, 'GET', '/good')).text, 'good');
      assert.equal((await send(url, 'GET', '/ok')).status, 201);
    } finally {
      await m.stop();
    }
  });

  test('parseStubFile keeps source file and line of each stub', () => {
    const text = '[\n  {"request": {"path": "/a"}, "response": {"status": 200}},\n  {"request": {"path": "/b"}, "response": {"status": 200}}\n]';
    const r = parseStubFile('/x/s.json', text);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.stubs.map((s) => [s.id, s.source?.line]), [['s#1', 2], ['s#2', 3]]);
  });

  test('the stub JSON Schema is an object schema describing request and response', () => {
    const s = stubJsonSchema() as { anyOf?: Array<{ properties?: Record<string, unknown> }> };
    assert.ok(Array.isArray(s.anyOf));
    assert.ok(s.anyOf![0].properties?.request && s.anyOf![0].properties?.response);
  });
});

describe('startMocks', () => {
  test('one server per service from its outbound traffic; env, urls, events, stats, reset', async () => {
    const ctx = defaultContext();
    const events: Array<{ service: string; matched: boolean }> = [];
    ctx.events.on('mock:call', (e) => events.push(e));
    const traffic: Record<string, Pair[]> = {
      'payment-api': [outPair('1', 'payment-api', 'GET', 'http://pay/seq', '"a"'), outPair('2', 'payment-api', 'GET', 'http://pay/seq', '"b"')],
      ledger: [outPair('3', 'ledger', 'POST', 'http://ledger/entries', '{"ok":true}', '{"x":1}')],
    };
    const m = await startMocks([mockConfig({ env: 'PAYMENT_API_URL' }), mockConfig({ service: 'ledger', env: 'LEDGER_URL' })], {
      outbound: async function* (service) {
        yield* traffic[service];
      },
      ctx,
    });
    try {
      assert.equal(m.env.PAYMENT_API_URL, m.urls['payment-api']);
      assert.equal(m.env.LEDGER_URL, m.urls.ledger);
      assert.notEqual(m.urls.ledger, m.urls['payment-api']);
      const pay = m.urls['payment-api'];
      assert.equal((await send(pay, 'GET', '/seq')).text, '"a"');
      assert.equal((await send(pay, 'GET', '/seq')).text, '"b"');
      m.resetSessions();
      assert.equal((await send(pay, 'GET', '/seq')).text, '"a"');
      assert.equal((await send(m.urls.ledger, 'POST', '/entries', { json: { x: 1 } })).text, '{"ok":true}');
      assert.equal((await send(m.urls.ledger, 'POST', '/entries', { json: { x: 2 } })).status, 501);
      assert.deepEqual(m.stats().map((s) => [s.service, s.calls, s.matched, s.unmatched]), [
        ['payment-api', 3, 3, 0],
        ['ledger', 2, 1, 1],
      ]);
      assert.equal(m.unmatched().length, 1);
      assert.equal(m.unmatched()[0].service, 'ledger');
      assert.deepEqual(events.map((e) => [e.service, e.matched]), [
        ['payment-api', true],
        ['payment-api', true],
        ['payment-api', true],
        ['ledger', true],
        ['ledger', false],
      ]);
    } finally {
      await m.stop();
    }
  });

  test('when one server cannot start, the others are stopped and the error names service and port', async () => {
    const blocker = await startServer([]);
    const logged: string[] = [];
    const ctx = defaultContext({ logger: { ...silentLogger, info: (msg: string) => logged.push(msg) } });
    try {
      await assert.rejects(
        startMocks([mockConfig({ service: 'first' }), mockConfig({ service: 'second', port: blocker.port })], { outbound: async function* () {}, ctx }),
        { message: `mock 'second': port ${blocker.port} is already in use` },
      );
      const firstUrl = /on (http:\/\/\S+)/.exec(logged.find((l) => l.startsWith("mock 'first'")) ?? '')?.[1];
      assert.ok(firstUrl, `first server was started: ${JSON.stringify(logged)}`);
      await assert.rejects(send(firstUrl, 'GET', '/'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    } finally {
      await blocker.stop();
    }
  });
});

describe('promote to stub', () => {
  const charge: StubDefinition = {
    id: 'charge',
    request: { method: 'POST', path: '/charge/7', strictQuery: true, query: { mode: { equalTo: 'fast' } }, body: { equalToJson: { amount: 10, ref: 'r-1' } } },
    response: { status: 200, body: '{"charged":true}' },
  };

  test('loosen the nearest stub: a miss, promote, restart with the stub folder, the same call matches', async () => {
    const dir = await tmp();
    const ctx = defaultContext();
    const cfg = mockConfig({ stubs: dir });
    const outbound = async function* () {};
    let m = await startMocks([cfg], { outbound, ctx });
    await saveStub(dir, charge); // saved after start: the first server does not see it
    let call;
    try {
      assert.equal((await send(m.urls['payment-api'], 'POST', '/charge/8?mode=fast&trace=1', { json: { amount: 10, ref: 'r-2' } })).status, 501);
      call = m.unmatched()[0];
    } finally {
      await m.stop();
    }
    const draft = draftStubFromUnmatched(call, charge, 'loosen-nearest');
    assert.equal(draft.request.pathTemplate, '/charge/{p1}');
    assert.deepEqual(draft.request.query?.trace, { ignore: true });
    assert.deepEqual(draft.request.query?.mode, { equalTo: 'fast' });
    assert.deepEqual((draft.request.body as { ignorePaths: string[] }).ignorePaths, ['$.ref']);
    const file = await saveStub(dir, draft);
    assert.ok(file.startsWith(dir));
    m = await startMocks([cfg], { outbound, ctx });
    try {
      const url = m.urls['payment-api'];
      const r = await send(url, 'POST', '/charge/8?mode=fast&trace=1', { json: { amount: 10, ref: 'r-2' } });
      assert.equal(r.status, 200);
      assert.equal(r.text, '{"charged":true}');
      // still no match when the amount differs: the loosening is only as wide as the miss
      assert.equal((await send(url, 'POST', '/charge/8?mode=fast', { json: { amount: 11, ref: 'r-2' } })).status, 501);
      assert.equal(m.issues.length, 0);
    } finally {
      await m.stop();
    }
  });

  test('a new stub from the call with a given response', async () => {
    const dir = await tmp();
    const s = await startServer([charge]);
    let call;
    try {
      await send(s.url, 'PUT', '/other?x=1', { body: 'plain' });
      call = s.unmatched()[0];
    } finally {
      await s.stop();
    }
    assert.throws(() => draftStubFromUnmatched(call, undefined, 'new'), /needs a response/);
    const draft = draftStubFromUnmatched(call, undefined, 'new', { status: 202, body: 'made' });
    assert.deepEqual(draft.request, { method: 'PUT', path: '/other', query: { x: { equalTo: '1' } }, strictQuery: true, body: { equalTo: 'plain' } });
    await saveStub(dir, draft);
    const m = await startMocks([mockConfig({ stubs: dir })], { outbound: async function* () {}, ctx: defaultContext() });
    try {
      const r = await send(m.urls['payment-api'], 'PUT', '/other?x=1', { body: 'plain' });
      assert.equal(r.status, 202);
      assert.equal(r.text, 'made');
    } finally {
      await m.stop();
    }
  });
});
