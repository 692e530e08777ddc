import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { validateResponse, compileValidateOptions, contentTypesMatch } from '../../../src/engine/validate/compare.js';
import type { ValidateOptions } from '../../../src/engine/validate/types.js';
import type { FieldDiff } from '../../../src/shared/results.js';

const JSON_CT = { 'content-type': 'application/json' };
const base = (o: Partial<ValidateOptions> = {}): ValidateOptions => ({ ignore: [], tolerances: {}, headers: [], shapeOnly: false, ...o });
const rec = (body: unknown, headers: Record<string, string | string[]> = JSON_CT, status = 200) => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const brief = (ds: FieldDiff[]) => ds.map((d) => `${d.path} ${d.kind}${d.ignored ? ' ~' + d.ignored : ''}`);

describe('status and no recording', () => {
  test('status must be equal', () => {
    const v = validateResponse(rec({ a: 1 }), rec({ a: 1 }, JSON_CT, 201), base());
    assert.equal(v.pass, false);
    assert.equal(v.statusMatch, false);
    assert.equal(v.bodyMatch, true);
    assert.deepEqual(v.diffs, [{ path: 'status', kind: 'status', expected: 200, actual: 201 }]);
  });

  test('"status" in ignore tolerates a status difference', () => {
    const v = validateResponse(rec({}), rec({}, JSON_CT, 500), base({ ignore: ['status'] }));
    assert.equal(v.pass, true);
    assert.equal(v.diffs[0].ignored, 'ignore');
  });

  test('no recorded response: passes below 500 with a note, fails at 500+', () => {
    const ok = validateResponse(undefined, rec('x', {}, 404), base());
    assert.equal(ok.pass, true);
    assert.match(ok.note ?? '', /no recorded response/);
    assert.equal(ok.fieldMatchRate, 1);
    const bad = validateResponse(undefined, rec('x', {}, 503), base());
    assert.equal(bad.pass, false);
    assert.deepEqual(bad.diffs, [{ path: 'status', kind: 'status', actual: 503 }]);
  });
});

describe('JSON body diffs', () => {
  test('every kind with exact paths', () => {
    const e = { id: 1, name: 'a', gone: true, nested: { n: 1, arr: [1, 2, 3] }, t: 'x', 'odd key': 1, items: [{ price: 10 }] };
    const a = { id: 1, name: 'b', extra: null, nested: { n: '1', arr: [1, 2] }, t: 'x', 'odd key': 2, items: [{ price: 11 }, { price: 1 }] };
    const v = validateResponse(rec(e), rec(a), base());
    assert.equal(v.pass, false);
    assert.equal(v.bodyMatch, false);
    assert.equal(v.statusMatch, true);
    assert.deepEqual(v.diffs, [
      { path: '$.name', kind: 'changed', expected: 'a', actual: 'b' },
      { path: '$.gone', kind: 'missing', expected: true },
      { path: '$.nested.n', kind: 'type', expected: 1, actual: '1' },
      { path: '$.nested.arr[2]', kind: 'missing', expected: 3 },
      { path: "$['odd key']", kind: 'changed', expected: 1, actual: 2 },
      { path: '$.items[0].price', kind: 'changed', expected: 10, actual: 11 },
      { path: '$.items[1]', kind: 'added', actual: { price: 1 } },
      { path: '$.extra', kind: 'added', actual: null },
    ]);
  });

  test('nested arrays compared by index', () => {
    const v = validateResponse(rec({ m: [[1, 2], [3, [4, 5]]] }), rec({ m: [[1, 9], [3, [4]], []] }), base());
    assert.deepEqual(brief(v.diffs), ['$.m[0][1] changed', '$.m[1][1][1] missing', '$.m[2] added']);
  });

  test('root-level arrays and object vs array type change', () => {
    const v = validateResponse(rec([{ a: 1 }]), rec({ a: 1 }), base());
    assert.deepEqual(brief(v.diffs), ['$ type']);
    const w = validateResponse(rec([1, 2]), rec([1, 3]), base());
    assert.deepEqual(brief(w.diffs), ['$[1] changed']);
  });

  test('equal documents pass with rate 1, key order irrelevant', () => {
    const v = validateResponse(rec({ a: 1, b: [1, { c: 'x' }], d: {} }), rec('{"d":{},"b":[1,{"c":"x"}],"a":1}'), base());
    assert.equal(v.pass, true);
    assert.deepEqual(v.diffs, []);
    assert.equal(v.fieldsCompared, 4); // a, b[0], b[1].c, d (empty object)
    assert.equal(v.fieldMatchRate, 1);
  });

  test('JSON detected by trying when content-type is missing or wrong', () => {
    const v = validateResponse(rec({ a: 1 }, {}), rec({ a: 2 }, { 'content-type': 'text/plain' }), base());
    assert.deepEqual(brief(v.diffs), ['$.a changed']);
  });

  test('invalid JSON under a JSON content-type falls back to text', () => {
    const v = validateResponse(rec('{"a":'), rec('{"a":1}'), base());
    assert.deepEqual(brief(v.diffs), ['$ text']);
  });
});

