import { createCanceller, type CancelResult } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';
import { until } from '../helpers/until';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';

// One channel per service endpoint, made lazily, reused by every call, closed by close();
// more channels only while every one carries streamsPerChannel calls (the pool grows).

const emu = useEmulator();
const N = (id: string | number): string => `projects/p/locations/l/operations/op-${id}`;

/**
 * Run a close() scenario in a child node process and return what it reports. An unhandled
 * rejection surfaces only there: jest runs a test file in a sandbox whose `process` never
 * receives 'unhandledRejection' (jest-circus takes it). The child's listener reports it on
 * stderr and sets exit code 9; the scenario's own failure gives 8.
 * `body` is the body of an async function (with createCanceller, OperationsError,
 * startOperationsEmulator, grpc, N and sleep in scope) returning the report.
 */
async function closeScenario<T>(body: string): Promise<{ report: T }> {
  const script = `
    const { createCanceller, OperationsError } = require(${JSON.stringify(cliModule('index'))});
    const { startOperationsEmulator } = require(${JSON.stringify(cliModule('emulator/index'))});
    const grpc = require('@grpc/grpc-js');
    process.on('unhandledRejection', (e) => { process.stderr.write('UNHANDLED ' + ((e && e.stack) || String(e)) + '\\n'); process.exitCode = 9; });
    const N = (id) => 'projects/p/locations/l/operations/op-' + id;
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => { ${body} })().then(
      // Reported a little later, so that a rejection left behind by close() has surfaced first.
      (report) => setTimeout(() => process.stdout.write(JSON.stringify(report) + '\\n'), 200),
      (err) => { process.stderr.write('SCENARIO FAILED ' + err.stack + '\\n'); process.exitCode = 8; },
    );`;
  const r = await runNodeScript(script, {}, 30_000);
  expect(r.stderr).not.toMatch(/UNHANDLED|SCENARIO FAILED/);
  expect(r.code).toBe(0);
  return { report: JSON.parse(r.stdout) as T };
}

test('nothing is connected until the first call', async () => {
  const c = createCanceller({ emulator: emu.get().target });
  try {
    expect(callerOf(c).stubs()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(emu.get().peers.size).toBe(0);
  } finally {
    await c.close();
  }
});

test("1,000 cancels to one service share one channel and one connection (at most 100 in flight, one channel's stream budget)", async () => {
  const e = emu.get();
  e.peers.clear();
  for (let i = 0; i < 1000; i++) e.store.seed({ name: N(i), service: 'dataplex' });
  const c = createCanceller({ emulator: e.target, service: 'dataplex' });
  try {
    // half in groups of 100 at once, half in groups of 50
    const first: CancelResult[] = [];
    for (let i = 0; i < 500; i += 100)
      first.push(...(await Promise.all(Array.from({ length: 100 }, (_, j) => c.cancel(N(i + j))))));
    const stub = callerOf(c).stubs()[0];
    for (let i = 500; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => c.cancel(N(i + j))));
    }
    expect(first.every((r) => r.outcome === 'cancel-requested' && r.attempts === 1)).toBe(true);
    expect(e.counts.get('CancelOperation')).toBe(1000);
    expect(e.callsOf('CancelOperation')).toHaveLength(1000);
    expect(new Set(e.callsOf('CancelOperation').map((x) => x.name)).size).toBe(1000);
    expect([...e.store.all()].every((op) => op.done && op.error?.code === 1)).toBe(true);
    // one stub, the same object throughout, and the server saw a single client connection
    expect(callerOf(c).stubs()).toHaveLength(1);
    expect(callerOf(c).stubs()[0]).toBe(stub);
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
    expect(callerOf(c).stubs()).toHaveLength(2);
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
    expect(callerOf(c).stubs()).toHaveLength(3);
    expect(e.peers.size).toBe(3);
  } finally {
    await c.close();
  }
});

test('channelsPerService, maxChannelsPerService and streamsPerChannel must be integers >= 1', () => {
  for (const option of ['channelsPerService', 'maxChannelsPerService', 'streamsPerChannel'] as const) {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createCanceller({ emulator: emu.get().target, [option]: bad })).toThrow(
        new RangeError(`${option} must be an integer >= 1, got ${bad}`),
      );
    }
  }
});

