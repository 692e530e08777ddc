/** One-line descriptions of a request's failure, shared by JUnit, the summary and RunSummary.failures. */
import type { RequestResult } from '../replay/types.js';
import type { FieldDiff } from '../validate/types.js';
import type { FailureBrief } from './types.js';
import { redactUrl } from '../redact.js';

/** JSON-ish rendering of a diff value, cut to `max` characters. */
export function showValue(v: unknown, max = 80): string {
  if (v === undefined) return '(absent)';
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Failing (not ignored) diffs of a result. */
export function failingDiffs(r: RequestResult): FieldDiff[] {
  return (r.validation?.diffs ?? []).filter((d) => !d.ignored);
}

export function describeDiff(d: FieldDiff, max = 80): string {
  switch (d.kind) {
    case 'missing':
      return `${d.path}: missing (expected ${showValue(d.expected, max)})`;
    case 'added':
      return `${d.path}: unexpected ${showValue(d.actual, max)}`;
    case 'type':
      return `${d.path}: type changed, expected ${showValue(d.expected, max)}, got ${showValue(d.actual, max)}`;
    default:
      return `${d.path}: expected ${showValue(d.expected, max)}, got ${showValue(d.actual, max)}`;
  }
}

/** First failing diff path, `status` for a status-only mismatch, or the error code. */
export function firstDiffPath(r: RequestResult): string | undefined {
  if (r.outcome === 'error') return r.error?.code ?? 'error';
  const d = failingDiffs(r)[0];
  if (d) return d.path;
  if (r.expectedStatus !== undefined && r.actualStatus !== r.expectedStatus) return 'status';
  return undefined;
}

/** One line: why this request failed. */
export function failureMessage(r: RequestResult): string {
  if (r.outcome === 'error') return r.error ? `${r.error.code}: ${r.error.message}` : 'no response';
  const parts: string[] = [];
  if (r.expectedStatus !== undefined && r.actualStatus !== r.expectedStatus) {
    parts.push(`status ${r.actualStatus ?? '-'}, expected ${r.expectedStatus}`);
  }
  const diffs = failingDiffs(r).filter((d) => d.kind !== 'status');
  if (diffs.length) {
    parts.push(describeDiff(diffs[0]));
    if (diffs.length > 1) parts.push(`+${diffs.length - 1} more difference${diffs.length > 2 ? 's' : ''}`);
  }
  return parts.length ? parts.join('; ') : 'response did not match';
}

export function failureBrief(r: RequestResult): FailureBrief {
  return {
    pairId: r.pairId,
    endpoint: r.endpoint,
    method: r.method,
    url: redactUrl(r.url),
    outcome: r.outcome === 'error' ? 'error' : 'fail',
    expectedStatus: r.expectedStatus,
    actualStatus: r.actualStatus,
    firstDiff: firstDiffPath(r),
    message: failureMessage(r),
  };
}
