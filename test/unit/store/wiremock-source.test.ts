// WireMock folders as a traffic source (readPairs) and native → WireMock export served back by a MockServer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, existsSync } from 'node:fs';
import * as path from 'node:path';
import { readPairs, readLocated, indexSources, exportWireMock, exportHar, importWireMockPairs, type Pair } from '../../../src/engine/store/index.js';
import { importWireMock } from '../../../src/engine/mocks/wiremock.js';
import { startServer, send } from '../mocks/helpers.js';
import { tmpDir, collect, issueSink, makePair, fixturesRoot } from './helpers.js';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** A recorded-style WireMock root: files named so that file order differs from the scenario chain. */
async function writeRoot(root: string): Promise<void> {
  await fsp.mkdir(path.join(root, 'mappings'), { recursive: true });
  await fsp.mkdir(path.join(root, '__files'), { recursive: true });
  const m = (name: string, v: unknown) => fsp.writeFile(path.join(root, 'mappings', name), json(v));
  await m('1-user.json', {
    id: 'u-1',
    request: { url: '/user?fields=login&fields=id', method: 'GET', headers: { Accept: { equalTo: 'application/json' } } },
    response: { status: 200, bodyFileName: '1-user.json', headers: { 'Content-Type': 'application/json' } },
  });
  await fsp.writeFile(path.join(root, '__files', '1-user.json'), '{"login":"octo","id":1}');
  await m('2-create.json', {
    id: 'c-2',
    request: { urlPath: '/repos', method: 'POST', bodyPatterns: [{ equalToJson: '{"name":"r1","private":true}', ignoreExtraElements: true }] },
    response: { status: 201, jsonBody: { id: 77, name: 'r1' }, headers: { Location: '/repos/77' } },
  });
  // scenario: file names sort 3c, 3a, 3b would be wrong; the chain is a → b → c
  await m('3a-get.json', {
    id: 'g-a',
    request: { url: '/repos/77', method: 'GET' },
    response: { status: 404, body: 'not yet' },
    scenarioName: 'repo-77',
    requiredScenarioState: 'Started',
    newScenarioState: 'repo-77-2',
  });
  await m('3b-get.json', {
    id: 'g-c',
    request: { url: '/repos/77', method: 'GET' },
    response: { status: 200, body: 'third' },
    scenarioName: 'repo-77',
    requiredScenarioState: 'repo-77-3',
  });
  await m('3c-get.json', {
    id: 'g-b',
    request: { url: '/repos/77', method: 'GET' },
    response: { status: 200, body: 'second' },
    scenarioName: 'repo-77',
    requiredScenarioState: 'repo-77-2',
    newScenarioState: 'repo-77-3',
  });
  await m('4-pattern.json', { id: 'p-4', request: { urlPathPattern: '/search/.*', method: 'GET' }, response: { status: 200 } });
  await fsp.writeFile(path.join(root, 'mappings', '5-broken.json'), '{\n  "request": {\n');
}

