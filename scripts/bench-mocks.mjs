// Mock server throughput. Run: node --import tsx scripts/bench-mocks.mjs
// A MockServer with N exact-path stubs `GET /api/items/<i>` (N = 10, 1,000, 10,000) is hit on its LAST stub by
// autocannon running in a separate process; the ceiling is a plain node http.createServer answering a fixed
// body. Prints one JSON document. Figures are not asserted (shared, noisy machine).
// Env: BENCH_DURATION seconds per case (default 5), BENCH_CONNECTIONS (default 20).
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { MockServer } from '../src/engine/mocks/index.ts';

const require = createRequire(import.meta.url);
const autocannonBin = require.resolve('autocannon/autocannon.js');
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const BODY = '{"id":1,"name":"item","price":9.5}';

function cannon(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [autocannonBin, '-j', '-c', String(CONNECTIONS), '-d', String(DURATION), url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out);
      resolve({
        requestsPerSec: Math.round(r.requests.average),
        latencyP50ms: r.latency.p50,
        latencyP99ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    });
  });
}

const config = (service) => ({ service, port: 0, host: '127.0.0.1', traffic: [], stubs: '', unmatched: { status: 501 }, sequence: 'stay', timing: 'none', ignore: [] });

async function ceiling() {
  const body = Buffer.from(BODY);
  const s = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  s.keepAliveTimeout = 30000;
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  try {
    return await cannon(`http://127.0.0.1:${s.address().port}/api/items/0`);
  } finally {
    await new Promise((r) => s.close(r));
  }
}

async function mock(n) {
  const stubs = [];
  for (let i = 0; i < n; i++) {
    stubs.push({ id: `item-${i}`, request: { method: 'GET', path: `/api/items/${i}` }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: BODY } });
  }
  const t0 = performance.now();
  const s = new MockServer(config(`bench-${n}`), stubs);
  const loadMs = Math.round(performance.now() - t0);
  await s.start();
  try {
    const r = await cannon(`${s.url}/api/items/${n - 1}`);
    const st = s.stats();
    return { stubs: n, loadMs, ...r, matched: st.matched, unmatched: st.unmatched };
  } finally {
    await s.stop();
  }
}

const result = { node: process.version, durationSec: DURATION, connections: CONNECTIONS, ceiling: await ceiling(), mock: [] };
for (const n of [10, 1000, 10000]) result.mock.push(await mock(n));
for (const m of result.mock) m.ofCeiling = Math.round((m.requestsPerSec / result.ceiling.requestsPerSec) * 100) / 100;
console.log(JSON.stringify(result, null, 2));
