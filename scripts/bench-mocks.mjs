// Mock server throughput, side by side in one run. Run: node --import tsx scripts/bench-mocks.mjs
// (npm run bench runs it too and puts its JSON under "mocks").
//
// Servers, all with the same stubs — N exact paths `GET /api/items/<i>` with distinct bodies, N = 10, 1,000,
// 10,000 — hit on the LAST stub (worst case for a linear scan):
//   reprise   Reprise's MockServer (in this process, which otherwise only waits)
//   wiremock  WireMock standalone (the jar of the npm package `wiremock`; request journal and logging off)
//   mockttp   mockttp in a child process (recordTraffic false)
//   ceiling   a plain node http.createServer answering a fixed body
// The load client is autocannon in a separate process, the same for every server: a warm-up pass, then the
// measured pass. Non-indexable stubs (regex paths, body matchers) are measured as the extra time per request
// they cost, per stub, both over HTTP and in-process (StubIndex.find on a MockRequest).
// Figures are printed, not asserted (shared, noisy machine): ratios measured side by side are what count.
//
// Env: BENCH_DURATION seconds per measured pass (default 5), BENCH_WARMUP seconds (default 2),
//      BENCH_CONNECTIONS (default 20), BENCH_MOCK_SIZES (default 10,1000,10000),
//      BENCH_SKIP (comma list of wiremock,mockttp to leave out).
import http from 'node:http';
import os, { homedir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { MockServer, MockRequest, StubIndex, compileStubs } from '../src/engine/mocks/index.ts';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const autocannonBin = require.resolve('autocannon/autocannon.js');
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SIZES = (process.env.BENCH_MOCK_SIZES ?? '10,1000,10000').split(',').map(Number);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const body = (i) => `{"id":${i},"name":"item ${i}","price":9.5}`;
const log = (m) => process.stderr.write(`[bench-mocks] ${m}\n`);

function cannon(url, seconds, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [autocannonBin, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), ...extra, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out);
      resolve({
        rps: Math.round(r.requests.total / r.duration),
        p50ms: r.latency.p50,
        p99ms: r.latency.p99,
        total: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
      });
    });
  });
}

/** Warm-up pass, then the measured one; the body of one answer is checked first. */
async function measure(name, url, expectBody, extra = [], check = true) {
  if (check) {
    const got = await new Promise((resolve, reject) => {
      const opts = extra.includes('-m') ? { method: extra[extra.indexOf('-m') + 1], headers: { 'content-type': 'application/json' } } : {};
      const req = http.request(url, opts, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode, b }));
      });
      req.on('error', reject);
      if (extra.includes('-b')) req.write(extra[extra.indexOf('-b') + 1]);
      req.end();
    });
    if (got.status !== 200 || got.b !== expectBody) throw new Error(`${name}: ${url} answered ${got.status} ${got.b.slice(0, 100)}, expected ${expectBody}`);
  }
  if (WARMUP > 0) await cannon(url, WARMUP, extra);
  const r = await cannon(url, DURATION, extra);
  log(`${name}: ${r.rps} req/s, p99 ${r.p99ms} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`);
  return r;
}

const config = (service) => ({ service, port: 0, host: '127.0.0.1', traffic: [], stubs: '', unmatched: { status: 501 }, sequence: 'stay', timing: 'none', ignore: [] });

function itemStubs(n) {
  const stubs = [];
  for (let i = 0; i < n; i++) {
    stubs.push({ id: `item-${i}`, request: { method: 'GET', path: `/api/items/${i}` }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: body(i) } });
  }
  return stubs;
}

async function withReprise(stubs, fn) {
  const s = new MockServer(config('bench'), stubs);
  await s.start();
  try {
    return await fn(s.url, s);
  } finally {
    await s.stop();
  }
}

// ------------------------------------------------------------------ servers

async function ceiling() {
  const fixed = Buffer.from(body(0));
  const s = http.createServer({ keepAlive: true }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': fixed.length });
    res.end(fixed);
  });
  s.keepAliveTimeout = 30000;
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  try {
    return await measure('ceiling (plain node)', `http://127.0.0.1:${s.address().port}/api/items/0`, body(0));
  } finally {
    await new Promise((r) => s.close(r));
  }
}

