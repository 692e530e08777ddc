/**
 * Gate expressions: `>= 0.99`, `== 0`, `<= 250ms`, `<= +10%`, `<= +50ms`. Parsed once (parseGate is
 * syntax only), then checked against the gate they belong to (compileGate), then evaluated.
 */
import { KNOWN_GATES, gateInfo, type GateInfo } from './known.js';
import { didYouMean } from '../config/suggest.js';

export type GateOp = '>=' | '>' | '<=' | '<' | '==' | '!=';
export type GateUnit = 'ms' | 's' | '%';

/** A parsed expression, independent of the gate it is attached to. */
export interface GateExpr {
  op: GateOp;
  /** Normalised value: seconds → ms, percent → fraction (`+10%` → 0.1), sign applied (`-5%` → -0.05). */
  value: number;
  unit: GateUnit | null;
  /** Explicit sign as written: `+10%` → '+', `10%` → null. */
  sign: '+' | '-' | null;
  /** The expression as written. */
  source: string;
}

/** A gate expression checked against its gate: what is measured and what it is compared with. */
export interface CompiledGate {
  name: string;
  expression: string;
  op: GateOp;
  threshold: number;
  /**
   * value: the metric itself is compared; relative: (current - baseline) / baseline; absolute:
   * current - baseline.
   */
  mode: 'value' | 'relative' | 'absolute';
  info: GateInfo;
}

export class GateSyntaxError extends Error {
  readonly expression: string;
  /** 0-based offset in the expression where the problem is, when known. */
  readonly offset?: number;
  constructor(message: string, expression: string, offset?: number) {
    super(message);
    this.name = 'GateSyntaxError';
    this.expression = expression;
    this.offset = offset;
  }
}

const OPS: GateOp[] = ['>=', '<=', '==', '!=', '>', '<'];
const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

/** Parses an expression's syntax. Throws GateSyntaxError with a message that says how to write it. */
export function parseGate(expr: string): GateExpr {
  if (typeof expr !== 'string') {
    throw new GateSyntaxError(`a gate expression must be a string such as ">= 0.99", got ${describe(expr)}`, String(expr));
  }
  const source = expr;
  const s = expr.trim();
  const lead = expr.length - expr.trimStart().length;
  if (s === '') throw new GateSyntaxError('empty gate expression: write a comparison such as ">= 0.99"', source, 0);

  let op: GateOp | undefined;
  for (const o of OPS) {
    if (s.startsWith(o)) { op = o; break; }
  }
  if (!op) {
    if (s.startsWith('=>')) throw new GateSyntaxError('unknown operator "=>": did you mean ">="?', source, lead);
    if (s.startsWith('=<')) throw new GateSyntaxError('unknown operator "=<": did you mean "<="?', source, lead);
    if (s.startsWith('=')) throw new GateSyntaxError('unknown operator "=": use "==" for equality', source, lead);
    if (s.startsWith('!')) throw new GateSyntaxError('unknown operator "!": use "!=" for inequality', source, lead);
    if (NUMBER_RE.test(s) || /^[+-]/.test(s)) {
      throw new GateSyntaxError(`"${s}" has no comparison operator: write e.g. ">= ${s}" or "<= ${s}"`, source, lead);
    }
    throw new GateSyntaxError(`"${s}" is not a gate expression: start with one of >=, >, <=, <, ==, != (e.g. ">= 0.99")`, source, lead);
  }
  let i = op.length;
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (OPS.some((o) => s.startsWith(o, i)) || s[i] === '=') {
    throw new GateSyntaxError(`two operators in "${s}": write one, e.g. "${op} 0.99"`, source, lead + i);
  }
  let sign: '+' | '-' | null = null;
  if (s[i] === '+' || s[i] === '-') {
    sign = s[i] as '+' | '-';
    i++;
    while (s[i] === ' ') i++;
  }
  const m = NUMBER_RE.exec(s.slice(i));
  if (!m) {
    const rest = s.slice(i);
    throw new GateSyntaxError(
      rest === '' ? `missing number after "${op}${sign ?? ''}" (e.g. "${op} 0.99")` : `expected a number after "${op}${sign ?? ''}", found "${rest}"`,
      source,
      lead + i,
    );
  }
  let value = Number(m[0]);
  i += m[0].length;
  while (s[i] === ' ') i++;
  const rest = s.slice(i);
  let unit: GateUnit | null = null;
  if (rest !== '') {
    if (rest === 'ms' || rest === 's' || rest === '%') unit = rest;
    else {
      const word = /^[A-Za-z%]+/.exec(rest)?.[0];
      if (word) {
        const hint = didYouMean(word.toLowerCase(), ['ms', 's', '%']);
        throw new GateSyntaxError(
          `unknown unit "${word}"${hint ? ` (did you mean "${hint}"?)` : ''}: use ms or s for times, % for a fraction or a relative change`,
          source,
          lead + i,
        );
      }
      throw new GateSyntaxError(`unexpected "${rest}" after the number in "${s}"`, source, lead + i);
    }
  }
  if (unit === 's') value *= 1000;
  if (unit === '%') value /= 100;
  if (sign === '-') value = -value;
  if (!Number.isFinite(value)) throw new GateSyntaxError(`number out of range in "${s}"`, source, lead);
  return { op, value, unit, sign, source };
}

