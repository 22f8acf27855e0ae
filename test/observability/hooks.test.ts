// The `hooks` option against a real emulator: every attempt (with its code and latency), every
// retry (code and delay) and every cancel's result, in order; a hook that throws fails nothing.
import { Code, createCanceller, type AttemptEvent, type ResultEvent, type RetryEvent } from '../../src';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const FAST = { initialDelayMs: 5, maxDelayMs: 20 };

function recorder(): {
  attempts: AttemptEvent[];
  retries: RetryEvent[];
  results: ResultEvent[];
  hooks: {
    onAttempt: (e: AttemptEvent) => void;
    onRetry: (e: RetryEvent) => void;
    onResult: (e: ResultEvent) => void;
  };
} {
  const attempts: AttemptEvent[] = [];
  const retries: RetryEvent[] = [];
  const results: ResultEvent[] = [];
  return {
    attempts,
    retries,
    results,
    hooks: {
      onAttempt: (e) => attempts.push(e),
      onRetry: (e) => retries.push(e),
      onResult: (e) => results.push(e),
    },
  };
}

test('a cancel that fails twice: three attempts, two retries with their delay, one result', async () => {
  const name = 'projects/p/operations/flaky';
  emu.get().store.seed({ name, service: 'datastore', failTimes: 2 });
  const r = recorder();
  const c = createCanceller({ emulator: emu.get().target, retry: FAST, hooks: r.hooks });
  try {
    const result = await c.cancel(name, { service: 'datastore' });
    expect(result.attempts).toBe(3);
  } finally {
    await c.close();
  }
  expect(r.attempts.map((a) => [a.attempt, a.codeName])).toEqual([
    [1, 'UNAVAILABLE'],
    [2, 'UNAVAILABLE'],
    [3, 'OK'],
  ]);
  for (const a of r.attempts) {
    expect(a).toMatchObject({
      service: 'datastore',
      method: 'CancelOperation',
      operationName: name,
      serverAddress: '127.0.0.1',
    });
    expect(a.latencyMs).toBeGreaterThanOrEqual(0);
  }
  expect(r.attempts[0]?.code).toBe(Code.UNAVAILABLE);
  expect(r.attempts[0]?.message).toEqual(expect.any(String));
  expect(r.attempts[2]?.message).toBeUndefined();
  expect(r.retries.map((e) => [e.retry, e.codeName, e.method])).toEqual([
    [1, 'UNAVAILABLE', 'CancelOperation'],
    [2, 'UNAVAILABLE', 'CancelOperation'],
  ]);
  for (const e of r.retries) expect(e.delayMs).toBeLessThanOrEqual(FAST.maxDelayMs);
  expect(r.results).toEqual([
    {
      name,
      service: 'datastore',
      outcome: 'cancel-requested',
      code: 0,
      codeName: 'OK',
      attempts: 3,
      latencyMs: expect.any(Number),
    },
  ]);
});

test('failures are results too: not-found, an invalid name (no attempt), an operation already done', async () => {
  emu.get().store.seed({ name: 'projects/p/operations/old', service: 'datastore', doneAs: 'completed' });
  const r = recorder();
  const c = createCanceller({ emulator: emu.get().target, service: 'datastore', hooks: r.hooks });
  try {
    await expect(c.cancel('projects/p/operations/missing')).rejects.toMatchObject({ outcome: 'not-found' });
    await expect(c.cancel('not a name')).rejects.toMatchObject({ outcome: 'invalid-name' });
    expect((await c.cancel('projects/p/operations/old')).outcome).toBe('completed');
  } finally {
    await c.close();
  }
  expect(r.results.map((e) => [e.outcome, e.codeName, e.attempts])).toEqual([
    ['not-found', 'NOT_FOUND', 1],
    ['invalid-name', 'INVALID_ARGUMENT', 0],
    ['completed', 'OK', 1],
  ]);
  // The already-done cancel read the operation back: its GetOperation attempt is seen too.
  expect(r.attempts.map((a) => `${a.method}:${a.codeName}`)).toEqual([
    'CancelOperation:NOT_FOUND',
    'CancelOperation:FAILED_PRECONDITION',
    'GetOperation:OK',
  ]);
});

test('cancelMany reports every name it sends through the same hooks', async () => {
  const names = ['a', 'b', 'c'].map((id) => `projects/p/operations/many-${id}`);
  for (const name of names) emu.get().store.seed({ name, service: 'datastore' });
  const r = recorder();
  const { cancelMany } = await import('../../src');
  const run = cancelMany(names, { emulator: emu.get().target, service: 'datastore', hooks: r.hooks });
  for await (const _ of run) {
    // drain
  }
  expect(r.results.map((e) => e.name).sort()).toEqual(names);
  expect(r.results.every((e) => e.outcome === 'cancel-requested')).toBe(true);
  expect(r.attempts).toHaveLength(3);
});

test('a hook that throws does not fail the call, and is reported to the logger', async () => {
  emu.get().store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
  const warned: unknown[] = [];
  const noop = (): void => {};
  const c = createCanceller({
    emulator: emu.get().target,
    hooks: {
      onAttempt: () => {
        throw new Error('hook bug');
      },
    },
    logger: { debug: noop, info: noop, error: noop, warn: (obj) => warned.push(obj) },
  });
  try {
    expect((await c.cancel('projects/p/operations/o', { service: 'datastore' })).outcome).toBe(
      'cancel-requested',
    );
  } finally {
    await c.close();
  }
  expect(warned).toEqual([{ hook: 'onAttempt', error: 'Error: hook bug' }]);
});
