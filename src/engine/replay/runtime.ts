/**
 * Runtime values injected into a request just before it is sent, and the per-session state behind them:
 *
 *   {{now}} {{now+1h}} {{now-30m}} {{now+2d:epoch}} {{now:epoch_ms}} {{now:date}} {{now:http}}
 *   {{uuid}}  {{session}} (the replay session's id)  {{env.NAME}}  {{random.int}} {{random.int(1,100)}}  {{name}} (a value captured earlier)
 *
 * Captures (`token: '$.access_token'`, `loc: 'header.location'`, `csrf: 'regex:name="csrf" value="([^"]+)"'`)
 * are evaluated against each live response. The same capture evaluated on the recorded response gives the
 * recorded value R; when the live value L differs, later requests of the session have R replaced by L
 * (auto-correlation), so recorded create-then-read flows work against a live service.
 */
import { randomUUID, randomInt } from 'node:crypto';
import { JSONPath } from 'jsonpath-plus';
import { splitUrl } from '../store/model.js';
import { isIdSegment } from '../store/endpoint.js';

export interface RuntimeEnv {
  /** Wall-clock ms since the epoch. */
  now(): number;
  env: Record<string, string | undefined>;
  uuid(): string;
  /** Integer in [min, max]. */
  randomInt(min: number, max: number): number;
}

export function defaultRuntimeEnv(partial: Partial<RuntimeEnv> = {}): RuntimeEnv {
  return {
    now: partial.now ?? (() => Date.now()),
    env: partial.env ?? process.env,
    uuid: partial.uuid ?? (() => randomUUID()),
    randomInt: partial.randomInt ?? ((min, max) => randomInt(min, max + 1)),
  };
}

/** Shortest recorded value that is auto-correlated (shorter ones would replace too much). */
export const MIN_CORRELATION_LENGTH = 4;
/** Correlations kept per session; the oldest are dropped beyond this. */
export const MAX_CORRELATIONS = 1000;

const ESCAPE = /[.*+?^${}()|[\]\\]/g;
const escapeRe = (s: string) => s.replace(ESCAPE, '\\$&');

/** Values one session has captured, and recorded → live substitutions learned from its responses. */
export class SessionVars {
  readonly values = new Map<string, string>();
  /** The replay session these values belong to: `{{session}}`. */
  constructor(readonly session?: string) {}
  private readonly corr = new Map<string, string>();
  private textRe: RegExp | null = null;
  private urlRe: RegExp | null = null;
  private urlMap: Map<string, string> | null = null;

  /** Recorded → live pairs learned so far (for diagnostics). */
  get correlations(): ReadonlyMap<string, string> {
    return this.corr;
  }

  /** True when nothing is kept (such a session's state can be dropped cheaply). */
  get empty(): boolean {
    return this.values.size === 0 && this.corr.size === 0;
  }

  /** Learn that `recorded` became `live`. Returns false when the pair is not usable. */
  correlate(recorded: string, live: string): boolean {
    if (recorded === live || recorded.length < MIN_CORRELATION_LENGTH) return false;
    if (this.corr.get(recorded) === live) return false;
    this.corr.delete(recorded);
    this.corr.set(recorded, live);
    while (this.corr.size > MAX_CORRELATIONS) this.corr.delete(this.corr.keys().next().value as string);
    this.textRe = this.urlRe = null;
    this.urlMap = null;
    return true;
  }

  private static tokenRe(keys: Iterable<string>): RegExp | null {
    const list = [...new Set(keys)].sort((a, b) => b.length - a.length).map(escapeRe);
    if (list.length === 0) return null;
    return new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  }

  /** Replace whole-token occurrences of recorded values in free text (header values, text bodies). */
  replaceText(text: string, escape?: (live: string) => string): string {
    if (this.corr.size === 0 || text.length === 0) return text;
    this.textRe ??= SessionVars.tokenRe(this.corr.keys());
    if (!this.textRe) return text;
    return text.replace(this.textRe, (m) => {
      const live = this.corr.get(m) ?? m;
      return escape ? escape(live) : live;
    });
  }

  /** Replace in a JSON text: the live value is JSON-escaped so string literals stay valid. */
  replaceJson(text: string): string {
    return this.replaceText(text, (live) => JSON.stringify(live).slice(1, -1));
  }

