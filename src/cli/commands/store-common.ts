/** Plumbing shared by `reprise import`, `export` and `traffic`: sources, issue lines, option checks. */
import { relative, resolve, isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import type { Direction, SourceIssue } from '../../engine/store/model.js';
import type { TrafficFormat } from '../../engine/store/detect.js';
import { UsageError, findConfig, loadConfigOrExit, type Io } from '../util.js';

/** A path for people: relative to the working folder when inside it. */
export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `file:line: severity: message` (or `file: entry N: …` for formats without useful lines). */
export function formatSourceIssue(i: SourceIssue, cwd: string): string {
  const where = displayPath(cwd, i.file) + (i.line !== undefined ? `:${i.line}` : '');
  const entry = i.line === undefined && i.entry !== undefined && !/^entry \d+/.test(i.message) ? `entry ${i.entry}: ` : '';
  return `${where}: ${i.severity}: ${entry}${i.message}`;
}

export function parseDirection(v: string | undefined): Direction | undefined {
  if (v === undefined) return undefined;
  if (v !== 'in' && v !== 'out') throw new UsageError(`--direction must be 'in' or 'out', got '${v}'`);
  return v;
}

export const READ_FORMATS = ['auto', 'jsonl', 'har', 'proxymock-jsonl', 'rrpair-md', 'gor', 'keploy', 'wiremock'] as const;

export function parseReadFormat(v: string | undefined): Exclude<TrafficFormat, 'unknown'> | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if (!(READ_FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${READ_FORMATS.join(', ')}; got '${v}'`);
  return v as Exclude<TrafficFormat, 'unknown'>;
}

export function parseCount(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got '${v}'`);
  return n;
}

/**
 * The traffic sources to read: the positional paths (relative to the working folder), or, without any,
 * the config's `traffic:` plus every mock's `traffic:`.
 */
export async function sourcesOrConfig(io: Io, positionals: string[], configFlag: string | undefined): Promise<string[]> {
  if (positionals.length) return positionals.map((p) => resolve(io.cwd, p));
  const file = findConfig(io.cwd, configFlag);
  if (!configFlag && !existsSync(file)) {
    throw new UsageError('no traffic sources given and no reprise.yaml here; name sources or pass --config FILE');
  }
  const config = await loadConfigOrExit(io, file);
  const all = [...config.traffic, ...config.mocks.flatMap((m) => m.traffic)];
  return [...new Set(all)];
}

/** Issue lines to stderr; returns counts by severity. */
export function printIssues(io: Io, issues: SourceIssue[], opts: { skipInfo?: boolean } = {}): Record<SourceIssue['severity'], number> {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const i of issues) {
    counts[i.severity]++;
    if (opts.skipInfo && i.severity === 'info') continue;
    io.err.write(formatSourceIssue(i, io.cwd) + '\n');
  }
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
