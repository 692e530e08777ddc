import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, createReadStream } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';
import { readLines, LineSplitter } from '../../../src/engine/store/io.js';
import { importJsonl, plainPair } from '../../../src/engine/store/jsonl.js';
import { PairSchema } from '../../../src/engine/store/model.js';
import { tmpDir, collect, makePair } from './helpers.js';

/** What node:readline (the previous implementation) gives for a file, with the first line's BOM removed. */
async function readlineReference(file: string): Promise<string[]> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const out: string[] = [];
  for await (const l of rl) out.push(out.length === 0 && l.charCodeAt(0) === 0xfeff ? l.slice(1) : l);
  return out;
}

describe('readLines', () => {
  test('splits like node:readline across chunk boundaries: \\n, \\r\\n, lone \\r, multi-byte characters, BOM, no final newline', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'mixed.txt');
    // > 3 read chunks (64 KiB each) so line ends and multi-byte characters fall on chunk boundaries
    const pieces = ['\uFEFF{"first":1}'];
    const ends = ['\n', '\r\n', '\r', '\n\n', '\r\r\n'];
    for (let i = 0; i < 9000; i++) pieces.push(ends[i % ends.length] + `line ${i} é€😀 ${'x'.repeat(i % 37)}`);
    pieces.push('\r\nlast line without a line end');
    await fsp.writeFile(file, pieces.join(''));
    const expected = await readlineReference(file);
    const got = await collect(readLines(file));
    assert.equal(got.length, expected.length);
    assert.deepEqual(got.map((l) => l.text), expected);
    assert.deepEqual(got.map((l) => l.no), expected.map((_, i) => i + 1));
    assert.equal(got[0].text, '{"first":1}');
    assert.equal(got.at(-1)!.text, 'last line without a line end');
  });

  test('gzipped input gives the same lines; a trailing line end adds no empty line', async () => {
    const dir = await tmpDir();
    const text = Array.from({ length: 20000 }, (_, i) => `{"n":${i},"s":"ü"}`).join('\n') + '\n';
    const plain = path.join(dir, 'a.jsonl');
    const gz = path.join(dir, 'a.jsonl.gz');
    await fsp.writeFile(plain, text);
    await fsp.writeFile(gz, gzipSync(text));
    const a = (await collect(readLines(plain))).map((l) => l.text);
    const b = (await collect(readLines(gz))).map((l) => l.text);
    assert.equal(a.length, 20000);
    assert.deepEqual(b, a);
    assert.deepEqual(a, await readlineReference(plain));
  });

  test('LineSplitter: a \\r at the end of one piece and \\n at the start of the next are one line end', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a\r').map((l) => l.text), ['a']);
    assert.deepEqual(s.push('\nb\rc').map((l) => l.text), ['b']);
    assert.deepEqual(s.end().map((l) => [l.text, l.no]), [['c', 3]]);
  });

  test('an aborted signal stops reading', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'a.txt');
    await fsp.writeFile(file, 'a\nb\nc\n');
    const ac = new AbortController();
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const l of readLines(file, ac.signal)) {
        seen.push(l.text);
        ac.abort();
      }
    });
    assert.deepEqual(seen, ['a']);
  });
});

describe('JSONL fast path (plainPair)', () => {
  const base = {
    meta: { ignore: ['$.a'] },
    duration: 1.5,
    response: { body: '{}', headers: { 'content-type': 'application/json' }, status: 200, bodyEncoding: 'utf8' },
    request: { url: '/a?b=1', method: 'GET', headers: { 'set-cookie': ['a', 'b'] }, body: 'x' },
    service: 'svc',
    direction: 'in',
    ts: '2026-01-01T00:00:00Z',
    seq: 3,
    session: 's',
    id: 'p1',
  };
  const shape = (o: unknown): unknown =>
    o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).map(([k, v]) => [k, shape(v)]) : o;

  test('gives exactly what PairSchema gives (values, defaults, key order) for plain pairs', () => {
    const minimal = { id: 'm', ts: 't', direction: 'out', request: { method: 'POST', url: 'http://x/y' } };
    const noResponse = { ...base, response: undefined };
    for (const raw of [base, minimal, JSON.parse(JSON.stringify(noResponse)), makePair(7)]) {
      const fast = plainPair(JSON.parse(JSON.stringify(raw)));
      assert.ok(fast, JSON.stringify(raw));
      assert.deepEqual(shape(fast), shape(PairSchema.parse(JSON.parse(JSON.stringify(raw)))));
    }
  });

  test('leaves anything unusual to zod: unknown keys, wrong types, out-of-range values', () => {
    const variants = [
      { ...base, extra: 1 },
      { ...base, request: { ...base.request, extra: 1 } },
      { ...base, seq: -1 },
      { ...base, seq: 1.5 },
      { ...base, direction: 'sideways' },
      { ...base, response: { ...base.response, status: 1000 } },
      { ...base, request: { ...base.request, headers: { a: 1 } } },
      { ...base, request: { ...base.request, method: '' } },
      { ...base, meta: [] },
      { ...base, request: { ...base.request, bodyEncoding: 'hex' } },
    ];
    for (const v of variants) assert.equal(plainPair(JSON.parse(JSON.stringify(v))), undefined, JSON.stringify(v));
  });

  test('a line with an unknown key is read through zod: the key is dropped, the pair kept', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 's.jsonl');
    await fsp.writeFile(file, JSON.stringify({ ...makePair(1), extra: 'x' }) + '\n' + JSON.stringify(makePair(2)) + '\n');
    const pairs = await collect(importJsonl(file));
    assert.deepEqual(pairs.map((p) => p.id), ['p1', 'p2']);
    assert.equal('extra' in pairs[0], false);
    assert.deepEqual(shape(pairs[1]), shape(PairSchema.parse(makePair(2))));
  });
});

describe('countLines', () => {
  test('counts lines of plain and gzipped files without parsing them', async () => {
    const { countLines } = await import('../../../src/engine/store/io.js');
    const dir = await tmpDir();
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl.gz');
    const c = path.join(dir, 'c.jsonl');
    const text = Array.from({ length: 30000 }, (_, i) => `{"n":${i}}`).join('\n');
    await fsp.writeFile(a, text + '\n');
    await fsp.writeFile(b, gzipSync(text)); // no final newline: the last line still counts
    await fsp.writeFile(c, '');
    assert.equal(await countLines(a), 30000);
    assert.equal(await countLines(b), 30000);
    assert.equal(await countLines(c), 0);
  });
});
