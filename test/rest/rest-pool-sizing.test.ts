/**
 * Over REST a service's requests in flight are bounded by its HTTP/1.1 connections (one request
 * each), so the pool must be as large as the batch's concurrency may grow: sized at the starting
 * 64, it silently capped the rate controller's growth (gRPC reached 256 in flight where REST
 * stayed at 64, three times slower at 400 ms), and `cancel-all --concurrency N` (whose one
 * canceller lists and then cancels) at 64 whatever N said. The emulator answers slowly here, so
 * calls overlap as far as the pool lets them.
 */
import { cancelMany } from '../../src/batch/cancel-many';
import { runCli } from '../../src/cli/run-cli';
import { capture } from '../cli/helpers/capture';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ rest: true });
const op = (i: number): string => `projects/p/locations/l/operations/s${i}`;

/** Seed `n` running dataplex operations answered after `latencyMs`, and watch the most in flight. */
function slowOperations(
  n: number,
  latencyMs: number,
): { names: string[]; most: () => number; stop: () => void } {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs });
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    e.store.seed({ name: op(i), service: 'dataplex' });
    names.push(`//dataplex.googleapis.com/${op(i)}`);
  }
  let most = 0;
  const timer = setInterval(() => {
    most = Math.max(most, e.inflightCalls);
  }, 5);
  return { names, most: () => most, stop: () => clearInterval(timer) };
}

test('cancelMany over REST with no concurrency given: the pool lets the rate controller grow past 64', async () => {
  const e = emu.get();
  const w = slowOperations(1200, 400);
  try {
    let ok = 0;
    for await (const r of cancelMany(w.names, { emulator: e.restTarget, transport: 'rest' }))
      if (r.outcome === 'cancel-requested') ok++;
    expect(ok).toBe(1200);
  } finally {
    w.stop();
  }
  // Past the starting 64, on as many connections; never past the controller's 256.
  expect(w.most()).toBeGreaterThan(64);
  expect(w.most()).toBeLessThanOrEqual(256);
  const connections = new Set(e.callsOf('CancelOperation').map((c) => c.peer)).size;
  expect(connections).toBeGreaterThan(64);
  expect(connections).toBeLessThanOrEqual(256);
}, 60_000);

test('cancel-all --transport rest --concurrency 100: up to 100 in flight (its shared canceller is sized for it)', async () => {
  const e = emu.get();
  const w = slowOperations(300, 300);
  const out = capture();
  try {
    const code = await runCli(
      [
        'cancel-all',
        'projects/p/locations/l',
        '--service',
        'dataplex',
        '--emulator',
        e.restTarget,
        '--transport',
        'rest',
        '--concurrency',
        '100',
        '--quiet',
      ],
      out.io,
    );
    expect(code).toBe(0);
  } finally {
    w.stop();
  }
  expect(out.records()).toHaveLength(300);
  expect(w.most()).toBeGreaterThan(64);
  expect(w.most()).toBeLessThanOrEqual(100);
}, 60_000);
