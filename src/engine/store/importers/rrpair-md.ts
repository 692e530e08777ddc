/**
 * proxymock RRPair Markdown: one pair per file, `<recording>/<host>/<timestamp>.md`, sections
 * `### REQUEST ###`, `### RESPONSE ###`, `### SIGNATURE ###`, `### METADATA ###`, each holding fenced
 * blocks (headers first, then the body). A file is one pair, so it is read whole.
 *
 * Header values escape commas inside a value as `\,`; an unescaped `, ` separates repeated values.
 * `direction: IN` → 'in'; `OUT` → 'out' with service = the host folder (the host called).
 * Tags `reprise.session`, `reprise.reqBodyEncoding`, `reprise.resBodyEncoding` (written by our exporter)
 * restore what Markdown alone cannot hold.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PairSchema, type Headers, type Pair } from '../model.js';
import { dropUndefined, addHeader, hostWithoutPort, isBase64, originForm } from '../http-util.js';
import { isGzipFile } from '../io.js';
import { contextFor, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './types.js';

interface Section {
  name: string;
  /** 1-based line of the section heading. */
  line: number;
  lines: string[];
}

const HEADING = /^###\s+(.+?)\s+###\s*$/;
const FENCE = /^```\s*$/;

function sections(text: string): Section[] {
  const out: Section[] = [];
  const lines = text.split('\n');
  let cur: Section | undefined;
  lines.forEach((l, i) => {
    const m = HEADING.exec(l.replace(/\r$/, ''));
    if (m) {
      cur = { name: m[1].toUpperCase(), line: i + 1, lines: [] };
      out.push(cur);
    } else if (cur) cur.lines.push(l);
  });
  return out;
}

/** First fenced block = head; the body runs from the next fence to the last fence of the section. */
function blocks(sec: Section): { head: string[]; body?: string } {
  const fences: number[] = [];
  sec.lines.forEach((l, i) => {
    if (FENCE.test(l.replace(/\r$/, ''))) fences.push(i);
  });
  if (fences.length < 2) return { head: [] };
  const head = sec.lines.slice(fences[0] + 1, fences[1]).map((l) => l.replace(/\r$/, ''));
  if (fences.length < 4) return { head };
  const bodyLines = sec.lines.slice(fences[2] + 1, fences[fences.length - 1]);
  return { head, body: bodyLines.length ? bodyLines.join('\n') : undefined };
}

/** Split a header value on unescaped `,` + space, then unescape `\,`. */
export function splitHeaderValue(v: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && v[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (c === ',' && v[i + 1] === ' ') {
      parts.push(cur);
      cur = '';
      i++;
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function parseHeaders(lines: string[]): Headers {
  const h: Headers = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c <= 0) continue;
    const name = l.slice(0, c).trim();
    for (const v of splitHeaderValue(l.slice(c + 1).trim())) addHeader(h, name, v);
  }
  return h;
}

function parseKv(lines: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) o[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  return o;
}

function parseTags(s: string | undefined): Record<string, string> {
  const o: Record<string, string> = {};
  if (!s) return o;
  for (const part of splitHeaderValue(s)) {
    const eq = part.indexOf('=');
    if (eq > 0) o[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return o;
}

function parseDuration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^([\d.]+)\s*(ns|µs|us|ms|s|m)?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = { ns: 1e-6, µs: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60000 };
  return n * mult[m[2] ?? 'ms'];
}

function body(b: string | undefined, enc: string | undefined): { body?: string; bodyEncoding?: 'base64' } {
  if (b === undefined) return {};
  if (enc === 'base64') {
    if (!isBase64(b)) throw new Error('body tagged base64 is not base64');
    return { body: b.replace(/\s+/g, ''), bodyEncoding: 'base64' };
  }
  return { body: b };
}

export async function* rrpairMdPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  let raw = await fsp.readFile(ctx.file);
  if (await isGzipFile(ctx.file)) raw = gunzipSync(raw);
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const secs = sections(text);
  const get = (n: string) => secs.find((s) => s.name === n);
  const reqSec = get('REQUEST');
  if (!reqSec) {
    ctx.issue({ line: 1, severity: 'error', message: 'not an RRPair: no ### REQUEST ### section' });
    return;
  }
  try {
    const req = blocks(reqSec);
    const rl = /^([A-Za-z]+)\s+(\S+)(?:\s+HTTP\/[\d.]+)?$/.exec((req.head[0] ?? '').trim());
    if (!rl) throw new LineError(reqSec.line + 2, `bad request line ${JSON.stringify(req.head[0] ?? '')}`);
    const meta = parseKv(get('METADATA') ? blocks(get('METADATA')!).head : []);
    const tags = parseTags(meta.tags);
    const direction = (meta.direction ?? 'IN').toUpperCase() === 'OUT' ? 'out' : 'in';
    const reqHeaders = parseHeaders(req.head.slice(1));
    const hostDir = path.basename(path.dirname(ctx.file));
    const recording = path.basename(path.dirname(path.dirname(ctx.file)));

    let response: Pair['response'];
    const resSec = get('RESPONSE');
    if (resSec) {
      const res = blocks(resSec);
      const sl = /^HTTP\/[\d.]+\s+(\d{3})/.exec((res.head[0] ?? '').trim());
      if (!sl) {
        if (res.head.length) throw new LineError(resSec.line + 2, `bad status line ${JSON.stringify(res.head[0])}`);
      } else {
        response = { status: Number(sl[1]), headers: parseHeaders(res.head.slice(1)), ...body(res.body, tags['reprise.resBodyEncoding']) };
      }
    }

    const seq = Number.parseInt(tags.sequence ?? '', 10);
    const rawUrl = rl[2];
    const candidate = {
      id: meta.uuid || ctx.rel,
      session: tags['reprise.session'] ?? recording,
      seq: Number.isFinite(seq) && seq >= 0 ? seq : 0,
      ts: meta.ts || fileTs(ctx.file) || new Date(0).toISOString(),
      direction,
      service: direction === 'out' ? (hostDir && hostDir !== '.' ? hostDir : hostWithoutPort(rawUrl)) : undefined,
      request: {
        method: rl[1].toUpperCase(),
        url: direction === 'in' ? originForm(rawUrl) : rawUrl,
        headers: reqHeaders,
        ...body(req.body, tags['reprise.reqBodyEncoding']),
      },
      response,
      duration: parseDuration(meta.duration),
    };
    const parsed = PairSchema.safeParse(dropUndefined(candidate));
    if (!parsed.success) throw new LineError(1, zodMessage(parsed.error.issues));
    yield { pair: parsed.data, file: ctx.file, line: reqSec.line };
  } catch (e) {
    ctx.issue({ line: e instanceof LineError ? e.line : reqSec.line, severity: 'error', message: `skipped: ${(e as Error).message}` });
  }
}

class LineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** `2026-05-27_19-08-01.430262Z.md` → `2026-05-27T19:08:01.430262Z`. */
function fileTs(file: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)/.exec(path.basename(file));
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}` : undefined;
}

/** The pair of one RRPair Markdown file. */
export async function* importRrpairMd(file: string, opts?: ImportOptions): AsyncGenerator<Pair> {
  for await (const lp of rrpairMdPairs(contextFor(file, opts))) yield lp.pair;
}
