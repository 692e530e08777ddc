/**
 * Secret redaction for everything the engine shows or exports (run folders, JUnit, summaries, UI).
 *
 * - Header values of secret headers become `***`. An `Authorization`-style value keeps its scheme
 *   (`Bearer ***`, `Basic ***`); cookies keep their names (`sid=***; theme=***`) and set-cookie keeps its
 *   attributes (`sid=***; Path=/; HttpOnly`) — names and attributes help debugging and are not secret.
 * - JSON bodies: values at configured JSONPaths become `"***"`.
 * - URLs: query parameters whose name looks secret (`token`, `api_key`, …) become `***`.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Headers } from './store/model.js';

export const MASK = '***';

/** Header names (lower-case) that are always secret. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
];

/** Substrings that make any header (or query parameter) name secret. */
const SECRET_PARTS = /token|secret|passw(or)?d|api[-_]?key|credential/i;

/** True when a header's value must not be shown. `extra` adds names (case-insensitive, exact). */
export function isSecretHeader(name: string, extra?: readonly string[]): boolean {
  const n = name.toLowerCase();
  if (SECRET_HEADERS.includes(n)) return true;
  if (extra && extra.some((x) => x.toLowerCase() === n)) return true;
  return SECRET_PARTS.test(n);
}

const SCHEME = /^([A-Za-z][A-Za-z0-9_-]*)\s+\S/;

function maskValue(name: string, value: string): string {
  if (name === 'authorization' || name === 'proxy-authorization') {
    const m = SCHEME.exec(value);
    return m ? `${m[1]} ${MASK}` : MASK;
  }
  if (name === 'cookie') {
    const parts = value.split(';').map((p) => p.trim()).filter(Boolean);
    if (!parts.length) return MASK;
    return parts.map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('=')).trim()}=${MASK}` : MASK)).join('; ');
  }
  if (name === 'set-cookie') {
    const [first, ...attrs] = value.split(';');
    const eq = first.indexOf('=');
    const head = eq >= 0 ? `${first.slice(0, eq).trim()}=${MASK}` : MASK;
    return [head, ...attrs.map((a) => a.trim()).filter(Boolean)].join('; ');
  }
  return MASK;
}

/**
 * A copy of `headers` with secret values masked. Names are kept as given. `extra` names more headers
 * to mask (e.g. from config).
 */
export function redactHeaders(headers: Headers | undefined, extra?: readonly string[]): Headers {
  const out: Headers = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (!isSecretHeader(k, extra)) {
      out[k] = Array.isArray(v) ? [...v] : v;
      continue;
    }
    const lower = k.toLowerCase();
    out[k] = Array.isArray(v) ? v.map((x) => maskValue(lower, String(x))) : maskValue(lower, String(v));
  }
  return out;
}

/**
 * A deep copy of a parsed JSON value with every value matched by one of `paths` (JSONPath, e.g.
 * `$.password`, `$..token`, `$.users[*].ssn`) replaced by `"***"`. Invalid paths are ignored.
 */
export function redactJsonPaths<T>(body: T, paths: readonly string[]): T {
  if (!paths.length || body === null || typeof body !== 'object') return body;
  const copy = structuredClone(body) as T;
  for (const path of paths) {
    let hits: Array<{ parent: unknown; parentProperty: string | number }>;
    try {
      hits = JSONPath({ path, json: copy as object, resultType: 'all', wrap: true }) as typeof hits;
    } catch {
      continue;
    }
    for (const h of hits ?? []) {
      if (h.parent !== null && typeof h.parent === 'object' && h.parentProperty !== undefined) {
        (h.parent as Record<string | number, unknown>)[h.parentProperty] = MASK;
      }
    }
  }
  return copy;
}

/** Redact a JSON body held as text; text that is not JSON is returned unchanged. */
export function redactJsonText(text: string | undefined, paths: readonly string[]): string | undefined {
  if (text === undefined || !paths.length) return text;
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return text;
  try {
    return JSON.stringify(redactJsonPaths(JSON.parse(text) as unknown, paths));
  } catch {
    return text;
  }
}

/** Whether a query parameter's name looks secret (`token`, `api_key`, `password`, `key`, `auth`, …). */
export function isSecretQueryParam(name: string, extra?: readonly string[]): boolean {
  const n = name.toLowerCase();
  return SECRET_PARTS.test(n) || n === 'key' || n === 'auth' || (extra ?? []).some((x) => x.toLowerCase() === n);
}

/**
 * Mask the values a matcher failure carries when the field it names is secret (a header such as
 * authorization, a query parameter such as api_key): unmatched calls are shown and saved.
 */
export function redactMatcherFailure<F extends { matcher: string; field?: string; expected?: unknown; actual?: unknown; message: string }>(f: F): F {
  const secret =
    f.field !== undefined &&
    ((f.matcher === 'header' && isSecretHeader(f.field)) || (f.matcher === 'query' && isSecretQueryParam(f.field)));
  if (!secret) return f;
  return {
    ...f,
    ...(f.expected !== undefined ? { expected: MASK } : {}),
    ...(f.actual !== undefined ? { actual: MASK } : {}),
    message: `${f.matcher} '${f.field}' does not match (values masked)`,
  };
}

/** Mask query parameters whose name looks secret (`?token=…`, `api_key=…`, `password=…`). */
export function redactUrl(url: string, extra?: readonly string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = hash >= 0 ? url.slice(q + 1, hash) : url.slice(q + 1);
  const tail = hash >= 0 ? url.slice(hash) : '';
  const parts = query.split('&').map((p) => {
    const eq = p.indexOf('=');
    if (eq < 0) return p;
    let name = p.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep raw
    }
    return isSecretQueryParam(name, extra) ? `${p.slice(0, eq)}=${MASK}` : p;
  });
  return `${url.slice(0, q)}?${parts.join('&')}${tail}`;
}
