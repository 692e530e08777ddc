/**
 * Runtime matchers compiled from stub definitions. Every matcher has `matches(req)` (fast, boolean) and
 * `explain(req)` (field-level reasons it does not match; empty when it matches), as in mockttp.
 */
import { JSONPath } from 'jsonpath-plus';
import type { MatcherFailure } from './types.js';
import type { BodyMatcher, JsonPathCondition, RequestMatcherDef, StringMatcher } from './stub.js';
import { MockRequest, NOT_JSON, normalizePath } from './request.js';

export interface Matcher {
  readonly kind: MatcherFailure['matcher'];
  matches(req: MockRequest): boolean;
  explain(req: MockRequest): MatcherFailure[];
}

/** Cap on the failures one matcher reports (a body can differ in thousands of places). */
const MAX_FAILURES = 10;

// ---------------------------------------------------------------- string values

interface ValueTest {
  /** Test the values present for a name (undefined: absent). */
  test(values: string[] | undefined): boolean;
  describe(): string;
  expected(): unknown;
}

export function compileStringMatcher(m: StringMatcher): ValueTest {
  if ('equalTo' in m) {
    const ci = m.caseInsensitive === true;
    const norm = (s: string) => (ci ? s.toLowerCase() : s);
    if (Array.isArray(m.equalTo)) {
      const exp = m.equalTo.map(norm);
      return {
        test: (v) => v !== undefined && v.length === exp.length && v.every((x, i) => norm(x) === exp[i]),
        describe: () => `equal to ${JSON.stringify(m.equalTo)}`,
        expected: () => m.equalTo,
      };
    }
    const exp = norm(m.equalTo);
    return {
      test: (v) => v !== undefined && v.some((x) => norm(x) === exp),
      describe: () => `equal to ${JSON.stringify(m.equalTo)}`,
      expected: () => m.equalTo,
    };
  }
  if ('matches' in m) {
    const re = wholeRegex(m.matches);
    return {
      test: (v) => v !== undefined && v.some((x) => re.test(x)),
      describe: () => `matching /${m.matches}/`,
      expected: () => ({ matches: m.matches }),
    };
  }
  if ('contains' in m) {
    return {
      test: (v) => v !== undefined && v.some((x) => x.includes(m.contains)),
      describe: () => `containing ${JSON.stringify(m.contains)}`,
      expected: () => ({ contains: m.contains }),
    };
  }
  if ('present' in m) return { test: (v) => v !== undefined, describe: () => 'present', expected: () => ({ present: true }) };
  if ('absent' in m) return { test: (v) => v === undefined, describe: () => 'absent', expected: () => ({ absent: true }) };
  return { test: () => true, describe: () => 'anything', expected: () => ({ ignore: true }) };
}

/** A regex that must match the whole value (WireMock semantics), unless it is anchored already. */
function wholeRegex(src: string): RegExp {
  return new RegExp(`^(?:${src})$`);
}

function showValues(v: string[] | undefined): unknown {
  return v === undefined ? undefined : v.length === 1 ? v[0] : v;
}

