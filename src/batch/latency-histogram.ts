/**
 * Log-bucketed latency histogram: constant memory whatever the batch size, ~2 % precision.
 * (An array of every sample would grow with a million-name batch.)
 */
export class LatencyHistogram {
  private static readonly GROWTH = 1.02;
  private static readonly MIN_MS = 0.01;
  private readonly buckets = new Map<number, number>();
  private n = 0;

  record(ms: number): void {
    const v = Math.max(ms, LatencyHistogram.MIN_MS);
    const b = Math.floor(Math.log(v / LatencyHistogram.MIN_MS) / Math.log(LatencyHistogram.GROWTH));
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  /** The q-quantile (0-1) in ms, or 0 with no samples. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.ceil(q * this.n);
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b) ?? 0;
      if (seen >= rank)
        return Math.round(LatencyHistogram.MIN_MS * LatencyHistogram.GROWTH ** (b + 0.5) * 100) / 100;
    }
    return 0;
  }
}
