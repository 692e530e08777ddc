// npm run bench — replay throughput vs autocannon against the same trivial server, and peak RSS while
// replaying a generated 1,000,000-pair store. Prints one JSON document. Figures are measured side by side
// in one run; they are not asserted (machines are shared and noisy).
//
// Options (env): BENCH_REQUESTS (default 30000), BENCH_CONCURRENCY (10), BENCH_BIG_PAIRS (1000000; 0 skips).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const N = Number(process.env.BENCH_REQUESTS ?? 30000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 10);
const BIG = Number(process.env.BENCH_BIG_PAIRS ?? 1000000);
const work = mkdtempSync(join(tmpdir(), 'reprise-bench-'));
const BODY = '{"ok":true,"items":[1,2,3],"name":"bench"}';

function startServer() {
  const src = `
    const http = require('node:http');
    const body = Buffer.from(${JSON.stringify(BODY)});
    const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, {'content-type': 'application/json', 'content-length': body.length}); res.end(body); }); });
    s.keepAliveTimeout = 60000;
    s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res) => child.stdout.once('data', (d) => res({ child, port: Number(String(d).trim()) })));
}

async function writeStore(file, count, sessions) {
  const out = createWriteStream(file);
  const ts = '2026-01-01T00:00:00.000Z';
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({
      id: `p${i}`, session: `s${i % sessions}`, seq: Math.floor(i / sessions), ts, direction: 'in',
      request: { method: 'GET', url: `/items/${i}?q=x`, headers: { accept: 'application/json' } },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: BODY }, duration: 1,
    }) + '\n';
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function writeConfig(dir, port, traffic) {
  const file = join(dir, 'reprise.yaml');
  writeFileSync(file, `target: http://127.0.0.1:${port}
traffic: [${JSON.stringify(traffic)}]
replay: {concurrency: ${C}, time_scale: 0, max_delay: 0, timeout: 10s}
validate: {headers: [content-type]}
quality_gates: {status_pass_rate: ">= 0.99", body_match_rate: ">= 0.99"}
runs_dir: ${JSON.stringify(join(dir, 'runs'))}
`);
  return file;
}

function runCli(args, { sampleRss = false } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peakKb = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = sampleRss
      ? setInterval(() => {
          try {
            const st = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const hwm = /VmHWM:\s+(\d+)/.exec(st);
            if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
          } catch {}
        }, 100)
      : undefined;
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      if (code !== 0 && code !== 1) return rej(new Error(`reprise exited ${code}: ${err.slice(0, 2000)}`));
      try {
        res({ summary: JSON.parse(out), peakRssMb: peakKb / 1024 });
      } catch (e) {
        rej(new Error(`could not parse reprise output: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}

function autocannon(port, amount) {
  return new Promise((res, rej) => {
    const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
    const child = spawn(process.execPath, [bin, '-c', String(C), '-a', String(amount), '-j', `http://127.0.0.1:${port}/items/1?q=x`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => {
      try {
        const j = JSON.parse(out);
        res({ rps: j.requests.total / (j.duration), total: j.requests.total, p99: j.latency.p99 });
      } catch (e) {
        rej(e);
      }
    });
  });
}

const result = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, concurrency: C };
const { child: server, port } = await startServer();
try {
  // (a) throughput, validation on, against autocannon at the same concurrency.
  const store = join(work, 'small.jsonl');
  await writeStore(store, N, Math.max(C * 20, 100));
  const cfg = writeConfig(work, port, store);
  await autocannon(port, Math.min(5000, N)); // warm-up of the server
  const ac = await autocannon(port, N);
  const rp = await runCli(['run', '--config', cfg, '--json', '--quiet']);
  const m = rp.summary.metrics;
  result.throughput = {
    requests: N,
    reprise_rps: Math.round(m.throughput),
    reprise_passed: m.passed,
    autocannon_rps: Math.round(ac.rps),
    ratio: Number((m.throughput / ac.rps).toFixed(3)),
    target_ratio: 0.9,
    met: m.throughput / ac.rps >= 0.9,
  };
  // (b) peak RSS while replaying a 1,000,000-pair store.
  if (BIG > 0) {
    const big = join(work, 'big.jsonl');
    await writeStore(big, BIG, 1000);
    const cfg2 = writeConfig(work, port, big);
    const t0 = Date.now();
    const r2 = await runCli(['run', '--config', cfg2, '--json', '--quiet'], { sampleRss: true });
    result.memory = {
      pairs: BIG,
      sent: r2.summary.metrics.sent,
      passed: r2.summary.metrics.passed,
      peak_rss_mb: Math.round(r2.peakRssMb),
      target_mb: 256,
      met: r2.peakRssMb <= 256,
      wall_s: Math.round((Date.now() - t0) / 1000),
      rps: Math.round(r2.summary.metrics.throughput),
    };
  }
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
