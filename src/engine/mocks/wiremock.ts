/**
 * WireMock interop. Import: a folder with `mappings/` (each file one mapping or `{"mappings": [...]}`) and
 * `__files/` bodies becomes StubDefinitions (scenarios kept as scenario state machines, starting "Started").
 * Export: StubDefinitions become WireMock mappings (`{"mappings": [...]}`); sequences become scenarios.
 */
import { promises as fs } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { JSONPath } from 'jsonpath-plus';
import type { SourceIssue } from '../store/model.js';
import { compileStubs } from './compiled-stub.js';
import { parseParams } from './request.js';
import type { BodyMatcher, JsonPathCondition, RequestMatcherDef, StringMatcher, StubDefinition, StubResponse } from './stub.js';
import { StubDefinitionSchema } from './stub.js';
import { jsonErrorPosition, lineOf } from './stub-files.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class Unsupported extends Error {}

function stringMatcher(where: string, m: unknown): StringMatcher {
  if (!isObj(m)) throw new Unsupported(`${where}: expected an object like {"equalTo": "…"}`);
  const ci = m.caseInsensitive === true ? { caseInsensitive: true } : {};
  if (typeof m.equalTo === 'string') return { equalTo: m.equalTo, ...ci };
  if (typeof m.matches === 'string') return { matches: m.matches };
  if (typeof m.contains === 'string') return { contains: m.contains };
  if (m.absent === true) return { absent: true };
  if (m.absent === false) return { present: true };
  if (Array.isArray(m.hasExactly) && m.hasExactly.every((x) => isObj(x) && typeof x.equalTo === 'string')) {
    return { equalTo: (m.hasExactly as Json[]).map((x) => x.equalTo as string) };
  }
  throw new Unsupported(`${where}: unsupported matcher ${JSON.stringify(Object.keys(m))}`);
}

