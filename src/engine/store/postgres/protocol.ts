/**
 * The PostgreSQL v3 wire protocol, as far as a recorded-conversation mock needs it: framing (messages are
 * reassembled from the byte stream, never taken per TCP read), and encoders/decoders of the frontend and
 * backend messages as plain data (`PgMessage`). Written here rather than taken from a library: framing is a
 * length prefix, and the mock must re-encode recorded messages exactly as decoded.
 */

/** Special startup-phase codes (the int32 after the length of an untyped first message). */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3 = 196608;

/**
 * One protocol message as plain data. `type` is the one-letter message type ('Q', 'T', …), or for the
 * untyped startup-phase messages 'startup' | 'ssl' | 'gssenc' | 'cancel'. `fields` is the decoded body;
 * which keys it has depends on the type and the direction (see decodeFrontend / decodeBackend).
 */
export interface PgMessage {
  type: string;
  fields?: Record<string, unknown>;
}

/** A framed message: the type ('' for the untyped startup-phase messages) and its body bytes. */
export interface Frame {
  type: string;
  body: Buffer;
  /** The whole message as sent (type byte, length, body). */
  raw: Buffer;
}

/**
 * Reassembles messages from a byte stream. `startup` is true until the first typed message is expected
 * (the server side of a connection reads untyped messages first; SSLRequest may be followed by another
 * untyped startup message).
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(public startup = false, private readonly maxMessage = 256 * 1024 * 1024) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
  }

  /** The next complete message, or undefined when more bytes are needed. Throws on a malformed length. */
  next(): Frame | undefined {
    if (this.startup) {
      if (this.buf.length < 4) return undefined;
      const len = this.buf.readInt32BE(0);
      if (len < 8 || len > 10_000) throw new Error(`invalid startup message length ${len}`);
      if (this.buf.length < len) return undefined;
      const raw = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      return { type: '', body: raw.subarray(4), raw };
    }
    if (this.buf.length < 5) return undefined;
    const len = this.buf.readInt32BE(1);
    if (len < 4 || len > this.maxMessage) throw new Error(`invalid message length ${len} for type ${JSON.stringify(String.fromCharCode(this.buf[0]))}`);
    if (this.buf.length < len + 1) return undefined;
    const raw = this.buf.subarray(0, len + 1);
    this.buf = this.buf.subarray(len + 1);
    return { type: String.fromCharCode(raw[0]), body: raw.subarray(5), raw };
  }

  /** Bytes read but not yet framed. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Every frame of a buffer (a whole recorded direction). `startup` as in FrameReader. */
