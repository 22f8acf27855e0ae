// Connection faults over real gRPC: the emulator's GOAWAY (grpc-js Server.drain), connection
// drops (TCP reset, or the HTTP/2 session closed under its streams), per-call drops, and a
// batch of 500 calls in flight when the connection goes away.
import { Code, createCanceller, OperationsError } from '../../src';
import { cancelMany, type BatchRecord, type BatchStats } from '../../src/batch/cancel-many';
import { translateGrpcError } from '../../src/errors/translate-grpc-error';
import type { OperationsEmulator } from '../../src/emulator';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';
import { until } from '../helpers/until';

const emu = useEmulator();
const N = (id: string | number): string => `projects/p/operations/cf-${id}`;

/** Calls that reached the emulator in this test (the log is cleared per test; `inflightCalls` is not). */
const arrived = (e: OperationsEmulator, n: number) => (): boolean => e.callsOf('CancelOperation').length >= n;

function seed(e: OperationsEmulator, count: number, prefix: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = N(`${prefix}${i}`);
    e.store.seed({ name, service: 'datastore' });
    names.push(name);
  }
  return names;
}

describe('emulator connection knobs', () => {
  test('dropConnections(): every call in flight fails at once with UNAVAILABLE (connection reset); the port keeps listening', async () => {
    const e = emu.get();
    const names = seed(e, 20, 'reset');
    e.setFaults('datastore', { latencyMs: 5000 });
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { maxAttempts: 1 } });
    try {
      const pending = names.map((n) => rejection(c.cancel(n)));
      await until(arrived(e, 20), '20 calls in flight');
      const firstPeer = e.calls[0]!.peer;
      const dropped = e.connectionsDropped;
      const t0 = Date.now();
      expect(e.dropConnections()).toBe(1);
      const errors = await Promise.all(pending);
      expect(Date.now() - t0).toBeLessThan(1000);
      // grpc-js words a reset "Connection dropped" or passes on the socket's "read ECONNRESET",
      // depending on which it notices first; both are the reset, and both are UNAVAILABLE.
      for (const err of errors) {
        expect(err).toMatchObject({ code: Code.UNAVAILABLE, attempts: 1, outcome: 'error' });
        expect((err as { rawMessage: string }).rawMessage).toMatch(/^(Connection dropped|read ECONNRESET)$/);
      }
      expect(e.connectionsDropped - dropped).toBe(1);
      // Same port, new connection.
      e.clearFaults();
      e.store.seed({ name: N('after'), service: 'datastore' });
      await expect(c.cancel(N('after'), { waitForReady: true })).resolves.toMatchObject({
        outcome: 'cancel-requested',
        attempts: 1,
      });
      expect(e.calls.at(-1)!.peer).not.toBe(firstPeer);
    } finally {
      await c.close();
    }
  });

  test("dropConnections('close') ends the HTTP/2 session under its streams: retried like a reset, not reported as INTERNAL", async () => {
    const e = emu.get();
    const names = seed(e, 20, 'close');
    e.setFaults('datastore', { latencyMs: 300 });
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { initialDelayMs: 20 } });
    try {
      const pending = names.map((n) => c.cancel(n));
      await until(arrived(e, 20), '20 calls in flight');
      expect(e.dropConnections('close')).toBe(1);
      const results = await Promise.all(pending);
      // Every call was cut, every one was retried and every cancel landed.
      for (const r of results) expect(r).toMatchObject({ outcome: 'cancel-requested' });
      expect(results.every((r) => r.attempts >= 2)).toBe(true);
    } finally {
      await c.close();
    }
  });

  test('goaway(grace): calls in flight finish on the old connection; the next call opens a new one', async () => {
    const e = emu.get();
    const names = seed(e, 20, 'ga');
    e.setFaults('datastore', { latencyMs: 300 });
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { maxAttempts: 1 } });
    try {
      const pending = names.map((n) => c.cancel(n));
      await until(arrived(e, 20), '20 calls in flight');
      const firstPeer = e.calls[0]!.peer;
      e.goaway(5000);
      const results = await Promise.all(pending);
      expect(results.map((r) => [r.outcome, r.attempts])).toEqual(Array(20).fill(['cancel-requested', 1]));
      e.store.seed({ name: N('ga-after'), service: 'datastore' });
      await expect(c.cancel(N('ga-after'), { waitForReady: true })).resolves.toMatchObject({
        outcome: 'cancel-requested',
      });
      expect(e.calls.at(-1)!.peer).not.toBe(firstPeer);
    } finally {
      await c.close();
    }
  });

  test('goaway(0): calls still unanswered are cut with CANCELLED from the server side (outcome error, not aborted)', async () => {
    const e = emu.get();
    const names = seed(e, 10, 'ga0');
    e.setFaults('datastore', { latencyMs: 300 });
    const once = createCanceller({ emulator: e.target, service: 'datastore', retry: { maxAttempts: 1 } });
    try {
      const pending = names.slice(0, 5).map((n) => rejection(once.cancel(n)));
      await until(arrived(e, 5), '5 calls in flight');
      e.goaway(0);
      for (const err of await Promise.all(pending)) {
        expect(err.code).toBe(Code.CANCELLED);
        // Not our abort: the server went away.
        expect(err.outcome).toBe('error');
      }
    } finally {
      await once.close();
    }
  });

  test('dropTimes (per operation): the first call is dropped before it takes effect, the retry succeeds', async () => {
    const e = emu.get();
    e.store.seed({ name: N('dt'), service: 'datastore', dropTimes: 1 });
    const dropped = e.connectionsDropped;
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { initialDelayMs: 10 } });
    try {
      await expect(c.cancel(N('dt'))).resolves.toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
    } finally {
      await c.close();
    }
    const calls = e.callsOf('CancelOperation');
    expect(calls.map((x) => [x.dropped ?? false, x.code])).toEqual([
      [true, undefined],
      [false, 0],
    ]);
    expect(e.connectionsDropped - dropped).toBe(1);
    expect(e.store.get(N('dt'))!.cancelRequests).toBe(2);
  });

  test('dropRate 1: every call is dropped; with dropAfterEffect the cancel lands although its reply is lost', async () => {
    const e = emu.get();
    e.store.seed({ name: N('before'), service: 'datastore' });
    e.store.seed({ name: N('after'), service: 'datastore' });
    const dropped = e.connectionsDropped;
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { maxAttempts: 1 } });
    try {
      e.setFaults('datastore', { dropRate: 1 });
      const err = await rejection(c.cancel(N('before')));
      // A lone call sees the reset as a socket error; grpc-js says so, both are UNAVAILABLE.
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.rawMessage).toMatch(/Connection dropped|ECONNRESET/);
      expect(e.store.get(N('before'))!.done).toBe(false);
      e.setFaults('datastore', { dropRate: 1, dropAfterEffect: true });
      expect(await rejection(c.cancel(N('after'), { waitForReady: true }))).toMatchObject({
        code: Code.UNAVAILABLE,
      });
      expect(e.store.get(N('after'))).toMatchObject({ done: true, error: { code: Code.CANCELLED } });
      // GetOperation is not in errorMethods: it is answered.
      await expect(c.getOperation(N('after'), { waitForReady: true })).resolves.toMatchObject({ done: true });
    } finally {
      await c.close();
    }
    expect(e.connectionsDropped - dropped).toBe(2);
  });

  test('a lost reply is not an error: the retry meets "already done", reads the operation, and reports cancel-requested', async () => {
    const e = emu.get();
    e.store.seed({ name: N('lost'), service: 'datastore' });
    e.setFaults('datastore', { dropRate: 1, dropAfterEffect: true });
    const dropped = e.connectionsDropped;
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { initialDelayMs: 200 } });
    try {
      const pending = c.cancel(N('lost'));
      await until(() => e.connectionsDropped > dropped, 'the first drop');
      e.clearFaults();
      await expect(pending).resolves.toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
    } finally {
      await c.close();
    }
    expect(e.callsOf('CancelOperation').map((x) => x.code)).toEqual([undefined, Code.FAILED_PRECONDITION]);
    expect(e.callsOf('GetOperation')).toHaveLength(1);
  });
});

