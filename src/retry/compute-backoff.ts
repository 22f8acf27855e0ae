import type { RetryPolicy } from './retry-policy';

/**
 * Delay before retry number `retry` (1 for the first retry), with "full jitter":
 * uniform in [0, min(maxDelay, initial * multiplier^(retry-1))). Full jitter spreads a
 * thundering herd best (AWS architecture blog, "Exponential Backoff And Jitter").
 * Pure: randomness is a parameter so tests can pin it.
 */
export function computeBackoffMs(
  retry: number,
  policy: Pick<RetryPolicy, 'initialDelayMs' | 'multiplier' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const bound = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, retry - 1),
  );
  return Math.floor(bound * random());
}
