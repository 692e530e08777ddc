import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { MockServer } from '../../../src/engine/mocks/server.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import { compileRequestMatcher, explainRequest } from '../../../src/engine/mocks/matchers.js';
import { MockRequest } from '../../../src/engine/mocks/request.js';
import { startServer, send } from './helpers.js';

const ok = (id: string): StubDefinition['response'] => ({ status: 200, body: id, headers: { 'content-type': 'text/plain' } });

/** One stub per matcher kind; each answers its own id. */
const stubs: StubDefinition[] = [
  { id: 'exact', request: { method: 'GET', path: '/exact/a b' }, response: ok('exact') },
  { id: 'template', request: { method: 'GET', pathTemplate: '/orders/{id}/items/{item}' }, response: ok('template') },
  { id: 'regex', request: { method: 'GET', pathRegex: '/re/[0-9]+' }, response: ok('regex') },
  {
    id: 'query',
    request: {
      method: 'GET',
      path: '/q',
      strictQuery: true,
      query: { a: { equalTo: '1' }, b: { present: true }, c: { absent: true }, d: { matches: 'x[0-9]+' }, e: { ignore: true } },
    },
    response: ok('query'),
  },
  { id: 'headers', request: { method: 'GET', path: '/h', headers: { 'X-Tenant': { equalTo: 'acme' }, 'x-trace': { contains: 'abc' } } }, response: ok('headers') },
  {
    id: 'json',
    request: { method: 'POST', path: '/charge', body: { equalToJson: { amount: 10, tags: ['a', 'b'], orderId: 'o-1', meta: { at: 1 } }, ignorePaths: ['$.orderId', '$.meta.at'], ignoreArrayOrder: true } },
    response: ok('json'),
  },
  { id: 'json-extra', request: { method: 'POST', path: '/loose', body: { equalToJson: { a: 1 }, ignoreExtraFields: true } }, response: ok('json-extra') },
  { id: 'jsonpath', request: { method: 'POST', path: '/jp', body: { jsonPath: [{ path: '$.items[?(@.qty > 0)]' }, { path: '$.sku', equalTo: 'A1' }, { path: '$.debug', absent: true }] } }, response: ok('jsonpath') },
  { id: 'text', request: { method: 'POST', path: '/text', body: { equalTo: 'hello world' } }, response: ok('text') },
  { id: 'text-re', request: { method: 'POST', path: '/text-re', body: { matches: 'id=[0-9]+' } }, response: ok('text-re') },
  { id: 'form', request: { method: 'POST', path: '/form', body: { form: { user: { equalTo: 'ann' }, pin: { matches: '[0-9]{4}' } } } }, response: ok('form') },
  { id: 'any', request: { method: 'ANY', path: '/anything' }, response: ok('any') },
];

