/**
 * Keploy test sets: `tests/*.yaml` (kind Http) are inbound pairs; `mocks.yaml` holds many documents
 * separated by `---`, of which `kind: Http` ones (metadata.type HTTP_CLIENT) are outbound pairs with
 * service = the called URL's host. `kind: Postgres` mocks are left to store/postgres/keploy.ts (they feed a
 * Postgres wire mock); other kinds (Mongo, MySQL/SQL, gRPC, …) are skipped with an info issue naming the kind. `assertions.noise` is kept in `meta.ignore` as Reprise ignore paths
 * (`header.Date` → `header.date`, `body.id` → `$.id`).
 *
 * Read line by line; each YAML document is parsed on its own, so big mocks files stream.
 */
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { PairSchema, type Direction, type Pair } from '../model.js';
import { readLines } from '../io.js';
import { dropUndefined, isPlainObject as isObj, headersFromRecord, hostWithoutPort, isAbsoluteUrl, originForm } from '../http-util.js';
import { contextFor, stripExt, zodMessage, type ImportContext, type ImportOptions, type LocatedPair } from './types.js';


/** YAML documents of a file, with their 1-based start line and 0-based index. */
async function* documents(ctx: ImportContext): AsyncGenerator<{ text: string; line: number; index: number }> {
  let buf: string[] = [];
  let start = 1;
  let index = 0;
  for await (const { text, no } of readLines(ctx.file, ctx.signal)) {
    if (/^---\s*$/.test(text) || /^---\s+#/.test(text)) {
      if (buf.some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) yield { text: buf.join('\n'), line: start, index: index++ };
      buf = [];
      start = no + 1;
    } else if (/^\.\.\.\s*$/.test(text)) {
      // document end marker: the next line starts a new document
    } else buf.push(text);
  }
  if (buf.some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) yield { text: buf.join('\n'), line: start, index };
}

/** `a/test-set-0/tests/test-1.yaml` → `a/test-set-0` (relative to the source; the folder name when read alone). */
function testSetName(ctx: ImportContext): string {
  const inTests = path.basename(path.dirname(ctx.file)).toLowerCase() === 'tests';
  let rel = path.posix.dirname(ctx.rel);
  if (inTests) rel = path.posix.dirname(rel);
  if (rel && rel !== '.') return rel;
  const dir = inTests ? path.dirname(path.dirname(ctx.file)) : path.dirname(ctx.file);
  return path.basename(dir) || 'keploy';
}

/** Keploy noise key → Reprise ignore path. */
export function noiseToIgnore(key: string): string {
  const k = key.trim();
  const h = /^(?:resp\.)?header\.(.+)$/i.exec(k);
  if (h) return `header.${h[1].toLowerCase()}`;
  const b = /^(?:resp\.)?body(?:\.(.*))?$/i.exec(k);
  if (b) {
    if (!b[1]) return '$';
    return (
      '$' +
      b[1]
        .split('.')
        .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `['${seg.replace(/'/g, "\\'")}']`))
        .join('')
    );
  }
  return k;
}

function keployBody(b: unknown): { body?: string } {
  if (b === undefined || b === null || b === '') return {};
  return { body: typeof b === 'string' ? b : JSON.stringify(b) };
}

function tsOf(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && v && !v.startsWith('0001-01-01')) return v;
  return undefined;
}

