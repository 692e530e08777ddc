/**
 * Stub lookup that does not scan every stub: exact-path stubs sit in a Map keyed by method then normalised
 * path; templated, regex and path-less stubs sit in a short per-method list checked as well. The winner is the
 * matching stub with the lowest order (priority, then definition order) whose scenario state is current.
 */
import type { CompiledStub } from './compiled-stub.js';
import { STARTED } from './compiled-stub.js';
import type { MockRequest } from './request.js';

const ANY = '*';
/** Paths whose pattern-stub candidates are remembered, per method. */
const MEMO_PATHS = 4096;

/** Current state of each scenario (absent: "Started"). */
export type ScenarioStates = Map<string, string>;

export class StubIndex {
  private readonly exact = new Map<string, Map<string, CompiledStub[]>>();
  private readonly patterns = new Map<string, CompiledStub[]>();
  /** method → path → the pattern stubs whose path matcher takes that path (paths seen lately). */
  private readonly pathMemo = new Map<string, Map<string, CompiledStub[]>>();
  /** method → its pattern stubs in groups, each with one regex that matches when any of its stubs' would. */
  private readonly groups = new Map<string, PatternGroup[]>();
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
    consider(this.patternsFor(req.method, req.path), false, false);
    consider(this.patternsFor(ANY, req.path), false, false);
    return best;
  }

  /**
   * Pattern stubs (templates, regexes, no path) of a method that take this path, in order. Whether a path
   * matcher takes a path depends on the path alone, so the answer is remembered for the last MEMO_PATHS paths.
   */
  private patternsFor(method: string, path: string): CompiledStub[] | undefined {
    const list = this.patterns.get(method);
    if (!list) return undefined;
    let memo = this.pathMemo.get(method);
    if (!memo) this.pathMemo.set(method, (memo = new Map()));
    let hit = memo.get(path);
    if (!hit) {
      hit = [];
      let groups = this.groups.get(method);
      if (!groups) this.groups.set(method, (groups = groupPatterns(list)));
      for (const g of groups) {
        if (g.re && !g.re.test(path)) continue;
        for (const s of g.stubs) if (!s.matcher.pathMatcher || s.matcher.pathMatcher.matchesPath(path)) hit.push(s);
      }
      if (memo.size >= MEMO_PATHS) memo.clear();
      memo.set(path, hit);
    }
    return hit;
  }
}

interface PatternGroup {
  /** Alternation of the group's path regexes; absent: test each stub (no combinable path regex). */
  re?: RegExp;
  stubs: CompiledStub[];
}

const GROUP = 32;

/**
 * Consecutive pattern stubs in groups of up to GROUP, with one alternation regex per group: one native regex
 * run rules out a whole group for most paths. Regexes with backreferences or named groups are left alone.
 */
function groupPatterns(list: CompiledStub[]): PatternGroup[] {
  const out: PatternGroup[] = [];
  let cur: CompiledStub[] = [];
  const flush = () => {
    if (!cur.length) return;
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${cur.map((s) => `(?:${s.matcher.pathMatcher!.regexSource})`).join('|')})$`);
    } catch {
      re = undefined;
    }
    out.push({ re, stubs: cur });
    cur = [];
  };
  for (const s of list) {
    const src = s.matcher.pathMatcher?.regexSource;
    if (src === undefined || /\\[1-9]|\\k<|\(\?</.test(src)) {
      flush();
      out.push({ stubs: [s] });
      continue;
    }
    cur.push(s);
    if (cur.length >= GROUP) flush();
  }
  flush();
  return out;
}

export function inState(s: CompiledStub, states: ScenarioStates): boolean {
  if (!s.scenario || s.scenario.required === undefined) return true;
  return (states.get(s.scenario.name) ?? STARTED) === s.scenario.required;
}

/** Move the stub's scenario to its next state (after it answered). */
export function advance(s: CompiledStub, states: ScenarioStates): void {
  if (s.scenario?.next !== undefined) states.set(s.scenario.name, s.scenario.next);
}
