/** Phases of a run (backends, service, gates, replay, stop): outcome and timing, for run.json. */
import type { Clock } from '../context.js';
import type { PhaseRecord } from '../report/types.js';

/** A phase that failed: the run stops, naming the phase and the reason. */
export class PhaseError extends Error {
  constructor(
    readonly phase: string,
    readonly reason: string,
    /** The phase was interrupted by cancellation (Ctrl-C, abort signal), not by a problem. */
    readonly cancelled = false,
  ) {
    super(`${phase} phase failed: ${reason}`);
    this.name = 'PhaseError';
  }
}

export class PhaseRecorder {
  readonly phases: PhaseRecord[] = [];
  constructor(private readonly clock: Clock) {}

  /**
   * Runs `fn` as phase `name`. `fn` may set the detail shown for a successful phase. Any error fails the
   * phase and is rethrown as a PhaseError (cancelled when `signal` has aborted).
   */
  async run<T>(name: PhaseRecord['name'], fn: (detail: (d: string) => void) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const startedAt = new Date(this.clock.now()).toISOString();
    const t0 = this.clock.monotonic();
    let detail: string | undefined;
    try {
      signal?.throwIfAborted();
      const v = await fn((d) => (detail = d));
      this.phases.push(this.rec(name, 'ok', startedAt, t0, detail));
      return v;
    } catch (e) {
      const cancelled = !!signal?.aborted;
      const reason = cancelled ? 'cancelled' : e instanceof PhaseError ? e.reason : e instanceof Error ? e.message : String(e);
      this.phases.push(this.rec(name, 'failed', startedAt, t0, reason));
      throw e instanceof PhaseError && e.phase === name ? e : new PhaseError(String(name), reason, cancelled);
    }
  }

  /** Records a phase that did not need to run. */
  skip(name: PhaseRecord['name'], detail: string): void {
    this.phases.push({ name, status: 'skipped', startedAt: new Date(this.clock.now()).toISOString(), durationMs: 0, detail });
  }

  /** Records a phase timed by the caller. */
  add(name: PhaseRecord['name'], status: PhaseRecord['status'], startedAtMs: number, durationMs: number, detail?: string): void {
    const r: PhaseRecord = { name, status, startedAt: new Date(startedAtMs).toISOString(), durationMs: Math.round(durationMs) };
    if (detail !== undefined) r.detail = detail;
    this.phases.push(r);
  }

  /** The first failed phase, if any. */
  failed(): PhaseRecord | undefined {
    return this.phases.find((p) => p.status === 'failed');
  }

  private rec(name: PhaseRecord['name'], status: PhaseRecord['status'], startedAt: string, t0: number, detail?: string): PhaseRecord {
    const r: PhaseRecord = { name, status, startedAt, durationMs: Math.round(this.clock.monotonic() - t0) };
    if (detail !== undefined) r.detail = detail;
    return r;
  }
}
