/**
 * Stub definitions: the serialisable, JSON-friendly shape of a stub (request matcher + response), as written
 * in `.reprise/stubs/<service>/*.json`, produced from captured traffic, imported from WireMock and drafted
 * from unmatched calls. The runtime form (compiled matchers, precomputed buffers) lives in matchers.ts and
 * server.ts.
 *
 * Stub file format: a JSON file holding one StubDefinition or an array of them. Minimal example:
 *   { "request": { "method": "GET", "path": "/orders/1" }, "response": { "status": 200, "json": { "id": 1 } } }
 */
import { z } from 'zod';
import { HeadersSchema, BodyEncodingSchema } from '../store/model.js';

/** How one string value (query parameter, header, form field) is matched. Exactly one operator. */
export const StringMatcherSchema = z.union([
  z.strictObject({
    /** Equal to this value; an array means the parameter repeats with exactly these values, in order. */
    equalTo: z.union([z.string(), z.array(z.string())]),
    caseInsensitive: z.boolean().optional(),
  }),
  z.strictObject({ matches: z.string().describe('JavaScript regular expression the whole value must match') }),
  z.strictObject({ contains: z.string() }),
  z.strictObject({ present: z.literal(true) }),
  z.strictObject({ absent: z.literal(true) }),
  z.strictObject({ ignore: z.literal(true) }),
]);
export type StringMatcher = z.infer<typeof StringMatcherSchema>;

export const JsonPathConditionSchema = z.strictObject({
  /** JSONPath (jsonpath-plus syntax, e.g. `$.items[?(@.qty > 0)]`). Alone: it must select something. */
  path: z.string().min(1),
  equalTo: z.unknown().optional(),
  matches: z.string().optional(),
  absent: z.literal(true).optional(),
});
export type JsonPathCondition = z.infer<typeof JsonPathConditionSchema>;

export const BodyMatcherSchema = z.union([
  z.strictObject({
    /** The expected JSON value (not a string holding JSON). */
    equalToJson: z.unknown(),
    /** JSONPaths removed from both sides before comparing (fields that change every run). */
    ignorePaths: z.array(z.string()).optional(),
    ignoreArrayOrder: z.boolean().optional(),
    /** Extra object fields in the request are allowed (default false). */
    ignoreExtraFields: z.boolean().optional(),
  }),
  z.strictObject({ jsonPath: z.array(JsonPathConditionSchema).min(1) }),
  z.strictObject({ equalTo: z.string(), caseInsensitive: z.boolean().optional() }),
  z.strictObject({ matches: z.string() }),
  z.strictObject({ contains: z.string() }),
  z.strictObject({ binaryEqualTo: z.string().describe('base64 of the exact body bytes') }),
  z.strictObject({ form: z.record(z.string(), StringMatcherSchema), strict: z.boolean().optional() }),
]);
export type BodyMatcher = z.infer<typeof BodyMatcherSchema>;

export const RequestMatcherSchema = z
  .strictObject({
    /** HTTP method; absent or "ANY" matches every method. */
    method: z.string().optional(),
    /** Exact path (no query), compared after percent-decoding. */
    path: z.string().optional(),
    /** Templated path: `/orders/{id}` (a `{name}` matches one segment). */
    pathTemplate: z.string().optional(),
    /** Regular expression the whole path must match. */
    pathRegex: z.string().optional(),
    query: z.record(z.string(), StringMatcherSchema).optional(),
    /** Query parameters not listed in `query` make the match fail. */
    strictQuery: z.boolean().optional(),
    /** Header subset (names case-insensitive); headers not listed are not looked at. */
    headers: z.record(z.string(), StringMatcherSchema).optional(),
    /** One body matcher, or several that must all match. */
    body: z.union([BodyMatcherSchema, z.array(BodyMatcherSchema)]).optional(),
  })
  .refine((r) => [r.path, r.pathTemplate, r.pathRegex].filter((x) => x !== undefined).length <= 1, {
    message: 'use at most one of path, pathTemplate, pathRegex',
  });
