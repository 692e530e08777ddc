// `reprise traffic`: sessions, endpoints with counts and status mix, paging, one pair with secrets masked.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, exampleDir } from '../cli/helpers.js';

const traffic = join(exampleDir, 'traffic');

describe('reprise traffic', () => {
  test('endpoints --json lists POST /orders and GET /orders/{id} with counts and status mix', async () => {
    const r = await cli(['traffic', 'endpoints', traffic, '--json'], exampleDir);
    assert.equal(r.code, 0, r.err);
    const { total, endpoints } = JSON.parse(r.out) as { total: number; endpoints: Array<{ endpoint: string; count: number; statusCounts: Record<string, number>; services?: string[] }> };
    assert.equal(total, 59);
    const by = new Map(endpoints.map((e) => [e.endpoint, e]));
    assert.equal(by.get('POST /orders')?.count, 9);
    assert.deepEqual(by.get('POST /orders')?.statusCounts, { '201': 7, '400': 1, '402': 1 });
    assert.equal(by.get('GET /orders/{id}')?.count, 9);
    assert.deepEqual(by.get('GET /orders/{id}')?.statusCounts, { '200': 8, '404': 1 });
    assert.deepEqual(by.get('POST /v1/charges')?.services, ['payment-api']);
    assert.equal(endpoints.reduce((n, e) => n + e.count, 0), 59);
    // the text form
    const t = await cli(['traffic', 'endpoints', traffic, '--direction', 'in'], exampleDir);
    assert.equal(t.code, 0);
    assert.match(t.out, /^GET \/orders\/\{id\}\s+9\s+200×8 404×1$/m);
    assert.ok(!t.out.includes('/v1/charges'));
  });

  test('without sources it browses the traffic of reprise.yaml (inbound and mock traffic)', async () => {
    const r = await cli(['traffic', '--json'], exampleDir);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.deepEqual([s.total, s.inbound, s.outbound], [59, 43, 16]);
    assert.deepEqual(s.services, [{ service: 'payment-api', count: 16 }]);
    const sessions = await cli(['traffic', 'sessions', '--json'], exampleDir);
    const list = JSON.parse(sessions.out).sessions as Array<{ session: string; count: number }>;
    assert.equal(list.find((x) => x.session === 'probe')?.count, 6);
    const dir = await mkdtemp(join(tmpdir(), 'reprise-traffic-'));
    assert.equal((await cli(['traffic', 'sessions'], dir)).code, 2); // no sources, no config
  });

  test('pairs pages through one endpoint and one session', async () => {
    const all = await cli(['traffic', 'pairs', traffic, '--endpoint', 'GET /orders/{id}', '--json', '--limit', '100'], exampleDir);
    assert.equal(all.code, 0, all.err);
    const full = JSON.parse(all.out) as { total: number; items: Array<{ id: string; url: string; line: number }> };
    assert.equal(full.total, 9);
    assert.ok(full.items.every((p) => /^\/orders\/[^/]+$/.test(p.url) && p.line > 0));
    const pages: string[] = [];
    for (let offset = 0; offset < 9; offset += 4) {
      const r = await cli(['traffic', 'pairs', traffic, '--endpoint', 'GET /orders/{id}', '--offset', String(offset), '--limit', '4', '--json'], exampleDir);
      const page = JSON.parse(r.out) as { total: number; items: Array<{ id: string }> };
      assert.equal(page.total, 9);
      assert.equal(page.items.length, Math.min(4, 9 - offset));
      pages.push(...page.items.map((p) => p.id));
    }
    assert.deepEqual(pages, full.items.map((p) => p.id));
    const text = await cli(['traffic', 'pairs', traffic, '--session', 'user-alice', '--limit', '3'], exampleDir);
    assert.equal(text.code, 0);
    assert.match(text.out, /1–3 of 11; next page: --offset 3/);
    assert.equal((await cli(['traffic', 'pairs', traffic, '--limit', '0'], exampleDir)).code, 2);
    assert.equal((await cli(['traffic', 'sessions', traffic, '--offset', '2'], exampleDir)).code, 2);
  });

  test('show prints one pair with secret headers masked; unknown id exits 3', async () => {
    const raw = (await fsp.readFile(join(traffic, 'inbound.jsonl'), 'utf8')).split('\n').map((l) => (l ? JSON.parse(l) : undefined));
    const withAuth = raw.find((p) => p?.request.headers.authorization)!;
    const token = String(withAuth.request.headers.authorization).slice(7);
    const r = await cli(['traffic', 'show', withAuth.id, traffic], exampleDir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^authorization: Bearer \*\*\*$/m);
    assert.ok(!r.out.includes(token));
    assert.match(r.out, new RegExp(`^${withAuth.request.method} ${withAuth.request.url.replace(/[?]/g, '\\?')}$`, 'm'));
    assert.match(r.out, new RegExp(`^HTTP ${withAuth.response.status}$`, 'm'));
    const j = await cli(['traffic', 'show', withAuth.id, traffic, '--json'], exampleDir);
    const shown = JSON.parse(j.out);
    assert.equal(shown.id, withAuth.id);
    assert.equal(shown.request.headers.authorization, 'Bearer ***');
    const missing = await cli(['traffic', 'show', 'no-such-id', traffic], exampleDir);
    assert.equal(missing.code, 3);
    assert.match(missing.err, /no pair with id 'no-such-id'/);
  });
});
