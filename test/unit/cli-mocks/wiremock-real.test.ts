/**
 * Exported WireMock mappings, served by a real WireMock (the standalone jar of the npm package `wiremock`),
 * answer the same requests with the same status and body as Reprise's own MockServer with the same stubs.
 * Needs Java; where Java or the jar is absent the tests say so and are skipped.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { toWireMockMappings, importWireMock } from '../../../src/engine/mocks/wiremock.js';
import { stubsFromTraffic } from '../../../src/engine/mocks/from-traffic.js';
import { MockServer } from '../../../src/engine/mocks/server.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import type { Pair } from '../../../src/engine/store/model.js';
import { mockConfig } from '../mocks/helpers.js';

const repoRoot = path.resolve(__dirname, '../../..');
const fixture = path.resolve(repoRoot, '../shared/fixtures/wiremock-hub4j-github-api');

function findJar(): string | undefined {
  const dir = path.join(repoRoot, 'node_modules', 'wiremock', 'build');
  if (!existsSync(dir)) return undefined;
  const jar = readdirSync(dir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  return jar ? path.join(dir, jar) : undefined;
}

/** Why WireMock cannot run here, or undefined when it can. */
function missing(): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return `java not found (${java.error?.message ?? `exit ${java.status}`}): install a JRE ≥ 11 to check WireMock export against a real WireMock`;
  if (!findJar()) return 'WireMock standalone jar not found in node_modules/wiremock/build: run npm install (devDependency "wiremock")';
  return undefined;
}

