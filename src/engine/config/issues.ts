/** Turning zod issues and YAML errors into ConfigIssues with positions, keys, stable codes and hints. */
import type { Document, LineCounter, YAMLError } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './types.js';
import { annotationAt, describeKey, keysAt, showValue } from './schema.js';
import { didYouMean } from './suggest.js';
import { containerSpan, pairAt, spanOf, valueSpan, type Span } from './positions.js';
import { GATE_NAMES } from '../gates/known.js';

/** Stable issue codes. */
export const ISSUE_CODES = [
  'yaml-syntax',
  'unknown-key',
  'invalid-type',
  'invalid-value',
  'missing-key',
  'bad-gate',
  'bad-duration',
  'unknown-gate',
  'duplicate-port',
  'duplicate-service',
  'missing-file',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** Where issues are placed: a parsed YAML document, or nothing (a config built in memory: line 0 = unknown). */
export interface IssueSource {
  file: string;
  doc?: Document;
  lc?: LineCounter;
}

/** `mocks[1].port`, `validate.tolerances["$.total"]`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (/^[A-Za-z_][\w-]*$/.test(s)) out += out ? `.${s}` : s;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** `file:line:col: error [code] key: message` (position left out when unknown). */
export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file || '<config>'}:${i.line}:${i.column}` : i.file || '<config>';
  return `${where}: ${i.severity} [${i.code}] ${i.key ? `${i.key}: ` : ''}${i.message}`;
}

function make(src: IssueSource, span: Span | undefined, key: string, code: string, message: string, extra?: Partial<ConfigIssue>): ConfigIssue {
  const issue: ConfigIssue = {
    file: src.file,
    line: span?.line ?? 0,
    column: span?.column ?? 0,
    key,
    message,
    code,
    severity: 'error',
  };
  if (span) {
    issue.endLine = span.endLine;
    issue.endColumn = span.endColumn;
  }
  return { ...issue, ...extra };
}

const at = (src: IssueSource, path: readonly PropertyKey[]) => (src.doc && src.lc ? valueSpan(src.doc, src.lc, path) : undefined);

/** One issue per problem: unknown keys each get their own issue (with a suggestion when one is close). */
export function zodIssues(src: IssueSource, issues: readonly z.core.$ZodIssue[], data: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const zi of issues) mapIssue(src, zi, [], data, out);
  // one issue per key and code (zod can report the same value twice, e.g. a failed min and a failed regex)
  const seen = new Set<string>();
  return out.filter((i) => {
    const k = `${i.key}\u0000${i.code}\u0000${i.line}:${i.column}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mapIssue(src: IssueSource, zi: z.core.$ZodIssue, prefix: PropertyKey[], data: unknown, out: ConfigIssue[]): void {
  const path = [...prefix, ...zi.path];
  const key = keyPath(path);
  const input = valueAt(data, path);

  if (zi.code === 'unrecognized_keys') {
    for (const k of zi.keys) out.push(unknownKey(src, path, k));
    return;
  }

  // a required key that is absent
  if ((zi.code === 'invalid_type' || zi.code === 'invalid_union') && path.length > 0 && input === undefined && !hasKey(data, path)) {
    const parent = path.slice(0, -1);
    const name = String(path[path.length - 1]);
    const span = src.doc && src.lc ? containerSpan(src.doc, src.lc, parent) : undefined;
    const d = describeKey(path);
    const ex = d?.example !== undefined ? ` (e.g. \`${name}: ${exampleText(d.example)}\`)` : '';
    const where = parent.length ? ` in ${keyPath(parent)}` : '';
    // a misspelt key next to it (`trafic`) is most likely the one meant
    const parentValue = valueAt(data, parent);
    const typo = parentValue && typeof parentValue === 'object' && !Array.isArray(parentValue)
      ? Object.keys(parentValue).find((k) => k !== name && !keysAt(parent).includes(k) && didYouMean(k, keysAt(parent)) === name)
      : undefined;
    const hint = typo ? ` — is \`${typo}\` a misspelling of it?` : '';
    out.push(make(src, span, key, 'missing-key', `missing required key \`${name}\`${where}${ex}${hint}`));
    return;
  }

  if (zi.code === 'invalid_key') {
    // a bad key in a record (e.g. a capture name): point at the key itself
    const parent = path.slice(0, -1);
    const k = String(path[path.length - 1]);
    const pair = src.doc ? pairAt(src.doc, parent, k) : undefined;
    const kr = (pair?.key as { range?: number[] } | undefined)?.range;
    const span = kr && src.lc ? spanOf(src.lc, [kr[0], kr[1]]) : at(src, path);
    const inner = zi.issues[0]?.message ?? zi.message;
    const msg = parent[parent.length - 1] === 'capture'
      ? `capture name ${showValue(k)} must start with a letter or _ (then letters, digits, _ . -)`
      : `invalid key ${showValue(k)}: ${inner}`;
    out.push(make(src, span, key, 'invalid-value', msg));
    return;
  }

  if (zi.code === 'invalid_union') {
    // a branch whose type matched but whose contents did not: report those (deeper, more precise) problems
    const deeper = zi.errors.find((branch) => branch.length > 0 && branch.every((b) => b.path.length > 0 && b.code !== 'invalid_union'));
    if (deeper) {
      for (const b of deeper) mapIssue(src, b, path, data, out);
      return;
    }
  }

  if (zi.code === 'custom') {
    const code = (zi.params as { code?: string } | undefined)?.code ?? 'invalid-value';
    out.push(make(src, at(src, path), key, code, zi.message));
    return;
  }

  const ann = annotationAt(path);
  const typeMismatch = (zi.code === 'invalid_type' && zi.expected !== 'int') || zi.code === 'invalid_union';
  if (ann) {
    const generic = ann.code === 'invalid-value' || ann.code === 'invalid-type';
    const code = generic ? (typeMismatch ? 'invalid-type' : 'invalid-value') : ann.code;
    out.push(make(src, at(src, path), key, code, ann.message(input)));
    return;
  }
  out.push(make(src, at(src, path), key, typeMismatch ? 'invalid-type' : 'invalid-value', genericMessage(zi, input)));
}

