import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDiff, jsonEqual, literalPrefix, PathMatcher } from '../../../src/engine/mocks/matchers.js';
import { MockRequest } from '../../../src/engine/mocks/request.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import { send, startServer } from './helpers.js';

describe('fast paths agree with the full matchers', () => {
  test('jsonEqual gives the same verdict as jsonDiff for every option combination', () => {
    const values: unknown[] = [
      1, 2, '1', null, true, [], {}, [1, 2], [2, 1], [1, 2, 3], [1, 1, 2], [{ a: 1 }, { b: 2 }], [{ b: 2 }, { a: 1 }],
      { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 }, { a: { x: [1, 2] } }, { a: { x: [2, 1] } }, { a: { x: [1, 2], y: 0 } },
      { a: null }, { toString: 1 }, { a: 1, toString: 1 }, { a: [1, { c: [3, 4] }] }, { a: [{ c: [4, 3] }, 1] },
    ];
    let n = 0;
    for (const ignoreArrayOrder of [false, true]) {
      for (const ignoreExtraFields of [false, true]) {
        const opts = { ignoreArrayOrder, ignoreExtraFields };
        for (const e of values) {
          for (const a of values) {
            assert.equal(jsonEqual(e, a, opts), jsonDiff(e, a, opts, '$', [], 10), `${JSON.stringify(e)} vs ${JSON.stringify(a)} ${JSON.stringify(opts)}`);
            n++;
          }
        }
      }
    }
    assert.equal(n, values.length * values.length * 4);
    // an inherited name is not a field of the request
    assert.equal(jsonEqual({ toString: 1 }, {}, { ignoreArrayOrder: false, ignoreExtraFields: true }), false);
  });

  test('literal prefixes are conservative', () => {
    assert.equal(literalPrefix('/api/items/[0-9]+'), '/api/items/');
    assert.equal(literalPrefix('/api/itemz?/1'), '/api/item');
    assert.equal(literalPrefix('/a/b*'), '/a/');
    assert.equal(literalPrefix('/a/b{2}'), '/a/');
    assert.equal(literalPrefix('/a|/b'), '');
    assert.equal(literalPrefix('^/a'), '');
    assert.equal(literalPrefix('/v1\\.0/x'), '/v1');
    const cases: Array<[string, 'regex' | 'template', string, boolean]> = [
      ['/api/items/[0-9]+', 'regex', '/api/items/12', true],
      ['/api/items/[0-9]+', 'regex', '/api/other/12', false],
      ['/api/itemz?/1', 'regex', '/api/item/1', true],
      ['/a|/b', 'regex', '/b', true],
      ['/orders/{id}/items', 'template', '/orders/7/items', true],
      ['/orders/{id}/items', 'template', '/order/7/items', false],
    ];
    for (const [src, mode, p, want] of cases) {
      const m = new PathMatcher(src, mode);
      assert.equal(m.matches(new MockRequest('GET', p, {}, Buffer.alloc(0))), want, `${src} on ${p}`);
    }
  });

  test('remembered pattern candidates: same answers for repeated paths, methods and scenario states', async () => {
    const stubs: StubDefinition[] = [];
    for (let i = 0; i < 40; i++) stubs.push({ id: `rx${i}`, request: { method: 'GET', pathRegex: `/r/[0-9]+/v${i}` }, response: { status: 200, body: `rx${i}` } });
    stubs.push(
      { id: 'post', request: { method: 'POST', pathTemplate: '/r/{n}/v3' }, response: { status: 201, body: 'post' } },
      { id: 'any', request: { pathRegex: '/r/.*' }, response: { status: 200, body: 'any' } },
      { id: 's1', scenario: { name: 'sc', requiredState: 'Started', newState: 'two' }, request: { method: 'GET', pathTemplate: '/s/{x}' }, response: { status: 200, body: 'one' } },
      { id: 's2', scenario: { name: 'sc', requiredState: 'two' }, request: { method: 'GET', pathTemplate: '/s/{x}' }, response: { status: 200, body: 'two' } },
      { id: 'j', request: { method: 'POST', pathRegex: '/j/.*', body: { equalToJson: { a: 1, t: 0 }, ignorePaths: ['$.t'] } }, response: { status: 200, body: 'j' } },
    );
    const s = await startServer(stubs);
    try {
      for (let round = 0; round < 2; round++) {
        assert.equal((await send(s.url, 'GET', '/r/12/v3')).text, 'rx3');
        assert.equal((await send(s.url, 'GET', '/r/12/v39')).text, 'rx39');
        assert.equal((await send(s.url, 'POST', '/r/12/v3')).text, 'post');
        assert.equal((await send(s.url, 'DELETE', '/r/12/v3')).text, 'any');
        assert.equal((await send(s.url, 'GET', '/r/x/v3')).text, 'any');
        assert.equal((await send(s.url, 'GET', '/q')).status, 501);
        assert.equal((await send(s.url, 'POST', '/j/1', { json: { a: 1, t: round } })).text, 'j');
        assert.equal((await send(s.url, 'POST', '/j/1', { json: { a: 2, t: round } })).status, 501);
      }
      assert.deepEqual([(await send(s.url, 'GET', '/s/a')).text, (await send(s.url, 'GET', '/s/a')).text, (await send(s.url, 'GET', '/s/b')).text], ['one', 'two', 'two']);
    } finally {
      await s.stop();
    }
  });
});
