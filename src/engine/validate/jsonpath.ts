/**
 * JSONPath for response validation: canonical formatting of concrete paths (`$.items[0].price`,
 * `$['x-y']`), parsing them back, generalising them (`$.items[*].id`), and a small compiled pattern
 * matcher for ignore/tolerance patterns.
 *
 * Supported pattern syntax (a subset of JSONPath without filters/scripts):
 *   `$`                       the root
 *   `.name` `['name']` `["name"]`   a member (bracket form for any key; `\'` `\\` escapes)
 *   `[0]` `[0,2]` `[1:3]` `[2:]`    array indices, unions, slices (non-negative)
 *   `['a','b']`               member unions
 *   `.*` `[*]`                any member or element
 *   `..name` `..[*]` `..['x']` `..[0]`  descendant (any depth, including zero)
 * A pattern matches a concrete path when it matches the path or one of its ancestors: ignoring `$.meta`
 * ignores everything under it.
 * Also accepted for compatibility with other tools: `body.id` (Keploy noise) → `$.id`.
 */

/** One step of a concrete path: an object key or an array index. */
export type PathSegment = string | number;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Canonical, simplest JSONPath for a concrete path: `$.a.b[0]`, `$['x-y']`, `$['']`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '$';
  for (const s of segments) out += formatSegment(s);
  return out;
}

