/**
 * The stubs nearest to a request that matched none, with a distance score and every failed matcher. Runs
 * only on misses: a cheap method + path score picks a short list, then full explain() ranks it.
 */
import type { CompiledStub } from './compiled-stub.js';
import { explainRequest } from './matchers.js';
import type { MockRequest } from './request.js';
import { inState, type ScenarioStates } from './stub-index.js';
import type { MatcherFailure, NearStub } from './types.js';

const SHORTLIST = 24;
const WEIGHT: Record<MatcherFailure['matcher'], number> = { method: 4, path: 3, query: 1, header: 1, body: 1, scenario: 0.5, sql: 4, params: 1 };

function segments(p: string): string[] {
  return p.split('/').filter(Boolean);
}

/** 0 (same) … 1 (nothing in common) between two paths, by segments. */
export function pathDistance(a: string, b: string): number {
  if (a === b) return 0;
  const x = segments(a);
  const y = segments(b);
  const n = Math.max(x.length, y.length, 1);
  let diff = Math.abs(x.length - y.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) diff++;
  return diff / n;
}

function cheapScore(s: CompiledStub, req: MockRequest): number {
  let d = 0;
  if (s.matcher.methodMatcher && !s.matcher.methodMatcher.matches(req)) d += WEIGHT.method;
  const pm = s.matcher.pathMatcher;
  if (pm) {
    if (pm.exact !== undefined) d += pm.exact === req.path ? 0 : WEIGHT.path * (0.5 + pathDistance(pm.exact, req.path));
    else if (!pm.matches(req)) d += WEIGHT.path;
  }
  return d;
}

export function findNearest(stubs: readonly CompiledStub[], req: MockRequest, states: ScenarioStates, n = 3): NearStub[] {
  if (stubs.length === 0) return [];
  const scored = stubs.map((s) => ({ s, d: cheapScore(s, req) }));
  scored.sort((a, b) => a.d - b.d || a.s.order - b.s.order);
  const ranked = scored.slice(0, SHORTLIST).map(({ s }) => {
    const failures = explainRequest(s.matcher, req);
    if (!inState(s, states)) {
      failures.push({
        matcher: 'scenario',
        field: s.scenario!.name,
        expected: s.scenario!.required,
        actual: states.get(s.scenario!.name) ?? 'Started',
        message: `scenario '${s.scenario!.name}' is in state '${states.get(s.scenario!.name) ?? 'Started'}', this stub answers in '${s.scenario!.required}'`,
      });
    }
    let distance = 0;
    for (const f of failures) {
      if (f.matcher === 'path' && s.matcher.pathMatcher?.exact !== undefined) distance += WEIGHT.path * (0.5 + pathDistance(s.matcher.pathMatcher.exact, req.path));
      else distance += WEIGHT[f.matcher];
    }
    return { s, distance: Math.round(distance * 100) / 100, failures };
  });
  ranked.sort((a, b) => a.distance - b.distance || a.s.order - b.s.order);
  return ranked.slice(0, n).map(({ s, distance, failures }) => ({ stubId: s.id, distance, summary: s.summary, failures }));
}
