/**
 * WireMock folders as traffic: each mapping whose request matcher is concrete (exact `url`/`urlPath`, a
 * method, query parameters and headers by `equalTo`, a body by `equalToJson`/`equalTo`/`binaryEqualTo`/form
 * fields) becomes one outbound pair: the request the matcher describes and the mapping's response. Mappings
 * that match a pattern (`urlPathPattern`, `matches`, `matchesJsonPath`, …) describe no single request and
 * are skipped with a warning; they can still be served as stubs by pointing a mock's `stubs:` at the folder.
 *
 * Parsing is the mocks' WireMock import (importWireMock / mappingToStub); this file only turns stubs into
 * pairs.
 *
 * - Root: the parent of a `mappings/` folder (bodies in its `__files/`). A mapping file outside a
 *   `mappings/` folder is read on its own, with bodies from `__files/` beside it.
 * - Service: the `service` option, else the root folder's name (unless generic, like `wiremock` or
 *   `mocks`), else the `Host` header matcher, else the folder name anyway.
 * - Order (seq and ts): the response `Date` headers when every mapping has one, else natural file-name order
 *   (`2-x.json` before `10-x.json`); inside a scenario, the state chain from "Started" decides, so the
 *   n-th call of a repeated request is the n-th pair. ts is the Date header (made strictly increasing) or
 *   1970-01-01 plus the position in milliseconds.
 * - Session: the root's path relative to the source (or its folder name).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { importWireMock, mappingToStub } from '../../mocks/wiremock.js';
import type { StubDefinition, StringMatcher, BodyMatcher } from '../../mocks/stub.js';
import type { Headers, Pair, SourceIssue } from '../model.js';
import { headerValue } from '../model.js';
import { hostWithoutPort, tsMillis } from '../http-util.js';
import { contextFor, type ImportOptions, type LocatedPair } from './types.js';

/** Folder names that say nothing about the service they mock. */
const GENERIC_DIRS = new Set(['wiremock', 'mocks', 'mock', 'stubs', 'stub', 'mappings', 'recordings', 'traffic', 'outbound', 'resources', 'test', 'src', '.', '']);

export interface WireMockPairOptions {
  /** Service of every pair (default: folder name / Host matcher, see above). */
  service?: string;
  /** Session of every pair (default: the root folder's name). */
  session?: string;
  signal?: AbortSignal;
}

/** The WireMock root of a file inside `<root>/mappings/…` or `<root>/__files/…`; undefined otherwise. */
export function wiremockRootOf(file: string): { root: string; part: 'mappings' | '__files' } | undefined {
  const parts = path.resolve(file).split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === 'mappings' || parts[i] === '__files') {
      return { root: parts.slice(0, i).join(path.sep) || path.sep, part: parts[i] as 'mappings' | '__files' };
    }
  }
  return undefined;
}

class NotConcrete extends Error {}

function concreteValue(where: string, m: StringMatcher): string | string[] {
  if ('equalTo' in m && !m.caseInsensitive) return m.equalTo;
  throw new NotConcrete(`${where} is matched by ${Object.keys(m)[0]}, not an exact value`);
}

function bodyOf(b: BodyMatcher): { body: string; bodyEncoding?: 'base64'; contentType?: string } {
  if ('equalToJson' in b) return { body: JSON.stringify(b.equalToJson), contentType: 'application/json' };
  if ('equalTo' in b && !b.caseInsensitive) return { body: b.equalTo };
  if ('binaryEqualTo' in b) return { body: b.binaryEqualTo, bodyEncoding: 'base64' };
  if ('form' in b) {
    const params = new URLSearchParams();
    for (const [k, m] of Object.entries(b.form)) {
      const v = concreteValue(`form field ${k}`, m);
      for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    }
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  throw new NotConcrete(`the body is matched by ${Object.keys(b)[0]}, not an exact value`);
}

/** The request a stub's matcher describes, when it describes exactly one. Throws NotConcrete otherwise. */
function requestOf(stub: StubDefinition): Pair['request'] {
  const r = stub.request;
  if (r.path === undefined) {
    throw new NotConcrete(r.pathTemplate !== undefined ? `the path is a template (${r.pathTemplate})` : r.pathRegex !== undefined ? `the path is a pattern (${r.pathRegex})` : 'no url or urlPath');
  }
  const qs = new URLSearchParams();
  for (const [k, m] of Object.entries(r.query ?? {})) {
    if ('absent' in m || 'ignore' in m) continue;
    const v = concreteValue(`query parameter ${k}`, m);
    for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  }
  const headers: Headers = {};
  for (const [k, m] of Object.entries(r.headers ?? {})) {
    if ('absent' in m || 'ignore' in m) continue;
    if ('present' in m || 'matches' in m || 'contains' in m || ('equalTo' in m && m.caseInsensitive)) continue; // not part of the request we can rebuild; harmless to drop
    const v = m.equalTo;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const bodies = r.body === undefined ? [] : Array.isArray(r.body) ? r.body : [r.body];
  let body: ReturnType<typeof bodyOf> | undefined;
  for (const b of bodies) {
    if (body) throw new NotConcrete('the body has several patterns');
    body = bodyOf(b);
  }
  const q = qs.toString();
  const req: Pair['request'] = { method: (r.method ?? 'GET').toUpperCase(), url: r.path + (q ? `?${q}` : ''), headers };
  if (body) {
    req.body = body.body;
    if (body.bodyEncoding) req.bodyEncoding = body.bodyEncoding;
    if (body.contentType && headerValue(headers, 'content-type') === undefined) headers['content-type'] = body.contentType;
  }
  return req;
}

function lowerHeaders(h: Headers | undefined): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const n = k.toLowerCase();
    const prev = out[n];
    if (prev === undefined) out[n] = v;
    else out[n] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
  }
  return out;
}