/** The JSONPath suffix for one segment (`.a`, `[0]`, `['x-y']`). */
export function formatSegment(s: PathSegment): string {
  if (typeof s === 'number') return `[${s}]`;
  if (IDENT.test(s)) return `.${s}`;
  return `['${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

export class JsonPathError extends Error {
  constructor(
    readonly pattern: string,
    readonly position: number,
    reason: string,
  ) {
    super(`invalid JSONPath ${JSON.stringify(pattern)} at ${position}: ${reason}`);
    this.name = 'JsonPathError';
  }
}

/** A compiled step. `desc` means "at any depth from here" (`..`). */
export interface PatternStep {
  desc: boolean;
  /** any: `*`; key/keys: member names; index/indices/slice: array positions. */
  kind: 'any' | 'key' | 'keys' | 'index' | 'indices' | 'slice';
  key?: string;
  keys?: ReadonlySet<string>;
  index?: number;
  indices?: ReadonlySet<number>;
  start?: number;
  end?: number;
}

export interface CompiledPattern {
  source: string;
  steps: readonly PatternStep[];
  /** True when the pattern has no wildcard, union, slice or descendant: it names exactly one path. */
  exact: boolean;
}

/** Parse a concrete or pattern path into steps. Throws JsonPathError. */
export function compilePattern(pattern: string): CompiledPattern {
  let src = pattern.trim();
  if (/^body\./i.test(src)) src = '$.' + src.slice(5);
  else if (/^body$/i.test(src)) src = '$';
  const fail = (pos: number, why: string): never => {
    throw new JsonPathError(pattern, pos, why);
  };
  if (src[0] !== '$') fail(0, "must start with '$'");
  const steps: PatternStep[] = [];
  let i = 1;
  const n = src.length;
  while (i < n) {
    let desc = false;
    const c = src[i];
    if (c === '.') {
      if (src[i + 1] === '.') {
        desc = true;
        i += 2;
        if (src[i] === '[') {
          i = parseBracket(src, i, desc, steps, fail);
          continue;
        }
      } else {
        i += 1;
      }
      // dotted member name or *
      if (src[i] === '*') {
        steps.push({ desc, kind: 'any' });
        i += 1;
        continue;
      }
      const m = /^[^.[\]\s'"]+/.exec(src.slice(i));
      if (!m) fail(i, 'expected a member name after "."');
      steps.push({ desc, kind: 'key', key: m![0] });
      i += m![0].length;
    } else if (c === '[') {
      i = parseBracket(src, i, false, steps, fail);
    } else {
      fail(i, `unexpected ${JSON.stringify(c)}`);
    }
  }
  if (steps.length > 60) fail(0, 'too deep (more than 60 steps)');
  return { source: pattern, steps, exact: steps.every((s) => !s.desc && (s.kind === 'key' || s.kind === 'index')) };
}

function parseBracket(
  src: string,
  start: number,
  desc: boolean,
  steps: PatternStep[],
  fail: (pos: number, why: string) => never,
): number {
  let i = start + 1;
  const skipWs = () => {
    while (src[i] === ' ') i++;
  };
  skipWs();
  if (src[i] === '*') {
    i++;
    skipWs();
    if (src[i] !== ']') fail(i, "expected ']'");
    steps.push({ desc, kind: 'any' });
    return i + 1;
  }
  if (src[i] === '?' || src[i] === '(') fail(i, 'filter and script expressions are not supported');
  if (src[i] === "'" || src[i] === '"') {
    const keys: string[] = [];
    for (;;) {
      const q = src[i];
      if (q !== "'" && q !== '"') fail(i, 'expected a quoted member name');
      i++;
      let key = '';
      for (;;) {
        if (i >= src.length) fail(i, 'unterminated string');
        const ch = src[i];
        if (ch === '\\') {
          const nx = src[i + 1];
          if (nx === undefined) fail(i, 'unterminated escape');
          key += nx;
          i += 2;
          continue;
        }
        if (ch === q) {
          i++;
          break;
        }
        key += ch;
        i++;
      }
      keys.push(key);
      skipWs();
      if (src[i] === ',') {
        i++;
        skipWs();
        continue;
      }
      if (src[i] === ']') break;
      fail(i, "expected ',' or ']'");
    }
    steps.push(keys.length === 1 ? { desc, kind: 'key', key: keys[0] } : { desc, kind: 'keys', keys: new Set(keys) });
    return i + 1;
  }
  // numbers: index, union or slice
  const close = src.indexOf(']', i);
  if (close < 0) fail(i, "expected ']'");
  const body = src.slice(i, close).replace(/\s+/g, '');
  if (/^\d+$/.test(body)) {
    steps.push({ desc, kind: 'index', index: Number(body) });
  } else if (/^\d+(,\d+)+$/.test(body)) {
    steps.push({ desc, kind: 'indices', indices: new Set(body.split(',').map(Number)) });
  } else if (/^\d*:\d*$/.test(body)) {
    const [a, b] = body.split(':');
    steps.push({ desc, kind: 'slice', start: a ? Number(a) : 0, end: b ? Number(b) : Infinity });
  } else {
    fail(i, `unsupported bracket expression [${body}] (use [n], [n,m], [a:b], [*] or ['name'])`);
  }
  return close + 1;
}

/** Does one compiled step accept this concrete segment? */
export function stepMatches(step: PatternStep, seg: PathSegment): boolean {
  switch (step.kind) {
    case 'any':
      return true;
    case 'key':
      return step.key === seg;
    case 'keys':
      return typeof seg === 'string' && step.keys!.has(seg);
    case 'index':
      return step.index === seg;
    case 'indices':
      return typeof seg === 'number' && step.indices!.has(seg);
    case 'slice':
      return typeof seg === 'number' && seg >= step.start! && seg < step.end!;
  }
}

/**
 * Full-path match: does the pattern match exactly this path (not just an ancestor)?
 * Backtracking over descendant steps; fine for short paths.
 */
function matchFrom(steps: readonly PatternStep[], si: number, segs: readonly PathSegment[], pi: number): boolean {
  if (si === steps.length) return pi === segs.length;
  const st = steps[si];
  if (!st.desc) return pi < segs.length && stepMatches(st, segs[pi]) && matchFrom(steps, si + 1, segs, pi + 1);
  for (let k = pi; k < segs.length; k++) {
    if (stepMatches(st, segs[k]) && matchFrom(steps, si + 1, segs, k + 1)) return true;
  }
  return false;
}

/** Does the pattern match this concrete path or one of its ancestors? (`$.meta` covers `$.meta.x`.) */
export function patternCovers(pattern: CompiledPattern, segs: readonly PathSegment[]): boolean {
  // every step consumes at least one segment, so shorter prefixes cannot match
  for (let len = pattern.steps.length; len <= segs.length; len++) {
    if (matchFrom(pattern.steps, 0, len === segs.length ? segs : segs.slice(0, len), 0)) return true;
  }
  return false;
}

/** Convenience: does `pattern` (string) cover the concrete path (string or segments)? Throws on bad input. */
export function pathMatches(pattern: string, path: string | readonly PathSegment[]): boolean {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  return patternCovers(cachedPattern(pattern), segs);
}

/** Parse a concrete path (`$.items[0]['x-y']`) back into segments. Throws JsonPathError on patterns. */
export function parsePath(path: string): PathSegment[] {
  const p = compilePattern(path);
  return p.steps.map((s) => {
    if (s.desc || (s.kind !== 'key' && s.kind !== 'index')) {
      throw new JsonPathError(path, 0, 'not a concrete path (contains a wildcard, union, slice or "..")');
    }
    return s.kind === 'key' ? s.key! : s.index!;
  });
}

/** Replace every array index with `[*]`: `$.items[3].id` → `$.items[*].id`. Accepts a path or segments. */
export function generalisePath(path: string | readonly PathSegment[]): string {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  let out = '$';
  for (const s of segs) out += typeof s === 'number' ? '[*]' : formatSegment(s);
  return out;
}

/** Check a list of patterns; returns one message per bad entry (for config diagnostics). */
export function checkPatterns(patterns: readonly string[]): { pattern: string; message: string }[] {
  const out: { pattern: string; message: string }[] = [];
  for (const p of patterns) {
    if (isHeaderPattern(p) || p.trim().toLowerCase() === 'status') continue;
    try {
      cachedPattern(p);
    } catch (e) {
      out.push({ pattern: p, message: (e as Error).message });
    }
  }
  return out;
}

/** `header.<name>` / `headers.<name>` entries (case-insensitive) name a response header, not a body path. */
export function isHeaderPattern(p: string): boolean {
  return /^\s*headers?\./i.test(p);
}

/** Lower-case header name of a `header.<name>` entry. */
export function headerPatternName(p: string): string {
  return p.trim().replace(/^headers?\./i, '').toLowerCase();
}

// A bounded memo of compiled patterns: validation builds options per request, patterns repeat.
const memo = new Map<string, CompiledPattern | JsonPathError>();
const MEMO_MAX = 5000;

/** compilePattern with a process-wide memo (patterns are immutable data). Throws JsonPathError. */
export function cachedPattern(pattern: string): CompiledPattern {
  let hit = memo.get(pattern);
  if (hit === undefined) {
    try {
      hit = compilePattern(pattern);
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      hit = e;
    }
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(pattern, hit);
  }
  if (hit instanceof JsonPathError) throw hit;
  return hit;
}

/**
 * A set of patterns walked alongside a document. States are packed ints (pattern * 64 + step), so
 * descending one level costs one small array; no path strings are built unless a diff is reported.
 */
export class PatternSet<T> {
  readonly patterns: CompiledPattern[] = [];
  readonly values: T[] = [];
  /** States at the root, and the value of a pattern that matches the root itself (`$`). */
  readonly rootStates: number[] = [];
  rootMatch: T | undefined;

  add(p: CompiledPattern, value: T): void {
    const idx = this.patterns.length;
    this.patterns.push(p);
    this.values.push(value);
    if (p.steps.length === 0) {
      if (this.rootMatch === undefined) this.rootMatch = value;
    } else this.rootStates.push(idx * 64);
  }

  get size(): number {
    return this.patterns.length;
  }

  /**
   * Advance `states` by one segment. Returns the next states and, when some pattern fully matched,
   * the value of the first such pattern.
   */
  step(states: readonly number[], seg: PathSegment): { next: number[]; match: T | undefined } {
    let match: T | undefined;
    const next: number[] = [];
    for (let k = 0; k < states.length; k++) {
      const s = states[k];
      const pi = s >> 6;
      const si = s & 63;
      const steps = this.patterns[pi].steps;
      const st = steps[si];
      if (stepMatches(st, seg)) {
        if (si + 1 === steps.length) {
          if (match === undefined) match = this.values[pi];
        } else {
          const ns = s + 1;
          if (!next.includes(ns)) next.push(ns);
        }
      }
      if (st.desc && !next.includes(s)) next.push(s);
    }
    return { next, match };
  }
}

export const NO_STATES: readonly number[] = Object.freeze([]);
