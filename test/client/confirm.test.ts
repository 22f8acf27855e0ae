import { createCanceller, OperationsError } from '../../src';
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';

const emu = useEmulator();
const N = (id: string): string => `projects/p/locations/l/operations/${id}`;
const fast = { polling: { initialDelayMs: 10, maxDelayMs: 40 } };

function client() {
  return createCanceller({ emulator: emu.get().target, service: 'dataplex', retry: { initialDelayMs: 5 } });
}

test.each([
  ['cancel', 'cancelled', 1],
  ['complete', 'completed', undefined],
  ['fail', 'failed', 13],
] as const)('onCancel=%s settles as %s', async (onCancel, outcome, finalCode) => {
  // 1 s: the first read (10 ms after the cancel's answer) sees it running even on a loaded
  // machine, where the cancel's answer can take a few hundred ms to reach the client.
  emu.get().store.seed({ name: N('a'), service: 'dataplex', onCancel, settleMs: 1000 });
  const c = client();
  try {
    const r = await c.cancelAndConfirm(N('a'), { ...fast, confirmTimeoutMs: 5000 });
    expect(r.outcome).toBe(outcome);
    expect(r.finalCode).toBe(finalCode);
    // Polled more than once: the first read saw it still running, the last one came after it settled.
    const cancelAt = emu.get().callsOf('CancelOperation')[0]!.at;
    const reads = emu.get().callsOf('GetOperation');
    expect(reads.length).toBeGreaterThan(1);
    expect(reads[0]!.at - cancelAt).toBeLessThan(1000);
    expect(reads.at(-1)!.at - cancelAt).toBeGreaterThanOrEqual(999);
    // confirmMs spans the polling the server saw (1 ms: its Date.now() stamps vs performance.now())
    expect(r.confirmMs).toBeGreaterThanOrEqual(reads.at(-1)!.at - reads[0]!.at - 1);
    for (const call of reads) expect(call.requestParams).toBe(`name=${encodeURIComponent(N('a'))}`);
  } finally {
    await c.close();
  }
});

test('an operation that never finishes is still-running when the confirm timeout passes', async () => {
  emu.get().store.seed({ name: N('slow'), service: 'dataplex', onCancel: 'ignore' });
  const c = client();
  try {
    const t0 = Date.now();
    const r = await c.cancelAndConfirm(N('slow'), { ...fast, confirmTimeoutMs: 300 });
    expect(r.outcome).toBe('still-running');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2000);
  } finally {
    await c.close();
  }
});

test.each([
  ['completed', 'completed'],
  ['failed', 'failed'],
] as const)(
  'an operation already %s when the cancel arrives is reported as %s, not as an error',
  async (doneAs, outcome) => {
    emu.get().store.seed({ name: N('done'), service: 'dataplex', doneAs });
    const c = client();
    try {
      const r = await c.cancelAndConfirm(N('done'), fast);
      expect(r).toMatchObject({ outcome, alreadyDone: true });
    } finally {
      await c.close();
    }
  },
);

test('a refused cancel still rejects with its outcome', async () => {
  emu.get().store.seed({ name: N('u'), service: 'dataplex', onCancel: 'unimplemented' });
  const c = client();
  try {
    await expect(c.cancelAndConfirm(N('u'), fast)).rejects.toMatchObject({ outcome: 'unsupported' });
    await expect(c.cancelAndConfirm(N('missing'), fast)).rejects.toBeInstanceOf(OperationsError);
  } finally {
    await c.close();
  }
});

test('aborting mid-poll stops at once with outcome aborted', async () => {
  emu.get().store.seed({ name: N('x'), service: 'dataplex', onCancel: 'ignore' });
  const c = client();
  const ac = new AbortController();
  try {
    // The first wait between polls is 5-10 s: only the abort can end it within 3 s.
    const p = c.cancelAndConfirm(N('x'), {
      polling: { initialDelayMs: 10_000 },
      confirmTimeoutMs: 30_000,
      signal: ac.signal,
    });
    // Abort once the first read is answered (and 100 ms for the answer to reach the client).
    await until(() => emu.get().callsOf('GetOperation')[0]?.code === 0, 'the first read answered');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    ac.abort();
    await expect(p).rejects.toMatchObject({
      outcome: 'aborted',
      rawMessage: 'aborted by the caller while confirming',
    });
    expect(Date.now() - t0).toBeLessThan(3000);
  } finally {
    await c.close();
  }
});

test('via wait uses WaitOperation when the server has it', async () => {
  emu.get().store.seed({ name: N('w'), service: 'dataplex', settleMs: 100 });
  const c = client();
  try {
    const r = await c.cancelAndConfirm(N('w'), { via: 'wait', confirmTimeoutMs: 5000 });
    expect(r.outcome).toBe('cancelled');
    expect(emu.get().callsOf('WaitOperation').length).toBe(1);
  } finally {
    await c.close();
  }
});

test('listOperations follows every page and honours the filter, limit and routing header', async () => {
  const e = emu.get();
  for (let i = 0; i < 25; i++)
    e.store.seed({
      name: N(`op${i}`),
      service: 'dataplex',
      ...(i % 5 === 0 ? { doneAs: 'completed' as const } : {}),
    });
  e.store.seed({ name: 'projects/other/locations/l/operations/z', service: 'dataplex' });
  const c = client();
  try {
    const names: string[] = [];
    for await (const op of c.listOperations('projects/p/locations/l', { filter: 'done=false', pageSize: 4 }))
      names.push(op.name);
    expect(names).toHaveLength(20);
    expect(new Set(names).size).toBe(20);
    expect(e.callsOf('ListOperations').length).toBe(5);
    expect(e.callsOf('ListOperations')[0]?.requestParams).toBe('name=projects%2Fp%2Flocations%2Fl');
    const limited: string[] = [];
    for await (const op of c.listOperations('projects/p/locations/l', { pageSize: 4, limit: 6 }))
      limited.push(op.name);
    expect(limited).toHaveLength(6);
  } finally {
    await c.close();
  }
});

test('getOperation returns the operation and validates against Get patterns', async () => {
  emu.get().store.seed({ name: N('g'), service: 'dataplex', doneAs: 'failed' });
  const c = client();
  try {
    const op = await c.getOperation(N('g'));
    expect(op).toMatchObject({ name: N('g'), done: true });
    expect(op.error?.code).toBe(13);
    await expect(c.getOperation('projects/p/operations')).rejects.toMatchObject({ outcome: 'invalid-name' });
  } finally {
    await c.close();
  }
});

test('close() ends a confirm that is waiting between polls, as aborted', async () => {
  emu.get().store.seed({ name: N('c'), service: 'dataplex', onCancel: 'ignore' });
  const c = client();
  const p = c.cancelAndConfirm(N('c'), { polling: { initialDelayMs: 5000 }, confirmTimeoutMs: 30_000 });
  // The first read answered (and 100 ms for its answer to reach the client): the confirm is
  // now in its 2.5-5 s wait, whatever the time the connection and the cancel took.
  await until(() => emu.get().callsOf('GetOperation')[0]?.code === 0, 'the first read answered');
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await c.close();
  await expect(p).rejects.toMatchObject({
    outcome: 'aborted',
    rawMessage: 'the client was closed while confirming',
  });
  expect(Date.now() - t0).toBeLessThan(1000);
});
