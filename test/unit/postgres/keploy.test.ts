/**
 * Keploy `kind: Postgres` mocks imported as conversations: the shapes Keploy writes (startup and auth as
 * separate mocks, split Parse+Describe / Bind+Execute, Syncs left out of `header`, repeated ParameterStatus,
 * ParameterStatus after ReadyForQuery, NULL stored as "") compile to statements, and a real `pg` client
 * running every recorded statement against the mock gets the recorded answers, with no database running.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { MockServiceConfig } from '../../../src/engine/config/types.js';
import { compileConversations } from '../../../src/engine/mocks/postgres/recorded.js';
import { PgMockServer } from '../../../src/engine/mocks/postgres/server.js';
import { readPgConversations } from '../../../src/engine/store/postgres/read.js';
import type { PgConversation } from '../../../src/engine/store/postgres/model.js';
import { readPairs } from '../../../src/engine/store/read.js';

import { fixturesRoot } from '../store/helpers.js';

// ../shared/fixtures beside the checkout (REPRISE_FIXTURES overrides, e.g. from a worktree).
const root = path.join(process.env.REPRISE_FIXTURES ?? fixturesRoot, 'keploy-samples-typescript');
const have = existsSync(root);

async function load(rel: string): Promise<{ convs: PgConversation[]; issues: string[] }> {
  const issues: string[] = [];
  const convs: PgConversation[] = [];
  for await (const c of readPgConversations([path.join(root, rel)], { onIssue: (i) => issues.push(i.message) })) convs.push(c);
  return { convs, issues };
}

const cfg = (): MockServiceConfig => ({ service: 'postgres', port: 0, host: '127.0.0.1', traffic: [], stubs: '/nonexistent', unmatched: { status: 501 }, sequence: 'stay', timing: 'none', ignore: [], type: 'postgres' });

describe('Keploy Postgres mocks', { skip: have ? false : `fixtures not found at ${root}` }, () => {
  test('node-jwt-19768d3 test-set-0: 42 mocks on 6 connections → 30 statements; md5 startup, simple queries, split Parse/Bind+Execute without Sync', async () => {
    const { convs, issues } = await load('node-jwt-19768d3/keploy/test-set-0/mocks.yaml');
    assert.deepEqual(issues, []);
    assert.equal(convs.length, 6);
    assert.equal(convs.reduce((n, c) => n + c.exchanges.length, 0), 42); // one exchange per mock
    const rec = compileConversations(convs);
    assert.deepEqual(rec.issues, []);
    assert.equal(rec.statements.length, 30);
    const inserts = rec.statements.filter((s) => s.protocol === 'extended' && /INSERT INTO "roles"/.test(s.sql));
    assert.equal(inserts.length, 3);
    assert.deepEqual(inserts[0].params.slice(0, 2), ['1', 'user']);
    // the ParameterStatus list is kept once per name (Keploy repeats TimeZone)
    assert.equal(rec.startup!.parameters.filter((p) => p.name === 'TimeZone').length, 1);
    assert.equal(rec.startup!.client.user, 'postgres');
  });

  test('nestjs-drizzle-supabase test-set-0: SCRAM startup, postgres.js describe-first extended protocol, trailing ParameterStatus dropped; NULL recovered in non-text columns', async () => {
    const { convs, issues } = await load('nestjs-drizzle-supabase/keploy/test-set-0/mocks.yaml');
    assert.deepEqual(issues, []);
    const rec = compileConversations(convs);
    assert.deepEqual(rec.issues, []);
    assert.equal(rec.statements.length, 10);
    assert.equal(rec.describes.length, 8);
    const typeProbe = rec.statements[0];
    assert.equal(typeProbe.rows, 345);
    // a "" in an oid/int column was a NULL (Keploy stores both as "")
    const sel = rec.statements.find((s) => s.protocol === 'extended' && /where "product"\."id" = \$1/.test(s.sql))!;
    assert.equal(sel.rows, 1);
  });

  for (const [name, rel] of [
    ['node-jwt-19768d3', 'node-jwt-19768d3/keploy/test-set-0/mocks.yaml'],
    ['nestjs-drizzle-supabase', 'nestjs-drizzle-supabase/keploy/test-set-0/mocks.yaml'],
  ] as const) {
    test(`${name}: a real pg client running every recorded statement gets the recorded answer from the mock`, async () => {
      const { convs } = await load(rel);
      const rec = compileConversations(convs);
      const mock = new PgMockServer(cfg(), convs);
      await mock.start();
      const c = new pg.Client({ connectionString: mock.url });
      await c.connect();
      try {
        for (const s of rec.statements) {
          if (s.protocol === 'simple') {
            const r = await c.query(s.sql);
            const results = Array.isArray(r) ? (r as pg.QueryResult[]) : [r];
            assert.equal(results.reduce((n, x) => n + (x.rows?.length ?? 0), 0), s.rows, s.sql);
          } else {
            const r = await c.query(s.sql, s.params as unknown[]);
            assert.equal(r.rows.length, s.rows, s.sql);
          }
        }
        const st = mock.stats();
        assert.equal(st.unmatched, 0, JSON.stringify(mock.unmatched().map((u) => u.request.url)));
        assert.equal(st.calls, rec.statements.length);
      } finally {
        await c.end();
        await mock.stop();
      }
    });
  }

  test('HTTP pair readers skip the Postgres mocks (no issue, no pairs)', async () => {
    const issues: string[] = [];
    const pairs = [];
    for await (const p of readPairs([path.join(root, 'node-jwt-19768d3/keploy/test-set-0')], { onIssue: (i) => issues.push(i.message) })) pairs.push(p);
    assert.equal(pairs.filter((p) => p.direction === 'in').length, 4);
    assert.equal(pairs.filter((p) => p.direction === 'out').length, 0);
    assert.ok(!issues.some((m) => /Postgres/.test(m)), issues.join('\n'));
  });
});