describe('ignore patterns', () => {
  const e = { id: 1, user: { id: 2, name: 'n' }, items: [{ id: 3, sku: 'A', q: 1 }, { id: 4, sku: 'B', q: 2 }], 'x-y': 1 };
  const a = { id: 9, user: { id: 8, name: 'n' }, items: [{ id: 7, sku: 'Z', q: 1 }, { id: 6, sku: 'Y', q: 3 }], 'x-y': 2 };

  test('$..id at several depths', () => {
    const v = validateResponse(rec(e), rec(a), base({ ignore: ['$..id'] }));
    assert.deepEqual(brief(v.diffs), [
      '$.items[0].sku changed',
      '$.items[1].sku changed',
      '$.items[1].q changed',
      "$['x-y'] changed",
      '$.id changed ~ignore',
      '$.user.id changed ~ignore',
      '$.items[0].id changed ~ignore',
      '$.items[1].id changed ~ignore',
    ]);
    assert.equal(v.pass, false);
  });

  test('[*], [n], bracket keys; everything ignored passes', () => {
    const v = validateResponse(rec(e), rec(a), base({ ignore: ['$..id', '$.items[*].sku', '$.items[1].q', "$['x-y']"] }));
    assert.equal(v.pass, true);
    assert.ok(v.diffs.every((d) => d.ignored === 'ignore'));
    assert.equal(v.diffs.length, 8);
    // compared leaves not ignored: user.name, items[0].q
    assert.equal(v.fieldsCompared, 2);
    assert.equal(v.fieldMatchRate, 1);
  });

  test('ignoring a parent ignores its subtree, including added/missing members', () => {
    const v = validateResponse(rec({ meta: { a: 1, b: 2 }, k: 1 }), rec({ meta: { a: 5, c: 3 }, k: 1 }), base({ ignore: ['$.meta'] }));
    assert.equal(v.pass, true);
    assert.deepEqual(brief(v.diffs), ['$.meta.a changed ~ignore', '$.meta.b missing ~ignore', '$.meta.c added ~ignore']);
  });

  test('invalid patterns are skipped and reported by compileValidateOptions', () => {
    const opts = base({ ignore: ['$.a', 'bad pattern'], tolerances: { '$.[': 1 } });
    const v = validateResponse(rec({ a: 1, b: 1 }), rec({ a: 2, b: 2 }), opts);
    assert.deepEqual(brief(v.diffs), ['$.b changed', '$.a changed ~ignore']);
    assert.deepEqual(compileValidateOptions(opts).invalid.map((x) => x.pattern), ['bad pattern', '$.[']);
  });

  test('compiled options are cached per options object', () => {
    const opts = base({ ignore: ['$.a'] });
    assert.equal(compileValidateOptions(opts), compileValidateOptions(opts));
  });
});

