import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  learnNoise,
  applyNoise,
  mergeNoiseModels,
  saveNoiseModel,
  loadNoiseModel,
  noiseFilePath,
  isUuid,
  isTimestamp,
  isIsoTimestamp,
  isHttpDate,
  isEpochMillis,
  isHash,
  isJwt,
  isUlid,
  isObjectId,
  shapeOf,
  isNoisyHeader,
  type NoiseModel,
} from '../../../src/engine/validate/noise.js';
import { validateResponse } from '../../../src/engine/validate/compare.js';
import type { ValidateOptions } from '../../../src/engine/validate/types.js';

describe('shape detectors', () => {
  test('uuid', () => {
    assert.ok(isUuid('3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f'));
    assert.ok(isUuid('3F2B8C1E-5D6A-4B7C-8E9F-0A1B2C3D4E5F'));
    assert.ok(!isUuid('3f2b8c1e5d6a4b7c8e9f0a1b2c3d4e5f'));
    assert.ok(!isUuid('3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5g'));
    assert.ok(!isUuid(42));
  });

  test('timestamps', () => {
    for (const t of ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00+05:30', '2024-05-01 10:00:00', '2024-05-01T10:00']) {
      assert.ok(isIsoTimestamp(t), t);
    }
    for (const t of ['2024-05-01', '2024-13-01T10:00:00Z', 'yesterday', '20240501T100000Z']) assert.ok(!isIsoTimestamp(t), t);
    assert.ok(isHttpDate('Tue, 15 Nov 1994 08:12:31 GMT'));
    assert.ok(!isHttpDate('Tue, 15 Nov 1994 08:12:31 UTC'));
    assert.ok(isEpochMillis(1716800000000));
    assert.ok(isEpochMillis('1716800000000'));
    assert.ok(!isEpochMillis(12345));
    assert.ok(!isEpochMillis(1716800000000.5));
    assert.ok(isTimestamp(1716800000, 'createdAt'));
    assert.ok(!isTimestamp(1716800000, 'count'));
  });

  test('hashes, ids, tokens', () => {
    assert.ok(isHash('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'));
    assert.ok(isHash('"d41d8cd98f00b204e9800998ecf8427e"'));
    assert.ok(isHash('sha256:' + 'ab'.repeat(32)));
    assert.ok(!isHash('1'.repeat(40)), 'digits only is not taken for a hash');
    assert.ok(!isHash('a94a8fe5ccb19ba61c4c0873d391e987982fbbd'), 'odd length');
    assert.ok(isObjectId('507f1f77bcf86cd799439011'));
    assert.ok(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    assert.ok(!isUlid('ZZZZZZZZZZZZZZZZZZZZZZZZZZ'));
    assert.ok(isJwt('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-123'));
    assert.ok(!isJwt('eyJhbGciOiJIUzI1NiJ9'));
    assert.ok(!isJwt('abc.def.ghi'));
  });

  test('shapeOf distinguishes shapes', () => {
    assert.equal(shapeOf('3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f'), 'uuid');
    assert.equal(shapeOf('2024-05-01T10:00:00Z'), 'timestamp');
    assert.equal(shapeOf('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'), 'hash:40');
    assert.equal(shapeOf('d41d8cd98f00b204e9800998ecf8427e'), 'hash:32');
    assert.equal(shapeOf(1716800000000), 'epoch-ms');
    assert.equal(shapeOf('widget'), undefined);
    assert.equal(shapeOf(3.5), undefined);
    assert.equal(shapeOf(true), undefined);
  });

  test('noisy header names', () => {
    for (const h of ['date', 'ETag', 'x-request-id', 'x-amzn-trace-id', 'x-correlation-id', 'X-Span-Id']) assert.ok(isNoisyHeader(h), h);
    for (const h of ['content-type', 'x-version', 'location', 'cache-control']) assert.ok(!isNoisyHeader(h), h);
  });
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const order = (id: string, createdAt: string, tokens: string[], date: string, total = 30) =>
  json(
    {
      id,
      createdAt,
      total,
      customer: { name: 'Ada' },
      items: tokens.map((token, i) => ({ sku: `S${i}`, token })),
    },
    { date, 'x-version': '7' },
  );

describe('learnNoise', () => {
  const a = order('o-1', '2024-05-01T10:00:00Z', ['t', 't', 'k1'], 'Tue, 15 Nov 1994 08:12:31 GMT');
  const b = order('o-2', '2024-05-01T10:00:07Z', ['t', 't', 'k2'], 'Tue, 15 Nov 1994 08:12:38 GMT');

  test('learns the differing paths, generalised, and headers; not stable fields', () => {
    const model = learnNoise([{ endpoint: 'POST /orders', a, b }]);
    assert.deepEqual(model, {
      version: 1,
      endpoints: { 'POST /orders': { ignore: ['$.createdAt', '$.id', '$.items[*].token', 'header.date'] } },
      global: [],
    });
  });

  test('applying the model passes a rerun, but a changed business field still fails', () => {
    const model = learnNoise([{ endpoint: 'POST /orders', a, b }]);
    const opts: ValidateOptions = { ignore: [], tolerances: {}, headers: ['date', 'x-version'], shapeOnly: false };
    const withNoise = applyNoise(opts, model, 'POST /orders');
    assert.deepEqual(withNoise.ignore, ['$.createdAt', '$.id', '$.items[*].token', 'header.date']);
    assert.deepEqual(opts.ignore, [], 'input options untouched');

    const c = order('o-3', '2024-06-01T00:00:00Z', ['x', 'y', 'z'], 'Wed, 16 Nov 1994 00:00:00 GMT');
    const before = validateResponse(a, c, opts);
    assert.equal(before.pass, false);
    const v = validateResponse(a, c, withNoise);
    assert.equal(v.pass, true, JSON.stringify(v.diffs));
    assert.ok(v.diffs.every((d) => d.ignored === 'ignore'));

    const changed = order('o-4', '2024-06-01T00:00:00Z', ['x', 'y', 'z'], 'Wed, 16 Nov 1994 00:00:00 GMT', 31);
    const w = validateResponse(a, changed, withNoise);
    assert.equal(w.pass, false);
    assert.deepEqual(w.diffs.filter((d) => !d.ignored), [{ path: '$.total', kind: 'changed', expected: 30, actual: 31 }]);
  });

  test('global: paths noisy on several endpoints; applied only to unknown endpoints', () => {
    const x = json({ id: 'a', v: 1 }, { date: 'd1' });
    const y = json({ id: 'b', v: 1 }, { date: 'd2' });
    const p = json({ ref: 1, n: 1 }, { date: 'd1' });
    const q = json({ ref: 2, n: 1 }, { date: 'd2' });
    const model = learnNoise([
      { endpoint: 'POST /a', a: x, b: y },
      { endpoint: 'POST /b', a: x, b: y },
      { endpoint: 'GET /c', a: p, b: q },
    ]);
    assert.deepEqual(model.global, ['$.id', 'header.date']);
    assert.deepEqual(model.endpoints['GET /c'].ignore, ['$.ref', 'header.date']);
    const opts: ValidateOptions = { ignore: ['$.keep'], tolerances: {}, headers: [], shapeOnly: false };
    assert.deepEqual(applyNoise(opts, model, 'GET /c').ignore, ['$.keep', '$.ref', 'header.date']);
    assert.deepEqual(applyNoise(opts, model, 'GET /unknown').ignore, ['$.keep', '$.id', 'header.date']);
    assert.equal(applyNoise(opts, undefined, 'GET /c'), opts);
    assert.equal(applyNoise(opts, { version: 1, endpoints: {}, global: [] }, 'GET /c'), opts);
  });

  test('status differences are not learned; differing text bodies give $', () => {
    const t1 = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'now 1' };
    const t2 = { status: 201, headers: { 'content-type': 'text/plain' }, body: 'now 2' };
    const model = learnNoise([{ endpoint: 'GET /t', a: t1, b: t2 }]);
    assert.deepEqual(model.endpoints['GET /t'].ignore, ['$']);
  });

  test('bracket keys are kept in canonical form', () => {
    const model = learnNoise([{ endpoint: 'E', a: json({ 'x-y': [{ 'a b': 1 }] }), b: json({ 'x-y': [{ 'a b': 2 }] }) }]);
    assert.deepEqual(model.endpoints.E.ignore, ["$['x-y'][*]['a b']"]);
  });

  test('mergeNoiseModels unions per endpoint and global', () => {
    const m = mergeNoiseModels(
      { version: 1, endpoints: { A: { ignore: ['$.x'] } }, global: ['header.date'] },
      { version: 1, endpoints: { A: { ignore: ['$.a', '$.x'] }, B: { ignore: ['$.b'] } }, global: ['$.id'] },
    );
    assert.deepEqual(m, { version: 1, endpoints: { A: { ignore: ['$.a', '$.x'] }, B: { ignore: ['$.b'] } }, global: ['$.id', 'header.date'] });
  });
});

describe('noise file', () => {
  test('save then load round-trips under .reprise/noise.json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reprise-noise-'));
    try {
      const file = noiseFilePath(dir);
      assert.equal(file, path.join(dir, '.reprise', 'noise.json'));
      assert.equal(await loadNoiseModel(file), undefined, 'absent file → undefined');
      const model: NoiseModel = { version: 1, endpoints: { 'GET /x': { ignore: ['$.id'] } }, global: ['header.date'] };
      await saveNoiseModel(file, model);
      assert.deepEqual(await loadNoiseModel(file), model);
      assert.ok((await readFile(file, 'utf8')).endsWith('\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('bad files give errors naming the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reprise-noise-'));
    try {
      await mkdir(path.join(dir, '.reprise'));
      const file = noiseFilePath(dir);
      await writeFile(file, '{oops');
      await assert.rejects(loadNoiseModel(file), (e: Error) => e.message.startsWith(file) && /not valid JSON/.test(e.message));
      await writeFile(file, JSON.stringify({ version: 2, endpoints: {}, global: [] }));
      await assert.rejects(loadNoiseModel(file), (e: Error) => e.message.startsWith(file) && /version/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
