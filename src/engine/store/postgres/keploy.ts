/**
 * Keploy `kind: Postgres` mocks → Postgres conversations. Keploy records one mock per request/response
 * round (startup and each auth step are separate mocks), groups them by `connectionId`, and stores every
 * TCP read as a list of message types (`header`) with decoded fields, plus the raw bytes (`payload`, base64)
 * only where its re-encoding differed. Here every mock becomes one exchange of the connection's
 * conversation; a read with a payload is framed from its bytes, one without is rebuilt from its fields.
 *
 * Known Keploy quirks, and what is done about them:
 * - Parse+Describe and Bind+Execute recorded as separate mocks, several reads in one mock, and the Sync
 *   (and Flush) left out of `header`: the mock answers per message, so how messages were split does not
 *   matter; the payload (when present) has the Sync.
 * - ParameterStatus listed more often than `header` has 'S' (the last one repeated): the first ones are
 *   taken, one per 'S'.
 * - ParameterStatus reads after the ReadyForQuery that ended an exchange (a pooler's async messages):
 *   kept in the recording, not replayed (see mocks/postgres/recorded.ts).
 * - NULL and "" are both stored as "": in a column whose type cannot hold an empty string (numbers, bool,
 *   dates, uuid, json, …) "" becomes NULL; in text-like columns it stays "" (a recorded NULL there
 *   cannot be told apart and replays as "").
 * - One `row_description` per read: a read with two result sets gets the same columns for both.
 */
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { readLines } from '../io.js';
import type { SourceIssue } from '../model.js';
import { isPlainObject as isObj } from '../http-util.js';
import { decodeBackend, decodeFrontend, encodeBackend, framesOf, PROTOCOL_3, type PgMessage, type RowField } from './protocol.js';
import type { PgConversation, PgExchange, PgRecordedMessage } from './model.js';

/** Type oids whose text form is never "" (so a Keploy "" there was a NULL). */
const NEVER_EMPTY = new Set([
  16, 20, 21, 23, 26, 114, 700, 701, 790, 1082, 1083, 1114, 1184, 1186, 1266, 1560, 1562, 1700, 2950, 3802, 17, 869, 650, 829, 774, 600, 601, 602, 603, 604, 628, 718,
]);

const KEPLOY_ERROR_KEYS: Record<string, string> = {
  severity: 'severity',
  severity_unlocalized: 'severityNonLocalized',
  code: 'code',
  message: 'message',
  detail: 'detail',
  hint: 'hint',
  position: 'position',
  internal_position: 'internalPosition',
  internal_query: 'internalQuery',
  where: 'where',
  schema_name: 'schema',
  table_name: 'table',
  column_name: 'column',
  data_type_name: 'dataType',
  constraint_name: 'constraint',
  file: 'file',
  line: 'line',
  routine: 'routine',
};

function tsOf(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && v && !v.startsWith('0001-01-01')) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? new Date(t).toISOString() : v;
  }
  return undefined;
}

const bytesOf = (v: unknown): Buffer => (Array.isArray(v) ? Buffer.from(v.map(Number)) : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.alloc(0));
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const headerOf = (read: Record<string, unknown>): string[] => list(read.header).map((h) => String(h));

function fromFrames(buf: Buffer, startup: boolean, backend: boolean): PgRecordedMessage[] {
  return framesOf(buf, startup).map((f) => {
    const m = backend ? decodeBackend(f) : decodeFrontend(f);
    return { ...m, raw: f.raw.toString('base64') };
  });
}