export async function* keployPairs(ctx: ImportContext): AsyncGenerator<LocatedPair> {
  const fileName = path.basename(ctx.file).toLowerCase();
  const isMocksFile = /^mocks?\b/.test(fileName);
  const base = stripExt(ctx.rel);
  const testSet = testSetName(ctx);
  const skippedKinds = new Map<string, { count: number; line: number }>();
  let seq = 0;
  for await (const doc of documents(ctx)) {
    const parsedDoc = parseDocument(doc.text, { version: '1.2', prettyErrors: false });
    if (parsedDoc.errors.length) {
      const err = parsedDoc.errors[0];
      const rel = err.linePos?.[0]?.line ?? doc.text.slice(0, err.pos[0]).split('\n').length;
      ctx.issue({ line: doc.line + rel - 1, entry: doc.index, severity: 'error', message: `invalid YAML: ${err.message.split('\n')[0]}` });
      continue;
    }
    const d = parsedDoc.toJS({ maxAliasCount: 100 }) as unknown;
    if (!isObj(d)) continue;
    const kind = String(d.kind ?? '');
    if (kind.toLowerCase() !== 'http') {
      // Postgres mocks are conversations, read by store/postgres for a Postgres mock (type: postgres).
      if (kind === 'Postgres') continue;
      const k = kind || '(no kind)';
      const s = skippedKinds.get(k);
      if (s) s.count++;
      else skippedKinds.set(k, { count: 1, line: doc.line });
      continue;
    }
    const spec = isObj(d.spec) ? d.spec : undefined;
    const req = spec && isObj(spec.req) ? spec.req : undefined;
    if (!spec || !req || typeof req.method !== 'string' || typeof req.url !== 'string') {
      ctx.issue({ line: doc.line, entry: doc.index, severity: 'warning', message: `document ${doc.index} skipped: Http document without spec.req.method/url` });
      continue;
    }
    const metadata = isObj(spec.metadata) ? spec.metadata : {};
    const direction: Direction = isMocksFile || String(metadata.type ?? '').toUpperCase() === 'HTTP_CLIENT' ? 'out' : 'in';
    const res = isObj(spec.resp) ? spec.resp : undefined;
    const status = res ? Number(res.status_code) : Number.NaN;
    const reqTs = tsOf(req.timestamp) ?? tsOf(spec.reqTimestampMock);
    const resTs = (res ? tsOf(res.timestamp) : undefined) ?? tsOf(spec.resTimestampMock);
    const t0 = reqTs ? Date.parse(reqTs) : Number.NaN;
    const t1 = resTs ? Date.parse(resTs) : Number.NaN;
    const noise = isObj(spec.assertions) && isObj(spec.assertions.noise) ? Object.keys(spec.assertions.noise) : [];
    const name = typeof d.name === 'string' && d.name ? d.name : `doc-${doc.index}`;
    const url = req.url;
    const candidate = {
      id: isMocksFile ? `${base}#${name}` : `${testSet}/${name}`,
      session: isMocksFile ? base : testSet,
      seq: direction === 'in' ? Number(/(\d+)$/.exec(name)?.[1] ?? seq) : seq,
      ts: reqTs ?? (typeof spec.created === 'number' ? new Date(spec.created * 1000).toISOString() : new Date(0).toISOString()),
      direction,
      service: direction === 'out' ? hostWithoutPort(isAbsoluteUrl(url) ? url : String(headersFromRecord(req.header).host ?? '')) : undefined,
      request: {
        method: req.method.toUpperCase(),
        url: direction === 'in' ? originForm(url) : url,
        headers: headersFromRecord(req.header),
        ...keployBody(req.body),
      },
      response: res && Number.isFinite(status) && status > 0 ? { status, headers: headersFromRecord(res.header), ...keployBody(res.body) } : undefined,
      duration: Number.isFinite(t0) && Number.isFinite(t1) && t1 >= t0 ? t1 - t0 : undefined,
      meta: { format: 'keploy', name, ...(noise.length ? { ignore: noise.map(noiseToIgnore) } : {}) },
    };
    seq++;
    const parsed = PairSchema.safeParse(dropUndefined(candidate));
    if (!parsed.success) {
      ctx.issue({ line: doc.line, entry: doc.index, severity: 'warning', message: `document ${doc.index} skipped: ${zodMessage(parsed.error.issues)}` });
      continue;
    }
    yield { pair: parsed.data, file: ctx.file, line: doc.line, entry: doc.index };
  }
  for (const [kind, s] of skippedKinds) {
    ctx.issue({
      line: s.line,
      severity: 'info',
      message: `${s.count} Keploy ${kind} mock${s.count === 1 ? '' : 's'} skipped: only Http traffic is replayed or served`,
    });
  }
}

/** Pairs of one Keploy YAML file (a test case or a mocks file). */
export async function* importKeploy(file: string, opts?: ImportOptions): AsyncGenerator<Pair> {
  for await (const lp of keployPairs(contextFor(file, opts))) yield lp.pair;
}