export function framesOf(buf: Buffer, startup = false): Frame[] {
  const r = new FrameReader(startup);
  r.push(buf);
  const out: Frame[] = [];
  for (;;) {
    const f = r.next();
    if (!f) break;
    out.push(f);
    if (r.startup && f.type === '' && f.body.length >= 4 && f.body.readInt32BE(0) === PROTOCOL_3) r.startup = false;
  }
  if (r.pending) throw new Error(`${r.pending} trailing bytes do not form a whole message`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Body reader / writer

class BodyReader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  int32(): number {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int16(): number {
    const v = this.b.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  byte(): number {
    return this.b[this.pos++];
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw new Error('unterminated string');
    const s = this.b.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const v = this.b.subarray(this.pos, this.pos + n);
    if (v.length < n) throw new Error('message body too short');
    this.pos += n;
    return v;
  }
  rest(): Buffer {
    const v = this.b.subarray(this.pos);
    this.pos = this.b.length;
    return v;
  }
  get left(): number {
    return this.b.length - this.pos;
  }
}

class BodyWriter {
  private parts: Buffer[] = [];
  int32(v: number): this {
    const b = Buffer.alloc(4);
    if (v > 0x7fffffff) b.writeUInt32BE(v);
    else b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    // recorders sometimes keep an int16 as unsigned (attnum -2 as 65534)
    if (v > 0x7fff) b.writeUInt16BE(v & 0xffff);
    else b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  byte(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  cstr(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  bytes(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  body(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A typed message: type byte, int32 length (including itself), body. */
export function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

/** An untyped startup-phase message: int32 length (including itself), body. */
function untyped(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(4 + body.length, 0);
  body.copy(out, 4);
  return out;
}

/** A parameter or column value as plain data: text when it is UTF-8 and the format is text, else base64. */
export type PgValue = string | null | { base64: string };

export function valueToData(v: Buffer | null, binary: boolean): PgValue {
  if (v === null) return null;
  if (!binary) {
    const s = v.toString('utf8');
    if (Buffer.byteLength(s) === v.length && !s.includes('\uFFFD')) return s;
  }
  return { base64: v.toString('base64') };
}

export function valueBytes(v: PgValue | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.from(v.base64, 'base64');
}

/** Error and notice field codes → readable keys (the rest keep their letter). */
export const NOTICE_FIELDS: Record<string, string> = {
  S: 'severity',
  V: 'severityNonLocalized',
  C: 'code',
  M: 'message',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};
const NOTICE_CODES = Object.fromEntries(Object.entries(NOTICE_FIELDS).map(([k, v]) => [v, k]));

export interface RowField {
  name: string;
  tableOid: number;
  column: number;
  typeOid: number;
  typeSize: number;
  typeMod: number;
  format: number;
}

// ---------------------------------------------------------------------------------------------------------
// Frontend (client → server)

/** Decode a client message. Password-phase 'p' messages decode to `{ data }` (base64 of the body). */
export function decodeFrontend(f: Frame): PgMessage {
  const r = new BodyReader(f.body);
  switch (f.type) {
    case '': {
      const code = r.int32();
      if (code === SSL_REQUEST) return { type: 'ssl' };
      if (code === GSSENC_REQUEST) return { type: 'gssenc' };
      if (code === CANCEL_REQUEST) return { type: 'cancel', fields: { pid: r.int32(), secret: r.uint32() } };
      const parameters: Record<string, string> = {};
      while (r.left > 1) {
        const k = r.cstr();
        if (!k) break;
        parameters[k] = r.cstr();
      }
      return { type: 'startup', fields: { protocol: code, parameters } };
    }
    case 'Q':
      return { type: 'Q', fields: { sql: r.cstr() } };
    case 'P': {
      const name = r.cstr();
      const sql = r.cstr();
      const n = r.int16();
      const oids: number[] = [];
      for (let i = 0; i < n; i++) oids.push(r.uint32());
      return { type: 'P', fields: { name, sql, oids } };
    }
    case 'B': {
      const portal = r.cstr();
      const statement = r.cstr();
      const nf = r.int16();
      const formats: number[] = [];
      for (let i = 0; i < nf; i++) formats.push(r.int16());
      const np = r.int16();
      const params: PgValue[] = [];
      for (let i = 0; i < np; i++) {
        const len = r.int32();
        const fmt = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i];
        params.push(len < 0 ? null : valueToData(r.bytes(len), fmt === 1));
      }
      const nr = r.int16();
      const resultFormats: number[] = [];
      for (let i = 0; i < nr; i++) resultFormats.push(r.int16());
      return { type: 'B', fields: { portal, statement, formats, params, resultFormats } };
    }
    case 'D':
    case 'C': {
      const kind = String.fromCharCode(r.byte());
      return { type: f.type, fields: { kind, name: r.cstr() } };
    }
    case 'E':
      return { type: 'E', fields: { portal: r.cstr(), maxRows: r.int32() } };
    case 'p':
      return { type: 'p', fields: { data: f.body.toString('base64') } };
    case 'F':
    case 'd':
    case 'f':
      return { type: f.type, fields: { data: f.body.toString('base64') } };
    default:
      return { type: f.type };
  }
}

/** Encode a client message (tests, and Keploy mocks recorded without their raw bytes). */
export function encodeFrontend(m: PgMessage): Buffer {
  const x = (m.fields ?? {}) as Record<string, unknown>;
  const w = new BodyWriter();
  switch (m.type) {
    case 'ssl':
      return untyped(w.int32(SSL_REQUEST).body());
    case 'gssenc':
      return untyped(w.int32(GSSENC_REQUEST).body());
    case 'cancel':
      return untyped(w.int32(CANCEL_REQUEST).int32(Number(x.pid ?? 0)).int32(Number(x.secret ?? 0)).body());
    case 'startup': {
      w.int32(Number(x.protocol ?? PROTOCOL_3));
      for (const [k, v] of Object.entries((x.parameters ?? {}) as Record<string, string>)) w.cstr(k).cstr(String(v));
      return untyped(w.byte(0).body());
    }
    case 'Q':
      return frame('Q', w.cstr(String(x.sql ?? '')).body());
    case 'P': {
      const oids = (x.oids ?? []) as number[];
      w.cstr(String(x.name ?? '')).cstr(String(x.sql ?? '')).int16(oids.length);
      for (const o of oids) w.int32(o);
      return frame('P', w.body());
    }
    case 'B': {
      const formats = (x.formats ?? []) as number[];
      const params = (x.params ?? []) as PgValue[];
      const resultFormats = (x.resultFormats ?? []) as number[];
      w.cstr(String(x.portal ?? '')).cstr(String(x.statement ?? '')).int16(formats.length);
      for (const f of formats) w.int16(f);
      w.int16(params.length);
      for (const p of params) {
        const b = valueBytes(p);
        if (b === null) w.int32(-1);
        else w.int32(b.length).bytes(b);
      }
      w.int16(resultFormats.length);
      for (const f of resultFormats) w.int16(f);
      return frame('B', w.body());
    }
    case 'D':
    case 'C':
      return frame(m.type, w.byte(String(x.kind ?? 'S').charCodeAt(0)).cstr(String(x.name ?? '')).body());
    case 'E':
      return frame('E', w.cstr(String(x.portal ?? '')).int32(Number(x.maxRows ?? 0)).body());
    case 'p':
    case 'F':
    case 'd':
    case 'f':
      return frame(m.type, Buffer.from(String(x.data ?? ''), 'base64'));
    default:
      return frame(m.type);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Backend (server → client)

export function decodeBackend(f: Frame): PgMessage {
  const r = new BodyReader(f.body);
  switch (f.type) {
    case 'R': {
      const code = r.int32();
      if (code === 5) return { type: 'R', fields: { code, salt: r.bytes(4).toString('base64') } };
      if (code === 10) {
        const mechanisms: string[] = [];
        while (r.left > 1) {
          const s = r.cstr();
          if (!s) break;
          mechanisms.push(s);
        }
        return { type: 'R', fields: { code, mechanisms } };
      }
      if (code === 11 || code === 12) return { type: 'R', fields: { code, data: r.rest().toString('utf8') } };
      return { type: 'R', fields: { code } };
    }
    case 'S':
      return { type: 'S', fields: { name: r.cstr(), value: r.cstr() } };
    case 'K':
      return { type: 'K', fields: { pid: r.int32(), secret: r.uint32() } };
    case 'Z':
      return { type: 'Z', fields: { status: String.fromCharCode(r.byte()) } };
    case 'T': {
      const n = r.int16();
      const fields: RowField[] = [];
      for (let i = 0; i < n; i++) {
        fields.push({ name: r.cstr(), tableOid: r.uint32(), column: r.int16(), typeOid: r.uint32(), typeSize: r.int16(), typeMod: r.int32(), format: r.int16() });
      }
      return { type: 'T', fields: { fields } };
    }
    case 'D': {
      const n = r.int16();
      const values: PgValue[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        values.push(len < 0 ? null : valueToData(r.bytes(len), false));
      }
      return { type: 'D', fields: { values } };
    }
    case 'C':
      return { type: 'C', fields: { tag: r.cstr() } };
    case 'E':
    case 'N': {
      const out: Record<string, string> = {};
      while (r.left > 0) {
        const code = r.byte();
        if (code === 0) break;
        const c = String.fromCharCode(code);
        out[NOTICE_FIELDS[c] ?? c] = r.cstr();
      }
      return { type: f.type, fields: out };
    }
    case 't': {
      const n = r.int16();
      const oids: number[] = [];
      for (let i = 0; i < n; i++) oids.push(r.uint32());
      return { type: 't', fields: { oids } };
    }
    case 'A':
      return { type: 'A', fields: { pid: r.int32(), channel: r.cstr(), payload: r.cstr() } };
    default:
      return f.body.length ? { type: f.type, fields: { data: f.body.toString('base64') } } : { type: f.type };
  }
}

export function encodeBackend(m: PgMessage): Buffer {
  const x = (m.fields ?? {}) as Record<string, unknown>;
  const w = new BodyWriter();
  switch (m.type) {
    case 'R': {
      const code = Number(x.code ?? 0);
      w.int32(code);
      if (code === 5) w.bytes(Buffer.from(String(x.salt ?? 'AAAAAA=='), 'base64').subarray(0, 4));
      else if (code === 10) {
        for (const s of (x.mechanisms ?? []) as string[]) w.cstr(s);
        w.byte(0);
      } else if (code === 11 || code === 12) w.bytes(Buffer.from(String(x.data ?? ''), 'utf8'));
      return frame('R', w.body());
    }
    case 'S':
      return frame('S', w.cstr(String(x.name ?? '')).cstr(String(x.value ?? '')).body());
    case 'K':
      return frame('K', w.int32(Number(x.pid ?? 0)).int32(Number(x.secret ?? 0)).body());
    case 'Z':
      return frame('Z', w.byte(String(x.status ?? 'I').charCodeAt(0)).body());
    case 'T': {
      const fields = (x.fields ?? []) as RowField[];
      w.int16(fields.length);
      for (const f of fields) {
        w.cstr(f.name).int32(f.tableOid ?? 0).int16(f.column ?? 0).int32(f.typeOid ?? 25).int16(f.typeSize ?? -1).int32(f.typeMod ?? -1).int16(f.format ?? 0);
      }
      return frame('T', w.body());
    }
    case 'D': {
      const values = (x.values ?? []) as PgValue[];
      w.int16(values.length);
      for (const v of values) {
        const b = valueBytes(v);
        if (b === null) w.int32(-1);
        else w.int32(b.length).bytes(b);
      }
      return frame('D', w.body());
    }
    case 'C':
      return frame('C', w.cstr(String(x.tag ?? '')).body());
    case 'E':
    case 'N': {
      for (const [k, v] of Object.entries(x)) {
        const code = NOTICE_CODES[k] ?? (k.length === 1 ? k : undefined);
        if (code && v !== undefined) w.byte(code.charCodeAt(0)).cstr(String(v));
      }
      return frame(m.type, w.byte(0).body());
    }
    case 't': {
      const oids = (x.oids ?? []) as number[];
      w.int16(oids.length);
      for (const o of oids) w.int32(o);
      return frame('t', w.body());
    }
    case 'A':
      return frame('A', w.int32(Number(x.pid ?? 0)).cstr(String(x.channel ?? '')).cstr(String(x.payload ?? '')).body());
    default:
      return frame(m.type, x.data ? Buffer.from(String(x.data), 'base64') : Buffer.alloc(0));
  }
}

/** An ErrorResponse from the fields a mock needs. */
export function errorResponse(code: string, message: string, extra: { detail?: string; hint?: string; severity?: string } = {}): Buffer {
  return encodeBackend({
    type: 'E',
    fields: {
      severity: extra.severity ?? 'ERROR',
      severityNonLocalized: extra.severity ?? 'ERROR',
      code,
      message,
      ...(extra.detail ? { detail: extra.detail } : {}),
      ...(extra.hint ? { hint: extra.hint } : {}),
    },
  });
}

export const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => frame('Z', Buffer.from(status));
