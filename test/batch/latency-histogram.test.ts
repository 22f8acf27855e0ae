// LatencyHistogram's quantiles on known inputs: within its ~2 % bucket precision of the exact
// order statistic (the ceil(q * n)-th smallest sample), whatever the order samples came in.
import { LatencyHistogram } from '../../src/batch/latency-histogram';

/** The exact q-quantile as the histogram defines it: the ceil(q * n)-th smallest sample. */
function exact(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

function histogramOf(samples: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  return h;
}

const QS = [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

test('no samples: every quantile is 0', () => {
  const h = new LatencyHistogram();
  expect([h.quantile(0.5), h.quantile(0.95), h.quantile(0.99)]).toEqual([0, 0, 0]);
  expect(h.count).toBe(0);
});

test('one sample: every quantile is that value, within 2 %', () => {
  for (const v of [0.5, 3, 100, 12_345]) {
    const h = histogramOf([v]);
    for (const q of QS) expect(Math.abs(h.quantile(q) - v) / v).toBeLessThanOrEqual(0.02);
  }
});

test('1..1000 ms, shuffled: p50 ~ 500, p95 ~ 950, p99 ~ 990 (each within 2 % of the exact order statistic)', () => {
  const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
  // A fixed shuffle: the order samples arrive in must not matter.
  for (let i = samples.length - 1, seed = 7; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [samples[i], samples[j]] = [samples[j] as number, samples[i] as number];
  }
  const h = histogramOf(samples);
  expect(h.count).toBe(1000);
  for (const q of QS) {
    const want = exact(samples, q);
    expect(Math.abs(h.quantile(q) - want) / want).toBeLessThanOrEqual(0.02);
  }
  expect(h.quantile(0.5)).toBeGreaterThan(490);
  expect(h.quantile(0.5)).toBeLessThan(510);
  expect(h.quantile(0.99)).toBeGreaterThan(970);
});

test('90 fast (10 ms) and 10 slow (1000 ms) samples: p50 is fast, p95 and p99 are slow', () => {
  const h = histogramOf([...Array<number>(90).fill(10), ...Array<number>(10).fill(1000)]);
  expect(h.quantile(0.5)).toBeGreaterThan(9.8);
  expect(h.quantile(0.5)).toBeLessThan(10.2);
  expect(h.quantile(0.9)).toBeLessThan(10.3); // the 90th sample is still a fast one
  expect(h.quantile(0.95)).toBeGreaterThan(980);
  expect(h.quantile(0.99)).toBeGreaterThan(980);
  expect(h.quantile(0.99)).toBeLessThan(1020);
});

test('samples from 50 µs to 50 s (seven decades): each quantile is the right one, in order', () => {
  const samples = [50_000, 0.05, 500, 5, 5000, 0.5, 50];
  const h = histogramOf(samples);
  const got = [1, 2, 3, 4, 5, 6, 7].map((k) => h.quantile(k / 7));
  const want = [0.05, 0.5, 5, 50, 500, 5000, 50_000];
  for (const [i, g] of got.entries())
    expect(Math.abs(g - (want[i] as number)) / (want[i] as number)).toBeLessThanOrEqual(0.02);
});