/** Client messages of one Keploy request read. */
function clientMessages(read: Record<string, unknown>): PgRecordedMessage[] {
  const startup = read.identifier === 'StartupRequest';
  if (typeof read.payload === 'string' && read.payload) {
    try {
      return fromFrames(Buffer.from(read.payload, 'base64'), startup, false);
    } catch {
      // fall back to the decoded fields
    }
  }
  if (startup) {
    const sm = isObj(read.startup_message) ? read.startup_message : {};
    const params = isObj(sm.parameters) ? Object.fromEntries(Object.entries(sm.parameters).map(([k, v]) => [k, String(v)])) : {};
    return [{ type: 'startup', fields: { protocol: Number(sm.protocolversion ?? PROTOCOL_3), parameters: params } }];
  }
  const out: PgRecordedMessage[] = [];
  const parse = list(read.parse);
  const bind = list(read.bind);
  const execute = list(read.execute);
  const describe = list(read.describe);
  const close = list(read.close);
  let pi = 0, bi = 0, ei = 0, di = 0, ci = 0;
  for (const h of headerOf(read)) {
    switch (h) {
      case 'Q': {
        const q = isObj(read.query) ? read.query : {};
        out.push({ type: 'Q', fields: { sql: String(q.string ?? '') } });
        break;
      }
      case 'P': {
        const p = (parse[pi++] ?? {}) as Record<string, unknown>;
        out.push({ type: 'P', fields: { name: String(p.name ?? ''), sql: String(p.query ?? ''), oids: list(p.parameter_oids).map(Number) } });
        break;
      }
      case 'B': {
        const b = (bind[bi++] ?? {}) as Record<string, unknown>;
        const formats = list(b.parameter_format_codes).map(Number);
        const params = list(b.parameters).map((v, i) => {
          const bytes = bytesOf(v);
          const fmt = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i];
          return fmt === 1 ? { base64: bytes.toString('base64') } : bytes.toString('utf8');
        });
        out.push({
          type: 'B',
          fields: { portal: String(b.destination_portal ?? b.portal ?? ''), statement: String(b.prepared_statement ?? b.statement ?? ''), formats, params, resultFormats: list(b.result_format_codes).map(Number) },
        });
        break;
      }
      case 'D': {
        const d = (describe[di++] ?? {}) as Record<string, unknown>;
        out.push({ type: 'D', fields: { kind: Number(d.object_type) === 80 ? 'P' : 'S', name: String(d.name ?? '') } });
        break;
      }
      case 'E': {
        const e = (execute[ei++] ?? {}) as Record<string, unknown>;
        out.push({ type: 'E', fields: { portal: String(e.portal ?? ''), maxRows: Number(e.max_rows ?? 0) } });
        break;
      }
      case 'C': {
        const c = (close[ci++] ?? {}) as Record<string, unknown>;
        out.push({ type: 'C', fields: { kind: Number(c.object_type ?? c.objecttype) === 80 ? 'P' : 'S', name: String(c.name ?? '') } });
        break;
      }
      case 'p': {
        const pm = isObj(read.password_message) ? read.password_message : undefined;
        out.push({ type: 'p', fields: pm ? { data: Buffer.from(String(pm.password ?? '') + '\0').toString('base64') } : {} });
        break;
      }
      default:
        out.push({ type: h });
    }
  }
  return out;
}

/** Server messages of one Keploy response read; `columns` carries the last RowDescription across reads. */
function serverMessages(read: Record<string, unknown>, columns: { last: RowField[] | undefined }): PgRecordedMessage[] {
  if (typeof read.payload === 'string' && read.payload) {
    try {
      const msgs = fromFrames(Buffer.from(read.payload, 'base64'), false, true);
      for (const m of msgs) if (m.type === 'T') columns.last = (m.fields as { fields: RowField[] }).fields;
      return msgs;
    } catch {
      // fall back to the decoded fields
    }
  }
  const out: PgRecordedMessage[] = [];
  const ps = list(read.parameter_status);
  const rows = list(read.data_row);
  const tags = list(read.command_complete);
  const authCodes: Array<PgMessage> = [];
  if (read.authentication_sasl) authCodes.push({ type: 'R', fields: { code: 10, mechanisms: list((read.authentication_sasl as Record<string, unknown>).auth_mechanisms).map(String) } });
  if (read.authentication_sasl_continue) authCodes.push({ type: 'R', fields: { code: 11, data: bytesOf((read.authentication_sasl_continue as Record<string, unknown>).data).toString('utf8') } });
  if (read.authentication_sasl_final) authCodes.push({ type: 'R', fields: { code: 12, data: bytesOf((read.authentication_sasl_final as Record<string, unknown>).data).toString('utf8') } });
  if (Number(read.auth_type) === 5 && isObj(read.authentication_md5_password)) {
    authCodes.push({ type: 'R', fields: { code: 5, salt: bytesOf(read.authentication_md5_password.salt).toString('base64') } });
  } else if (Number(read.auth_type) === 3) authCodes.push({ type: 'R', fields: { code: 3 } });
  let si = 0, di = 0, ci = 0, ri = 0;
  for (const h of headerOf(read)) {
    let m: PgMessage;
    switch (h) {
      case 'R':
        m = authCodes[ri++] ?? { type: 'R', fields: { code: 0 } };
        break;
      case 'S': {
        const s = (ps[si++] ?? {}) as Record<string, unknown>;
        m = { type: 'S', fields: { name: String(s.name ?? ''), value: String(s.value ?? '') } };
        break;
      }
      case 'K': {
        const k = isObj(read.backend_key_data) ? read.backend_key_data : {};
        m = { type: 'K', fields: { pid: Number(k.process_id ?? 0), secret: Number(k.secret_key ?? 0) } };
        break;
      }
      case 'Z': {
        const z = isObj(read.ready_for_query) ? read.ready_for_query : {};
        m = { type: 'Z', fields: { status: String.fromCharCode(Number(z.txstatus ?? 73)) } };
        break;
      }
      case 'T': {
        const rd = isObj(read.row_description) ? read.row_description : {};
        const fields: RowField[] = list(rd.fields).map((f) => {
          const x = f as Record<string, unknown>;
          return {
            name: String(x.field_name ?? ''),
            tableOid: Number(x.table_oid ?? 0),
            column: Number(x.table_attribute_number ?? 0),
            typeOid: Number(x.data_type_oid ?? 25),
            typeSize: Number(x.data_type_size ?? -1),
            typeMod: Number(x.type_modifier ?? -1),
            format: Number(x.format ?? 0),
          };
        });
        columns.last = fields;
        m = { type: 'T', fields: { fields } };
        break;
      }
      case 'D': {
        const r = (rows[di++] ?? {}) as Record<string, unknown>;
        const cols = columns.last;
        const values = list(r.row_values).map((v, i) => {
          const s = v === null || v === undefined ? '' : String(v);
          if (s === '' && cols && cols[i] && NEVER_EMPTY.has(cols[i].typeOid)) return null;
          return s;
        });
        m = { type: 'D', fields: { values } };
        break;
      }
      case 'C': {
        const c = (tags[ci++] ?? {}) as Record<string, unknown>;
        m = { type: 'C', fields: { tag: String(c.command_tag_type ?? '') } };
        break;
      }
      case 't': {
        const pd = isObj(read.parameter_description) ? read.parameter_description : {};
        m = { type: 't', fields: { oids: list(pd.parameteroids).map(Number) } };
        break;
      }
      case 'E':
      case 'N': {
        const src = isObj(h === 'E' ? read.error_response : read.notice_response) ? ((h === 'E' ? read.error_response : read.notice_response) as Record<string, unknown>) : {};
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(src)) {
          const key = KEPLOY_ERROR_KEYS[k];
          if (!key || v === undefined || v === null || v === '' || ((key === 'position' || key === 'internalPosition') && Number(v) === 0)) continue;
          fields[key] = String(v);
        }
        m = { type: h, fields };
        break;
      }
      default:
        m = { type: h };
    }
    // Decoded fields are what is replayed; check each one encodes (a bad value fails here, not mid-replay).
    encodeBackend(m);
    out.push(m);
  }
  return out;
}

