import { Code, createCanceller, OperationsError, type CancellerOptions } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { startOperationsEmulator } from '../../src/emulator';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';

// Retries, backoff, RetryInfo and deadlines of CancelOperation, over real gRPC.

const emu = useEmulator();
const N = (id: string): string => `projects/p/locations/l/operations/${id}`;
const FULL = (id: string): string => `//dataplex.googleapis.com/${N(id)}`;

type Retry = [code: number, retry: number, delayMs: number];

/**
 * Run `fn` with a fresh canceller whose dataplex channel is already connected: tests that time
 * attempts must not have the connection setup (slow on a loaded machine) inside an attempt's budget.
 */
async function withCanceller<T>(
  options: CancellerOptions,
  fn: (c: ReturnType<typeof createCanceller>) => Promise<T>,
): Promise<T> {
  const c = createCanceller({
    emulator: emu.get().target,
    ...options,
    retry: { initialDelayMs: 10, maxDelayMs: 40, ...options.retry },
  });
  try {
    await callerOf(c).connect('dataplex');
    return await fn(c);
  } finally {
    await c.close();
  }
}

function gaps(id: string): number[] {
  const calls = emu
    .get()
    .callsOf('CancelOperation')
    .filter((x) => x.name === N(id));
  return calls.slice(1).map((x, i) => x.at - calls[i]!.at);
}

test('UNAVAILABLE is retried with backoff: failTimes 2 -> attempts 3, onRetry told before each retry', async () => {
  emu.get().store.seed({ name: N('u'), service: 'dataplex', failTimes: 2 });
  const retries: Retry[] = [];
  const r = await withCanceller(
    { onRetry: (e, n, d) => retries.push([e.code, n, d]), retry: { initialDelayMs: 40, maxDelayMs: 1000 } },
    (c) => c.cancel(FULL('u')),
  );
  expect(r).toMatchObject({ outcome: 'cancel-requested', attempts: 3 });
  expect(retries.map(([code, n]) => [code, n])).toEqual([
    [Code.UNAVAILABLE, 1],
    [Code.UNAVAILABLE, 2],
  ]);
  // full jitter: below the bound of 40 ms, then 80 ms
  expect(retries[0]![2]).toBeGreaterThanOrEqual(0);
  expect(retries[0]![2]).toBeLessThan(40);
  expect(retries[1]![2]).toBeLessThan(80);
  const calls = emu.get().callsOf('CancelOperation');
  expect(calls.map((x) => x.code)).toEqual([Code.UNAVAILABLE, Code.UNAVAILABLE, 0]);
  // the waits really happened (the server saw the calls at least that far apart)
  const g = gaps('u');
  expect(g[0]).toBeGreaterThanOrEqual(retries[0]![2] - 1);
  expect(g[1]).toBeGreaterThanOrEqual(retries[1]![2] - 1);
  expect(emu.get().store.get(N('u'))!.done).toBe(true);
});

test('retry options of 0 are kept through the canceller (initialDelayMs 0: retries without waiting)', async () => {
  emu.get().store.seed({ name: N('z'), service: 'dataplex', failTimes: 3 });
  const delays: number[] = [];
  const c = createCanceller({
    emulator: emu.get().target,
    retry: { initialDelayMs: 0 },
    onRetry: (_e, _n, d) => delays.push(d),
  });
  try {
    await callerOf(c).connect('dataplex');
    const r = await c.cancel(FULL('z'));
    expect(r.attempts).toBe(4);
    expect(delays).toEqual([0, 0, 0]);
    // No real waits either, timed by the server: with 0 replaced by the default (500 ms, doubling)
    // the three waits would average ~1.75 s; 500 ms leaves a loaded machine room for 3 round trips.
    const calls = emu.get().callsOf('CancelOperation');
    expect(calls.at(-1)!.at - calls[0]!.at).toBeLessThan(500);
  } finally {
    await c.close();
  }
});

test('maxAttempts is respected (3), and the default is 5', async () => {
  emu.get().store.seed({ name: N('m'), service: 'dataplex', failTimes: 100 });
  let err = await rejection(withCanceller({ retry: { maxAttempts: 3 } }, (c) => c.cancel(FULL('m'))));
  expect(err).toMatchObject({ outcome: 'error', code: Code.UNAVAILABLE, attempts: 3 });
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(3);

  emu.get().calls.length = 0;
  err = await rejection(withCanceller({}, (c) => c.cancel(FULL('m'))));
  expect(err.attempts).toBe(5);
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(5);
});

