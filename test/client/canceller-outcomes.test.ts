import { Code, createCanceller, OperationsError, type Canceller } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { useEmulator } from '../helpers/emulator';
import { getEventListeners } from 'node:events';
import { rejection } from '../helpers/rejection';
import { until } from '../helpers/until';

// Every outcome of CancelOperation, over real gRPC against the emulator.

const emu = useEmulator();
const OP = 'projects/p/locations/us-central1/operations/op-1';
const FULL = `//dataplex.googleapis.com/${OP}`;

let c: Canceller;
beforeEach(() => {
  c = createCanceller({ emulator: emu.get().target, retry: { initialDelayMs: 10, maxDelayMs: 20 } });
});
afterEach(async () => {
  await c.close();
});

test('cancel-requested: the server accepts, the result has name, service, attempts and latency; the operation ends CANCELLED', async () => {
  emu.get().store.seed({ name: OP, service: 'dataplex' });
  const r = await c.cancel(FULL);
  expect(r).toEqual({
    name: OP,
    service: 'dataplex',
    outcome: 'cancel-requested',
    attempts: 1,
    latencyMs: expect.any(Number),
  });
  expect(r.latencyMs).toBeGreaterThan(0);
  expect(r.latencyMs).toBeLessThan(5000);
  const op = emu.get().store.get(OP)!;
  expect(op.cancelRequests).toBe(1);
  expect(op.done).toBe(true);
  expect(op.error?.code).toBe(Code.CANCELLED);
  const calls = emu.get().callsOf('CancelOperation');
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ name: OP, service: 'dataplex', code: 0 });
});

test.each([
  ['datalineage', 'projects/p/locations/l/operations/a'],
  ['dataplex', 'organizations/123/locations/global/operations/b'],
  ['privateca', 'projects/p/locations/l/operations/c'],
  ['datastore', 'projects/p/operations/d'],
  ['discoveryengine', 'projects/p/locations/global/collections/c/dataStores/ds/branches/0/operations/e'],
  ['discoveryengine', 'projects/p/locations/global/dataStores/ds/branches/0/operations/f'],
])('cancel-requested on %s for %s, relative (service option) and full name', async (service, name) => {
  emu.get().store.seed({ name, service });
  const r = await c.cancel(name, { service });
  expect(r).toMatchObject({ name, service, outcome: 'cancel-requested', attempts: 1 });
  emu.get().store.seed({ name, service });
  const full = await c.cancel(`//${service}.googleapis.com/${name}`);
  expect(full).toMatchObject({ name, service, outcome: 'cancel-requested' });
  // the emulator told the service apart by :authority, as Google's front ends do
  expect(
    emu
      .get()
      .callsOf('CancelOperation')
      .map((x) => x.service),
  ).toEqual([service, service]);
});

test('the canceller-wide default service applies to relative names', async () => {
  const d = createCanceller({ emulator: emu.get().target, service: 'datastore' });
  try {
    emu.get().store.seed({ name: 'projects/p/operations/x', service: 'datastore' });
    await expect(d.cancel('projects/p/operations/x')).resolves.toMatchObject({
      service: 'datastore',
      outcome: 'cancel-requested',
    });
    // a per-call service wins over the default
    emu.get().store.seed({ name: OP, service: 'privateca' });
    await expect(d.cancel(OP, { service: 'privateca' })).resolves.toMatchObject({ service: 'privateca' });
  } finally {
    await d.close();
  }
});

test('a custom service host (not built in), allowed by serviceHosts, works end to end', async () => {
  const name = 'v1/projects/p/things/t/operations/o';
  emu.get().store.seed({ name, service: 'foo.googleapis.com' });
  const d = createCanceller({ emulator: emu.get().target, serviceHosts: ['foo.googleapis.com'] });
  try {
    const r = await d.cancel(`//foo.googleapis.com/${name}`);
    expect(r).toMatchObject({ name, service: 'foo.googleapis.com', outcome: 'cancel-requested' });
    expect(emu.get().callsOf('CancelOperation')[0]!.authority).toBe('foo.googleapis.com');
  } finally {
    await d.close();
  }
});

