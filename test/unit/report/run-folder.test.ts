import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import {
  RunWriter, newRunId, writeFileAtomic, listRuns, listRunsDetailed, readRun, readResults, readResultsPage,
  readUnmatched, setBaseline, getBaseline, resolveBaseline, deleteRun,
} from '../../../src/engine/report/index.js';
import type { RunSummary } from '../../../src/shared/results.js';
import type { Clock } from '../../../src/engine/context.js';
import { tmpDir, result, failing, erroring } from './helpers.js';

function fixedClock(start: number): Clock & { t: number } {
  const c = { t: start, now: () => c.t, monotonic: () => c.t };
  return c;
}

async function makeRun(runsDir: string, startMs: number, finish: 'completed' | 'aborted' | 'running' = 'completed'): Promise<RunSummary> {
  const w = await RunWriter.create(runsDir, { target: 'http://x', traffic: [], clock: fixedClock(startMs) });
  await w.result(result(1));
  if (finish === 'running') {
    await w.flush();
    return w.summary;
  }
  return finish === 'aborted' ? w.abort('cancelled') : w.finish({ gates: [] });
}

describe('run ids', () => {
  test('sortable by time and unique', () => {
    const a = newRunId(Date.UTC(2026, 10, 25, 14, 3, 22, 123));
    assert.match(a, /^2026-11-25T14-03-22-123Z-[0-9a-f]{4}$/);
    const b = newRunId(Date.UTC(2026, 10, 25, 14, 3, 22, 124));
    assert.ok(a < b);
    const ids = new Set(Array.from({ length: 200 }, () => newRunId(0)));
    assert.ok(ids.size > 150, 'random suffix varies');
  });

  test('two writers started in the same millisecond get different folders', async () => {
    const runsDir = await tmpDir();
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const ws = await Promise.all(Array.from({ length: 8 }, () => RunWriter.create(runsDir, { target: 't', traffic: [], clock })));
    assert.equal(new Set(ws.map((w) => w.dir)).size, 8);
    await Promise.all(ws.map((w) => w.finish()));
  });
});

