import type { Validation } from '../validate/types.js';

/** What happened to one replayed inbound request. One line of results.jsonl. */
export interface RequestResult {
  /** Pair id in the traffic store. */
  pairId: string;
  session: string;
  seq: number;
  method: string;
  /** The URL actually sent (after runtime values were injected), origin-form. */
  url: string;
  /** Endpoint key: method + templated path, e.g. `GET /orders/{id}`. */
  endpoint: string;
  /** ISO time the request was sent. */
  startedAt: string;
  /** Milliseconds from send to full response body; undefined when no response arrived. */
  latencyMs?: number;
  /** Recorded duration, for latency comparisons. */
  recordedLatencyMs?: number;
  expectedStatus?: number;
  actualStatus?: number;
  /** Set when no response arrived: 'ECONNREFUSED', 'timeout', 'ECONNRESET', 'aborted', … */
  error?: { code: string; message: string };
  /** Undefined when there was nothing to compare (no recorded response) or an error. */
  validation?: Validation;
  /** pass: validated and matched; fail: mismatched; error: no response; skipped: not sent. */
  outcome: 'pass' | 'fail' | 'error' | 'skipped';
  /** Why the outcome is what it is when that is not obvious (e.g. no recorded response to compare). */
  note?: string;
  /** The actual response, kept for diffs (body possibly truncated to a size cap). */
  actual?: { status: number; headers: Record<string, string | string[]>; body?: string; bodyEncoding?: 'utf8' | 'base64'; truncated?: boolean };
}