describe('unsupported (UNIMPLEMENTED)', () => {
  test('service-wide: setFaults unimplemented', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    emu.get().setFaults('dataplex', { unimplemented: true });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({
      outcome: 'unsupported',
      code: Code.UNIMPLEMENTED,
      codeName: 'UNIMPLEMENTED',
      attempts: 1,
      operationName: OP,
      service: 'dataplex',
    });
    expect(err.rawMessage).toMatch(/not supported/);
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(1);
    // faults are per service: another service still works
    emu.get().store.seed({ name: OP, service: 'privateca' });
    await expect(c.cancel(OP, { service: 'privateca' })).resolves.toMatchObject({
      outcome: 'cancel-requested',
    });
  });

  test("per operation: seed onCancel 'unimplemented'", async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex', onCancel: 'unimplemented' });
    const err = await rejection(c.cancel(FULL));
    expect(err.outcome).toBe('unsupported');
    expect(err.attempts).toBe(1);
    expect(emu.get().store.get(OP)!.done).toBe(false);
  });
});

test('not-found (NOT_FOUND): no such operation, and an operation of another service is not visible', async () => {
  let err = await rejection(c.cancel(FULL));
  expect(err).toMatchObject({
    outcome: 'not-found',
    code: Code.NOT_FOUND,
    codeName: 'NOT_FOUND',
    attempts: 1,
    operationName: OP,
  });
  expect(err.rawMessage).toContain(OP);
  emu.get().store.seed({ name: OP, service: 'privateca' });
  err = await rejection(c.cancel(FULL));
  expect(err.outcome).toBe('not-found');
  expect(emu.get().store.get(OP)!.cancelRequests).toBe(0);
});

describe('denied', () => {
  test('PERMISSION_DENIED (setFaults denied) is denied, not retried', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    emu.get().setFaults('dataplex', { denied: true });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({
      outcome: 'denied',
      code: Code.PERMISSION_DENIED,
      codeName: 'PERMISSION_DENIED',
      attempts: 1,
    });
    expect(err.rawMessage).toBe('The caller does not have permission');
    expect(err.message).toBe(`[PERMISSION_DENIED] ${OP}: The caller does not have permission`);
    expect(emu.get().calls).toHaveLength(1);
  });

  test('UNAUTHENTICATED is denied too', async () => {
    emu
      .get()
      .store.seed({ name: OP, service: 'dataplex', failTimes: 1, transientCode: Code.UNAUTHENTICATED });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({ outcome: 'denied', code: Code.UNAUTHENTICATED, attempts: 1 });
  });
});

describe('invalid-name', () => {
  test('local validation: no RPC', async () => {
    const err = await rejection(c.cancel('projects/p/operations/x', { service: 'dataplex' }));
    expect(err).toMatchObject({ outcome: 'invalid-name', code: Code.INVALID_ARGUMENT, attempts: 0 });
    expect(err.message).toContain('"projects/p/operations/x"');
    expect(err.message).toContain('"projects/*/locations/*/operations/*"');
    expect(emu.get().calls).toHaveLength(0);
  });

  test('INVALID_ARGUMENT from the server is invalid-name as well, after one attempt', async () => {
    emu
      .get()
      .store.seed({ name: OP, service: 'dataplex', failTimes: 1, transientCode: Code.INVALID_ARGUMENT });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({ outcome: 'invalid-name', code: Code.INVALID_ARGUMENT, attempts: 1 });
    expect(emu.get().calls).toHaveLength(1);
  });
});