describe('WireMock folder as a traffic source', () => {
  test('mappings become outbound pairs in recording order; patterns and bad files are reported', async () => {
    const dir = await tmpDir();
    const root = path.join(dir, 'github');
    await writeRoot(root);
    const { issues, onIssue } = issueSink();
    const located = await collect(readLocated([dir], { onIssue }));
    const pairs = located.map((l) => l.pair);
    assert.deepEqual(pairs.map((p) => p.id), ['u-1', 'c-2', 'g-a', 'g-b', 'g-c']);
    assert.deepEqual(pairs.map((p) => p.seq), [0, 1, 2, 3, 4]);
    assert.ok(pairs.every((p) => p.direction === 'out' && p.service === 'github' && p.session === 'github'));
    for (let i = 1; i < pairs.length; i++) assert.ok(Date.parse(pairs[i].ts) > Date.parse(pairs[i - 1].ts), 'ts strictly increasing');
    const [user, create, a, b, c] = pairs;
    assert.equal(user.request.url, '/user?fields=login&fields=id');
    assert.equal(user.request.headers.accept, 'application/json');
    assert.equal(user.response?.body, '{"login":"octo","id":1}'); // from __files
    assert.equal(user.response?.headers['content-type'], 'application/json');
    assert.equal(create.request.method, 'POST');
    assert.deepEqual(JSON.parse(create.request.body!), { name: 'r1', private: true });
    assert.equal(create.request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(create.response!.body!), { id: 77, name: 'r1' });
    assert.deepEqual([a, b, c].map((p) => p.response?.body), ['not yet', 'second', 'third']);
    assert.equal((a.meta?.wiremockScenario as { name: string }).name, 'repo-77');
    // located: mapping file and line
    assert.ok(located[0].file.endsWith(path.join('mappings', '1-user.json')));
    assert.equal(located[0].line, 1);
    // the pattern mapping and the broken file, each named with file and line
    const pattern = issues.find((i) => i.file.endsWith('4-pattern.json'));
    assert.equal(pattern?.severity, 'warning');
    assert.match(pattern!.message, /not one concrete request.*pattern/);
    const broken = issues.find((i) => i.file.endsWith('5-broken.json'));
    assert.equal(broken?.severity, 'error');
    assert.equal(typeof broken?.line, 'number');
    // __files bodies are never read as traffic on their own
    assert.ok(!issues.some((i) => i.file.includes('__files')), JSON.stringify(issues));
    // inbound readers skip mappings entirely
    assert.equal((await collect(readPairs([dir], { direction: 'in' }))).length, 0);
    const idx = await indexSources([dir]);
    assert.equal(idx.outbound, 5);
    assert.deepEqual(idx.services, [{ service: 'github', count: 5 }]);
  });

  test('service: option, then folder name, then the Host header matcher for generic folder names', async () => {
    const dir = await tmpDir();
    const root = path.join(dir, 'wiremock');
    await fsp.mkdir(path.join(root, 'mappings'), { recursive: true });
    await fsp.writeFile(
      path.join(root, 'mappings', 'all.json'),
      json({
        mappings: [
          { request: { method: 'GET', url: '/a', headers: { Host: { equalTo: 'api.example.com:8443' } } }, response: { status: 200, body: 'a' } },
          { request: { method: 'GET', url: '/b' }, response: { status: 200, body: 'b' } },
        ],
      }),
    );
    const pairs = await collect(readPairs([dir]));
    assert.deepEqual(pairs.map((p) => p.service), ['api.example.com', 'wiremock']);
    const forced = await collect(readPairs([dir], { service: 'payments' }));
    assert.deepEqual(forced.map((p) => p.service), ['payments', 'payments']);
    // one mapping file named explicitly: only its mappings, line of each entry
    const located = await collect(readLocated([path.join(root, 'mappings', 'all.json')]));
    assert.equal(located.length, 2);
    assert.ok(located[1].line! > located[0].line!);
    assert.equal((await collect(importWireMockPairs(root))).length, 2);
  });

  test('a single mapping file outside a mappings/ folder reads its bodies from __files beside it', async () => {
    const dir = await tmpDir();
    await fsp.mkdir(path.join(dir, 'billing', '__files'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'billing', 'stub.json'), json({ request: { method: 'GET', url: '/invoices/1' }, response: { status: 200, bodyFileName: 'inv.json' } }));
    await fsp.writeFile(path.join(dir, 'billing', '__files', 'inv.json'), '{"total":5}');
    const pairs = await collect(readPairs([path.join(dir, 'billing', 'stub.json')]));
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].service, 'billing');
    assert.equal(pairs[0].response?.body, '{"total":5}');
  });

  test('hub4j GitHub recordings: every mapping read, scenarios in chain order', async (t) => {
    const hub = path.join(fixturesRoot, 'wiremock-hub4j-github-api');
    if (!existsSync(hub)) {
      const msg = `../shared/fixtures absent (looked in ${fixturesRoot}); hub4j WireMock read not run`;
      t.diagnostic(msg);
      t.skip(msg);
      return;
    }
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([hub], { onIssue }));
    const mappingFiles: string[] = [];
    const walk = async (d: string) => {
      for (const e of await fsp.readdir(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (path.basename(d) === 'mappings' && e.name.endsWith('.json')) mappingFiles.push(p);
      }
    };
    await walk(hub);
    assert.equal(pairs.length, mappingFiles.length);
    assert.ok(!issues.some((i) => i.severity === 'error'), JSON.stringify(issues));
    const life = pairs.filter((p) => p.service === 'lifecycleTest');
    assert.deepEqual(life.map((p) => `${p.request.method} ${p.request.url.replace(/[0-9a-f]{32}/, 'ID')} ${p.response?.status}`), [
      'GET /user 200',
      'POST /gists 201',
      'GET /gists/ID 200',
      'PATCH /gists/ID 200',
      'PATCH /gists/ID 200',
      'PATCH /gists/ID 200',
      'DELETE /gists/ID 204',
      'GET /gists/ID 404', // the scenario's second state: after the delete
    ]);
  });
});

