import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readPairs, detectFormat, noiseToIgnore, splitHeaderValue, GOR_SEPARATOR } from '../../../src/engine/store/index.js';
import { tmpDir, collect, issueSink } from './helpers.js';

async function put(dir: string, rel: string, content: string | Buffer): Promise<string> {
  const f = path.join(dir, rel);
  await fsp.mkdir(path.dirname(f), { recursive: true });
  await fsp.writeFile(f, content);
  return f;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('proxymock JSON lines', () => {
  test('rrpairs become pairs; OUT gets service from the host; SSE kept whole; bad lines reported', async () => {
    const dir = await tmpDir();
    const sse = 'event: a\ndata: {"x":1}\n\nevent: b\ndata: {"x":2}\n\n';
    const line1 = {
      msgType: 'rrpair', ts: '2025-03-18T17:28:55.084160Z', duration: 120, uuid: 'u-1', direction: 'OUT', l7protocol: 'https',
      network_address: 'api.example.com:443', tags: { sequence: '7' }, session: 'sess-a',
      http: {
        req: { url: '/v1/messages', method: 'POST', host: 'api.example.com', headers: { 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'] }, bodyBase64: b64('{"q":1}') },
        res: { statusCode: 200, headers: { 'Content-Type': ['text/event-stream'] }, bodyBase64: b64(sse) },
      },
    };
    const line3 = { msgType: 'rrpair', ts: '2025-03-18T17:29:00Z', uuid: 'u-2', direction: 'IN', http: { req: { url: '/health?full=1', method: 'GET', headers: {} }, res: { statusCode: 204, headers: {} } } };
    const file = await put(dir, 'rec.jsonl', [JSON.stringify(line1), '{"msgType": "rrpair", oops', JSON.stringify(line3), JSON.stringify({ msgType: 'other' })].join('\n') + '\n');
    assert.equal(await detectFormat(file), 'proxymock-jsonl');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([file], { onIssue }));
    assert.equal(pairs.length, 2);
    const [o, i] = pairs;
    assert.equal(o.id, 'u-1');
    assert.equal(o.direction, 'out');
    assert.equal(o.service, 'api.example.com');
    assert.equal(o.request.url, 'https://api.example.com/v1/messages');
    assert.equal(o.session, 'sess-a');
    assert.equal(o.seq, 7);
    assert.equal(o.duration, 120);
    assert.deepEqual(o.request.headers['x-multi'], ['a', 'b']);
    assert.equal(o.request.body, '{"q":1}');
    assert.equal(o.response?.body, sse);
    assert.equal(i.direction, 'in');
    assert.equal(i.request.url, '/health?full=1');
    assert.equal(i.service, undefined);
    assert.equal(i.response?.status, 204);
    assert.deepEqual(issues.map((x) => [x.line, x.severity]), [[2, 'error'], [4, 'info']]);
  });
});

const MD_IN = `### REQUEST ###
\`\`\`
POST http://localhost:8080/checkout?x=1 HTTP/1.1
Accept: */*
Accept-Encoding: gzip\\, deflate
Content-Type: application/json
Host: localhost:8080
\`\`\`

\`\`\`
{ "cart": "c1" }
\`\`\`

### RESPONSE ###
\`\`\`
HTTP/1.1 201 Created
Date: Wed\\, 27 May 2026 19:08:01 GMT
Vary: Origin, Accept
\`\`\`

\`\`\`
{ "order": "o1" }
\`\`\`

### SIGNATURE ###
\`\`\`
http:host is localhost
\`\`\`

### METADATA ###
\`\`\`
direction: IN
uuid: 083f97f0-cfd8-416b-ac9c-1212d3e0c7ca
ts: 2026-05-27T19:08:01.430262Z
duration: 71ms
tags: captureMode=proxy, sequence=3, source=goproxy
\`\`\`

### INTERNAL - DO NOT MODIFY ###
\`\`\`
json: {"msgType":"rrpair"}
\`\`\`
`;

const MD_OUT = `### REQUEST ###
\`\`\`
GET http://payment-api:80/charges/42 HTTP/1.1
Host: payment-api
\`\`\`

\`\`\`
\`\`\`

### RESPONSE ###
\`\`\`
HTTP/1.1 200 OK
\`\`\`

### METADATA ###
\`\`\`
direction: OUT
uuid: out-1
ts: 2026-05-27T19:08:01.5Z
duration: 2ms
tags: sequence=4
\`\`\`
`;

describe('proxymock RRPair Markdown', () => {
  test('IN and OUT files: escapes, repeated values, absent bodies, service = host folder', async () => {
    const dir = await tmpDir();
    await put(dir, 'recorded-1/localhost/2026-05-27_19-08-01.430262Z.md', MD_IN);
    await put(dir, 'recorded-1/payment-api/2026-05-27_19-08-01.5Z.md', MD_OUT);
    await put(dir, 'recorded-1/proxymock.log', 'log text');
    await put(dir, 'recorded-1/localhost/broken.md', '### REQUEST ###\n```\nnot a request line\n```\n');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([dir], { onIssue }));
    assert.equal(pairs.length, 2);
    const [i, o] = pairs;
    assert.equal(i.id, '083f97f0-cfd8-416b-ac9c-1212d3e0c7ca');
    assert.equal(i.direction, 'in');
    assert.equal(i.session, 'recorded-1');
    assert.equal(i.seq, 3);
    assert.equal(i.duration, 71);
    assert.equal(i.request.url, '/checkout?x=1');
    assert.equal(i.request.headers['accept-encoding'], 'gzip, deflate');
    assert.equal(i.request.body, '{ "cart": "c1" }');
    assert.equal(i.response?.status, 201);
    assert.equal(i.response?.headers.date, 'Wed, 27 May 2026 19:08:01 GMT');
    assert.deepEqual(i.response?.headers.vary, ['Origin', 'Accept']);
    assert.equal(i.response?.body, '{ "order": "o1" }');
    assert.equal(o.direction, 'out');
    assert.equal(o.service, 'payment-api');
    assert.equal(o.request.url, 'http://payment-api:80/charges/42');
    assert.equal(o.request.body, undefined);
    assert.equal(o.response?.body, undefined);
    assert.equal(issues.length, 1);
    assert.match(issues[0].file, /broken\.md$/);
    assert.equal(issues[0].line, 3);
    assert.match(issues[0].message, /bad request line/);
  });

  test('splitHeaderValue keeps escaped commas and splits repeated values', () => {
    assert.deepEqual(splitHeaderValue('no-cache\\, no-store'), ['no-cache, no-store']);
    assert.deepEqual(splitHeaderValue('a, b\\, c'), ['a', 'b, c']);
    assert.deepEqual(splitHeaderValue('a,b'), ['a,b']);
  });
});

describe('GoReplay', () => {
  const req = (id: string, ts: string, pathname: string, extra = '') => `1 ${id} ${ts}\nGET ${pathname} HTTP/1.1\r\nHost: svc:8080\r\n${extra}\r\n`;
  const res = (id: string, ts: string, lat: string | undefined, status: number, body: string, extraHeaders = '') =>
    `2 ${id} ${ts}${lat ? ' ' + lat : ''}\nHTTP/1.1 ${status} X\r\nContent-Type: text/plain\r\n${extraHeaders}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

  test('requests and responses correlate by id (3- and 4-field headers); request-only pairs; type 3 ignored', async () => {
    const dir = await tmpDir();
    const chunked = '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const payloads = [
      req('aa', '1617867909414492368', '/a'),
      req('bb', '1617867909500000000', '/b?q=1'),
      res('bb', '1617867909510000000', '3000000', 404, 'nope'),
      res('aa', '1617867909415000000', undefined, 200, 'A\nline2'),
      `3 aa 1617867909999000000 1\nHTTP/1.1 500 X\r\n\r\n`,
      req('cc', '1617867909600000000', '/c'),
      `2 dd 1617867909600000000 1\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
      'garbage header\nGET / HTTP/1.1\r\n\r\n',
    ];
    const file = await put(dir, 'requests.gor', payloads.join(GOR_SEPARATOR) + GOR_SEPARATOR);
    assert.equal(await detectFormat(file), 'gor');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([file], { onIssue }));
    assert.deepEqual(pairs.map((p) => p.id), ['aa', 'bb', 'cc']);
    const [a, b, c] = pairs;
    assert.equal(a.request.url, '/a');
    assert.equal(a.request.headers.host, 'svc:8080');
    assert.equal(a.response?.status, 200);
    assert.equal(a.response?.body, 'A\nline2');
    assert.equal(a.duration, 0.507632); // (…415000000 − …414492368) ns, computed exactly
    assert.equal(a.ts, new Date(1617867909414).toISOString());
    assert.equal(b.response?.status, 404);
    assert.equal(b.duration, 3);
    assert.equal(c.response, undefined);
    assert.deepEqual(pairs.map((p) => p.seq), [0, 1, 2]);
    assert.equal(a.session, 'requests');
    const msgs = issues.map((i) => `${i.severity}:${i.message}`);
    assert.ok(msgs.some((m) => /^info:replayed responses/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^info:.*response dd has no request/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^warning:payload 7 skipped: bad header line/.test(m)), msgs.join('\n'));
  });

  test('.gor.gz, chunked and gzip-encoded response bodies are decoded', async () => {
    const dir = await tmpDir();
    const gz = gzipSync(Buffer.from('{"ok":1}'));
    const resPayload = Buffer.concat([
      Buffer.from(`2 r1 1617867909415000000 1000000\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`),
      gz,
    ]);
    const content = Buffer.concat([Buffer.from(req('r1', '1617867909414492368', '/z') + GOR_SEPARATOR), resPayload, Buffer.from(GOR_SEPARATOR)]);
    const file = await put(dir, 'cap.gor.gz', gzipSync(content));
    assert.equal(await detectFormat(file), 'gor');
    const [p] = await collect(readPairs([file]));
    assert.equal(p.response?.body, '{"ok":1}');
    assert.equal(p.duration, 1);
  });
});

