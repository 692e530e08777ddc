import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { junitXml, junitXmlString, writeJunitFile, xmlText, xmlAttr } from '../../../src/engine/report/index.js';
import type { RequestResult } from '../../../src/shared/results.js';
import { tmpDir, result, failing, erroring, summaryOf } from './helpers.js';

/**
 * A small well-formedness check: every tag balanced and properly nested, attributes quoted, no raw
 * `<`/`&` in text, only XML 1.0 characters, entities known. Returns the element names in document order.
 */
function checkXml(xml: string): string[] {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const body = xml.slice(xml.indexOf('?>') + 2);
  assert.doesNotMatch(body, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/, 'only XML 1.0 characters');
  const stack: string[] = [];
  const names: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = token.exec(body))) {
    pos = token.lastIndex;
    if (m[5] !== undefined) {
      const entities = m[5].match(/&[^;\s]*;?/g) ?? [];
      for (const e of entities) assert.match(e, /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);$/i, `entity ${e}`);
      continue;
    }
    for (const e of m[3].match(/&[^;\s"]*;?/g) ?? []) assert.match(e, /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);$/i, `entity ${e}`);
    if (m[1]) {
      assert.equal(stack.pop(), m[2], `closing </${m[2]}>`);
    } else {
      names.push(m[2]);
      if (!m[4]) stack.push(m[2]);
    }
  }
  assert.equal(pos, body.length, `unparsed XML at ${pos}: ${body.slice(pos, pos + 60)}`);
  assert.deepEqual(stack, [], 'all elements closed');
  return names;
}

function unescapeAttr(s: string): string {
  return s.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))).replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('junit', () => {
  test('escaping: <&"\'> and control characters', () => {
    assert.equal(xmlText(`a<b>&c"d'e`), `a&lt;b&gt;&amp;c"d'e`);
    assert.equal(xmlAttr(`a<b>&c"d'e\n\tf`), 'a&lt;b&gt;&amp;c&quot;d&apos;e&#10;&#9;f');
    assert.equal(xmlText('bell\u0007 nul\u0000 esc\u001b ok\u00e9\u{1F600}'), 'bell\\u0007 nul\\u0000 esc\\u001b ok\u00e9\u{1F600}');
    assert.equal(xmlText('lone \uD800 x'), 'lone \\ud800 x');
    assert.equal(unescapeAttr(xmlAttr(`x<"&'>\ny`)), `x<"&'>\ny`);
  });

  test('well-formed document with hostile content, suites per endpoint, counts, redacted headers', () => {
    const hostile = `]]></failure><script>alert("x")</script>&amp;'\u0001\u001f`;
    const results: RequestResult[] = [
      result(1),
      failing(2, {
        url: `/q?name=${hostile}&token=abc`,
        endpoint: `GET /q<"&>`,
        validation: { pass: false, statusMatch: true, headersMatch: true, bodyMatch: false, fieldMatchRate: 0, fieldsCompared: 1,
          diffs: [{ path: `$["<k>"]`, kind: 'changed', expected: hostile, actual: '\u0000' }] },
        actual: { status: 200, headers: { authorization: 'Bearer s3cr3t', 'x-note': hostile }, body: `{"html":"${'<b>'.repeat(3)}"}` },
      }),
      erroring(3, { error: { code: 'ECONN<RESET>', message: `socket "hang" up & ${hostile}` } }),
      result(4, { outcome: 'skipped', latencyMs: undefined }),
      failing(5, { expectedStatus: 200, actualStatus: 503 }),
    ];
    const summary = summaryOf(results, {
      gates: [
        { name: 'status_pass_rate', expression: '>= 0.99', measured: 0.75, pass: false },
        { name: 'error_rate', expression: '<= 0.5', measured: 0.25, pass: true },
      ],
    });
    const chunks = [...junitXml(summary, results)];
    assert.ok(chunks.length > 5, 'produced as chunks, not one string');
    const xml = chunks.join('');
    const names = checkXml(xml);
    assert.equal(names.filter((n) => n === 'testsuite').length, 3); // gates + 2 endpoints
    assert.equal(names.filter((n) => n === 'testcase').length, 7);
    assert.equal(names.filter((n) => n === 'failure').length, 3); // 2 requests + 1 gate
    assert.equal(names.filter((n) => n === 'error').length, 1);
    assert.equal(names.filter((n) => n === 'skipped').length, 1);
    assert.match(xml, /<testsuites name="reprise 2026-01-01T00-00-00-000Z-abcd" tests="7" failures="3" errors="1" skipped="1"/);
    assert.match(xml, /<testsuite name="GET \/orders\/\{id\}" tests="4" failures="1" errors="1" skipped="1"/);
    assert.match(xml, /<testsuite name="GET \/q&lt;&quot;&amp;&gt;" tests="1" failures="1"/);
    assert.ok(!xml.includes('s3cr3t'), 'authorization redacted');
    assert.ok(xml.includes('authorization: Bearer ***'));
    assert.ok(xml.includes('token=***'));
    assert.ok(!xml.includes('<script>'));
    assert.ok(xml.includes('status: expected 200, got 503'));
    assert.ok(xml.includes('$.total: expected 10, got 12'));
    assert.ok(!xml.includes('$.updatedAt'), 'ignored diffs are not failures');
    // the error message survives a round trip through the attribute
    const m = /<error message="([^"]*)" type="([^"]*)"/.exec(xml)!;
    assert.equal(m[2], 'ECONN&lt;RESET&gt;');
    assert.ok(unescapeAttr(m[1]).startsWith('ECONN<RESET>: socket "hang" up & ]]></failure>'));
  });

  test('writeJunitFile streams results.jsonl in bounded passes and matches the in-memory output', async () => {
    const dir = await tmpDir();
    const results: RequestResult[] = [];
    for (let i = 0; i < 300; i++) {
      const ep = `GET /e${i % 7}`;
      results.push(i % 11 === 0 ? failing(i, { endpoint: ep }) : i % 13 === 0 ? erroring(i, { endpoint: ep }) : result(i, { endpoint: ep }));
    }
    const file = path.join(dir, 'results.jsonl');
    await fsp.writeFile(file, results.map((r) => JSON.stringify(r)).join('\n') + '\n{"torn":');
    const summary = summaryOf(results, { gates: [{ name: 'error_rate', expression: '<= 0.01', measured: 0.07, pass: false }] });
    const expected = junitXmlString(summary, results);
    // A tiny buffer forces one pass per endpoint; the default buffers everything after the first.
    for (const bufferBytes of [1, undefined]) {
      const out = path.join(dir, `junit-${bufferBytes}.xml`);
      await writeJunitFile(out, summary, file, { bufferBytes });
      const xml = await fsp.readFile(out, 'utf8');
      assert.equal(xml, expected);
      checkXml(xml);
    }
    assert.deepEqual((await fsp.readdir(dir)).filter((n) => n.includes('.tmp')), []);
  });
});
