import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WebviewClient, type WireMessage } from '../../../src/shared/ipc.js';
import { HostEndpoint } from '../../../src/shared/ipc-host.js';
import { ignorePath, addTolerance, diffInit } from '../../../src/shared/protocols/diff.js';
import { draftStubs, saveStubs } from '../../../src/shared/protocols/unmatched.js';
import { openDiff, rerunFailed } from '../../../src/shared/protocols/report.js';
import { probeReply } from '../../../src/shared/protocols/common.js';

/** A host and a webview client wired back to back (messages go through JSON, as postMessage clones them). */
function pair() {
  const toWebview: WireMessage[] = [];
  const invalid: string[] = [];
  let client!: WebviewClient;
  const host = new HostEndpoint(
    (m) => {
      toWebview.push(m);
      client.receive(JSON.parse(JSON.stringify(m)));
    },
    (w) => invalid.push(w),
  );
  const pending: Promise<void>[] = [];
  client = new WebviewClient((m) => pending.push(host.receive(JSON.parse(JSON.stringify(m)))));
  return { host, client, toWebview, invalid, settle: () => Promise.all(pending) };
}

describe('typed webview messages', () => {
  test('a request gets the typed reply of its handler, matched by id', async () => {
    const { host, client } = pair();
    host.onRequest(ignorePath, async ({ path }) => ({ ok: true, message: `ignored ${path}` }));
    host.onRequest(addTolerance, ({ path, tolerance }) => ({ ok: true, message: `${path}±${tolerance}` }));
    const [a, b] = await Promise.all([client.request(ignorePath, { path: '$.total' }), client.request(addTolerance, { path: '$.tax', tolerance: 2 })]);
    assert.deepEqual(a, { ok: true, message: 'ignored $.total' });
    assert.deepEqual(b, { ok: true, message: '$.tax±2' });
  });

  test('payloads are checked with zod on arrival: a bad request is answered with an error, not handled', async () => {
    const { host, client, invalid } = pair();
    let called = 0;
    host.onRequest(draftStubs, () => {
      called++;
      return { text: '', schema: {}, notes: [] };
    });
    host.onRequest(saveStubs, () => {
      called++;
      return { ok: true, files: [], errors: [] };
    });
    await assert.rejects(client.request(draftStubs, { callIds: [], mode: 'new' }), /bad parameters for 'unmatched\/draft'.*callIds/);
    await assert.rejects(
      client.request(draftStubs, { callIds: ['a'], mode: 'rm -rf' as 'new' }),
      /mode/,
    );
    await assert.rejects(client.request(saveStubs, { text: 42 as unknown as string }), /text/);
    assert.equal(called, 0);
    assert.equal(invalid.length, 3, 'bad requests to known methods are reported');
  });

  test('an unknown request method is answered with an error; a throwing handler becomes an error reply', async () => {
    const { host, client } = pair();
    host.onRequest(rerunFailed, () => {
      throw new Error('replay failed: ECONNREFUSED');
    });
    await assert.rejects(client.request(rerunFailed, {}), /ECONNREFUSED/);
    await assert.rejects(client.request({ kind: 'request', method: 'nope/x' }, { path: '$' }), /unknown request 'nope\/x'/);
  });

  test('commands with bad payloads are dropped and reported; good ones reach the handler', async () => {
    const { host, client, invalid, settle } = pair();
    const seen: string[] = [];
    host.onCommand(openDiff, ({ pairId }) => void seen.push(pairId));
    client.command(openDiff, { pairId: 'p-1' });
    client.command(openDiff, { pairId: '' });
    client.command(openDiff, { pairId: 'p-2', extra: 1 } as unknown as { pairId: string });
    client.command(probeReply, { id: 1, text: 'x', counts: { a: -1 } });
    await settle();
    assert.deepEqual(seen, ['p-1']);
    assert.equal(invalid.length, 3);
    assert.match(invalid.join('\n'), /unknown command 'common\/probeReply'/);
  });

  test('notifications are queued until the webview says ready, then delivered in order', async () => {
    const { host, client, toWebview, settle } = pair();
    const got: string[] = [];
    client.onNotification(diffInit, (v) => got.push(v.pairId));
    host.notify(diffInit, { pairId: 'first' } as never);
    host.notify(diffInit, { pairId: 'second' } as never);
    assert.equal(toWebview.length, 0, 'nothing is posted before ready');
    const ready = host.whenReady();
    client.ready();
    await settle();
    await ready;
    assert.deepEqual(got, ['first', 'second']);
    host.notify(diffInit, { pairId: 'third' } as never);
    assert.deepEqual(got, ['first', 'second', 'third']);
  });

  test('every message a webview sends has a schema; registering a handler without one throws', () => {
    const { host } = pair();
    assert.throws(() => host.onCommand({ kind: 'command', method: 'x/unchecked' }, () => {}), /no parameter schema for 'x\/unchecked'/);
  });

  test('malformed envelopes are ignored by both ends', async () => {
    const { host, client, invalid } = pair();
    await host.receive({ type: 'request', id: -1, method: 'x' });
    await host.receive('<script>alert(1)</script>');
    client.receive({ type: 'reply' });
    assert.equal(invalid.length, 2);
  });
});
