/** "did you mean" suggestions by edit distance (Damerau–Levenshtein, optimal string alignment). */

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[m][n];
}

/**
 * The closest candidate to `word`, or undefined when none is close enough. Case, `-` vs `_` and
 * spaces are ignored first (`time-scale` → `time_scale`); otherwise the distance must be at most about
 * a third of the word's length.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-\s]/g, '_');
  const w = norm(word);
  for (const c of candidates) if (norm(c) === w) return c;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestD) { bestD = d; best = c; }
  }
  const limit = Math.max(1, Math.floor(Math.max(w.length, 3) / 3));
  if (best !== undefined && bestD <= limit) return best;
  // a prefix/suffix that is most of the word (`concurrent` → `concurrency`, `gates` → `quality_gates`)
  for (const c of candidates) {
    const n = norm(c);
    if (w.length >= 4 && (n.startsWith(w) || n.endsWith(w) || w.startsWith(n))) return c;
  }
  return undefined;
}
