/** Result of comparing a live response with the recorded one. Plain JSON data. */
export type DiffKind = 'changed' | 'missing' | 'added' | 'type' | 'status' | 'header' | 'text';

export interface FieldDiff {
  /** JSONPath of the field (`$.items[0].price`), `status`, `header.<name>`, or `$` for whole-text bodies. */
  path: string;
  kind: DiffKind;
  expected?: unknown;
  actual?: unknown;
  /** Set when the difference was tolerated or ignored and so does not fail the request. */
  ignored?: 'ignore' | 'tolerance' | 'shape' | 'noise';
}

export interface Validation {
  pass: boolean;
  statusMatch: boolean;
  headersMatch: boolean;
  bodyMatch: boolean;
  /** Fraction of compared leaf fields that matched (1 when there is nothing to compare). */
  fieldMatchRate: number;
  fieldsCompared: number;
  /** Failing differences first; ignored ones are kept (with `ignored` set) so the UI can grey them out. */
  diffs: FieldDiff[];
  /** A remark about how the response was judged (e.g. no recorded response to compare with). */
  note?: string;
  /** How many differences were left out of `diffs` because of `ValidateOptions.maxDiffs`. */
  diffsOmitted?: number;
}

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
