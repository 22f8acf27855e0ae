import * as fc from 'fast-check';
import { computeBackoffMs } from '../../src/retry/compute-backoff';
import { DEFAULT_RETRY_POLICY } from '../../src/retry/retry-policy';

const pinned = (value: number) => () => value;

describe('computeBackoffMs (full jitter, pure)', () => {
  // [retry, random, expected ms] with the default policy: bound = min(10 000, 500 * 2^(retry-1)).
  test.each([
    [1, 0, 0],
    [1, 0.5, 250],
    [1, 0.999999, 499],
    [2, 0.5, 500],
    [2, 0.999999, 999],
    [3, 0.5, 1000],
    [4, 0.5, 2000],
    [5, 0.5, 4000],
    [5, 0.25, 2000],
    [6, 0.5, 5000], // bound 16 000 capped at 10 000
    [7, 0.999999, 9999],
    [50, 0.5, 5000],
    [0, 0.5, 250], // retry numbers below 1 use the initial bound
  ])('retry %i with random %d -> %i ms', (retry, random, expected) => {
    expect(computeBackoffMs(retry, DEFAULT_RETRY_POLICY, pinned(random))).toBe(expected);
  });

  test.each([
    [{ initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000 }, 1, 0.5, 50],
    [{ initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000 }, 2, 0.5, 150],
    [{ initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000 }, 3, 0.5, 450],
    [{ initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000 }, 4, 0.5, 500],
    [{ initialDelayMs: 100, multiplier: 1, maxDelayMs: 1000 }, 9, 0.5, 50],
    [{ initialDelayMs: 0, multiplier: 2, maxDelayMs: 1000 }, 3, 0.9, 0],
    [{ initialDelayMs: 100, multiplier: 2, maxDelayMs: 0 }, 3, 0.9, 0],
    [{ initialDelayMs: 10, multiplier: 2, maxDelayMs: 10_000 }, 1, 0.99, 9],
  ])('policy %o, retry %i, random %d -> %i ms', (policy, retry, random, expected) => {
    expect(computeBackoffMs(retry, policy, pinned(random))).toBe(expected);
  });

  test('is an integer in [0, bound) for any retry and any random in [0, 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        (retry, random, initialDelayMs, multiplier, maxDelayMs) => {
          const policy = { initialDelayMs, multiplier, maxDelayMs };
          const bound = Math.min(maxDelayMs, initialDelayMs * multiplier ** (retry - 1));
          const ms = computeBackoffMs(retry, policy, pinned(random));
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThan(bound);
        },
      ),
    );
  });

  test('the bound never shrinks from one retry to the next', () => {
    let last = -1;
    for (let retry = 1; retry <= 20; retry++) {
      const ms = computeBackoffMs(retry, DEFAULT_RETRY_POLICY, pinned(0.999999));
      expect(ms).toBeGreaterThanOrEqual(last);
      last = ms;
    }
    expect(last).toBe(9999);
  });

  test('defaults to Math.random (different values across many draws, all within the bound)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const ms = computeBackoffMs(3, DEFAULT_RETRY_POLICY);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(2000);
      seen.add(ms);
    }
    expect(seen.size).toBeGreaterThan(50);
  });
});