function bodyPattern(p: unknown, i: number): BodyMatcher {
  const where = `bodyPatterns[${i}]`;
  if (!isObj(p)) throw new Unsupported(`${where}: expected an object`);
  if ('equalToJson' in p) {
    let v = p.equalToJson;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        throw new Unsupported(`${where}: equalToJson is not valid JSON`);
      }
    }
    if (p.enablePlaceholders === true) throw new Unsupported(`${where}: equalToJson placeholders are not supported`);
    return {
      equalToJson: v,
      ...(p.ignoreArrayOrder === true ? { ignoreArrayOrder: true } : {}),
      ...(p.ignoreExtraElements === true ? { ignoreExtraFields: true } : {}),
    };
  }
  if ('matchesJsonPath' in p) {
    const j = p.matchesJsonPath;
    let c: JsonPathCondition;
    if (typeof j === 'string') c = { path: j };
    else if (isObj(j) && typeof j.expression === 'string') {
      if (typeof j.equalTo === 'string') c = { path: j.expression, equalTo: j.equalTo };
      else if (typeof j.equalToJson === 'string' || isObj(j.equalToJson) || Array.isArray(j.equalToJson)) {
        c = { path: j.expression, equalTo: typeof j.equalToJson === 'string' ? JSON.parse(j.equalToJson) : j.equalToJson };
      } else if (typeof j.matches === 'string') c = { path: j.expression, matches: j.matches };
      else if (typeof j.contains === 'string') c = { path: j.expression, matches: `[\\s\\S]*${escapeRe(j.contains)}[\\s\\S]*` };
      else if (j.absent === true) c = { path: j.expression, absent: true };
      else throw new Unsupported(`${where}: unsupported matchesJsonPath sub-matcher`);
    } else throw new Unsupported(`${where}: unsupported matchesJsonPath`);
    return { jsonPath: [c] };
  }
  if (typeof p.equalTo === 'string') return { equalTo: p.equalTo, ...(p.caseInsensitive === true ? { caseInsensitive: true } : {}) };
  if (typeof p.matches === 'string') return { matches: p.matches };
  if (typeof p.contains === 'string') return { contains: p.contains };
  if (typeof p.binaryEqualTo === 'string') return { binaryEqualTo: p.binaryEqualTo };
  throw new Unsupported(`${where}: unsupported body pattern ${JSON.stringify(Object.keys(p))}`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One WireMock mapping → a stub. Throws Unsupported with a reason. */
export async function mappingToStub(
  m: unknown,
  filesDir: string,
  fallbackId: string,
  mappingFile = '',
  warn: (message: string) => void = () => {},
): Promise<StubDefinition> {
  if (!isObj(m) || !isObj(m.request)) throw new Unsupported('mapping has no "request" object');
  const rq = m.request;
  const req: RequestMatcherDef = {};
  if (typeof rq.method === 'string' && rq.method.toUpperCase() !== 'ANY') req.method = rq.method.toUpperCase();
  if (typeof rq.url === 'string') {
    const q = rq.url.indexOf('?');
    req.path = q >= 0 ? rq.url.slice(0, q) : rq.url;
    const params = parseParams(q >= 0 ? rq.url.slice(q + 1) : '');
    if (params.size) {
      req.query = {};
      for (const [k, v] of params) req.query[k] = { equalTo: v.length === 1 ? v[0] : v };
    }
    req.strictQuery = true;
  } else if (typeof rq.urlPath === 'string') req.path = rq.urlPath;
  else if (typeof rq.urlPathTemplate === 'string') req.pathTemplate = rq.urlPathTemplate;
  else if (typeof rq.urlPathPattern === 'string') req.pathRegex = rq.urlPathPattern;
  else if (typeof rq.urlPattern === 'string') {
    // WireMock matches urlPattern against path + query; here the pattern's path part is matched against the path.
    const qi = rq.urlPattern.indexOf('\\?');
    req.pathRegex = qi >= 0 ? rq.urlPattern.slice(0, qi) : rq.urlPattern;
  }
  if (isObj(rq.queryParameters)) {
    req.query ??= {};
    for (const [k, v] of Object.entries(rq.queryParameters)) req.query[k] = stringMatcher(`queryParameters.${k}`, v);
  }
  if (isObj(rq.headers)) {
    req.headers = {};
    for (const [k, v] of Object.entries(rq.headers)) req.headers[k] = stringMatcher(`headers.${k}`, v);
  }
  if (isObj(rq.formParameters)) {
    const form: Record<string, StringMatcher> = {};
    for (const [k, v] of Object.entries(rq.formParameters)) form[k] = stringMatcher(`formParameters.${k}`, v);
    req.body = [{ form }];
  }
  if (Array.isArray(rq.bodyPatterns) && rq.bodyPatterns.length) {
    const bodies = rq.bodyPatterns.map(bodyPattern);
    req.body = [...(Array.isArray(req.body) ? req.body : []), ...bodies];
  }
  if (Array.isArray(req.body) && req.body.length === 1) req.body = req.body[0];
  for (const k of ['cookies', 'basicAuthCredentials', 'multipartPatterns', 'customMatcher']) {
    if (k in rq) throw new Unsupported(`request.${k} is not supported`);
  }

  const rs = isObj(m.response) ? m.response : {};
  const response: StubResponse = { status: typeof rs.status === 'number' ? rs.status : 200 };
  if (isObj(rs.headers)) {
    response.headers = {};
    for (const [k, v] of Object.entries(rs.headers)) response.headers[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  if (typeof rs.body === 'string') response.body = rs.body;
  else if ('jsonBody' in rs) response.body = JSON.stringify(rs.jsonBody);
  else if (typeof rs.base64Body === 'string') {
    response.body = rs.base64Body;
    response.bodyEncoding = 'base64';
  } else if (typeof rs.bodyFileName === 'string') {
    const bytes = await readBodyFile(filesDir, rs.bodyFileName, mappingFile, warn);
    if (isUtf8(bytes)) response.body = bytes.toString('utf8');
    else {
      response.body = bytes.toString('base64');
      response.bodyEncoding = 'base64';
    }
  }
  if ('fault' in rs || 'proxyBaseUrl' in rs) throw new Unsupported('response fault/proxyBaseUrl is not supported');

  const stub: StubDefinition = {
    id: typeof m.id === 'string' ? m.id : typeof m.uuid === 'string' ? m.uuid : fallbackId,
    request: req,
    response,
  };
  if (typeof m.priority === 'number') stub.priority = m.priority;
  if (typeof rs.fixedDelayMilliseconds === 'number') stub.delayMs = rs.fixedDelayMilliseconds;
  if (typeof m.scenarioName === 'string') {
    stub.scenario = {
      name: m.scenarioName,
      ...(typeof m.requiredScenarioState === 'string' ? { requiredState: m.requiredScenarioState } : {}),
      ...(typeof m.newScenarioState === 'string' ? { newState: m.newScenarioState } : {}),
    };
  }
  const checked = StubDefinitionSchema.safeParse(stub);
  if (!checked.success) throw new Unsupported(`converted stub is invalid: ${checked.error.issues[0].message}`);
  return checked.data;
}

/**
 * Read a `bodyFileName` from __files. Recorded folders that were renamed after recording (hub4j's
 * `user-1.json` → `1-user.json`) are found by two fallbacks, with a warning: the `<n>-<name>` swap, and a
 * body named like the mapping file itself.
 */
async function readBodyFile(filesDir: string, name: string, mappingFile: string, warn: (message: string) => void): Promise<Buffer> {
  const tryRead = (p: string) => fs.readFile(p).then((b) => b, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'EISDIR' ? undefined : Promise.reject(e)));
  const direct = await tryRead(path.resolve(filesDir, name));
  if (direct) return direct;
  const candidates: string[] = [];
  const swap = /^(.*)-(\d+)(\.[^.]+)$/.exec(path.basename(name));
  if (swap) candidates.push(path.join(path.dirname(name), `${swap[2]}-${swap[1]}${swap[3]}`));
  if (mappingFile) candidates.push(path.basename(mappingFile));
  for (const c of candidates) {
    const b = await tryRead(path.resolve(filesDir, c));
    if (b) {
      warn(`bodyFileName ${name} not found in __files; used ${c}`);
      return b;
    }
  }
  throw new Unsupported(`bodyFileName ${name}: not found in __files`);
}

async function listJson(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listJson(p)));
    else if (e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Line of the n-th mapping inside a `{"mappings": [...]}` file (best effort: the n-th `"request"` key). */
function lineOfEntry(text: string, n: number): number | undefined {
  const re = /"request"\s*:/g;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(text))) {
    if (i++ === n) return lineOf(text, m.index).line;
  }
  return undefined;
}

