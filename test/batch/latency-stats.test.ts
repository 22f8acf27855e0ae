// run.stats.latency (the summary's p50/p95/p99) follows the latencies the calls really had:
// with the emulator's latency fixed per service, the percentiles land on those latencies.
import { cancelMany } from '../../src/batch/cancel-many';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);
const emu = useEmulator();

test('90 names at 100 ms and 10 at 600 ms: p50 is ~100 ms, p95 and p99 are ~600 ms (generous slack for a loaded machine)', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 100 });
  e.setFaults('dataplex', { latencyMs: 600 });
  const names: string[] = [];
  for (let i = 0; i < 90; i++) names.push(`//datastore.googleapis.com/projects/p/operations/fast-${i}`);
  for (let i = 0; i < 10; i++)
    names.push(`//dataplex.googleapis.com/projects/p/locations/l/operations/slow-${i}`);
  for (const n of names)
    e.store.seed({
      name: n.replace(/^\/\/[^/]+\//, ''),
      service: n.includes('datastore') ? 'datastore' : 'dataplex',
    });
  const run = cancelMany(names, { emulator: e.target, concurrency: 16 });
  let n = 0;
  for await (const r of run) {
    expect(r.outcome).toBe('cancel-requested');
    n++;
  }
  expect(n).toBe(100);
  const { p50, p95, p99 } = run.stats.latency;
  // The histogram's buckets are ~2 % wide: a 100 ms call may read 98 ms.
  expect(p50).toBeGreaterThanOrEqual(98);
  expect(p50).toBeLessThan(100 + 400);
  expect(p95).toBeGreaterThanOrEqual(588);
  expect(p95).toBeLessThan(600 + 1000);
  expect(p99).toBeGreaterThanOrEqual(p95);
  expect(p99).toBeLessThan(600 + 1000);
});