describe('matchers over HTTP', () => {
  let s: MockServer;
  before(async () => {
    s = await startServer(stubs);
  });
  after(() => s.stop());

  async function hit(method: string, url: string, opts?: Parameters<typeof send>[3]) {
    return send(s.url, method, url, opts);
  }
  /** A miss: 501, and the nearest stub named `id` lists a failure on `matcher`/`field`. */
  async function miss(method: string, url: string, opts: Parameters<typeof send>[3] | undefined, id: string, matcher: string, field?: string) {
    const r = await hit(method, url, opts);
    assert.equal(r.status, 501, `${method} ${url} should miss, got ${r.status} ${r.text}`);
    assert.equal(r.json().error, 'reprise: no stub matched');
    const call = s.unmatched().at(-1)!;
    const near = call.nearest.find((n) => n.stubId === id);
    assert.ok(near, `${id} should be among the nearest: ${JSON.stringify(call.nearest.map((n) => n.stubId))}`);
    const f = near.failures.find((x) => x.matcher === matcher && (field === undefined || x.field === field));
    assert.ok(f, `expected a ${matcher} failure on ${field}: ${JSON.stringify(near.failures)}`);
    return f;
  }

  test('exact path, percent-decoded consistently', async () => {
    assert.equal((await hit('GET', '/exact/a%20b')).text, 'exact');
    const f = await miss('GET', '/exact/a%20c', undefined, 'exact', 'path');
    assert.match(f.message, /\/exact\/a c does not match \/exact\/a b/);
  });

  test('templated path', async () => {
    assert.equal((await hit('GET', '/orders/42/items/7')).text, 'template');
    await miss('GET', '/orders/42/items', undefined, 'template', 'path');
  });

  test('regex path', async () => {
    assert.equal((await hit('GET', '/re/123')).text, 'regex');
    await miss('GET', '/re/12a', undefined, 'regex', 'path');
  });

  test('method', async () => {
    const f = await miss('DELETE', '/exact/a%20b', undefined, 'exact', 'method');
    assert.equal(f.expected, 'GET');
    assert.equal(f.actual, 'DELETE');
    assert.equal((await hit('PATCH', '/anything')).text, 'any');
  });

  test('query: equal, present, absent, regex, ignored, strict', async () => {
    assert.equal((await hit('GET', '/q?a=1&b=&d=x12&e=whatever')).text, 'query');
    assert.equal((await hit('GET', '/q?d=x9&b=yes&a=1')).text, 'query');
    let f = await miss('GET', '/q?a=2&b=1&d=x1', undefined, 'query', 'query', 'a');
    assert.equal(f.actual, '2');
    assert.equal(f.expected, '1');
    await miss('GET', '/q?a=1&d=x1', undefined, 'query', 'query', 'b');
    await miss('GET', '/q?a=1&b=1&c=1&d=x1', undefined, 'query', 'query', 'c');
    f = await miss('GET', '/q?a=1&b=1&d=y1', undefined, 'query', 'query', 'd');
    assert.match(f.message, /matching/);
    f = await miss('GET', '/q?a=1&b=1&d=x1&zz=1', undefined, 'query', 'query', 'zz');
    assert.match(f.message, /unexpected query parameter 'zz'/);
  });

  test('headers (subset, case-insensitive names)', async () => {
    assert.equal((await hit('GET', '/h', { headers: { 'x-tenant': 'acme', 'X-Trace': '1-abc-2', other: 'x' } })).text, 'headers');
    const f = await miss('GET', '/h', { headers: { 'x-tenant': 'evil', 'x-trace': 'abc' } }, 'headers', 'header', 'x-tenant');
    assert.equal(f.actual, 'evil');
    const g = await miss('GET', '/h', { headers: { 'x-tenant': 'acme' } }, 'headers', 'header', 'x-trace');
    assert.match(g.message, /missing/);
  });

  test('JSON body: ignored paths, array order ignored, extra fields rejected', async () => {
    assert.equal((await hit('POST', '/charge', { json: { tags: ['b', 'a'], amount: 10, orderId: 'other', meta: { at: 99 } } })).text, 'json');
    let f = await miss('POST', '/charge', { json: { amount: 11, tags: ['a', 'b'], orderId: 'o-1', meta: { at: 1 } } }, 'json', 'body', '$.amount');
    assert.equal(f.expected, 10);
    assert.equal(f.actual, 11);
    f = await miss('POST', '/charge', { json: { amount: 10, tags: ['a', 'b'], meta: {}, extra: true } }, 'json', 'body', '$.extra');
    assert.match(f.message, /extra field/);
    await miss('POST', '/charge', { json: { amount: 10, tags: ['a', 'c'], meta: {} } }, 'json', 'body');
    f = await miss('POST', '/charge', { body: 'not json', headers: { 'content-type': 'application/json' } }, 'json', 'body');
    assert.match(f.message, /not JSON/);
  });

  test('JSON body: extra fields allowed', async () => {
    assert.equal((await hit('POST', '/loose', { json: { a: 1, b: 2 } })).text, 'json-extra');
    await miss('POST', '/loose', { json: { b: 2 } }, 'json-extra', 'body', '$.a');
  });

  test('JSONPath conditions', async () => {
    assert.equal((await hit('POST', '/jp', { json: { sku: 'A1', items: [{ qty: 0 }, { qty: 2 }] } })).text, 'jsonpath');
    await miss('POST', '/jp', { json: { sku: 'A1', items: [{ qty: 0 }] } }, 'jsonpath', 'body', '$.items[?(@.qty > 0)]');
    const f = await miss('POST', '/jp', { json: { sku: 'B2', items: [{ qty: 1 }] } }, 'jsonpath', 'body', '$.sku');
    assert.match(f.message, /"B2"/);
    await miss('POST', '/jp', { json: { sku: 'A1', items: [{ qty: 1 }], debug: true } }, 'jsonpath', 'body', '$.debug');
  });

  test('text body: equality and regex', async () => {
    assert.equal((await hit('POST', '/text', { body: 'hello world' })).text, 'text');
    const f = await miss('POST', '/text', { body: 'hello there' }, 'text', 'body');
    assert.match(f.message, /first difference at character 6/);
    assert.equal((await hit('POST', '/text-re', { body: 'id=42' })).text, 'text-re');
    await miss('POST', '/text-re', { body: 'id=x' }, 'text-re', 'body');
  });

  test('form body', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await hit('POST', '/form', { headers: form, body: 'pin=1234&user=ann&x=1' })).text, 'form');
    const f = await miss('POST', '/form', { headers: form, body: 'user=bob&pin=1234' }, 'form', 'body', 'user');
    assert.equal(f.actual, 'bob');
  });
});

