import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { JsonlWriter, indexSources, listPairs, getPair } from '../../../src/engine/store/index.js';
import { tmpDir, makePair } from './helpers.js';

async function store(): Promise<{ dir: string; a: string; b: string }> {
  const dir = await tmpDir();
  const a = path.join(dir, 'a.jsonl');
  const b = path.join(dir, 'sub', 'b.jsonl.gz');
  const wa = await JsonlWriter.open(a);
  for (let i = 0; i < 10; i++) await wa.write(makePair(i)); // sessions s0,s1,s2; GET /orders/{id}; 404 for i%5==0
  await wa.close();
  const wb = await JsonlWriter.open(b);
  await wb.write(makePair(10, { id: 'o1', direction: 'out', service: 'payments', request: { method: 'POST', url: 'http://payments:9000/charge' } }));
  await wb.write(makePair(11, { id: 'o2', direction: 'out', service: 'payments', request: { method: 'POST', url: 'http://payments:9000/charge' }, response: undefined }));
  await wb.write(makePair(12, { id: 'o3', direction: 'out', service: 'stock', request: { method: 'GET', url: 'http://stock/items/abc123def456' } }));
  await wb.close();
  // a malformed line in between
  await fsp.appendFile(a, 'garbage\n');
  return { dir, a, b };
}

describe('index and browse', () => {
  test('indexSources counts pairs, sessions, endpoints, statuses and services', async () => {
    const { dir, a } = await store();
    const idx = await indexSources([dir]);
    assert.equal(idx.total, 13);
    assert.equal(idx.inbound, 10);
    assert.equal(idx.outbound, 3);
    assert.deepEqual(
      idx.sessions.map((s) => [s.session, s.count]),
      [
        ['s0', 5],
        ['s1', 4],
        ['s2', 4],
      ],
    );
    const s0 = idx.sessions[0];
    assert.equal(s0.firstTs, makePair(0).ts);
    assert.equal(s0.lastTs, makePair(12).ts);
    const orders = idx.endpoints.find((e) => e.endpoint === 'GET /orders/{id}');
    assert.deepEqual(orders, { endpoint: 'GET /orders/{id}', count: 10, statusCounts: { '200': 8, '404': 2 } });
    const charge = idx.endpoints.find((e) => e.endpoint === 'POST /charge');
    assert.deepEqual(charge, { endpoint: 'POST /charge', count: 2, statusCounts: { '404': 1, none: 1 }, services: ['payments'] });
    assert.ok(idx.endpoints.some((e) => e.endpoint === 'GET /items/{id}'));
    assert.deepEqual(idx.services, [
      { service: 'payments', count: 2 },
      { service: 'stock', count: 1 },
    ]);
    assert.equal(idx.issues.length, 1);
    assert.equal(idx.issues[0].file, a);
    assert.equal(idx.issues[0].line, 11);
  });

  test('listPairs pages through one session, one endpoint, one direction', async () => {
    const { dir, a, b } = await store();
    const page1 = await listPairs([dir], { session: 's1', limit: 2 });
    assert.equal(page1.total, 4);
    assert.deepEqual(page1.items.map((i) => i.id), ['p1', 'p4']);
    const page2 = await listPairs([dir], { session: 's1', offset: 2, limit: 2 });
    assert.deepEqual(page2.items.map((i) => i.id), ['p7', 'o1']);
    const it = page1.items[0];
    assert.deepEqual(it, {
      id: 'p1',
      session: 's1',
      seq: 1,
      ts: makePair(1).ts,
      direction: 'in',
      method: 'GET',
      url: '/orders/1001?x=1',
      status: 200,
      duration: 6,
      file: a,
      line: 2,
    });
    assert.equal('headers' in it, false);
    const ep = await listPairs([dir], { endpoint: 'POST /charge' });
    assert.deepEqual(ep.items.map((i) => [i.id, i.status, i.service, i.file]), [
      ['o1', 404, 'payments', b],
      ['o2', undefined, 'payments', b],
    ]);
    const outs = await listPairs([dir], { direction: 'out', offset: 1 });
    assert.equal(outs.total, 3);
    assert.deepEqual(outs.items.map((i) => i.id), ['o2', 'o3']);
  });

  test('getPair returns the full pair by id, or undefined', async () => {
    const { dir } = await store();
    const p = await getPair([dir], 'o3');
    assert.equal(p?.request.url, 'http://stock/items/abc123def456');
    assert.equal(p?.response?.body, JSON.stringify({ id: 1012 }));
    assert.equal(await getPair([dir], 'nope'), undefined);
  });
});
