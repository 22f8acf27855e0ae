import * as grpc from '@grpc/grpc-js';
import { createCanceller, OperationsError } from '../../src';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';

// One channel per service endpoint, made lazily, reused by every call, closed by close().

const emu = useEmulator();
const N = (id: string | number): string => `projects/p/locations/l/operations/op-${id}`;

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('nothing is connected until the first call', async () => {
  const c = createCanceller({ emulator: emu.get().target });
  try {
    expect(c.stubs()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(emu.get().peers.size).toBe(0);
  } finally {
    await c.close();
  }
});

test('1,000 cancels to one service share one channel and one connection', async () => {
  const e = emu.get();
  e.peers.clear();
  for (let i = 0; i < 1000; i++) e.store.seed({ name: N(i), service: 'dataplex' });
  const c = createCanceller({ emulator: e.target, service: 'dataplex' });
  try {
    // half concurrently, half one after another in small groups
    const first = await Promise.all(Array.from({ length: 500 }, (_, i) => c.cancel(N(i))));
    const stub = c.stubs()[0];
    for (let i = 500; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => c.cancel(N(i + j))));
    }
    expect(first.every((r) => r.outcome === 'cancel-requested' && r.attempts === 1)).toBe(true);
    expect(e.counts.get('CancelOperation')).toBe(1000);
    expect(e.callsOf('CancelOperation')).toHaveLength(1000);
    expect(new Set(e.callsOf('CancelOperation').map((x) => x.name)).size).toBe(1000);
    expect([...e.store.all()].every((op) => op.done && op.error?.code === 1)).toBe(true);
    // one stub, the same object throughout, and the server saw a single client connection
    expect(c.stubs()).toHaveLength(1);
    expect(c.stubs()[0]).toBe(stub);
    expect(e.peers.size).toBe(1);
    expect(new Set(e.calls.map((x) => x.peer)).size).toBe(1);
  } finally {
    await c.close();
  }
});

test('two services get separate channels (each with its own :authority), each reused', async () => {
  const e = emu.get();
  e.peers.clear();
  for (let i = 0; i < 10; i++) {
    e.store.seed({ name: N(`a${i}`), service: 'dataplex' });
    e.store.seed({ name: N(`b${i}`), service: 'privateca' });
  }
  const c = createCanceller({ emulator: e.target });
  try {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        c.cancel(N(`a${i}`), { service: 'dataplex' }),
        c.cancel(`//privateca.googleapis.com/${N(`b${i}`)}`),
      ]).flat(),
    );
    expect(c.stubs()).toHaveLength(2);
    const byService = new Map<string, Set<string>>();
    for (const call of e.callsOf('CancelOperation')) {
      if (!byService.has(call.service)) byService.set(call.service, new Set());
      byService.get(call.service)!.add(call.peer);
      expect(call.authority).toBe(`${call.service}.googleapis.com`);
    }
    expect([...byService.keys()].sort()).toEqual(['dataplex', 'privateca']);
    // each service over one connection, and not the same one
    expect(byService.get('dataplex')!.size).toBe(1);
    expect(byService.get('privateca')!.size).toBe(1);
    expect([...byService.get('dataplex')!][0]).not.toBe([...byService.get('privateca')!][0]);
    expect(e.peers.size).toBe(2);
  } finally {
    await c.close();
  }
});

test('channelsPerService: 3 makes three channels for one service, spread over three connections', async () => {
  const e = emu.get();
  e.peers.clear();
  e.setFaults('dataplex', { latencyMs: 30 });
  for (let i = 0; i < 30; i++) e.store.seed({ name: N(i), service: 'dataplex' });
  const c = createCanceller({ emulator: e.target, service: 'dataplex', channelsPerService: 3 });
  try {
    await c.cancel(N(0)); // connect
    await Promise.all(Array.from({ length: 29 }, (_, i) => c.cancel(N(i + 1))));
    expect(c.stubs()).toHaveLength(3);
    expect(e.peers.size).toBe(3);
  } finally {
    await c.close();
  }
});

test('channelsPerService must be an integer >= 1', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    expect(() => createCanceller({ emulator: emu.get().target, channelsPerService: bad })).toThrow(RangeError);
  }
});

test('close() while calls are in flight rejects them with outcome aborted, leaves no unhandled rejection, and shuts the channel', async () => {
  const e = emu.get();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    e.setFaults('dataplex', { latencyMs: 2000 });
    for (let i = 0; i < 20; i++) e.store.seed({ name: N(`slow-${i}`), service: 'dataplex' });
    const c = createCanceller({ emulator: e.target, service: 'dataplex', retry: { initialDelayMs: 10 } });
    const pending = Array.from({ length: 20 }, (_, i) => c.cancel(N(`slow-${i}`)));
    await until(() => e.inflightCalls >= 20);
    const stub = c.stubs()[0]!;
    expect(stub.inflightCount).toBe(20);
    const started = Date.now();
    await c.close();
    const results = await Promise.allSettled(pending);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as OperationsError;
      expect(err).toBeInstanceOf(OperationsError);
      expect(err.outcome).toBe('aborted');
      expect(err.rawMessage).toBe('the client was closed');
      expect(err.attempts).toBe(1);
    }
    expect(stub.inflightCount).toBe(0);
    expect(stub.closed).toBe(true);
    expect(stub.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
    // a call after close is aborted too, and sends nothing
    const callsBefore = e.calls.length;
    const after = await rejection(c.cancel(N('slow-0')));
    expect(after.outcome).toBe('aborted');
    expect(e.calls.length).toBe(callsBefore);
    // close() twice is harmless
    await expect(c.close()).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('close() right after the first call started (channel still being made) aborts that call', async () => {
  emu.get().store.seed({ name: N('early'), service: 'dataplex' });
  const c = createCanceller({ emulator: emu.get().target, service: 'dataplex' });
  const pending = c.cancel(N('early'));
  await c.close();
  const err = await rejection(pending);
  expect(err.outcome).toBe('aborted');
  expect(c.stubs()).toHaveLength(0);
});

test('close() ends a call that is waiting to retry (RetryInfo delay) at once, as aborted', async () => {
  const { createCanceller: create } = await import('../../src');
  const e = emu.get();
  e.setFaults('datastore', { quotaPerSecond: 1, quotaRetryDelayMs: 3000 });
  e.store.seed({ name: 'projects/p/operations/w1', service: 'datastore' });
  e.store.seed({ name: 'projects/p/operations/w2', service: 'datastore' });
  const c = create({ emulator: e.target, service: 'datastore' });
  await c.cancel('projects/p/operations/w1'); // uses the only token
  const p = c.cancel('projects/p/operations/w2');
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  await c.close();
  await expect(p).rejects.toMatchObject({ outcome: 'aborted' });
  expect(Date.now() - t0).toBeLessThan(1000);
});