/** Matches a name → value map (query, headers, form fields). */
class ParamsMatcher implements Matcher {
  private readonly tests: Array<[string, ValueTest, boolean]>;
  constructor(
    readonly kind: 'query' | 'header' | 'body',
    spec: Record<string, StringMatcher>,
    private readonly get: (req: MockRequest) => Map<string, string[]> | Record<string, string[]>,
    private readonly strict: boolean,
    private readonly label: string,
    private readonly lowerNames = false,
  ) {
    this.tests = Object.entries(spec).map(([k, m]) => [lowerNames ? k.toLowerCase() : k, compileStringMatcher(m), 'ignore' in m]);
  }
  private lookup(src: Map<string, string[]> | Record<string, string[]>, name: string): string[] | undefined {
    return src instanceof Map ? src.get(name) : src[name];
  }
  matches(req: MockRequest): boolean {
    const src = this.get(req);
    for (const [name, t] of this.tests) if (!t.test(this.lookup(src, name))) return false;
    if (this.strict) {
      const keys = src instanceof Map ? [...src.keys()] : Object.keys(src);
      for (const k of keys) if (!this.tests.some(([n]) => n === k)) return false;
    }
    return true;
  }
  explain(req: MockRequest): MatcherFailure[] {
    const src = this.get(req);
    const out: MatcherFailure[] = [];
    for (const [name, t, ignored] of this.tests) {
      if (ignored) continue;
      const v = this.lookup(src, name);
      if (t.test(v)) continue;
      out.push({
        matcher: this.kind,
        field: name,
        expected: t.expected(),
        actual: showValues(v),
        message:
          v === undefined
            ? `${this.label} '${name}' is missing, expected ${t.describe()}`
            : `${this.label} '${name}' is ${JSON.stringify(showValues(v))}, expected ${t.describe()}`,
      });
    }
    if (this.strict) {
      const keys = src instanceof Map ? [...src.keys()] : Object.keys(src);
      for (const k of keys) {
        if (this.tests.some(([n]) => n === k)) continue;
        out.push({ matcher: this.kind, field: k, actual: showValues(this.lookup(src, k)), message: `unexpected ${this.label} '${k}'` });
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------- method and path

export class MethodMatcher implements Matcher {
  readonly kind = 'method' as const;
  constructor(readonly method: string) {}
  matches(req: MockRequest): boolean {
    return req.method === this.method;
  }
  explain(req: MockRequest): MatcherFailure[] {
    return this.matches(req)
      ? []
      : [{ matcher: 'method', expected: this.method, actual: req.method, message: `method is ${req.method}, expected ${this.method}` }];
  }
}

export class PathMatcher implements Matcher {
  readonly kind = 'path' as const;
  private readonly re?: RegExp;
  readonly exact?: string;
  /** Literal start every matching path has: a cheap test before the regex. */
  private readonly prefix: string = '';
  /** The regex a path must match whole, without anchors (template and regex modes), for combined tests. */
  readonly regexSource?: string;
  constructor(private readonly shown: string, mode: 'exact' | 'template' | 'regex') {
    if (mode === 'exact') this.exact = normalizePath(shown);
    else if (mode === 'regex') {
      this.re = wholeRegex(shown);
      this.prefix = literalPrefix(shown);
      this.regexSource = shown;
    } else {
      this.re = templateRegex(shown);
      this.regexSource = this.re.source.slice(1, -1);
      this.prefix = literalPrefix(this.regexSource);
    }
  }
  matches(req: MockRequest): boolean {
    return this.matchesPath(req.path);
  }
  /** The test on a normalised path alone. */
  matchesPath(path: string): boolean {
    if (this.exact !== undefined) return path === this.exact;
    return path.startsWith(this.prefix) && this.re!.test(path);
  }
  explain(req: MockRequest): MatcherFailure[] {
    if (this.matches(req)) return [];
    return [{ matcher: 'path', expected: this.shown, actual: req.path, message: `path ${req.path} does not match ${this.shown}` }];
  }
}

/**
 * The literal characters a regex source must match first ('' when unsure): letters, digits and `/-_~:@,`
 * up to the first other character; a quantifier after the last one drops it. No prefix with a top-level `|`.
 */
export function literalPrefix(src: string): string {
  if (src.includes('|')) return '';
  const m = /^[A-Za-z0-9/_~:@,-]*/.exec(src)![0];
  const next = src[m.length];
  return next === '?' || next === '*' || next === '{' ? m.slice(0, -1) : m;
}

/** `/orders/{id}/items/{itemId}` → a regex where each `{…}` is one non-empty segment. */
export function templateRegex(template: string): RegExp {
  const norm = normalizePath(template.replace(/\{[^}/]*\}/g, '\u0000'));
  const src = norm
    .split('\u0000')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${src}$`);
}

// ---------------------------------------------------------------- JSON comparison

export interface JsonCompareOptions {
  ignoreArrayOrder: boolean;
  ignoreExtraFields: boolean;
}

function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function preview(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const s = JSON.stringify(v);
  return s.length <= 200 ? v : s.slice(0, 199) + '…';
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether actual equals expected under the options (the boolean of jsonDiff, without building paths). */
export function jsonEqual(exp: unknown, act: unknown, opts: JsonCompareOptions): boolean {
  if (exp === act) return true;
  if (exp === null || act === null || typeof exp !== 'object' || typeof act !== 'object') return false;
  const ea = Array.isArray(exp);
  if (ea !== Array.isArray(act)) return false;
  if (ea) {
    const e = exp as unknown[];
    const a = act as unknown[];
    if (opts.ignoreArrayOrder) {
      if (a.length < e.length || (!opts.ignoreExtraFields && a.length > e.length)) return false;
      const used = new Array<boolean>(a.length).fill(false);
      for (let i = 0; i < e.length; i++) {
        let found = false;
        for (let j = 0; j < a.length; j++) {
          if (!used[j] && jsonEqual(e[i], a[j], opts)) {
            used[j] = found = true;
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    }
    if (a.length !== e.length && !(opts.ignoreExtraFields && a.length > e.length)) return false;
    for (let i = 0; i < e.length; i++) if (!jsonEqual(e[i], a[i], opts)) return false;
    return true;
  }
  const e = exp as Record<string, unknown>;
  const a = act as Record<string, unknown>;
  let n = 0;
  for (const k in e) {
    if (!hasOwn(e, k)) continue;
    if (!hasOwn(a, k) || !jsonEqual(e[k], a[k], opts)) return false;
    n++;
  }
  if (!opts.ignoreExtraFields) {
    let m = 0;
    for (const k in a) if (hasOwn(a, k)) m++;
    if (m !== n) return false;
  }
  return true;
}

/** Push differences between expected and actual into `out` (at most `max`); returns true when equal. */
export function jsonDiff(exp: unknown, act: unknown, opts: JsonCompareOptions, path: string, out: MatcherFailure[], max: number): boolean {
  if (out.length >= max) return false;
  if (exp === act) return true;
  const te = typeName(exp);
  const ta = typeName(act);
  if (te !== ta) {
    out.push({ matcher: 'body', field: path, expected: preview(exp), actual: preview(act), message: `${path} is ${ta === 'undefined' ? 'missing' : ta}, expected ${te}` });
    return false;
  }
  if (te === 'array') {
    const e = exp as unknown[];
    const a = act as unknown[];
    if (opts.ignoreArrayOrder) {
      const used = new Array<boolean>(a.length).fill(false);
      let ok = true;
      for (let i = 0; i < e.length; i++) {
        let found = -1;
        for (let j = 0; j < a.length && found < 0; j++) {
          if (!used[j] && jsonEqual(e[i], a[j], opts)) found = j;
        }
        if (found >= 0) used[found] = true;
        else {
          ok = false;
          if (out.length < max) out.push({ matcher: 'body', field: fieldPath(path, i), expected: preview(e[i]), message: `${fieldPath(path, i)}: no element of the request's array equals the expected one` });
        }
      }
      if (!opts.ignoreExtraFields && a.length > e.length) {
        ok = false;
        if (out.length < max) out.push({ matcher: 'body', field: path, expected: e.length, actual: a.length, message: `${path} has ${a.length} elements, expected ${e.length}` });
      }
      return ok;
    }
    let ok = true;
    if (a.length !== e.length && !(opts.ignoreExtraFields && a.length > e.length)) {
      ok = false;
      out.push({ matcher: 'body', field: path, expected: e.length, actual: a.length, message: `${path} has ${a.length} elements, expected ${e.length}` });
    }
    const n = Math.min(a.length, e.length);
    for (let i = 0; i < n && out.length < max; i++) if (!jsonDiff(e[i], a[i], opts, fieldPath(path, i), out, max)) ok = false;
    return ok;
  }
  if (te === 'object') {
    const e = exp as Record<string, unknown>;
    const a = act as Record<string, unknown>;
    let ok = true;
    for (const k of Object.keys(e)) {
      if (out.length >= max) return false;
      const p = fieldPath(path, k);
      if (!hasOwn(a, k)) {
        ok = false;
        out.push({ matcher: 'body', field: p, expected: preview(e[k]), message: `${p} is missing` });
      } else if (!jsonDiff(e[k], a[k], opts, p, out, max)) ok = false;
    }
    if (!opts.ignoreExtraFields) {
      for (const k of Object.keys(a)) {
        if (hasOwn(e, k)) continue;
        if (out.length >= max) return false;
        ok = false;
        const p = fieldPath(path, k);
        out.push({ matcher: 'body', field: p, actual: preview(a[k]), message: `${p} is not expected (extra field)` });
      }
    }
    return ok;
  }
  out.push({ matcher: 'body', field: path, expected: exp, actual: act, message: `${path} is ${JSON.stringify(act)}, expected ${JSON.stringify(exp)}` });
  return false;
}