/**
 * Import a WireMock root (`<dir>/mappings`, `<dir>/__files`; or `dir` itself holding mapping files). Bad files
 * and unsupported mappings are reported with file and line and skipped. Order follows WireMock's precedence:
 * higher insertionIndex (newer) first among equal priorities; without insertionIndex, a later mapping (in file
 * order) is newer.
 */
export async function importWireMock(dir: string): Promise<{ stubs: StubDefinition[]; issues: SourceIssue[] }> {
  const mappingsDir = await fs.stat(path.join(dir, 'mappings')).then((s) => (s.isDirectory() ? path.join(dir, 'mappings') : dir), () => dir);
  const filesDir = path.join(dir, '__files');
  const issues: SourceIssue[] = [];
  const found: Array<{ stub: StubDefinition; insertion: number; n: number }> = [];
  let n = 0;
  for (const file of await listJson(mappingsDir)) {
    const text = await fs.readFile(file, 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      issues.push({ file, line: jsonErrorPosition(text, e as Error)?.line, severity: 'error', message: `malformed WireMock mapping: ${(e as Error).message}; file skipped` });
      continue;
    }
    const multi = isObj(data) && Array.isArray(data.mappings);
    const list: unknown[] = multi ? ((data as Json).mappings as unknown[]) : [data];
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      try {
        const line = multi ? lineOfEntry(text, i) : 1;
        const warn = (message: string) => issues.push({ file, line, ...(multi ? { entry: i } : {}), severity: 'warning', message });
        const stub = await mappingToStub(m, filesDir, `${path.relative(dir, file)}${multi ? `#${i + 1}` : ''}`, file, warn);
        stub.source = { file, ...(line !== undefined ? { line } : {}) };
        // WireMock numbers mappings in the order it adds them when they carry no insertionIndex
        const insertion = isObj(m) && typeof m.insertionIndex === 'number' ? m.insertionIndex : n;
        found.push({ stub, insertion, n: n++ });
      } catch (e) {
        if (!(e instanceof Unsupported) && !(e instanceof SyntaxError)) throw e;
        issues.push({ file, line: multi ? lineOfEntry(text, i) : 1, ...(multi ? { entry: i } : {}), severity: 'error', message: `WireMock mapping skipped: ${e.message}` });
      }
    }
  }
  found.sort((a, b) => b.insertion - a.insertion || a.n - b.n);
  return { stubs: found.map((f) => f.stub), issues };
}