  /** Replace in a URL (or form body): recorded values match raw or percent-encoded; live ones are encoded. */
  replaceUrl(url: string): string {
    if (this.corr.size === 0) return url;
    if (!this.urlMap) {
      this.urlMap = new Map();
      for (const [r, l] of this.corr) {
        const enc = encodeURIComponent(l);
        this.urlMap.set(r, enc);
        const er = encodeURIComponent(r);
        if (er !== r) this.urlMap.set(er, enc);
      }
      this.urlRe = SessionVars.tokenRe(this.urlMap.keys());
    }
    if (!this.urlRe) return url;
    const map = this.urlMap;
    return url.replace(this.urlRe, (m) => map.get(m) ?? m);
  }
}

// ---------------------------------------------------------------------------------------------------
// Placeholders

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const NOW = /^now((?:\s*[+-]\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w))*)\s*(?::\s*([a-z_]+))?$/i;
const OFFSET = /([+-])\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gi;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RANDOM_INT = /^random\.int(?:\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\))?$/;

function formatTime(ms: number, fmt: string | undefined): string | undefined {
  const d = new Date(ms);
  switch ((fmt ?? 'iso').toLowerCase()) {
    case 'iso':
      return d.toISOString();
    case 'epoch':
      return String(Math.floor(ms / 1000));
    case 'epoch_ms':
      return String(Math.floor(ms));
    case 'date':
      return d.toISOString().slice(0, 10);
    case 'time':
      return d.toISOString().slice(11, 19);
    case 'http':
      return d.toUTCString();
    default:
      return undefined;
  }
}

/** Value of one placeholder expression, or undefined when it is unknown. */
export function evaluatePlaceholder(expr: string, vars: SessionVars | undefined, rt: RuntimeEnv): string | undefined {
  const captured = vars?.values.get(expr);
  if (captured !== undefined) return captured;
  const now = NOW.exec(expr);
  if (now) {
    let t = rt.now();
    for (const m of now[1].matchAll(OFFSET)) {
      const n = Number(m[2]) * UNIT_MS[m[3].toLowerCase()];
      t += m[1] === '-' ? -n : n;
    }
    return formatTime(t, now[2]);
  }
  if (expr === 'uuid') return rt.uuid();
  if (expr === 'session' && vars?.session !== undefined) return vars.session;
  if (expr.startsWith('env.')) return rt.env[expr.slice(4)];
  const ri = RANDOM_INT.exec(expr);
  if (ri) {
    const min = ri[1] !== undefined ? Number(ri[1]) : 0;
    const max = ri[2] !== undefined ? Number(ri[2]) : 2_147_483_646;
    return String(rt.randomInt(Math.min(min, max), Math.max(min, max)));
  }
  return undefined;
}

/**
 * Replace every `{{expr}}` in `text`. Unknown expressions stay as written and are passed to `onUnknown`
 * (the caller reports each once). `escape` encodes injected values for the context (URL, JSON string).
 */
export function interpolate(
  text: string,
  vars: SessionVars | undefined,
  rt: RuntimeEnv,
  onUnknown?: (expr: string) => void,
  escape?: (value: string) => string,
): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (whole, expr: string) => {
    const v = evaluatePlaceholder(expr, vars, rt);
    if (v === undefined) {
      onUnknown?.(expr);
      return whole;
    }
    return escape ? escape(v) : v;
  });
}

// ---------------------------------------------------------------------------------------------------
// Captures

/** A response a capture is evaluated on. `json` is parsed lazily and at most once. */
export class CaptureSource {
  private parsed: { value: unknown } | null | undefined;
  constructor(
    readonly headers: Record<string, string | string[]>,
    readonly text: string | undefined,
  ) {}

  json(): unknown {
    if (this.parsed === undefined) {
      this.parsed = null;
      const t = this.text?.trim();
      if (t && (t[0] === '{' || t[0] === '[' || t[0] === '"')) {
        try {
          this.parsed = { value: JSON.parse(t) };
        } catch {
          this.parsed = null;
        }
      }
    }
    return this.parsed?.value;
  }

  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(this.headers)) {
      if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
    }
    return undefined;
  }
}

