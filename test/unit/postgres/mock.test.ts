/**
 * The Postgres wire mock end to end with real clients: each client's conversation is recorded through the
 * recording proxy in front of a real PostgreSQL 15 (throwaway cluster), the real database is stopped, and the
 * same client code runs against the mock built from the recording: the results must be the same, every
 * statement matched; a changed query gets an ErrorResponse naming it and is recorded as unmatched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import postgres from 'postgres';
import type { MockServiceConfig } from '../../../src/engine/config/types.js';
import { PgMockServer, UNMATCHED_SQLSTATE } from '../../../src/engine/mocks/postgres/server.js';
import { startPgRecorder } from '../../../src/engine/record/postgres.js';
import type { PgConversation } from '../../../src/engine/store/postgres/model.js';
import { pgBinDir, psql, psqlPath, startRealPostgres, type RealPostgres } from './helpers.js';

const haveServer = !!pgBinDir() && !!psqlPath;

function mockConfig(over: Partial<MockServiceConfig> = {}): MockServiceConfig {
  return { service: 'db', port: 0, host: '127.0.0.1', traffic: [], stubs: '/nonexistent', unmatched: { status: 501 }, sequence: 'stay', timing: 'none', ignore: [], type: 'postgres', ...over };
}

/** What the node-postgres script does: simple + extended, named prepared statement, transaction, error, NULLs, binary params. */
async function pgScript(url: string, opts: { changed?: boolean } = {}) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: unknown[] = [];
  try {
    await c.query('create table if not exists items (id int primary key, name text not null, price numeric, note text, data bytea)');
    out.push((await c.query('INSERT INTO items (id, name, price, note, data) VALUES ($1, $2, $3, $4, $5)', [1, 'apple', '1.50', null, Buffer.from([0, 1, 2, 255])])).rowCount);
    out.push((await c.query('insert into items (id, name, price, note, data) values ($1, $2, $3, $4, $5)', [2, 'pear', '2.25', '', null])).rowCount);
    // the same statement written differently: whitespace, case, a comment
    const sel = opts.changed ? 'select id, name from items where id = $1' : 'SELECT id, name, price, note, data\n  FROM items -- one item\n WHERE id = $1';
    out.push((await c.query(sel, [1])).rows);
    out.push((await c.query({ name: 'by-name', text: 'select id, note from items where name = $1', values: ['pear'] })).rows);
    out.push((await c.query({ name: 'by-name', text: 'select id, note from items where name = $1', values: ['apple'] })).rows);
    await c.query('BEGIN');
    await c.query('update items set price = price + 1 where id = $1', [2]);
    out.push((await c.query('select price from items where id = 2')).rows);
    await c.query('COMMIT');
    await c.query('begin');
    await c.query('delete from items');
    await c.query('rollback');
    out.push((await c.query('select count(*)::int as n from items')).rows);
    try {
      await c.query('select * from missing_table');
      out.push('no error');
    } catch (e) {
      out.push({ code: (e as { code?: string }).code, message: (e as Error).message });
    }
    out.push(((await c.query('select 1 as one; select 2 as two')) as unknown as pg.QueryResult[]).map((r) => r.rows));
  } finally {
    await c.end();
  }
  return out;
}