interface Req {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

async function send(base: string, r: Req): Promise<{ status: number; body: Buffer }> {
  const res = await request(base + r.url, { method: r.method as 'GET', headers: r.headers, body: r.body });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

class WireMock {
  private child?: ChildProcess;
  url = '';

  async start(rootDir: string): Promise<void> {
    const child = spawn('java', ['-jar', findJar()!, '--port', '0', '--bind-address', '127.0.0.1', '--root-dir', rootDir, '--no-request-journal', '--disable-request-logging', '--disable-banner', '--disable-gzip'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`WireMock did not start in 40 s:\n${out}`)), 40_000);
      const onData = (d: Buffer) => {
        out += d;
        const m = /^port:\s+(\d+)/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`WireMock exited with ${code}:\n${out}`));
      });
    });
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const r = await request(`${this.url}/__admin/mappings`);
        await r.body.dump();
        if (r.statusCode === 200) return;
      } catch {
        // not listening yet
      }
      if (i > 100) throw new Error('WireMock admin API not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Replace every mapping and reset scenarios; WireMock must accept each mapping. */
  async load(mappings: unknown[]): Promise<void> {
    const del = await request(`${this.url}/__admin/mappings`, { method: 'DELETE' });
    await del.body.dump();
    const r = await request(`${this.url}/__admin/mappings/import`, { method: 'POST', body: JSON.stringify({ mappings }), headers: { 'content-type': 'application/json' } });
    const text = await r.body.text();
    assert.equal(r.statusCode, 200, `WireMock refused the mappings: ${text.slice(0, 500)}`);
    await this.resetScenarios();
  }

  async resetScenarios(): Promise<void> {
    const r = await request(`${this.url}/__admin/scenarios/reset`, { method: 'POST' });
    await r.body.dump();
  }

  async count(): Promise<number> {
    const r = await request(`${this.url}/__admin/mappings`);
    return ((await r.body.json()) as { mappings: unknown[] }).mappings.length;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

/** Send each request to both servers in order; status and body bytes must be equal. */
async function compare(wm: string, reprise: string, reqs: Req[], where: string): Promise<number> {
  let n = 0;
  for (const r of reqs) {
    const [a, b] = [await send(wm, r), await send(reprise, r)];
    const label = `${where}: ${r.method} ${r.url}${r.body ? ` ${r.body.slice(0, 80)}` : ''}`;
    // a miss: Reprise answers 501 (configurable) with its nearest stubs, WireMock 404 with its own page
    const missed = b.status === 501;
    assert.equal(missed ? 404 : b.status, a.status, `${label}: Reprise ${b.status} (${b.body.toString('utf8').slice(0, 200)}), WireMock ${a.status} (${a.body.toString('utf8').slice(0, 200)})`);
    if (!missed) assert.ok(a.body.equals(b.body), `${label}: bodies differ:\n WireMock ${a.body.toString('utf8').slice(0, 200)}\n Reprise  ${b.body.toString('utf8').slice(0, 200)}`);
    n++;
  }
  return n;
}

function out(id: string, ts: string, method: string, url: string, status: number, body: string, reqBody?: string, headers: Record<string, string> = {}): Pair {
  return {
    id,
    session: 's',
    seq: 0,
    ts,
    direction: 'out',
    service: 'pay',
    request: { method, url, headers: { ...headers }, ...(reqBody !== undefined ? { body: reqBody } : {}) },
    response: { status, headers: { 'content-type': 'application/json' }, body },
  };
}

const skipReason = missing();

describe('WireMock export accepted by a real WireMock', { timeout: 90_000 }, () => {
  const wm = new WireMock();
  let root = '';
  // from captured traffic plus hand-written stubs using every exportable matcher
  let trafficStubs: StubDefinition[] = [];

  before(async () => {
    if (skipReason) return;
    const traffic = await stubsFromTraffic(
      [
        out('o1', '2024-01-01T00:00:00Z', 'GET', 'http://pay/v1/customers/c1?expand=cards&expand=tax', 200, '{"id":"c1"}'),
        out('o2', '2024-01-01T00:00:01Z', 'POST', 'http://pay/v1/charges', 201, '{"id":"ch_1"}', '{"amount":10,"currency":"EUR","idempotency":"k-1"}', { 'content-type': 'application/json' }),
        out('o3', '2024-01-01T00:00:02Z', 'GET', 'http://pay/v1/balance', 200, '{"available":100}'),
        out('o4', '2024-01-01T00:00:03Z', 'GET', 'http://pay/v1/balance', 200, '{"available":90}'),
        out('o5', '2024-01-01T00:00:04Z', 'GET', 'http://pay/v1/balance', 200, '{"available":80}'),
        out('o6', '2024-01-01T00:00:05Z', 'POST', 'http://pay/v1/tokens', 200, '{"token":"t"}', 'card=4242&exp=12%2F30', { 'content-type': 'application/x-www-form-urlencoded' }),
        out('o7', '2024-01-01T00:00:06Z', 'DELETE', 'http://pay/v1/customers/c1', 204, ''),
      ],
      { service: 'pay', ignore: ['$.idempotency'] },
    );
    assert.deepEqual(traffic.issues, []);
    const hand: StubDefinition[] = [
      { id: 'tmpl', request: { method: 'GET', pathTemplate: '/v1/orders/{id}/items' }, response: { status: 200, body: '[1,2]' } },
      { id: 'rx', request: { method: 'GET', pathRegex: '/v1/files/[a-z]+\\.bin' }, response: { status: 200, body: Buffer.from([0, 1, 2, 254, 255]).toString('base64'), bodyEncoding: 'base64' } },
      { id: 'hdr', request: { method: 'GET', path: '/v1/me', headers: { 'x-api-version': { equalTo: '2' }, accept: { contains: 'json' } } }, response: { status: 200, json: { me: true } } },
      { id: 'q', request: { method: 'GET', path: '/v1/search', query: { q: { matches: 'a.*' }, page: { absent: true } } }, response: { status: 200, body: 'found' } },
      { id: 'jp', request: { method: 'POST', path: '/v1/refunds', body: { jsonPath: [{ path: '$.charge', equalTo: 'ch_1' }, { path: '$.reason' }] } }, response: { status: 200, body: 'refunded' } },
      { id: 'extra', request: { method: 'PUT', path: '/v1/prefs', body: { equalToJson: { theme: 'dark' }, ignoreExtraFields: true } }, response: { status: 200, body: 'saved' } },
      { id: 'txt', request: { method: 'POST', path: '/v1/notes', body: { contains: 'urgent' } }, response: { status: 202, body: 'noted' } },
      // overlapping stubs: the one defined first wins in Reprise; explicit priority wins over both
      { id: 'first', request: { method: 'GET', pathRegex: '/v1/overlap/.*' }, response: { status: 200, body: 'first' } },
      { id: 'second', request: { method: 'GET', pathRegex: '/v1/overlap/x.*' }, response: { status: 200, body: 'second' } },
      { id: 'prio', priority: 1, request: { method: 'GET', path: '/v1/overlap/top' }, response: { status: 200, body: 'prio' } },
    ];
    trafficStubs = [...traffic.stubs, ...hand];
    // the traffic export is loaded from the root folder at start-up, as `reprise stubs export` leaves it
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-wm-real-'));
    await fs.mkdir(path.join(root, 'mappings'));
    await fs.writeFile(path.join(root, 'mappings', 'pay.json'), JSON.stringify(toWireMockMappings(trafficStubs), null, 2));
    await wm.start(root);
  });

  after(async () => {
    await wm.stop();
  });

  test('stubs from traffic and hand-written matchers: same status and body as Reprise', async (t) => {
    if (skipReason) {
      t.skip(skipReason);
      return;
    }
    assert.equal(await wm.count(), trafficStubs.length);
    const server = new MockServer(mockConfig({ service: 'pay' }), trafficStubs);
    await server.start();
    try {
      const json = { 'content-type': 'application/json' };
      const reqs: Req[] = [
        { method: 'GET', url: '/v1/customers/c1?expand=cards&expand=tax' },
        { method: 'GET', url: '/v1/customers/c1?expand=cards' },
        { method: 'GET', url: '/v1/customers/c1?expand=cards&expand=tax&x=1' },
        { method: 'POST', url: '/v1/charges', headers: json, body: '{"currency":"EUR","amount":10,"idempotency":"k-2"}' },
        { method: 'POST', url: '/v1/charges', headers: json, body: '{"currency":"EUR","amount":10}' },
        { method: 'POST', url: '/v1/charges', headers: json, body: '{"currency":"EUR","amount":11,"idempotency":"k-1"}' },
        { method: 'GET', url: '/v1/balance' },
        { method: 'GET', url: '/v1/balance' },
        { method: 'GET', url: '/v1/balance' },
        { method: 'GET', url: '/v1/balance' },
        { method: 'POST', url: '/v1/tokens', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'exp=12%2F30&card=4242' },
        { method: 'POST', url: '/v1/tokens', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'card=4242&exp=11%2F30' },
        { method: 'DELETE', url: '/v1/customers/c1' },
        { method: 'GET', url: '/v1/orders/o-9/items' },
        { method: 'GET', url: '/v1/orders/o-9/x/items' },
        { method: 'GET', url: '/v1/files/abc.bin' },
        { method: 'GET', url: '/v1/files/ABC.bin' },
        { method: 'GET', url: '/v1/me', headers: { 'x-api-version': '2', accept: 'application/json' } },
        { method: 'GET', url: '/v1/me', headers: { 'x-api-version': '3', accept: 'application/json' } },
        { method: 'GET', url: '/v1/search?q=abc' },
        { method: 'GET', url: '/v1/search?q=abc&page=2' },
        { method: 'GET', url: '/v1/search?q=xbc' },
        { method: 'POST', url: '/v1/refunds', headers: json, body: '{"charge":"ch_1","reason":"dup"}' },
        { method: 'POST', url: '/v1/refunds', headers: json, body: '{"charge":"ch_2","reason":"dup"}' },
        { method: 'POST', url: '/v1/refunds', headers: json, body: '{"charge":"ch_1"}' },
        { method: 'PUT', url: '/v1/prefs', headers: json, body: '{"theme":"dark","lang":"fr"}' },
        { method: 'PUT', url: '/v1/prefs', headers: json, body: '{"theme":"light"}' },
        { method: 'POST', url: '/v1/notes', headers: { 'content-type': 'text/plain' }, body: 'this is urgent!' },
        { method: 'POST', url: '/v1/notes', headers: { 'content-type': 'text/plain' }, body: 'later' },
        { method: 'GET', url: '/v1/overlap/xyz' },
        { method: 'GET', url: '/v1/overlap/top' },
        { method: 'GET', url: '/nowhere' },
      ];
      assert.equal(await compare(wm.url, server.url, reqs, 'traffic'), reqs.length);
      // both restart sequences the same way
      await wm.resetScenarios();
      server.resetSequences();
      await compare(wm.url, server.url, [{ method: 'GET', url: '/v1/balance' }], 'after reset');
    } finally {
      await server.stop();
    }
  });

  test('hub4j GitHub API recordings, imported then exported: same answers, scenarios in step', async (t) => {
    if (skipReason) {
      t.skip(skipReason);
      return;
    }
    if (!existsSync(fixture)) {
      console.log(`wiremock fixture not found at ${fixture}`);
      t.skip('../shared/fixtures absent: cannot check the hub4j WireMock recordings');
      return;
    }
    const roots: string[] = [];
    const walk = async (dir: string) => {
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        if (e.name === 'mappings') roots.push(dir);
        else if (e.name !== '__files') await walk(path.join(dir, e.name));
      }
    };
    await walk(fixture);
    roots.sort();
    assert.ok(roots.length >= 10);
    let sent = 0;
    for (const dir of roots) {
      const { stubs } = await importWireMock(dir);
      await wm.load(toWireMockMappings(stubs).mappings);
      const originals = await Promise.all(
        (await fs.readdir(path.join(dir, 'mappings'))).filter((f) => f.endsWith('.json')).map(async (f) => JSON.parse(await fs.readFile(path.join(dir, 'mappings', f), 'utf8'))),
      );
      originals.sort((a, b) => a.insertionIndex - b.insertionIndex);
      const reqs: Req[] = originals.map((m) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries((m.request.headers ?? {}) as Record<string, Record<string, string>>)) {
          if (typeof v.equalTo === 'string') headers[k] = v.equalTo;
          else if (typeof v.contains === 'string') headers[k] = `x ${v.contains} x`;
        }
        let body: string | undefined;
        for (const p of m.request.bodyPatterns ?? []) if (typeof p.equalToJson === 'string') body = p.equalToJson;
        if (body !== undefined) headers['content-type'] = 'application/json';
        return { method: m.request.method === 'ANY' ? 'GET' : m.request.method, url: m.request.url, headers, body };
      });
      const server = new MockServer(mockConfig({ service: 'github' }), stubs);
      await server.start();
      try {
        sent += await compare(wm.url, server.url, reqs, path.relative(fixture, dir));
      } finally {
        await server.stop();
      }
    }
    assert.equal(sent, 146);
  });
});
