// A 20% UNAVAILABLE storm over 5,000 names on all five services: every name ends
// cancel-requested, and the retries lro-cancel counts are exactly the failures the
// emulator answered.
import { Code, services } from '../../src';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ recordCalls: false });

const SHAPES: Record<string, (i: number) => string> = {
  datalineage: (i) => `projects/p/locations/l/operations/storm-${i}`,
  dataplex: (i) => `organizations/o/locations/l/operations/storm-${i}`,
  privateca: (i) => `projects/p/locations/l/operations/storm-${i}`,
  datastore: (i) => `projects/p/operations/storm-${i}`,
  discoveryengine: (i) => `projects/p/locations/global/dataStores/d/branches/0/operations/storm-${i}`,
};
const IDS = Object.keys(SHAPES);

// The attempt budget. With a 20% failure rate a name fails all of N attempts with probability
// 0.2^N: for the default 5 that is 3.2e-4, i.e. 1.6 names of 5,000 expected to end as 'error'.
// A batch facing a storm like this raises its budget; at 10 the chance that any name runs out
// is 5,000 x 0.2^10 = 5e-4.
const MAX_ATTEMPTS = 10;

test('20% UNAVAILABLE over 5,000 names: every name cancel-requested within the attempt budget; retries counted = failures the emulator answered', async () => {
  const e = emu.get();
  const names: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const svc = IDS[i % IDS.length] as string;
    const name = (SHAPES[svc] as (i: number) => string)(i);
    e.store.seed({ name, service: svc });
    names.push(`//${services[svc]!.host}/${name}`);
  }
  e.setFaults('*', { errorRate: 0.2, errorCode: Code.UNAVAILABLE });
  const callsBefore = e.counts.get('CancelOperation') ?? 0;
  const unavailableBefore = e.codeCounts.get(Code.UNAVAILABLE) ?? 0;
  const okBefore = e.codeCounts.get(Code.OK) ?? 0;

  const run = cancelMany(names, {
    emulator: e.target,
    concurrency: 64,
    retry: { maxAttempts: MAX_ATTEMPTS, initialDelayMs: 5, maxDelayMs: 40 },
  });
  const recs: BatchRecord[] = [];
  for await (const r of run) recs.push(r);

  // One record per name, every one cancel-requested, none over budget.
  expect(recs).toHaveLength(5000);
  expect(new Set(recs.map((r) => r.line)).size).toBe(5000);
  expect(recs.filter((r) => r.outcome !== 'cancel-requested')).toEqual([]);
  const attempts = recs.map((r) => r.attempts);
  expect(Math.max(...attempts)).toBeLessThanOrEqual(MAX_ATTEMPTS);
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3); // the storm really hit some names twice in a row

  // What lro-cancel counted is what the emulator saw.
  const calls = (e.counts.get('CancelOperation') ?? 0) - callsBefore;
  const unavailable = (e.codeCounts.get(Code.UNAVAILABLE) ?? 0) - unavailableBefore;
  expect(run.stats.retries).toBe(unavailable);
  expect(attempts.reduce((a, b) => a + b, 0)).toBe(calls);
  expect(calls).toBe(5000 + unavailable);
  expect((e.codeCounts.get(Code.OK) ?? 0) - okBefore).toBe(5000);
  expect(run.stats.byOutcome).toEqual({ 'cancel-requested': 5000 });
  // ~20% of the calls failed (6 standard deviations either side).
  expect(unavailable / calls).toBeGreaterThan(0.17);
  expect(unavailable / calls).toBeLessThan(0.23);
  for (const id of IDS) expect(run.stats.byService[id]).toEqual({ 'cancel-requested': 1000 });
  // And every operation is cancelled exactly once (a retry never lands on a cancelled one).
  let cancelled = 0;
  for (const op of e.store.all()) if (op.done && op.error?.code === Code.CANCELLED) cancelled++;
  expect(cancelled).toBe(5000);
}, 60_000);
