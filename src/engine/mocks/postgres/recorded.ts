/**
 * Recorded Postgres conversations compiled for answering: every statement the client ran (a simple
 * Query, or an extended-protocol Execute with its SQL and bound parameters) with the server messages that
 * answered it, every Describe's parameter and row description, and the startup parameters.
 *
 * The conversation is walked message by message, pairing each client message with the server messages a
 * server sends for it (Parse → ParseComplete, Describe → ParameterDescription + RowDescription/NoData,
 * Execute → DataRow* + CommandComplete, Sync → ReadyForQuery, …), so how the client split its messages
 * into TCP writes, or how a recorder grouped them, does not matter.
 */
import type { PgConversation, PgRecordedMessage } from '../../store/postgres/model.js';
import { encodeBackend, type PgValue, type RowField } from '../../store/postgres/protocol.js';
import type { SourceIssue } from '../../store/model.js';
import { normalizeSql, type NormalizedSql } from './sql.js';

/** One recorded statement execution and its answer. */
export interface RecordedStatement {
  /** `<conversation id>#<n>` (n counts statements of the conversation). */
  id: string;
  /** The recorded unit it came from (Keploy mock name), for messages. */
  label?: string;
  conversation: string;
  /** Order in the whole recording (sequences follow it). */
  order: number;
  protocol: 'simple' | 'extended';
  sql: string;
  norm: NormalizedSql;
  /** Bound parameters (extended protocol). */
  params: PgValue[];
  /** The statement's row description as recorded (T), or 'none' (NoData), or undefined (not described). */
  rowDescription?: Buffer | 'none';
  columns?: RowField[];
  /** Server messages answering it, encoded: for an Execute, DataRow* and the closing message; for a
   * simple Query, everything before ReadyForQuery. */
  response: Buffer[];
  /** Command tags (C) and error (E) of the response, for transaction status and summaries. */
  tags: string[];
  error?: { code?: string; message?: string };
  rows: number;
}

export interface RecordedDescribe {
  norm: NormalizedSql;
  paramOids: number[];
  rowDescription: Buffer | 'none';
  columns?: RowField[];
}

export interface RecordedStartup {
  parameters: Array<{ name: string; value: string }>;
  key?: { pid: number; secret: number };
  /** What the client sent at startup (user, database, …). */
  client: Record<string, string>;
}

export interface CompiledRecording {
  statements: RecordedStatement[];
  describes: RecordedDescribe[];
  /** Parse errors recorded for a statement text (normalised) → the encoded ErrorResponse. */
  parseErrors: Map<string, Buffer>;
  startup?: RecordedStartup;
  issues: SourceIssue[];
}

const ASYNC = new Set(['S', 'A']);

function enc(m: PgRecordedMessage): Buffer {
  return m.raw ? Buffer.from(m.raw, 'base64') : encodeBackend(m);
}

interface Flat {
  m: PgRecordedMessage;
  ex: number;
}

