// `reprise export`: HAR with secrets masked by default, WireMock folders served back by a MockServer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, exampleDir } from '../cli/helpers.js';
import { importWireMock } from '../../../src/engine/mocks/wiremock.js';
import { readPairs, type Pair } from '../../../src/engine/store/index.js';
import { startServer, send } from '../mocks/helpers.js';

const traffic = join(exampleDir, 'traffic');
const tmp = () => mkdtemp(join(tmpdir(), 'reprise-export-'));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

type HarEntry = { request: { headers: Array<{ name: string; value: string }> }; response: { content: { text?: string } } };

describe('reprise export', () => {
  test('HAR: authorization masked by default, kept with --no-redact; --redact-path masks body fields', async () => {
    const dir = await tmp();
    const recorded = (await collect(readPairs([traffic]))).filter((p) => p.request.headers.authorization);
    assert.ok(recorded.length > 5);
    const secret = recorded[0].request.headers.authorization as string;
    assert.match(secret, /^Bearer tok_/);

    const r = await cli(['export', traffic, '--format', 'har', '--out', 'out.har'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote 59 entries/);
    const text = await fsp.readFile(join(dir, 'out.har'), 'utf8');
    const har = JSON.parse(text) as { log: { entries: HarEntry[] } };
    // (the login response body holds the token too: bodies are masked only at --redact-path paths)
    assert.ok(!JSON.stringify(har.log.entries.map((e) => e.request.headers)).includes(secret.slice(7)), 'token must not appear in any header');
    const auths = har.log.entries.flatMap((e) => e.request.headers.filter((h) => h.name === 'authorization').map((h) => h.value));
    assert.equal(auths.length, recorded.length);
    assert.ok(auths.every((v) => v === 'Bearer ***'), auths.join(','));

    const raw = await cli(['export', traffic, '--format', 'har', '--out', 'raw.har', '--no-redact'], dir);
    assert.equal(raw.code, 0, raw.err);
    assert.match(raw.out, /NOT masked/);
    assert.ok((await fsp.readFile(join(dir, 'raw.har'), 'utf8')).includes(secret));

    const paths = await cli(['export', traffic, '--format', 'har', '--out', 'p.har', '--direction', 'in', '--redact-path', '$.access_token', '--json'], dir);
    assert.equal(paths.code, 0, paths.err);
    assert.equal(JSON.parse(paths.out).written, 43);
    const ph = JSON.parse(await fsp.readFile(join(dir, 'p.har'), 'utf8')) as { log: { entries: HarEntry[] } };
    const tokens = ph.log.entries.map((e) => e.response.content.text ?? '').filter((t) => t.includes('access_token'));
    assert.ok(tokens.length > 0);
    assert.ok(tokens.every((t) => JSON.parse(t).access_token === '***'));
  });

  test('WireMock: the payment-api traffic as mappings, served by a MockServer with the recorded responses', async () => {
    const dir = await tmp();
    const r = await cli(['export', traffic, '--format', 'wiremock', '--out', 'wm'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote 16 WireMock mappings/);
    const recorded = await collect(readPairs([join(traffic, 'payment-api')]));
    const { stubs, issues } = await importWireMock(join(dir, 'wm'));
    assert.deepEqual(issues, []);
    assert.equal(stubs.length, recorded.length);
    const server = await startServer(stubs);
    try {
      // every recorded call, in recorded order, gets the recorded status and body
      for (const p of [...recorded].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts))) {
        const url = new URL(p.request.url, 'http://x');
        const res = await send(server.url, p.request.method, url.pathname + url.search, {
          headers: { 'content-type': String(p.request.headers['content-type'] ?? 'application/json') },
          body: p.request.body,
        });
        assert.equal(res.status, p.response!.status, `${p.id} ${p.request.method} ${p.request.url}`);
        assert.deepEqual(res.json(), JSON.parse(p.response!.body!), p.id);
      }
    } finally {
      await server.stop();
    }
  });

  test('rrpair export, filters and exit codes', async () => {
    const dir = await tmp();
    const r = await cli(['export', traffic, '--format', 'rrpair', '--out', 'md', '--session', 'probe'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote 6 RRPair files/);
    const hosts = await fsp.readdir(join(dir, 'md'));
    assert.deepEqual(hosts, ['127.0.0.1']);
    assert.equal((await cli(['export', traffic, '--out', 'x'], dir)).code, 2); // no --format
    assert.equal((await cli(['export', traffic, '--format', 'postman', '--out', 'x'], dir)).code, 2);
    const none = await cli(['export', traffic, '--format', 'har', '--out', 'none.har', '--service', 'nobody'], dir);
    assert.equal(none.code, 3);
    assert.match(none.err, /no pairs to export/);
  });
});
