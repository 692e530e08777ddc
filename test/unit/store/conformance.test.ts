// Conformance over the real traffic files in ../shared/fixtures (read-only; see each folder's SOURCES.md).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { detectFormat, readPairs, indexSources, type Pair, type SourceIssue, type TrafficFormat } from '../../../src/engine/store/index.js';
import { fixturesRoot, collect } from './helpers.js';

const ABSENT = `../shared/fixtures absent (looked in ${fixturesRoot}); conformance not run`;

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const rel = (f: string) => path.relative(fixturesRoot, f);

async function load(file: string): Promise<{ pairs: Pair[]; issues: SourceIssue[] }> {
  const issues: SourceIssue[] = [];
  const pairs = await collect(readPairs([file], { onIssue: (i) => issues.push(i) }));
  return { pairs, issues };
}

/** What each file should yield, worked out independently from its raw content. */
function expectedCount(file: string, format: TrafficFormat): number {
  const raw = readFileSync(file);
  switch (format) {
    case 'har': {
      const doc = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, '')) as { log: { entries: Array<Record<string, unknown>> } };
      return doc.log.entries.filter((e) => !Array.isArray(e._webSocketMessages)).length; // websocket entries are skipped
    }
    case 'gor':
      return raw.toString('utf8').split('\n🐵🙈🙉\n').filter((p) => /^1 /.test(p)).length;
    case 'proxymock-jsonl':
      return raw.toString('utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as { msgType?: string }).msgType === 'rrpair').length;
    case 'rrpair-md':
      return 1;
    case 'wiremock': {
      // every fixture mapping is a concrete recorded request (url/urlPath + equalToJson bodies)
      const doc = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, '')) as { mappings?: unknown[] };
      return Array.isArray(doc.mappings) ? doc.mappings.length : 1;
    }
    case 'keploy':
      return raw.toString('utf8').split(/^---\s*$/m).filter((d) => /^kind:\s*Http\s*$/m.test(d)).length;
    default:
      return 0;
  }
}

