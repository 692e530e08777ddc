// `reprise import`: real fixtures of every format → native store → read back; issues and exit codes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fsp } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli, repoRoot } from '../cli/helpers.js';
import { readPairs, type Pair } from '../../../src/engine/store/index.js';

const fixtures = resolve(repoRoot, '../shared/fixtures');
const ABSENT = `../shared/fixtures absent (looked in ${fixtures}); import of real fixtures not run`;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const tmp = () => mkdtemp(join(tmpdir(), 'reprise-import-'));

describe('reprise import', () => {
  test('a mix of real fixtures becomes the native store and reads back with the same counts', async (t) => {
    if (!existsSync(fixtures)) {
      t.diagnostic(ABSENT);
      t.skip(ABSENT);
      return;
    }
    const sources = [
      'har/har-to-openapi/test/data/post-same-endpoint-diff-bodies.har',
      'speedscale-proxymock-examples/aws/dynamodb/default.jsonl',
      'keploy-samples-typescript/node-jwt/keploy/test-set-0',
      'goreplay/FinKingma-etg_mapmaker/requests.gor',
      'wiremock-hub4j-github-api/github/GHGistTest',
    ].map((s) => join(fixtures, s));
    // what each source yields on its own, read directly
    const direct: Pair[] = [];
    for (const s of sources) direct.push(...(await collect(readPairs([s]))));
    assert.ok(direct.length > 60, `direct read: ${direct.length}`);

    const dir = await tmp();
    const out = join(dir, 'store');
    const r = await cli(['import', ...sources, '--out', out], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`imported ${direct.length} pairs`));
    const back = await collect(readPairs([out]));
    assert.equal(back.length, direct.length);
    // the layout: inbound.jsonl + <service>/outbound.jsonl
    const inbound = await collect(readPairs([join(out, 'inbound.jsonl')]));
    assert.equal(inbound.length, direct.filter((p) => p.direction === 'in').length);
    assert.ok(inbound.length > 0 && inbound.every((p) => p.direction === 'in'));
    const services = [...new Set(direct.filter((p) => p.direction === 'out').map((p) => p.service!))].sort();
    assert.deepEqual(services, ['dynamodb.us-west-2.amazonaws.com', 'lifecycleTest', 'starTest']);
    for (const s of services) {
      const file = join(out, s, 'outbound.jsonl');
      const got = await collect(readPairs([file]));
      assert.equal(got.length, direct.filter((p) => p.service === s).length, s);
      assert.match(r.out, new RegExp(`outbound ${s.replace(/\./g, '\\.')}\\s+${got.length}\\s`));
    }
    // same pairs, same content (ids, bodies) in the same order per direction
    assert.deepEqual(back.map((p) => p.id).sort(), direct.map((p) => p.id).sort());
    const gist = back.find((p) => p.service === 'lifecycleTest' && p.request.method === 'POST')!;
    assert.match(gist.request.body!, /Test Gist/);
  });

  test('problems are printed as file:line lines and the rest is imported (exit 0); --redact masks secrets', async () => {
    const dir = await tmp();
    const lines = [
      JSON.stringify({ id: 'a', ts: '2024-01-01T00:00:00Z', direction: 'in', request: { method: 'GET', url: '/a', headers: { authorization: 'Bearer s3cret' } }, response: { status: 200, body: '{"card":{"number":"4111"}}' } }),
      '{ not json',
      JSON.stringify({ id: 'b', ts: '2024-01-01T00:00:01Z', direction: 'out', service: 'pay', request: { method: 'POST', url: 'http://pay/charge' }, response: { status: 201 } }),
    ];
    await fsp.writeFile(join(dir, 'mixed.jsonl'), lines.join('\n') + '\n');
    const r = await cli(['import', 'mixed.jsonl', '--out', 'store', '--redact', '--redact-path', '$.card.number'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^mixed\.jsonl:2: error: invalid JSON/m);
    assert.match(r.out, /inbound\s+1\s+store\/inbound\.jsonl/);
    assert.match(r.out, /outbound pay\s+1\s+store\/pay\/outbound\.jsonl/);
    assert.match(r.out, /1 error/);
    const [a] = await collect(readPairs([join(dir, 'store/inbound.jsonl')]));
    assert.equal(a.request.headers.authorization, 'Bearer ***');
    assert.deepEqual(JSON.parse(a.response!.body!), { card: { number: '***' } });
    // without --redact the store keeps what was recorded
    const r2 = await cli(['import', 'mixed.jsonl', '--out', 'store2', '--json'], dir);
    assert.equal(r2.code, 0);
    assert.equal(JSON.parse(r2.out).total, 2);
    const [a2] = await collect(readPairs([join(dir, 'store2/inbound.jsonl')]));
    assert.equal(a2.request.headers.authorization, 'Bearer s3cret');
  });

  test('--direction out and --service name a HAR capture of a dependency', async () => {
    const dir = await tmp();
    const har = {
      log: {
        version: '1.2',
        entries: [
          {
            startedDateTime: '2024-01-01T00:00:00Z',
            time: 3,
            request: { method: 'GET', url: 'https://api.stripe.test/v1/x', headers: [], httpVersion: 'HTTP/1.1' },
            response: { status: 200, headers: [], content: { text: 'ok', mimeType: 'text/plain' } },
          },
        ],
      },
    };
    await fsp.writeFile(join(dir, 'dep.har'), JSON.stringify(har));
    const r = await cli(['import', 'dep.har', '--out', 'store', '--direction', 'out', '--service', 'stripe'], dir);
    assert.equal(r.code, 0, r.err);
    const pairs = await collect(readPairs([join(dir, 'store/stripe/outbound.jsonl')]));
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].service, 'stripe');
    assert.equal(pairs[0].direction, 'out');
  });

  test('exit 2 for usage errors, 3 when nothing could be read', async () => {
    const dir = await tmp();
    await fsp.writeFile(join(dir, 'junk.har'), 'this is not traffic');
    assert.equal((await cli(['import', 'junk.har'], dir)).code, 2); // no --out
    assert.equal((await cli(['import', '--out', 'x'], dir)).code, 2); // no source
    assert.equal((await cli(['import', 'junk.har', '--out', 'x', '--format', 'pcap'], dir)).code, 2);
    assert.equal((await cli(['import', '.', '--out', 'inside'], dir)).code, 2); // store inside the source
    const r = await cli(['import', 'junk.har', '--out', 'x'], dir);
    assert.equal(r.code, 3);
    assert.match(r.err, /junk\.har: warning: not a recognised traffic format/);
    assert.match(r.err, /nothing could be read/);
    const missing = await cli(['import', 'nope.jsonl', '--out', 'x'], dir);
    assert.equal(missing.code, 3);
    assert.match(missing.err, /traffic source not found/);
  });
});
