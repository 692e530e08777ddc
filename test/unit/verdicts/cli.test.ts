// CLI surface of issue 8: `reprise baseline set|show|clear`, `reprise run --no-start`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cli } from '../cli/helpers.js';
import { RunWriter, getBaseline } from '../../../src/engine/report/index.js';
import { tmpDir } from './helpers.js';

describe('reprise baseline', () => {
  test('set (a run id or latest), show and clear', async () => {
    const dir = await tmpDir();
    const runsDir = path.join(dir, 'runs');
    const ids: string[] = [];
    for (const status of ['completed', 'aborted'] as const) {
      const w = await RunWriter.create(runsDir, { target: 'http://127.0.0.1:1', traffic: [], junit: false });
      await w.finish({ status });
      ids.push(w.runId);
      await new Promise((r) => setTimeout(r, 5));
    }
    let r = await cli(['baseline', 'show', '--runs-dir', runsDir], dir);
    assert.equal(r.code, 0);
    assert.match(r.out, /no baseline set/);

    r = await cli(['baseline', 'set', ids[0], '--runs-dir', runsDir], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `baseline set to ${ids[0]}\n`);
    assert.equal(await getBaseline(runsDir), ids[0]);

    r = await cli(['baseline', 'set', 'latest', '--runs-dir', runsDir], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`baseline set to ${ids[1]} \\(note: that run is aborted\\)`));

    r = await cli(['baseline', 'show', '--runs-dir', runsDir], dir);
    assert.match(r.out, new RegExp(`^baseline: ${ids[1]} \\(aborted, verdict aborted, started `));

    r = await cli(['baseline', 'clear', '--runs-dir', runsDir], dir);
    assert.equal(r.code, 0);
    assert.equal(await getBaseline(runsDir), null);

    r = await cli(['baseline', 'set', 'nope', '--runs-dir', runsDir], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /run 'nope' not found/);
    r = await cli(['baseline', 'frobnicate', '--runs-dir', runsDir], dir);
    assert.equal(r.code, 2);
  });
});

describe('reprise run --no-start', () => {
  test('does not start sut.command but still waits for readiness of the running service', async () => {
    const dir = await tmpDir();
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(req.url === '/health' ? 'ok' : 'hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const pair = { id: 'p1', session: 's', seq: 0, ts: '2026-01-01T00:00:00Z', direction: 'in', request: { method: 'GET', url: '/', headers: {} }, response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'hello' } };
      await fsp.writeFile(path.join(dir, 'in.jsonl'), JSON.stringify(pair) + '\n');
      const cfg = { target: `http://127.0.0.1:${port}`, traffic: './in.jsonl', sut: { command: 'exit 9', ready: { url: '/health', timeout: '2s' } } };
      await fsp.writeFile(path.join(dir, 'reprise.yaml'), stringify(cfg));

      const r = await cli(['run', '-q', '--no-start', '--json'], dir);
      assert.equal(r.code, 0, r.out + r.err);
      const s = JSON.parse(r.out);
      assert.equal(s.verdict, 'pass');
      assert.match(s.phases.find((p: { name: string }) => p.name === 'service').detail, /^started by hand; ready after/);
      assert.equal(s.sut, undefined, 'sut.command (exit 9) was not started');
    } finally {
      server.close();
    }
  });
});