/** Remove every node selected by the JSONPaths (in place). Array elements are spliced, last first. */
export function removePaths(doc: unknown, paths: string[]): unknown {
  if (doc === null || typeof doc !== 'object') return doc;
  for (const p of paths) {
    let hits: Array<{ parent: unknown; parentProperty: string | number }>;
    try {
      hits = JSONPath({ path: p, json: doc as object, resultType: 'all' }) as typeof hits;
    } catch {
      continue;
    }
    for (let i = hits.length - 1; i >= 0; i--) {
      const { parent, parentProperty } = hits[i];
      if (parent === null || parent === undefined) continue;
      if (Array.isArray(parent)) parent.splice(Number(parentProperty), 1);
      else delete (parent as Record<string, unknown>)[parentProperty as string];
    }
  }
  return doc;
}

// ---------------------------------------------------------------- body matchers

class JsonEqualMatcher implements Matcher {
  readonly kind = 'body' as const;
  private readonly expected: unknown;
  private readonly opts: JsonCompareOptions;
  constructor(private readonly def: Extract<BodyMatcher, { equalToJson: unknown }>) {
    this.expected = def.ignorePaths?.length ? removePaths(structuredClone(def.equalToJson), def.ignorePaths) : def.equalToJson;
    this.opts = { ignoreArrayOrder: def.ignoreArrayOrder === true, ignoreExtraFields: def.ignoreExtraFields === true };
    if (def.ignorePaths?.length) this.ignoreKey = JSON.stringify(def.ignorePaths);
  }
  private readonly ignoreKey?: string;
  private actual(req: MockRequest): unknown {
    const paths = this.def.ignorePaths;
    if (!paths?.length) return req.json;
    // stubs ignoring the same paths (all stubs of a service built from traffic) share one copy per request
    return req.jsonWithout(this.ignoreKey!, (doc) => removePaths(doc, paths));
  }
  matches(req: MockRequest): boolean {
    const a = this.actual(req);
    return a !== NOT_JSON && jsonEqual(this.expected, a, this.opts);
  }
  explain(req: MockRequest): MatcherFailure[] {
    const a = this.actual(req);
    if (a === NOT_JSON) {
      return [{ matcher: 'body', expected: preview(this.expected), actual: truncateText(req.text), message: req.body.length ? 'body is not JSON' : 'body is empty, expected JSON' }];
    }
    const out: MatcherFailure[] = [];
    jsonDiff(this.expected, a, this.opts, '$', out, MAX_FAILURES);
    return out;
  }
}

