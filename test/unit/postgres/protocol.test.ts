/**
 * The wire codec against node-postgres's own (pg-protocol) as the oracle: backend messages we encode parse
 * there to the same values; frontend messages it serialises decode here; framing is per message, whatever
 * the TCP reads.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parse, serialize } from 'pg-protocol';
import { decodeBackend, decodeFrontend, encodeBackend, FrameReader, framesOf } from '../../../src/engine/store/postgres/protocol.js';
import { normalizeSql } from '../../../src/engine/mocks/postgres/sql.js';

async function oracleParse(buf: Buffer): Promise<Array<Record<string, unknown>>> {
  const s = new PassThrough();
  const out: Array<Record<string, unknown>> = [];
  const done = parse(s, (m) => out.push(m as unknown as Record<string, unknown>));
  // fed one byte at a time: the oracle's parser reassembles too
  for (const b of buf) s.write(Buffer.from([b]));
  s.end();
  await done;
  return out;
}

describe('Postgres wire codec', () => {
  test('backend messages parse in pg-protocol to the values encoded', async () => {
    const buf = Buffer.concat([
      encodeBackend({ type: 'R', fields: { code: 5, salt: Buffer.from([1, 2, 3, 4]).toString('base64') } }),
      encodeBackend({ type: 'S', fields: { name: 'TimeZone', value: 'UTC' } }),
      encodeBackend({ type: 'K', fields: { pid: 58, secret: 3849533755 } }),
      encodeBackend({ type: 'T', fields: { fields: [{ name: 'id', tableOid: 1, column: 1, typeOid: 23, typeSize: 4, typeMod: -1, format: 0 }] } }),
      encodeBackend({ type: 'D', fields: { values: ['1', null, ''] } }),
      encodeBackend({ type: 'C', fields: { tag: 'SELECT 1' } }),
      encodeBackend({ type: 'E', fields: { severity: 'ERROR', code: '23505', message: 'dup', detail: 'Key (id)=(1)' } }),
      encodeBackend({ type: 'Z', fields: { status: 'T' } }),
    ]);
    const got = await oracleParse(buf);
    assert.deepEqual(got.map((m) => m.name), ['authenticationMD5Password', 'parameterStatus', 'backendKeyData', 'rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery']);
    assert.deepEqual(got[0].salt, Buffer.from([1, 2, 3, 4]));
    assert.equal(got[2].secretKey, 3849533755 | 0);
    assert.deepEqual(got[4].fields, ['1', null, '']);
    assert.equal(got[6].code, '23505');
    assert.equal(got[6].detail, 'Key (id)=(1)');
    assert.equal(got[7].status, 'T');
    // and back through our decoder
    assert.deepEqual(framesOf(buf).map((f) => decodeBackend(f).type), ['R', 'S', 'K', 'T', 'D', 'C', 'E', 'Z']);
  });

  test('frontend messages serialised by pg-protocol decode here; frames are reassembled across reads', () => {
    const parts = [
      serialize.startup({ user: 'u', database: 'd' }),
      serialize.parse({ name: 's1', text: 'select $1::int', types: [23] }),
      serialize.bind({ statement: 's1', values: ['7', null, Buffer.from([9, 8])] }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.sync(),
      serialize.query('select 1'),
    ];
    const all = Buffer.concat(parts);
    const r = new FrameReader(true);
    const msgs = [];
    for (let i = 0; i < all.length; i += 3) {
      r.push(all.subarray(i, i + 3));
      for (let f = r.next(); f; f = r.next()) {
        msgs.push(decodeFrontend(f));
        if (f.type === '') r.startup = false;
      }
    }
    assert.deepEqual(msgs.map((m) => m.type), ['startup', 'P', 'B', 'D', 'E', 'S', 'Q']);
    assert.deepEqual((msgs[0].fields as { parameters: unknown }).parameters, { user: 'u', database: 'd', client_encoding: 'UTF8' });
    assert.deepEqual(msgs[1].fields, { name: 's1', sql: 'select $1::int', oids: [23] });
    assert.deepEqual((msgs[2].fields as { params: unknown }).params, ['7', null, { base64: Buffer.from([9, 8]).toString('base64') }]);
    assert.deepEqual(msgs[3].fields, { kind: 'P', name: '' });
  });

  test('SQL normalisation: whitespace, keyword case, comments; literals masked as the fallback', () => {
    const a = normalizeSql('SELECT  id,\n name FROM "Items" /* c */ WHERE id = 1 -- x\n;');
    const b = normalizeSql("select id , name from \"Items\" where id=1");
    assert.equal(a.text, b.text);
    assert.notEqual(normalizeSql('select * from "Items"').text, normalizeSql('select * from "items"').text);
    assert.equal(normalizeSql("select 'A' where x = 2").masked, normalizeSql("select 'b' where x = 3.5").masked);
    assert.notEqual(normalizeSql("select 'A'").text, normalizeSql("select 'a'").text);
  });
});
