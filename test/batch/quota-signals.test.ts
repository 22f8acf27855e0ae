// What the batch reads as a quota signal, over real gRPC. RESOURCE_EXHAUSTED without RetryInfo
// still is one (the lane pauses on its own schedule, the name keeps its attempts); UNAVAILABLE
// is not (it is retried with backoff and spends attempts, and no quota pause or count follows).
// A single cancel() keeps AIP-194's rule (no RetryInfo: not retried): canceller-retries.test.ts.
// Relations and loose bounds, not timings: the machine is shared.
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ recordCalls: true });

const QUOTA = 100; // calls/s
const NAMES = 500;
const name = (i: number): string => `projects/p/locations/l/operations/q-${i}`;

async function runAll(names: string[]) {
  const run = cancelMany(names, {
    emulator: emu.get().target,
    service: 'dataplex',
    concurrency: 64,
    retry: { maxAttempts: 3 },
  });
  const recs: BatchRecord[] = [];
  for await (const r of run) recs.push(r);
  return { recs, stats: run.stats };
}

test('RESOURCE_EXHAUSTED without RetryInfo slows the lane down and spends no attempt; the lane keeps near the quota', async () => {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs: 20, quotaPerSecond: QUOTA, quotaRetryDelayMs: 'none' });
  const names: string[] = [];
  for (let i = 0; i < NAMES; i++) {
    e.store.seed({ name: name(i), service: 'dataplex' });
    names.push(name(i));
  }
  const { recs, stats } = await runAll(names);

  expect(recs).toHaveLength(NAMES);
  expect(recs.filter((r) => r.outcome !== 'cancel-requested')).toEqual([]);
  expect(recs.filter((r) => r.attempts !== 1)).toEqual([]);
  const calls = e.callsOf('CancelOperation');
  const rejected = calls.filter((c) => c.code === 8);
  // The quota was met (a bucket of 100 for 500 names), and each rejection was counted as one.
  expect(rejected.length).toBeGreaterThan(0);
  expect(stats.quotaRejections).toBe(rejected.length);
  // The lane paced itself: without a pause after a rejection it would keep ~64 calls in flight
  // against an empty bucket and most calls would be rejected.
  expect(rejected.length / calls.length).toBeLessThanOrEqual(0.4);
  // Not collapsed: past the first second, names are accepted at ≥ half the quota.
  const accepted = calls.filter((c) => c.code === 0).map((c) => c.at);
  const first = Math.min(...accepted);
  const last = Math.max(...accepted);
  const steady = accepted.filter((t) => t >= first + 1000);
  expect(steady.length / ((last - first - 1000) / 1000)).toBeGreaterThanOrEqual(0.5 * QUOTA);
});

test('UNAVAILABLE is not a quota signal: retried with backoff, attempts spent, no quota rejection counted', async () => {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs: 20, errorRate: 0.1 });
  const names: string[] = [];
  for (let i = 0; i < NAMES; i++) {
    e.store.seed({ name: name(i), service: 'dataplex' });
    names.push(name(i));
  }
  const { recs, stats } = await runAll(names);

  expect(recs).toHaveLength(NAMES);
  const unavailable = e.callsOf('CancelOperation').filter((c) => c.code === 14).length;
  expect(unavailable).toBeGreaterThan(0);
  // Transient failures spend the name's attempts (a quota rejection would not)...
  expect(recs.reduce((n, r) => n + r.attempts - 1, 0)).toBeGreaterThan(0);
  expect(stats.retries).toBeGreaterThan(0);
  // ... and never count as quota rejections, which would pause and pace the service.
  expect(stats.quotaRejections).toBe(0);
  // With 3 attempts at 10 % a name fails 1 in 1,000: nearly all are accepted.
  expect(recs.filter((r) => r.outcome === 'cancel-requested').length).toBeGreaterThanOrEqual(NAMES - 5);
});
