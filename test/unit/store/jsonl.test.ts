import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { JsonlWriter, readPairs, detectFormat } from '../../../src/engine/store/index.js';
import { tmpDir, makePair, collect, issueSink } from './helpers.js';

describe('native JSONL store', () => {
  test('writes and reads back pairs in order, defaults applied', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'a', 'b', 'store.jsonl'); // parent folders created
    const w = await JsonlWriter.open(file);
    for (let i = 0; i < 5; i++) await w.write(makePair(i));
    await w.write({ id: 'minimal', ts: '2024-01-01T00:00:00Z', direction: 'out', request: { method: 'POST', url: 'http://pay/charge' } });
    await w.close();
    assert.equal(w.written, 6);
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([file], { onIssue }));
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map((p) => p.id), ['p0', 'p1', 'p2', 'p3', 'p4', 'minimal']);
    assert.equal(pairs[3].request.url, '/orders/1003?x=3');
    assert.equal(pairs[5].session, 'default');
    assert.equal(pairs[5].seq, 0);
    assert.deepEqual(pairs[5].request.headers, {});
    assert.equal(pairs[5].response, undefined);
  });

  test('a malformed line in the middle is reported with file and line; the rest loads', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'store.jsonl');
    const good = (i: number) => JSON.stringify(makePair(i));
    const lines = [
      good(0),
      good(1),
      '{"id": "broken", "direction": "in", ', // bad JSON (line 3)
      '', // blank lines are fine
      JSON.stringify({ id: 'x', ts: 't', direction: 'sideways', request: { method: 'GET', url: '/' } }), // fails schema (line 5)
      good(2),
    ];
    await fsp.writeFile(file, lines.join('\n') + '\n');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([file], { onIssue }));
    assert.deepEqual(pairs.map((p) => p.id), ['p0', 'p1', 'p2']);
    assert.equal(issues.length, 2);
    assert.deepEqual(issues.map((i) => [i.file, i.line, i.severity]), [
      [file, 3, 'error'],
      [file, 5, 'error'],
    ]);
    assert.match(issues[0].message, /invalid JSON/);
    assert.match(issues[1].message, /direction/);
  });

  test('.jsonl.gz is written gzipped and read back transparently', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'store.jsonl.gz');
    const w = await JsonlWriter.open(file);
    for (let i = 0; i < 50; i++) await w.write(makePair(i));
    await w.close();
    const raw = await fsp.readFile(file);
    assert.equal(raw[0], 0x1f);
    assert.equal(raw[1], 0x8b);
    assert.equal(gunzipSync(raw).toString('utf8').trim().split('\n').length, 50);
    assert.equal(await detectFormat(file), 'jsonl');
    const pairs = await collect(readPairs([file]));
    assert.equal(pairs.length, 50);
    assert.equal(pairs[49].id, 'p49');
  });

  test('writer rejects an invalid pair and names the field', async () => {
    const dir = await tmpDir();
    const w = await JsonlWriter.open(path.join(dir, 's.jsonl'));
    await assert.rejects(() => w.write({ id: '', ts: 'x', direction: 'in', request: { method: 'GET', url: '/' } }), /invalid pair: id/);
    await w.close();
    await assert.rejects(() => w.write(makePair(1)), /after close/);
  });

  test('folders are recursed in sorted path order; hidden folders and node_modules are skipped', async () => {
    const dir = await tmpDir();
    const put = async (rel: string, ids: number[]) => {
      await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fsp.writeFile(path.join(dir, rel), ids.map((i) => JSON.stringify(makePair(i))).join('\n') + '\n');
    };
    await put('b/2.jsonl', [3]);
    await put('a.jsonl', [1]);
    await put('b/1.jsonl', [2]);
    await put('.hidden/x.jsonl', [90]);
    await put('node_modules/y.jsonl', [91]);
    await put('notes.txt', []); // unknown files in folders are ignored silently
    await fsp.writeFile(path.join(dir, 'notes.txt'), 'hello');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([dir], { onIssue }));
    assert.deepEqual(pairs.map((p) => p.id), ['p1', 'p2', 'p3']);
    assert.deepEqual(issues, []);
  });

  test('a nonexistent source is an error issue, not a throw; other sources still load', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 's.jsonl');
    await fsp.writeFile(file, JSON.stringify(makePair(7)) + '\n');
    const missing = path.join(dir, 'nope');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([missing, file], { onIssue }));
    assert.deepEqual(pairs.map((p) => p.id), ['p7']);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].file, missing);
    assert.equal(issues[0].severity, 'error');
    assert.match(issues[0].message, /not found/);
  });

  test('direction filter, and an explicitly named unknown file is a warning', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 's.jsonl');
    await fsp.writeFile(file, [makePair(1), makePair(2, { direction: 'out', service: 'pay' })].map((p) => JSON.stringify(p)).join('\n'));
    const other = path.join(dir, 'readme.txt');
    await fsp.writeFile(other, 'just text');
    const { issues, onIssue } = issueSink();
    const outs = await collect(readPairs([file, other], { direction: 'out', onIssue }));
    assert.deepEqual(outs.map((p) => p.id), ['p2']);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].severity, 'warning');
    assert.equal(issues[0].file, other);
  });

  test('abort stops reading', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 's.jsonl');
    const w = await JsonlWriter.open(file);
    for (let i = 0; i < 100; i++) await w.write(makePair(i));
    await w.close();
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(async () => {
      for await (const _p of readPairs([file], { signal: ac.signal })) {
        if (++n === 10) ac.abort();
      }
    });
    assert.equal(n, 10);
  });

  test('writer respects backpressure with large pairs', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'big.jsonl');
    const w = await JsonlWriter.open(file);
    const big = 'x'.repeat(256 * 1024); // larger than the stream's highWaterMark
    for (let i = 0; i < 8; i++) await w.write(makePair(i, { response: { status: 200, body: big } }));
    await w.close();
    const pairs = await collect(readPairs([file]));
    assert.equal(pairs.length, 8);
    assert.equal(pairs[7].response?.body?.length, big.length);
  });
});
