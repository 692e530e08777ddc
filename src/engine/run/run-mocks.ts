/**
 * The mocks a run uses: the ones it started (stopped when it ends), or the ones its caller handed over
 * (left running, e.g. the debug flow's, which the debuggee was started against). Either way the run counts
 * only what happened while it ran: stats and unmatched calls are taken from where they stood at its start.
 */
import type { MockManager } from '../mocks/index.js';
import type { MockCallEvent } from '../mocks/server.js';
import type { MockStats, UnmatchedCall } from '../mocks/types.js';

export class RunMocks {
  private readonly baseStats: MockStats[];
  private readonly baseUnmatched: number[];
  private stopped = false;

  private constructor(
    readonly manager: MockManager,
    /** Started by the run (so stopped by it). */
    readonly owned: boolean,
  ) {
    this.baseStats = owned ? [] : manager.stats();
    this.baseUnmatched = owned ? [] : manager.servers.map((s) => s.unmatched().length);
  }

  static started(m: MockManager): RunMocks {
    return new RunMocks(m, true);
  }

  static handedOver(m: MockManager): RunMocks {
    return new RunMocks(m, false);
  }

  onCall(listener: (e: MockCallEvent) => void): () => void {
    return this.manager.onCall(listener);
  }

  /** Per-service counters of the calls answered during the run. */
  stats(): MockStats[] {
    return this.manager.stats().map((s, i) => {
      const b = this.baseStats[i];
      // A reset of the mocks (RESET_PATH) during the run clears their counters: count from zero then.
      if (!b || s.calls < b.calls) return s;
      return { ...s, calls: s.calls - b.calls, matched: s.matched - b.matched, unmatched: s.unmatched - b.unmatched };
    });
  }

  /** The unmatched calls of the run. */
  unmatched(): UnmatchedCall[] {
    return this.manager.servers.flatMap((s, i) => {
      const all = s.unmatched();
      return this.baseUnmatched[i] ? all.slice(this.baseUnmatched[i]) : all;
    });
  }

  /** Stops the mocks the run started (once); handed-over mocks keep running. */
  async stop(): Promise<void> {
    if (!this.owned || this.stopped) return;
    this.stopped = true;
    await this.manager.stop();
  }
}
