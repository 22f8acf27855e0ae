// superviseOperation watches (WaitOperation over gRPC by default, or GetOperation polling) until the operation ends or the budget passes, then
// cancels and confirms. Its three endings, the signal (nothing cancelled), and a transient error
// while watching, against the emulator.
import { createCanceller, superviseOperation } from '../../src';
import { Code } from '../../src/errors/status-code';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const FAST = { initialDelayMs: 20, multiplier: 1.5, maxDelayMs: 100 };
const NAME = 'projects/p/operations/watched';

function cancels(): number {
  return emu.get().calls.filter((c) => c.method === 'CancelOperation').length;
}

test('done in time: it ends on its own within the budget; no cancel is sent', async () => {
  const op = emu.get().store.seed({ name: NAME, service: 'datastore' });
  const timer = setTimeout(() => emu.get().store.complete(op), 150);
  try {
    const r = await superviseOperation(NAME, {
      emulator: emu.get().target,
      service: 'datastore',
      cancelAfterMs: 20_000,
      polling: FAST,
    });
    expect(r).toMatchObject({
      ending: 'done-in-time',
      cancelSent: false,
      state: 'completed',
      service: 'datastore',
    });
    expect(r.metadata?.['@type']).toBe(
      'type.googleapis.com/google.datastore.admin.v1.ExportEntitiesMetadata',
    );
    expect(cancels()).toBe(0);
  } finally {
    clearTimeout(timer);
  }
});

test('cancelled at the budget: still running then, cancelled and confirmed', async () => {
  const name = 'projects/p/locations/l/operations/watched';
  emu.get().store.seed({ name, service: 'dataplex' });
  const r = await superviseOperation(name, {
    emulator: emu.get().target,
    service: 'dataplex',
    cancelAfterMs: 200,
    polling: FAST,
    via: 'poll',
  });
  expect(r).toMatchObject({
    ending: 'cancelled-at-budget',
    cancelSent: true,
    state: 'cancelled',
    finalCode: 1,
  });
  expect(r.watchedMs).toBeGreaterThanOrEqual(190);
  expect(r.metadata).toMatchObject({ requestedCancellation: true });
  expect(cancels()).toBe(1);
  // It was watched before the budget: more than one read.
  expect(emu.get().calls.filter((c) => c.method === 'GetOperation').length).toBeGreaterThan(1);
});

test('still running: the cancel is accepted but the operation has not ended when the confirm timeout passes', async () => {
  emu.get().store.seed({ name: NAME, service: 'datastore', onCancel: 'ignore' });
  const r = await superviseOperation(NAME, {
    emulator: emu.get().target,
    service: 'datastore',
    cancelAfterMs: 100,
    confirmTimeoutMs: 300,
    polling: FAST,
  });
  expect(r).toMatchObject({ ending: 'still-running', cancelSent: true, state: 'still-running' });
  expect(emu.get().store.get(NAME, 'datastore')?.done).toBe(false);
});

test('a signal stops the watch and cancels nothing', async () => {
  emu.get().store.seed({ name: NAME, service: 'datastore' });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 150);
  try {
    const r = await superviseOperation(NAME, {
      emulator: emu.get().target,
      service: 'datastore',
      cancelAfterMs: 20_000,
      polling: FAST,
      signal: controller.signal,
    });
    expect(r).toMatchObject({ ending: 'interrupted', cancelSent: false, state: 'still-running' });
    expect(cancels()).toBe(0);
    expect(emu.get().store.get(NAME, 'datastore')?.done).toBe(false);
  } finally {
    clearTimeout(timer);
  }
});

test('reads that fail with UNAVAILABLE (every retry of them) do not end the watch; connection drops neither', async () => {
  const op = emu.get().store.seed({ name: NAME, service: 'datastore' });
  emu.get().setFaults('datastore', { errorRate: 1, errorMethods: ['GetOperation'] });
  const heal = setTimeout(() => {
    emu.get().setFaults('datastore', { dropRate: 1, errorMethods: ['GetOperation'] });
    setTimeout(() => {
      emu.get().clearFaults();
      emu.get().store.complete(op);
    }, 150);
  }, 150);
  const c = createCanceller({ emulator: emu.get().target, retry: { maxAttempts: 1 } });
  const unavailableBefore = emu.get().codeCounts.get(Code.UNAVAILABLE) ?? 0;
  const droppedBefore = emu.get().connectionsDropped;
  try {
    const r = await superviseOperation(NAME, {
      canceller: c,
      service: 'datastore',
      cancelAfterMs: 20_000,
      polling: FAST,
      via: 'poll',
    });
    expect(r).toMatchObject({ ending: 'done-in-time', cancelSent: false, state: 'completed' });
    expect(emu.get().codeCounts.get(Code.UNAVAILABLE) ?? 0).toBeGreaterThan(unavailableBefore);
    expect(emu.get().connectionsDropped).toBeGreaterThan(droppedBefore);
  } finally {
    clearTimeout(heal);
    await c.close();
  }
});

test('a bad name is refused before any call', async () => {
  await expect(
    superviseOperation('not a name', { emulator: emu.get().target, service: 'datastore', cancelAfterMs: 10 }),
  ).rejects.toMatchObject({ outcome: 'invalid-name' });
  expect(emu.get().calls).toHaveLength(0);
});

test.each([
  ["via 'wait'", { via: 'wait' as const }],
  ['over gRPC by default', {}],
])('%s: watched with WaitOperation, which returns when the operation ends', async (_, via) => {
  const op = emu.get().store.seed({ name: NAME, service: 'datastore' });
  const timer = setTimeout(() => emu.get().store.complete(op), 300);
  try {
    const r = await superviseOperation(NAME, {
      emulator: emu.get().target,
      service: 'datastore',
      cancelAfterMs: 20_000,
      ...via,
    });
    expect(r).toMatchObject({ ending: 'done-in-time', cancelSent: false, state: 'completed' });
    expect(emu.get().calls.filter((c) => c.method === 'WaitOperation').length).toBeGreaterThan(0);
    // One read, then the wait that returned when the operation completed: no polling.
    expect(emu.get().calls.filter((c) => c.method === 'GetOperation')).toHaveLength(1);
  } finally {
    clearTimeout(timer);
  }
});
