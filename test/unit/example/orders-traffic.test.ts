// The example's committed traffic (examples/orders/traffic): valid Pair lines, and consistent with what the
// service does today — its outbound calls all have an identical recorded twin (so mocks match them), and a
// minimal replay with the capture/ignore settings of examples/orders/reprise.yaml passes for the correct
// service and fails only on `total` fields for ORDERS_REGRESSION=total.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { PairSchema, splitUrl, headerValue, type Pair } from '../../../src/engine/store/model.js';
import {
  EXAMPLE_DIR,
  SERVER_SCRIPT,
  PAYMENT_API_SCRIPT,
  runScenario,
  readPaymentLog,
  startProcess,
} from '../../../examples/orders/harness.mjs';

const INBOUND = path.join(EXAMPLE_DIR, 'traffic', 'inbound.jsonl');
const OUTBOUND = path.join(EXAMPLE_DIR, 'traffic', 'payment-api', 'outbound.jsonl');

async function readPairs(file: string): Promise<Pair[]> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  assert.equal(lines.pop(), '', `${file} ends with a newline`);
  return lines.map((line, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      assert.fail(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    const r = PairSchema.safeParse(raw);
    assert.ok(r.success, `${file}:${i + 1}: ${r.success ? '' : r.error.message}`);
    return r.data;
  });
}

const callKey = (method: string, url: string, body: string | undefined) => `${method.toUpperCase()} ${splitUrl(url).path} ${body ?? ''}`;

describe('committed traffic', () => {
  test('every line is a valid Pair with the fields the example promises', async () => {
    const inbound = await readPairs(INBOUND);
    const outbound = await readPairs(OUTBOUND);
    assert.ok(inbound.length >= 40 && inbound.length <= 80, `${inbound.length} inbound pairs`);
    const ids = new Set([...inbound, ...outbound].map((p) => p.id));
    assert.equal(ids.size, inbound.length + outbound.length, 'pair ids are unique');

    for (const p of inbound) {
      assert.equal(p.direction, 'in', p.id);
      assert.equal(p.service, undefined, p.id);
      assert.match(p.request.url, /^\/[^/]/, `${p.id}: origin-form url`);
      assert.ok(p.response, `${p.id}: has a response`);
      assert.ok(!Number.isNaN(Date.parse(p.ts)), `${p.id}: ISO ts`);
      assert.ok(typeof p.duration === 'number', `${p.id}: duration`);
      for (const h of [...Object.keys(p.request.headers), ...Object.keys(p.response!.headers)]) {
        assert.equal(h, h.toLowerCase(), `${p.id}: lower-case header ${h}`);
      }
    }
    for (const p of outbound) {
      assert.equal(p.direction, 'out', p.id);
      assert.equal(p.service, 'payment-api', p.id);
      assert.match(p.request.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\//, `${p.id}: absolute url`);
      assert.ok(p.response, `${p.id}: has a response`);
    }

    // Sessions: 4–6, each with seq 0..n-1 in time order.
    const bySession = new Map<string, Pair[]>();
    for (const p of inbound) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
    assert.ok(bySession.size >= 4 && bySession.size <= 6, `${bySession.size} sessions`);
    for (const [s, pairs] of bySession) {
      assert.deepEqual(pairs.map((p) => p.seq), pairs.map((_, i) => i), `${s}: seq in order`);
      const ts = pairs.map((p) => Date.parse(p.ts));
      assert.deepEqual([...ts].sort((a, b) => a - b), ts, `${s}: ts ascending`);
    }
    // Each created order is read back later in its session.
    for (const p of inbound.filter((x) => x.request.method === 'POST' && x.request.url === '/orders' && x.response?.status === 201)) {
      const id = JSON.parse(p.response!.body!).id;
      assert.ok(
        bySession.get(p.session)!.some((q) => q.seq > p.seq && q.request.url === `/orders/${id}`),
        `${p.id}: order ${id} is read back`,
      );
    }
    // Every charge carries the order id in Idempotency-Key and nothing per-run in the body.
    for (const p of outbound.filter((x) => x.request.method === 'POST')) {
      assert.match(headerValue(p.request.headers, 'idempotency-key') ?? '', /^ord_[0-9a-f]{12}$/, p.id);
      assert.deepEqual(Object.keys(JSON.parse(p.request.body!)).sort(), ['amount', 'currency', 'customer'], p.id);
    }
  });

  test('every outbound call of a fresh scripted run has an identical (method, path, body) in outbound.jsonl', async () => {
    const recorded = (await readPairs(OUTBOUND)).map((p) => callKey(p.request.method, p.request.url, p.request.body));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orders-outbound-'));
    const log = path.join(dir, 'payments.jsonl');
    const payments = await startProcess(PAYMENT_API_SCRIPT, { PAYMENT_API_LOG: log });
    try {
      const service = await startProcess(SERVER_SCRIPT, { PAYMENT_API_URL: payments.url });
      try {
        await runScenario(service.url, { timeScale: 50 });
      } finally {
        await service.stop();
      }
    } finally {
      await payments.stop();
    }
    const live = readPaymentLog(log).map((e) => callKey(e.request.method, e.request.url, e.request.body));
    await fs.rm(dir, { recursive: true, force: true });
    assert.ok(live.length > 0);
    const missing = live.filter((k) => !recorded.includes(k));
    assert.deepEqual(missing, [], 'live calls without a recorded twin');
    assert.deepEqual([...live].sort(), [...recorded].sort(), 'the same calls, as often');
  });
});

// ---------------------------------------------------------------------------------------------------------
// A deliberately small replay: enough of Reprise's semantics (captures, ignores, exact-body mocks) to prove
// the example's traffic and reprise.yaml fit together. The real engine lives in src/engine.

interface MiniConfig {
  capture: Record<string, string>;
  ignore: string[];
  headers: string[];
}

async function loadConfig(): Promise<MiniConfig> {
  const y = parseYaml(await fs.readFile(path.join(EXAMPLE_DIR, 'reprise.yaml'), 'utf8'));
  return { capture: y.replay.capture, ignore: y.validate.ignore, headers: y.validate.headers };
}

/** Serves recorded payment-api responses for identical (method, path, body); counts what it could not. */
async function startMiniMock(pairs: Pair[]) {
  const queues = new Map<string, Pair[]>();
  for (const p of pairs) {
    const key = callKey(p.request.method, p.request.url, p.request.body);
    queues.set(key, [...(queues.get(key) ?? []), p]);
  }
  const unmatched: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = callKey(req.method!, req.url!, body || undefined);
      const q = queues.get(key);
      if (!q) {
        unmatched.push(key);
        res.writeHead(599).end();
        return;
      }
      const p = q.length > 1 ? q.shift()! : q[0];
      res.writeHead(p.response!.status, { 'content-type': String(headerValue(p.response!.headers, 'content-type')) });
      res.end(p.response!.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    unmatched,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

function topLevel(json: string | undefined, jsonPath: string): unknown {
  const m = /^\$\.([A-Za-z_][\w]*)$/.exec(jsonPath);
  assert.ok(m, `mini replay handles only $.<field> captures, got ${jsonPath}`);
  try {
    const v = json ? JSON.parse(json) : undefined;
    return v && typeof v === 'object' && !Array.isArray(v) ? v[m[1]] : undefined;
  } catch {
    return undefined;
  }
}

/** Leaf differences between two JSON values, as JSONPaths; `[n]` also matches `[*]` in ignores. */
function diffJson(a: unknown, b: unknown, at: string, ignore: Set<string>, out: string[]) {
  if (ignore.has(at) || ignore.has(at.replace(/\[\d+\]/g, '[*]'))) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map((i) => [i, `${at}[${i}]`] as const)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, `${at}.${k}`] as const);
    for (const [k, p] of keys) diffJson((a as any)[k], (b as any)[k], p, ignore, out);
    return;
  }
  if (!isDeepStrictEqual(a, b)) out.push(at);
}

