/**
 * Which recorded statement answers a query: the normalised SQL (sql.ts) plus the bound parameters, tried
 * at three levels, the first with a candidate wins:
 *   exact     same normalised SQL, same parameters
 *   volatile  same normalised SQL, parameters equal once volatile values are set aside (timestamps, UUIDs,
 *             bcrypt hashes: values a service makes anew every run) and NULL taken as "" (Keploy stores both
 *             as "")
 *   masked    same SQL with literal values masked (queries that inline their values), parameters as for
 *             volatile
 * Among the candidates, recorded order decides for repeats (like HTTP sequences): the first one not yet
 * used, preferring the recorded connection this client connection was first matched to; after the last,
 * `stay` on it or `cycle` back. `explain()` says why a recorded statement does not match.
 */
import type { PgValue } from '../../store/postgres/protocol.js';
import type { MatcherFailure, NearStub } from '../types.js';
import type { RecordedStatement } from './recorded.js';
import { sqlDistance, sqlOneLine, type NormalizedSql } from './sql.js';

export interface PgQuery {
  protocol: 'simple' | 'extended';
  sql: string;
  norm: NormalizedSql;
  params: PgValue[];
}

export type MatchLevel = 'exact' | 'volatile' | 'masked';

/** Statement id → times used (one per replay session, or shared). */
export type UseCounts = Map<string, number>;

const VOLATILE: RegExp[] = [
  /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/i,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/,
];

export function isVolatile(v: PgValue): boolean {
  return typeof v === 'string' && VOLATILE.some((r) => r.test(v));
}

const exactKey = (params: PgValue[]) => JSON.stringify(params);
const looseKey = (params: PgValue[]) => JSON.stringify(params.map((v) => (v === null ? '' : isVolatile(v) ? '\u0000volatile' : v)));

interface Entry {
  stmt: RecordedStatement;
  exact: string;
  loose: string;
}

export class StatementIndex {
  private readonly byText = new Map<string, Entry[]>();
  private readonly byMasked = new Map<string, Entry[]>();
  readonly all: RecordedStatement[];