// ---------------------------------------------------------------- export

function toWmString(m: StringMatcher): Json | undefined {
  if ('equalTo' in m) {
    if (Array.isArray(m.equalTo)) return { hasExactly: m.equalTo.map((v) => ({ equalTo: v })) };
    return { equalTo: m.equalTo, ...(m.caseInsensitive ? { caseInsensitive: true } : {}) };
  }
  if ('matches' in m) return { matches: m.matches };
  if ('contains' in m) return { contains: m.contains };
  if ('present' in m) return { matches: '[\\s\\S]*' };
  if ('absent' in m) return { absent: true };
  return undefined;
}

/** JsonUnit's "ignore this key, present or not": the same as Reprise's ignorePaths (removed on both sides). */
const IGNORE_PLACEHOLDER = '${json-unit.ignore-element}';

/** `$.a.b` / `$['a'].b` / `$.items[*].id` → parent path and last key, when the last step is a plain key. */
function splitLastKey(p: string): { parent: string; key: string } | undefined {
  const dot = /^(.*)\.([A-Za-z_$][\w$-]*)$/.exec(p);
  if (dot && dot[1] && !dot[1].endsWith('.')) return { parent: dot[1], key: dot[2] };
  const br = /^(.*)\[\s*'((?:[^'\\]|\\.)*)'\s*\]$/.exec(p) ?? /^(.*)\[\s*"((?:[^"\\]|\\.)*)"\s*\]$/.exec(p);
  if (br && br[1] && !br[1].endsWith('.')) return { parent: br[1], key: br[2].replace(/\\(.)/g, '$1') };
  return undefined;
}

function toWmBody(b: BodyMatcher): Json {
  if ('equalToJson' in b) {
    let v = b.equalToJson;
    let placeholders = false;
    if (b.ignorePaths?.length && v !== null && typeof v === 'object') {
      v = structuredClone(v);
      for (const p of b.ignorePaths) {
        const last = splitLastKey(p);
        if (last) {
          // every object the parent path selects gets the key as "ignored", so requests with or without it match
          const parents = JSONPath({ path: last.parent, json: v as object, resultType: 'value', wrap: true }) as unknown[];
          for (const o of parents) {
            if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
              (o as Json)[last.key] = IGNORE_PLACEHOLDER;
              placeholders = true;
            }
          }
          continue;
        }
        const hits = JSONPath({ path: p, json: v as object, resultType: 'all' }) as Array<{ parent: Json | unknown[]; parentProperty: string | number }>;
        for (const h of hits) {
          if (h.parent) {
            (h.parent as Json)[h.parentProperty as string] = IGNORE_PLACEHOLDER;
            placeholders = true;
          }
        }
      }
    }
    return {
      equalToJson: v,
      ...(b.ignoreArrayOrder ? { ignoreArrayOrder: true } : {}),
      ...(b.ignoreExtraFields ? { ignoreExtraElements: true } : {}),
      ...(placeholders ? { enablePlaceholders: true } : {}),
    };
  }
  if ('jsonPath' in b) {
    const c = b.jsonPath[0];
    if (b.jsonPath.length > 1) throw new Error('internal: split jsonPath conditions before export');
    if (c.absent) return { matchesJsonPath: { expression: c.path, absent: true } };
    if (c.equalTo !== undefined) {
      return typeof c.equalTo === 'string'
        ? { matchesJsonPath: { expression: c.path, equalTo: c.equalTo } }
        : { matchesJsonPath: { expression: c.path, equalToJson: JSON.stringify(c.equalTo) } };
    }
    if (c.matches !== undefined) return { matchesJsonPath: { expression: c.path, matches: c.matches } };
    return { matchesJsonPath: c.path };
  }
  if ('equalTo' in b) return { equalTo: b.equalTo, ...(b.caseInsensitive ? { caseInsensitive: true } : {}) };
  if ('matches' in b) return { matches: b.matches };
  if ('contains' in b) return { contains: b.contains };
  if ('binaryEqualTo' in b) return { binaryEqualTo: b.binaryEqualTo };
  throw new Error('internal: form bodies are exported as formParameters');
}

