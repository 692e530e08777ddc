import type { Headers, BodyEncoding } from '../store/model.js';

/** An unmatched mock call, as recorded in unmatched.jsonl. Plain data. */
export interface UnmatchedCall {
  id: string;
  service: string;
  /** ISO time of the call. */
  at: string;
  request: { method: string; url: string; headers: Headers; body?: string; bodyEncoding?: BodyEncoding };
  /** The closest stubs (at most three), best first. */
  nearest: NearStub[];
  /** What the mock answered. */
  answeredWith: { status: number; passthrough?: string };
}

export interface NearStub {
  stubId: string;
  /** 0 = would match; larger is further away. */
  distance: number;
  /** Human summary of the stub's request matcher, e.g. `POST /charge body≈{…}`. */
  summary: string;
  /** Each matcher that failed and why. */
  failures: MatcherFailure[];
}

export interface MatcherFailure {
  /** `scenario`: every request matcher passed but the stub waits for another sequence/scenario state. */
  matcher: 'method' | 'path' | 'query' | 'header' | 'body' | 'scenario';
  /** Where inside the matcher: query param name, header name, JSONPath of a body field. */
  field?: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

/** Per-service counters a mock keeps; mock_match_rate and unmatched_requests come from these. */
export interface MockStats {
  service: string;
  port: number;
  calls: number;
  matched: number;
  unmatched: number;
}