class JsonPathMatcher implements Matcher {
  readonly kind = 'body' as const;
  private readonly conds: Array<JsonPathCondition & { re?: RegExp }>;
  constructor(conds: JsonPathCondition[]) {
    this.conds = conds.map((c) => ({ ...c, re: c.matches !== undefined ? wholeRegex(c.matches) : undefined }));
  }
  private check(c: JsonPathCondition & { re?: RegExp }, doc: unknown): string | undefined {
    let found: unknown[];
    try {
      found = doc === NOT_JSON ? [] : (JSONPath({ path: c.path, json: doc as object, wrap: true }) as unknown[]);
    } catch (e) {
      return `JSONPath ${c.path} failed: ${(e as Error).message}`;
    }
    if (c.absent) return found.length === 0 ? undefined : `${c.path} selects ${found.length} value(s), expected none`;
    if (found.length === 0) return doc === NOT_JSON ? `body is not JSON (needed for ${c.path})` : `${c.path} selects nothing`;
    if (c.equalTo !== undefined && !found.some((v) => jsonEqual(c.equalTo, v, { ignoreArrayOrder: false, ignoreExtraFields: false }))) {
      return `${c.path} is ${JSON.stringify(found.length === 1 ? found[0] : found)}, expected ${JSON.stringify(c.equalTo)}`;
    }
    if (c.re && !found.some((v) => c.re!.test(typeof v === 'string' ? v : JSON.stringify(v)))) {
      return `${c.path} is ${JSON.stringify(found.length === 1 ? found[0] : found)}, expected to match /${c.matches}/`;
    }
    return undefined;
  }
  matches(req: MockRequest): boolean {
    const doc = req.json;
    return this.conds.every((c) => this.check(c, doc) === undefined);
  }
  explain(req: MockRequest): MatcherFailure[] {
    const doc = req.json;
    const out: MatcherFailure[] = [];
    for (const c of this.conds) {
      const why = this.check(c, doc);
      if (why) out.push({ matcher: 'body', field: c.path, expected: c.equalTo ?? (c.matches ? { matches: c.matches } : c.absent ? { absent: true } : { present: true }), message: why });
    }
    return out;
  }
}

function truncateText(s: string, n = 200): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

