import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildResponseDiff, normaliseResponse, normalisedText } from '../../../src/engine/report/diff.js';

const meta = { runId: 'r1', pairId: 'p1', method: 'GET', url: '/orders/1', endpoint: 'GET /orders/{id}', outcome: 'fail' as const, actions: true };

describe('response diff (engine side)', () => {
  test('normalises JSON: sorted keys, two-space indent, status and compared headers first, a path per line', () => {
    const doc = normaliseResponse(
      { status: 200, headers: { 'Content-Type': 'application/json', date: 'x', authorization: 'Bearer abc.def' }, body: '{"b":1,"a":{"y":[1,{"z":null}],"x":"s"}}' },
      { headers: ['content-type', 'authorization'] },
    );
    assert.deepEqual(doc.lines, [
      'HTTP 200',
      'authorization: Bearer ***',
      'content-type: application/json',
      '',
      '{',
      '  "a": {',
      '    "x": "s",',
      '    "y": [',
      '      1,',
      '      {',
      '        "z": null',
      '      }',
      '    ]',
      '  },',
      '  "b": 1',
      '}',
    ]);
    assert.deepEqual(doc.paths, [
      'status', 'header.authorization', 'header.content-type', null,
      '$', '$.a', '$.a.x', '$.a.y', '$.a.y[0]', '$.a.y[1]', '$.a.y[1].z', '$.a.y[1]', '$.a.y', '$.a', '$.b', '$',
    ]);
    assert.equal(doc.bodyKind, 'json');
    assert.equal(doc.totalLines, 16);
  });

  test('text bodies are kept line by line; binary bodies become one line with size and hash', () => {
    const t = normaliseResponse({ status: 500, body: 'line 1\r\nline 2' });
    assert.deepEqual(t.lines, ['HTTP 500', '', 'line 1', 'line 2']);
    assert.equal(t.bodyKind, 'text');
    const b = normaliseResponse({ status: 200, body: Buffer.from([0, 1, 2, 255]).toString('base64'), bodyEncoding: 'base64' });
    assert.equal(b.bodyKind, 'binary');
    assert.match(b.lines[2], /^<binary body, 4 bytes, sha256 [0-9a-f]{16}…>$/);
  });

  test('the unified diff shows the changed field; ignored paths and ignored diffs are reported as greyed lines', () => {
    const expected = { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ord_1', total: 100, createdAt: '2026-01-01', items: [{ sku: 'a', createdAt: 't1' }] }) };
    const actual = { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ord_2', total: 108, createdAt: '2026-02-02', items: [{ sku: 'a', createdAt: 't2' }] }) };
    const v = buildResponseDiff(expected, actual, meta, {
      ignore: ['$.createdAt', '$.items[*].createdAt'],
      headers: ['content-type'],
      fieldDiffs: [
        { path: '$.total', kind: 'changed', expected: 100, actual: 108 },
        { path: '$.id', kind: 'changed', expected: 'ord_1', actual: 'ord_2', ignored: 'noise' },
      ],
    });
    assert.match(v.unified, /^-  "total": 100$/m);
    assert.match(v.unified, /^\+  "total": 108$/m);
    assert.match(v.unified, /^@@ /m);
    const exp = normaliseResponse(expected, { headers: ['content-type'] });
    const lineOf = (p: string) => exp.paths.indexOf(p) + 1;
    assert.ok(v.ignoredLines.old.includes(lineOf('$.createdAt')), 'config ignore pattern');
    assert.ok(v.ignoredLines.old.includes(lineOf('$.items[0].createdAt')), 'wildcard pattern');
    assert.ok(v.ignoredLines.old.includes(lineOf('$.id')), 'ignored field difference (noise)');
    assert.ok(!v.ignoredLines.old.includes(lineOf('$.total')), 'a failing field is not greyed');
    assert.deepEqual(v.ignoredLines.new, v.ignoredLines.old, 'same layout on both sides');
    assert.equal(v.truncated, false);
    assert.equal(v.expected?.bodyKind, 'json');
    assert.equal(v.fieldDiffs.length, 2);
  });

  test('big documents are cut to lineLimit lines and flagged; long values in field diffs are shortened', () => {
    const big = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i })));
    const big2 = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i: i === 4 ? -1 : i })));
    const v = buildResponseDiff({ status: 200, body: big }, { status: 200, body: big2 }, meta, {
      lineLimit: 100,
      fieldDiffs: [{ path: '$', kind: 'text', expected: 'x'.repeat(10_000), actual: 'y' }],
    });
    assert.equal(v.truncated, true);
    assert.equal(v.lineLimit, 100);
    assert.equal(v.expected?.totalLines, 4 + 5000 * 3);
    assert.match(v.unified, /^-    "i": 4$/m);
    assert.ok(!v.unified.includes('"i": 4000'), 'lines past the limit are not diffed');
    assert.ok(String(v.fieldDiffs[0].expected).length < 300);
    assert.match(String(v.fieldDiffs[0].expected), /\(10000 chars\)$/);
  });

  test('a missing side is an empty document; normalisedText has no limit', () => {
    const v = buildResponseDiff(undefined, { status: 200, body: '{"a":1}' }, meta);
    assert.equal(v.expected, null);
    assert.match(v.unified, /^\+HTTP 200$/m);
    const text = normalisedText({ status: 200, body: JSON.stringify(Array.from({ length: 4000 }, (_, i) => i)) });
    assert.equal(text.split('\n').length, 4000 + 5);
  });
});
