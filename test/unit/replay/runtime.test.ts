import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  SessionVars,
  CaptureSource,
  interpolate,
  evaluateCapture,
  validateCapture,
  applyCaptures,
  correlatePaths,
  defaultRuntimeEnv,
  urlSafe,
  jsonSafe,
} from '../../../src/engine/replay/runtime.js';

const NOW = Date.parse('2026-03-04T05:06:07.890Z');
const rt = defaultRuntimeEnv({ now: () => NOW, env: { API_KEY: 'k-123' }, uuid: () => 'u-fixed', randomInt: (min, max) => max });

describe('interpolate', () => {
  test('now with offsets and formats', () => {
    const v = (e: string) => interpolate(`{{${e}}}`, undefined, rt);
    assert.equal(v('now'), '2026-03-04T05:06:07.890Z');
    assert.equal(v(' now '), '2026-03-04T05:06:07.890Z');
    assert.equal(v('now+1h'), '2026-03-04T06:06:07.890Z');
    assert.equal(v('now-30m'), '2026-03-04T04:36:07.890Z');
    assert.equal(v('now+2d'), '2026-03-06T05:06:07.890Z');
    assert.equal(v('now+1d-2h'), '2026-03-05T03:06:07.890Z');
    assert.equal(v('now:epoch'), String(Math.floor(NOW / 1000)));
    assert.equal(v('now:epoch_ms'), String(NOW));
    assert.equal(v('now+1d:date'), '2026-03-05');
    assert.equal(v('now:http'), 'Wed, 04 Mar 2026 05:06:07 GMT');
  });

  test('uuid, env, random.int and captured values', () => {
    const vars = new SessionVars();
    vars.values.set('token', 'tok-live');
    const out = interpolate('a={{uuid}}&k={{env.API_KEY}}&r={{random.int(1,6)}}&t={{token}}', vars, rt);
    assert.equal(out, 'a=u-fixed&k=k-123&r=6&t=tok-live');
    // the real generators
    const real = defaultRuntimeEnv();
    assert.match(interpolate('{{uuid}}', undefined, real), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const n = Number(interpolate('{{random.int(3,5)}}', undefined, real));
    assert.ok(n >= 3 && n <= 5);
  });

  test('unknown placeholders stay as written and are reported', () => {
    const unknown: string[] = [];
    const out = interpolate('x={{nope}} y={{env.MISSING}} z={{now:weird}}', undefined, rt, (e) => unknown.push(e));
    assert.equal(out, 'x={{nope}} y={{env.MISSING}} z={{now:weird}}');
    assert.deepEqual(unknown, ['nope', 'env.MISSING', 'now:weird']);
  });

  test('escapes for URL and JSON contexts', () => {
    const vars = new SessionVars();
    vars.values.set('q', 'a b"c');
    assert.equal(interpolate('/s?q={{q}}', vars, rt, undefined, urlSafe), '/s?q=a%20b%22c');
    assert.equal(interpolate('{"q":"{{q}}"}', vars, rt, undefined, jsonSafe), '{"q":"a b\\"c"}');
    assert.equal(urlSafe('ok-value_1.2'), 'ok-value_1.2');
  });
});

describe('captures', () => {
  const live = new CaptureSource(
    { 'content-type': 'application/json', Location: '/orders/ord-999' },
    JSON.stringify({ access_token: 'tok-live', n: 42, nested: { items: [{ id: 'x1' }] } }),
  );

  test('JSONPath, header and regex captures', () => {
    assert.equal(evaluateCapture('$.access_token', live), 'tok-live');
    assert.equal(evaluateCapture('$.n', live), '42');
    assert.equal(evaluateCapture('$.nested.items[0].id', live), 'x1');
    assert.equal(evaluateCapture('$.missing', live), undefined);
    assert.equal(evaluateCapture('header.location', live), '/orders/ord-999');
    assert.equal(evaluateCapture('regex:"n":(\\d+)', live), '42');
    assert.equal(evaluateCapture('$.x', new CaptureSource({}, 'not json')), undefined);
    assert.throws(() => evaluateCapture('access_token', live), /must start with/);
    assert.equal(validateCapture('access_token'), 'must start with "$", "header." or "regex:"');
    assert.match(validateCapture('regex:(')!, /Invalid regular expression|Unterminated/);
    assert.equal(validateCapture('$.a'), undefined);
  });

  test('applyCaptures stores live values and learns recorded → live correlations', () => {
    const vars = new SessionVars();
    const recorded = new CaptureSource({ location: '/orders/ord-123' }, JSON.stringify({ access_token: 'tok-rec', n: 42 }));
    const out = applyCaptures(vars, { token: '$.access_token', n: '$.n', gone: '$.nothing', loc: 'header.location' }, live, recorded);
    assert.equal(vars.values.get('token'), 'tok-live');
    assert.equal(vars.values.get('n'), '42');
    assert.equal(vars.values.has('gone'), false);
    assert.deepEqual(out.captured.sort(), ['loc', 'n', 'token']);
    // token differs → correlated; n equal → not; loc differs as a whole and its id segment differs
    assert.equal(vars.correlations.get('tok-rec'), 'tok-live');
    assert.equal(vars.correlations.get('/orders/ord-123'), '/orders/ord-999');
    assert.equal(vars.correlations.get('ord-123'), 'ord-999');
    assert.equal(vars.correlations.has('42'), false);
  });

  test('a bad JSONPath is reported, not thrown', () => {
    const vars = new SessionVars();
    const out = applyCaptures(vars, { bad: 'regex:(' }, live, undefined);
    assert.equal(out.errors.length, 1);
    assert.equal(out.errors[0].name, 'bad');
  });
});

describe('correlation replacement', () => {
  test('whole tokens only, at least 4 characters, longest first', () => {
    const v = new SessionVars();
    assert.equal(v.correlate('abc', 'xyz'), false, 'too short');
    assert.equal(v.correlate('same', 'same'), false);
    assert.ok(v.correlate('ord-123', 'ord-999'));
    assert.ok(v.correlate('ord-1234', 'ord-5555'));
    assert.equal(v.replaceText('/orders/ord-123/items'), '/orders/ord-999/items');
    assert.equal(v.replaceText('ord-123'), 'ord-999');
    assert.equal(v.replaceText('ord-1234 and ord-123.'), 'ord-5555 and ord-999.');
    assert.equal(v.replaceText('xord-123 ord-123x ord-1230'), 'xord-123 ord-123x ord-1230', 'not inside other tokens');
    assert.equal(v.replaceText('abc'), 'abc');
  });

  test('no chained replacement: a live value containing another recorded value stays', () => {
    const v = new SessionVars();
    v.correlate('aaaa', 'bbbb');
    v.correlate('bbbb', 'cccc');
    assert.equal(v.replaceText('aaaa bbbb'), 'bbbb cccc');
  });

  test('URL and JSON contexts encode the live value', () => {
    const v = new SessionVars();
    v.correlate('name one', 'name "two"');
    assert.equal(v.replaceUrl('/u/name%20one?x=name%20one'), '/u/name%20%22two%22?x=name%20%22two%22');
    assert.equal(v.replaceJson('{"n":"name one"}'), '{"n":"name \\"two\\""}');
    assert.deepEqual(JSON.parse(v.replaceJson('{"n":"name one"}')), { n: 'name "two"' });
  });

  test('location paths: only differing identifier segments', () => {
    assert.deepEqual(correlatePaths('/orders/ord-123', 'http://h/orders/ord-999'), [['ord-123', 'ord-999']]);
    assert.deepEqual(correlatePaths('/orders/pending', '/orders/shipped'), []);
    assert.deepEqual(correlatePaths('/a/1001', '/a/b/2002'), []);
    assert.deepEqual(correlatePaths('/items/1001', '/items/2002'), [['1001', '2002']]);
  });
});
