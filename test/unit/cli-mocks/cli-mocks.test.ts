import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { cli, repoRoot } from '../cli/helpers.js';
import { runMockSession } from '../../../src/cli/commands/mock.js';
import { loadConfig } from '../../../src/engine/config/index.js';
import { defaultContext } from '../../../src/engine/context.js';
import { RunWriter } from '../../../src/engine/report/index.js';
import type { UnmatchedCall } from '../../../src/shared/results.js';

async function call(base: string, method: string, p: string, json?: unknown, headers: Record<string, string> = {}) {
  const r = await request(base + p, {
    method: method as 'GET',
    headers: json !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  return { status: r.statusCode, text: await r.body.text() };
}

function pair(id: string, method: string, url: string, status: number, body: string, reqBody?: unknown) {
  return JSON.stringify({
    id,
    session: 's1',
    seq: 0,
    ts: '2024-01-01T00:00:00.000Z',
    direction: 'out',
    service: 'payment-api',
    request: { method, url, headers: { 'content-type': 'application/json' }, ...(reqBody !== undefined ? { body: JSON.stringify(reqBody) } : {}) },
    response: { status, headers: { 'content-type': 'application/json', 'set-cookie': 'sid=secret' }, body },
  });
}

/** A project: recorded outbound traffic for payment-api, one hand-written stub, one WireMock mapping. */
async function project(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-cli-mocks-'));
  await fs.mkdir(path.join(dir, 'traffic'));
  await fs.writeFile(
    path.join(dir, 'traffic', 'out.jsonl'),
    [
      pair('o1', 'GET', 'http://pay.local/v1/customers/c1', 200, '{"id":"c1","tier":"gold"}'),
      pair('o2', 'POST', 'http://pay.local/v1/charges', 201, '{"id":"ch_1","status":"ok"}', { amount: 10, currency: 'EUR' }),
    ].join('\n') + '\n',
  );
  const stubs = path.join(dir, '.reprise', 'stubs', 'payment-api');
  await fs.mkdir(path.join(stubs, 'mappings'), { recursive: true });
  await fs.writeFile(path.join(stubs, 'health.json'), JSON.stringify({ id: 'health', request: { method: 'GET', path: '/health' }, response: { status: 200, body: 'up' } }, null, 2));
  await fs.writeFile(path.join(stubs, 'mappings', 'wm.json'), JSON.stringify({ request: { method: 'GET', url: '/v1/ping' }, response: { status: 200, body: 'pong' } }));
  await fs.writeFile(
    path.join(dir, 'reprise.yaml'),
    'target: http://127.0.0.1:9\ntraffic: [./traffic/out.jsonl]\nmocks:\n  - service: payment-api\n    port: 0\n    env: PAYMENT_API_URL\n',
  );
  return dir;
}

describe('reprise stubs list / export', () => {
  test('list counts stubs per origin; --json carries each stub; unknown service is a usage error', async () => {
    const dir = await project();
    const r = await cli(['stubs', 'list'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^payment-api: 4 stubs \(1 from files, 1 from WireMock mappings, 2 from traffic\)/);
    assert.match(r.out, /GET \/health {2}→ 200 \(2 B\) {2}file {2}health/);
    assert.match(r.out, /POST \/v1\/charges body≈\{"amount":10,"currency":"EUR"\} {2}→ 201/);
    const j = await cli(['stubs', 'list', '--json', '--service', 'payment-api'], dir);
    const data = JSON.parse(j.out);
    assert.deepEqual(data[0].counts, { total: 4, file: 1, wiremock: 1, traffic: 2 });
    assert.deepEqual(data[0].stubs.map((s: { origin: string }) => s.origin), ['file', 'wiremock', 'traffic', 'traffic']);
    const bad = await cli(['stubs', 'list', '--service', 'nope'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no mock named 'nope' \(known: payment-api\)/);
    assert.equal((await cli(['stubs', 'frob'], dir)).code, 2);
  });

  test('export writes WireMock mappings with secret headers redacted (unless --keep-secrets)', async () => {
    const dir = await project();
    const r = await cli(['stubs', 'export', '--service', 'payment-api', '--out', 'wm'], dir);
    assert.equal(r.code, 0, r.err);
    const file = path.join(dir, 'wm', 'mappings', 'payment-api.json');
    assert.match(r.out, /4 mappings written to .*payment-api\.json/);
    const { mappings } = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.equal(mappings.length, 4);
    const charge = mappings.find((m: { request: { method: string } }) => m.request.method === 'POST');
    assert.deepEqual(charge.request, { method: 'POST', url: '/v1/charges', bodyPatterns: [{ equalToJson: { amount: 10, currency: 'EUR' } }] });
    assert.equal(charge.response.headers['set-cookie'], '[redacted]');
    await cli(['stubs', 'export', '--service', 'payment-api', '--out', 'wm2', '--keep-secrets'], dir);
    const kept = JSON.parse(await fs.readFile(path.join(dir, 'wm2', 'mappings', 'payment-api.json'), 'utf8'));
    assert.equal(kept.mappings.find((m: { request: { method: string } }) => m.request.method === 'POST').response.headers['set-cookie'], 'sid=secret');
    const usage = await cli(['stubs', 'export', '--out', 'x'], dir);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /export needs one --service/);
  });
});

describe('reprise mock', () => {
  test('Ctrl-C stops the process cleanly and saves the unmatched calls; each call is logged', { timeout: 30_000 }, async () => {
    const dir = await project();
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, path.join(repoRoot, 'src/cli/main.ts'), 'mock', '--no-color'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /PAYMENT_API_URL=(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m && out.includes('start the service with')) resolve(m[1]);
        });
        child.once('exit', () => reject(new Error(`mock exited early: ${out}\n${err}`)));
      });
      assert.match(out, /payment-api {2}http:\/\/127\.0\.0\.1:\d+ {2}4 stubs {2}PAYMENT_API_URL=http/);
      assert.equal((await call(url, 'GET', '/v1/customers/c1')).text, '{"id":"c1","tier":"gold"}');
      const miss = await call(url, 'POST', '/v1/charges', { amount: 12, currency: 'EUR' }, { authorization: 'Bearer sekrit' });
      assert.equal(miss.status, 501);
      child.kill('SIGINT');
      assert.equal(await exited, 0, err);
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(out, /matched payment-api GET \/v1\/customers\/c1 → 200 payment-api:o1/);
    assert.match(out, /MISSED {2}payment-api POST \/v1\/charges → 501 call [0-9a-f-]{36}\n {4}nearest payment-api:o2: POST \/v1\/charges .* — \$\.amount is 12, expected 10/);
    assert.match(out, /stopped\. 2 calls, 1 matched, 1 missed/);
    const saved = /unmatched calls saved to (.*unmatched\.jsonl)\n/.exec(out);
    assert.ok(saved, out);
    assert.ok(saved[1].startsWith(path.join(dir, '.reprise', 'mock-sessions') + path.sep));
    const lines = (await fs.readFile(saved[1], 'utf8')).trim().split('\n');
    assert.equal(lines.length, 1);
    const c = JSON.parse(lines[0]) as UnmatchedCall;
    assert.equal(c.request.url, '/v1/charges');
    assert.equal(c.request.headers.authorization, '[redacted]');
    assert.equal(c.nearest[0].stubId, 'payment-api:o2');
    const session = JSON.parse(await fs.readFile(path.join(path.dirname(saved[1]), 'session.json'), 'utf8'));
    assert.equal(session.mocks[0].calls, 2);
  });
});

