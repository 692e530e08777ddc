/**
 * A Postgres wire-protocol mock for one database dependency, answering from recorded conversations.
 * Binds 127.0.0.1 by default. Per client connection: SSLRequest/GSSENCRequest answered 'N'; startup with the
 * configured auth (trust by default, cleartext, md5, SCRAM-SHA-256), then the recorded ParameterStatus and
 * BackendKeyData; the simple query protocol and the extended one (Parse/Bind/Describe/Execute/Sync/Flush/
 * Close, named and unnamed statements and portals) answered from the recording (matcher.ts); transaction
 * status tracked for ReadyForQuery; after an error, messages up to Sync are skipped as a server does.
 * A statement nothing matches gets an ErrorResponse naming the query and the nearest recorded ones, and is
 * recorded as an UnmatchedCall. CancelRequest closes its connection; Terminate ends the session.
 *
 * The same outward shape as the HTTP MockServer (service, url, stats, unmatched, sequences), so the mock
 * manager, the run and the reports treat both alike.
 */
import net from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { MockServiceConfig } from '../../config/types.js';
import type { PgConversation } from '../../store/postgres/model.js';
import {
  decodeFrontend,
  encodeBackend,
  errorResponse,
  frame,
  FrameReader,
  PROTOCOL_3,
  readyForQuery,
  type Frame,
  type PgValue,
} from '../../store/postgres/protocol.js';
import type { SourceIssue } from '../../store/model.js';
import type { MockCallEvent } from '../server.js';
import type { MockStats, UnmatchedCall } from '../types.js';
import { md5Password, ScramServer, type PgAuthMethod } from './auth.js';
import { StatementIndex, type PgQuery, type UseCounts } from './matcher.js';
import { compileConversations, type CompiledRecording, type RecordedStatement } from './recorded.js';
import { normalizeSql, sqlOneLine } from './sql.js';

/** SQLSTATE of the ErrorResponse answering a statement no recording matches (internal_error). */
export const UNMATCHED_SQLSTATE = 'XX000';

export interface PgMockOptions {
  onCall?: (e: MockCallEvent) => void;
  maxUnmatched?: number;
}

const DEFAULT_PARAMETERS: Array<{ name: string; value: string }> = [
  { name: 'server_version', value: '15.0 (reprise mock)' },
  { name: 'server_encoding', value: 'UTF8' },
  { name: 'client_encoding', value: 'UTF8' },
  { name: 'DateStyle', value: 'ISO, MDY' },
  { name: 'IntervalStyle', value: 'postgres' },
  { name: 'integer_datetimes', value: 'on' },
  { name: 'standard_conforming_strings', value: 'on' },
  { name: 'TimeZone', value: 'UTC' },
  { name: 'is_superuser', value: 'on' },
  { name: 'application_name', value: '' },
];

type Tx = 'I' | 'T' | 'E';

export class PgMockServer {
  readonly service: string;
  readonly protocol = 'postgres' as const;
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private boundPort = 0;
  private readonly recording: CompiledRecording;
  readonly index: StatementIndex;
  private readonly shared: UseCounts = new Map();
  private readonly sessionUses = new Map<string, UseCounts>();
  private activeSession?: string;
  private readonly unmatchedCalls: UnmatchedCall[] = [];
  private counters = { calls: 0, matched: 0, unmatched: 0 };
  onCall?: (e: MockCallEvent) => void;

  constructor(
    readonly config: MockServiceConfig,
    conversations: readonly PgConversation[],
    private readonly opts: PgMockOptions = {},
  ) {
    this.service = config.service;
    this.recording = compileConversations(conversations);
    this.index = new StatementIndex(this.recording.statements, config.sequence);
    this.onCall = opts.onCall;
  }

  get issues(): SourceIssue[] {
    return this.recording.issues;
  }

  get stubCount(): number {
    return this.index.size;
  }

  get port(): number {
    return this.boundPort;
  }

