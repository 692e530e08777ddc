import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { RunWriter, readResults } from '../../../src/engine/report/index.js';
import { tmpDir, result, failing, erroring } from './helpers.js';

const attrs = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag} ([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));

describe('RunWriter: compact junit.xml for big runs', () => {
  test('above junitFullLimit: failures listed (up to junitMaxListed), the rest summarised, counters match the testcases', async () => {
    const dir = await tmpDir();
    const w = await RunWriter.create(dir, { target: 't', traffic: [], junitFullLimit: 10, junitMaxListed: 3 });
    const rs = [
      ...Array.from({ length: 8 }, (_, i) => result(i)),
      failing(8, { url: '/orders/8?token=s3cr3t' }),
      failing(9),
      erroring(10),
      erroring(11),
      result(12, { endpoint: 'GET /health', url: '/health' }),
      result(13, { endpoint: 'GET /health', url: '/health', outcome: 'skipped', latencyMs: undefined }),
    ];
    for (const r of rs) await w.result(r);
    await w.finish({ gates: [{ name: 'status_pass_rate', expression: '>= 0.99', measured: 0.7, pass: false }] });
    const xml = await fsp.readFile(path.join(w.dir, 'junit.xml'), 'utf8');
    assert.match(xml, /compact: 14 results/);
    assert.ok(!xml.includes('s3cr3t'), 'secret query parameter masked');
    const suites = attrs(xml, 'testsuite');
    assert.deepEqual(suites.map((s) => s.name), ['quality gates', 'GET /orders/{id}', 'GET /health']);
    const orders = xml.slice(xml.indexOf('<testsuite name="GET /orders/{id}"'), xml.indexOf('<testsuite name="GET /health"'));
    // listed: 2 failures + 1 error (max 3); summarised: 1 unlisted error, 8 passed
    assert.equal((orders.match(/<testcase /g) ?? []).length, 5);
    assert.equal((orders.match(/<failure /g) ?? []).length, 3);
    assert.equal((orders.match(/<error /g) ?? []).length, 1);
    assert.match(orders, /name="8 passed requests"/);
    assert.match(orders, /1 more failed or errored request not listed \(0 failed, 1 errored\)/);
    assert.deepEqual([suites[1].tests, suites[1].failures, suites[1].errors, suites[1].skipped], ['5', '3', '1', '0']);
    assert.match(orders, /<property name="requests" value="12"\/>/);
    assert.match(orders, /<property name="errors" value="2"\/>/);
    assert.deepEqual([suites[2].tests, suites[2].skipped], ['2', '1']);
    const root = attrs(xml, 'testsuites')[0];
    // gate (1, failing) + orders (5: 3 failures, 1 error) + health (2: 1 skipped)
    assert.deepEqual([root.tests, root.failures, root.errors, root.skipped], ['8', '4', '1', '1']);
    // results.jsonl still has every result
    let n = 0;
    for await (const _ of readResults(w.dir)) n++;
    assert.equal(n, 14);
  });

  test('at or below the limit junit.xml lists every request as before', async () => {
    const dir = await tmpDir();
    const w = await RunWriter.create(dir, { target: 't', traffic: [], junitFullLimit: 10 });
    for (let i = 0; i < 10; i++) await w.result(i % 4 === 0 ? failing(i) : result(i));
    await w.finish();
    const xml = await fsp.readFile(path.join(w.dir, 'junit.xml'), 'utf8');
    assert.ok(!xml.includes('compact'));
    assert.equal((xml.match(/<testcase /g) ?? []).length, 10);
    assert.equal((xml.match(/<failure /g) ?? []).length, 3);
  });
});