class TextMatcher implements Matcher {
  readonly kind = 'body' as const;
  constructor(
    private readonly test: (text: string) => boolean,
    private readonly what: string,
    private readonly expected: unknown,
  ) {}
  matches(req: MockRequest): boolean {
    return this.test(req.text);
  }
  explain(req: MockRequest): MatcherFailure[] {
    if (this.matches(req)) return [];
    const actual = truncateText(req.text);
    let message = `body ${req.body.length ? JSON.stringify(actual) : '(empty)'} is not ${this.what}`;
    if (typeof this.expected === 'string') {
      const exp = this.expected;
      let i = 0;
      const t = req.text;
      while (i < exp.length && i < t.length && exp[i] === t[i]) i++;
      message += ` (first difference at character ${i})`;
    }
    return [{ matcher: 'body', expected: typeof this.expected === 'string' ? truncateText(this.expected) : this.expected, actual, message }];
  }
}

class BinaryMatcher implements Matcher {
  readonly kind = 'body' as const;
  private readonly bytes: Buffer;
  constructor(b64: string) {
    this.bytes = Buffer.from(b64, 'base64');
  }
  matches(req: MockRequest): boolean {
    return req.body.equals(this.bytes);
  }
  explain(req: MockRequest): MatcherFailure[] {
    if (this.matches(req)) return [];
    return [{ matcher: 'body', expected: `<${this.bytes.length} bytes>`, actual: `<${req.body.length} bytes>`, message: `body bytes differ (${req.body.length} bytes, expected ${this.bytes.length})` }];
  }
}

export function compileBodyMatcher(b: BodyMatcher): Matcher {
  if ('equalToJson' in b) return new JsonEqualMatcher(b);
  if ('jsonPath' in b) return new JsonPathMatcher(b.jsonPath);
  if ('equalTo' in b) {
    const ci = b.caseInsensitive === true;
    const exp = ci ? b.equalTo.toLowerCase() : b.equalTo;
    return new TextMatcher((t) => (ci ? t.toLowerCase() : t) === exp, `equal to ${JSON.stringify(truncateText(b.equalTo, 60))}`, b.equalTo);
  }
  if ('matches' in b) {
    const re = wholeRegex(b.matches);
    return new TextMatcher((t) => re.test(t), `matching /${b.matches}/`, { matches: b.matches });
  }
  if ('contains' in b) return new TextMatcher((t) => t.includes(b.contains), `containing ${JSON.stringify(b.contains)}`, { contains: b.contains });
  if ('binaryEqualTo' in b) return new BinaryMatcher(b.binaryEqualTo);
  return new ParamsMatcher('body', b.form, (r) => r.form, b.strict === true, 'form field');
}

// ---------------------------------------------------------------- request matcher

export interface CompiledRequestMatcher {
  /** Upper-case method, or undefined for any. */
  method?: string;
  /** Normalised literal path when the stub has an exact path (index key). */
  exactPath?: string;
  methodMatcher?: MethodMatcher;
  pathMatcher?: PathMatcher;
  /** Query, header and body matchers (checked after method + path). */
  rest: Matcher[];
  /** method, path and rest, for explain(). */
  all: Matcher[];
}

export function compileRequestMatcher(r: RequestMatcherDef): CompiledRequestMatcher {
  const method = r.method && r.method.toUpperCase() !== 'ANY' ? r.method.toUpperCase() : undefined;
  const methodMatcher = method ? new MethodMatcher(method) : undefined;
  let pathMatcher: PathMatcher | undefined;
  if (r.path !== undefined) pathMatcher = new PathMatcher(r.path, 'exact');
  else if (r.pathTemplate !== undefined) pathMatcher = new PathMatcher(r.pathTemplate, 'template');
  else if (r.pathRegex !== undefined) pathMatcher = new PathMatcher(r.pathRegex, 'regex');
  const rest: Matcher[] = [];
  if (r.query || r.strictQuery) rest.push(new ParamsMatcher('query', r.query ?? {}, (q) => q.query, r.strictQuery === true, 'query parameter'));
  if (r.headers && Object.keys(r.headers).length) rest.push(new ParamsMatcher('header', r.headers, (q) => q.headers, false, 'header', true));
  const bodies = r.body === undefined ? [] : Array.isArray(r.body) ? r.body : [r.body];
  for (const b of bodies) rest.push(compileBodyMatcher(b));
  const all: Matcher[] = [];
  if (methodMatcher) all.push(methodMatcher);
  if (pathMatcher) all.push(pathMatcher);
  all.push(...rest);
  return { method, exactPath: pathMatcher?.exact, methodMatcher, pathMatcher, rest, all };
}

/** Every failure of a request matcher against a request (empty: it matches). */
export function explainRequest(m: CompiledRequestMatcher, req: MockRequest): MatcherFailure[] {
  const out: MatcherFailure[] = [];
  for (const x of m.all) out.push(...x.explain(req));
  return out;
}