describe('the channel pool grows while every channel is full', () => {
  // A server that, like Google's front ends, lets one connection carry only so many calls.
  const capped = useEmulator({ maxConcurrentStreams: 10 });

  async function burst(
    options: Parameters<typeof createCanceller>[0],
    calls: number,
  ): Promise<{ stubs: number; peers: number; ok: number; maxInflightSeen: number }> {
    const e = capped.get();
    e.peers.clear();
    e.setFaults('dataplex', { latencyMs: 200 });
    for (let i = 0; i <= calls; i++) e.store.seed({ name: N(`g${i}`), service: 'dataplex' });
    const c = createCanceller({ emulator: e.target, service: 'dataplex', ...options });
    try {
      await c.cancel(N('g0')); // the first channel is up
      let maxInflightSeen = 0;
      const watch = setInterval(() => (maxInflightSeen = Math.max(maxInflightSeen, e.inflightCalls)), 5);
      const results = await Promise.all(
        Array.from({ length: calls }, (_, i) => c.cancel(N(`g${i + 1}`))),
      ).finally(() => clearInterval(watch));
      return {
        stubs: callerOf(c).stubs().length,
        peers: e.peers.size,
        ok: results.filter((r) => r.outcome === 'cancel-requested').length,
        maxInflightSeen,
      };
    } finally {
      await c.close();
    }
  }

  test('40 calls at once, 10 streams per connection: up to 4 channels on 4 connections, and more than one connection carries calls at a time', async () => {
    const r = await burst({ streamsPerChannel: 10, maxChannelsPerService: 4 }, 40);
    expect(r.ok).toBe(40);
    expect(r.stubs).toBeGreaterThanOrEqual(2);
    expect(r.stubs).toBeLessThanOrEqual(4);
    expect(r.peers).toBe(r.stubs);
    // one connection alone would never have more than 10 calls at the server at once
    expect(r.maxInflightSeen).toBeGreaterThan(10);
  });

  test('never more than maxChannelsPerService', async () => {
    const r = await burst({ streamsPerChannel: 10, maxChannelsPerService: 3 }, 120);
    expect(r.ok).toBe(120);
    expect(r.stubs).toBe(3); // it did grow, and stopped there
    expect(r.peers).toBeLessThanOrEqual(3);
  });

  test('maxChannelsPerService: 1 keeps one channel: the server sees at most its 10 streams at a time', async () => {
    const r = await burst({ streamsPerChannel: 10, maxChannelsPerService: 1 }, 40);
    expect(r.ok).toBe(40);
    expect(r.stubs).toBe(1);
    expect(r.peers).toBe(1);
    expect(r.maxInflightSeen).toBeLessThanOrEqual(10);
  });

  test('close() while a channel is being added: every call ends aborted, nothing is left open or unhandled', async () => {
    const r = await closeScenario<{
      before: number[];
      outcomes: string[];
      firstClosed: boolean;
      stubsAfter: number;
    }>(`
      const e = await startOperationsEmulator({ maxConcurrentStreams: 10 });
      e.setFaults('dataplex', { latencyMs: 2000 });
      for (let i = 0; i < 30; i++) e.store.seed({ name: N('x' + i), service: 'dataplex' });
      const c = createCanceller({ emulator: e.target, service: 'dataplex', streamsPerChannel: 10, maxChannelsPerService: 4 });
      await c.connect('dataplex');
      const pending = Array.from({ length: 30 }, (_, i) => c.cancel(N('x' + i)).then(() => 'resolved', (err) => err.outcome));
      const stubs = c.stubs();
      const before = stubs.map((s) => s.inflightCount);
      await c.close();
      const outcomes = await Promise.all(pending);
      await sleep(100);
      await e.stop();
      return { before, outcomes, firstClosed: stubs[0].closed, stubsAfter: c.stubs().length };`);
    expect(r.report.before).toEqual([10]); // one channel, full: the other 20 wait for a second one
    expect(r.report.outcomes).toEqual(Array(30).fill('aborted'));
    expect(r.report.firstClosed).toBe(true);
    expect(r.report.stubsAfter).toBe(0); // the channel that was being added was closed, not kept
  });

  test('maxChannelsPerService below channelsPerService is refused', () => {
    expect(() =>
      createCanceller({ emulator: capped.get().target, channelsPerService: 3, maxChannelsPerService: 2 }),
    ).toThrow(new RangeError('maxChannelsPerService (2) is below channelsPerService (3)'));
  });

  test('no growth while channels are below streamsPerChannel (the default 100)', async () => {
    const r = await burst({}, 10);
    expect(r.ok).toBe(10);
    expect(r.stubs).toBe(1);
  });
});