  /** postgres://user@127.0.0.1:port/database, with the recorded user and database when known. */
  get url(): string {
    const h = this.config.host || '127.0.0.1';
    const host = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
    const client = this.recording.startup?.client ?? {};
    const user = this.config.auth?.user ?? client.user ?? 'postgres';
    const pw = this.config.auth?.password;
    const db = client.database ?? user;
    return `postgres://${encodeURIComponent(user)}${pw ? ':' + encodeURIComponent(pw) : ''}@${host}:${this.boundPort}/${encodeURIComponent(db)}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((s) => this.connection(s));
    const host = this.config.host || '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') reject(new Error(`mock '${this.service}': port ${this.config.port} is already in use`));
        else reject(new Error(`mock '${this.service}': cannot listen on ${host}:${this.config.port}: ${err.message}`));
      });
      server.listen(this.config.port, host, () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  stats(): MockStats {
    return { service: this.service, protocol: 'postgres', port: this.boundPort, ...this.counters };
  }

  unmatched(): UnmatchedCall[] {
    return [...this.unmatchedCalls];
  }

  resetStats(): void {
    this.counters = { calls: 0, matched: 0, unmatched: 0 };
    this.unmatchedCalls.length = 0;
  }

  resetSequences(session?: string): void {
    if (session !== undefined) {
      this.sessionUses.delete(session);
      return;
    }
    this.shared.clear();
    this.sessionUses.clear();
  }

  setActiveSession(session: string | undefined): void {
    this.activeSession = session;
  }

  private uses(): UseCounts {
    const s = this.activeSession;
    if (!s) return this.shared;
    let u = this.sessionUses.get(s);
    if (!u) this.sessionUses.set(s, (u = new Map()));
    return u;
  }

  private connection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    const conn = new PgConnection(this, socket);
    socket.on('data', (chunk: Buffer) => conn.data(chunk));
  }

  // ---- used by connections

  get startupParameters(): Array<{ name: string; value: string }> {
    const rec = this.recording.startup?.parameters ?? [];
    if (!rec.length) return DEFAULT_PARAMETERS;
    return rec;
  }

  get backendKey(): { pid: number; secret: number } {
    return this.recording.startup?.key ?? { pid: 4242, secret: randomBytes(4).readUInt32BE(0) };
  }

  parseError(norm: string): Buffer | undefined {
    return this.recording.parseErrors.get(norm);
  }

  describe(q: PgQuery): { oids: number[]; rowDescription: Buffer | 'none' } | undefined {
    const d = this.recording.describes.find((x) => x.norm.text === q.norm.text) ?? this.recording.describes.find((x) => x.norm.masked === q.norm.masked);
    if (d) return { oids: d.paramOids, rowDescription: d.rowDescription };
    const s = this.index.anyWithSql(q.norm);
    if (s && s.rowDescription) return { oids: [], rowDescription: s.rowDescription };
    if (s) return { oids: [], rowDescription: 'none' };
    return undefined;
  }

  /** Match a statement; a miss is counted, recorded, and answered with the returned ErrorResponse. */
  match(q: PgQuery, preferConversation: string | undefined): { stmt: RecordedStatement } | { error: Buffer } {
    this.counters.calls++;
    const hit = this.index.find(q, this.uses(), preferConversation);
    const method = q.protocol === 'simple' ? 'QUERY' : 'EXECUTE';
    const url = sqlOneLine(q.sql, 2000);
    if (hit) {
      this.counters.matched++;
      this.onCall?.({ service: this.service, method, url, matched: true, stubId: hit.stmt.id });
      return { stmt: hit.stmt };
    }
    this.counters.unmatched++;
    const nearest = this.index.nearest(q);
    const call: UnmatchedCall = {
      id: randomUUID(),
      service: this.service,
      protocol: 'postgres',
      at: new Date().toISOString(),
      request: { method, url, headers: {}, ...(q.params.length ? { body: JSON.stringify(q.params), bodyEncoding: 'utf8' as const } : {}) },
      query: { sql: q.sql, protocol: q.protocol, ...(q.params.length ? { params: q.params } : {}) },
      nearest,
      answeredWith: { status: 0, sqlstate: UNMATCHED_SQLSTATE },
    };
    if (this.unmatchedCalls.length < (this.opts.maxUnmatched ?? 10_000)) this.unmatchedCalls.push(call);
    const near = nearest[0];
    this.onCall?.({
      service: this.service,
      method,
      url,
      matched: false,
      unmatchedId: call.id,
      ...(near ? { nearest: { stubId: near.stubId, summary: near.summary, why: near.failures.map((f) => f.message).join('; ') } } : {}),
    });
    const detail = [
      q.params.length ? `parameters: ${JSON.stringify(q.params).slice(0, 500)}` : '',
      nearest.length
        ? 'nearest recorded: ' + nearest.map((n, i) => `${i + 1}) ${n.summary}${n.failures.length ? ' — ' + n.failures.map((f) => f.message).join('; ') : ''}`).join(' | ')
        : 'nothing was recorded for this mock',
    ]
      .filter(Boolean)
      .join('\n');
    const error = errorResponse(UNMATCHED_SQLSTATE, `reprise mock '${this.service}': no recorded query matches: ${sqlOneLine(q.sql, 300)}`, {
      detail,
      hint: 'Record this query again, or promote the unmatched call to a stub.',
    });
    return { error };
  }
}

interface Portal {
  sql: string;
  params: PgValue[];
  /** Matched (or missed) when the portal was described, before Execute. */
  result?: { stmt: RecordedStatement } | { error: Buffer };
}

/** One client connection's protocol state. */
class PgConnection {
  private readonly reader = new FrameReader(true);
  private phase: 'startup' | 'auth-password' | 'auth-md5' | 'auth-sasl' | 'auth-sasl-final' | 'ready' | 'closed' = 'startup';
  private tx: Tx = 'I';
  private skipping = false;
  private readonly statements = new Map<string, { sql: string; oids: number[] }>();
  private readonly portals = new Map<string, Portal>();
  private startupParams: Record<string, string> = {};
  private salt = Buffer.alloc(4);
  private scram?: ScramServer;
  /** The recorded conversation this connection follows once it matched something (for repeats). */
  private conversation?: string;
  private out: Buffer[] = [];

  constructor(
    private readonly mock: PgMockServer,
    private readonly socket: net.Socket,
  ) {}

  data(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.reader.push(chunk);
    try {
      for (;;) {
        const f = this.reader.next();
        if (!f) break;
        this.handle(f);
        if ((this.phase as string) === 'closed') break;
      }
    } catch (e) {
      this.send(errorResponse('08P01', `reprise mock: protocol violation: ${(e as Error).message}`, { severity: 'FATAL' }));
      this.close();
    }
    this.flush();
  }

  private send(b: Buffer): void {
    this.out.push(b);
  }

  private flush(): void {
    if (!this.out.length || this.socket.destroyed) return;
    const b = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(b);
  }

  private close(): void {
    this.phase = 'closed';
    this.flush();
    this.socket.end();
  }

  private handle(f: Frame): void {
    if (this.phase === 'startup') return this.startup(f);
    if (this.phase !== 'ready') return this.auth(f);
    if (this.skipping && f.type !== 'S' && f.type !== 'X') return;
    switch (f.type) {
      case 'Q':
        return this.simpleQuery(String(decodeFrontend(f).fields!.sql ?? ''));
      case 'P': {
        const x = decodeFrontend(f).fields as { name: string; sql: string; oids: number[] };
        const err = this.mock.parseError(normalizeSql(x.sql).text);
        if (err) return this.fail(err);
        if (x.name && this.statements.has(x.name)) return this.fail(errorResponse('42P05', `prepared statement "${x.name}" already exists`));
        this.statements.set(x.name, { sql: x.sql, oids: x.oids });
        return this.send(frame('1'));
      }
      case 'B': {
        const x = decodeFrontend(f).fields as { portal: string; statement: string; params: PgValue[] };
        const st = this.statements.get(x.statement);
        if (!st) return this.fail(errorResponse('26000', `prepared statement "${x.statement}" does not exist`));
        this.portals.set(x.portal, { sql: st.sql, params: x.params });
        return this.send(frame('2'));
      }
      case 'D': {
        const x = decodeFrontend(f).fields as { kind: string; name: string };
        return x.kind === 'S' ? this.describeStatement(x.name) : this.describePortal(x.name);
      }
      case 'E': {
        const x = decodeFrontend(f).fields as { portal: string };
        return this.execute(x.portal);
      }
      case 'S':
        this.skipping = false;
        this.portals.delete('');
        this.send(readyForQuery(this.tx));
        return this.flush();
      case 'H':
        return this.flush();
      case 'C': {
        const x = decodeFrontend(f).fields as { kind: string; name: string };
        if (x.kind === 'S') this.statements.delete(x.name);
        else this.portals.delete(x.name);
        return this.send(frame('3'));
      }
      case 'X':
        return this.close();
      default:
        return this.fail(errorResponse('0A000', `reprise mock: message type ${JSON.stringify(f.type)} is not supported`));
    }
  }

  private startup(f: Frame): void {
    const m = decodeFrontend(f);
    if (m.type === 'ssl' || m.type === 'gssenc') {
      this.send(Buffer.from('N'));
      return;
    }
    if (m.type === 'cancel') {
      // Answers are sent at once, so there is never a query in flight to cancel.
      return this.close();
    }
    const fields = m.fields as { protocol: number; parameters: Record<string, string> };
    if (fields.protocol >> 16 !== 3) {
      this.send(errorResponse('0A000', `unsupported frontend protocol ${fields.protocol >> 16}.${fields.protocol & 0xffff}: the mock speaks 3.0`, { severity: 'FATAL' }));
      return this.close();
    }
    this.reader.startup = false;
    this.startupParams = fields.parameters;
    if (fields.protocol !== PROTOCOL_3) {
      // NegotiateProtocolVersion: the newest minor version we support (0) and no unrecognised options.
      const body = Buffer.alloc(8);
      body.writeInt32BE(PROTOCOL_3, 0);
      body.writeInt32BE(0, 4);
      this.send(frame('v', body));
    }
    const method: PgAuthMethod = this.mock.config.auth?.method ?? 'trust';
    if (method === 'trust') return this.authOk();
    if (method === 'password') {
      this.phase = 'auth-password';
      return this.send(encodeBackend({ type: 'R', fields: { code: 3 } }));
    }
    if (method === 'md5') {
      this.salt = randomBytes(4);
      this.phase = 'auth-md5';
      return this.send(encodeBackend({ type: 'R', fields: { code: 5, salt: this.salt.toString('base64') } }));
    }
    this.scram = new ScramServer(this.mock.config.auth?.password ?? '');
    this.phase = 'auth-sasl';
    this.send(encodeBackend({ type: 'R', fields: { code: 10, mechanisms: ['SCRAM-SHA-256'] } }));
  }

  private auth(f: Frame): void {
    if (f.type !== 'p') {
      this.send(errorResponse('08P01', `expected a password message, got ${JSON.stringify(f.type)}`, { severity: 'FATAL' }));
      return this.close();
    }
    const user = this.startupParams.user ?? '';
    const want = this.mock.config.auth?.password;
    const denied = () => {
      this.send(errorResponse('28P01', `password authentication failed for user "${user}"`, { severity: 'FATAL' }));
      this.close();
    };
    try {
      if (this.phase === 'auth-password') {
        const pw = f.body.toString('utf8').replace(/\0$/, '');
        if (want !== undefined && pw !== want) return denied();
        return this.authOk();
      }
      if (this.phase === 'auth-md5') {
        const got = f.body.toString('utf8').replace(/\0$/, '');
        if (want !== undefined && got !== md5Password(user, want, this.salt)) return denied();
        return this.authOk();
      }
      if (this.phase === 'auth-sasl') {
        const serverFirst = this.scram!.first(f.body);
        this.phase = 'auth-sasl-final';
        return this.send(encodeBackend({ type: 'R', fields: { code: 11, data: serverFirst } }));
      }
      const serverFinal = this.scram!.final(f.body);
      this.send(encodeBackend({ type: 'R', fields: { code: 12, data: serverFinal } }));
      return this.authOk();
    } catch {
      return denied();
    }
  }

  private authOk(): void {
    this.phase = 'ready';
    this.send(encodeBackend({ type: 'R', fields: { code: 0 } }));
    for (const p of this.mock.startupParameters) this.send(encodeBackend({ type: 'S', fields: p }));
    this.send(encodeBackend({ type: 'K', fields: this.mock.backendKey }));
    this.send(readyForQuery('I'));
    this.flush();
  }

  /** An error in the extended protocol: sent, then everything up to Sync is skipped. */
  private fail(err: Buffer): void {
    this.send(err);
    if (this.tx === 'T') this.tx = 'E';
    this.skipping = true;
  }

  private query(protocol: 'simple' | 'extended', sql: string, params: PgValue[]): PgQuery {
    return { protocol, sql, norm: normalizeSql(sql), params };
  }

  private matched(q: PgQuery): { stmt: RecordedStatement } | { error: Buffer } {
    if (this.tx === 'E' && !/^(rollback|commit|end|abort)\b/.test(q.norm.text)) {
      return { error: errorResponse('25P02', 'current transaction is aborted, commands ignored until end of transaction block') };
    }
    const r = this.mock.match(q, this.conversation);
    if ('stmt' in r) this.conversation ??= r.stmt.conversation;
    return r;
  }

  private simpleQuery(sql: string): void {
    if (normalizeSql(sql).text === '') {
      this.send(frame('I'));
      this.send(readyForQuery(this.tx));
      return;
    }
    const q = this.query('simple', sql, []);
    const r = this.matched(q);
    if ('error' in r) {
      this.send(r.error);
      if (this.tx === 'T') this.tx = 'E';
    } else {
      // recorded through the extended protocol: the row description came from a Describe
      if (r.stmt.protocol === 'extended' && r.stmt.rowDescription instanceof Buffer) this.send(r.stmt.rowDescription);
      for (const b of r.stmt.response) this.send(b);
      this.tx = nextTx(this.tx, r.stmt, q);
    }
    this.send(readyForQuery(this.tx));
  }

  private describeStatement(name: string): void {
    const st = this.statements.get(name);
    if (!st) return this.fail(errorResponse('26000', `prepared statement "${name}" does not exist`));
    const q = this.query('extended', st.sql, []);
    const d = this.mock.describe(q);
    if (!d) {
      // Nothing recorded with this SQL: the statement is unmatched whatever its parameters.
      const r = this.mock.match(q, this.conversation);
      return this.fail('error' in r ? r.error : errorResponse(UNMATCHED_SQLSTATE, 'unexpected match'));
    }
    const count = placeholderCount(st.sql);
    const oids = d.oids.length ? d.oids : Array.from({ length: count }, (_, i) => st.oids[i] || 25);
    this.send(encodeBackend({ type: 't', fields: { oids } }));
    this.send(d.rowDescription === 'none' ? frame('n') : d.rowDescription);
  }

  private describePortal(name: string): void {
    const p = this.portals.get(name);
    if (!p) return this.fail(errorResponse('34000', `portal "${name}" does not exist`));
    p.result = this.matched(this.query('extended', p.sql, p.params));
    if ('error' in p.result) return this.fail(p.result.error);
    const s = p.result.stmt;
    const rd = s.rowDescription ?? this.mock.describe(this.query('extended', s.sql, []))?.rowDescription ?? 'none';
    this.send(rd === 'none' ? frame('n') : rd);
  }

  private execute(name: string): void {
    const p = this.portals.get(name);
    if (!p) return this.fail(errorResponse('34000', `portal "${name}" does not exist`));
    const q = this.query('extended', p.sql, p.params);
    const r = p.result ?? this.matched(q);
    p.result = undefined;
    if ('error' in r) return this.fail(r.error);
    // recorded as a simple Query: its RowDescription is answered by Describe, not Execute
    for (const b of r.stmt.response) if (r.stmt.protocol === 'extended' || b[0] !== 0x54) this.send(b);
    if (r.stmt.error) {
      this.tx = this.tx === 'T' ? 'E' : this.tx;
      this.skipping = true;
      return;
    }
    this.tx = nextTx(this.tx, r.stmt, q);
  }
}

/** Transaction status after a statement answered as recorded. */
export function nextTx(tx: Tx, s: RecordedStatement, q: PgQuery): Tx {
  if (s.error) return tx === 'T' ? 'E' : tx;
  let t = tx;
  for (const tag of s.tags) {
    if (tag === 'BEGIN' || tag === 'START TRANSACTION') t = 'T';
    else if (tag === 'COMMIT' || tag === 'ROLLBACK') t = /^rollback( transaction| work)? to\b/.test(q.norm.text) ? 'T' : 'I';
  }
  return t;
}

function placeholderCount(sql: string): number {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}