describe('reprise stubs promote', () => {
  /** Run a mock session in-process: make the given calls, stop, return the session folder. */
  async function session(dir: string, calls: (url: string) => Promise<void>): Promise<string> {
    const { config } = await loadConfig(path.join(dir, 'reprise.yaml'));
    assert.ok(config);
    const ac = new AbortController();
    const out = new PassThrough();
    out.resume();
    const res = await runMockSession({
      config,
      mocks: config.mocks,
      io: { out, err: out, env: {}, cwd: dir },
      ctx: defaultContext(),
      signal: ac.signal,
      onReady: (m) => void calls(m.urls['payment-api']).finally(() => ac.abort()),
    });
    return res.dir;
  }

  test('a missed call promoted with --response, then with --from-nearest, is served by the next session', async () => {
    const dir = await project();
    const ids: string[] = [];
    const first = await session(dir, async (url) => {
      assert.equal((await call(url, 'POST', '/v1/charges', { amount: 12, currency: 'EUR' })).status, 501);
      assert.equal((await call(url, 'GET', '/v1/customers/c2')).status, 501);
    });
    for (const line of (await fs.readFile(path.join(first, 'unmatched.jsonl'), 'utf8')).trim().split('\n')) ids.push(JSON.parse(line).id);
    assert.equal(ids.length, 2);

    await fs.writeFile(path.join(dir, 'resp.json'), JSON.stringify({ status: 402, json: { error: 'card_declined' } }));
    const a = await cli(['stubs', 'promote', first, ids[0].slice(0, 8), '--response', 'resp.json'], dir);
    assert.equal(a.code, 0, a.err);
    const savedA = /saved (.*\.json)\n/.exec(a.out)![1];
    assert.ok(savedA.startsWith(path.join(dir, '.reprise', 'stubs', 'payment-api') + path.sep));
    // by session id (folder name) as well as by path
    const b = await cli(['stubs', 'promote', path.basename(first), ids[1], '--from-nearest'], dir);
    assert.equal(b.code, 0, b.err);
    const savedB = JSON.parse(await fs.readFile(/saved (.*\.json)\n/.exec(b.out)![1], 'utf8'));
    assert.deepEqual(savedB.request, { method: 'GET', pathTemplate: '/v1/customers/{p1}', strictQuery: true });

    await session(dir, async (url) => {
      const declined = await call(url, 'POST', '/v1/charges', { amount: 12, currency: 'EUR' });
      assert.deepEqual([declined.status, JSON.parse(declined.text)], [402, { error: 'card_declined' }]);
      // the recorded charge still matches its own stub
      assert.equal((await call(url, 'POST', '/v1/charges', { amount: 10, currency: 'EUR' })).status, 201);
      // the loosened customer stub serves any customer id with the recorded answer
      assert.equal((await call(url, 'GET', '/v1/customers/c9')).text, '{"id":"c1","tier":"gold"}');
    });
  });

  test('from a run folder (run id); unknown call, bad response file and both flags are clear errors', async () => {
    const dir = await project();
    const first = await session(dir, async (url) => {
      await call(url, 'GET', '/v1/customers/c3');
    });
    const [line] = (await fs.readFile(path.join(first, 'unmatched.jsonl'), 'utf8')).trim().split('\n');
    const c = JSON.parse(line) as UnmatchedCall;
    const writer = await RunWriter.create(path.join(dir, '.reprise', 'runs'), { target: 'http://127.0.0.1:9', traffic: [] });
    await writer.unmatched(c);
    await writer.finish();

    const dry = await cli(['stubs', 'promote', writer.runId, c.id, '--dry-run'], dir);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /^GET \/v1\/customers\/c3 → stub GET \/v1\/customers\/c3 → 200 \(25 B\) \(nearest: payment-api:o1\)/);
    assert.doesNotMatch(dry.out, /saved/);
    const latest = await cli(['stubs', 'promote', 'latest', c.id], dir);
    assert.equal(latest.code, 0, latest.err);
    assert.ok(existsSync(/saved (.*\.json)\n/.exec(latest.out)![1]));

    const unknown = await cli(['stubs', 'promote', writer.runId, 'zzz'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no unmatched call 'zzz' in .*unmatched\.jsonl \(1 call there, e\.g\. /);
    await fs.writeFile(path.join(dir, 'bad.json'), JSON.stringify({ status: 'ok' }));
    const bad = await cli(['stubs', 'promote', writer.runId, c.id, '--response', 'bad.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--response .*bad\.json: not a stub response at status/);
    const both = await cli(['stubs', 'promote', writer.runId, c.id, '--response', 'bad.json', '--from-nearest'], dir);
    assert.equal(both.code, 2);
    assert.match(both.err, /either --from-nearest or --response/);
    const noRun = await cli(['stubs', 'promote', 'no-such-run', c.id], dir);
    assert.equal(noRun.code, 2);
    assert.match(noRun.err, /run 'no-such-run' not found.*no mock session 'no-such-run'/);
  });
});