describe('Keploy', () => {
  const TEST = `version: api.keploy.io/v1beta1
kind: Http
name: test-3
spec:
    metadata: {}
    req:
        method: POST
        url: http://localhost:8080/api/items?x=1
        header:
            Content-Type: application/json
            Host: localhost:8080
        body: '{"name":"a"}'
        timestamp: 2024-07-26T12:25:06.879768012+05:30
    resp:
        status_code: 201
        header:
            Date: Fri, 26 Jul 2024 06:55:06 GMT
        body: '{"id":7,"name":"a"}'
        timestamp: 2024-07-26T12:25:06.989768012+05:30
    assertions:
        noise:
            header.Date: []
            body.id: []
            body.items.0.sku: []
    created: 1721976909
`;
  const MOCKS = `version: api.keploy.io/v1beta1
kind: Http
name: mock-0
spec:
    metadata: {name: Http, operation: GET, type: HTTP_CLIENT}
    req: {method: GET, url: "http://pokeapi.co:443/api/v2/location-area", header: {Accept-Encoding: gzip}, body: "", timestamp: 0001-01-01T00:00:00Z}
    resp: {status_code: 200, header: {Content-Type: application/json}, body: '{"count":1054}'}
    reqTimestampMock: 2024-08-02T12:22:03.420647819+05:30
    resTimestampMock: 2024-08-02T12:22:03.520647819+05:30
---
version: api.keploy.io/v1beta1
kind: Postgres
name: mock-1
spec:
    metadata: {type: config}
---
version: api.keploy.io/v1beta1
kind: Http
name: mock-2
spec:
    req: {method: GET, url: [unclosed
---
version: api.keploy.io/v1beta1
kind: Postgres
name: mock-3
spec: {}
`;

  test('tests/*.yaml are inbound with noise kept as ignore paths; mocks.yaml HTTP_CLIENT outbound, other kinds noted', async () => {
    const dir = await tmpDir();
    await put(dir, 'app/keploy/test-set-0/tests/test-3.yaml', TEST);
    const mocks = await put(dir, 'app/keploy/test-set-0/mocks.yaml', MOCKS);
    await put(dir, 'app/keploy/reports/test-run-0/test-set-0-report.yaml', 'version: api.keploy.io/v1beta1\nname: report\ntests:\n    - kind: Http\n');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([dir], { onIssue }));
    assert.equal(pairs.length, 2);
    const [m, t] = pairs; // mocks.yaml sorts before tests/
    assert.equal(m.direction, 'out');
    assert.equal(m.service, 'pokeapi.co');
    assert.equal(m.request.url, 'http://pokeapi.co:443/api/v2/location-area');
    assert.equal(m.request.body, undefined);
    assert.equal(m.ts, '2024-08-02T12:22:03.420647819+05:30');
    assert.equal(m.duration, 100);
    assert.equal(t.direction, 'in');
    assert.equal(t.id, 'app/keploy/test-set-0/test-3');
    assert.equal(t.session, 'app/keploy/test-set-0');
    assert.equal(t.seq, 3);
    assert.equal(t.request.url, '/api/items?x=1');
    assert.equal(t.response?.status, 201);
    assert.equal(t.duration, 110);
    assert.deepEqual(t.meta?.ignore, ['header.date', '$.id', '$.items[0].sku']);
    const mockIssues = issues.filter((i) => i.file === mocks);
    // Postgres mocks are not HTTP pairs and not an issue either: store/postgres reads them for a Postgres mock.
    assert.equal(mockIssues.length, 1, JSON.stringify(issues));
    const yamlErr = mockIssues.find((i) => i.severity === 'error');
    assert.match(yamlErr!.message, /invalid YAML/);
    assert.equal(yamlErr!.entry, 2);
    assert.ok(yamlErr!.line! >= 21 && yamlErr!.line! <= 22, String(yamlErr!.line)); // the [unclosed flow sequence
  });

  test('noiseToIgnore', () => {
    assert.equal(noiseToIgnore('header.Date'), 'header.date');
    assert.equal(noiseToIgnore('body.id'), '$.id');
    assert.equal(noiseToIgnore('body.a.1.b-c'), "$.a[1]['b-c']");
    assert.equal(noiseToIgnore('body'), '$');
  });
});
