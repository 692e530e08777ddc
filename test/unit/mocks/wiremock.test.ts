import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importWireMock, toWireMockMappings } from '../../../src/engine/mocks/wiremock.js';
import type { StubDefinition } from '../../../src/engine/mocks/stub.js';
import { send, startServer } from './helpers.js';

const repoRoot = path.resolve(__dirname, '../../..');
const fixture = path.resolve(repoRoot, '../shared/fixtures/wiremock-hub4j-github-api');

async function findRoots(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    if (e.name === 'mappings') out.push(dir);
    else if (e.name !== '__files') await findRoots(p, out);
  }
  return out.sort();
}

/** A concrete value for a WireMock string matcher (test side, independent of the importer). */
function valueFor(m: Record<string, unknown>): string | undefined {
  if (typeof m.equalTo === 'string') return m.equalTo;
  if (typeof m.contains === 'string') return `x ${m.contains} x`;
  if (typeof m.matches === 'string') {
    // the fixture's regexes are anchored literals with optional groups: drop anchors and optional groups
    return m.matches.replace(/^\^|\$$/g, '').replace(/\([^)]*\)\?/g, '').replace(/\\(.)/g, '$1');
  }
  return undefined; // absent
}

describe('WireMock import: hub4j GitHub API record output', () => {
  test('every mapping imports and serves its recorded response, scenarios in recorded order', async (t) => {
    if (!existsSync(fixture)) {
      console.log(`wiremock fixture not found at ${fixture}`);
      t.skip('../shared/fixtures absent: cannot check the WireMock fixture');
      return;
    }
    const roots = await findRoots(fixture);
    assert.ok(roots.length >= 10, `found ${roots.length} WireMock roots`);
    let checked = 0;
    for (const root of roots) {
      const { stubs, issues } = await importWireMock(root);
      assert.deepEqual(issues.filter((i) => i.severity === 'error'), [], `errors importing ${root}`);
      // two hub4j mappings name a body file that was renamed after recording (user-1.json → 1-user.json)
      for (const i of issues) assert.match(i.message, /bodyFileName user-\d\.json not found in __files; used \d-user\.json/);
      const files = (await fs.readdir(path.join(root, 'mappings'))).filter((f) => f.endsWith('.json'));
      assert.equal(stubs.length, files.length, root);
      const mappings = await Promise.all(files.map(async (f) => JSON.parse(await fs.readFile(path.join(root, 'mappings', f), 'utf8'))));
      mappings.sort((a, b) => a.insertionIndex - b.insertionIndex);
      const server = await startServer(stubs);
      try {
        for (const m of mappings) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.request.headers ?? {})) {
            const val = valueFor(v as Record<string, unknown>);
            if (val !== undefined) headers[k] = val;
          }
          let body: string | undefined;
          for (const p of m.request.bodyPatterns ?? []) if (typeof p.equalToJson === 'string') body = p.equalToJson;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const r = await send(server.url, m.request.method === 'ANY' ? 'GET' : m.request.method, m.request.url, { headers, body });
          const where = `${path.relative(fixture, root)} #${m.insertionIndex} ${m.request.method} ${m.request.url}`;
          assert.equal(r.status, m.response.status, `${where}: ${r.text.slice(0, 300)}`);
          let expected = Buffer.from(m.response.body ?? '', 'utf8');
          if (m.response.bodyFileName) {
            const named = path.join(root, '__files', m.response.bodyFileName);
            // the two renamed hub4j bodies: user-1.json was saved as 1-user.json
            const renamed = path.join(root, '__files', m.response.bodyFileName.replace(/^(.*)-(\d+)\.json$/, '$2-$1.json'));
            expected = await fs.readFile(existsSync(named) ? named : renamed);
          }
          assert.ok(r.bytes.equals(expected), `${where}: body differs`);
          checked++;
        }
        assert.equal(server.stats().unmatched, 0);
      } finally {
        await server.stop();
      }
    }
    assert.equal(checked, 146);
  });
});