describe('tolerances', () => {
  test('0.004 within 0.01 passes, 0.02 fails', () => {
    const opts = base({ tolerances: { '$.items[*].price': 0.01 } });
    const ok = validateResponse(rec({ items: [{ price: 1.0 }] }), rec({ items: [{ price: 1.004 }] }), opts);
    assert.equal(ok.pass, true);
    assert.deepEqual(brief(ok.diffs), ['$.items[0].price changed ~tolerance']);
    const bad = validateResponse(rec({ items: [{ price: 1.0 }] }), rec({ items: [{ price: 1.02 }] }), opts);
    assert.equal(bad.pass, false);
    assert.deepEqual(brief(bad.diffs), ['$.items[0].price changed']);
  });

  test('exact boundary passes despite floating point; applies to numeric strings; not to other paths', () => {
    const opts = base({ tolerances: { '$..amount': 0.01 } });
    assert.equal(validateResponse(rec({ amount: 1.0 }), rec({ amount: 1.01 }), opts).pass, true);
    assert.equal(validateResponse(rec({ x: { amount: '12.30' } }), rec({ x: { amount: '12.305' } }), opts).pass, true);
    assert.equal(validateResponse(rec({ total: 1.0 }), rec({ total: 1.001 }), opts).pass, false);
    assert.equal(validateResponse(rec({ amount: 'a' }), rec({ amount: 'b' }), opts).pass, false);
  });
});

describe('shapeOnly and autoNoise', () => {
  const e = {
    id: '3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f',
    createdAt: '2024-05-01T10:00:00Z',
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-123',
    ts: 1716800000000,
    sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    name: 'widget',
  };
  const a = {
    id: '9a8b7c6d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
    createdAt: '2025-01-02T03:04:05.123+01:00',
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.xyz_987-QQ',
    ts: 1716800012345,
    sha: '7c4a8d09ca3762af61e59520943dc26494f8941b',
    name: 'widget',
  };

  test('without either option, all differ', () => {
    const v = validateResponse(rec(e), rec(a), base());
    assert.deepEqual(brief(v.diffs), ['$.id changed', '$.createdAt changed', '$.token changed', '$.ts changed', '$.sha changed']);
  });

  test('shapeOnly: same shape compares equal (ignored: shape)', () => {
    const v = validateResponse(rec(e), rec(a), base({ shapeOnly: true }));
    assert.equal(v.pass, true);
    assert.deepEqual(brief(v.diffs), [
      '$.id changed ~shape', '$.createdAt changed ~shape', '$.token changed ~shape', '$.ts changed ~shape', '$.sha changed ~shape',
    ]);
    assert.equal(v.fieldsCompared, 1); // only name
  });

  test('autoNoise: same recognition, ignored: noise', () => {
    const v = validateResponse(rec(e), rec(a), base({ autoNoise: true }));
    assert.equal(v.pass, true);
    assert.ok(v.diffs.every((d) => d.ignored === 'noise'));
  });

  test('different shapes, or ordinary values, still fail', () => {
    const opts = base({ shapeOnly: true, autoNoise: true });
    assert.deepEqual(brief(validateResponse(rec({ id: e.id }), rec({ id: 'not-a-uuid' }), opts).diffs), ['$.id changed']);
    assert.deepEqual(brief(validateResponse(rec({ id: e.id }), rec({ id: a.createdAt }), opts).diffs), ['$.id changed']);
    assert.deepEqual(brief(validateResponse(rec({ id: e.id }), rec({ id: null }), opts).diffs), ['$.id type']);
    assert.deepEqual(brief(validateResponse(rec({ n: 'widget' }), rec({ n: 'gadget' }), opts).diffs), ['$.n changed']);
    assert.deepEqual(brief(validateResponse(rec({ n: 42 }), rec({ n: 43 }), opts).diffs), ['$.n changed']);
  });

  test('epoch seconds only on time-named fields', () => {
    const opts = base({ autoNoise: true });
    assert.equal(validateResponse(rec({ updated_at: 1716800000 }), rec({ updated_at: 1716800099 }), opts).pass, true);
    assert.equal(validateResponse(rec({ count: 1716800000 }), rec({ count: 1716800099 }), opts).pass, false);
  });

  test('autoNoise on headers: date, etag, x-request-id; other headers still fail', () => {
    const eh = { ...JSON_CT, date: 'Tue, 15 Nov 1994 08:12:31 GMT', etag: 'W/"5e-abc"', 'x-request-id': 'r-1', 'x-version': '1' };
    const ah = { ...JSON_CT, date: 'Wed, 16 Nov 1994 09:00:00 GMT', etag: 'W/"5e-def"', 'x-request-id': 'r-2', 'x-version': '2' };
    const headers = ['date', 'etag', 'x-request-id', 'x-version'];
    const plain = validateResponse(rec({}, eh), rec({}, ah), base({ headers }));
    assert.deepEqual(brief(plain.diffs), ['header.date header', 'header.etag header', 'header.x-request-id header', 'header.x-version header']);
    const v = validateResponse(rec({}, eh), rec({}, ah), base({ headers, autoNoise: true }));
    assert.equal(v.pass, false);
    assert.equal(v.headersMatch, false);
    assert.deepEqual(brief(v.diffs), [
      'header.x-version header', 'header.date header ~noise', 'header.etag header ~noise', 'header.x-request-id header ~noise',
    ]);
  });
});

