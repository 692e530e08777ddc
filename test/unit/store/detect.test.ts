import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectFormat, detectFormatFromHead, readPairs } from '../../../src/engine/store/index.js';
import { tmpDir, collect, issueSink, makePair } from './helpers.js';

describe('detectFormat', () => {
  const cases: Array<[string, string, string]> = [
    ['native jsonl', JSON.stringify(makePair(1)) + '\n', 'jsonl'],
    ['native jsonl with a bad first line', 'oops\n' + JSON.stringify(makePair(1)) + '\n', 'jsonl'],
    ['proxymock jsonl', JSON.stringify({ msgType: 'rrpair', direction: 'OUT', http: { req: {} } }) + '\n', 'proxymock-jsonl'],
    ['proxymock jsonl, first line longer than the sniff', '{"msgType":"rrpair","x":"' + 'a'.repeat(40000) + '"}\n', 'proxymock-jsonl'],
    ['HAR pretty', '{\n  "log": {\n    "version": "1.2",\n    "entries": []\n  }\n}', 'har'],
    ['HAR one line with BOM', '\uFEFF{"log":{"entries":[]}}', 'har'],
    ['rrpair md', '### REQUEST ###\n```\nGET http://h/ HTTP/1.1\n```\n', 'rrpair-md'],
    ['gor 4 fields', '1 267192e01673d24ab22798d0 1617867909414492368 0\nGET / HTTP/1.1\r\n\r\n', 'gor'],
    ['gor 3 fields', '1 b33c9c1a2bae6636d5389a1a47035170c58d367e 1568139746437296000\nGET / HTTP/1.1\r\n', 'gor'],
    ['keploy test', 'version: api.keploy.io/v1beta1\nkind: Http\nname: test-1\nspec:\n  req: {}\n', 'keploy'],
    ['keploy report (not traffic)', 'version: api.keploy.io/v1beta1\nname: report-1\ntests:\n  - kind: Http\n', 'unknown'],
    ['wiremock mapping', '{\n  "id": "x",\n  "name": "user",\n  "request": { "url": "/user", "method": "GET" },\n  "response": { "status": 200 }\n}', 'wiremock'],
    ['wiremock mappings file', '{ "mappings": [ { "request": {}, "response": {} } ] }', 'wiremock'],
    ['plain JSON', '{ "login": "octocat", "id": 1 }', 'unknown'],
    ['markdown', '# Sources\n- repo', 'unknown'],
  ];
  for (const [name, content, want] of cases) {
    test(name, async () => {
      const dir = await tmpDir();
      const plain = path.join(dir, 'f.dat'); // a neutral name: content decides
      await fsp.writeFile(plain, content);
      assert.equal(await detectFormat(plain), want);
      const gz = path.join(dir, 'f.dat.gz');
      await fsp.writeFile(gz, gzipSync(Buffer.from(content)));
      assert.equal(await detectFormat(gz), want, 'gzipped');
    });
  }

  test('an empty .jsonl is native; an empty other file is unknown', () => {
    assert.equal(detectFormatFromHead('', 'x.jsonl'), 'jsonl');
    assert.equal(detectFormatFromHead('', 'x.har'), 'unknown');
  });

  test('readPairs reads WireMock mappings as outbound pairs alongside the rest', async () => {
    const dir = await tmpDir();
    await fsp.mkdir(path.join(dir, 'mappings'));
    const mapping = path.join(dir, 'mappings', 'user.json');
    await fsp.writeFile(mapping, '{"request":{"url":"/u","method":"GET"},"response":{"status":200}}');
    await fsp.writeFile(path.join(dir, 'store.jsonl'), JSON.stringify(makePair(3)) + '\n');
    const { issues, onIssue } = issueSink();
    const pairs = await collect(readPairs([dir], { onIssue }));
    assert.deepEqual(pairs.map((p) => p.id), ['mappings/user.json', 'p3']);
    assert.deepEqual([pairs[0].direction, pairs[0].request.url, pairs[0].response?.status], ['out', '/u', 200]);
    assert.equal(pairs[0].service, path.basename(dir));
    assert.deepEqual(issues, []);
  });
});