describe('WireMock import: own small fixtures', () => {
  test('multi-mapping file, __files, jsonBody, base64Body, url patterns, query and scenarios; bad files reported with line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-wm-'));
    await fs.mkdir(path.join(dir, 'mappings'));
    await fs.mkdir(path.join(dir, '__files'));
    await fs.writeFile(path.join(dir, '__files', 'big.json'), '{"from":"file"}');
    await fs.writeFile(
      path.join(dir, 'mappings', 'all.json'),
      JSON.stringify(
        {
          mappings: [
            { request: { method: 'GET', urlPath: '/api/file', queryParameters: { v: { equalTo: '2' } } }, response: { status: 200, bodyFileName: 'big.json' } },
            { request: { method: 'POST', urlPathPattern: '/api/orders/[0-9]+', bodyPatterns: [{ equalToJson: { sku: 'A1' }, ignoreExtraElements: true }, { matchesJsonPath: '$.items[?(@.qty > 0)]' }] }, response: { status: 201, jsonBody: { id: 'o-1' } } },
            { request: { method: 'ANY', urlPattern: '/bin/.*' }, response: { status: 200, base64Body: Buffer.from([0, 1, 2, 255]).toString('base64') } },
            { scenarioName: 'flow', requiredScenarioState: 'Started', newScenarioState: 'paid', request: { method: 'GET', url: '/state' }, response: { status: 200, body: 'new' } },
            { scenarioName: 'flow', requiredScenarioState: 'paid', request: { method: 'GET', url: '/state' }, response: { status: 200, body: 'paid' } },
            { request: { method: 'GET', urlPath: '/x', cookies: { a: { equalTo: 'b' } } }, response: { status: 200 } },
          ],
        },
        null,
        2,
      ),
    );
    await fs.writeFile(path.join(dir, 'mappings', 'broken.json'), '{\n  "request": {\n    "url": "/a"\n  },,\n}\n');
    const { stubs, issues } = await importWireMock(dir);
    assert.equal(stubs.length, 5);
    assert.equal(issues.length, 2);
    const broken = issues.find((i) => i.file.endsWith('broken.json'))!;
    assert.equal(broken.line, 4);
    const cookies = issues.find((i) => i.file.endsWith('all.json'))!;
    assert.equal(cookies.entry, 5);
    assert.match(cookies.message, /cookies is not supported/);
    assert.ok(cookies.line && cookies.line > 1);
    const s = await startServer(stubs);
    try {
      assert.equal((await send(s.url, 'GET', '/api/file?v=2')).text, '{"from":"file"}');
      assert.equal((await send(s.url, 'GET', '/api/file?v=3')).status, 501);
      const o = await send(s.url, 'POST', '/api/orders/77', { json: { sku: 'A1', items: [{ qty: 1 }] } });
      assert.equal(o.status, 201);
      assert.deepEqual(o.json(), { id: 'o-1' });
      assert.equal((await send(s.url, 'POST', '/api/orders/77', { json: { sku: 'A1', items: [{ qty: 0 }] } })).status, 501);
      assert.deepEqual([...(await send(s.url, 'DELETE', '/bin/z')).bytes], [0, 1, 2, 255]);
      assert.deepEqual([(await send(s.url, 'GET', '/state')).text, (await send(s.url, 'GET', '/state')).text, (await send(s.url, 'GET', '/state')).text], ['new', 'paid', 'paid']);
      s.resetSequences();
      assert.equal((await send(s.url, 'GET', '/state')).text, 'new');
    } finally {
      await s.stop();
    }
  });

  test('export: sequences become scenarios; a re-import serves the same answers', async () => {
    const stubs: StubDefinition[] = [
      { id: 'a1', request: { method: 'GET', path: '/seq' }, response: { status: 200, body: 'first' }, sequence: { key: 'k', index: 0 } },
      { id: 'a2', request: { method: 'GET', path: '/seq' }, response: { status: 200, body: 'second' }, sequence: { key: 'k', index: 1 } },
      { id: 'q', request: { method: 'GET', path: '/q', strictQuery: true, query: { a: { equalTo: '1' } } }, response: { status: 200, json: { ok: true } } },
      { id: 'b', request: { method: 'POST', pathTemplate: '/o/{id}', body: { equalToJson: { x: 1, t: 'now' }, ignorePaths: ['$.t'] } }, response: { status: 201, body: 'AAE=', bodyEncoding: 'base64' }, delayMs: 5 },
      { id: 'j', request: { method: 'POST', path: '/j', body: { jsonPath: [{ path: '$.a', equalTo: 'x' }, { path: '$.b' }] } }, response: { status: 200 } },
    ];
    const exported = toWireMockMappings(stubs).mappings;
    assert.equal(exported.length, 5);
    // WireMock prefers the newest mapping among equal priorities: Reprise's first stub comes last
    assert.deepEqual(exported.map((m) => m.name), ['j', 'b', 'q', 'a2', 'a1']);
    const mappings = [...exported].reverse();
    assert.deepEqual(
      mappings.slice(0, 2).map((m) => [m.scenarioName, m.requiredScenarioState, m.newScenarioState]),
      [
        ['sequence:k', 'Started', '#1'],
        ['sequence:k', '#1', undefined],
      ],
    );
    assert.deepEqual(mappings[2].request, { method: 'GET', url: '/q?a=1' });
    assert.deepEqual(mappings[2].response, { status: 200, jsonBody: { ok: true } });
    assert.deepEqual(mappings[3].request, {
      method: 'POST',
      urlPathPattern: '/o/[^/]+',
      bodyPatterns: [{ equalToJson: { x: 1, t: '${json-unit.ignore-element}' }, enablePlaceholders: true }],
    });
    assert.deepEqual(mappings[3].response, { status: 201, base64Body: 'AAE=', fixedDelayMilliseconds: 5 });
    assert.deepEqual((mappings[4].request as { bodyPatterns: unknown }).bodyPatterns, [{ matchesJsonPath: { expression: '$.a', equalTo: 'x' } }, { matchesJsonPath: '$.b' }]);
    // acceptance by a real WireMock: test/unit/cli-mocks/wiremock-real.test.ts
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-wmx-'));
    await fs.mkdir(path.join(dir, 'mappings'));
    // the placeholder form cannot be re-imported (WireMock-only feature): drop that mapping for the round trip
    await fs.writeFile(path.join(dir, 'mappings', 'export.json'), JSON.stringify({ mappings: exported.filter((m) => m.name !== 'b') }));
    const back = await importWireMock(dir);
    assert.deepEqual(back.issues, []);
    const s = await startServer(back.stubs);
    try {
      assert.deepEqual([(await send(s.url, 'GET', '/seq')).text, (await send(s.url, 'GET', '/seq')).text, (await send(s.url, 'GET', '/seq')).text], ['first', 'second', 'second']);
      assert.deepEqual((await send(s.url, 'GET', '/q?a=1')).json(), { ok: true });
      assert.equal((await send(s.url, 'POST', '/j', { json: { a: 'x', b: 0 } })).status, 200);
      assert.equal((await send(s.url, 'POST', '/j', { json: { a: 'y', b: 0 } })).status, 501);
    } finally {
      await s.stop();
    }
  });
});