describe('headers', () => {
  test('only listed headers, case-insensitive names, header.<name> ignore', () => {
    const eh = { 'content-type': 'application/json', 'X-Custom': 'a', 'x-other': '1', date: 'd1' };
    const ah = { 'content-type': 'application/json', 'x-custom': 'b', 'x-other': '2', date: 'd2' };
    const v = validateResponse(rec({}, eh), rec({}, ah), base({ headers: ['X-Custom', 'date'], ignore: ['header.Date'] }));
    assert.deepEqual(v.diffs, [
      { path: 'header.x-custom', kind: 'header', expected: 'a', actual: 'b' },
      { path: 'header.date', kind: 'header', expected: 'd1', actual: 'd2', ignored: 'ignore' },
    ]);
    assert.equal(v.headersMatch, false);
    assert.equal(v.bodyMatch, true);
  });

  test('missing header and multi-valued headers', () => {
    const v = validateResponse(rec({}, { ...JSON_CT, vary: ['a', 'b'] }), rec({}, { ...JSON_CT }), base({ headers: ['vary'] }));
    assert.deepEqual(v.diffs, [{ path: 'header.vary', kind: 'header', expected: 'a, b' }]);
  });

  test('secret header values are redacted in diffs', () => {
    const v = validateResponse(rec({}, { ...JSON_CT, 'set-cookie': 's=1' }), rec({}, { ...JSON_CT, 'set-cookie': 's=2' }), base({ headers: ['set-cookie'] }));
    assert.deepEqual(v.diffs, [{ path: 'header.set-cookie', kind: 'header', expected: '[redacted]', actual: '[redacted]' }]);
  });

  test('content-type compared on media type and charset loosely', () => {
    assert.ok(contentTypesMatch('application/json', 'application/json; charset=utf-8'));
    assert.ok(contentTypesMatch('Application/JSON; charset=UTF-8', 'application/json;charset=utf8'));
    assert.ok(!contentTypesMatch('application/json; charset=utf-8', 'application/json; charset=iso-8859-1'));
    assert.ok(!contentTypesMatch('application/json', 'text/json'));
    const opts = base({ headers: ['content-type'] });
    assert.equal(validateResponse(rec({}), rec({}, { 'content-type': 'application/json; charset=utf-8' }), opts).pass, true);
    const bad = validateResponse(rec({}), rec('{}', { 'content-type': 'text/html' }), opts);
    assert.deepEqual(brief(bad.diffs), ['header.content-type header']);
    const absent = validateResponse(rec({}), rec('{}', {}), opts);
    assert.deepEqual(brief(absent.diffs), ['header.content-type header']);
  });
});

