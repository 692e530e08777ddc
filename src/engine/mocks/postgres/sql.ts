/**
 * SQL text as the Postgres mock compares it: tokenised, so whitespace and comments do not count, unquoted
 * words lower-cased (Postgres folds unquoted identifiers and keywords alike), quoted identifiers and string
 * literals kept as written. `mask` also replaces literal values (strings, numbers) with `?`, the fallback
 * for queries that inline their values.
 */

export interface NormalizedSql {
  /** Tokens joined by single spaces. */
  text: string;
  /** The same with string and number literals replaced by `?`. */
  masked: string;
}

type Tok = { kind: 'word' | 'string' | 'number' | 'ident' | 'param' | 'op'; text: string };

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      continue;
    }
    if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const start = i;
      i += c === "'" ? 1 : 2;
      const escapes = c !== "'";
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") {
          i++;
          break;
        } else i++;
      }
      out.push({ kind: 'string', text: sql.slice(start, i) });
      continue;
    }
    if (c === '"') {
      const start = i++;
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') i += 2;
        else if (sql[i] === '"') {
          i++;
          break;
        } else i++;
      }
      out.push({ kind: 'ident', text: sql.slice(start, i) });
      continue;
    }
    if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (m) {
        out.push({ kind: 'param', text: m[0] });
        i += m[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 80));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end < 0 ? n : end + tag[0].length;
        out.push({ kind: 'string', text: sql.slice(i, stop) });
        i = stop;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '.' && sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i, i + 64))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      out.push({ kind: 'word', text: sql.slice(start, i).toLowerCase() });
      continue;
    }
    // operators: runs of operator characters are one token; punctuation is one character
    if ('+-*/<>=~!@#%^&|`?'.includes(c)) {
      const start = i;
      while (i < n && '+-*/<>=~!@#%^&|`?'.includes(sql[i]) && !(sql[i] === '-' && sql[i + 1] === '-') && !(sql[i] === '/' && sql[i + 1] === '*')) i++;
      out.push({ kind: 'op', text: sql.slice(start, i) });
      continue;
    }
    out.push({ kind: 'op', text: c });
    i++;
  }
  // A trailing semicolon does not change a statement.
  while (out.length && out[out.length - 1].text === ';') out.pop();
  return out;
}

export function normalizeSql(sql: string): NormalizedSql {
  const toks = tokenize(sql);
  const text = toks.map((t) => t.text).join(' ');
  const masked = toks.map((t) => (t.kind === 'string' || t.kind === 'number' ? '?' : t.text)).join(' ');
  return { text, masked };
}

/** One line of SQL for messages: whitespace collapsed, cut at `max` characters. */
export function sqlOneLine(sql: string, max = 200): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** 0 (same) … 1 (nothing in common): token-level distance between two normalised statements. */
export function sqlDistance(a: string, b: string): number {
  if (a === b) return 0;
  const x = a.split(' ');
  const y = b.split(' ');
  // LCS length on tokens (bounded, statements are short)
  const nx = Math.min(x.length, 400);
  const ny = Math.min(y.length, 400);
  let prev = new Uint16Array(ny + 1);
  let cur = new Uint16Array(ny + 1);
  for (let i = 1; i <= nx; i++) {
    for (let j = 1; j <= ny; j++) cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    [prev, cur] = [cur, prev];
  }
  const lcs = prev[ny];
  return 1 - (2 * lcs) / (nx + ny || 1);
}
