/**
 * Shape detectors: values that differ on every run (ids, timestamps, hashes, tokens). Used by
 * `shapeOnly` (compare such values by shape) and `autoNoise` (treat their differences as noise).
 * All regexes are module constants; each check is a length/char guard plus one regex.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TS = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-4]):[0-5]\d(:[0-6]\d([.,]\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HEX = /^[0-9a-f]+$/i;
const HEX_LETTER = /[a-f]/i;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const NUMERIC_STRING = /^\d{9,13}$/;
const TIME_KEY = /(time|date|_at|At|ts|stamp|expires?|exp|iat|nbf|since|until|updated|created|modified)$/;
const HASH_LENGTHS = new Set([32, 40, 56, 64, 96, 128]);

/** Epoch range treated as "a timestamp": 2000-01-01 .. 2100-01-01. */
const MS_MIN = 946_684_800_000;
const MS_MAX = 4_102_444_800_000;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && v.length === 36 && UUID.test(v);
}

/** ISO-8601 date-time (`2024-05-01T10:00:00Z`, with fraction/offset, or a space separator). Dates alone are not. */
export function isIsoTimestamp(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 16 && v.length <= 40 && ISO_TS.test(v);
}

/** RFC 7231 HTTP-date (`Tue, 15 Nov 1994 08:12:31 GMT`), as in `Date`/`Last-Modified`. */
export function isHttpDate(v: unknown): v is string {
  return typeof v === 'string' && v.length === 29 && HTTP_DATE.test(v);
}

/** Epoch milliseconds between 2000 and 2100 (a number, or a 13-digit string). */
export function isEpochMillis(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= MS_MIN && v <= MS_MAX;
  if (typeof v === 'string' && v.length === 13 && NUMERIC_STRING.test(v)) return isEpochMillis(Number(v));
  return false;
}

/** Epoch seconds between 2000 and 2100 — only trusted when the field name says it is a time. */
export function isEpochSeconds(v: unknown, key?: string | number): boolean {
  if (typeof key !== 'string' || !TIME_KEY.test(key)) return false;
  if (typeof v === 'number') return Number.isInteger(v) && v >= MS_MIN / 1000 && v <= MS_MAX / 1000;
  if (typeof v === 'string' && v.length === 10 && NUMERIC_STRING.test(v)) return isEpochSeconds(Number(v), key);
  return false;
}

/** Any timestamp shape: ISO-8601 date-time, HTTP-date, epoch ms (or epoch s on a time-named field). */
export function isTimestamp(v: unknown, key?: string | number): boolean {
  return isIsoTimestamp(v) || isHttpDate(v) || isEpochMillis(v) || isEpochSeconds(v, key);
}

function stripEtag(s: string): string {
  let t = s;
  if (t.startsWith('W/')) t = t.slice(2);
  if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') t = t.slice(1, -1);
  const colon = t.indexOf(':');
  if (colon > 0 && colon <= 8) t = t.slice(colon + 1); // sha256:…
  return t;
}

/** Hex digest (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512), optionally quoted (ETag) or `algo:`-prefixed. */
export function isHash(v: unknown): v is string {
  if (typeof v !== 'string' || v.length < 32 || v.length > 140) return false;
  const t = stripEtag(v);
  return HASH_LENGTHS.has(t.length) && HEX.test(t) && HEX_LETTER.test(t);
}

/** MongoDB ObjectId: 24 hex characters (with at least one letter, so plain numbers are not taken). */
export function isObjectId(v: unknown): v is string {
  return typeof v === 'string' && v.length === 24 && HEX.test(v) && HEX_LETTER.test(v);
}

export function isUlid(v: unknown): v is string {
  return typeof v === 'string' && v.length === 26 && ULID.test(v);
}

/** Compact JWS/JWT: three base64url parts, the header starting `eyJ` (`{"`). */
export function isJwt(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 20 && v.charCodeAt(0) === 101 /* e */ && JWT.test(v);
}

/**
 * The volatile shape of a value, or undefined when it is ordinary data. Two values with the same shape
 * are "equal by shape". `key` (the field name) helps recognise epoch-second timestamps.
 */
export function shapeOf(v: unknown, key?: string | number): string | undefined {
  if (typeof v === 'number') {
    if (isEpochMillis(v)) return 'epoch-ms';
    if (isEpochSeconds(v, key)) return 'epoch-s';
    return undefined;
  }
  if (typeof v !== 'string' || v.length < 10) return undefined;
  if (isUuid(v)) return 'uuid';
  if (isJwt(v)) return 'jwt';
  if (isIsoTimestamp(v)) return 'timestamp';
  if (isHttpDate(v)) return 'http-date';
  if (isUlid(v)) return 'ulid';
  if (isObjectId(v)) return 'objectid';
  if (isHash(v)) return `hash:${stripEtag(v).length}`;
  if (isEpochMillis(v)) return 'epoch-ms';
  if (isEpochSeconds(v, key)) return 'epoch-s';
  return undefined;
}

/** Response headers that differ on every response by nature. */
const NOISY_HEADERS = new Set([
  'date', 'etag', 'last-modified', 'expires', 'age', 'set-cookie',
  'x-request-id', 'request-id', 'x-correlation-id', 'correlation-id', 'x-trace-id', 'traceparent', 'tracestate',
  'x-amzn-requestid', 'x-amz-request-id', 'x-amz-id-2', 'x-amzn-trace-id', 'x-amz-cf-id', 'cf-ray',
  'x-runtime', 'x-response-time', 'server-timing', 'x-served-by', 'x-timer', 'x-cache', 'x-cache-hits',
  'x-github-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-used', 'ratelimit-remaining',
  'ratelimit-reset', 'retry-after', 'x-envoy-upstream-service-time', 'x-b3-traceid', 'x-b3-spanid',
]);
const NOISY_HEADER_RE = /(^|-)(request|trace|correlation|span|transaction)-?id$/;

/** Is this (lower-case) response header name volatile by nature (`date`, `etag`, `x-request-id`, …)? */
export function isNoisyHeader(name: string): boolean {
  const n = name.toLowerCase();
  return NOISY_HEADERS.has(n) || NOISY_HEADER_RE.test(n);
}
