/**
 * Completion items for reprise.yaml at a cursor: keys of the mapping the cursor is in (with a snippet for
 * the value each takes), enum values, gate expressions, snippets for a mock, a traffic source and a gate,
 * and JSONPaths / header names seen in the recorded responses inside `validate.ignore` and
 * `validate.tolerances`. Plain data out (offsets, snippet text); the vscode adapter turns it into items.
 */
import { stringify } from 'yaml';
import { KNOWN_GATES, GATE_NAMES } from '../../engine/gates/index.js';
import { cursorContext, type CursorContext } from './yaml-context.js';
import { allowedKeys, displayPath, gateExpressions, keyDoc, shapeAt, type KeyDoc } from './schema-info.js';
import type { ResponseHints } from './traffic-hints.js';

export type EntryKind = 'property' | 'value' | 'enum' | 'snippet' | 'field' | 'constant';

export interface CompletionEntry {
  label: string;
  kind: EntryKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Snippet syntax when `snippet` is true (`$1`, `${1:x}`, `${1|a,b|}`), else plain text. */
  insertText: string;
  snippet: boolean;
  /** Offsets of the text replaced. */
  start: number;
  end: number;
  sortText?: string;
  filterText?: string;
  /** Multi-line text is already indented for its place: insert it as is. */
  keepWhitespace?: boolean;
}

export interface CompletionHints {
  response?: ResponseHints;
}

export interface CompletionResult {
  context?: CursorContext;
  items: CompletionEntry[];
}

const INDENT = '  ';

/** Whether completing at this context would use traffic hints (so the adapter can fetch them first). */
export function wantsResponseHints(ctx: CursorContext | undefined): boolean {
  if (!ctx) return false;
  const p = ctx.path;
  if (p[0] !== 'validate') return false;
  if (ctx.kind === 'value' && p[1] === 'ignore' && typeof p[2] === 'number') return true;
  if (ctx.kind === 'value' && p[1] === 'headers' && typeof p[2] === 'number') return true;
  if (ctx.kind === 'key' && p[1] === 'tolerances' && p.length === 2) return true;
  return false;
}

export function completionContext(text: string, offset: number): CursorContext | undefined {
  return cursorContext(text, offset);
}

/** Completion entries at `offset`; `hints` supplies what only the recorded traffic knows. */
export function completeAt(text: string, offset: number, hints: CompletionHints = {}, ctx = cursorContext(text, offset)): CompletionResult {
  if (!ctx) return { items: [] };
  if (ctx.kind === 'key') return { context: ctx, items: keyItems(ctx, ctx.path, hints) };
  const shape = shapeAt(ctx.path);
  // `- ` in a list of mappings (mocks): the keys of a new item
  if (shape.object && !ctx.quoted && typeof ctx.path[ctx.path.length - 1] === 'number') {
    return { context: ctx, items: keyItems({ ...ctx, hasColon: false }, ctx.path, hints) };
  }
  return { context: ctx, items: valueItems(ctx, hints) };
}

// ---------------------------------------------------------------------------------------------------------
// Keys

function keyItems(ctx: CursorContext, mapPath: (string | number)[], hints: CompletionHints): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  const shape = shapeAt(mapPath);
  const taken = new Set(ctx.siblings);
  const base = { start: ctx.start, end: ctx.end };

  if (shape.record) {
    if (mapPath.length === 2 && mapPath[0] === 'validate' && mapPath[1] === 'tolerances') {
      for (const p of hints.response?.paths ?? []) {
        if (!p.types.includes('number') || taken.has(p.path)) continue;
        out.push({
          ...base,
          label: p.path,
          kind: 'field',
          detail: `number field · in ${p.count} recorded response${p.count === 1 ? '' : 's'}`,
          documentation: 'A numeric field seen in the recorded responses: compared with this absolute tolerance.',
          insertText: ctx.hasColon ? yamlKey(p.path) : `${snippetEscape(yamlKey(p.path))}: \${1:0.01}`,
          snippet: !ctx.hasColon,
          sortText: sortKey(0, p.count),
        });
      }
    }
    return out;
  }
  if (!shape.object) return out;

  const isGates = mapPath.length === 1 && mapPath[0] === 'quality_gates';
  const names = isGates ? GATE_NAMES : allowedKeys(mapPath);
  names.forEach((name, i) => {
    if (taken.has(name)) return;
    const path = [...mapPath, name];
    const doc = keyDoc(path);
    out.push({
      ...base,
      label: name,
      kind: 'property',
      detail: doc?.type,
      documentation: doc ? keyMarkdown(doc, name) : undefined,
      insertText: ctx.hasColon ? name : keyInsert(name, path, ctx),
      snippet: !ctx.hasColon,
      keepWhitespace: true,
      sortText: sortKey(1, -i),
    });
  });
  if (!ctx.hasColon) out.push(...snippetsForMap(mapPath, ctx, taken));
  return out;
}