describe('matchers directly', () => {
  test('explain is empty exactly when matches is true', () => {
    const m = compileRequestMatcher({ method: 'POST', path: '/x', body: { equalToJson: { a: [1, { b: 2 }] } } });
    const good = new MockRequest('POST', '/x', {}, Buffer.from('{"a":[1,{"b":2}]}'));
    const bad = new MockRequest('POST', '/x', {}, Buffer.from('{"a":[1,{"b":3}]}'));
    assert.deepEqual(explainRequest(m, good), []);
    const f = explainRequest(m, bad);
    assert.equal(f.length, 1);
    assert.equal(f[0].field, '$.a[1].b');
    assert.ok(m.rest.every((x) => x.matches(good)));
    assert.ok(!m.rest.every((x) => x.matches(bad)));
  });
});

describe('stub index', () => {
  test('lookup does not scan: with 10,000 exact-path stubs only the candidates of one path are evaluated', async () => {
    const { compileStubs } = await import('../../../src/engine/mocks/compiled-stub.js');
    const { StubIndex } = await import('../../../src/engine/mocks/stub-index.js');
    const defs: StubDefinition[] = [];
    for (let i = 0; i < 10_000; i++) defs.push({ id: `s${i}`, request: { method: 'GET', path: `/api/items/${i}`, query: { v: { equalTo: String(i % 2) } } }, response: { status: 200 } });
    defs.push({ id: 'tpl', request: { method: 'GET', pathTemplate: '/api/items/{id}/x' }, response: { status: 200 } });
    const compiled = compileStubs(defs, 'stay');
    let evaluated = 0;
    for (const c of compiled) {
      for (const m of c.matcher.rest) {
        const orig = m.matches.bind(m);
        m.matches = (r) => {
          evaluated++;
          return orig(r);
        };
      }
    }
    const index = new StubIndex(compiled);
    const hit = index.find(new MockRequest('GET', '/api/items/9999?v=1', {}, Buffer.alloc(0)), new Map());
    assert.equal(hit?.id, 's9999');
    assert.equal(evaluated, 1);
    assert.equal(index.find(new MockRequest('GET', '/api/items/9999?v=0', {}, Buffer.alloc(0)), new Map()), undefined);
    assert.equal(evaluated, 2);
    assert.equal(index.find(new MockRequest('GET', '/api/items/5/x', {}, Buffer.alloc(0)), new Map())?.id, 'tpl');
    assert.equal(evaluated, 2);
  });
});
