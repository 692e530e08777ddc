/** What every importer gets and yields. */
import type { Direction, Pair, SourceIssue } from '../model.js';

/** A pair with where it came from, so issues, listings and lookups can point back at the source. */
export interface LocatedPair {
  pair: Pair;
  file: string;
  /** 1-based line, when the format has useful lines. */
  line?: number;
  /** 0-based entry index (HAR entries, YAML documents, gor payloads). */
  entry?: number;
}

export interface ImportContext {
  /** Absolute path of the file being read. */
  file: string;
  /** The file's path relative to the source it was found under; used for default sessions and ids. */
  rel: string;
  signal?: AbortSignal;
  issue: (i: Omit<SourceIssue, 'file'> & { file?: string }) => void;
  /** Direction for formats that do not record one (HAR, GoReplay). Default 'in'. */
  defaultDirection: Direction;
}

export type Importer = (ctx: ImportContext) => AsyncGenerator<LocatedPair>;

/** Options of the per-format `import*` functions. */
export interface ImportOptions {
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
  /** Direction for formats that do not record one (HAR, GoReplay). Default 'in'. */
  defaultDirection?: Direction;
  /** Used for default sessions and ids; defaults to the file's base name. */
  rel?: string;
}

/** Build a context for a single file (used by the public per-format functions). */
export function contextFor(file: string, opts: ImportOptions = {}): ImportContext {
  const onIssue = opts.onIssue ?? (() => {});
  return {
    file,
    rel: opts.rel ?? file.split(/[\\/]/).pop() ?? file,
    signal: opts.signal,
    defaultDirection: opts.defaultDirection ?? 'in',
    issue: (i) => onIssue({ ...i, file: i.file ?? file }),
  };
}

/** Drop extensions (`.har`, `.har.gz`, `.jsonl`, …) from a relative path to name a session. */
export function stripExt(rel: string): string {
  return rel.replace(/\.gz$/i, '').replace(/\.[a-z0-9]+$/i, '');
}

/** Format zod issues compactly: `request.method: Too small…; ts: Required`. */
export function zodMessage(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
