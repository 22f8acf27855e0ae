import { Code } from '../errors/status-code';

/**
 * How a call is retried. Every field is optional where it is taken (`Partial<RetryPolicy>`);
 * missing ones come from DEFAULT_RETRY_POLICY, filled with `??` (never `||`, so 0 stays 0).
 *
 * Defaults follow googleapis' google/longrunning/longrunning_grpc_service_config.json
 * (UNAVAILABLE only; 0.5 s initial backoff, x2, 10 s cap, 5 attempts) and AIP-194
 * (https://google.aip.dev/194: retry UNAVAILABLE with exponential backoff and jitter; never
 * retry the caller's own DEADLINE_EXCEEDED). Two deliberate additions:
 * - CancelOperation is idempotent, so an attempt that hit our own *per-attempt* timeout is
 *   retried; the caller's total deadline never is. So is a CANCELLED we did not cause (see
 *   retryableCodes).
 * - RESOURCE_EXHAUSTED is retried only when the server says when (google.rpc.RetryInfo), and
 *   never sooner than that delay. (gax and the generated clients decode RetryInfo but do not
 *   wait for it.)
 *
 * @example
 * ```ts
 * const retry: Partial<RetryPolicy> = { maxAttempts: 8, initialDelayMs: 200, totalTimeoutMs: 120_000 };
 * const canceller = createCanceller({ retry });
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. Defaults to 5. `1` disables retries. */
  maxAttempts: number;
  /** Upper bound of the first backoff, in ms. Defaults to 500. */
  initialDelayMs: number;
  /** Growth of the backoff bound per retry. Defaults to 2 (0.5 s, 1 s, 2 s, 4 s, ...). */
  multiplier: number;
  /** Cap of the backoff bound, in ms. Defaults to 10 000. */
  maxDelayMs: number;
  /** Deadline of one attempt, in ms. Defaults to 10 000. */
  perAttemptTimeoutMs: number;
  /** Deadline of the whole call, retries and backoff included, in ms. Defaults to 60 000. */
  totalTimeoutMs: number;
  /**
   * Codes retried with backoff. Defaults to [UNAVAILABLE, CANCELLED]. CANCELLED is there because
   * our own aborts never reach this check: a CANCELLED that does came from the other side (a
   * server shutting down resets its streams with it). RESOURCE_EXHAUSTED with RetryInfo and
   * per-attempt DEADLINE_EXCEEDED are retried regardless (see above).
   */
  retryableCodes: readonly number[];
  /**
   * Retry RESOURCE_EXHAUSTED that carries RetryInfo (after its delay). Defaults to true.
   * The batch engine turns it off: it slows the whole service down instead, so a quota
   * rejection does not use up one name's attempts.
   */
  retryResourceExhausted: boolean;
}

/**
 * The retry policy used where none is given: 5 attempts, backoff 0.5 s ×2 capped at 10 s
 * (full jitter), 10 s per attempt, 60 s in all; UNAVAILABLE and the server's CANCELLED are retried,
 * RESOURCE_EXHAUSTED only with RetryInfo.
 *
 * @example
 * ```ts
 * const canceller = createCanceller({ retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 } });
 * ```
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 500,
  multiplier: 2,
  maxDelayMs: 10_000,
  perAttemptTimeoutMs: 10_000,
  totalTimeoutMs: 60_000,
  retryableCodes: Object.freeze([Code.UNAVAILABLE, Code.CANCELLED]),
  retryResourceExhausted: true,
});

/** Fill a partial policy from the defaults, validating numbers so a typo cannot mean "retry forever". */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const p: RetryPolicy = {
    maxAttempts: partial.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    initialDelayMs: partial.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
    multiplier: partial.multiplier ?? DEFAULT_RETRY_POLICY.multiplier,
    maxDelayMs: partial.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    perAttemptTimeoutMs: partial.perAttemptTimeoutMs ?? DEFAULT_RETRY_POLICY.perAttemptTimeoutMs,
    totalTimeoutMs: partial.totalTimeoutMs ?? DEFAULT_RETRY_POLICY.totalTimeoutMs,
    retryableCodes: partial.retryableCodes ?? DEFAULT_RETRY_POLICY.retryableCodes,
    retryResourceExhausted: partial.retryResourceExhausted ?? DEFAULT_RETRY_POLICY.retryResourceExhausted,
  };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1)
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${p.maxAttempts}`);
  for (const key of ['initialDelayMs', 'maxDelayMs', 'perAttemptTimeoutMs', 'totalTimeoutMs'] as const) {
    if (!Number.isFinite(p[key]) || p[key] < 0)
      throw new RangeError(`${key} must be a finite number >= 0, got ${p[key]}`);
  }
  if (!Number.isFinite(p.multiplier) || p.multiplier < 1)
    throw new RangeError(`multiplier must be >= 1, got ${p.multiplier}`);
  return p;
}
