// Acceptance (issue: recording): record a real session of the example orders service through the proxies —
// clients through the inbound proxy, the service's payment-API calls through the outbound proxy (HTTP_PROXY)
// — then replay that recording with its own mocks against a fresh service and get every gate green.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startRecorder } from '../../../src/engine/record/index.js';
import { defaultContext } from '../../../src/engine/context.js';
import { loadConfig } from '../../../src/engine/config/index.js';
import { runReplay } from '../../../src/engine/run/index.js';
import { headerValue, type Pair } from '../../../src/engine/store/model.js';
import { EXAMPLE_DIR, SERVER_SCRIPT, PAYMENT_API_SCRIPT, SESSIONS, runScenario, startProcess } from '../../../examples/orders/harness.mjs';
import { tmpDir, readStore } from './helpers.js';
import { freePort } from '../cli/helpers.js';

test('a session recorded through the proxies against the example service replays green with its own mocks', async () => {
  const dir = await tmpDir('reprise-record-orders-');
  const trafficDir = path.join(dir, 'traffic');
  const ctx = defaultContext();

  // ---- record ----------------------------------------------------------------------------------------
  const payments = await startProcess(PAYMENT_API_SCRIPT, {});
  let exchanges;
  try {
    const appPort = await freePort();
    const rec = await startRecorder({
      appUrl: `http://127.0.0.1:${appPort}`,
      inPort: 0,
      outPort: 0,
      out: trafficDir,
      ctx,
      serviceName: (_host, url) => (new URL(url).port === String(payments.port) ? 'payment-api' : undefined),
    });
    try {
      const service = await startProcess(SERVER_SCRIPT, { PORT: String(appPort), PAYMENT_API_URL: payments.url, HTTP_PROXY: rec.outProxyUrl, NO_PROXY: '' });
      try {
        exchanges = await runScenario(rec.inUrl, { timeScale: 20 });
      } finally {
        await service.stop();
      }
    } finally {
      await rec.stop();
    }
  } finally {
    await payments.stop();
  }

  const inbound = await readStore(path.join(trafficDir, 'inbound.jsonl'));
  const outbound = await readStore(path.join(trafficDir, 'payment-api', 'outbound.jsonl'));
  assert.deepEqual((await fsp.readdir(trafficDir)).sort(), ['inbound.jsonl', 'payment-api']);

  // Every exchange the clients made is recorded once, with what the clients got back.
  assert.equal(inbound.length, exchanges.length);
  assert.equal(inbound.length, SESSIONS.reduce((n, s) => n + s.steps.length, 0));
  const key = (method: string, url: string, status: number, body?: string) => `${method} ${url} ${status} ${body ?? ''}`;
  assert.deepEqual(
    inbound.map((p) => key(p.request.method, p.request.url, p.response!.status, p.response!.body)).sort(),
    exchanges.map((x) => key(x.request.method, x.request.url, x.response.status, x.response.body)).sort(),
  );

  // Sessions inferred from the client connections: one per scripted session, each in script order.
  const bySession = new Map<string, Pair[]>();
  for (const p of inbound) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
  assert.equal(bySession.size, SESSIONS.length);
  const scripted = new Map<string, string[]>();
  for (const x of exchanges) scripted.set(x.session, [...(scripted.get(x.session) ?? []), `${x.request.method} ${x.request.url}`]);
  const recordedSeqs = [...bySession.values()].map((ps) => {
    assert.deepEqual(ps.map((p) => p.seq), ps.map((_, i) => i), 'seq 0..n-1 in store order');
    return ps.map((p) => `${p.request.method} ${p.request.url}`).join('\n');
  });
  assert.deepEqual(recordedSeqs.sort(), [...scripted.values()].map((s) => s.join('\n')).sort());

  // Outbound: every payment-API call, each linked to the POST /orders it served (or to candidates including it).
  assert.equal(outbound.length, 16, 'as in the committed recording: 8 customer lookups and 8 charges');
  const userOfSession = new Map<string, string>();
  for (const [s, ps] of bySession) {
    const login = ps.find((p) => p.request.url === '/login');
    if (login) userOfSession.set(s, JSON.parse(login.request.body!).user);
  }
  const byId = new Map(inbound.map((p) => [p.id, p]));
  let linked = 0;
  for (const p of outbound) {
    assert.equal(p.service, 'payment-api');
    assert.match(p.request.url, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v1/`));
    assert.ok(p.response && p.response.status > 0);
    const customer = /cus_(\w+)/.exec(p.request.url + (p.request.body ?? ''))![1];
    const serves = (id: string) => {
      const q = byId.get(id);
      return !!q && q.request.method === 'POST' && q.request.url === '/orders' && userOfSession.get(q.session) === customer;
    };
    if (p.meta?.inboundId !== undefined) {
      linked++;
      assert.ok(serves(p.meta.inboundId as string), `${p.id} linked to the order request of ${customer}`);
      assert.equal(p.session, byId.get(p.meta.inboundId as string)!.session);
    } else {
      const c = p.meta?.inboundCandidates as string[];
      assert.ok(Array.isArray(c) && c.some(serves), `${p.id}: candidates include the order request of ${customer}`);
    }
    if (p.request.method === 'POST') assert.match(headerValue(p.request.headers, 'idempotency-key') ?? '', /^ord_/);
  }
  ctx.logger.info(`${linked} of ${outbound.length} outbound calls linked to exactly one inbound request`);

  // ---- replay the recording with its own mocks ----------------------------------------------------------
  const example = parseYaml(await fsp.readFile(path.join(EXAMPLE_DIR, 'reprise.yaml'), 'utf8'));
  const mockPort = await freePort();
  const service = await startProcess(SERVER_SCRIPT, { PAYMENT_API_URL: `http://127.0.0.1:${mockPort}`, HTTP_PROXY: '', NO_PROXY: '' });
  try {
    const cfg = {
      ...example,
      // The test starts the service itself; the example's `sut:` block would start another one.
      sut: undefined,
      target: service.url,
      traffic: ['./traffic/inbound.jsonl'],
      mocks: [{ ...example.mocks[0], port: mockPort, traffic: './traffic/payment-api/' }],
    };
    const file = path.join(dir, 'reprise.yaml');
    await fsp.writeFile(file, stringifyYaml(cfg));
    const { config, issues } = await loadConfig(file);
    assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
    const outcome = await runReplay({ config: config!, ctx });
    const s = outcome.summary;
    const failed = s.gates.filter((g) => !g.pass).map((g) => `${g.name} ${g.expression}: measured ${g.measured}${g.note ? ` (${g.note})` : ''}`);
    assert.deepEqual(failed, [], `every gate green (run folder ${outcome.runDir})`);
    assert.equal(outcome.exitCode, 0);
    assert.equal(s.verdict, 'pass');
    assert.equal(s.metrics.sent, inbound.length);
    assert.ok(s.gates.length >= 4);
    const mock = s.mocks.find((m) => m.service === 'payment-api')!;
    assert.equal(mock.calls, outbound.length, 'the replayed service made the recorded calls');
    assert.equal(mock.unmatched, 0);
  } finally {
    await service.stop();
  }
  await fsp.rm(dir, { recursive: true, force: true });
});
