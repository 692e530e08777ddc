// `reprise record`: prints where to send traffic and the HTTP_PROXY for the app, a line per pair with -v,
// and on stop (Ctrl-C → abort) flushes the files and prints the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runRecord, recordCommand } from '../../../src/cli/commands/record.js';
import { UsageError, type Io } from '../../../src/cli/util.js';
import { tmpDir, serve, rawRequest, readStore } from './helpers.js';

function memIo(cwd: string): Io & { text: () => string; errText: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { out, err, env: {}, cwd, text: () => o, errText: () => e };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

test('record: prints the URLs, records, and on stop flushes and prints counts', async () => {
  const dep = await serve(http.createServer((_req, res) => res.end('{"ok":true}')));
  const app = await serve(http.createServer((_req, res) => res.end('hello')));
  const cwd = await tmpDir();
  const io = memIo(cwd);
  const ac = new AbortController();
  try {
    const running = runRecord(
      ['--app-port', String(app.port), '--in-port', '0', '--out-port', '0', '--out', 'rec', '--service', `deps=127.0.0.1:${dep.port}`, '-v', '--redact'],
      io,
      ac.signal,
    );
    await until(() => io.text().includes('Ctrl-C'));
    const inUrl = /inbound\s+(http:\/\/\S+)/.exec(io.text())![1];
    const proxy = /HTTP_PROXY=(http:\/\/\S+)/.exec(io.text())![1];
    assert.match(io.text(), new RegExp(`reprise record: http://127.0.0.1:${app.port}`));
    assert.match(io.text(), /secrets redacted/);

    const r = await rawRequest(`${inUrl}/hi`, { headers: { authorization: 'Bearer abc' } });
    assert.equal(r.body.toString(), 'hello');
    const p = new URL(proxy);
    const d = await rawRequest(`http://${p.host}/`, { path: `${dep.url}/thing`, headers: { host: `127.0.0.1:${dep.port}` } });
    assert.equal(d.body.toString(), '{"ok":true}');

    ac.abort();
    assert.equal(await running, 0);
    const text = io.text();
    assert.match(text, /^in  conn-\d+ #0 GET \/hi → 200/m);
    assert.match(text, new RegExp(`^out default #0 deps GET ${dep.url.replace(/[.]/g, '\\.')}/thing → 200`, 'm'));
    assert.match(text, /recorded 1 inbound, 1 outbound, 0 tunnels → /);
    assert.match(text, /^ {2}deps\/outbound\.jsonl$/m);
    const [pair] = await readStore(path.join(cwd, 'rec', 'inbound.jsonl'));
    assert.equal(pair.request.headers.authorization, 'Bearer ***');
    assert.equal((await readStore(path.join(cwd, 'rec', 'deps', 'outbound.jsonl'))).length, 1);
  } finally {
    ac.abort();
    await app.close();
    await dep.close();
  }
});

test('record: usage errors', async () => {
  const io = memIo(await tmpDir());
  const signal = new AbortController().signal;
  await assert.rejects(runRecord([], io, signal), (e: Error) => e instanceof UsageError && /--app-port is required/.test(e.message));
  await assert.rejects(runRecord(['--app-port', 'x'], io, signal), UsageError);
  await assert.rejects(runRecord(['--app-port', '80', '--service', 'nohost'], io, signal), /NAME=HOST/);
  await assert.rejects(runRecord(['--app-port', '80', '--redact-path', '$.x'], io, signal), /needs --redact/);
  assert.equal(typeof recordCommand.run, 'function');
  assert.match(recordCommand.help, /--app-port/);
  assert.ok(recordCommand.summary.length > 0);
});
