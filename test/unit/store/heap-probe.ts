// Child process for the memory-bounded streaming test (run with --expose-gc). Not a test file itself.
// Writes N small pairs to a temp store, then streams them back through readPairs and indexSources,
// sampling the heap after a forced GC at checkpoints. Prints one JSON line.
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { JsonlWriter, readPairs, indexSources } from '../../../src/engine/store/index.js';

const gc = (globalThis as { gc?: () => void }).gc;

function heapMb(): number {
  gc?.();
  gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200000);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'reprise-heap-'));
  const file = path.join(dir, 'big.jsonl');
  const w = await JsonlWriter.open(file);
  for (let i = 0; i < n; i++) {
    await w.write({
      id: `p${i}`,
      session: `s${i % 50}`,
      seq: i,
      ts: new Date(1704067200000 + i * 1000).toISOString(),
      direction: i % 4 === 0 ? 'out' : 'in',
      service: i % 4 === 0 ? 'dep' : undefined,
      request: { method: 'GET', url: `/orders/${i}`, headers: { accept: 'application/json' } },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: `{"id":${i},"name":"item ${i}"}` },
      duration: i % 100,
    });
  }
  await w.close();
  const fileMb = Math.round(((await fsp.stat(file)).size / 1024 / 1024) * 10) / 10;

  const checkpoints = 5;
  const every = Math.floor(n / checkpoints);
  const samples: number[] = [];
  const base = heapMb();
  let count = 0;
  for await (const _p of readPairs([file])) {
    count++;
    if (count % every === 0) samples.push(heapMb());
  }
  const t0 = Date.now();
  const idx = await indexSources([file]);
  const indexMs = Date.now() - t0;
  const afterIndex = heapMb();
  await fsp.rm(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ n, count, fileMb, base, samples, afterIndex, indexTotal: idx.total, sessions: idx.sessions.length, indexMs, gc: !!gc }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