describe('aborted', () => {
  test('an AbortSignal fired mid-call ends it at once with outcome aborted', async () => {
    // A name of its own: the emulator's handler finishes its 1.5 s sleep after this test is over.
    const slow = 'projects/p/locations/l/operations/slow-abort';
    emu.get().store.seed({ name: slow, service: 'dataplex' });
    emu.get().setFaults('dataplex', { latencyMs: 1500 });
    const ac = new AbortController();
    const started = Date.now();
    const pending = c.cancel(`//dataplex.googleapis.com/${slow}`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const err = await rejection(pending);
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({
      outcome: 'aborted',
      code: Code.CANCELLED,
      codeName: 'CANCELLED',
      attempts: 1,
      operationName: slow,
    });
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(1000);
    // the server saw the one call arrive, and it never got to cancel the operation
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(1);
    expect(emu.get().store.get(slow)!.cancelRequests).toBe(0);
  });

  test('one signal shared by 200 calls in flight: one listener on it per channel, not one per call, and aborting it ends them all', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `projects/p/locations/l/operations/shared-${i}`);
    for (const name of names) emu.get().store.seed({ name, service: 'dataplex' });
    const ac = new AbortController();
    await c.cancel(`//dataplex.googleapis.com/${names[0]}`, { signal: ac.signal }); // the channel is up
    emu.get().setFaults('dataplex', { latencyMs: 1500 });
    const pending = names
      .slice(1)
      .map((n) => rejection(c.cancel(`//dataplex.googleapis.com/${n}`, { signal: ac.signal })));
    await until(() => emu.get().callsOf('CancelOperation').length === names.length);
    // EventTarget scans its listeners on every add: a listener per call costs O(in flight) each.
    // One per channel instead (200 in flight: the pool has grown past one channel).
    const channels = callerOf(c).stubs().length;
    expect(channels).toBeGreaterThanOrEqual(2);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(channels);
    const started = Date.now();
    ac.abort();
    const errors = await Promise.all(pending);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const err of errors)
      expect(err).toMatchObject({ outcome: 'aborted', code: Code.CANCELLED, attempts: 1 });
    // a later call with the spent signal sends nothing
    const later = await rejection(c.cancel(`//dataplex.googleapis.com/${names[0]}`, { signal: ac.signal }));
    expect(later).toMatchObject({ outcome: 'aborted', attempts: 0 });
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(names.length);
  });

  test('a signal outlives its calls without a listener left on it (AbortSignal.timeout and AbortSignal.any signals stay alive while one is)', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    const signal = AbortSignal.timeout(60_000);
    await c.cancel(FULL, { signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const failing = new AbortController();
    await rejection(
      c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/missing', {
        signal: failing.signal,
      }),
    );
    expect(getEventListeners(failing.signal, 'abort')).toHaveLength(0);
  });

  test('an already-aborted signal sends nothing', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    const err = await rejection(c.cancel(FULL, { signal: AbortSignal.abort() }));
    expect(err).toMatchObject({ outcome: 'aborted', attempts: 0 });
    expect(emu.get().calls).toHaveLength(0);
  });

  test('aborting while waiting out a RetryInfo delay stops at once', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    emu.get().store.seed({ name: 'projects/p/locations/l/operations/first', service: 'dataplex' });
    emu.get().setFaults('dataplex', { quotaPerSecond: 1, quotaRetryDelayMs: 5000 });
    await c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/first'); // uses the one token
    const ac = new AbortController();
    const pending = rejection(c.cancel(FULL, { signal: ac.signal }));
    // Abort once the server has refused it (and 100 ms for the answer to reach the client): the
    // call is then in its 5 s RetryInfo wait, however slow the machine.
    await until(
      () => emu.get().callsOf('CancelOperation')[1]?.code === Code.RESOURCE_EXHAUSTED,
      'the quota refusal',
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    ac.abort();
    const err = await pending;
    expect(err).toMatchObject({ outcome: 'aborted', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(2);
  });
});