async function miniReplay(regression: string) {
  const cfg = await loadConfig();
  const inbound = await readPairs(INBOUND);
  const mock = await startMiniMock(await readPairs(OUTBOUND));
  const service = await startProcess(SERVER_SCRIPT, { PAYMENT_API_URL: mock.url, ORDERS_REGRESSION: regression });
  const ignore = new Set(cfg.ignore);
  const failures: { pair: string; status?: [number, number]; paths: string[] }[] = [];
  try {
    const sessions = new Map<string, Pair[]>();
    for (const p of inbound) sessions.set(p.session, [...(sessions.get(p.session) ?? []), p]);
    for (const pairs of sessions.values()) {
      // capture name → [recorded value, live value]; the latest pair wins, as in the replay engine.
      const values = new Map<string, [string, string]>();
      for (const p of pairs) {
        const swap = (s: string) => [...values.values()].reduce((acc, [rec, live]) => acc.split(rec).join(live), s);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(p.request.headers)) {
          if (!['host', 'connection', 'content-length'].includes(k)) headers[k] = swap(Array.isArray(v) ? v.join(', ') : v);
        }
        const r = await request(service.url + swap(p.request.url), {
          method: p.request.method as 'GET' | 'POST',
          headers,
          body: p.request.body === undefined ? undefined : swap(p.request.body),
        });
        const body = await r.body.text();
        for (const [name, jp] of Object.entries(cfg.capture)) {
          const rec = topLevel(p.response!.body, jp);
          const live = topLevel(body, jp);
          if (typeof rec === 'string' && typeof live === 'string' && rec !== live) values.set(name, [rec, live]);
        }
        const paths: string[] = [];
        for (const h of cfg.headers) {
          if (headerValue(p.response!.headers, h) !== String(r.headers[h])) paths.push(`header.${h}`);
        }
        if (p.response!.body) diffJson(JSON.parse(p.response!.body), body ? JSON.parse(body) : undefined, '$', ignore, paths);
        if (r.statusCode !== p.response!.status || paths.length) {
          failures.push({ pair: `${p.id} ${p.request.method} ${p.request.url}`, status: [p.response!.status, r.statusCode], paths });
        }
      }
    }
  } finally {
    await service.stop();
    await mock.close();
  }
  return { failures, unmatched: mock.unmatched, total: inbound.length };
}

describe('replaying the committed traffic with reprise.yaml settings', () => {
  test('the correct service matches every recorded response and every mock call', async () => {
    const { failures, unmatched } = await miniReplay('');
    assert.deepEqual(unmatched, []);
    assert.deepEqual(failures, []);
  });

  test('ORDERS_REGRESSION=total fails only on total fields, with every status and mock call still matching', async () => {
    const { failures, unmatched, total } = await miniReplay('total');
    assert.deepEqual(unmatched, []);
    assert.ok(failures.length >= 10 && failures.length < total, `${failures.length} failing pairs`);
    for (const f of failures) {
      assert.equal(f.status![0], f.status![1], `${f.pair}: status unchanged`);
      for (const p of f.paths) assert.match(p, /^\$(\.orders\[\d+\])?\.total$/, `${f.pair}: ${p}`);
    }
    assert.ok(failures.some((f) => f.paths.includes('$.total')));
  });
});