/**
 * Checks an expression against its gate and returns what evaluation needs. Throws GateSyntaxError for
 * syntax errors, unknown gates and forms the gate does not take (a time unit on a rate, `%` on a count,
 * a `+`/`-` change on a gate that does not compare with a baseline).
 */
export function compileGate(name: string, expression: string): CompiledGate {
  const info = gateInfo(name);
  if (!info) {
    const hint = didYouMean(name, Object.keys(KNOWN_GATES));
    throw new GateSyntaxError(`unknown gate "${name}"${hint ? `: did you mean "${hint}"?` : ''}`, expression);
  }
  const e = parseGate(expression);
  const base = { name, expression, op: e.op, info };
  const written = e.source.trim();

  if (info.kind === 'delta') {
    if (e.unit === '%') return { ...base, threshold: e.value, mode: 'relative' };
    if ((e.unit === 'ms' || e.unit === 's') && info.base !== 'duration') {
      throw new GateSyntaxError(`${name} is not a time: "${written}" cannot use ${e.unit}; write a relative change such as "${info.example}"`, expression);
    }
    return { ...base, threshold: e.value, mode: 'absolute' };
  }

  if (e.sign) {
    throw new GateSyntaxError(
      `"${e.sign}" means a change against the baseline, but ${name} is an absolute value; write "${e.op} ${written.replace(/^[<>=!]+\s*[+-]\s*/, '')}"` +
        (isKnownDelta(`${name}_delta`) ? ` or use ${name}_delta for a change` : ''),
      expression,
    );
  }
  switch (info.kind) {
    case 'fraction':
      if (e.unit === 'ms' || e.unit === 's') throw new GateSyntaxError(`${name} is a fraction between 0 and 1, not a time: write e.g. "${info.example}"`, expression);
      if (e.value > 1) {
        if (e.unit === '%') throw new GateSyntaxError(`${name} is a fraction of at most 100%; ${trimNum(e.value * 100)}% is out of range`, expression);
        throw new GateSyntaxError(
          `${name} is a fraction between 0 and 1; ${trimNum(e.value)} is out of range: did you mean "${e.op} ${trimNum(e.value / 100)}" or "${e.op} ${trimNum(e.value)}%"?`,
          expression,
        );
      }
      return { ...base, threshold: e.value, mode: 'value' };
    case 'duration':
      if (e.unit === '%') throw new GateSyntaxError(`${name} is a time in ms: "%" only fits ${name}_delta (e.g. "<= +10%"); write e.g. "${info.example}"`, expression);
      return { ...base, threshold: e.value, mode: 'value' };
    case 'count':
    case 'rate':
      if (e.unit) {
        throw new GateSyntaxError(
          `${name} is a ${info.kind === 'count' ? 'count' : 'number of requests per second'}: "${e.unit}" does not apply; write e.g. "${info.example}"`,
          expression,
        );
      }
      return { ...base, threshold: e.value, mode: 'value' };
  }
}

/** The problem with `expression` for gate `name`, or null if it is fine. */
export function gateProblem(name: string, expression: unknown): string | null {
  try {
    compileGate(name, expression as string);
    return null;
  } catch (err) {
    if (err instanceof GateSyntaxError) return err.message;
    throw err;
  }
}

/** A human reading of a gate, e.g. `p95 latency may rise at most 10% over the baseline`. For hover and reports. */
export function explainGate(name: string, expression: string): string {
  const g = compileGate(name, expression);
  const words: Record<GateOp, string> = { '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than', '==': 'exactly', '!=': 'not' };
  const unit = (v: number) => {
    if (g.mode === 'relative' || g.info.kind === 'fraction') return `${trimNum(v * 100)}%`;
    if (g.info.kind === 'duration' || g.info.base === 'duration') return `${trimNum(v)}ms`;
    if (g.info.kind === 'rate' || g.info.base === 'rate') return `${trimNum(v)} req/s`;
    return trimNum(v);
  };
  if (g.mode === 'value') return `${g.info.metric} must be ${words[g.op]} ${unit(g.threshold)}`;
  const signed = (g.threshold >= 0 ? '+' : '-') + unit(Math.abs(g.threshold));
  return `${g.info.metric} change against the baseline (${g.mode}) must be ${words[g.op]} ${signed}`;
}

function isKnownDelta(name: string): boolean {
  return gateInfo(name)?.kind === 'delta';
}

function trimNum(v: number): string {
  return String(Number(v.toPrecision(10)));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${String(v)}`;
}