export function compileConversations(convs: readonly PgConversation[], file = '(recording)'): CompiledRecording {
  const out: CompiledRecording = { statements: [], describes: [], parseErrors: new Map(), issues: [] };
  let order = 0;
  for (const conv of convs) {
    const server: Flat[] = [];
    conv.exchanges.forEach((ex, i) => ex.server.forEach((m) => server.push({ m, ex: i })));
    let sp = 0;
    let n = 0;
    const statements = new Map<string, { sql: string; described?: Buffer | 'none'; columns?: RowField[] }>();
    const portals = new Map<string, { sql: string; params: PgValue[]; described?: Buffer | 'none'; columns?: RowField[] }>();
    let skipping = false;
    let startupParams: Array<{ name: string; value: string }> = [];
    let key: RecordedStartup['key'];
    let clientStartup: Record<string, string> = {};
    let lostAt: string | undefined;

    const peek = (): PgRecordedMessage | undefined => {
      while (sp < server.length && ASYNC.has(server[sp].m.type)) sp++;
      return server[sp]?.m;
    };
    const take = (...types: string[]): PgRecordedMessage | undefined => {
      const m = peek();
      if (m && types.includes(m.type)) {
        sp++;
        return m;
      }
      return undefined;
    };
    const lost = (what: string, exLabel: string) => {
      if (!lostAt) {
        lostAt = exLabel;
        out.issues.push({ file, severity: 'warning', message: `Postgres conversation ${conv.id}: ${what} at ${exLabel}; the rest of the connection is not served` });
      }
    };

    conv.exchanges.forEach((ex, exIndex) => {
      if (lostAt) return;
      const exLabel = ex.label ?? `exchange ${exIndex}`;
      for (const c of ex.client) {
        if (lostAt) return;
        const f = (c.fields ?? {}) as Record<string, unknown>;
        if (skipping && c.type !== 'S') continue;
        switch (c.type) {
          case 'ssl':
          case 'gssenc':
          case 'cancel':
            break;
          case 'startup':
          case 'p': {
            if (c.type === 'startup') clientStartup = { ...((f.parameters ?? {}) as Record<string, string>) };
            for (;;) {
              const m = server[sp]?.m;
              if (!m) break;
              sp++;
              const mf = (m.fields ?? {}) as Record<string, unknown>;
              if (m.type === 'S') startupParams.push({ name: String(mf.name), value: String(mf.value) });
              else if (m.type === 'K') key = { pid: Number(mf.pid), secret: Number(mf.secret) };
              else if (m.type === 'Z') break;
              else if (m.type === 'E') break;
              else if (m.type === 'R' && [3, 5, 7, 10, 11].includes(Number(mf.code))) break;
            }
            break;
          }
          case 'Q': {
            const sql = String(f.sql ?? '');
            const response: Buffer[] = [];
            const tags: string[] = [];
            let error: RecordedStatement['error'];
            let rowDescription: Buffer | undefined;
            let columns: RowField[] | undefined;
            let rows = 0;
            let ended = false;
            for (;;) {
              const m = peek();
              if (!m) break;
              sp++;
              if (m.type === 'Z') {
                ended = true;
                break;
              }
              const b = enc(m);
              response.push(b);
              const mf = (m.fields ?? {}) as Record<string, unknown>;
              if (m.type === 'C') tags.push(String(mf.tag));
              else if (m.type === 'E') error = { code: mf.code as string, message: mf.message as string };
              else if (m.type === 'D') rows++;
              else if (m.type === 'T' && !rowDescription) {
                rowDescription = b;
                columns = mf.fields as RowField[];
              }
            }
            if (!ended) return lost('a Query without its ReadyForQuery', exLabel);
            out.statements.push({
              id: `${conv.id}#${n++}`, label: ex.label, conversation: conv.id, order: order++, protocol: 'simple', sql, norm: normalizeSql(sql), params: [],
              ...(rowDescription ? { rowDescription, columns } : {}), response, tags, ...(error ? { error } : {}), rows,
            });
            break;
          }
          case 'P': {
            const sql = String(f.sql ?? '');
            const m = take('1', 'E');
            if (!m) return lost(`no ParseComplete after Parse`, exLabel);
            if (m.type === 'E') {
              out.parseErrors.set(normalizeSql(sql).text, enc(m));
              skipping = true;
              break;
            }
            statements.set(String(f.name ?? ''), { sql });
            break;
          }
          case 'B': {
            const st = statements.get(String(f.statement ?? ''));
            const m = take('2', 'E');
            if (!m) return lost('no BindComplete after Bind', exLabel);
            if (m.type === 'E') {
              skipping = true;
              break;
            }
            portals.set(String(f.portal ?? ''), { sql: st?.sql ?? '', params: (f.params ?? []) as PgValue[], described: st?.described, columns: st?.columns });
            break;
          }
          case 'D': {
            const name = String(f.name ?? '');
            if (f.kind === 'S') {
              const st = statements.get(name);
              const t = take('t');
              const r = take('T', 'n', 'E');
              if (!t || !r) return lost('no ParameterDescription/RowDescription after Describe', exLabel);
              if (r.type === 'E') {
                skipping = true;
                break;
              }
              const rowDescription = r.type === 'T' ? enc(r) : ('none' as const);
              const columns = r.type === 'T' ? ((r.fields ?? {}) as { fields: RowField[] }).fields : undefined;
              if (st) {
                st.described = rowDescription;
                st.columns = columns;
                out.describes.push({ norm: normalizeSql(st.sql), paramOids: ((t.fields ?? {}) as { oids?: number[] }).oids ?? [], rowDescription, columns });
              }
            } else {
              const p = portals.get(name);
              const r = take('T', 'n', 'E');
              if (!r) return lost('no RowDescription after Describe', exLabel);
              if (r.type === 'E') {
                skipping = true;
                break;
              }
              if (p) {
                p.described = r.type === 'T' ? enc(r) : 'none';
                p.columns = r.type === 'T' ? ((r.fields ?? {}) as { fields: RowField[] }).fields : undefined;
              }
            }
            break;
          }
          case 'E': {
            const p = portals.get(String(f.portal ?? ''));
            const response: Buffer[] = [];
            const tags: string[] = [];
            let error: RecordedStatement['error'];
            let rows = 0;
            let closed = false;
            for (;;) {
              const m = peek();
              if (!m || !['D', 'N', 'C', 'I', 's', 'E'].includes(m.type)) break;
              sp++;
              response.push(enc(m));
              const mf = (m.fields ?? {}) as Record<string, unknown>;
              if (m.type === 'D') rows++;
              else if (m.type === 'N') continue;
              else {
                if (m.type === 'C') tags.push(String(mf.tag));
                if (m.type === 'E') error = { code: mf.code as string, message: mf.message as string };
                closed = true;
                break;
              }
            }
            if (!closed) return lost('an Execute without its CommandComplete', exLabel);
            if (error) skipping = true;
            if (p) {
              out.statements.push({
                id: `${conv.id}#${n++}`, label: ex.label, conversation: conv.id, order: order++, protocol: 'extended', sql: p.sql, norm: normalizeSql(p.sql), params: p.params,
                ...(p.described ? { rowDescription: p.described, columns: p.columns } : {}), response, tags, ...(error ? { error } : {}), rows,
              });
            }
            break;
          }
          case 'C':
            if (!take('3')) return lost('no CloseComplete after Close', exLabel);
            break;
          case 'S':
            skipping = false;
            if (!take('Z')) return lost('no ReadyForQuery after Sync', exLabel);
            break;
          default:
            break; // Flush, Terminate, copy data: nothing to pair
        }
      }
      // The end of an exchange: a ReadyForQuery left here answered a Sync the recording did not list (Keploy
      // leaves Syncs out of `header`); ParameterStatus and notices left over are async noise.
      while (sp < server.length && server[sp].ex === exIndex) {
        const t = server[sp].m.type;
        if (t === 'Z') {
          skipping = false;
          sp++;
        } else if (t === 'S' || t === 'N' || t === 'A') sp++;
        else break;
      }
    });
    if (!out.startup && (startupParams.length || key)) {
      // Keploy repeats the last ParameterStatus; keep each name once (the last value wins, as on a client).
      const seen = new Map<string, string>();
      for (const p of startupParams) seen.set(p.name, p.value);
      startupParams = [...seen].map(([name, value]) => ({ name, value }));
      out.startup = { parameters: startupParams, ...(key ? { key } : {}), client: clientStartup };
    } else if (out.startup && !Object.keys(out.startup.client).length && Object.keys(clientStartup).length) out.startup.client = clientStartup;
  }
  return out;
}
