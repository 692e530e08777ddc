/**
 * Config diagnostics shared by `reprise validate-config` and the editor: everything parseConfigText reports
 * (YAML syntax, schema, gates, ports) plus checks that need more than the text — traffic paths that do not
 * exist (with a did-you-mean from the folder's real entries) and JSONPath patterns in ignore lists and
 * tolerances that do not parse. Messages and codes are the same wherever they are shown.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { loadConfig, parseConfigText, type ConfigResult } from './load.js';
import { keyPath } from './issues.js';
import { pairAt, spanOf, valueSpan } from './positions.js';
import { didYouMean } from './suggest.js';
import type { ConfigIssue } from './types.js';
import { checkPatterns } from '../validate/jsonpath.js';

/** The little file-system access the checks need; tests and editors may pass their own. */
export interface DiagnosticsFs {
  /** 'file', 'dir', or undefined when the path does not exist. */
  kind(absPath: string): Promise<'file' | 'dir' | undefined>;
  /** Entry names of a folder ([] when it cannot be read). */
  list(absDir: string): Promise<string[]>;
}

export interface DiagnosticsOptions {
  /** File-system access for the traffic-path checks; `false` skips them. Default: node:fs. */
  fs?: DiagnosticsFs | false;
}

export const nodeDiagnosticsFs: DiagnosticsFs = {
  async kind(p) {
    try {
      const st = await fsp.stat(p);
      return st.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  async list(dir) {
    try {
      return await fsp.readdir(dir);
    } catch {
      return [];
    }
  },
};

/**
 * Every problem of a config text: parseConfigText's plus the extra checks. `file` is the config file's
 * path (relative traffic paths resolve against its folder). The result has a config only when no error
 * remains.
 */
export async function configDiagnostics(text: string, file: string, opts: DiagnosticsOptions = {}): Promise<ConfigResult> {
  const base = parseConfigText(text, file);
  const extra = await extraChecks(text, file, opts);
  return merge(base, extra);
}

/**
 * loadConfig (a file, or a folder holding reprise.yaml) plus the extra checks: what `reprise
 * validate-config` prints. A missing or unreadable file is the one `missing-file` issue loadConfig gives.
 */
export async function checkConfigFile(file: string, opts: DiagnosticsOptions = {}): Promise<ConfigResult> {
  const base = await loadConfig(file);
  const real = base.config?.file ?? base.issues.find((i) => i.file)?.file ?? path.resolve(file);
  if (base.issues.some((i) => i.code === 'missing-file' && i.line === 0)) return base;
  let text: string;
  try {
    text = await fsp.readFile(real, 'utf8');
  } catch {
    return base;
  }
  return merge(base, await extraChecks(text, real, opts));
}

function merge(base: ConfigResult, extra: ConfigIssue[]): ConfigResult {
  if (extra.length === 0) return base;
  // a problem on a line with a YAML syntax error is a knock-on effect of it
  const syntaxLines = new Set(base.issues.filter((i) => i.code === 'yaml-syntax' && i.severity === 'error').map((i) => i.line));
  const issues = [...base.issues, ...extra.filter((i) => !syntaxLines.has(i.line))];
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  const hasError = issues.some((i) => i.severity === 'error');
  return hasError || !base.config ? { issues } : { config: base.config, issues };
}

interface Source {
  file: string;
  doc: Document;
  lc: LineCounter;
}

async function extraChecks(text: string, file: string, opts: DiagnosticsOptions): Promise<ConfigIssue[]> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return [];
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  const src: Source = { file, doc, lc };
  const d = data as Record<string, unknown>;
  const out: ConfigIssue[] = [];
  out.push(...patternChecks(src, d));
  if (opts.fs !== false) out.push(...(await pathChecks(src, d, opts.fs ?? nodeDiagnosticsFs)));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Traffic paths

/** Each traffic path as written, with its key path: `traffic`, `traffic[1]`, `mocks[0].traffic`. */
function trafficEntries(d: Record<string, unknown>): { at: PropertyKey[]; value: string }[] {
  const out: { at: PropertyKey[]; value: string }[] = [];
  const add = (v: unknown, at: PropertyKey[]) => {
    if (typeof v === 'string' && v.trim()) out.push({ at, value: v });
    else if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'string' && x.trim() && out.push({ at: [...at, i], value: x }));
  };
  add(d.traffic, ['traffic']);
  if (Array.isArray(d.mocks)) {
    d.mocks.forEach((m, i) => {
      if (m && typeof m === 'object' && !Array.isArray(m)) add((m as Record<string, unknown>).traffic, ['mocks', i, 'traffic']);
    });
  }
  return out;
}

async function pathChecks(src: Source, d: Record<string, unknown>, fs: DiagnosticsFs): Promise<ConfigIssue[]> {
  const root = src.file ? path.dirname(path.resolve(src.file)) : process.cwd();
  const out: ConfigIssue[] = [];
  for (const { at, value } of trafficEntries(d)) {
    const abs = path.resolve(root, value);
    if (await fs.kind(abs)) continue;
    const suggestion = await closestExisting(root, value, fs);
    let message = `traffic source not found: ${value} (${abs})`;
    message += suggestion !== undefined ? `: did you mean \`${suggestion}\`?` : ' — record traffic there, or fix the path';
    out.push(issue(src, at, 'missing-file', message, suggestion !== undefined ? { suggestion } : {}));
  }
  return out;
}

/**
 * A path close to `written` that exists: the first missing segment replaced by its nearest sibling
 * (`./trafic/in.jsonl` → `./traffic/in.jsonl`), kept only when the rest then exists too.
 */
async function closestExisting(root: string, written: string, fs: DiagnosticsFs): Promise<string | undefined> {
  const trailing = /[\\/]$/.test(written);
  const parts = written.split(/[\\/]+/).filter((p, i) => p !== '' || i === 0);
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  let dir = path.isAbsolute(written) ? path.parse(written).root : root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '' || part === '.' || part === '..') {
      dir = path.resolve(dir, part || '.');
      continue;
    }
    const next = path.join(dir, part);
    if (await fs.kind(next)) {
      dir = next;
      continue;
    }
    const names = (await fs.list(dir)).filter((n) => !n.startsWith('.'));
    const near = didYouMean(part, names);
    if (!near) return undefined;
    const fixed = [...parts.slice(0, i), near, ...parts.slice(i + 1)];
    if (!(await fs.kind(path.resolve(root, fixed.join('/'))))) return undefined;
    const sep = written.includes('\\') && !written.includes('/') ? '\\' : '/';
    return fixed.join(sep) + (trailing ? sep : '');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// JSONPath patterns

function patternChecks(src: Source, d: Record<string, unknown>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const checkList = (list: unknown, at: PropertyKey[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      if (typeof p !== 'string' || !p) return;
      for (const bad of checkPatterns([p])) out.push(issue(src, [...at, i], 'invalid-value', patternMessage(bad.message)));
    });
  };
  const v = d.validate;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const val = v as Record<string, unknown>;
    checkList(val.ignore, ['validate', 'ignore']);
    const tol = val.tolerances;
    if (tol && typeof tol === 'object' && !Array.isArray(tol)) {
      for (const k of Object.keys(tol)) {
        for (const bad of checkPatterns([k])) out.push(keyIssue(src, ['validate', 'tolerances'], k, 'invalid-value', patternMessage(bad.message)));
      }
    }
  }
  if (Array.isArray(d.mocks)) {
    d.mocks.forEach((m, i) => {
      if (m && typeof m === 'object' && !Array.isArray(m)) checkList((m as Record<string, unknown>).ignore, ['mocks', i, 'ignore']);
    });
  }
  return out;
}

