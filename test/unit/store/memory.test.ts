import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

// Streams 200k pairs in a child process with --expose-gc and checks that the heap, sampled after a
// forced GC at five checkpoints while reading, does not grow with the number of pairs read. Holding
// every pair would add well over 100 MB; the bound below is loose on purpose. No timing is asserted.
test('readPairs/indexSources memory does not grow with the store size (200k pairs)', { timeout: 240_000 }, (t) => {
  const probe = path.join(__dirname, 'heap-probe.ts');
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, '200000'], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    n: number; count: number; fileMb: number; base: number; samples: number[]; afterIndex: number; indexTotal: number; sessions: number; indexMs: number; gc: boolean;
  };
  t.diagnostic(`store ${res.fileMb} MB, ${res.count} pairs; heap MB after GC: start ${res.base}, while reading ${res.samples.join(' / ')}, after index ${res.afterIndex}; index pass ${res.indexMs} ms`);
  assert.equal(res.gc, true);
  assert.equal(res.count, 200000);
  assert.equal(res.indexTotal, 200000);
  assert.equal(res.sessions, 50);
  assert.equal(res.samples.length, 5);
  const growth = Math.max(...res.samples, res.afterIndex) - res.samples[0];
  assert.ok(growth < 16, `heap grew ${growth} MB between the first and later checkpoints`);
  assert.ok(Math.max(...res.samples) - res.base < 24, `heap while reading exceeds start by ${Math.max(...res.samples) - res.base} MB`);
});