describe('the call layer', () => {
  test('leaves Error.stackTraceLimit as it found it, after calls that succeed and calls that fail', async () => {
    const before = Error.stackTraceLimit;
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    await c.cancel(FULL);
    const err = await rejection(
      c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/missing'),
    );
    expect(err).toMatchObject({ outcome: 'not-found' });
    expect(Error.stackTraceLimit).toBe(before);
    // and our own error still carries a stack, with frames
    expect((err as Error).stack).toMatch(/\n\s+at /);
  });

  test('a bad per-call retry policy is a rejection, never a synchronous throw', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    await c.cancel(FULL); // the channel exists: the fast path
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = c.cancel(FULL, { retry: { maxAttempts: 0 } });
    }).not.toThrow();
    await expect(promise).rejects.toThrow(/maxAttempts/);
    expect(() => void c.cancel('not a name').catch(() => undefined)).not.toThrow();
  });
});

describe('error', () => {
  test('INTERNAL is error and not retried (attempts 1)', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex', failTimes: 3, transientCode: Code.INTERNAL });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({
      outcome: 'error',
      code: Code.INTERNAL,
      codeName: 'INTERNAL',
      attempts: 1,
      rawMessage: 'transient failure (scripted)',
    });
    expect(emu.get().callsOf('CancelOperation')).toHaveLength(1);
  });

  test('an injected error rate of 1 with INTERNAL is error', async () => {
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    emu.get().setFaults('*', { errorRate: 1, errorCode: Code.INTERNAL });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({
      outcome: 'error',
      code: Code.INTERNAL,
      attempts: 1,
      rawMessage: 'injected fault',
    });
  });

  test.each([
    ['completed', {}],
    ['cancelled', { finalCode: Code.CANCELLED }],
    ['failed', { finalCode: Code.INTERNAL }],
  ] as const)(
    'an operation already done (FAILED_PRECONDITION) is read back once and reported as what it is: %s',
    async (doneAs, extra) => {
      emu.get().store.seed({ name: OP, service: 'dataplex', doneAs });
      const r = await c.cancel(FULL);
      expect(r).toMatchObject({ outcome: doneAs, alreadyDone: true, attempts: 1, ...extra });
      expect(
        emu
          .get()
          .callsOf('CancelOperation')
          .map((x) => x.code),
      ).toEqual([Code.FAILED_PRECONDITION]);
      expect(emu.get().callsOf('GetOperation')).toHaveLength(1);
    },
  );

  test('FAILED_PRECONDITION for an operation that is still running stays an error (nothing to read back)', async () => {
    emu
      .get()
      .store.seed({ name: OP, service: 'dataplex', failTimes: 1, transientCode: Code.FAILED_PRECONDITION });
    const err = await rejection(c.cancel(FULL));
    expect(err).toMatchObject({ outcome: 'error', code: Code.FAILED_PRECONDITION, attempts: 1 });
    expect(emu.get().callsOf('GetOperation')).toHaveLength(1);
  });

  test('RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo, once maxAttempts is used up: details are decoded', async () => {
    emu.get().store.seed({ name: 'projects/p/locations/l/operations/first', service: 'dataplex' });
    emu.get().store.seed({ name: OP, service: 'dataplex' });
    emu.get().setFaults('dataplex', { quotaPerSecond: 1, quotaRetryDelayMs: 1500 });
    await c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/first');
    const one = createCanceller({ emulator: emu.get().target, retry: { maxAttempts: 1 } });
    try {
      const err = await rejection(one.cancel(FULL));
      expect(err).toMatchObject({
        outcome: 'error',
        code: Code.RESOURCE_EXHAUSTED,
        codeName: 'RESOURCE_EXHAUSTED',
        attempts: 1,
        service: 'dataplex',
        operationName: OP,
      });
      expect(err.rawMessage).toMatch(/Quota exceeded/);
      expect(err.details).toHaveLength(2);
      expect(err.findDetail('google.rpc.RetryInfo')).toMatchObject({
        retryDelay: { seconds: '1', nanos: 500_000_000 },
      });
      expect(err.findDetail('google.rpc.ErrorInfo')).toMatchObject({
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
      });
    } finally {
      await one.close();
    }
  });
});

test('every failure is an OperationsError exported from the package root', async () => {
  const err = await c.cancel(FULL).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OperationsError);
  expect(err).toBeInstanceOf(Error);
});
