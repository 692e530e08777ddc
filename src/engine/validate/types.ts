/** Result of comparing a live response with the recorded one: defined by the result contract (src/shared/results.ts). */
export type { DiffKind, FieldDiff, Validation } from '../../shared/results.js';

export interface ValidateOptions {
  /** JSONPaths (`$.createdAt`, `$..id`, `$.items[*].sku`) and `header.<name>` entries to ignore. */
  ignore: string[];
  /** JSONPath → absolute numeric tolerance. */
  tolerances: Record<string, number>;
  /** Response headers (lower-case) that must match. */
  headers: string[];
  /** Compare only the shape (type/format) of values that look like UUIDs, timestamps, … */
  shapeOnly: boolean;
  /** Recognise common noise (UUIDs, timestamps, hashes, JWTs, Date headers) without a learning run. */
  autoNoise?: boolean;
  /** Cap on `diffs` entries kept (failing ones first); counts are unaffected. Default 500. */
  maxDiffs?: number;
}