function genericMessage(zi: z.core.$ZodIssue, input: unknown): string {
  switch (zi.code) {
    case 'invalid_type':
      return `expected ${article(zi.expected)}, got ${showValue(input)}`;
    case 'invalid_value':
      return `expected one of ${zi.values.map((v) => JSON.stringify(v)).join(', ')}, got ${showValue(input)}`;
    case 'invalid_union': {
      const expected = [...new Set(zi.errors.flatMap((b) => b.filter((x) => x.code === 'invalid_type').map((x) => (x as { expected: string }).expected)))];
      return expected.length ? `expected ${expected.map(article).join(' or ')}, got ${showValue(input)}` : `${showValue(input)} is not valid here`;
    }
    case 'too_small':
      if (zi.origin === 'array') return `must have at least ${String(zi.minimum)} item(s)`;
      if (zi.origin === 'string') return 'must not be empty';
      return `must be ${zi.inclusive ? 'at least' : 'more than'} ${String(zi.minimum)}, got ${showValue(input)}`;
    case 'too_big':
      return `must be ${zi.inclusive ? 'at most' : 'less than'} ${String(zi.maximum)}, got ${showValue(input)}`;
    case 'invalid_format':
      return `${showValue(input)} is not a valid ${zi.format === 'regex' ? 'value here' : zi.format}`;
    default:
      return zi.message;
  }
}

function article(t: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number' };
  return names[t] ?? t;
}

function exampleText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function unknownKey(src: IssueSource, parent: PropertyKey[], k: string): ConfigIssue {
  const isGate = parent.length === 1 && parent[0] === 'quality_gates';
  const allowed = isGate ? GATE_NAMES : keysAt(parent);
  const suggestion = didYouMean(k, allowed);
  const pair = src.doc ? pairAt(src.doc, parent, k) : undefined;
  const kr = (pair?.key as { range?: number[] } | undefined)?.range;
  const span = kr && src.lc ? spanOf(src.lc, [kr[0], kr[1]]) : at(src, [...parent, k]);
  const where = parent.length ? ` in ${keyPath(parent)}` : '';
  let message = isGate ? `unknown gate \`${k}\`` : `unknown key \`${k}\`${where}`;
  if (suggestion) message += `: did you mean \`${suggestion}\`?`;
  else if (allowed.length) message += isGate ? ` (known gates: ${allowed.join(', ')})` : ` (allowed: ${allowed.join(', ')})`;
  return make(src, span, keyPath([...parent, k]), isGate ? 'unknown-gate' : 'unknown-key', message, suggestion ? { suggestion } : {});
}

/** YAML syntax errors and warnings; a `>` gate expression gets a hint to quote it. */
export function yamlIssues(src: IssueSource, errors: readonly YAMLError[], severity: 'error' | 'warning'): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const lines = new Set<number>();
  for (const e of errors) {
    const span = e.linePos
      ? { line: e.linePos[0].line, column: e.linePos[0].col, endLine: e.linePos[1]?.line ?? e.linePos[0].line, endColumn: e.linePos[1]?.col ?? e.linePos[0].col }
      : src.lc ? spanOf(src.lc, e.pos) : undefined;
    if (span && severity === 'error') {
      if (lines.has(span.line)) continue; // one syntax error per line: the rest are usually knock-on effects
      lines.add(span.line);
    }
    let message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'DUPLICATE_KEY') message = 'duplicate key: each key may appear only once in a mapping';
    if (/^Block scalar header includes extra characters: [<>=]/.test(message)) {
      message = 'a value starting with ">" must be quoted (YAML reads a bare > as a folded text block): write e.g. ">= 0.99" in quotes';
    }
    out.push(make(src, span, '', 'yaml-syntax', message, { severity }));
  }
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

function hasKey(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return data !== undefined;
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.prototype.hasOwnProperty.call(parent, path[path.length - 1] as string);
}
