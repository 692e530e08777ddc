/**
 * Which pairs to replay when one request (or the failed ones) is replayed again: the request itself and the
 * requests before it in its session, so values captured earlier in the session (a login token, an order id)
 * exist again. No `vscode` import: unit-tested as is.
 */
export interface SessionStep {
  pairId: string;
  session: string;
  seq: number;
}

export function sessionPrefixIds(steps: Iterable<SessionStep>, targets: ReadonlySet<string>): Set<string> {
  const maxSeq = new Map<string, number>();
  const all: SessionStep[] = [];
  for (const s of steps) {
    all.push(s);
    if (targets.has(s.pairId)) maxSeq.set(s.session, Math.max(maxSeq.get(s.session) ?? -Infinity, s.seq));
  }
  const out = new Set<string>(targets);
  for (const s of all) {
    const m = maxSeq.get(s.session);
    if (m !== undefined && s.seq <= m) out.add(s.pairId);
  }
  return out;
}
