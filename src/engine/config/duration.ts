/** Durations in reprise.yaml: a number of milliseconds, or a string such as "500ms", "5s", "1.5m", "1h". */

export const DURATION_PATTERN = '^\\s*\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h)\\s*$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const FACTOR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const DURATION_HELP = 'a duration is a number of milliseconds or a string like "500ms", "5s", "1m", "1h"';

export function isDuration(v: unknown): boolean {
  return parseDurationOrNull(v) !== null;
}

/** Milliseconds, or null when `v` is not a duration. */
export function parseDurationOrNull(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string' || !DURATION_RE.test(v)) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v)!;
  return Math.round(Number(m[1]) * FACTOR[m[2]] * 1000) / 1000;
}

/** Milliseconds; throws an Error whose message says how to write a duration. */
export function parseDuration(v: unknown): number {
  const ms = parseDurationOrNull(v);
  if (ms === null) throw new Error(`${JSON.stringify(v)} is not a duration: ${DURATION_HELP}`);
  return ms;
}