describe('conformance: every real fixture file', () => {
  test('each file readPairs accepts loads without throwing, with the count its content implies', async (t) => {
    if (!existsSync(fixturesRoot)) {
      t.diagnostic(ABSENT);
      t.skip(ABSENT);
      return;
    }
    const byFormat: Record<string, number> = {};
    let totalPairs = 0;
    for (const file of walk(fixturesRoot)) {
      const format = await detectFormat(file);
      byFormat[format] = (byFormat[format] ?? 0) + 1;
      if (/[\\/]mappings[\\/][^\\/]+\.json$/.test(file)) assert.equal(format, 'wiremock', rel(file));
      if (/[\\/]__files[\\/]/.test(file)) assert.equal(format, 'unknown', rel(file)); // WireMock response bodies
      if (format === 'unknown') continue;
      const { pairs, issues } = await load(file);
      assert.equal(pairs.length, expectedCount(file, format), `${rel(file)} (${format}): ${JSON.stringify(issues.slice(0, 3))}`);
      assert.ok(!issues.some((i) => i.severity === 'error'), `${rel(file)}: ${JSON.stringify(issues.filter((i) => i.severity === 'error'))}`);
      for (const p of pairs) {
        assert.ok(p.id && p.ts && p.request.method && p.request.url, rel(file));
        if (p.direction === 'in') assert.ok(p.request.url.startsWith('/'), `${rel(file)}: inbound url ${p.request.url}`);
        else assert.ok(p.service, `${rel(file)}: outbound pair without service`);
        for (const k of Object.keys(p.request.headers)) assert.equal(k, k.toLowerCase());
        assert.ok(!Object.keys(p.request.headers).some((k) => k.startsWith(':')), rel(file));
      }
      totalPairs += pairs.length;
    }
    t.diagnostic(`files by detected format: ${JSON.stringify(byFormat)}; pairs: ${totalPairs}`);
    assert.ok(byFormat.har >= 31 && byFormat.gor >= 2 && byFormat['rrpair-md'] >= 35 && byFormat['proxymock-jsonl'] >= 7 && byFormat.keploy >= 27 && byFormat.wiremock >= 100, JSON.stringify(byFormat));
    // the whole tree at once, as a user would point Reprise at it
    const idx = await indexSources([fixturesRoot]);
    assert.equal(idx.total, totalPairs);
    assert.ok(!idx.issues.some((i) => i.severity === 'error'), JSON.stringify(idx.issues.filter((i) => i.severity === 'error')));
  });

  test('exact counts and details of known files', async (t) => {
    if (!existsSync(fixturesRoot)) {
      t.skip(ABSENT);
      return;
    }
    const f = (p: string) => path.join(fixturesRoot, p);

    const big = await load(f('har/har-to-openapi/test/data/request-generator-all-status-and-method.har'));
    assert.equal(big.pairs.length, 665);
    assert.equal(big.pairs.filter((p) => !p.response).length, 11); // status 0 → request-only
    assert.equal(big.issues.filter((i) => i.severity === 'info' && /status 0/.test(i.message)).length, 11);

    const dd = await load(f('goreplay/DataDog-ecommerce-workshop-traffic-replay/requests_0.gor'));
    assert.equal(dd.pairs.length, 101);
    assert.ok(dd.pairs.every((p) => !p.response && p.request.headers.host === 'localhost:3000'));
    const fk = await load(f('goreplay/FinKingma-etg_mapmaker/requests.gor'));
    assert.equal(fk.pairs.length, 1);
    assert.equal(fk.pairs[0].response?.status, 418);
    assert.equal(fk.pairs[0].response?.body?.length, 1337); // Content-Length of the recorded response

    const ddb = await load(f('speedscale-proxymock-examples/aws/dynamodb/default.jsonl'));
    assert.equal(ddb.pairs.length, 45);
    assert.ok(ddb.pairs.every((p) => p.direction === 'out' && p.service === 'dynamodb.us-west-2.amazonaws.com'));
    const sse = await load(f('speedscale-proxymock-examples/anthropic/claude/message-streaming.jsonl'));
    assert.match(sse.pairs[0].response!.headers['content-type'] as string, /event-stream/);
    assert.match(sse.pairs[0].response!.body!, /^event: message_start/);
    assert.match(sse.pairs[0].response!.body!, /message_stop/); // the whole stream, not the first event

    const bank = await collect(readPairs([f('speedscale-demo/wiremock-export-demo/proxymock')]));
    assert.equal(bank.length, 4);
    assert.ok(bank.every((p) => p.direction === 'out' && p.service === 'banking-gateway'));
    const auth = await collect(readPairs([f('speedscale-demo/node-auth/proxymock')]));
    assert.equal(auth.length, 18);
    assert.ok(auth.every((p) => p.direction === 'in'));
    const withDate = auth.find((p) => p.response?.headers.date)!;
    assert.match(withDate.response!.headers.date as string, /^\w{3}, \d{2} \w{3} \d{4}/); // `\,` unescaped

    const kIssues: SourceIssue[] = [];
    const keploy = await collect(readPairs([f('keploy-samples-typescript')], { onIssue: (i) => kIssues.push(i) }));
    // Keploy's Http tests, per sample (counted from the `kind: Http` documents of each test-set):
    // node-jwt-19768d3 is an older snapshot of node-jwt (config/test-4, keploy/test-set-0, mid/test-set-0 and -2);
    // nestjs-drizzle-supabase/app is the service's source and holds no traffic.
    const inbound = keploy.filter((p) => p.direction === 'in');
    const perSample: Record<string, number> = {};
    for (const p of inbound) perSample[p.id.split('/')[0]] = (perSample[p.id.split('/')[0]] ?? 0) + 1;
    assert.deepEqual(perSample, { 'express-mongoose': 3, 'js-mysql': 4, 'nestjs-drizzle-supabase': 9, 'node-jwt': 7, 'node-jwt-19768d3': 13 });
    assert.ok(inbound.some((p) => p.id === 'node-jwt-19768d3/mid/test-set-2/test-3' && p.request.method === 'GET' && p.request.url === '/api/users'));
    assert.ok(!keploy.some((p) => p.id.startsWith('nestjs-drizzle-supabase/app/')));
    assert.ok(inbound.every((p) => (p.meta?.ignore as string[] | undefined)?.includes('header.date')));
    const kinds = kIssues.filter((i) => i.severity === 'info').map((i) => i.message).join('\n');
    for (const k of ['Mongo', 'SQL']) assert.match(kinds, new RegExp(`Keploy ${k} mock`)); // never replayed or served
    // Keploy Postgres mocks are not skipped: store/postgres reads them for a Postgres wire mock.
    assert.doesNotMatch(kinds, /Keploy Postgres mock/);
  });

  test('mitmproxy edge-case HARs load or are skipped with a reason', async (t) => {
    if (!existsSync(fixturesRoot)) {
      t.skip(ABSENT);
      return;
    }
    const m = (p: string) => path.join(fixturesRoot, 'har/mitmproxy/test/mitmproxy/data', p);

    const bom = await load(m('har_files/with-bom.har'));
    assert.equal(bom.pairs.length, 1);
    assert.deepEqual(bom.issues, []);

    const err = await load(m('flows/error_log.har'));
    assert.equal(err.pairs.length, 2);
    assert.equal(err.pairs[0].response, undefined);
    assert.equal(err.pairs[1].response?.status, 405);
    assert.equal(err.issues[0].entry, 0);
    assert.match(err.issues[0].message, /no response recorded \(status 0\)/);

    const inc = await load(m('flows/incomplete_log.har'));
    assert.equal(inc.pairs.length, 4);
    assert.ok(inc.pairs.every((p) => p.response === undefined));

    const ws = await load(m('flows/websocket.har'));
    assert.equal(ws.pairs.length, 0);
    assert.deepEqual(ws.issues.map((i) => i.entry), [0, 1, 2]);
    assert.ok(ws.issues.every((i) => /WebSocket/.test(i.message)));

    const es = await load(m('flows/event_stream.har'));
    assert.equal(es.pairs.length, 2);
    assert.ok(es.pairs.every((p) => /event-stream/.test(String(p.response?.headers['content-type']))));

    const gz = await load(m('flows/corrupted_gzip_body.har'));
    assert.equal(gz.pairs.length, 1);
    assert.equal(gz.pairs[0].response?.bodyEncoding, 'base64'); // kept as the recorded bytes
    assert.equal(gz.issues.length, 1);
    assert.equal(gz.issues[0].severity, 'warning');
    assert.match(gz.issues[0].message, /gzip.*does not decode/);

    const chrome = await load(m('har_files/chrome.har'));
    assert.equal(chrome.pairs.length, 3);
    assert.ok(chrome.pairs.every((p) => p.request.headers.host)); // from :authority / the URL
  });
});
