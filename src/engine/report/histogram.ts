/**
 * Latency recording in bounded memory.
 *
 * The first `exactCap` samples are kept exactly (a Float64Array that grows by doubling up to the cap), so
 * small runs get exact nearest-rank percentiles. Every sample also goes into a log-bucket histogram
 * (HDR-style): bucket i holds values in [MIN·R^i, MIN·R^(i+1)) with R = 1.01, MIN = 0.001 ms, up to
 * ~10^7 ms (2.8 h) — 2315 Uint32 counters (~9 KB). Once more than `exactCap` samples have been seen,
 * percentiles come from the histogram: the bucket's geometric midpoint, clamped to the observed
 * min/max, so the relative error is at most √1.01 − 1 ≈ 0.5%. Values ≤ 1 µs share bucket 0; values above
 * the top share the last bucket (max is still exact). Count, sum (mean), min and max are always exact.
 */
const R = 1.01;
const LOG_R = Math.log(R);
const MIN = 0.001;
const MAX = 1e7;
const BUCKETS = Math.ceil(Math.log(MAX / MIN) / LOG_R) + 1;

export class LatencyHistogram {
  private exact: Float64Array;
  private exactLen = 0;
  private buckets: Uint32Array | undefined;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(private readonly exactCap = 10_000) {
    this.exact = new Float64Array(Math.min(64, Math.max(1, exactCap)));
  }

  static bucketOf(v: number): number {
    if (!(v > MIN)) return 0;
    const i = Math.floor(Math.log(v / MIN) / LOG_R);
    return i >= BUCKETS ? BUCKETS - 1 : i;
  }

  add(v: number): void {
    if (!Number.isFinite(v) || v < 0) return;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.buckets) {
      this.buckets[LatencyHistogram.bucketOf(v)]++;
      return;
    }
    if (this.exactLen < this.exactCap) {
      if (this.exactLen === this.exact.length) {
        const next = new Float64Array(Math.min(this.exactCap, this.exact.length * 2));
        next.set(this.exact);
        this.exact = next;
      }
      this.exact[this.exactLen++] = v;
      return;
    }
    // Overflow: move to the histogram for good and free the exact samples.
    const b = new Uint32Array(BUCKETS);
    for (let i = 0; i < this.exactLen; i++) b[LatencyHistogram.bucketOf(this.exact[i])]++;
    b[LatencyHistogram.bucketOf(v)]++;
    this.buckets = b;
    this.exact = new Float64Array(0);
    this.exactLen = 0;
  }

  /** True while percentiles are exact. */
  get isExact(): boolean {
    return this.buckets === undefined;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /** Nearest-rank percentile (p in 0..100): the smallest value with at least p% of samples ≤ it. 0 when empty. */
  percentile(p: number): number {
    const [v] = this.percentiles([p]);
    return v;
  }

  percentiles(ps: number[]): number[] {
    if (this.count === 0) return ps.map(() => 0);
    const ranks = ps.map((p) => Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count))));
    if (!this.buckets) {
      const sorted = this.exact.slice(0, this.exactLen).sort();
      return ranks.map((r) => sorted[r - 1]);
    }
    const b = this.buckets;
    return ranks.map((rank) => {
      let cum = 0;
      for (let i = 0; i < b.length; i++) {
        cum += b[i];
        if (cum >= rank) {
          const mid = i === 0 ? MIN : MIN * Math.pow(R, i + 0.5);
          return Math.min(this.max, Math.max(this.min, mid));
        }
      }
      return this.max;
    });
  }
}
