/**
 * Stub lookup that does not scan every stub: exact-path stubs sit in a Map keyed by method then normalised
 * path; templated, regex and path-less stubs sit in a short per-method list checked as well. The winner is the
 * matching stub with the lowest order (priority, then definition order) whose scenario state is current.
 */
import type { CompiledStub } from './compiled-stub.js';
import { STARTED } from './compiled-stub.js';
import type { MockRequest } from './request.js';

const ANY = '*';

/** Current state of each scenario (absent: "Started"). */
export type ScenarioStates = Map<string, string>;

export class StubIndex {
  private readonly exact = new Map<string, Map<string, CompiledStub[]>>();
  private readonly patterns = new Map<string, CompiledStub[]>();
  readonly all: CompiledStub[];

  constructor(stubs: CompiledStub[]) {
    this.all = [...stubs].sort((a, b) => a.order - b.order);
    for (const s of this.all) {
      const m = s.matcher.method ?? ANY;
      if (s.matcher.exactPath !== undefined) {
        let byPath = this.exact.get(m);
        if (!byPath) this.exact.set(m, (byPath = new Map()));
        const list = byPath.get(s.matcher.exactPath);
        if (list) list.push(s);
        else byPath.set(s.matcher.exactPath, [s]);
      } else {
        const list = this.patterns.get(m);
        if (list) list.push(s);
        else this.patterns.set(m, [s]);
      }
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** The stub that answers this request in the given scenario states, or undefined. */
  find(req: MockRequest, states: ScenarioStates): CompiledStub | undefined {
    let best: CompiledStub | undefined;
    const consider = (list: CompiledStub[] | undefined, checkPath: boolean, checkMethod: boolean) => {
      if (!list) return;
      for (const s of list) {
        if (best && s.order >= best.order) return; // lists are sorted: nothing better further on
        if (checkMethod && s.matcher.methodMatcher && !s.matcher.methodMatcher.matches(req)) continue;
        if (checkPath && s.matcher.pathMatcher && !s.matcher.pathMatcher.matches(req)) continue;
        if (!inState(s, states)) continue;
        let ok = true;
        for (const m of s.matcher.rest) {
          if (!m.matches(req)) {
            ok = false;
            break;
          }
        }
        if (ok) {
          best = s;
          return;
        }
      }
    };
    consider(this.exact.get(req.method)?.get(req.path), false, false);
    consider(this.exact.get(ANY)?.get(req.path), false, false);
    consider(this.patterns.get(req.method), true, false);
    consider(this.patterns.get(ANY), true, false);
    return best;
  }
}

export function inState(s: CompiledStub, states: ScenarioStates): boolean {
  if (!s.scenario || s.scenario.required === undefined) return true;
  return (states.get(s.scenario.name) ?? STARTED) === s.scenario.required;
}

/** Move the stub's scenario to its next state (after it answered). */
export function advance(s: CompiledStub, states: ScenarioStates): void {
  if (s.scenario?.next !== undefined) states.set(s.scenario.name, s.scenario.next);
}