describe('RunWriter', () => {
  test('writes run.json at start, results, unmatched, junit and the final summary; redacts', async () => {
    const runsDir = await tmpDir();
    const w = await RunWriter.create(path.join(runsDir, 'nested', 'runs'), {
      target: 'http://127.0.0.1:3000',
      traffic: ['a.jsonl'],
      configPath: '/x/reprise.yaml',
      redact: { headers: ['x-tenant'], jsonPaths: ['$.card'] },
    });
    const first = JSON.parse(await fsp.readFile(path.join(w.dir, 'run.json'), 'utf8')) as RunSummary;
    assert.equal(first.status, 'running');
    assert.equal(first.verdict, 'running');
    assert.equal(first.runId, w.runId);
    assert.equal(first.schema, 'reprise.run/1');

    await w.result(result(1, { url: '/orders/1?token=abc', actual: { status: 200, headers: { 'set-cookie': 'sid=s3cr3t; Path=/', 'x-tenant': 'acme' }, body: '{"card":"4111","ok":true}' } }));
    await w.result(failing(2));
    await w.result(erroring(3));
    await w.unmatched({
      id: 'u1', service: 'pay', at: '2026-01-01T00:00:00Z',
      request: { method: 'POST', url: 'http://pay/charge', headers: { authorization: 'Basic dXNlcjpwYXNz' }, body: '{"card":"4111"}' },
      nearest: [], answeredWith: { status: 404 },
    });
    const final = await w.finish({ gates: [{ name: 'status_pass_rate', expression: '>= 0.99', measured: 0.66, pass: false }] });
    assert.equal(final.status, 'completed');
    assert.equal(final.verdict, 'fail');
    assert.ok(final.endedAt);
    assert.equal(final.metrics.total, 3);
    assert.equal(final.failures?.length, 2);
    assert.equal(final.failures?.[0].firstDiff, '$.total');
    assert.equal(final.failures?.[1].firstDiff, 'ECONNREFUSED');

    const onDisk = await readRun(w.dir);
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(final)));
    const all = [];
    for await (const r of readResults(w.dir)) all.push(r);
    assert.equal(all.length, 3);
    assert.equal(all[0].url, '/orders/1?token=***');
    assert.deepEqual(all[0].actual?.headers, { 'set-cookie': 'sid=***; Path=/', 'x-tenant': '***' });
    assert.equal(all[0].actual?.body, '{"card":"***","ok":true}');
    const un = await readUnmatched(w.dir);
    assert.equal(un.length, 1);
    assert.deepEqual(un[0].request.headers, { authorization: 'Basic ***' });
    assert.equal(un[0].request.body, '{"card":"***"}');
    const xml = await fsp.readFile(path.join(w.dir, 'junit.xml'), 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4); // 3 requests + 1 gate
    assert.ok(!xml.includes('s3cr3t') && !xml.includes('4111'));
    const names = await fsp.readdir(w.dir);
    assert.deepEqual(names.sort(), ['junit.xml', 'results.jsonl', 'run.json', 'unmatched.jsonl']);
    await assert.rejects(w.result(result(9)), /finished/);
  });

  test('abort and fail set status, verdict and reason', async () => {
    const runsDir = await tmpDir();
    const a = await RunWriter.create(runsDir, { target: 't', traffic: [] });
    await a.result(result(1));
    const s = await a.abort('cutoff reached');
    assert.deepEqual([s.status, s.verdict, s.abortReason], ['aborted', 'aborted', 'cutoff reached']);
    assert.equal((await readRun(runsDir, a.runId)).abortReason, 'cutoff reached');
    const b = await RunWriter.create(runsDir, { target: 't', traffic: [] });
    const f = await b.fail('target unreachable', undefined, [{ file: 'x.har', entry: 3, severity: 'error', message: 'bad entry' }]);
    assert.deepEqual([f.status, f.verdict, f.error], ['error', 'error', 'target unreachable']);
    assert.equal(f.sourceIssues.length, 1);
  });

  test('run.json is rewritten atomically while results stream: a concurrent reader always parses it', async () => {
    const runsDir = await tmpDir();
    const w = await RunWriter.create(runsDir, { target: 't', traffic: [], summaryEveryResults: 1, flushBytes: 1 });
    const file = path.join(w.dir, 'run.json');
    let stop = false;
    let reads = 0;
    const seen = new Set<number>();
    const reader = (async () => {
      while (!stop) {
        const s = JSON.parse(await fsp.readFile(file, 'utf8')) as RunSummary; // throws on a partial file
        seen.add(s.metrics.total);
        reads++;
      }
    })();
    for (let i = 0; i < 300; i++) await w.result(i % 5 ? result(i) : failing(i));
    stop = true;
    await reader;
    await w.finish();
    assert.ok(reads > 0);
    assert.ok(seen.size > 1, 'reader saw the summary grow');
    assert.equal((await readRun(w.dir)).metrics.total, 300);
    const leftovers = (await fsp.readdir(w.dir)).filter((n) => n.includes('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  test('writeFileAtomic replaces the file and leaves no temp file', async () => {
    const dir = await tmpDir();
    const f = path.join(dir, 'a.json');
    await writeFileAtomic(f, '1');
    await writeFileAtomic(f, '2');
    assert.equal(await fsp.readFile(f, 'utf8'), '2');
    assert.deepEqual(await fsp.readdir(dir), ['a.json']);
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'b.json'), 'x'));
    assert.deepEqual(await fsp.readdir(dir), ['a.json']);
  });

  test('backpressure: many large results through a small buffer all arrive in order', async () => {
    const runsDir = await tmpDir();
    const w = await RunWriter.create(runsDir, { target: 't', traffic: [], flushBytes: 1024, junit: false });
    const big = 'y'.repeat(20_000);
    for (let i = 0; i < 400; i++) await w.result(result(i, { actual: { status: 200, headers: {}, body: big } }));
    await w.finish();
    let n = 0;
    for await (const r of readResults(w.dir)) assert.equal(r.seq, n++);
    assert.equal(n, 400);
  });
});

