// Benchmark (not a test): indexSources and listPairs on a generated store of N pairs (default 1,000,000).
// Usage: node --import tsx test/unit/store/index-bench.ts [N]
// The store is written by this process; each measurement runs in a fresh child process so that its time
// and peak RSS (process.resourceUsage().maxRSS) are its own. Prints one JSON line per measurement.
import * as path from 'node:path';
import * as os from 'node:os';
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { indexSources, listPairs } from '../../../src/engine/store/index.js';

async function generate(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const paths = ['/orders/{n}', '/orders', '/products', '/users/{n}/cart', '/health'];
  for (let i = 0; i < n; i++) {
    const p = paths[i % paths.length].replace('{n}', String(1000 + (i % 9973)));
    const method = i % 5 === 1 ? 'POST' : 'GET';
    const line = JSON.stringify({
      id: `p${i}`,
      session: `s${i % 2000}`,
      seq: Math.floor(i / 2000),
      ts: new Date(1704067200000 + i * 50).toISOString(),
      direction: i % 4 === 0 ? 'out' : 'in',
      ...(i % 4 === 0 ? { service: `dep${i % 3}` } : {}),
      request: { method, url: p, headers: { accept: 'application/json', authorization: 'Bearer t' }, ...(method === 'POST' ? { body: `{"sku":"A${i % 50}","qty":${i % 7}}` } : {}) },
      response: { status: i % 97 === 0 ? 500 : i % 13 === 0 ? 404 : 200, headers: { 'content-type': 'application/json' }, body: `{"id":${i},"name":"item ${i}","price":${i % 1000}}` },
      duration: i % 120,
    });
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

async function child(kind: string, file: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  let extra: Record<string, unknown> = {};
  if (kind === 'index') {
    const idx = await indexSources([file]);
    extra = { total: idx.total, sessions: idx.sessions.length, endpoints: idx.endpoints.length, services: idx.services.length };
  } else {
    const page = await listPairs([file], { endpoint: 'GET /orders/{id}', offset: 100_000, limit: 50 });
    extra = { matches: page.total, page: page.items.length };
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ kind, ms: Math.round(ms), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...extra }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const n = Number(process.argv[2] ?? 1_000_000);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'reprise-index-bench-'));
  const file = path.join(dir, 'store.jsonl');
  try {
    const t0 = Date.now();
    await generate(file, n);
    const mb = Math.round((await fsp.stat(file)).size / 1024 / 1024);
    console.log(JSON.stringify({ generated: n, fileMb: mb, ms: Date.now() - t0 }));
    for (const kind of ['index', 'list']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', kind, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      process.stdout.write(r.stdout);
    }
    // baseline: an idle node + tsx process
    const idle = spawnSync(process.execPath, ['--import', 'tsx', '-e', 'console.log(Math.round(process.resourceUsage().maxRSS/1024))'], { encoding: 'utf8' });
    console.log(JSON.stringify({ idleRssMb: Number(idle.stdout.trim()) }));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
