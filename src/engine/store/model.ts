/**
 * The traffic model: one request/response pair, inbound (replayed against the target) or outbound
 * (served by mocks). Every reader and importer produces these; the native store writes them as JSON Lines.
 */
import { z } from 'zod';

/** Header map. Names are lower-case; repeated headers (set-cookie) keep every value in an array. */
export const HeadersSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type Headers = z.infer<typeof HeadersSchema>;

/** A body is UTF-8 text, or base64 when `bodyEncoding` is "base64". Absent means no body. */
export const BodyEncodingSchema = z.enum(['utf8', 'base64']);
export type BodyEncoding = z.infer<typeof BodyEncodingSchema>;

export const RecordedRequestSchema = z.object({
  method: z.string().min(1),
  /** Origin-form (`/orders/1?x=2`) for inbound pairs; absolute (`http://payment-api/charge`) allowed for outbound. */
  url: z.string().min(1),
  headers: HeadersSchema.default({}),
  body: z.string().optional(),
  bodyEncoding: BodyEncodingSchema.optional(),
});
export type RecordedRequest = z.infer<typeof RecordedRequestSchema>;

export const RecordedResponseSchema = z.object({
  status: z.number().int().min(0).max(999),
  headers: HeadersSchema.default({}),
  body: z.string().optional(),
  bodyEncoding: BodyEncodingSchema.optional(),
});
export type RecordedResponse = z.infer<typeof RecordedResponseSchema>;

export const DirectionSchema = z.enum(['in', 'out']);
export type Direction = z.infer<typeof DirectionSchema>;

export const PairSchema = z.object({
  id: z.string().min(1),
  /** Session id: requests of one session replay in `seq` order, one at a time. */
  session: z.string().default('default'),
  seq: z.number().int().nonnegative().default(0),
  /** ISO-8601 timestamp of when the request was sent. */
  ts: z.string(),
  direction: DirectionSchema,
  /** For outbound pairs: the dependency that was called (e.g. "payment-api"). */
  service: z.string().optional(),
  request: RecordedRequestSchema,
  /** Absent when no response was captured (request-only captures, status 0 in HAR). */
  response: RecordedResponseSchema.optional(),
  /** Milliseconds between request sent and response complete. */
  duration: z.number().nonnegative().optional(),
  /** Free-form tags an importer keeps (e.g. keploy noise as ignore paths). */
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type Pair = z.infer<typeof PairSchema>;
/** The input shape (defaults optional) — what writers may be given. */
export type PairInput = z.input<typeof PairSchema>;

/** A problem found while reading a traffic source; reading continues past it. */
export interface SourceIssue {
  file: string;
  /** 1-based line (JSONL, YAML, markdown) when known. */
  line?: number;
  /** 0-based entry index (HAR entries, mappings) when there are no useful lines. */
  entry?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/** Decode a body to bytes. */
export function bodyBytes(body: string | undefined, enc: BodyEncoding | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return enc === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** Decode a body to text (base64 bodies are decoded as UTF-8). */
export function bodyText(body: string | undefined, enc: BodyEncoding | undefined): string {
  if (body === undefined) return '';
  return enc === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/** First value of a header (names compared case-insensitively). */
export function headerValue(headers: Headers | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Path and query of a recorded URL, whether it is origin-form or absolute. */
export function splitUrl(url: string): { path: string; query: string; host?: string } {
  let rest = url;
  let host: string | undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i.exec(url);
  if (m) {
    host = m[1];
    rest = m[2] || '/';
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : '';
  return { path: path || '/', query, host };
}