test('maxAttempts given per call overrides the canceller', async () => {
  emu.get().store.seed({ name: N('pc'), service: 'dataplex', failTimes: 100 });
  const err = await rejection(
    withCanceller({ retry: { maxAttempts: 5 } }, (c) => c.cancel(FULL('pc'), { retry: { maxAttempts: 2 } })),
  );
  expect(err.attempts).toBe(2);
  expect(emu.get().calls).toHaveLength(2);
});

// CANCELLED is left out: a CANCELLED we did not cause (a server shutting down) may be retried.
test.each([
  ['UNKNOWN', Code.UNKNOWN],
  ['INVALID_ARGUMENT', Code.INVALID_ARGUMENT],
  ['NOT_FOUND', Code.NOT_FOUND],
  ['ALREADY_EXISTS', Code.ALREADY_EXISTS],
  ['PERMISSION_DENIED', Code.PERMISSION_DENIED],
  ['FAILED_PRECONDITION', Code.FAILED_PRECONDITION],
  ['ABORTED', Code.ABORTED],
  ['OUT_OF_RANGE', Code.OUT_OF_RANGE],
  ['UNIMPLEMENTED', Code.UNIMPLEMENTED],
  ['INTERNAL', Code.INTERNAL],
  ['DATA_LOSS', Code.DATA_LOSS],
  ['UNAUTHENTICATED', Code.UNAUTHENTICATED],
  ['RESOURCE_EXHAUSTED without RetryInfo', Code.RESOURCE_EXHAUSTED],
])('%s from the server is never retried', async (_name, code) => {
  emu.get().store.seed({ name: N('n'), service: 'dataplex', failTimes: 1, transientCode: code });
  const onRetry = jest.fn();
  const err = await rejection(withCanceller({ onRetry }, (c) => c.cancel(FULL('n'))));
  expect(err.code).toBe(code);
  expect(err.attempts).toBe(1);
  expect(err.details).toEqual([]);
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(1);
  expect(onRetry).not.toHaveBeenCalled();
});

test("the server's own CANCELLED is outcome error, never 'aborted' (that is only for our signal or close)", async () => {
  emu.get().store.seed({ name: N('sc'), service: 'dataplex', failTimes: 1, transientCode: Code.CANCELLED });
  const err = await rejection(withCanceller({ retry: { maxAttempts: 1 } }, (c) => c.cancel(FULL('sc'))));
  expect(err).toMatchObject({
    code: Code.CANCELLED,
    outcome: 'error',
    attempts: 1,
    rawMessage: 'transient failure (scripted)',
  });
});

test('a code listed in retryableCodes is retried', async () => {
  emu.get().store.seed({ name: N('i'), service: 'dataplex', failTimes: 2, transientCode: Code.INTERNAL });
  const r = await withCanceller({ retry: { retryableCodes: [Code.UNAVAILABLE, Code.INTERNAL] } }, (c) =>
    c.cancel(FULL('i')),
  );
  expect(r.attempts).toBe(3);
});

test('RESOURCE_EXHAUSTED with RetryInfo is retried, and never sooner than the RetryInfo delay', async () => {
  const e = emu.get();
  e.store.seed({ name: N('drain'), service: 'dataplex' });
  e.store.seed({ name: N('q'), service: 'dataplex' });
  // One token, refilled after a whole second: 'q' is refused unless a second passes between the
  // two calls (4 tokens at 4/s refilled one every 250 ms, which a loaded machine could let pass).
  // 300 ms retries then meet the quota about 3 times before the refill: room for 10 attempts.
  e.setFaults('dataplex', { quotaPerSecond: 1, quotaRetryDelayMs: 300 });
  const retries: Retry[] = [];
  const r = await withCanceller(
    { onRetry: (err, n, d) => retries.push([err.code, n, d]), retry: { maxAttempts: 10 } },
    async (c) => {
      await c.cancel(FULL('drain')); // takes the one token
      return c.cancel(FULL('q'));
    },
  );
  expect(r).toMatchObject({ outcome: 'cancel-requested' });
  expect(r.attempts).toBeGreaterThanOrEqual(2);
  expect(retries[0]![0]).toBe(Code.RESOURCE_EXHAUSTED);
  expect(retries).toHaveLength(r.attempts - 1);
  // the backoff bound is 10-40 ms here, far below the server's 300 ms: the server's delay wins
  for (const [, , delay] of retries) expect(delay).toBeGreaterThanOrEqual(300);
  const calls = e.callsOf('CancelOperation').filter((x) => x.name === N('q'));
  expect(calls[0]!.code).toBe(Code.RESOURCE_EXHAUSTED);
  expect(calls.at(-1)!.code).toBe(0);
  // (1 ms: the server stamps with Date.now(), timers run on libuv's own millisecond clock)
  for (const g of gaps('q')) expect(g).toBeGreaterThanOrEqual(299);
});

