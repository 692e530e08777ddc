/**
 * Data shown by the webviews (report, response diff, unmatched calls). Plain JSON, built on the host (or by
 * `reprise report --html`) from the engine's run folder data; the webviews only render it.
 * No `vscode` import and no Node-only import: the webview bundles use these types too.
 */
import type { RunSummary, GateResult, FieldDiff, MatcherFailure } from './results.js';

export type { RunSummary, GateResult, FieldDiff, MatcherFailure };

/** One request result in brief: a row of the report's virtualised results list. */
export interface ResultRow {
  /** 0-based position in results.jsonl. */
  i: number;
  pairId: string;
  session: string;
  seq: number;
  method: string;
  /** Redacted URL as sent. */
  url: string;
  endpoint: string;
  outcome: 'pass' | 'fail' | 'error' | 'skipped';
  expectedStatus?: number;
  actualStatus?: number;
  latencyMs?: number;
  /** First failing diff path or error code. */
  firstDiff?: string;
  /** One-line reason (`$.total: expected 10, got 12`). */
  message?: string;
  /** Failing field differences (at most a few, values shortened), for the static report. */
  diffs?: FieldDiff[];
}

/** What the report screen starts from. */
export interface ReportInit {
  summary: RunSummary;
  /** The baseline run's summary when the run names one and it is readable. */
  baseline: RunSummary | null;
  /** 'vscode': actions available; 'static': a standalone HTML file (no actions). */
  mode: 'vscode' | 'static';
  /** Number of unmatched mock calls recorded. */
  unmatchedCount: number;
}

/** A chunk of result rows, streamed in file order. */
export interface ReportRows {
  rows: ResultRow[];
  /** All rows have been sent. */
  done: boolean;
  /** Problems reading results.jsonl (bad lines), if any. */
  issues?: string[];
}

/** One side of a response diff, as shown (headers redacted). */
export interface DiffSide {
  status?: number;
  headers: Record<string, string | string[]>;
  /** How the body was rendered: pretty-printed JSON, text, a binary placeholder, or absent. */
  bodyKind: 'json' | 'text' | 'binary' | 'none';
  /** Body size in bytes (before truncation). */
  bodyBytes: number;
  /** Lines of the normalised document (status + headers + body) in full. */
  totalLines: number;
}

/** The response diff screen's data: computed by the engine when the diff is opened. */
export interface DiffView {
  runId: string;
  pairId: string;
  method: string;
  url: string;
  endpoint: string;
  outcome: ResultRow['outcome'];
  note?: string;
  expected: DiffSide | null;
  actual: DiffSide | null;
  /** Unified diff (jsdiff) of the normalised documents, fed to diff2html. */
  unified: string;
  /** 1-based line numbers, in the expected (old) and actual (new) documents, that are ignored by config. */
  ignoredLines: { old: number[]; new: number[] };
  /** Field-level differences (values shortened); ignored ones have `ignored` set. */
  fieldDiffs: FieldDiff[];
  diffsOmitted?: number;
  /** Set when the documents were cut to `lineLimit` lines for the view. */
  truncated: boolean;
  lineLimit: number;
  /** The diff was too large to compute within the budget: only the field list is meaningful. */
  tooLarge?: boolean;
  /** A problem finding the recorded response (e.g. the pair is no longer in the traffic). */
  problem?: string;
  /** Actions available (false in a static report). */
  actions: boolean;
}

/** An unmatched mock call as shown (headers redacted, body shortened). */
export interface UnmatchedCallView {
  id: string;
  service: string;
  at: string;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  /** Body as text (base64 for binary), cut to a preview size. */
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
  bodyTruncated?: boolean;
  answeredWith: { status: number; passthrough?: string };
  nearest: { stubId: string; distance: number; summary: string; failures: MatcherFailure[] }[];
}

export interface UnmatchedInit {
  runId: string;
  calls: UnmatchedCallView[];
  /** Total unmatched calls in the run (calls may be capped). */
  total: number;
  actions: boolean;
}