function templateToRegex(t: string): string {
  return t
    .split(/\{[^}/]*\}/)
    .map(escapeRe)
    .join('[^/]+');
}

/**
 * Reprise stubs → WireMock mappings. Sequences become scenarios (`sequence:<key>`), exactly as the mock
 * server runs them. Mappings come in reverse order: WireMock prefers the newest among equal priorities. Stub ids go to `name` and `metadata.reprise.id` (WireMock ids must be UUIDs).
 */
export function toWireMockMappings(stubs: StubDefinition[], opts: { sequence?: 'stay' | 'cycle' } = {}): { mappings: Json[] } {
  const compiled = compileStubs(stubs, opts.sequence ?? 'stay');
  const mappings = compiled.map((c) => {
    const d = c.def;
    const r = d.request;
    const request: Json = { method: r.method ? r.method.toUpperCase() : 'ANY' };
    const query = Object.entries(r.query ?? {});
    // strict queries of plain values become `url` (WireMock's queryParameters would let extra parameters through);
    // WireMock then needs the parameters in this order, Reprise takes any order
    const simpleQuery = query.every(([, m]) => 'equalTo' in m && !m.caseInsensitive);
    if (r.path !== undefined && r.strictQuery && simpleQuery) {
      const qs = new URLSearchParams(query.flatMap(([k, m]) => {
        const v = (m as { equalTo: string | string[] }).equalTo;
        return (Array.isArray(v) ? v : [v]).map((x) => [k, x]);
      })).toString();
      request.url = r.path + (qs ? `?${qs}` : '');
    } else {
      if (r.path !== undefined) request.urlPath = r.path;
      else if (r.pathTemplate !== undefined) request.urlPathPattern = templateToRegex(r.pathTemplate);
      else if (r.pathRegex !== undefined) request.urlPathPattern = r.pathRegex;
      if (query.length) {
        const qp: Json = {};
        for (const [k, m] of query) {
          const w = toWmString(m);
          if (w) qp[k] = w;
        }
        if (Object.keys(qp).length) request.queryParameters = qp;
      }
    }
    if (r.headers) {
      const h: Json = {};
      for (const [k, m] of Object.entries(r.headers)) {
        const w = toWmString(m);
        if (w) h[k] = w;
      }
      if (Object.keys(h).length) request.headers = h;
    }
    const bodies = r.body === undefined ? [] : Array.isArray(r.body) ? r.body : [r.body];
    const patterns: Json[] = [];
    for (const b of bodies) {
      if ('form' in b) {
        const fp: Json = {};
        for (const [k, m] of Object.entries(b.form)) {
          const w = toWmString(m);
          if (w) fp[k] = w;
        }
        request.formParameters = fp;
      } else if ('jsonPath' in b) for (const cnd of b.jsonPath) patterns.push(toWmBody({ jsonPath: [cnd] }));
      else patterns.push(toWmBody(b));
    }
    if (patterns.length) request.bodyPatterns = patterns;

    const rs = d.response;
    const response: Json = { status: rs.status };
    if (rs.headers && Object.keys(rs.headers).length) response.headers = rs.headers;
    if (rs.body !== undefined) {
      if (rs.bodyEncoding === 'base64') response.base64Body = rs.body;
      else response.body = rs.body;
    } else if (rs.json !== undefined) response.jsonBody = rs.json;
    if (d.delayMs) response.fixedDelayMilliseconds = Math.round(d.delayMs);

    const mapping: Json = { name: c.id, request, response, metadata: { reprise: { id: c.id } } };
    if (d.priority !== undefined) mapping.priority = d.priority;
    if (c.scenario) {
      mapping.scenarioName = c.scenario.name;
      if (c.scenario.required !== undefined) mapping.requiredScenarioState = c.scenario.required;
      if (c.scenario.next !== undefined) mapping.newScenarioState = c.scenario.next;
    }
    return mapping;
  });
  // WireMock tries the most recently added mapping first among equal priorities: the stub Reprise tries first goes last
  mappings.reverse();
  return { mappings };
}