/** `key: …` with the value's placeholder, indented for where it is inserted. */
function keyInsert(name: string, path: (string | number)[], ctx: CursorContext): string {
  const shape = shapeAt(path);
  const doc = keyDoc(path);
  const ind = ' '.repeat(ctx.column) + INDENT;
  if (shape.gate) return `${name}: "\${1:${snippetEscape(KNOWN_GATES[shape.gate as keyof typeof KNOWN_GATES].example)}}"`;
  if (ctx.flow) return `${name}: $0`;
  if (shape.listOfObjects) return `${name}:\n${ind}- $0`;
  if (shape.object || shape.record) return `${name}:\n${ind}$0`;
  if (shape.list && !shape.scalar) return `${name}:\n${ind}- $0`;
  const scalarValues = shape.values.filter((v) => v !== '');
  if (scalarValues.length) return `${name}: \${1|${scalarValues.map(choiceEscape).join(',')}|}`;
  const nonEmpty = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0) && !(isPlainObject(v) && Object.keys(v).length === 0);
  const ex = nonEmpty(doc?.default) ? doc?.default : doc?.example;
  if (shape.list && Array.isArray(ex) && ex.length && typeof ex[0] === 'string') return `${name}:\n${ind}- \${1:${snippetEscape(scalarText(ex[0]))}}`;
  if (ex !== undefined && (typeof ex === 'string' || typeof ex === 'number')) return `${name}: \${1:${snippetEscape(scalarText(ex))}}`;
  return `${name}: $0`;
}

/** Snippets offered where a key is typed: a mock, a traffic source, a gate. */
function snippetsForMap(mapPath: (string | number)[], ctx: CursorContext, taken: Set<string>): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  const base = { start: ctx.start, end: ctx.end, snippet: true, kind: 'snippet' as const, keepWhitespace: true };
  const ind = ' '.repeat(ctx.column);
  if (ctx.flow) return out;
  const newMockItem = mapPath.length === 2 && mapPath[0] === 'mocks' && typeof mapPath[1] === 'number' && taken.size === 0;
  if (mapPath.length === 0) {
    if (!taken.has('mocks')) {
      out.push({
        ...base,
        label: 'mock',
        detail: 'mocks: a dependency served from recorded traffic',
        documentation: 'Adds a `mocks:` section with one mocked dependency.',
        insertText: `mocks:\n${ind}${INDENT}- ${mockBody(ind + INDENT + '  ')}`,
        filterText: 'mock mocks',
        sortText: sortKey(2, 0),
      });
    }
    if (!taken.has('traffic')) {
      out.push({
        ...base,
        label: 'traffic source',
        detail: 'traffic: a recorded traffic file or folder',
        documentation: 'Adds a `traffic:` list with one source (JSONL, HAR, proxymock, GoReplay, Keploy files or folders).',
        insertText: `traffic:\n${ind}${INDENT}- \${1:./traffic/}`,
        filterText: 'traffic source',
        sortText: sortKey(2, 1),
      });
    }
    if (!taken.has('quality_gates')) {
      out.push({
        ...base,
        label: 'gate',
        detail: 'quality_gates: conditions a run must meet',
        documentation: 'Adds a `quality_gates:` section with one gate.',
        insertText: `quality_gates:\n${ind}${INDENT}${gateBody()}`,
        filterText: 'gate quality_gates',
        sortText: sortKey(2, 2),
      });
    }
  } else if (newMockItem) {
    out.push({
      ...base,
      label: 'mock',
      detail: 'a dependency served from recorded traffic',
      documentation: 'One mocked dependency: service name, port, the environment variable that tells the service its URL, and its traffic.',
      insertText: mockBody(ind),
      filterText: 'mock service',
      sortText: sortKey(0, 0),
    });
  } else if (mapPath.length === 1 && mapPath[0] === 'quality_gates') {
    out.push({
      ...base,
      label: 'gate',
      detail: 'a gate and its condition',
      documentation: 'A quality gate: choose the metric, then the condition (quote it: YAML reads a bare `>` as a text block).',
      insertText: gateBody(),
      filterText: 'gate',
      sortText: sortKey(2, 0),
    });
  }
  return out;
}

function mockBody(ind: string): string {
  return [
    'service: ${1:payment-api}',
    `${ind}port: \${2:8081}`,
    `${ind}env: \${3:PAYMENT_API_URL}`,
    `${ind}traffic: \${4:./traffic/payment-api/}`,
  ].join('\n');
}

function gateBody(): string {
  return `\${1|${GATE_NAMES.join(',')}|}: "\${2:>= 0.99}"`;
}

// ---------------------------------------------------------------------------------------------------------
// Values