describe('text and binary bodies', () => {
  const TEXT = { 'content-type': 'text/plain' };
  test('CRLF and trailing whitespace are normalised', () => {
    assert.equal(validateResponse(rec('a\r\nb\r\n  ', TEXT), rec('a\nb', TEXT), base()).pass, true);
  });

  test('a text difference is one diff at $ with snippets', () => {
    const v = validateResponse(rec('<p>hello</p>', { 'content-type': 'text/html' }), rec('<p>world</p>', { 'content-type': 'text/html' }), base());
    assert.deepEqual(v.diffs, [{ path: '$', kind: 'text', expected: '<p>hello</p>', actual: '<p>world</p>' }]);
    assert.equal(v.fieldsCompared, 1);
    assert.equal(v.fieldMatchRate, 0);
  });

  test('snippets are capped at 2 KB and start near the first difference', () => {
    const e = 'x'.repeat(5000) + 'A' + 'y'.repeat(5000);
    const a = 'x'.repeat(5000) + 'B' + 'y'.repeat(5000);
    const d = validateResponse(rec(e, TEXT), rec(a, TEXT), base()).diffs[0];
    const exp = d.expected as string;
    assert.ok(exp.length <= 2048 + 2, `length ${exp.length}`);
    assert.ok(exp.startsWith('…') && exp.endsWith('…'));
    assert.ok(exp.includes('A') && (d.actual as string).includes('B'));
  });

  test('$ in ignore ignores a text body', () => {
    const v = validateResponse(rec('a', TEXT), rec('b', TEXT), base({ ignore: ['$'] }));
    assert.equal(v.pass, true);
    assert.equal(v.diffs[0].ignored, 'ignore');
  });

  test('base64 bodies compared as bytes', () => {
    const bin = { 'content-type': 'application/octet-stream' };
    const b = (bytes: number[]) => ({ status: 200, headers: bin, body: Buffer.from(bytes).toString('base64'), bodyEncoding: 'base64' as const });
    assert.equal(validateResponse(b([0, 1, 255]), b([0, 1, 255]), base()).pass, true);
    const v = validateResponse(b([0, 1, 255]), b([0, 1, 254, 7]), base());
    assert.equal(v.pass, false);
    assert.equal(v.diffs.length, 1);
    assert.equal(v.diffs[0].path, '$');
    assert.equal(v.diffs[0].kind, 'text');
    assert.match(v.diffs[0].expected as string, /^<3 bytes, sha256 [0-9a-f]{16}…>$/);
    assert.match(v.diffs[0].actual as string, /^<4 bytes/);
  });

  test('a base64 JSON body is still compared field by field', () => {
    const e = { status: 200, headers: JSON_CT, body: Buffer.from('{"a":1,"b":2}').toString('base64'), bodyEncoding: 'base64' as const };
    const v = validateResponse(e, rec({ a: 1, b: 3 }), base());
    assert.deepEqual(brief(v.diffs), ['$.b changed']);
  });
});