test('RESOURCE_EXHAUSTED whose RetryInfo delay outlives the total timeout fails at once', async () => {
  const e = emu.get();
  e.store.seed({ name: N('first'), service: 'dataplex' });
  e.store.seed({ name: N('q2'), service: 'dataplex' });
  e.setFaults('dataplex', { quotaPerSecond: 1, quotaRetryDelayMs: 5000 });
  let started = 0;
  const err = await rejection(
    withCanceller({ retry: { totalTimeoutMs: 3000 } }, async (c) => {
      await c.cancel(FULL('first'));
      started = Date.now(); // the connection is up and the token spent: time the refused call alone
      return c.cancel(FULL('q2'));
    }),
  );
  expect(err).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, attempts: 1, outcome: 'error' });
  // One round trip; waiting (the 5 s delay, or until the 3 s total timeout) would take >= 3 s.
  expect(Date.now() - started).toBeLessThan(1500);
});

describe('deadlines', () => {
  test('an attempt that hits the per-attempt timeout is retried (DEADLINE_EXCEEDED of our own deadline)', async () => {
    const e = emu.get();
    e.store.seed({ name: N('slow-once'), service: 'dataplex' });
    // The server would answer after 3 s; the attempt gives up at 250 ms (room for a loaded
    // machine's round trip on the second, answered, attempt).
    e.setFaults('dataplex', { latencyMs: 3000 });
    const retries: Retry[] = [];
    const r = await withCanceller(
      {
        retry: { perAttemptTimeoutMs: 250 },
        onRetry: (err, n, d) => {
          retries.push([err.code, n, d]);
          e.clearFaults(); // the next attempt is answered at once
        },
      },
      (c) => c.cancel(FULL('slow-once')),
    );
    expect(r).toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
    expect(retries.map(([code, n]) => [code, n])).toEqual([[Code.DEADLINE_EXCEEDED, 1]]);
    // Both attempts reached the server, the second only once the first had used its 250 ms;
    // the call ended long before the server's 3 s answer to the first.
    const calls = e.callsOf('CancelOperation');
    expect(calls.map((x) => x.code)).toEqual([undefined, 0]); // the first was never answered
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(240);
    expect(r.latencyMs).toBeGreaterThanOrEqual(245);
    expect(r.latencyMs).toBeLessThan(2000);
  });

  test('per-attempt timeouts count against maxAttempts; the result is DEADLINE_EXCEEDED, outcome error', async () => {
    emu.get().store.seed({ name: N('slow-always'), service: 'dataplex' });
    emu.get().setFaults('dataplex', { latencyMs: 5000 });
    let started = 0;
    // 150 ms attempts on a connected channel: each reaches the server even on a loaded machine.
    const err = await rejection(
      withCanceller({ retry: { perAttemptTimeoutMs: 150, maxAttempts: 3 } }, (c) => {
        started = Date.now();
        return c.cancel(FULL('slow-always'));
      }),
    );
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({
      code: Code.DEADLINE_EXCEEDED,
      codeName: 'DEADLINE_EXCEEDED',
      outcome: 'error',
      attempts: 3,
    });
    expect(err.rawMessage).not.toMatch(/total timeout/);
    const calls = emu.get().callsOf('CancelOperation');
    expect(calls).toHaveLength(3);
    // each retry only after the attempt before had used its 150 ms (arrivals jitter some ms)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(100);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(100);
    // 3 x 150 ms and two short backoffs; waiting for the server would take 5 s
    expect(elapsed).toBeGreaterThanOrEqual(440);
    expect(elapsed).toBeLessThan(2500);
  });

  test('the total timeout (per call timeoutMs) ends the call with DEADLINE_EXCEEDED, is not retried and does not hang', async () => {
    emu.get().store.seed({ name: N('slow-total'), service: 'dataplex' });
    emu.get().setFaults('dataplex', { latencyMs: 5000 });
    const c = createCanceller({ emulator: emu.get().target, retry: { initialDelayMs: 10 } });
    await callerOf(c).connect('dataplex'); // the 200 ms are the call's, not the connection's
    const started = Date.now();
    const err = await rejection(c.cancel(FULL('slow-total'), { timeoutMs: 200 }));
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({
      code: Code.DEADLINE_EXCEEDED,
      outcome: 'error',
      attempts: 1,
      operationName: N('slow-total'),
    });
    expect(err.rawMessage).toMatch(/total timeout of 200 ms exceeded after 1 attempt/);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    // not the server's 5 s answer (2 s: a loaded machine's late timers)
    expect(elapsed).toBeLessThan(2000);
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(1);
    const closing = Date.now();
    await c.close();
    expect(Date.now() - closing).toBeLessThan(200);
  });

  test('with per-attempt retries inside a total timeout, the total deadline still wins', async () => {
    emu.get().store.seed({ name: N('slow-both'), service: 'dataplex' });
    emu.get().setFaults('dataplex', { latencyMs: 5000 });
    let started = 0;
    const err = await rejection(
      withCanceller({ retry: { perAttemptTimeoutMs: 150, totalTimeoutMs: 600, maxAttempts: 100 } }, (c) => {
        started = Date.now();
        return c.cancel(FULL('slow-both'));
      }),
    );
    const elapsed = Date.now() - started;
    // Either the last attempt ran into the total deadline ("total timeout of 600 ms exceeded") or
    // the next backoff would have outlived it (the last per-attempt DEADLINE_EXCEEDED is kept).
    // 600 ms hold at most 4 attempts of 150 ms; late timers only make for fewer.
    expect(err).toMatchObject({ code: Code.DEADLINE_EXCEEDED, outcome: 'error' });
    expect(err.attempts).toBeGreaterThanOrEqual(2);
    expect(err.attempts).toBeLessThanOrEqual(4);
    expect(emu.get().callsOf('CancelOperation').length).toBeLessThanOrEqual(err.attempts);
    expect(elapsed).toBeGreaterThanOrEqual(300);
    // the total deadline, not the server's 5 s answer, nor maxAttempts' 100 attempts
    expect(elapsed).toBeLessThan(2500);
  });
});