function patternMessage(inner: string): string {
  return `${inner} — write a JSONPath such as $.createdAt, $.items[*].id or $..id, or header.<name>`;
}

// ---------------------------------------------------------------------------------------------------------

function issue(src: Source, at: PropertyKey[], code: string, message: string, extra: Partial<ConfigIssue> = {}): ConfigIssue {
  const span = valueSpan(src.doc, src.lc, at);
  const out: ConfigIssue = { file: src.file, line: span?.line ?? 0, column: span?.column ?? 0, key: keyPath(at), message, code, severity: 'error' };
  if (span) {
    out.endLine = span.endLine;
    out.endColumn = span.endColumn;
  }
  return { ...out, ...extra };
}

/** An issue on a key of a mapping (a record key such as a tolerance path). */
function keyIssue(src: Source, parent: PropertyKey[], key: string, code: string, message: string): ConfigIssue {
  const pair = pairAt(src.doc, parent, key);
  const kr = (pair?.key as { range?: number[] } | undefined)?.range;
  const span = kr ? spanOf(src.lc, [kr[0], kr[1]]) : valueSpan(src.doc, src.lc, [...parent, key]);
  const out: ConfigIssue = { file: src.file, line: span?.line ?? 0, column: span?.column ?? 0, key: keyPath([...parent, key]), message, code, severity: 'error' };
  if (span) {
    out.endLine = span.endLine;
    out.endColumn = span.endColumn;
  }
  return out;
}
