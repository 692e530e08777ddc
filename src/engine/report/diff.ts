/**
 * Response diffs for the UI and reports: expected (recorded) vs actual response, each normalised into a
 * text document —
 *
 *     HTTP 201
 *     content-type: application/json
 *
 *     {
 *       "items": [
 *     …
 *
 * (status line, the compared headers redacted and sorted, a blank line, then the body: JSON pretty-printed
 * with sorted keys, text as is, binary as a one-line placeholder) — and a unified diff (jsdiff) of the two.
 * Every document line knows the JSONPath it shows, so lines covered by the config's ignore patterns or by an
 * ignored/tolerated field difference are reported for greying out.
 *
 * Computed when a diff is opened, never for a whole run. Big bodies are cut to `lineLimit` lines (the
 * caller offers "show more"), and jsdiff gets a time budget; past it the view falls back to the field list.
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { Headers } from '../store/model.js';
import type { FieldDiff } from '../validate/types.js';
import { formatPath, isHeaderPattern, pathMatches, type PathSegment } from '../validate/jsonpath.js';
import { redactHeaders } from '../redact.js';
import type { DiffSide, DiffView } from '../../shared/view-types.js';

export interface DiffInputSide {
  status?: number;
  headers?: Headers;
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
  /** The body was cut by the run's size cap. */
  truncated?: boolean;
}

export interface ResponseDiffOptions {
  /** Ignore patterns (config validate.ignore plus the pair's own): JSONPaths and `header.<name>`. */
  ignore?: readonly string[];
  /** Compared headers (lower-case) shown in the documents; other headers are left out. */
  headers?: readonly string[];
  /** The validator's field differences (for greying ignored/tolerated fields). */
  fieldDiffs?: readonly FieldDiff[];
  diffsOmitted?: number;
  /** Lines of each document kept for the diff (default 3000). */
  lineLimit?: number;
  /** Time budget for jsdiff, ms (default 1500). */
  timeoutMs?: number;
  /** Extra secret header names to redact. */
  redactHeaders?: readonly string[];
  /** Longest value shown in a field difference (default 200 characters). */
  maxValueChars?: number;
}

export interface NormalisedDocument {
  /** The first `lineLimit` lines. */
  lines: string[];
  /** For each kept line: the path it shows (`status`, `header.<name>`, `$…`), or null (blank/separator). */
  paths: (string | null)[];
  /** Lines of the whole document. */
  totalLines: number;
  bodyKind: DiffSide['bodyKind'];
  bodyBytes: number;
}

export const DEFAULT_LINE_LIMIT = 3000;

/** Normalise one response into the text document shown in diffs (see the module comment). */
export function normaliseResponse(side: DiffInputSide, opts: { headers?: readonly string[]; lineLimit?: number; redactHeaders?: readonly string[] } = {}): NormalisedDocument {
  const limit = opts.lineLimit ?? DEFAULT_LINE_LIMIT;
  const lines: string[] = [];
  const paths: (string | null)[] = [];
  let total = 0;
  const push = (text: string, path: string | null | (() => string | null)) => {
    if (total < limit) {
      lines.push(text);
      paths.push(typeof path === 'function' ? path() : path);
    }
    total++;
  };
  if (side.status !== undefined) push(`HTTP ${side.status}`, 'status');
  const shown = shownHeaders(side.headers ?? {}, opts.headers ?? [], opts.redactHeaders);
  for (const [name, value] of shown) push(`${name}: ${value}`, `header.${name}`);
  const body = side.body ?? '';
  const bodyBytes = side.body === undefined ? 0 : side.bodyEncoding === 'base64' ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
  let bodyKind: DiffSide['bodyKind'] = 'none';
  if (side.body !== undefined && body.length > 0) {
    push('', null);
    if (side.bodyEncoding === 'base64') {
      bodyKind = 'binary';
      const sha = createHash('sha256').update(Buffer.from(body, 'base64')).digest('hex').slice(0, 16);
      push(`<binary body, ${bodyBytes} bytes, sha256 ${sha}…>`, '$');
    } else {
      let parsed: unknown;
      let isJson = false;
      const t = body.trimStart();
      if (t.startsWith('{') || t.startsWith('[') || t.startsWith('"') || /^(-?\d|true|false|null)/.test(t)) {
        try {
          parsed = JSON.parse(body);
          isJson = true;
        } catch {
          isJson = false;
        }
      }
      if (isJson) {
        bodyKind = 'json';
        prettyJson(parsed, push);
      } else {
        bodyKind = 'text';
        for (const l of body.replace(/\r\n?/g, '\n').split('\n')) push(l, '$');
      }
    }
    if (side.truncated) push('… (body cut by the run’s size cap)', null);
  }
  return { lines, paths, totalLines: total, bodyKind, bodyBytes };
}