describe('an unreachable or restarting server', () => {
  test('connection refused is UNAVAILABLE, retried up to maxAttempts', async () => {
    const down = await startOperationsEmulator();
    const target = down.target;
    await down.stop();
    const c = createCanceller({
      emulator: target,
      retry: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
    });
    try {
      const err = await rejection(c.cancel(FULL('x')));
      expect(err).toMatchObject({ code: Code.UNAVAILABLE, outcome: 'error', attempts: 3 });
    } finally {
      await c.close();
    }
  });

  test('a server that comes back during the retries gets the cancel', async () => {
    const e = await startOperationsEmulator();
    e.store.seed({ name: N('r'), service: 'dataplex' });
    const c = createCanceller({
      emulator: e.target,
      retry: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts: 50, totalTimeoutMs: 10_000 },
    });
    try {
      await e.stop();
      const pending = c.cancel(FULL('r'));
      await new Promise((r) => setTimeout(r, 150));
      await e.start();
      const r = await pending;
      expect(r.outcome).toBe('cancel-requested');
      expect(r.attempts).toBeGreaterThan(1);
      expect(e.store.get(N('r'))!.cancelRequests).toBe(1);
    } finally {
      await c.close();
      await e.stop();
    }
  });
});

test('retry errors are OperationsErrors carrying the operation name and service', async () => {
  emu.get().store.seed({ name: N('x'), service: 'dataplex', failTimes: 100 });
  const err = await withCanceller({ retry: { maxAttempts: 2 } }, (c) => c.cancel(FULL('x'))).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OperationsError);
  expect(err).toMatchObject({ operationName: N('x'), service: 'dataplex', attempts: 2 });
});