const naturalCompare = new Intl.Collator('en', { numeric: true }).compare;

interface Item {
  stub: StubDefinition;
  file: string;
  line?: number;
  entry?: number;
  date?: number;
  /** Position in the base order. */
  base: number;
}

/** Recording order: Date headers or natural file order, with each scenario's calls in state-chain order. */
function order(items: Item[]): Item[] {
  const byFile = (a: Item, b: Item) => naturalCompare(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.entry ?? 0) - (b.entry ?? 0);
  const allDated = items.length > 0 && items.every((i) => i.date !== undefined);
  const sorted = [...items].sort(allDated ? (a, b) => a.date! - b.date! || byFile(a, b) : byFile);
  sorted.forEach((it, i) => (it.base = i));

  const scenarios = new Map<string, Item[]>();
  for (const it of sorted) {
    const s = it.stub.scenario;
    if (!s) continue;
    const g = scenarios.get(s.name);
    if (g) g.push(it);
    else scenarios.set(s.name, [it]);
  }
  const out = [...sorted];
  for (const g of scenarios.values()) {
    if (g.length < 2) continue;
    // depth of each state along newState edges from "Started"
    const depth = new Map<string, number>([['Started', 0]]);
    for (let changed = true, round = 0; changed && round <= g.length; round++) {
      changed = false;
      for (const it of g) {
        const s = it.stub.scenario!;
        const d = depth.get(s.requiredState ?? 'Started');
        if (d === undefined || s.newState === undefined) continue;
        const cur = depth.get(s.newState);
        if (cur === undefined || cur > d + 1) {
          depth.set(s.newState, d + 1);
          changed = true;
        }
      }
    }
    const slots = g.map((it) => it.base).sort((a, b) => a - b);
    const chain = [...g].sort((a, b) => (depth.get(a.stub.scenario!.requiredState ?? 'Started') ?? Infinity) - (depth.get(b.stub.scenario!.requiredState ?? 'Started') ?? Infinity) || a.base - b.base);
    chain.forEach((it, i) => (out[slots[i]] = it));
  }
  return out;
}

function serviceFor(stub: StubDefinition, root: string, given: string | undefined): string {
  if (given) return given;
  const dir = path.basename(root);
  if (!GENERIC_DIRS.has(dir.toLowerCase())) return dir;
  const host = stub.request.headers ? Object.entries(stub.request.headers).find(([k]) => k.toLowerCase() === 'host')?.[1] : undefined;
  if (host && 'equalTo' in host && typeof host.equalTo === 'string') return hostWithoutPort(host.equalTo) ?? host.equalTo;
  return dir || 'wiremock';
}

/**
 * Turn stubs (as importWireMock gives them) into located outbound pairs, in recording order. Mappings
 * that are not one concrete request become warnings.
 */
