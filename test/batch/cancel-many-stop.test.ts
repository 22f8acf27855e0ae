// Leaving `for await (... of cancelMany(...))` early — `break`, or an exception in the loop body —
// stops the run: no new CancelOperation reaches the server, the calls in flight are ended at
// once (not left to the server's latency), a canceller the run made is closed (its connections
// to the server are gone), and a canceller the caller passed in stays open and usable.
import { readFileSync } from 'node:fs';
import { cancelMany, type BatchOptions } from '../../src/batch/cancel-many';
import { createCanceller } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';

jest.setTimeout(30_000);
const emu = useEmulator();

/**
 * Established TCP connections to `port` (the client ends: only this file's clients dial it), read from
 * the kernel's tables: whether a grpc-js channel is still open, seen from outside grpc-js.
 */
function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 table on this machine
    }
    for (const line of text.split('\n').slice(1)) {
      const [, , remote, state] = line.trim().split(/\s+/);
      if (state === '01' && remote?.endsWith(`:${hexPort}`)) n++;
    }
  }
  return n;
}

/**
 * Three quick datastore names first, then 30 dataplex names whose server takes 10 s: when the
 * loop leaves after three records, dataplex calls are in flight and more are queued.
 */
function seedMix(prefix: string): { names: string[]; slow: number } {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 20 });
  e.setFaults('dataplex', { latencyMs: 10_000 });
  const names: string[] = [];
  for (let i = 0; i < 3; i++)
    names.push(`//datastore.googleapis.com/projects/p/operations/${prefix}-fast-${i}`);
  for (let i = 0; i < 30; i++)
    names.push(`//dataplex.googleapis.com/projects/p/locations/l/operations/${prefix}-slow-${i}`);
  for (const n of names)
    e.store.seed({
      name: n.replace(/^\/\/[^/]+\//, ''),
      service: n.includes('datastore') ? 'datastore' : 'dataplex',
    });
  return { names, slow: 30 };
}

const inFlightAtServer = (): number =>
  emu
    .get()
    .callsOf('CancelOperation')
    .filter((c) => c.code === undefined).length;

/** Iterate until three records came, then leave the loop by `how`; resolves once the loop is left. */
async function leaveAfterThree(
  names: string[],
  options: BatchOptions,
  how: 'break' | 'throw',
): Promise<void> {
  const boom = new Error('consumer failed');
  const records: string[] = [];
  const loop = (async () => {
    for await (const r of cancelMany(names, { emulator: emu.get().target, concurrency: 4, ...options })) {
      records.push(r.outcome);
      // Leave only once slow calls are on the wire, so that there is something in flight to end.
      if (records.length === 3) {
        await until(() => inFlightAtServer() >= 4, 'slow calls in flight');
        if (how === 'break') break;
        throw boom;
      }
    }
  })();
  if (how === 'throw') await expect(loop).rejects.toBe(boom);
  else await loop;
  expect(records).toEqual(['cancel-requested', 'cancel-requested', 'cancel-requested']);
}

/** No CancelOperation arrives at the emulator after the loop was left (watched for a while). */
async function expectNoNewCalls(): Promise<void> {
  const e = emu.get();
  const atStop = e.callsOf('CancelOperation').length;
  await new Promise((r) => setTimeout(r, 800));
  expect(e.callsOf('CancelOperation')).toHaveLength(atStop);
  // Three fast ones and the slow ones that were in flight (4 per service): the queue was not sent.
  expect(atStop).toBeLessThanOrEqual(3 + 4);
}

test.each(['break', 'throw'] as const)(
  '%s out of the loop, the run made its canceller: no new calls, calls in flight ended, its connections closed',
  async (how) => {
    const { names } = seedMix(`own-${how}`);
    const port = emu.get().port;
    const t0 = performance.now();
    await leaveAfterThree(names, {}, how);
    // Ended at once, not after the server's 10 s.
    expect(performance.now() - t0).toBeLessThan(6000);
    await until(() => connectionsTo(port) === 0, 'no connection left to the emulator', 3000);
    await expectNoNewCalls();
  },
);

test.each(['break', 'throw'] as const)(
  "%s out of the loop with the caller's canceller: calls in flight ended, the canceller stays open and usable",
  async (how) => {
    const { names } = seedMix(`given-${how}`);
    const e = emu.get();
    const canceller = createCanceller({ emulator: e.target });
    try {
      await leaveAfterThree(names, { canceller }, how);
      // The slow calls were ended on our side long before the server's 10 s answer.
      await until(
        () =>
          callerOf(canceller)
            .stubs()
            .every((s) => s.inflightCount === 0),
        'no call in flight on the canceller',
        3000,
      );
      await expectNoNewCalls();
      // Still open: its connections are up, and it still cancels.
      expect(connectionsTo(e.port)).toBeGreaterThan(0);
      e.store.seed({ name: `projects/p/operations/after-${how}`, service: 'datastore' });
      await expect(
        canceller.cancel(`projects/p/operations/after-${how}`, { service: 'datastore' }),
      ).resolves.toMatchObject({ outcome: 'cancel-requested' });
    } finally {
      await canceller.close();
    }
  },
);

test('leaving the loop stops reading the input: the source is closed (its finally runs), not drained', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 200 });
  let pulled = 0;
  let closed = false;
  async function* names(): AsyncGenerator<string> {
    try {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield `projects/p/operations/src-${i}`; // not seeded: not-found, quickly
      }
    } finally {
      closed = true;
    }
  }
  let seen = 0;
  for await (const _ of cancelMany(names(), { emulator: e.target, service: 'datastore', concurrency: 8 })) {
    if (++seen === 3) break;
  }
  await until(() => closed, 'the input source closed', 5000);
  const atClose = pulled;
  await new Promise((r) => setTimeout(r, 300));
  expect(pulled).toBe(atClose); // nothing read after the close
  expect(pulled).toBeLessThan(10_000); // the bounded look-ahead, not the 100,000 lines
});