function scalar(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/**
 * Evaluate one capture expression: `$.json.path`, `header.<name>`, or `regex:<pattern>` on the body text
 * (first group, or the whole match). Undefined when absent. Bad expressions throw (check with validateCapture).
 */
export function evaluateCapture(expr: string, src: CaptureSource): string | undefined {
  const e = expr.trim();
  if (e.startsWith('header.')) return src.header(e.slice(7));
  if (e.startsWith('regex:')) {
    const m = new RegExp(e.slice(6)).exec(src.text ?? '');
    if (!m) return undefined;
    return m[1] ?? m[0];
  }
  if (e.startsWith('$')) {
    const json = src.json();
    if (json === undefined) return undefined;
    const out = JSONPath({ path: e, json: json as object, wrap: true }) as unknown[];
    return Array.isArray(out) && out.length > 0 ? scalar(out[0]) : undefined;
  }
  throw new Error(`capture "${expr}" must start with "$", "header." or "regex:"`);
}

/** Problem with a capture expression, or undefined when it is usable. */
export function validateCapture(expr: string): string | undefined {
  const e = expr.trim();
  if (e.startsWith('header.')) return e.length > 7 ? undefined : 'header name missing';
  if (e.startsWith('regex:')) {
    try {
      new RegExp(e.slice(6));
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (e.startsWith('$')) return undefined;
  return 'must start with "$", "header." or "regex:"';
}

export interface CaptureOutcome {
  /** Names whose live value was stored. */
  captured: string[];
  /** [recorded, live] pairs learned for auto-correlation. */
  correlated: [string, string][];
  /** Captures that failed to evaluate (bad JSONPath/regex), with the reason. */
  errors: { name: string; message: string }[];
}

/**
 * After a response: store each capture's live value in the session, and learn recorded → live
 * correlations from the same captures evaluated on the recorded response, and from the `location` header.
 */
export function applyCaptures(
  vars: SessionVars,
  captures: Record<string, string>,
  live: CaptureSource,
  recorded: CaptureSource | undefined,
  opts: { correlateLocation?: boolean } = {},
): CaptureOutcome {
  const out: CaptureOutcome = { captured: [], correlated: [], errors: [] };
  for (const [name, expr] of Object.entries(captures)) {
    let l: string | undefined;
    let r: string | undefined;
    try {
      l = evaluateCapture(expr, live);
      if (recorded) r = evaluateCapture(expr, recorded);
    } catch (err) {
      out.errors.push({ name, message: (err as Error).message });
      continue;
    }
    if (l === undefined) continue;
    vars.values.set(name, l);
    out.captured.push(name);
    if (r !== undefined && vars.correlate(r, l)) out.correlated.push([r, l]);
  }
  if (recorded && (opts.correlateLocation ?? true)) {
    const rl = recorded.header('location');
    const ll = live.header('location');
    if (rl && ll && rl !== ll) {
      for (const [r, l] of correlatePaths(rl, ll)) if (vars.correlate(r, l)) out.correlated.push([r, l]);
    }
  }
  return out;
}

/** Differing segments of two URL paths with the same shape (`/orders/ord-123` vs `/orders/ord-999`). */
export function correlatePaths(recordedUrl: string, liveUrl: string): [string, string][] {
  const a = splitUrl(recordedUrl).path.split('/');
  const b = splitUrl(liveUrl).path.split('/');
  if (a.length !== b.length) return [];
  const out: [string, string][] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || a[i].length < MIN_CORRELATION_LENGTH || b[i] === '') continue;
    // Only identifiers: a differing word (`pending` vs `shipped`) is not a correlation.
    if (!isIdSegment(a[i]) && !/\d/.test(a[i])) continue;
    out.push([safeDecode(a[i]), safeDecode(b[i])]);
  }
  return out;
}

/** Escape for values injected into a URL: only characters that may not appear in one literally. */
export function urlSafe(value: string): string {
  return value.replace(/[\s"<>\\^`{|}\u{0}-\u{1f}\u{7f}-\u{10ffff}]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return ''; // a lone surrogate cannot be sent
    }
  });
}

/** Escape for values injected into a JSON text (inside a string literal or as a bare value). */
export function jsonSafe(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