/** The postgres.js script: tagged templates (prepared statements with generated names), a transaction, NULLs, binary. */
async function postgresJsScript(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const out: unknown[] = [];
  try {
    await sql`create table if not exists pj (id int primary key, label text, n bigint, raw bytea)`;
    out.push((await sql`insert into pj ${sql([{ id: 1, label: 'a', n: 10, raw: Buffer.from('xyz') }, { id: 2, label: null, n: null, raw: null }], 'id', 'label', 'n', 'raw')}`).count);
    out.push([...(await sql`select id, label, n, raw from pj where id = ${1}`)]);
    out.push([...(await sql`select id, label, n, raw from pj where id = ${2}`)]);
    await sql.begin(async (tx) => {
      await tx`update pj set n = n + ${5} where id = ${1}`;
    });
    out.push([...(await sql`select n from pj order by id`)]);
    try {
      await sql`select nope from pj`;
      out.push('no error');
    } catch (e) {
      out.push({ code: (e as { code?: string }).code, message: (e as Error).message });
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
  return out;
}

const PSQL_SQL = "create table if not exists ps (k text, v int); insert into ps values ('a', 1), ('b', null); select k, coalesce(v::text, 'NULL') from ps order by k";

describe('Postgres wire mock with real clients', { skip: haveServer ? false : 'PostgreSQL server (initdb) or psql not installed' }, () => {
  let real: RealPostgres;
  const recorded: Record<string, PgConversation[]> = { pg: [], postgresjs: [], psql: [] };
  const expected: Record<string, unknown> = {};

  before(async () => {
    real = await startRealPostgres();
    for (const name of Object.keys(recorded)) {
      const rec = await startPgRecorder({ port: 0, target: `postgres://127.0.0.1:${real.port}`, service: 'db', onConversation: (c) => void recorded[name].push(c) });
      const url = `postgres://postgres@127.0.0.1:${rec.port}/postgres`;
      try {
        expected[name] = name === 'pg' ? await pgScript(url) : name === 'postgresjs' ? await postgresJsScript(url) : await psql(url, PSQL_SQL);
      } finally {
        await rec.stop();
      }
    }
    // No real database from here on.
    await real.stop();
  });

  after(async () => {
    await real?.stop().catch(() => {});
  });

  test('node-postgres: simple and extended queries, prepared statements, a transaction, an error, NULLs, binary params replay from the recording', async () => {
    assert.ok(recorded.pg.length >= 1);
    const exchanges = recorded.pg.flatMap((c) => c.exchanges);
    assert.ok(exchanges.every((e) => e.ts && e.client.every((m) => m.raw)), 'decoded messages keep their raw bytes and timestamps');
    const mock = new PgMockServer(mockConfig(), recorded.pg);
    await mock.start();
    try {
      const got = await pgScript(mock.url);
      assert.deepEqual(got, expected.pg);
      const r = got as Array<unknown>;
      assert.deepEqual((r[2] as Array<Record<string, unknown>>)[0].data, Buffer.from([0, 1, 2, 255]));
      assert.equal((r[2] as Array<Record<string, unknown>>)[0].note, null);
      assert.equal((r[7] as { code: string }).code, '42P01');
      const s = mock.stats();
      assert.equal(s.protocol, 'postgres');
      assert.equal(s.unmatched, 0, JSON.stringify(mock.unmatched()[0]?.request));
      assert.equal(s.matched, s.calls);
      assert.ok(s.calls >= 15, String(s.calls));
    } finally {
      await mock.stop();
    }
  });

  test('a changed query gets an ErrorResponse with SQLSTATE, the query and the nearest recorded one, and an unmatched record', async () => {
    const mock = new PgMockServer(mockConfig(), recorded.pg);
    await mock.start();
    try {
      await assert.rejects(pgScript(mock.url, { changed: true }), (e: Error & { code?: string; detail?: string }) => {
        assert.equal(e.code, UNMATCHED_SQLSTATE);
        assert.match(e.message, /no recorded query matches: select id, name from items where id = \$1/);
        assert.match(e.detail ?? '', /nearest recorded: 1\) SELECT id, name, price, note, data FROM items/);
        return true;
      });
      const u = mock.unmatched();
      assert.equal(u.length, 1);
      assert.equal(u[0].protocol, 'postgres');
      assert.equal(u[0].request.method, 'EXECUTE');
      assert.equal(u[0].query?.sql, 'select id, name from items where id = $1');
      assert.deepEqual(u[0].query?.params, ['1']);
      assert.equal(u[0].answeredWith.sqlstate, UNMATCHED_SQLSTATE);
      assert.ok(u[0].nearest[0].failures.some((f) => f.matcher === 'sql'));
      assert.equal(mock.stats().unmatched, 1);
    } finally {
      await mock.stop();
    }
  });

  test('postgres.js: prepared statements with generated names, multi-row insert, transaction, NULLs, bytea', async () => {
    const mock = new PgMockServer(mockConfig(), recorded.postgresjs);
    await mock.start();
    try {
      assert.deepEqual(await postgresJsScript(mock.url), expected.postgresjs);
      assert.equal(mock.stats().unmatched, 0, JSON.stringify(mock.unmatched().map((u) => u.request.url)));
    } finally {
      await mock.stop();
    }
  });

  test('psql: SSLRequest answered N, simple queries with several statements, NULLs', async () => {
    const mock = new PgMockServer(mockConfig(), recorded.psql);
    await mock.start();
    try {
      assert.equal(await psql(mock.url, PSQL_SQL), expected.psql);
      assert.match(String(expected.psql), /b\|NULL/);
      assert.equal(mock.stats().unmatched, 0);
    } finally {
      await mock.stop();
    }
  });

  test('auth: md5, cleartext and SCRAM-SHA-256 chosen by the mock; a wrong password is refused', async () => {
    for (const method of ['md5', 'password', 'scram-sha-256'] as const) {
      const mock = new PgMockServer(mockConfig({ auth: { method, password: 's3cret' } }), recorded.psql);
      await mock.start();
      try {
        const c = new pg.Client({ connectionString: mock.url });
        await c.connect();
        await c.end();
        const bad = new pg.Client({ connectionString: mock.url.replace(':s3cret@', ':wrong@') });
        await assert.rejects(bad.connect(), /password authentication failed/, method);
      } finally {
        await mock.stop();
      }
    }
  });
});