export interface KeployPgContext {
  file: string;
  /** Used for ids: the file's path relative to its source. */
  rel: string;
  signal?: AbortSignal;
  issue: (i: Omit<SourceIssue, 'file'>) => void;
}

/** YAML documents of a Keploy file (line-streamed; each parsed alone). */
async function* documents(file: string, signal?: AbortSignal): AsyncGenerator<{ text: string; line: number; index: number }> {
  let buf: string[] = [];
  let start = 1;
  let index = 0;
  for await (const { text, no } of readLines(file, signal)) {
    if (/^---\s*$/.test(text)) {
      if (buf.some((l) => l.trim() !== '')) yield { text: buf.join('\n'), line: start, index: index++ };
      buf = [];
      start = no + 1;
    } else buf.push(text);
  }
  if (buf.some((l) => l.trim() !== '')) yield { text: buf.join('\n'), line: start, index };
}

/** The Postgres conversations of one Keploy mocks file, one per connectionId, in first-seen order. */
export async function keployPgConversations(ctx: KeployPgContext): Promise<PgConversation[]> {
  const byConn = new Map<string, PgConversation & { columns: { last: RowField[] | undefined } }>();
  const base = ctx.rel.replace(/\.ya?ml$/i, '');
  for await (const doc of documents(ctx.file, ctx.signal)) {
    if (!/^kind:\s*Postgres\s*$/m.test(doc.text)) continue;
    const parsed = parseDocument(doc.text, { version: '1.2', prettyErrors: false });
    if (parsed.errors.length) continue; // the HTTP importer reports invalid YAML
    const d = parsed.toJS({ maxAliasCount: 100 }) as unknown;
    if (!isObj(d) || String(d.kind) !== 'Postgres' || !isObj(d.spec)) continue;
    const spec = d.spec;
    const conn = String(d.connectionId ?? '0');
    const name = typeof d.name === 'string' ? d.name : `doc-${doc.index}`;
    const ts = tsOf(spec.reqtimestampmock) ?? new Date(0).toISOString();
    let c = byConn.get(conn);
    if (!c) {
      c = { kind: 'postgres', id: `${base}#conn-${conn}`, connection: conn, ts, exchanges: [], meta: { format: 'keploy', file: path.basename(ctx.file) }, columns: { last: undefined } };
      byConn.set(conn, c);
    }
    try {
      const client = list(spec.postgresrequests).filter(isObj).flatMap((r) => clientMessages(r));
      const server = list(spec.postgresresponses).filter(isObj).flatMap((r) => serverMessages(r, c!.columns));
      const ex: PgExchange = { ts, client, server, label: name };
      const end = tsOf(spec.restimestampmock);
      if (end) ex.tsEnd = end;
      c.exchanges.push(ex);
    } catch (e) {
      ctx.issue({ line: doc.line, entry: doc.index, severity: 'warning', message: `Keploy Postgres mock ${name} skipped: ${(e as Error).message}` });
    }
  }
  return [...byConn.values()].map(({ columns: _c, ...conv }) => conv);
}
