// cancelMany's `signal` + `graceMs`: after the stop, calls in flight get graceMs to finish, then
// are aborted. A grace shorter than the server's latency ends them `aborted` soon after the
// grace; a grace longer than it lets them finish `cancel-requested`.
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';

jest.setTimeout(30_000);
const emu = useEmulator();

/** This test's calls still unanswered at the emulator (an earlier test's slow handlers are not in its log). */
const inFlight = (): number =>
  emu
    .get()
    .callsOf('CancelOperation')
    .filter((c) => c.code === undefined).length;

/** Seed `count` datastore operations; return their names. */
function seed(prefix: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `projects/p/operations/${prefix}${i}`);
  for (const name of names) emu.get().store.seed({ name, service: 'datastore' });
  return names;
}

/** Run a batch of 4 in flight, stop it once those 4 reached the server; records with when they came (ms after the stop). */
async function stopWithFourInFlight(
  names: string[],
  graceMs: number,
): Promise<{ recs: Array<BatchRecord & { afterStopMs: number }>; totalMs: number }> {
  const e = emu.get();
  const ac = new AbortController();
  const run = cancelMany(names, {
    emulator: e.target,
    service: 'datastore',
    concurrency: 4,
    signal: ac.signal,
    graceMs,
  });
  let stoppedAt = 0;
  const stopper = until(() => inFlight() === 4, 'four calls in flight at the server').then(() => {
    stoppedAt = performance.now();
    ac.abort();
  });
  const recs: Array<BatchRecord & { afterStopMs: number }> = [];
  for await (const r of run) recs.push({ ...r, afterStopMs: performance.now() - stoppedAt });
  await stopper;
  return { recs, totalMs: performance.now() - stoppedAt };
}

test('a grace shorter than the server latency: in-flight calls end aborted soon after the grace, the rest not-attempted', async () => {
  emu.get().setFaults('datastore', { latencyMs: 8000 });
  const { recs, totalMs } = await stopWithFourInFlight(seed('short', 40), 400);
  expect(recs).toHaveLength(40);
  const aborted = recs.filter((r) => r.outcome === 'aborted');
  expect(aborted).toHaveLength(4);
  expect(recs.filter((r) => r.outcome === 'not-attempted')).toHaveLength(36);
  // Not before the grace was over, and long before the server would have answered (8 s).
  for (const r of aborted) {
    expect(r.afterStopMs).toBeGreaterThanOrEqual(390);
    expect(r.afterStopMs).toBeLessThan(4000);
  }
  expect(totalMs).toBeLessThan(4000);
});

test('a grace longer than the server latency: in-flight calls finish cancel-requested, and nothing new is sent', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 1000 });
  const { recs } = await stopWithFourInFlight(seed('long', 40), 20_000);
  expect(recs).toHaveLength(40);
  const finished = recs.filter((r) => r.outcome === 'cancel-requested');
  expect(finished).toHaveLength(4);
  expect(recs.filter((r) => r.outcome === 'not-attempted')).toHaveLength(36);
  // They were answered by the server after the stop, not cut off at it.
  for (const r of finished) expect(r.afterStopMs).toBeGreaterThan(200);
  expect(e.callsOf('CancelOperation')).toHaveLength(4);
});
