/**
 * Loading reprise.yaml: YAML with source positions → zod validation → cross-field checks → resolved
 * RepriseConfig. Every problem is reported at once, each with file, line:column, key and a stable code.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { RawConfigSchema, resolveConfig, type RawConfig } from './schema.js';
import type { ConfigIssue, RepriseConfig } from './types.js';
import { keyPath, yamlIssues, zodIssues, type IssueSource } from './issues.js';
import { valueSpan } from './positions.js';

export interface ConfigResult {
  /** Present only when there are no errors (warnings may remain). */
  config?: RepriseConfig;
  issues: ConfigIssue[];
}

export const CONFIG_FILE_NAMES = ['reprise.yaml', 'reprise.yml'];

/**
 * Reads and validates a config file. `file` may also be a folder holding reprise.yaml (or .yml).
 * A missing file is reported as a `missing-file` issue naming it, never thrown.
 */
export async function loadConfig(file: string): Promise<ConfigResult> {
  let abs = path.resolve(file);
  try {
    const st = await fs.stat(abs);
    if (st.isDirectory()) {
      let found: string | undefined;
      for (const name of CONFIG_FILE_NAMES) {
        const candidate = path.join(abs, name);
        if (await fs.stat(candidate).then((s) => s.isFile(), () => false)) { found = candidate; break; }
      }
      if (!found) return { issues: [fileIssue(abs, `no ${CONFIG_FILE_NAMES.join(' or ')} in folder ${abs}`)] };
      abs = found;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { issues: [fileIssue(abs, `config file not found: ${abs} (create it, or pass another with --config)`)] };
    }
    return { issues: [fileIssue(abs, `cannot read config file ${abs}: ${(err as Error).message}`)] };
  }
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    return { issues: [fileIssue(abs, `cannot read config file ${abs}: ${(err as Error).message}`)] };
  }
  return parseConfigText(text, abs);
}

function fileIssue(file: string, message: string): ConfigIssue {
  return { file, line: 0, column: 0, key: '', message, code: 'missing-file', severity: 'error' };
}

/**
 * Validates config text without touching the file system (for editors: diagnostics as you type). Paths
 * in the result resolve against `file`'s folder.
 */
export function parseConfigText(text: string, file: string): ConfigResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const src: IssueSource = { file, doc, lc };
  const issues: ConfigIssue[] = [...yamlIssues(src, doc.errors, 'error'), ...yamlIssues(src, doc.warnings, 'warning')];

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.push({ file, line: 1, column: 1, key: '', message: (err as Error).message, code: 'yaml-syntax', severity: 'error' });
    return { issues };
  }
  if (data === null || data === undefined) data = {}; // an empty file: report the missing keys
  const syntaxLines = new Set(issues.filter((i) => i.code === 'yaml-syntax' && i.severity === 'error').map((i) => i.line));
  const checked = validate(data, src);
  // problems on a line that has a syntax error are knock-on effects of it
  issues.push(...checked.issues.filter((i) => !syntaxLines.has(i.line)));
  return finish(issues, checked.raw, file);
}

/** Builds a config from a plain object (tests, CLI overrides). Issues carry no positions (line 0). */
export function configFromObject(obj: unknown, root: string): ConfigResult {
  const checked = validate(obj ?? {}, { file: '' });
  if (!checked.raw || checked.issues.some((i) => i.severity === 'error')) return { issues: checked.issues };
  return { config: resolveConfig(checked.raw, '', path.resolve(root)), issues: checked.issues };
}

function finish(issues: ConfigIssue[], raw: RawConfig | undefined, file: string): ConfigResult {
  sortIssues(issues);
  if (!raw || issues.some((i) => i.severity === 'error')) return { issues };
  return { config: resolveConfig(raw, file), issues };
}

function validate(data: unknown, src: IssueSource): { raw?: RawConfig; issues: ConfigIssue[] } {
  const parsed = RawConfigSchema.safeParse(data, { reportInput: true });
  const issues = parsed.success ? [] : zodIssues(src, parsed.error.issues, data);
  issues.push(...crossChecks(data, src));
  return { raw: parsed.success ? parsed.data : undefined, issues };
}

/** Checks across keys: two mocks on one port, a mock on the target's port, one service mocked twice. */
function crossChecks(data: unknown, src: IssueSource): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!data || typeof data !== 'object') return out;
  const d = data as { target?: unknown; mocks?: unknown };
  if (!Array.isArray(d.mocks)) return out;
  const targetPort = localPort(d.target);
  const ports = new Map<number, { index: number; service: string }>();
  const services = new Map<string, number>();
  d.mocks.forEach((m: unknown, index) => {
    if (!m || typeof m !== 'object') return;
    const { port, service } = m as { port?: unknown; service?: unknown };
    const name = typeof service === 'string' ? service : `mocks[${index}]`;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0) {
      const prev = ports.get(port);
      const p = ['mocks', index, 'port'];
      if (prev) {
        out.push(issueAt(src, p, 'duplicate-port', `port ${port} is already used by mock \`${prev.service}\` (mocks[${prev.index}]): each mock needs its own port`));
      } else {
        ports.set(port, { index, service: name });
        if (targetPort === port) {
          out.push(issueAt(src, p, 'duplicate-port', `port ${port} is the target's port (${String(d.target)}): the mock and the service under test cannot share it`));
        }
      }
    }
    if (typeof service === 'string') {
      const prev = services.get(service);
      if (prev !== undefined) {
        out.push(issueAt(src, ['mocks', index, 'service'], 'duplicate-service', `service \`${service}\` is already mocked by mocks[${prev}]: merge the two entries`));
      } else services.set(service, index);
    }
  });
  return out;
}

function issueAt(src: IssueSource, p: PropertyKey[], code: string, message: string): ConfigIssue {
  const span = src.doc && src.lc ? valueSpan(src.doc as Document, src.lc, p) : undefined;
  const issue: ConfigIssue = { file: src.file, line: span?.line ?? 0, column: span?.column ?? 0, key: keyPath(p), message, code, severity: 'error' };
  if (span) { issue.endLine = span.endLine; issue.endColumn = span.endColumn; }
  return issue;
}

function localPort(target: unknown): number | undefined {
  if (typeof target !== 'string') return undefined;
  try {
    const u = new URL(target);
    if (!['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(u.hostname)) return undefined;
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

function sortIssues(issues: ConfigIssue[]): void {
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
}