test('close() while calls are in flight rejects them with outcome aborted, leaves no unhandled rejection, and shuts the channel', async () => {
  interface Report {
    inflightBefore: number;
    closeMs: number;
    errors: Array<
      { isOperationsError: boolean; outcome: string; rawMessage: string; attempts: number } | 'resolved'
    >;
    inflightAfter: number;
    stubClosed: boolean;
    shutdown: boolean;
    afterClose: string;
    callsSentAfterClose: number;
    secondClose: string;
  }
  const r = await closeScenario<Report>(`
    const e = await startOperationsEmulator();
    e.setFaults('dataplex', { latencyMs: 2000 });
    for (let i = 0; i < 20; i++) e.store.seed({ name: N('slow-' + i), service: 'dataplex' });
    const c = createCanceller({ emulator: e.target, service: 'dataplex', retry: { initialDelayMs: 10 } });
    const pending = Array.from({ length: 20 }, (_, i) => c.cancel(N('slow-' + i)));
    for (const end = Date.now() + 10000; e.inflightCalls < 20 && Date.now() < end; ) await sleep(5);
    const stub = c.stubs()[0];
    const inflightBefore = stub.inflightCount;
    const started = Date.now();
    await c.close();
    const results = await Promise.allSettled(pending);
    const closeMs = Date.now() - started;
    const errors = results.map((x) => x.status === 'fulfilled' ? 'resolved'
      : { isOperationsError: x.reason instanceof OperationsError, outcome: x.reason.outcome, rawMessage: x.reason.rawMessage, attempts: x.reason.attempts });
    // A call after close is aborted too, and sends nothing.
    const callsBefore = e.calls.length;
    const afterClose = await c.cancel(N('slow-0')).then(() => 'resolved', (err) => err.outcome);
    const callsSentAfterClose = e.calls.length - callsBefore;
    // close() twice is harmless.
    const secondClose = await c.close().then((v) => String(v), (err) => 'rejected: ' + err);
    await sleep(50);
    await e.stop();
    return { inflightBefore, closeMs, errors, inflightAfter: stub.inflightCount, stubClosed: stub.closed,
      shutdown: stub.getChannel().getConnectivityState(false) === grpc.connectivityState.SHUTDOWN,
      afterClose, callsSentAfterClose, secondClose };`);
  const x = r.report;
  expect(x.inflightBefore).toBe(20);
  expect(x.closeMs).toBeLessThan(1000);
  expect(x.errors).toEqual(
    Array(20).fill({
      isOperationsError: true,
      outcome: 'aborted',
      rawMessage: 'the client was closed',
      attempts: 1,
    }),
  );
  expect(x.inflightAfter).toBe(0);
  expect(x.stubClosed).toBe(true);
  expect(x.shutdown).toBe(true);
  expect(x.afterClose).toBe('aborted');
  expect(x.callsSentAfterClose).toBe(0);
  expect(x.secondClose).toBe('undefined');
});

test('close() right after the first call started (channel still being made) aborts that call', async () => {
  emu.get().store.seed({ name: N('early'), service: 'dataplex' });
  const c = createCanceller({ emulator: emu.get().target, service: 'dataplex' });
  const pending = c.cancel(N('early'));
  await c.close();
  const err = await rejection(pending);
  expect(err.outcome).toBe('aborted');
  expect(callerOf(c).stubs()).toHaveLength(0);
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
  // Refused by the server (and 100 ms for the answer to reach the client): the call is now in
  // its 3 s RetryInfo wait, however slow the machine.
  await until(() =>
    e.callsOf('CancelOperation').some((x) => x.name === 'projects/p/operations/w2' && x.code !== undefined),
  );
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await c.close();
  await expect(p).rejects.toMatchObject({ outcome: 'aborted' });
  expect(Date.now() - t0).toBeLessThan(1000);
});
