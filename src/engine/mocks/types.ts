/** Unmatched mock calls and mock counters: defined by the result contract (src/shared/results.ts). */
export type { UnmatchedCall, NearStub, MatcherFailure, MockStats } from '../../shared/results.js';