describe('RunReader', () => {
  test('readResults / readResultsPage: offset, limit, failed filter, torn and broken lines', async () => {
    const runsDir = await tmpDir();
    const w = await RunWriter.create(runsDir, { target: 't', traffic: [], junit: false });
    for (let i = 0; i < 10; i++) await w.result(i % 3 === 0 ? failing(i) : i === 4 ? erroring(i) : result(i));
    await w.finish();
    const file = path.join(w.dir, 'results.jsonl');
    const lines = (await fsp.readFile(file, 'utf8')).split('\n');
    lines.splice(5, 0, 'garbage{'); // a broken line in the middle
    await fsp.writeFile(file, lines.join('\n') + '{"pairId":"to'); // and a torn tail
    const issues: { line: number }[] = [];
    const seqs = async (o: Parameters<typeof readResults>[1]) => {
      const out: number[] = [];
      for await (const r of readResults(w.dir, { ...o, onIssue: (i) => issues.push(i) })) out.push(r.seq);
      return out;
    };
    assert.deepEqual(await seqs({}), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(issues.map((i) => i.line), [6]);
    assert.deepEqual(await seqs({ filter: 'failed' }), [0, 3, 4, 6, 9]);
    assert.deepEqual(await seqs({ filter: 'failed', offset: 1, limit: 2 }), [3, 4]);
    const p1 = await readResultsPage(w.dir, { offset: 0, limit: 4 });
    assert.deepEqual([p1.items.map((r) => r.seq), p1.hasMore], [[0, 1, 2, 3], true]);
    const p3 = await readResultsPage(w.dir, { offset: 8, limit: 4 });
    assert.deepEqual([p3.items.map((r) => r.seq), p3.hasMore], [[8, 9], false]);
    const empty = await tmpDir();
    assert.deepEqual(await (async () => { const o = []; for await (const r of readResults(empty)) o.push(r); return o; })(), []);
    assert.deepEqual(await readUnmatched(empty), []);
  });

  test('listRuns: newest first, broken and missing run.json reported and skipped, files ignored', async () => {
    const runsDir = await tmpDir();
    const t0 = Date.UTC(2026, 0, 1);
    const a = await makeRun(runsDir, t0 + 1000);
    const c = await makeRun(runsDir, t0 + 3000);
    const b = await makeRun(runsDir, t0 + 2000, 'aborted');
    await fsp.mkdir(path.join(runsDir, 'broken'));
    await fsp.writeFile(path.join(runsDir, 'broken', 'run.json'), '{"schema":"reprise.run/1", "runId": ');
    await fsp.mkdir(path.join(runsDir, 'wrong-shape'));
    await fsp.writeFile(path.join(runsDir, 'wrong-shape', 'run.json'), '{"schema":"other"}');
    await fsp.mkdir(path.join(runsDir, 'empty'));
    await setBaseline(runsDir, a.runId); // baseline.json is a file in runsDir: ignored by listRuns
    const issues: string[] = [];
    const runs = await listRuns(runsDir, { onIssue: (i) => issues.push(`${i.runId}: ${i.message}`) });
    assert.deepEqual(runs.map((r) => r.runId), [c.runId, b.runId, a.runId]);
    assert.equal(issues.length, 3);
    assert.ok(issues.some((i) => i.startsWith('broken: ') && i.includes('invalid JSON')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('wrong-shape: ') && i.includes('not a run summary')));
    assert.ok(issues.some((i) => i.startsWith('empty: ') && i.includes('missing')));
    assert.equal((await listRunsDetailed(runsDir)).issues.length, 3);
    assert.deepEqual(await listRuns(path.join(runsDir, 'nope')), []);
  });

  test('readRun by id, latest, folder path and run.json path; clear errors', async () => {
    const runsDir = await tmpDir();
    const t0 = Date.UTC(2026, 0, 1);
    const a = await makeRun(runsDir, t0);
    const b = await makeRun(runsDir, t0 + 5);
    assert.equal((await readRun(runsDir, a.runId)).runId, a.runId);
    assert.equal((await readRun(runsDir, 'latest')).runId, b.runId);
    assert.equal((await readRun(runsDir, path.join(runsDir, a.runId))).runId, a.runId);
    assert.equal((await readRun(path.join(runsDir, a.runId, 'run.json'))).runId, a.runId);
    await assert.rejects(readRun(runsDir, 'nope'), /run 'nope' not found/);
    await assert.rejects(readRun(await tmpDir(), 'latest'), /no runs in/);
  });

  test('resolveBaseline: previous, id, path, pinned; deleteRun clears the pin', async () => {
    const runsDir = await tmpDir();
    const t0 = Date.UTC(2026, 0, 1);
    const r1 = await makeRun(runsDir, t0 + 1000);
    const r2 = await makeRun(runsDir, t0 + 2000);
    const r3 = await makeRun(runsDir, t0 + 3000, 'aborted');
    const cur = await makeRun(runsDir, t0 + 4000, 'running');
    const later = await makeRun(runsDir, t0 + 5000);

    // previous: newest completed run before the current one; aborted/running runs and later runs don't count
    const prev = await resolveBaseline(runsDir, 'previous', cur.runId);
    assert.equal(prev?.runId, r2.runId);
    assert.equal(prev?.path, path.join(runsDir, r2.runId));
    assert.equal(prev?.summary.status, 'completed');
    assert.equal((await resolveBaseline(runsDir, 'previous', r2.runId))?.runId, r1.runId);
    assert.equal(await resolveBaseline(runsDir, 'previous', r1.runId), null);
    assert.equal((await resolveBaseline(runsDir, 'previous'))?.runId, later.runId);

    // explicit id (any status) and path
    assert.equal((await resolveBaseline(runsDir, r3.runId, cur.runId))?.summary.status, 'aborted');
    assert.equal((await resolveBaseline(runsDir, path.join(runsDir, r1.runId)))?.runId, r1.runId);
    assert.equal((await resolveBaseline(runsDir, r1.runId, undefined, { cwd: runsDir }))?.runId, r1.runId);
    assert.equal((await resolveBaseline(path.join(runsDir, 'elsewhere'), r1.runId, undefined, { cwd: runsDir }))?.runId, r1.runId, 'relative path against cwd');
    await assert.rejects(resolveBaseline(runsDir, 'no-such-run'), /baseline 'no-such-run' not found/);

    // undefined: the pinned run, or none
    assert.equal(await resolveBaseline(runsDir, undefined, cur.runId), null);
    await setBaseline(runsDir, r1.runId);
    assert.equal(await getBaseline(runsDir), r1.runId);
    assert.equal((await resolveBaseline(runsDir, undefined, cur.runId))?.runId, r1.runId);
    assert.equal((await resolveBaseline(runsDir, 'pinned', cur.runId))?.runId, r1.runId);
    assert.equal((await resolveBaseline(runsDir, 'previous', cur.runId))?.runId, r2.runId, 'an explicit spec wins over the pin');
    await assert.rejects(setBaseline(runsDir, 'nope'), /no such run/);
    await assert.rejects(setBaseline(runsDir, '../x'), /not a run id/);

    await deleteRun(runsDir, r1.runId);
    assert.equal(await getBaseline(runsDir), null);
    assert.equal(await resolveBaseline(runsDir, undefined), null);
    assert.ok(!(await listRuns(runsDir)).some((r) => r.runId === r1.runId));
    await assert.rejects(deleteRun(runsDir, '..'), /not a run id/);
    await assert.rejects(deleteRun(runsDir, r1.runId), /not found/);
  });
});