export function stubsToPairs(
  found: Array<{ stub: StubDefinition; file: string; line?: number; entry?: number }>,
  root: string,
  opts: WireMockPairOptions,
  issue: (i: SourceIssue) => void,
): LocatedPair[] {
  const items: Item[] = found.map((f) => ({ ...f, date: tsMillis(headerValue(f.stub.response.headers, 'date')), base: 0 }));
  const session = opts.session ?? path.basename(root) ?? 'wiremock';
  const out: LocatedPair[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let seq = 0;
  const allDated = items.length > 0 && items.every((i) => i.date !== undefined);
  for (const it of order(items)) {
    const { stub } = it;
    let request: Pair['request'];
    try {
      request = requestOf(stub);
    } catch (e) {
      if (!(e instanceof NotConcrete)) throw e;
      issue({ file: it.file, ...(it.line !== undefined ? { line: it.line } : {}), ...(it.entry !== undefined ? { entry: it.entry } : {}), severity: 'warning', message: `WireMock mapping ${stub.id ?? '(no id)'} is not one concrete request (${e.message}); not read as a pair` });
      continue;
    }
    const t = allDated ? Math.max(it.date!, last + 1) : seq;
    last = t;
    const res = stub.response;
    const response: NonNullable<Pair['response']> = { status: res.status, headers: lowerHeaders(res.headers) };
    if (res.body !== undefined) {
      response.body = res.body;
      if (res.bodyEncoding === 'base64') response.bodyEncoding = 'base64';
    } else if (res.json !== undefined) response.body = JSON.stringify(res.json);
    const scenario = stub.scenario;
    const pair: Pair = {
      id: stub.id ?? `${session}:${seq}`,
      session,
      seq,
      ts: new Date(t).toISOString(),
      direction: 'out',
      service: serviceFor(stub, root, opts.service),
      request,
      response,
      ...(stub.delayMs !== undefined ? { duration: stub.delayMs } : {}),
      ...(scenario ? { meta: { wiremockScenario: { name: scenario.name, ...(scenario.requiredState ? { requiredState: scenario.requiredState } : {}), ...(scenario.newState ? { newState: scenario.newState } : {}) } } } : {}),
    };
    seq++;
    out.push({ pair, file: it.file, ...(it.line !== undefined ? { line: it.line } : {}), ...(it.entry !== undefined ? { entry: it.entry } : {}) });
  }
  return out;
}

/**
 * Every mapping of a WireMock root (`<root>/mappings`, `<root>/__files`) as outbound pairs. `onlyFile`
 * keeps the pairs and issues of one mapping file (ordering still sees the whole root).
 */
export async function wiremockRootPairs(root: string, opts: WireMockPairOptions & { onlyFile?: string }, issue: (i: SourceIssue) => void): Promise<LocatedPair[]> {
  const { stubs, issues } = await importWireMock(root);
  const only = opts.onlyFile ? path.resolve(opts.onlyFile) : undefined;
  for (const i of issues) if (!only || path.resolve(i.file) === only) issue(i);
  const found = stubs.map((stub) => ({ stub, file: stub.source?.file ?? root, line: stub.source?.line }));
  const pairs = stubsToPairs(found, root, opts, (i) => {
    if (!only || path.resolve(i.file) === only) issue(i);
  });
  return only ? pairs.filter((p) => path.resolve(p.file) === only) : pairs;
}

function lineOfEntry(text: string, n: number): number | undefined {
  const re = /"request"\s*:/g;
  let m: RegExpExecArray | null;
  let i = 0;
  let line = 1;
  let pos = 0;
  while ((m = re.exec(text))) {
    if (i++ === n) {
      for (; pos < m.index; pos++) if (text.charCodeAt(pos) === 10) line++;
      return line;
    }
  }
  return undefined;
}

/**
 * One mapping file read on its own (one mapping or `{"mappings": [...]}`), bodies from `__files` beside it.
 */
export async function wiremockFilePairs(file: string, opts: WireMockPairOptions, issue: (i: SourceIssue) => void): Promise<LocatedPair[]> {
  const dir = path.dirname(file);
  let text = await fsp.readFile(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    issue({ file, severity: 'error', message: `malformed WireMock mapping: ${(e as Error).message}; file skipped` });
    return [];
  }
  const multi = !!data && typeof data === 'object' && Array.isArray((data as { mappings?: unknown }).mappings);
  const list: unknown[] = multi ? (data as { mappings: unknown[] }).mappings : [data];
  const found: Array<{ stub: StubDefinition; file: string; line?: number; entry?: number }> = [];
  for (let i = 0; i < list.length; i++) {
    opts.signal?.throwIfAborted();
    const line = multi ? lineOfEntry(text, i) : 1;
    const where = { file, ...(line !== undefined ? { line } : {}), ...(multi ? { entry: i } : {}) };
    try {
      const stub = await mappingToStub(list[i], path.join(dir, '__files'), `${path.basename(file)}${multi ? `#${i + 1}` : ''}`, file, (message) => issue({ ...where, severity: 'warning', message }));
      found.push({ stub, ...where });
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
      issue({ ...where, severity: 'error', message: `WireMock mapping skipped: ${(e as Error).message}` });
    }
  }
  return stubsToPairs(found, dir, opts, issue);
}

/**
 * Outbound pairs of a WireMock folder (a root with `mappings/`, or a folder of mapping files) or of one
 * mapping file.
 */
export async function* importWireMockPairs(src: string, opts: ImportOptions & WireMockPairOptions = {}): AsyncGenerator<Pair> {
  const onIssue = opts.onIssue ?? (() => {});
  const st = await fsp.stat(src);
  let pairs: LocatedPair[];
  if (st.isDirectory()) pairs = await wiremockRootPairs(path.resolve(src), opts, onIssue);
  else {
    const ctx = contextFor(src, opts);
    const r = wiremockRootOf(src);
    pairs = r?.part === 'mappings' ? await wiremockRootPairs(r.root, { ...opts, onlyFile: src }, onIssue) : await wiremockFilePairs(ctx.file, opts, onIssue);
  }
  for (const lp of pairs) yield lp.pair;
}
