/**
 * Compare a live response with the recorded one: status, selected headers, and the body — JSON field by
 * field with JSONPath ignores, numeric tolerances and shape/noise recognition, or text/bytes otherwise.
 * Runs once per replayed request, so: patterns compiled once per options object (and memoised per
 * pattern string), no clones, path strings built only for reported differences.
 */
import { isSecretHeader } from '../redact.js';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { BodyEncoding, Headers, RecordedResponse } from '../store/model.js';
import type { FieldDiff, Validation, ValidateOptions } from './types.js';
import type { ActualResponse } from '../../shared/results.js';
import {
  NO_STATES,
  PatternSet,
  cachedPattern,
  formatPath,
  headerPatternName,
  isHeaderPattern,
  type PathSegment,
} from './jsonpath.js';
import { isNoisyHeader, shapeOf } from './shapes.js';

export type { ActualResponse };

/** Options compiled for the comparison; build once with `compileValidateOptions` or let validateResponse cache it. */
export interface CompiledValidateOptions {
  ignore: PatternSet<true>;
  tolerances: PatternSet<number>;
  ignoreHeaders: ReadonlySet<string>;
  ignoreStatus: boolean;
  headers: readonly string[];
  shapeOnly: boolean;
  autoNoise: boolean;
  maxDiffs: number;
  /** Ignore/tolerance entries that are not valid JSONPath (they are skipped), with the reason. */
  invalid: { pattern: string; message: string }[];
}

const compiledCache = new WeakMap<ValidateOptions, CompiledValidateOptions>();

export function compileValidateOptions(opts: ValidateOptions): CompiledValidateOptions {
  const hit = compiledCache.get(opts);
  if (hit) return hit;
  const ignore = new PatternSet<true>();
  const tolerances = new PatternSet<number>();
  const ignoreHeaders = new Set<string>();
  const invalid: { pattern: string; message: string }[] = [];
  let ignoreStatus = false;
  for (const p of opts.ignore ?? []) {
    if (typeof p !== 'string') continue;
    if (isHeaderPattern(p)) ignoreHeaders.add(headerPatternName(p));
    else if (p.trim().toLowerCase() === 'status') ignoreStatus = true;
    else {
      try {
        ignore.add(cachedPattern(p), true);
      } catch (e) {
        invalid.push({ pattern: p, message: (e as Error).message });
      }
    }
  }
  for (const [p, tol] of Object.entries(opts.tolerances ?? {})) {
    if (typeof tol !== 'number' || !(tol >= 0)) {
      invalid.push({ pattern: p, message: `tolerance for ${p} must be a non-negative number` });
      continue;
    }
    try {
      tolerances.add(cachedPattern(p), tol);
    } catch (e) {
      invalid.push({ pattern: p, message: (e as Error).message });
    }
  }
  const headers = [...new Set((opts.headers ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean))];
  const c: CompiledValidateOptions = {
    ignore,
    tolerances,
    ignoreHeaders,
    ignoreStatus,
    headers,
    shapeOnly: !!opts.shapeOnly,
    autoNoise: !!opts.autoNoise,
    maxDiffs: opts.maxDiffs ?? 500,
    invalid,
  };
  compiledCache.set(opts, c);
  return c;
}

type Reason = NonNullable<FieldDiff['ignored']>;

const MISSING = Symbol('missing');
const SNIPPET_MAX = 2048;

/** Collects differences and leaf counts during one comparison. */
class Collector {
  failing: FieldDiff[] = [];
  ignored: FieldDiff[] = [];
  compared = 0;
  matched = 0;
  failStatus = false;
  failHeaders = false;
  failBody = false;

  merge(o: Collector): void {
    for (const d of o.failing) this.add(d);
    for (const d of o.ignored) this.ignored.push(d);
    this.compared += o.compared;
    this.matched += o.matched;
  }

  add(d: FieldDiff): void {
    if (d.ignored) this.ignored.push(d);
    else {
      this.failing.push(d);
      if (d.kind === 'status') this.failStatus = true;
      else if (d.kind === 'header') this.failHeaders = true;
      else this.failBody = true;
    }
  }
}

