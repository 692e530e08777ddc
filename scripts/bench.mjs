// npm run bench — replay throughput vs autocannon against the same trivial server, and peak RSS while
// replaying a generated 1,000,000-pair store. Prints one JSON document. Figures are measured side by side
// in one run; they are not asserted (machines are shared and noisy).
//
// (a) Throughput: one server (a child process), then BENCH_REPS rounds, each running autocannon and
//     `reprise run` (validation on) back to back at the same concurrency — autocannon for BENCH_AC_SECONDS,
//     reprise over a store of BENCH_REQUESTS pairs — the order alternating between rounds; both are warmed up. Reported: every round's figures,
//     the medians, `ratio` = median(reprise) / median(autocannon) and the median of the per-round ratios.
//     reprise's figure is its own `metrics.throughput` (requests / replay duration: reading, sending,
//     validating and writing the run folder; not process start-up or junit.xml).
//     Also per round: a bare undici dispatch loop (`undici_floor_rps`), the most any undici-based client
//     gets here, for reading the ratio.
// (b) Memory: `reprise run` over a generated store of BENCH_BIG_PAIRS pairs, peak RSS (VmHWM) sampled.
//
// Options (env): BENCH_REQUESTS (default 30000), BENCH_CONCURRENCY (10), BENCH_REPS (5), BENCH_AC_SECONDS (3),
// BENCH_BIG_PAIRS (1000000; 0 skips), BENCH_CLI (path of the CLI bundle; default dist/cli.js).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(root, 'dist', 'cli.js');
const N = Number(process.env.BENCH_REQUESTS ?? 30000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 10);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 5));
const AC_SECONDS = Math.max(1, Number(process.env.BENCH_AC_SECONDS ?? 3));
const BIG = Number(process.env.BENCH_BIG_PAIRS ?? 1000000);
const work = mkdtempSync(join(tmpdir(), 'reprise-bench-'));
const BODY = '{"ok":true,"items":[1,2,3],"name":"bench"}';
const PATH = '/items/1?q=x';

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

function writeConfig(dir, name, port, traffic) {
  const file = join(dir, `${name}.yaml`);
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

// autocannon runs for a fixed time: with `-a <amount>` it only notices the end on its 1-second tick, so
// its duration (and rate) would be rounded to whole seconds.
function autocannon(port, seconds) {
  return new Promise((res, rej) => {
    const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
    const args = [bin, '-c', String(C), '-p', '1', '-d', String(seconds), '-H', 'accept=application/json', '-j', `http://127.0.0.1:${port}${PATH}`];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => {
      try {
        const j = JSON.parse(out);
        res({ rps: j.requests.total / j.duration, total: j.requests.total, non2xx: j.non2xx, errors: j.errors });
      } catch (e) {
        rej(e);
      }
    });
  });
}

// The floor of any undici-based client: a bare dispatch loop (no reading, validation or writing) at the
// same concurrency, same request, N requests. Shows how much of the gap to autocannon is the HTTP library.
function undiciFloor(port, amount) {
  const src = `
    const { Pool } = require(${JSON.stringify(join(root, 'node_modules', 'undici'))});
    const pool = new Pool('http://127.0.0.1:${port}', { connections: ${C} });
    let started = 0;
    const one = () => new Promise((res, rej) => pool.dispatch(
      { path: '${PATH}', method: 'GET', headers: { accept: 'application/json' } },
      { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: res, onResponseError: (_c, e) => rej(e) }));
    const worker = async () => { while (started < ${amount}) { started++; await one(); } };
    const t0 = performance.now();
    Promise.all(Array.from({ length: ${C} }, worker)).then(() => {
      process.stdout.write(String(${amount} / ((performance.now() - t0) / 1000)));
      return pool.close();
    });`;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? res({ rps: Number(out) }) : rej(new Error(`undici floor exited ${code}`))));
  });
}

async function reprise(cfg) {
  const r = await runCli(['run', '--config', cfg, '--json', '--quiet']);
  const m = r.summary.metrics;
  return { rps: m.throughput, sent: m.sent, passed: m.passed };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round = (x, d = 0) => Number(x.toFixed(d));

const result = { machine: { cpus: cpus().length, node: process.version, loadavg_1m: round(loadavg()[0], 2) }, cli, concurrency: C };
const { child: server, port } = await startServer();
try {
  // (a) throughput, validation on, against autocannon at the same concurrency.
  const store = join(work, 'small.jsonl');
  await writeStore(store, N, Math.max(C * 20, 100));
  const warmStore = join(work, 'warm.jsonl');
  await writeStore(warmStore, Math.min(5000, N), Math.max(C * 20, 100));
  const cfg = writeConfig(work, 'small', port, store);
  // warm-up: the server's JIT and both clients' connections (each run starts its own process anyway)
  await autocannon(port, 1);
  await reprise(writeConfig(work, 'warm', port, warmStore));
  const rounds = [];
  for (let i = 0; i < REPS; i++) {
    let ac;
    let rp;
    if (i % 2 === 0) {
      ac = await autocannon(port, AC_SECONDS);
      rp = await reprise(cfg);
    } else {
      rp = await reprise(cfg);
      ac = await autocannon(port, AC_SECONDS);
    }
    const floor = await undiciFloor(port, N);
    if (rp.sent !== N || rp.passed !== N) throw new Error(`reprise sent ${rp.sent}, passed ${rp.passed} of ${N}`);
    rounds.push({ reprise_rps: round(rp.rps), autocannon_rps: round(ac.rps), undici_floor_rps: round(floor.rps), ratio: round(rp.rps / ac.rps, 3) });
  }
  const rpMed = median(rounds.map((r) => r.reprise_rps));
  const acMed = median(rounds.map((r) => r.autocannon_rps));
  const floorMed = median(rounds.map((r) => r.undici_floor_rps));
  const ratio = rpMed / acMed;
  result.throughput = {
    requests: N,
    repetitions: REPS,
    reprise_rps: round(rpMed),
    autocannon_rps: round(acMed),
    ratio: round(ratio, 3),
    ratio_median_of_rounds: round(median(rounds.map((r) => r.ratio)), 3),
    target_ratio: 0.9,
    met: ratio >= 0.9,
    undici_floor_rps: round(floorMed),
    undici_floor_ratio: round(floorMed / acMed, 3),
    rounds,
  };
  // (b) peak RSS while replaying a 1,000,000-pair store.
  if (BIG > 0) {
    const big = join(work, 'big.jsonl');
    await writeStore(big, BIG, 1000);
    const cfg2 = writeConfig(work, 'big', port, big);
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
      replay_s: Math.round(r2.summary.metrics.duration_ms / 1000),
      rps: Math.round(r2.summary.metrics.throughput),
    };
  }
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}

// (c) Mock servers (issue 3): Reprise vs WireMock vs mockttp vs a plain node:http ceiling, in one run, with
// the same load client in a separate process (scripts/bench-mocks.mjs). BENCH_MOCKS=0 skips it.
if (process.env.BENCH_MOCKS !== '0') {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bench-mocks.mjs')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    result.mocks = JSON.parse(r.stdout);
  } catch {
    result.mocks = { error: `bench-mocks exited ${r.status}`, output: String(r.stdout).slice(-2000) };
  }
}
console.log(JSON.stringify(result, null, 2));