function valueItems(ctx: CursorContext, hints: CompletionHints): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  const p = ctx.path;
  const shape = shapeAt(p);
  const base = { start: ctx.start, end: ctx.end, snippet: false };
  const quote = (v: string) => (ctx.quoted ? v : ctx.mustQuote || needsQuotes(v) ? JSON.stringify(v) : v);

  if (shape.gate) {
    const info = KNOWN_GATES[shape.gate as keyof typeof KNOWN_GATES];
    gateExpressions(shape.gate).forEach((e, i) => {
      out.push({ ...base, label: e, kind: 'value', detail: `${shape.gate} (${info.kind})`, documentation: info.description, insertText: quote(e), filterText: ctx.quoted ? e : quote(e), sortText: sortKey(0, -i) });
    });
    return out;
  }

  // traffic-derived values
  if (p[0] === 'validate' && p[1] === 'ignore' && typeof p[2] === 'number' && hints.response) {
    for (const s of hints.response.paths) {
      out.push({
        ...base,
        label: s.path,
        kind: 'field',
        detail: `${s.types.join(' | ')} · in ${s.count} recorded response${s.count === 1 ? '' : 's'}`,
        documentation: `A field seen in ${s.count} of ${hints.response.sampled} sampled recorded responses. Ignored fields are not compared.`,
        insertText: quote(s.path),
        filterText: ctx.quoted ? s.path : quote(s.path),
        sortText: sortKey(0, s.count),
      });
    }
    for (const h of hints.response.headers) {
      out.push({ ...base, label: `header.${h}`, kind: 'field', detail: 'response header', documentation: `Ignore the \`${h}\` response header when comparing.`, insertText: quote(`header.${h}`), sortText: sortKey(1, 0) });
    }
    return out;
  }
  if (p[0] === 'validate' && p[1] === 'headers' && typeof p[2] === 'number' && hints.response) {
    for (const h of hints.response.headers) {
      out.push({ ...base, label: h, kind: 'field', detail: 'response header seen in the recorded traffic', insertText: quote(h), sortText: sortKey(0, 0) });
    }
    return out;
  }

  shape.values.forEach((v, i) => {
    const plain = shape.boolean && (v === 'true' || v === 'false');
    out.push({ ...base, label: v, kind: 'enum', detail: displayPath(p), documentation: keyDoc(p)?.description, insertText: plain ? v : quote(v), sortText: sortKey(0, -i) });
  });
  const doc = keyDoc(p);
  if (p.length === 1 && p[0] === 'baseline') {
    out.push({ ...base, label: 'previous', kind: 'constant', detail: 'the last completed run', insertText: 'previous', sortText: sortKey(0, 0) });
  }
  if (p.length >= 1 && p[p.length - 1] === 'timing' && !shape.values.includes('0.5x')) {
    out.push({ ...base, label: '0.5x', kind: 'value', detail: 'half the recorded latency', insertText: quote('0.5x'), sortText: sortKey(1, 0) });
  }
  // the documented default and example, when they are plain scalars not offered yet
  const offered = new Set(out.map((o) => o.label));
  for (const [what, v] of [['default', doc?.default], ['example', doc?.example]] as const) {
    if (v === undefined || (typeof v !== 'string' && typeof v !== 'number') || offered.has(String(v))) continue;
    if (typeof p[p.length - 1] === 'number' && !shape.scalar) continue;
    offered.add(String(v));
    out.push({ ...base, label: String(v), kind: 'value', detail: what, documentation: doc?.description, insertText: quote(scalarText(v)), sortText: sortKey(2, 0) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers

/** Markdown for a key: description, type, default and an example in YAML. */
export function keyMarkdown(doc: KeyDoc, name?: string): string {
  const parts = [`**${doc.name}** · \`${doc.type}\``];
  if (doc.description) parts.push(doc.description);
  if (doc.default !== undefined && !(Array.isArray(doc.default) && doc.default.length === 0) && !(isPlainObject(doc.default) && Object.keys(doc.default).length === 0)) {
    parts.push(`Default: \`${inlineYaml(doc.default)}\``);
  }
  if (doc.example !== undefined && name !== undefined && !/^\d+$/.test(name)) {
    parts.push('Example:\n```yaml\n' + stringify({ [name]: doc.example }, { lineWidth: 0 }).trimEnd() + '\n```');
  } else if (doc.example !== undefined) {
    parts.push(`Example: \`${inlineYaml(doc.example)}\``);
  }
  return parts.join('\n\n');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function inlineYaml(v: unknown): string {
  if (typeof v === 'string') return v;
  return stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** A plain YAML scalar that would not read back as the same string. */
export function needsQuotes(v: string): boolean {
  if (v === '') return true;
  if (/^[\s>|&*!%@`'"{}[\],#?:-]/.test(v) && !/^-\d/.test(v)) return true;
  if (/: |\s#|\s$/.test(v)) return true;
  return /^(true|false|null|~|yes|no|on|off)$/i.test(v);
}

function yamlKey(k: string): string {
  return needsQuotes(k) || k.includes(':') ? JSON.stringify(k) : k;
}

function snippetEscape(s: string): string {
  return s.replace(/[\\$}]/g, (c) => `\\${c}`);
}

function choiceEscape(s: string): string {
  return s.replace(/[\\$},|]/g, (c) => `\\${c}`);
}

/** Sort text: group first, then a rank (higher `weight` sorts earlier). */
function sortKey(group: number, weight: number): string {
  return `${group}_${String(1e9 - Math.round(weight)).padStart(10, '0')}`;
}
