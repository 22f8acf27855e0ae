// A server slower than the per-attempt deadline: each attempt times out and is retried, the
// total deadline ends the call with DEADLINE_EXCEEDED (outcome 'error'), and the process
// does not hang on the calls the server never answered.
import { createCanceller } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const N = (i: number): string => `projects/p/operations/slow-${i}`;

test('cancelMany: attempts hit the per-attempt deadline and are retried until the total deadline ends each name with DEADLINE_EXCEEDED', async () => {
  const e = emu.get();
  const names = Array.from({ length: 20 }, (_, i) => N(i));
  for (const n of names) e.store.seed({ name: n, service: 'datastore' });
  e.setFaults('datastore', { latencyMs: 10_000 });
  const canceller = createCanceller({
    emulator: e.target,
    service: 'datastore',
    // Attempts enough that only the total deadline can end a name (at most 6 fit into 800 ms).
    retry: {
      perAttemptTimeoutMs: 150,
      totalTimeoutMs: 800,
      initialDelayMs: 10,
      maxDelayMs: 20,
      maxAttempts: 20,
    },
  });
  // Connected before the clock starts: on a loaded machine, making the connection inside the
  // first attempt's 150 ms could use them up before the call reaches the server (one arrival
  // short) and leave too little of the 800 ms for 3 attempts.
  await callerOf(canceller).connect('datastore');
  const t0 = Date.now();
  const recs: BatchRecord[] = [];
  const run = cancelMany(names, { canceller, service: 'datastore' });
  try {
    for await (const r of run) recs.push(r);
  } finally {
    await canceller.close();
  }
  const elapsed = Date.now() - t0;

  expect(recs).toHaveLength(20);
  for (const r of recs) {
    expect(r).toMatchObject({ outcome: 'error', code: 'DEADLINE_EXCEEDED' });
    expect(r.message).toMatch(/total timeout of 800 ms exceeded after \d+ attempt/);
    expect(r.attempts).toBeGreaterThanOrEqual(3);
    expect(r.attempts).toBeLessThanOrEqual(6);
    // Every attempt reached the server, each retry only once the attempt before had used up its
    // 150 ms (the backoff here is under 20 ms; arrival times jitter by some ms on a busy machine,
    // and the first gap is left out, as the first attempt also waited for the connection).
    // The last attempt gets what is left of the total deadline, which may be a few ms: it can
    // expire before it reaches the server.
    const arrivals = e
      .callsOf('CancelOperation')
      .filter((c) => c.name === r.name)
      .map((c) => c.at);
    expect(arrivals.length).toBeGreaterThanOrEqual(r.attempts - 1);
    expect(arrivals.length).toBeLessThanOrEqual(r.attempts);
    for (let i = 2; i < arrivals.length; i++)
      expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThanOrEqual(100);
  }
  // Ended by the total deadline, not by the server's 10 s answers (5 s: late timers under load).
  expect(elapsed).toBeGreaterThanOrEqual(780);
  expect(elapsed).toBeLessThan(5000);
  // Nothing was cancelled: the server never got to act.
  expect(names.every((n) => e.store.get(n)!.done === false)).toBe(true);
  expect(run.stats.retries).toBe(recs.reduce((a, r) => a + r.attempts - 1, 0));
});

test('a process whose calls the server never answers exits on its own once the total deadline has passed', async () => {
  const e = emu.get();
  for (let i = 0; i < 5; i++) e.store.seed({ name: N(100 + i), service: 'datastore' });
  // The emulator's handlers sleep for a minute: only the client's deadlines can end the calls.
  e.setFaults('datastore', { latencyMs: 60_000 });
  const script = `
    const { cancelMany } = require(${JSON.stringify(cliModule('batch/cancel-many'))});
    (async () => {
      const names = [0, 1, 2, 3, 4].map((i) => 'projects/p/operations/slow-' + (100 + i));
      const run = cancelMany(names, { emulator: ${JSON.stringify(e.target)}, service: 'datastore',
        retry: { perAttemptTimeoutMs: 200, totalTimeoutMs: 700, initialDelayMs: 10 } });
      for await (const r of run) process.stdout.write(JSON.stringify(r) + '\\n');
      process.stderr.write('done at ' + Date.now() + '\\n');
      // No process.exit(): the process must end by itself, with no timer, socket or call left.
    })();`;
  const t0 = Date.now();
  const r = await runNodeScript(script);
  const exitedAt = Date.now();
  expect(r.code).toBe(0);
  const recs = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as BatchRecord);
  expect(recs.map((x) => [x.outcome, x.code])).toEqual(Array(5).fill(['error', 'DEADLINE_EXCEEDED']));
  expect(recs.every((x) => x.attempts >= 2)).toBe(true);
  const doneAt = Number(/done at (\d+)/.exec(r.stderr)?.[1]);
  // It exited within moments of its last record, long before the server would have answered.
  expect(exitedAt - doneAt).toBeLessThan(1500);
  expect(exitedAt - t0).toBeLessThan(10_000);
});

test('each retry reaches the server only once the attempt before has used up its per-attempt deadline', async () => {
  const e = emu.get();
  const names = Array.from({ length: 5 }, (_, i) => N(200 + i));
  for (const n of names) e.store.seed({ name: n, service: 'datastore' });
  e.setFaults('datastore', { latencyMs: 3000 });
  // Five attempts of 150 ms fit well inside the 3 s total deadline: each name ends on
  // maxAttempts with every attempt given its full 150 ms, so each reaches the server.
  const run = cancelMany(names, {
    emulator: e.target,
    service: 'datastore',
    retry: {
      perAttemptTimeoutMs: 150,
      totalTimeoutMs: 3000,
      initialDelayMs: 10,
      maxDelayMs: 20,
      maxAttempts: 5,
    },
  });
  const recs: BatchRecord[] = [];
  for await (const r of run) recs.push(r);
  expect(recs).toHaveLength(5);
  for (const r of recs) {
    expect(r).toMatchObject({ outcome: 'error', code: 'DEADLINE_EXCEEDED', attempts: 5 });
    const arrivals = e
      .callsOf('CancelOperation')
      .filter((c) => c.name === r.name)
      .map((c) => c.at);
    // Enough arrivals for the gaps below to be checked at all: three of them after the first.
    expect(arrivals).toHaveLength(5);
    // The first gap is left out (the first attempt also waited for the connection); the rest
    // are the 150 ms deadline plus a backoff under 20 ms, less some ms of arrival jitter.
    const gaps = arrivals.slice(2).map((at, i) => at - arrivals[i + 1]!);
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(100);
  }
});
