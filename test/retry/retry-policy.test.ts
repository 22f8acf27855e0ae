import { Code } from '../../src/errors/status-code';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, type RetryPolicy } from '../../src/retry/retry-policy';

describe('DEFAULT_RETRY_POLICY', () => {
  test('follows longrunning_grpc_service_config.json: UNAVAILABLE, 0.5 s initial, x2, 10 s cap, 5 attempts', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(5);
    expect(DEFAULT_RETRY_POLICY.initialDelayMs).toBe(500);
    expect(DEFAULT_RETRY_POLICY.multiplier).toBe(2);
    expect(DEFAULT_RETRY_POLICY.maxDelayMs).toBe(10_000);
    expect([...DEFAULT_RETRY_POLICY.retryableCodes]).toEqual([Code.UNAVAILABLE, Code.CANCELLED]);
    expect(DEFAULT_RETRY_POLICY.perAttemptTimeoutMs).toBeGreaterThan(0);
    expect(DEFAULT_RETRY_POLICY.totalTimeoutMs).toBeGreaterThanOrEqual(
      DEFAULT_RETRY_POLICY.perAttemptTimeoutMs,
    );
  });

  test('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.retryableCodes)).toBe(true);
  });
});

describe('resolveRetryPolicy', () => {
  test('fills every missing field from the defaults', () => {
    expect(resolveRetryPolicy()).toEqual({ ...DEFAULT_RETRY_POLICY });
    expect(resolveRetryPolicy({})).toEqual({ ...DEFAULT_RETRY_POLICY });
    const p = resolveRetryPolicy({ maxAttempts: 2 });
    expect(p.maxAttempts).toBe(2);
    expect(p.initialDelayMs).toBe(500);
    expect(p.totalTimeoutMs).toBe(DEFAULT_RETRY_POLICY.totalTimeoutMs);
  });

  test.each(['initialDelayMs', 'maxDelayMs', 'perAttemptTimeoutMs', 'totalTimeoutMs'] as const)(
    'keeps %s: 0 (?? not ||)',
    (key) => {
      const p = resolveRetryPolicy({ [key]: 0 } as Partial<RetryPolicy>);
      expect(p[key]).toBe(0);
    },
  );

  test('keeps an empty retryableCodes list (nothing retried by code)', () => {
    expect(resolveRetryPolicy({ retryableCodes: [] }).retryableCodes).toEqual([]);
  });

  test('keeps every given value', () => {
    const given = {
      maxAttempts: 7,
      initialDelayMs: 3,
      multiplier: 1.5,
      maxDelayMs: 40,
      perAttemptTimeoutMs: 11,
      totalTimeoutMs: 99,
      retryableCodes: [Code.UNAVAILABLE, Code.INTERNAL],
    };
    expect(resolveRetryPolicy(given)).toMatchObject(given);
  });

  test('does not modify its argument', () => {
    const partial: Partial<RetryPolicy> = { maxAttempts: 3 };
    resolveRetryPolicy(partial);
    expect(partial).toEqual({ maxAttempts: 3 });
  });

  test.each<[string, Partial<RetryPolicy>, RegExp]>([
    ['maxAttempts 0', { maxAttempts: 0 }, /maxAttempts must be an integer >= 1, got 0/],
    ['maxAttempts -1', { maxAttempts: -1 }, /maxAttempts/],
    ['maxAttempts 2.5', { maxAttempts: 2.5 }, /maxAttempts/],
    ['maxAttempts NaN', { maxAttempts: Number.NaN }, /maxAttempts/],
    ['maxAttempts Infinity', { maxAttempts: Number.POSITIVE_INFINITY }, /maxAttempts/],
    ['initialDelayMs -1', { initialDelayMs: -1 }, /initialDelayMs must be a finite number >= 0, got -1/],
    ['maxDelayMs NaN', { maxDelayMs: Number.NaN }, /maxDelayMs/],
    [
      'perAttemptTimeoutMs Infinity',
      { perAttemptTimeoutMs: Number.POSITIVE_INFINITY },
      /perAttemptTimeoutMs/,
    ],
    ['totalTimeoutMs -5', { totalTimeoutMs: -5 }, /totalTimeoutMs/],
    ['multiplier 0.5', { multiplier: 0.5 }, /multiplier must be >= 1, got 0.5/],
    ['multiplier 0', { multiplier: 0 }, /multiplier/],
    ['multiplier NaN', { multiplier: Number.NaN }, /multiplier/],
  ])('rejects %s with a RangeError naming the field', (_what, partial, message) => {
    expect(() => resolveRetryPolicy(partial)).toThrow(RangeError);
    expect(() => resolveRetryPolicy(partial)).toThrow(message);
  });

  test('an explicit undefined falls back to the default', () => {
    expect(resolveRetryPolicy({ maxAttempts: undefined as unknown as number }).maxAttempts).toBe(5);
  });
});