describe('fieldMatchRate and ordering', () => {
  test('matched / compared, ignored excluded from both', () => {
    // leaves: a(match) b(changed) c.d(match) c.e(ignored) f[0](match) f[1](missing) g(added: 2 leaves)
    const e = { a: 1, b: 2, c: { d: 3, e: 4 }, f: [1, 2] };
    const a = { a: 1, b: 9, c: { d: 3, e: 5 }, f: [1], g: { x: 1, y: 2 } };
    const v = validateResponse(rec(e), rec(a), base({ ignore: ['$.c.e'] }));
    assert.equal(v.fieldsCompared, 7); // a, b, c.d, f[0], f[1], g.x, g.y
    assert.equal(v.fieldMatchRate, 3 / 7);
    assert.deepEqual(brief(v.diffs), ['$.b changed', '$.f[1] missing', '$.g added', '$.c.e changed ~ignore']);
  });

  test('failing diffs first: status, headers, body, then ignored', () => {
    const v = validateResponse(
      rec({ a: 1, id: 1 }, { ...JSON_CT, x: '1' }),
      rec({ a: 2, id: 2 }, { ...JSON_CT, x: '2' }, 500),
      base({ headers: ['x'], ignore: ['$.id'] }),
    );
    assert.deepEqual(brief(v.diffs), ['status status', 'header.x header', '$.a changed', '$.id changed ~ignore']);
  });

  test('maxDiffs caps the list and reports how many were omitted', () => {
    const e = Array.from({ length: 30 }, (_, i) => i);
    const a = e.map((x) => x + 1);
    const v = validateResponse(rec(e), rec(a), base({ maxDiffs: 10 }));
    assert.equal(v.diffs.length, 10);
    assert.equal(v.diffsOmitted, 20);
    assert.equal(v.fieldsCompared, 30);
  });

  test('empty bodies on both sides pass with nothing compared', () => {
    const v = validateResponse({ status: 204, headers: {} }, { status: 204, headers: {} }, base());
    assert.equal(v.pass, true);
    assert.equal(v.fieldsCompared, 0);
    assert.equal(v.fieldMatchRate, 1);
  });
});

describe('robustness', () => {
  test('pathologically deep JSON does not throw; compared as text', () => {
    const deep = (leaf: number) => '['.repeat(20000) + leaf + ']'.repeat(20000);
    const v = validateResponse(rec(deep(1)), rec(deep(2)), base());
    assert.equal(v.pass, false);
    assert.equal(v.diffs.length, 1);
    assert.equal(v.diffs[0].path, '$');
  });
});

describe('secret headers in diffs', () => {
  test('a compared header whose name looks secret shows no values', () => {
    const v = validateResponse(
      { status: 200, headers: { 'x-session-token': 'secretA', 'content-type': 'text/plain' }, body: 'ok' },
      { status: 200, headers: { 'x-session-token': 'secretB', 'content-type': 'text/plain' }, body: 'ok' },
      { ignore: [], tolerances: {}, headers: ['x-session-token'], shapeOnly: false },
    );
    assert.equal(v.headersMatch, false);
    const d = v.diffs.find((x) => x.path === 'header.x-session-token');
    assert.ok(d);
    assert.ok(!JSON.stringify(v).includes('secretA') && !JSON.stringify(v).includes('secretB'), JSON.stringify(v));
  });
});

describe('integers beyond 2^53', () => {
  const opts = { ignore: [], tolerances: {}, headers: [], shapeOnly: false };
  const json = { 'content-type': 'application/json' };
  test('64-bit ids that differ in the last digit are a difference', () => {
    const v = validateResponse(
      { status: 200, headers: json, body: '{"id":12345678901234567890,"name":"a \\"12345678901234567890\\""}' },
      { status: 200, headers: json, body: '{"id":12345678901234567891,"name":"a \\"12345678901234567890\\""}' },
      opts,
    );
    assert.equal(v.bodyMatch, false);
    const d = v.diffs.find((x) => x.path === '$.id');
    assert.ok(d, JSON.stringify(v.diffs));
    assert.equal(String(d.expected), '12345678901234567890');
    assert.equal(String(d.actual), '12345678901234567891');
  });
  test('equal big integers, and safe numbers, still compare as numbers', () => {
    const v = validateResponse(
      { status: 200, headers: json, body: '{"id":12345678901234567890,"total":1000000000000000.5,"n":[-98765432109876543210]}' },
      { status: 200, headers: json, body: '{"id":12345678901234567890,"total":1000000000000000.5,"n":[-98765432109876543210]}' },
      opts,
    );
    assert.equal(v.pass, true, JSON.stringify(v.diffs));
  });
});
