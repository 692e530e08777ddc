/**
 * What the config schema says about a key path, in the terms completion and hover need: the kind of value
 * (mapping, record, list, scalar), enum values, default, example, description. Read from the JSON Schema
 * generated from the zod schema (plain data, built once on first use). No vscode.
 */
import { configJsonSchema, describeKey, keysAt } from '../../engine/config/index.js';
import { KNOWN_GATES, isKnownGate } from '../../engine/gates/index.js';

type JS = Record<string, unknown>;

let cached: JS | undefined;
function root(): JS {
  cached ??= configJsonSchema();
  return cached;
}

/** The schema branches (anyOf alternatives flattened) for the value at `path`. */
export function schemasAt(path: readonly (string | number)[]): JS[] {
  let cur: JS[] = [root()];
  for (const seg of path) {
    const next: JS[] = [];
    for (const s of cur.flatMap(branches)) {
      if (typeof seg === 'number') {
        if (s.items && typeof s.items === 'object') next.push(s.items as JS);
      } else {
        const props = s.properties as Record<string, JS> | undefined;
        if (props && Object.prototype.hasOwnProperty.call(props, seg)) next.push(props[seg]);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') next.push(s.additionalProperties as JS);
      }
    }
    if (next.length === 0) return [];
    cur = next;
  }
  return cur.flatMap(branches);
}

function branches(s: JS): JS[] {
  const alts = (s.anyOf ?? s.oneOf) as JS[] | undefined;
  return alts ? alts.flatMap(branches) : [s];
}

export interface ValueShape {
  /** Known at all. */
  known: boolean;
  /** A mapping with fixed keys (replay, validate, a mock, quality_gates). */
  object: boolean;
  /** A mapping with free keys (capture, headers, tolerances). */
  record: boolean;
  /** A list; `listOfObjects` when its items are mappings (mocks). */
  list: boolean;
  listOfObjects: boolean;
  /** A scalar is accepted (string, number, boolean). */
  scalar: boolean;
  /** Enum and boolean values. */
  values: string[];
  /** true/false are accepted (insert them unquoted). */
  boolean: boolean;
  /** A gate expression (quality_gates.<gate>). */
  gate?: string;
}

export function shapeAt(path: readonly (string | number)[]): ValueShape {
  const bs = schemasAt(path);
  const shape: ValueShape = { known: bs.length > 0, object: false, record: false, list: false, listOfObjects: false, scalar: false, values: [], boolean: false };
  for (const b of bs) {
    const type = b.type;
    if (type === 'object') {
      if (b.properties) shape.object = true;
      else shape.record = true;
    } else if (type === 'array') {
      shape.list = true;
      const items = b.items as JS | undefined;
      if (items && branches(items).some((i) => i.type === 'object')) shape.listOfObjects = true;
    } else if (type !== undefined || b.enum || b.const !== undefined) {
      shape.scalar = true;
    }
    if (Array.isArray(b.enum)) for (const v of b.enum) shape.values.push(String(v));
    if (b.const !== undefined) shape.values.push(String(b.const));
    if (type === 'boolean' || (Array.isArray(type) && type.includes('boolean'))) {
      shape.values.push('true', 'false');
      shape.boolean = true;
    }
  }
  shape.values = [...new Set(shape.values)];
  if (path.length === 2 && path[0] === 'quality_gates' && typeof path[1] === 'string' && isKnownGate(path[1])) shape.gate = path[1];
  return shape;
}

export interface KeyDoc {
  /** The key path written the way issues name it (`replay.concurrency`, `mocks[].port`). */
  name: string;
  /** The last key of the described path (undefined at the root or for a list). */
  key?: string;
  description?: string;
  example?: unknown;
  default?: unknown;
  /** Short type summary: `integer`, `string | list of strings`, `"stay" | "cycle"`. */
  type: string;
}

/** Docs for the value at `path` (the nearest described ancestor for list items and record entries). */
export function keyDoc(path: readonly (string | number)[]): KeyDoc | undefined {
  let p = [...path];
  for (;;) {
    const d = describeKey(p);
    if (d?.description) {
      const last = p[p.length - 1];
      return { name: displayPath(p), key: typeof last === 'string' ? last : undefined, description: d.description, example: d.example, default: d.default, type: typeSummary(p) };
    }
    if (p.length === 0) return undefined;
    const last = p[p.length - 1];
    // a list item or a record entry: describe the list / record
    if (typeof last === 'number' || shapeAt(p.slice(0, -1)).record) p = p.slice(0, -1);
    else return undefined;
  }
}

export function displayPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? '[]' : out ? `.${seg}` : seg;
  return out;
}

export function typeSummary(path: readonly (string | number)[]): string {
  if (path.length === 2 && path[0] === 'quality_gates' && typeof path[1] === 'string' && isKnownGate(path[1])) {
    return `gate expression (${KNOWN_GATES[path[1]].kind})`;
  }
  const parts: string[] = [];
  for (const b of schemasAt(path)) parts.push(describeType(b));
  return [...new Set(parts)].join(' | ') || 'any';
}

function describeType(b: JS): string {
  if (Array.isArray(b.enum)) return b.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (b.const !== undefined) return JSON.stringify(b.const);
  switch (b.type) {
    case 'object':
      return b.properties ? 'mapping' : 'mapping of name → value';
    case 'array': {
      const items = b.items as JS | undefined;
      const inner = items ? branches(items).map(describeType).join(' | ') : 'values';
      return `list of ${inner === 'mapping' ? 'mappings' : inner + 's'}`;
    }
    case 'string':
      return typeof b.pattern === 'string' && /ms\|s\|m\|h/.test(b.pattern) ? 'duration string ("5s", "200ms")' : 'string';
    default:
      if (Array.isArray(b.type)) return b.type.join(' | ');
      return typeof b.type === 'string' ? b.type : 'any';
  }
}

/** Keys a mapping at `path` accepts (gate names for quality_gates). */
export function allowedKeys(path: readonly (string | number)[]): string[] {
  return keysAt(path);
}

/** Typical expressions for a gate, its example first. */
export function gateExpressions(gate: string): string[] {
  if (!isKnownGate(gate)) return [];
  const info = KNOWN_GATES[gate];
  const byKind: Record<string, string[]> = {
    fraction: ['>= 0.99', '>= 0.95', '== 1', '<= 0.01'],
    count: ['== 0', '<= 5'],
    duration: ['<= 250ms', '<= 1s', '<= 100ms'],
    rate: ['>= 50', '>= 100'],
    delta: ['<= +10%', '<= +20%', info.kind === 'delta' && info.base === 'rate' ? '>= -5%' : '<= +50ms'],
  };
  return [...new Set([info.example, ...(byKind[info.kind] ?? [])])];
}