export type RequestMatcherDef = z.infer<typeof RequestMatcherSchema>;

export const StubResponseSchema = z.strictObject({
  status: z.number().int().min(100).max(999),
  headers: HeadersSchema.optional(),
  body: z.string().optional(),
  bodyEncoding: BodyEncodingSchema.optional(),
  /** Convenience for hand-written stubs: a JSON value served as the body (content-type defaults to JSON). */
  json: z.unknown().optional(),
});
export type StubResponse = z.infer<typeof StubResponseSchema>;

export const StubDefinitionSchema = z.strictObject({
  /** Stable id; generated when absent in a stub file. */
  id: z.string().optional(),
  /** Service this stub belongs to (informative; the folder decides). */
  service: z.string().optional(),
  /** Lower is tried first (default 5); ties keep definition order. */
  priority: z.number().optional(),
  request: RequestMatcherSchema,
  response: StubResponseSchema,
  /** Place in a sequence of responses to identical requests: the index-th answer for sequence `key`. */
  sequence: z.strictObject({ key: z.string().min(1), index: z.number().int().nonnegative() }).optional(),
  /** A WireMock-style scenario state machine (starts in "Started"). */
  scenario: z
    .strictObject({ name: z.string().min(1), requiredState: z.string().optional(), newState: z.string().optional() })
    .optional(),
  /** Recorded latency, ms; replayed according to mock_timing. */
  delayMs: z.number().nonnegative().optional(),
  /** Where the stub came from (file and 1-based line, or a traffic pair id). */
  source: z.strictObject({ file: z.string().optional(), line: z.number().int().optional(), pair: z.string().optional() }).optional(),
});
export type StubDefinition = z.infer<typeof StubDefinitionSchema>;

/** The JSON Schema of a stub file (one stub or an array of stubs), for editors and docs. */
export function stubJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(z.union([StubDefinitionSchema, z.array(StubDefinitionSchema)]), {
    unrepresentable: 'any',
    io: 'input',
  }) as Record<string, unknown>;
  return { ...schema, title: 'Reprise stub file', $id: 'https://reprise.dev/schemas/stub.json' };
}

/** One-line human summary of a stub's request matcher, e.g. `POST /charge body≈{…}`. */
export function summarizeRequest(r: RequestMatcherDef): string {
  const parts: string[] = [r.method && r.method.toUpperCase() !== 'ANY' ? r.method.toUpperCase() : 'ANY'];
  parts.push(r.path ?? r.pathTemplate ?? (r.pathRegex !== undefined ? `~/${r.pathRegex}/` : '*'));
  const q = r.query ? Object.keys(r.query) : [];
  if (q.length) parts[1] += '?' + q.map((k) => k).join('&');
  if (r.headers && Object.keys(r.headers).length) parts.push(`headers[${Object.keys(r.headers).join(',')}]`);
  const bodies = r.body === undefined ? [] : Array.isArray(r.body) ? r.body : [r.body];
  for (const b of bodies) {
    if ('equalToJson' in b) parts.push(`body≈${truncate(JSON.stringify(b.equalToJson) ?? '', 40)}`);
    else if ('jsonPath' in b) parts.push(`body[${b.jsonPath.map((c) => c.path).join(',')}]`);
    else if ('equalTo' in b) parts.push(`body=${truncate(JSON.stringify(b.equalTo), 40)}`);
    else if ('matches' in b) parts.push(`body~/${truncate(b.matches, 40)}/`);
    else if ('contains' in b) parts.push(`body∋${truncate(JSON.stringify(b.contains), 40)}`);
    else if ('binaryEqualTo' in b) parts.push(`body=<${Math.floor((b.binaryEqualTo.length * 3) / 4)} bytes>`);
    else if ('form' in b) parts.push(`form[${Object.keys(b.form).join(',')}]`);
  }
  return parts.join(' ');
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