  constructor(statements: RecordedStatement[], private readonly sequence: 'stay' | 'cycle' = 'stay') {
    this.all = [...statements].sort((a, b) => a.order - b.order);
    for (const stmt of this.all) {
      const e = { stmt, exact: exactKey(stmt.params), loose: looseKey(stmt.params) };
      push(this.byText, stmt.norm.text, e);
      push(this.byMasked, stmt.norm.masked, e);
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** Any recorded statement with this SQL (for Describe of a statement not described in the recording). */
  anyWithSql(norm: NormalizedSql): RecordedStatement | undefined {
    return (this.byText.get(norm.text) ?? this.byMasked.get(norm.masked))?.[0]?.stmt;
  }

  find(q: PgQuery, uses: UseCounts, preferConversation?: string): { stmt: RecordedStatement; level: MatchLevel } | undefined {
    const text = this.byText.get(q.norm.text);
    if (text) {
      const ek = exactKey(q.params);
      const exact = text.filter((e) => e.exact === ek);
      if (exact.length) return { stmt: this.pick(exact, uses, preferConversation), level: 'exact' };
      const lk = looseKey(q.params);
      const loose = text.filter((e) => e.loose === lk);
      if (loose.length) return { stmt: this.pick(loose, uses, preferConversation), level: 'volatile' };
    }
    const masked = this.byMasked.get(q.norm.masked);
    if (masked) {
      const lk = looseKey(q.params);
      const loose = masked.filter((e) => e.loose === lk);
      if (loose.length) return { stmt: this.pick(loose, uses, preferConversation), level: 'masked' };
    }
    return undefined;
  }

  private pick(cands: Entry[], uses: UseCounts, prefer?: string): RecordedStatement {
    const unused = cands.filter((e) => !uses.get(e.stmt.id));
    let chosen: Entry | undefined = (prefer && unused.find((e) => e.stmt.conversation === prefer)) || unused[0];
    if (!chosen) {
      if (this.sequence === 'cycle') {
        let min = Infinity;
        for (const e of cands) {
          const u = uses.get(e.stmt.id) ?? 0;
          if (u < min) (min = u), (chosen = e);
        }
      } else chosen = cands[cands.length - 1];
    }
    uses.set(chosen!.stmt.id, (uses.get(chosen!.stmt.id) ?? 0) + 1);
    return chosen!.stmt;
  }

  /** Why a recorded statement does not answer the query (empty: it would). */
  explain(stmt: RecordedStatement, q: PgQuery): MatcherFailure[] {
    const out: MatcherFailure[] = [];
    if (stmt.norm.text !== q.norm.text && stmt.norm.masked !== q.norm.masked) {
      out.push({ matcher: 'sql', expected: sqlOneLine(stmt.sql), actual: sqlOneLine(q.sql), message: `SQL differs: ${firstDifference(stmt.norm.text, q.norm.text)}` });
    } else if (stmt.norm.text !== q.norm.text) {
      out.push({ matcher: 'sql', expected: sqlOneLine(stmt.sql), actual: sqlOneLine(q.sql), message: `SQL matches only with literal values masked: ${firstDifference(stmt.norm.text, q.norm.text)}` });
    }
    const n = Math.max(stmt.params.length, q.params.length);
    if (stmt.params.length !== q.params.length) {
      out.push({ matcher: 'params', expected: stmt.params.length, actual: q.params.length, message: `recorded with ${stmt.params.length} parameters, called with ${q.params.length}` });
    } else {
      for (let i = 0; i < n; i++) {
        const a = stmt.params[i];
        const b = q.params[i];
        if (looseKey([a]) === looseKey([b])) continue;
        out.push({ matcher: 'params', field: `$${i + 1}`, expected: a, actual: b, message: `$${i + 1}: recorded ${show(a)}, got ${show(b)}` });
      }
    }
    return out;
  }

  /** The (at most `max`) recorded statements nearest to a query, best first, each with why it missed. */
  nearest(q: PgQuery, max = 3): NearStub[] {
    const seen = new Set<string>();
    const scored: Array<{ stmt: RecordedStatement; d: number }> = [];
    for (const stmt of this.all) {
      const key = stmt.norm.text + '\u0000' + looseKey(stmt.params);
      if (seen.has(key)) continue;
      seen.add(key);
      let d = sqlDistance(stmt.norm.text, q.norm.text) * 4;
      if (stmt.params.length !== q.params.length) d += 1;
      else if (looseKey(stmt.params) !== looseKey(q.params)) d += 0.5;
      scored.push({ stmt, d });
    }
    scored.sort((a, b) => a.d - b.d || a.stmt.order - b.stmt.order);
    return scored.slice(0, max).map(({ stmt, d }) => ({
      stubId: stmt.id,
      distance: Number(d.toFixed(3)),
      summary: summarizeStatement(stmt),
      failures: this.explain(stmt, q),
    }));
  }
}

export function summarizeStatement(s: RecordedStatement): string {
  const params = s.params.length ? ` [${s.params.map(show).join(', ')}]` : '';
  const result = s.error ? `error ${s.error.code ?? ''}`.trim() : s.tags.join('; ') || `${s.rows} rows`;
  return `${sqlOneLine(s.sql, 160)}${params} → ${result}`;
}

function show(v: PgValue | undefined): string {
  if (v === undefined) return '(none)';
  if (v === null) return 'NULL';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 59) + '…' : v);
  return `<binary ${Buffer.from(v.base64, 'base64').length} bytes>`;
}

function firstDifference(a: string, b: string): string {
  const x = a.split(' ');
  const y = b.split(' ');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const ctx = (t: string[]) => t.slice(i, i + 4).join(' ') || '(end)';
  return `recorded "…${ctx(x)}", got "…${ctx(y)}"`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