function wiremockJar() {
  const dir = join(root, 'node_modules', 'wiremock', 'build');
  if (!existsSync(dir)) return undefined;
  const jar = readdirSync(dir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  return jar ? join(dir, jar) : undefined;
}

async function startWireMock() {
  const java = spawnSync('java', ['-version']);
  if (java.error || java.status !== 0) return { skipped: 'java not found' };
  const jar = wiremockJar();
  if (!jar) return { skipped: 'WireMock jar not found (npm i -D wiremock)' };
  const dir = mkdtempSync(join(os.tmpdir(), 'reprise-bench-wm-'));
  mkdirSync(join(dir, 'mappings'));
  const child = spawn('java', ['-jar', jar, '--port', '0', '--bind-address', '127.0.0.1', '--root-dir', dir, '--no-request-journal', '--disable-request-logging', '--disable-banner'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const on = (d) => {
      out += d;
      const m = /^port:\s+(\d+)/m.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (c) => reject(new Error(`WireMock exited ${c}: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const admin = async (method, path, payload) => {
    const r = await fetch(url + path, { method, body: payload ? JSON.stringify(payload) : undefined, headers: payload ? { 'content-type': 'application/json' } : {} });
    if (r.status >= 300) throw new Error(`WireMock ${method} ${path}: ${r.status} ${await r.text()}`);
    await r.text();
  };
  return {
    url,
    version: /wiremock-standalone-(.*)\.jar$/.exec(jar)[1],
    async load(n) {
      await admin('DELETE', '/__admin/mappings');
      const mappings = [];
      for (let i = 0; i < n; i++) mappings.push({ request: { method: 'GET', url: `/api/items/${i}` }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: body(i) } });
      await admin('POST', '/__admin/mappings/import', { mappings });
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// mockttp is a benchmark comparator only. It is not a devDependency: its optional dependency
// tls-impersonate@^0.2.1 is not on the registry, which makes `npm ci` refuse the lock file. It is installed
// on first use into the tool folder (outside the clone), where `npm install` tolerates the missing optional.
const MOCKTTP_VERSION = '4.6.5';
function mockttpDir() {
  const tools = process.env.REPRISE_TOOLS || join(homedir(), '.cache', 'reprise-tools');
  const dir = join(tools, `bench-mockttp-${MOCKTTP_VERSION}`);
  if (!existsSync(join(dir, 'node_modules', 'mockttp', 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `mockttp@${MOCKTTP_VERSION}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) return undefined;
  }
  return dir;
}

async function startMockttp() {
  const mdir = mockttpDir();
  if (!mdir) return { skipped: `mockttp@${MOCKTTP_VERSION} could not be installed into the tool folder` };
  // A child process that serves the rules it is told to on stdin ("load <n>"), answering "ready <port>".
  // (Given explicit headers, mockttp sends no content-length by itself: without one the body would end only
  // when the connection closes, and a keep-alive client would wait forever.)
  const src = `
    const { getLocal } = require('mockttp');
    const body = ${body.toString()};
    const server = getLocal({ recordTraffic: false, cors: false, http2: false });
    let ready = server.start().then(() => process.stdout.write('port ' + server.port + '\\n'));
    let buf = '';
    process.stdin.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        const n = Number(line.split(' ')[1]);
        ready = ready.then(async () => {
          await server.reset();
          for (let k = 0; k < n; k++) await server.forGet('/api/items/' + k).thenReply(200, body(k), { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body(k))) });
          process.stdout.write('loaded ' + n + '\\n');
        });
      }
    });`;
  const child = spawn(process.execPath, ['-e', src], { cwd: mdir, env: { ...process.env, NODE_PATH: join(mdir, 'node_modules') }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waitFor = (re) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) {
          child.stdout.off('data', on);
          out = out.slice(m.index + m[0].length);
          resolve(m);
        }
      };
      const on = (d) => {
        out += d;
        check();
      };
      child.stdout.on('data', on);
      child.once('exit', (c) => reject(new Error(`mockttp child exited ${c}`)));
      check();
    });
  const port = Number((await waitFor(/port (\d+)\n/))[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    version: JSON.parse(readFileSync(join(mdir, 'node_modules', 'mockttp', 'package.json'), 'utf8')).version,
    async load(n) {
      child.stdin.write(`load ${n}\n`);
      await waitFor(/loaded \d+\n/);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

// ------------------------------------------------------------------ non-indexable stubs

function regexStubs(n) {
  // must scan past the digits before failing: a fair cost for a path regex
  return Array.from({ length: n }, (_, i) => ({ id: `rx-${i}`, request: { method: 'GET', pathRegex: `/api/items/[0-9]+/v${i}` }, response: { status: 200, body: 'x' } }));
}

function bodyStubs(n) {
  return Array.from({ length: n }, (_, i) => ({ id: `body-${i}`, request: { method: 'POST', path: '/api/search', body: { equalToJson: { q: `term-${i}`, page: 1 } } }, response: { status: 200, body: body(i) } }));
}

/**
 * In-process: ns per StubIndex.find (with a fresh MockRequest, as the server does). `url` may be a function of
 * the iteration (distinct paths: nothing remembered from earlier requests helps).
 */
function findNs(stubs, method, url, reqBody, iterations) {
  const index = new StubIndex(compileStubs(stubs, 'stay'));
  const states = new Map();
  const buf = Buffer.from(reqBody ?? '');
  const headers = reqBody ? { 'content-type': 'application/json', 'content-length': String(buf.length) } : {};
  const run = (n) => {
    let hit = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (index.find(new MockRequest(method, typeof url === 'function' ? url(i) : url, headers, buf), states)) hit++;
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (hit !== n) throw new Error(`find missed: ${method} ${typeof url === 'function' ? url(0) : url}`);
    return ns;
  };
  run(Math.max(50, iterations / 10)); // warm-up
  return Math.min(run(iterations), run(iterations));
}

async function nonIndexable(baseline) {
  const N = 1000;
  const out = { stubs: N };
  // regex paths that do not match, plus the exact-path stub that answers
  const rx = [...regexStubs(N), ...itemStubs(1).map((s) => ({ ...s, request: { method: 'GET', path: '/api/items/999999' } })), { id: 'tmpl', request: { method: 'GET', pathTemplate: '/api/items/{id}' }, response: { status: 200, body: 'x' } }];
  const q = JSON.stringify({ page: 1, q: 'term-last' });
  const bodies = [...bodyStubs(N), { id: 'hit', request: { method: 'POST', path: '/api/search', body: { equalToJson: { q: 'term-last', page: 1 } } }, response: { status: 200, body: body(7) } }];
  const oneBody = bodies.slice(-1);

  const base = findNs(itemStubs(10), 'GET', '/api/items/9', undefined, 200_000);
  const rxNs = findNs(rx, 'GET', '/api/items/999999', undefined, 20_000);
  // every request a new path: the regexes run each time (the template stub answers)
  let k = 1_000_000;
  const fresh = () => `/api/items/${k++}`;
  const coldBase = findNs(itemStubs(10).concat(rx.slice(-1)), 'GET', fresh, undefined, 20_000);
  const coldNs = findNs(rx, 'GET', fresh, undefined, 4_000);
  const bodyBase = findNs(oneBody, 'POST', '/api/search', q, 100_000);
  const bodyNs = findNs(bodies, 'POST', '/api/search', q, 4_000);
  out.inProcess = {
    regexPath: { baseNsPerRequest: Math.round(base), nsPerRequest: Math.round(rxNs), usPerStub: +((rxNs - base) / N / 1000).toFixed(4) },
    regexPathDistinctPaths: { baseNsPerRequest: Math.round(coldBase), nsPerRequest: Math.round(coldNs), usPerStub: +((coldNs - coldBase) / N / 1000).toFixed(4) },
    bodyMatcher: { baseNsPerRequest: Math.round(bodyBase), nsPerRequest: Math.round(bodyNs), usPerStub: +((bodyNs - bodyBase) / N / 1000).toFixed(4) },
  };
  const perStubUs = (rps, baseRps) => +(((1e6 / rps - 1e6 / baseRps) / N)).toFixed(4);
  const httpRx = await withReprise(rx, (url) => measure(`reprise ${N} regex-path stubs + hit`, `${url}/api/items/999999`, body(0)));
  const httpBodyBase = await withReprise(oneBody, (url) => measure('reprise 1 body stub', `${url}/api/search`, body(7), ['-m', 'POST', '-H', 'content-type=application/json', '-b', q]));
  const httpBody = await withReprise(bodies, (url) => measure(`reprise ${N} body-matcher stubs + hit`, `${url}/api/search`, body(7), ['-m', 'POST', '-H', 'content-type=application/json', '-b', q]));
  out.http = {
    regexPath: { rps: httpRx.rps, baseRps: baseline.rps, usPerStub: perStubUs(httpRx.rps, baseline.rps) },
    bodyMatcher: { rps: httpBody.rps, baseRps: httpBodyBase.rps, usPerStub: perStubUs(httpBody.rps, httpBodyBase.rps) },
  };
  return out;
}

// ------------------------------------------------------------------ run

const result = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) },
  settings: { durationSec: DURATION, warmupSec: WARMUP, connections: CONNECTIONS, sizes: SIZES, hit: 'last stub' },
  ceiling: await ceiling(),
  reprise: {},
  wiremock: {},
  mockttp: {},
};

for (const n of SIZES) {
  const t0 = performance.now();
  result.reprise[n] = await withReprise(itemStubs(n), async (url) => {
    const loadMs = Math.round(performance.now() - t0);
    return { loadMs, ...(await measure(`reprise ${n}`, `${url}/api/items/${n - 1}`, body(n - 1))) };
  });
}

for (const [name, start] of [
  ['wiremock', startWireMock],
  ['mockttp', startMockttp],
]) {
  if (SKIP.has(name)) {
    result[name] = { skipped: 'BENCH_SKIP' };
    continue;
  }
  let srv;
  try {
    srv = await start();
    if (srv.skipped) {
      log(`${name}: skipped (${srv.skipped})`);
      result[name] = { skipped: srv.skipped };
      continue;
    }
    result[name].version = srv.version;
    for (const n of SIZES) {
      const t0 = performance.now();
      await srv.load(n);
      const loadMs = Math.round(performance.now() - t0);
      result[name][n] = { loadMs, ...(await measure(`${name} ${n}`, `${srv.url}/api/items/${n - 1}`, body(n - 1))) };
    }
  } catch (e) {
    log(`${name}: failed: ${e.message}`);
    result[name] = { ...result[name], error: e.message };
  } finally {
    await srv?.stop?.();
  }
}

const small = result.reprise[SIZES[0]];
result.nonIndexable = await nonIndexable(small);

// ------------------------------------------------------------------ targets

const r = (a, b) => (a && b ? +(a / b).toFixed(2) : null);
const at = SIZES.includes(1000) ? 1000 : SIZES[Math.floor(SIZES.length / 2)];
const big = SIZES[SIZES.length - 1];
const targets = [];
const target = (name, value, cmp, goal) => targets.push({ name, value, goal: `${cmp} ${goal}`, met: value === null ? null : cmp === '>=' ? value >= goal : value <= goal });
target(`reprise/wiremock rps at ${at} stubs`, r(result.reprise[at]?.rps, result.wiremock[at]?.rps), '>=', 10);
target(`reprise/mockttp rps at ${at} stubs`, r(result.reprise[at]?.rps, result.mockttp[at]?.rps), '>=', 10);
target(`reprise/plain-node rps at ${at} stubs`, r(result.reprise[at]?.rps, result.ceiling.rps), '>=', 0.4);
target(`reprise rps ${big} stubs / ${SIZES[0]} stubs`, r(result.reprise[big]?.rps, small?.rps), '>=', 0.9);
target(`reprise p99 ${big} stubs / ${SIZES[0]} stubs`, r(result.reprise[big]?.p99ms, small?.p99ms), '<=', 1.5);
target('µs per non-indexable regex-path stub (in-process)', result.nonIndexable.inProcess.regexPath.usPerStub, '<=', 0.1);
target('µs per non-indexable regex-path stub, every path new (in-process)', result.nonIndexable.inProcess.regexPathDistinctPaths.usPerStub, '<=', 0.1);
target('µs per non-indexable body-matcher stub (in-process)', result.nonIndexable.inProcess.bodyMatcher.usPerStub, '<=', 0.1);
target('µs per non-indexable regex-path stub (HTTP)', result.nonIndexable.http.regexPath.usPerStub, '<=', 0.1);
target('µs per non-indexable body-matcher stub (HTTP)', result.nonIndexable.http.bodyMatcher.usPerStub, '<=', 0.1);
result.targets = targets;
result.allMet = targets.every((t) => t.met !== false);
console.log(JSON.stringify(result, null, 2));