/** Number of leaves in a JSON value (an empty object/array counts as one). */
function leafCount(v: unknown): number {
  if (v === null || typeof v !== 'object') return 1;
  let n = 0;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) n += leafCount(v[i]);
  else for (const k in v as Record<string, unknown>) n += leafCount((v as Record<string, unknown>)[k]);
  return n || 1;
}

function jsonKind(v: unknown): 'object' | 'array' | 'null' | 'string' | 'number' | 'boolean' | 'other' {
  if (v === null) return 'null';
  const t = typeof v;
  if (t === 'object') return Array.isArray(v) ? 'array' : 'object';
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  return 'other';
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function withinTolerance(e: unknown, a: unknown, tol: number): boolean {
  let x: number;
  let y: number;
  if (typeof e === 'number' && typeof a === 'number') {
    x = e;
    y = a;
  } else if (typeof e === 'string' && typeof a === 'string' && NUMERIC.test(e) && NUMERIC.test(a)) {
    x = Number(e);
    y = Number(a);
  } else return false;
  // a little slack for binary floating point (1.01 - 1.00 > 0.01)
  const slack = 4 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(y), 1);
  return Math.abs(x - y) <= tol + slack;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Walks two parsed JSON documents side by side. */
class JsonWalker {
  private readonly segs: PathSegment[] = [];
  constructor(
    private readonly c: CompiledValidateOptions,
    private readonly out: Collector,
  ) {}

  private path(seg?: PathSegment): string {
    if (seg === undefined) return formatPath(this.segs);
    this.segs.push(seg);
    const p = formatPath(this.segs);
    this.segs.pop();
    return p;
  }

  /**
   * Compare e and a at the current path. `ign`: inside an ignored subtree; `is`/`ts`: live ignore and
   * tolerance pattern states; `tol`: tolerance in force here; `key`: the last path segment.
   */
  walk(e: unknown, a: unknown, ign: boolean, is: readonly number[], tol: number | undefined, ts: readonly number[], key: PathSegment | undefined): void {
    if (e === a && (e === null || typeof e !== 'object')) {
      if (!ign) {
        this.out.compared++;
        this.out.matched++;
      }
      return;
    }
    const ke = jsonKind(e);
    const ka = jsonKind(a);
    if (ke === 'object' && ka === 'object') {
      const eo = e as Record<string, unknown>;
      const ao = a as Record<string, unknown>;
      let any = false;
      for (const k in eo) {
        any = true;
        this.child(k, eo[k], hasOwn.call(ao, k) ? ao[k] : MISSING, ign, is, tol, ts);
      }
      for (const k in ao) {
        any = true;
        if (!hasOwn.call(eo, k)) this.child(k, MISSING, ao[k], ign, is, tol, ts);
      }
      if (!any && !ign) {
        this.out.compared++;
        this.out.matched++;
      }
      return;
    }
    if (ke === 'array' && ka === 'array') {
      const ea = e as unknown[];
      const aa = a as unknown[];
      const n = Math.max(ea.length, aa.length);
      for (let i = 0; i < n; i++) {
        this.child(i, i < ea.length ? ea[i] : MISSING, i < aa.length ? aa[i] : MISSING, ign, is, tol, ts);
      }
      if (n === 0 && !ign) {
        this.out.compared++;
        this.out.matched++;
      }
      return;
    }
    // leaves (or a container against something else)
    if (ke !== ka) {
      const reason: Reason | undefined = ign ? 'ignore' : undefined;
      if (!reason) this.out.compared += Math.max(leafCount(e), 1);
      this.out.add({ path: this.path(), kind: 'type', expected: e, actual: a, ...(reason ? { ignored: reason } : {}) });
      return;
    }
    // same primitive kind, different values
    let reason: Reason | undefined;
    if (ign) reason = 'ignore';
    else if (tol !== undefined && withinTolerance(e, a, tol)) reason = 'tolerance';
    else if (this.c.shapeOnly || this.c.autoNoise) {
      const se = shapeOf(e, key);
      if (se !== undefined && se === shapeOf(a, key)) reason = this.c.shapeOnly ? 'shape' : 'noise';
    }
    if (!reason) this.out.compared++;
    this.out.add({ path: this.path(), kind: 'changed', expected: e, actual: a, ...(reason ? { ignored: reason } : {}) });
  }

  private child(
    seg: PathSegment,
    ev: unknown,
    av: unknown,
    ign: boolean,
    is: readonly number[],
    tol: number | undefined,
    ts: readonly number[],
  ): void {
    let cIgn = ign;
    let cIs = NO_STATES;
    if (!ign && is.length) {
      const r = this.c.ignore.step(is, seg);
      if (r.match) cIgn = true;
      else cIs = r.next;
    }
    let cTol = tol;
    let cTs = NO_STATES;
    if (ts.length) {
      const r = this.c.tolerances.step(ts, seg);
      if (r.match !== undefined) cTol = r.match;
      cTs = r.next;
    }
    if (ev === MISSING || av === MISSING) {
      const missing = ev !== MISSING;
      const v = missing ? ev : av;
      if (!cIgn) this.out.compared += leafCount(v);
      const d: FieldDiff = missing
        ? { path: this.path(seg), kind: 'missing', expected: ev }
        : { path: this.path(seg), kind: 'added', actual: av };
      if (cIgn) d.ignored = 'ignore';
      this.out.add(d);
      return;
    }
    this.segs.push(seg);
    this.walk(ev, av, cIgn, cIs, cTol, cTs, seg);
    this.segs.pop();
  }
}

function headerJoined(h: Headers | undefined, name: string): string | undefined {
  if (!h) return undefined;
  let v = h[name];
  if (v === undefined) {
    for (const k in h) {
      if (k.toLowerCase() === name) {
        v = h[k];
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Parsed content types by header value (few distinct values; bounded). Entries are frozen: shared. */
const contentTypes = new Map<string, Readonly<{ type: string; charset?: string }>>();

/** `application/json; charset=UTF-8` → { type: 'application/json', charset: 'utf-8' }. */
export function parseContentType(v: string | undefined): { type: string; charset?: string } {
  return { ...contentTypeOf(v) };
}

const NO_TYPE = Object.freeze({ type: '' });

/** parseContentType, memoised; the result is shared (read only). */
function contentTypeOf(v: string | undefined): Readonly<{ type: string; charset?: string }> {
  if (!v) return NO_TYPE;
  let hit = contentTypes.get(v);
  if (!hit) {
    hit = Object.freeze(parseContentTypeUncached(v));
    if (contentTypes.size < 256) contentTypes.set(v, hit);
  }
  return hit;
}

function parseContentTypeUncached(v: string): { type: string; charset?: string } {
  const parts = v.split(';');
  const type = parts[0].trim().toLowerCase();
  let charset: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i].trim();
    if (p.toLowerCase().startsWith('charset=')) {
      charset = p.slice(8).trim().replace(/^"|"$/g, '').toLowerCase();
      if (charset === 'utf8') charset = 'utf-8';
    }
  }
  return { type, charset };
}

/** Media types equal, and charsets equal when both sides name one. */
export function contentTypesMatch(a: string | undefined, b: string | undefined): boolean {
  const x = contentTypeOf(a);
  const y = contentTypeOf(b);
  if (x.type !== y.type) return false;
  return x.charset === undefined || y.charset === undefined || x.charset === y.charset;
}

function isJsonType(t: string): boolean {
  return t === 'application/json' || t.endsWith('+json') || t.endsWith('/json') || t === 'text/json';
}

function isTextType(t: string): boolean {
  return (
    t.startsWith('text/') ||
    isJsonType(t) ||
    t.endsWith('+xml') ||
    t === 'application/xml' ||
    t === 'application/javascript' ||
    t === 'application/x-www-form-urlencoded' ||
    t === 'application/graphql' ||
    t === 'application/x-ndjson'
  );
}

function redactHeader(name: string, v: string | undefined): string | undefined {
  // The same rule as everything else that is shown or exported (src/engine/redact.ts).
  return v !== undefined && isSecretHeader(name) ? '[redacted]' : v;
}

function compareHeaders(expected: Headers, actual: Headers, c: CompiledValidateOptions, out: Collector): void {
  for (const name of c.headers) {
    const ev = headerJoined(expected, name);
    const av = headerJoined(actual, name);
    const equal = name === 'content-type' ? (ev === undefined) === (av === undefined) && contentTypesMatch(ev, av) : ev === av;
    if (equal) continue;
    let reason: Reason | undefined;
    if (c.ignoreHeaders.has(name)) reason = 'ignore';
    else if (c.shapeOnly || c.autoNoise) {
      const se = ev !== undefined ? shapeOf(ev) : undefined;
      const sameShape = se !== undefined && se === shapeOf(av);
      if (c.autoNoise && ev !== undefined && av !== undefined && isNoisyHeader(name)) reason = 'noise';
      else if (sameShape) reason = c.shapeOnly ? 'shape' : 'noise';
    }
    const d: FieldDiff = { path: `header.${name}`, kind: 'header' };
    if (ev !== undefined) d.expected = redactHeader(name, ev);
    if (av !== undefined) d.actual = redactHeader(name, av);
    if (reason) d.ignored = reason;
    out.add(d);
  }
}

function normaliseText(s: string): string {
  return (s.indexOf('\r') >= 0 ? s.replace(/\r\n/g, '\n') : s).trimEnd();
}

/** Snippets of both texts, cut to SNIPPET_MAX chars, starting a little before the first difference. */
function snippets(e: string, a: string): { expected: string; actual: string } {
  let i = 0;
  const n = Math.min(e.length, a.length);
  while (i < n && e.charCodeAt(i) === a.charCodeAt(i)) i++;
  const start = i > SNIPPET_MAX / 2 ? i - 256 : 0;
  const cut = (s: string) => {
    const body = s.slice(start, start + SNIPPET_MAX);
    return (start > 0 ? '…' : '') + body + (start + SNIPPET_MAX < s.length ? '…' : '');
  };
  return { expected: cut(e), actual: cut(a) };
}

function describeBytes(b: Buffer): string {
  const sha = createHash('sha256').update(b).digest('hex').slice(0, 16);
  return `<${b.length} bytes, sha256 ${sha}…>`;
}

function firstNonWs(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch !== 32 && ch !== 10 && ch !== 13 && ch !== 9) return s[i];
  }
  return '';
}

const NOT_JSON = Symbol('not-json');
function tryParse(s: string): unknown {
  try {
    return JSON.parse(BIG_DIGITS.test(s) ? quoteUnsafeIntegers(s) : s);
  } catch {
    return NOT_JSON;
  }
}

const BIG_DIGITS = /\d{16}/;
/**
 * JSON.parse rounds integers beyond 2^53 (64-bit ids, amounts in minor units): 12345678901234567890 and
 * 12345678901234567891 would compare equal. Such literals (outside strings) are turned into strings of their
 * exact digits before parsing, on both sides alike, so they compare exactly.
 */
export function quoteUnsafeIntegers(s: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (ch === 45 /* - */ || (ch >= 48 && ch <= 57)) {
      let j = i + 1;
      while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      const c = j < n ? s.charCodeAt(j) : 0;
      const integer = c !== 46 /* . */ && c !== 101 && c !== 69; /* e E */
      const tok = s.slice(i, j);
      if (integer && tok.length >= 16 && !Number.isSafeInteger(Number(tok))) {
        out += s.slice(last, i) + '"' + tok + '"';
        last = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return last === 0 ? s : out + s.slice(last);
}

function compareText(e: string, a: string, c: CompiledValidateOptions, out: Collector): void {
  const ne = normaliseText(e);
  const na = normaliseText(a);
  const ign = c.ignore.rootMatch !== undefined;
  if (ne === na) {
    if (!ign) {
      out.compared++;
      out.matched++;
    }
    return;
  }
  let reason: Reason | undefined = ign ? 'ignore' : undefined;
  if (!reason && (c.shapeOnly || c.autoNoise)) {
    const se = shapeOf(ne.trim());
    if (se !== undefined && se === shapeOf(na.trim())) reason = c.shapeOnly ? 'shape' : 'noise';
  }
  if (!reason) out.compared++;
  const d: FieldDiff = { path: '$', kind: 'text', ...snippets(ne, na) };
  if (reason) d.ignored = reason;
  out.add(d);
}

function compareBody(expected: RecordedResponse, actual: ActualResponse, c: CompiledValidateOptions, out: Collector): void {
  const eBody = expected.body ?? '';
  const aBody = actual.body ?? '';
  const ctE = contentTypeOf(headerJoined(expected.headers, 'content-type')).type;
  const ctA = contentTypeOf(headerJoined(actual.headers, 'content-type')).type;
  let eText: string;
  let aText: string;
  if (expected.bodyEncoding === 'base64' || actual.bodyEncoding === 'base64') {
    const eb = expected.bodyEncoding === 'base64' ? Buffer.from(eBody, 'base64') : Buffer.from(eBody, 'utf8');
    const ab = actual.bodyEncoding === 'base64' ? Buffer.from(aBody, 'base64') : Buffer.from(aBody, 'utf8');
    if (eb.equals(ab)) {
      if (eb.length && c.ignore.rootMatch === undefined) {
        out.compared++;
        out.matched++;
      }
      return;
    }
    const textual = ctE || ctA ? isTextType(ctE) || isTextType(ctA) : isUtf8(eb) && isUtf8(ab);
    if (!textual) {
      const ign = c.ignore.rootMatch !== undefined;
      if (!ign) out.compared++;
      const d: FieldDiff = { path: '$', kind: 'text', expected: describeBytes(eb), actual: describeBytes(ab) };
      if (ign) d.ignored = 'ignore';
      out.add(d);
      return;
    }
    eText = eb.toString('utf8');
    aText = ab.toString('utf8');
  } else {
    eText = eBody;
    aText = aBody;
  }
  if (eText === '' && aText === '') return;

  const jsonCt = isJsonType(ctE) || isJsonType(ctA);
  const fe = firstNonWs(eText);
  const fa = firstNonWs(aText);
  const looksJson = (fe === '{' || fe === '[') && (fa === '{' || fa === '[');
  if ((jsonCt && eText !== '' && aText !== '') || looksJson) {
    const ej = tryParse(eText);
    if (ej !== NOT_JSON) {
      // Identical texts parse to equal values: walk the one parse against itself (same diffs and counts).
      const aj = aText === eText ? ej : tryParse(aText);
      if (aj !== NOT_JSON) {
        const rootIgn = c.ignore.rootMatch !== undefined;
        const scratch = new Collector();
        try {
          new JsonWalker(c, scratch).walk(
            ej,
            aj,
            rootIgn,
            rootIgn ? NO_STATES : c.ignore.rootStates,
            c.tolerances.rootMatch,
            c.tolerances.rootStates,
            undefined,
          );
          out.merge(scratch);
          return;
        } catch (e) {
          // pathologically deep documents overflow the stack: compare them as text instead
          if (!(e instanceof RangeError)) throw e;
        }
      }
    }
  }
  compareText(eText, aText, c, out);
}

/**
 * Compare a live response with the recorded one. `expected` undefined (nothing recorded): passes when the
 * status is below 500, with a note. Never throws on bad bodies; invalid ignore patterns are skipped (see
 * `compileValidateOptions(opts).invalid`).
 */
export function validateResponse(
  expected: RecordedResponse | undefined,
  actual: ActualResponse,
  opts: ValidateOptions,
): Validation {
  const c = compileValidateOptions(opts);
  const out = new Collector();
  let note: string | undefined;
  if (!expected) {
    note = 'no recorded response to compare with; passes when the status is below 500';
    if (actual.status >= 500) {
      out.add({ path: 'status', kind: 'status', actual: actual.status, ...(c.ignoreStatus ? { ignored: 'ignore' as const } : {}) });
    }
  } else {
    if (expected.status !== actual.status) {
      out.add({
        path: 'status',
        kind: 'status',
        expected: expected.status,
        actual: actual.status,
        ...(c.ignoreStatus ? { ignored: 'ignore' as const } : {}),
      });
    }
    if (c.headers.length) compareHeaders(expected.headers ?? {}, actual.headers ?? {}, c, out);
    compareBody(expected, actual, c, out);
  }
  let diffs = out.failing.length ? (out.ignored.length ? out.failing.concat(out.ignored) : out.failing) : out.ignored;
  let omitted = 0;
  if (diffs.length > c.maxDiffs) {
    omitted = diffs.length - c.maxDiffs;
    diffs = diffs.slice(0, c.maxDiffs);
  }
  const v: Validation = {
    pass: out.failing.length === 0,
    statusMatch: !out.failStatus,
    headersMatch: !out.failHeaders,
    bodyMatch: !out.failBody,
    fieldMatchRate: out.compared ? out.matched / out.compared : 1,
    fieldsCompared: out.compared,
    diffs,
  };
  if (note) v.note = note;
  if (omitted) v.diffsOmitted = omitted;
  return v;
}