describe('native → WireMock export', () => {
  const out = (i: number, over: Partial<Pair>): Pair =>
    ({ ...makePair(i), direction: 'out', service: 'payment-api', session: 'default', ...over }) as Pair;

  test('exported mappings load with importWireMock and a MockServer answers the recorded responses', async () => {
    const dir = await tmpDir();
    const big = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ i, name: `item ${i}` })) });
    const pairs: Pair[] = [
      out(1, { request: { method: 'POST', url: 'http://payment-api/v1/charges', headers: { 'content-type': 'application/json', authorization: 'Bearer sk_live_1' }, body: '{"amount":100}' }, response: { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"ch_1"}' } }),
      out(2, { request: { method: 'GET', url: '/v1/catalog?page=2', headers: {} }, response: { status: 200, headers: { 'content-type': 'application/json', 'set-cookie': 'sid=abc; Path=/' }, body: big } }),
      // the same request three times: a scenario answering in recorded order
      out(3, { request: { method: 'GET', url: '/v1/status', headers: {} }, response: { status: 200, headers: {}, body: 'pending' } }),
      out(4, { request: { method: 'GET', url: '/v1/status', headers: {} }, response: { status: 200, headers: {}, body: 'running' } }),
      out(5, { request: { method: 'GET', url: '/v1/status', headers: {} }, response: { status: 200, headers: {}, body: 'done' } }),
      out(6, { request: { method: 'GET', url: '/v1/nothing', headers: {} }, response: undefined }),
    ];
    const r = await exportWireMock(pairs, dir);
    assert.equal(r.pairs, 6);
    assert.equal(r.skipped, 1);
    assert.equal(r.roots.length, 1);
    assert.equal(r.roots[0].dir, dir);
    assert.equal(r.roots[0].mappings, 5);
    assert.equal(r.roots[0].bodyFiles, 1);
    assert.equal(r.roots[0].inScenarios, 3);
    const files = await fsp.readdir(path.join(dir, '__files'));
    assert.equal(files.length, 1);
    assert.equal(await fsp.readFile(path.join(dir, '__files', files[0]), 'utf8'), big);
    const all = (await Promise.all((await fsp.readdir(path.join(dir, 'mappings'))).map((f) => fsp.readFile(path.join(dir, 'mappings', f), 'utf8')))).join('\n');
    assert.ok(!all.includes('abc'), 'set-cookie value masked by default');

    const { stubs, issues } = await importWireMock(dir);
    assert.deepEqual(issues, []);
    assert.equal(stubs.length, 5);
    const server = await startServer(stubs);
    try {
      const charge = await send(server.url, 'POST', '/v1/charges', { json: { amount: 100 } });
      assert.equal(charge.status, 201);
      assert.deepEqual(charge.json(), { id: 'ch_1' });
      assert.equal((await send(server.url, 'POST', '/v1/charges', { json: { amount: 999 } })).status, 501);
      const cat = await send(server.url, 'GET', '/v1/catalog?page=2');
      assert.equal(cat.status, 200);
      assert.equal(cat.text, big);
      assert.equal(cat.headers['set-cookie'], 'sid=***; Path=/');
      const seq = [];
      for (let i = 0; i < 4; i++) seq.push((await send(server.url, 'GET', '/v1/status')).text);
      assert.deepEqual(seq, ['pending', 'running', 'done', 'done']);
    } finally {
      await server.stop();
    }

    // and the folder reads back as traffic: the same requests and responses
    const back = await collect(readPairs([dir], { service: 'payment-api' }));
    assert.equal(back.length, 5);
    assert.deepEqual(back.filter((p) => p.request.url === '/v1/status').map((p) => p.response?.body), ['pending', 'running', 'done']);
  });

  test('several services: one WireMock root per service; --no-redact keeps secrets; JSON paths masked', async () => {
    const dir = await tmpDir();
    const pairs: Pair[] = [
      out(1, { service: 'a', response: { status: 200, headers: { 'x-api-key': 'k1' }, body: '{"card":{"number":"4111","exp":"12/30"}}' } }),
      out(2, { service: 'b' }),
    ];
    const r = await exportWireMock(pairs, dir, { redact: false, redactPaths: ['$.card.number'] });
    assert.deepEqual(r.roots.map((x) => [x.service, path.relative(dir, x.dir)]), [['a', 'a'], ['b', 'b']]);
    const a = await importWireMock(path.join(dir, 'a'));
    assert.equal(a.stubs[0].response.headers?.['x-api-key'], 'k1');
    assert.deepEqual(JSON.parse(a.stubs[0].response.body!), { card: { number: '***', exp: '12/30' } });
    const back = await collect(readPairs([dir]));
    assert.deepEqual(back.map((p) => p.service).sort(), ['a', 'b']);
  });

  test('HAR export masks configured JSON body paths in requests and responses', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'x.har');
    await exportHar([{ ...makePair(1), request: { method: 'POST', url: '/pay', headers: {}, body: '{"card":{"number":"4111"},"amount":5}' } } as Pair], file, { redactPaths: ['$.card.number', '$.id'] });
    const har = JSON.parse(await fsp.readFile(file, 'utf8'));
    assert.deepEqual(JSON.parse(har.log.entries[0].request.postData.text), { card: { number: '***' }, amount: 5 });
    assert.deepEqual(JSON.parse(har.log.entries[0].response.content.text), { id: '***' });
  });
});