function shownHeaders(headers: Headers, compared: readonly string[], extraSecret?: readonly string[]): [string, string][] {
  const want = new Set(compared.map((h) => h.toLowerCase()));
  const red = redactHeaders(headers, extraSecret);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(red)) {
    const name = k.toLowerCase();
    if (!want.has(name)) continue;
    out.push([name, Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Pretty-print JSON with sorted object keys, two-space indent, one value per line, calling `push` for each
 * line with the JSONPath it shows (computed lazily: only kept lines pay for formatting).
 */
function prettyJson(value: unknown, push: (text: string, path: string | null | (() => string | null)) => void): void {
  const segs: PathSegment[] = [];
  const at = () => {
    const copy = segs.slice();
    return () => formatPath(copy);
  };
  const walk = (v: unknown, indent: string, prefix: string, suffix: string): void => {
    if (v !== null && typeof v === 'object') {
      const isArr = Array.isArray(v);
      const entries: [PathSegment, unknown][] = isArr
        ? (v as unknown[]).map((x, i) => [i, x])
        : Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]);
      const open = isArr ? '[' : '{';
      const close = isArr ? ']' : '}';
      if (entries.length === 0) {
        push(`${indent}${prefix}${open}${close}${suffix}`, at());
        return;
      }
      push(`${indent}${prefix}${open}`, at());
      entries.forEach(([k, x], i) => {
        segs.push(k);
        walk(x, indent + '  ', isArr ? '' : `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '');
        segs.pop();
      });
      push(`${indent}${close}${suffix}`, at());
      return;
    }
    push(`${indent}${prefix}${JSON.stringify(v) ?? 'null'}${suffix}`, at());
  };
  walk(value, '', '', '');
}

/** Is a document line's path covered by an ignore pattern or an ignored/tolerated field difference? */
function isIgnored(path: string | null, patterns: readonly string[], ignoredDiffPaths: readonly string[]): boolean {
  if (path === null) return false;
  if (path.startsWith('header.')) {
    const name = path.slice('header.'.length);
    return (
      patterns.some((p) => isHeaderPattern(p) && p.trim().replace(/^headers?\./i, '').toLowerCase() === name) ||
      ignoredDiffPaths.includes(path)
    );
  }
  if (path === 'status') return patterns.some((p) => p.trim().toLowerCase() === 'status');
  if (!path.startsWith('$')) return false;
  for (const p of patterns) {
    if (isHeaderPattern(p) || p.trim().toLowerCase() === 'status') continue;
    try {
      if (pathMatches(p, path)) return true;
    } catch {
      // a bad pattern is reported by config validation, not here
    }
  }
  for (const d of ignoredDiffPaths) {
    if (d === path || path.startsWith(d + '.') || path.startsWith(d + '[')) return true;
  }
  return false;
}

function ignoredLineNumbers(doc: NormalisedDocument, patterns: readonly string[], ignoredDiffPaths: readonly string[]): number[] {
  const out: number[] = [];
  const memo = new Map<string, boolean>();
  doc.paths.forEach((p, i) => {
    if (p === null) return;
    let hit = memo.get(p);
    if (hit === undefined) {
      hit = isIgnored(p, patterns, ignoredDiffPaths);
      memo.set(p, hit);
    }
    if (hit) out.push(i + 1);
  });
  return out;
}

/** A value shortened for display (strings and JSON text over `max` characters are cut with a count). */
export function shortValue(v: unknown, max = 200): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}… (${v.length} chars)` : v;
  if (v !== null && typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : v;
  }
  return v;
}

export interface DiffMeta {
  runId: string;
  pairId: string;
  method: string;
  url: string;
  endpoint: string;
  outcome: DiffView['outcome'];
  note?: string;
  problem?: string;
  actions: boolean;
}

/**
 * The diff view of one request: normalised documents, their unified diff, ignored line numbers and the
 * field differences. `expected`/`actual` undefined: that side is missing (no recorded or no live response).
 */
export function buildResponseDiff(
  expected: DiffInputSide | undefined,
  actual: DiffInputSide | undefined,
  meta: DiffMeta,
  opts: ResponseDiffOptions = {},
): DiffView {
  const lineLimit = opts.lineLimit ?? DEFAULT_LINE_LIMIT;
  const nopts = { headers: opts.headers, lineLimit, redactHeaders: opts.redactHeaders };
  const exp = expected ? normaliseResponse(expected, nopts) : undefined;
  const act = actual ? normaliseResponse(actual, nopts) : undefined;
  const oldText = exp ? exp.lines.join('\n') + '\n' : '';
  const newText = act ? act.lines.join('\n') + '\n' : '';
  const patch = createTwoFilesPatch('expected', 'actual', oldText, newText, 'recorded', 'replayed', {
    context: 3,
    timeout: opts.timeoutMs ?? 1500,
  });
  const fieldDiffs = (opts.fieldDiffs ?? []).map((d) => ({
    ...d,
    ...('expected' in d ? { expected: shortValue(d.expected, opts.maxValueChars) } : {}),
    ...('actual' in d ? { actual: shortValue(d.actual, opts.maxValueChars) } : {}),
  }));
  const ignoredDiffPaths = (opts.fieldDiffs ?? []).filter((d) => d.ignored).map((d) => d.path);
  const patterns = opts.ignore ?? [];
  const side = (d: NormalisedDocument | undefined, s: DiffInputSide | undefined): DiffSide | null =>
    d && s
      ? {
          status: s.status,
          headers: redactHeaders(s.headers ?? {}, opts.redactHeaders),
          bodyKind: d.bodyKind,
          bodyBytes: d.bodyBytes,
          totalLines: d.totalLines,
        }
      : null;
  return {
    ...meta,
    expected: side(exp, expected),
    actual: side(act, actual),
    unified: patch ?? '',
    tooLarge: patch === undefined ? true : undefined,
    ignoredLines: {
      old: exp ? ignoredLineNumbers(exp, patterns, ignoredDiffPaths) : [],
      new: act ? ignoredLineNumbers(act, patterns, ignoredDiffPaths) : [],
    },
    fieldDiffs,
    diffsOmitted: opts.diffsOmitted,
    truncated: (exp?.totalLines ?? 0) > lineLimit || (act?.totalLines ?? 0) > lineLimit,
    lineLimit,
  };
}

/** The full normalised document text of one side (for VS Code's diff editor): no line limit. */
export function normalisedText(side: DiffInputSide, opts: { headers?: readonly string[]; redactHeaders?: readonly string[] } = {}): string {
  return normaliseResponse(side, { ...opts, lineLimit: Number.MAX_SAFE_INTEGER }).lines.join('\n') + '\n';
}