test('a stream closed with NO_ERROR before any status (grpc-js: INTERNAL "Received RST_STREAM with code 0") is UNAVAILABLE, so it is retried', () => {
  const raw = {
    code: Code.INTERNAL,
    details: 'Received RST_STREAM with code 0 (Call ended without gRPC status)',
  };
  expect(translateGrpcError(raw)).toMatchObject({ code: Code.UNAVAILABLE, rawMessage: raw.details });
  // A server's own INTERNAL stays INTERNAL.
  expect(translateGrpcError({ code: Code.INTERNAL, details: 'boom' }).code).toBe(Code.INTERNAL);
  expect(
    translateGrpcError({
      code: Code.INTERNAL,
      details: 'Received RST_STREAM with code 2 (Internal server error)',
    }).code,
  ).toBe(Code.INTERNAL);
});

// (The HTTP/2 session closed under its streams is the knob test above, with 20 calls.)
describe('500 calls in flight when the connection goes away: every name still ends cancel-requested, one record each', () => {
  const FAULTS: Array<[string, (e: OperationsEmulator) => void, boolean]> = [
    ['GOAWAY with a grace longer than the calls', (e) => e.goaway(10_000), false],
    ['GOAWAY with no grace', (e) => e.goaway(0), true],
    ['TCP reset of the connection', (e) => void e.dropConnections('reset'), true],
  ];

  test.each(FAULTS)(
    '%s',
    async (_label, fault, cut) => {
      const e = emu.get();
      const names = seed(e, 500, 'inflight');
      // Long enough that no call can be answered between the last arrival and the fault, even on
      // a loaded machine (at 250 ms, 99 of 500 once finished first and were never cut).
      e.setFaults('datastore', { latencyMs: 2000 });
      const run = cancelMany(names, {
        emulator: e.target,
        service: 'datastore',
        concurrency: 500,
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      const recs: BatchRecord[] = [];
      const consume = (async () => {
        for await (const r of run) recs.push(r);
      })();
      await until(arrived(e, 500), '500 calls in flight');
      expect(recs).toHaveLength(0);
      fault(e);
      await consume;
      const stats: BatchStats = run.stats;

      expect(recs).toHaveLength(500);
      expect(new Set(recs.map((r) => r.line)).size).toBe(500);
      expect(recs.filter((r) => r.outcome !== 'cancel-requested')).toEqual([]);
      for (const name of names)
        expect(e.store.get(name)).toMatchObject({ done: true, error: { code: Code.CANCELLED } });
      if (cut) {
        // Every call was cut and retried on a new connection.
        expect(recs.every((r) => r.attempts >= 2)).toBe(true);
        expect(stats.retries).toBeGreaterThanOrEqual(500);
        expect(e.peers.size).toBeGreaterThanOrEqual(2);
        // The cut calls' handlers still ran: their cancels landed with the replies lost, so the
        // retries met "already done" and read the operation back instead of failing.
        expect(
          e.callsOf('CancelOperation').filter((c) => c.code === Code.FAILED_PRECONDITION).length,
        ).toBeGreaterThan(0);
        expect(e.callsOf('GetOperation').length).toBeGreaterThan(0);
      } else {
        expect(recs.every((r) => r.attempts === 1)).toBe(true);
        expect(e.callsOf('CancelOperation')).toHaveLength(500);
      }
    },
    30_000,
  );
});

test('a connection dropped on every attempt uses up the budget and ends as an UNAVAILABLE OperationsError, not a transport error', async () => {
  const e = emu.get();
  e.store.seed({ name: N('x'), service: 'datastore', dropTimes: 5 });
  const c = createCanceller({
    emulator: e.target,
    service: 'datastore',
    retry: { maxAttempts: 2, initialDelayMs: 5 },
  });
  try {
    const err = await rejection(c.cancel(N('x')));
    expect(err).toBeInstanceOf(OperationsError);
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, attempts: 2, outcome: 'error' });
  } finally {
    await c.close();
  }
  expect(e.store.get(N('x'))).toMatchObject({ done: false, dropTimesLeft: 3 });
});
