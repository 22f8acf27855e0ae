// `lro-cancel batch --grace` as a child process: after Ctrl-C, calls in flight get the grace to
// finish, then are aborted. Shorter than the server's latency: they end `aborted` soon after
// it; longer: they finish `cancel-requested`. Either way exit 130 and one record per line.
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';
import { startCli } from './helpers/spawn-cli';
import { seedNamesFile } from './helpers/seed-file';

jest.setTimeout(60_000);
const emu = useEmulator();

/** This test's calls still unanswered at the emulator (an earlier test's slow handlers are not in its log). */
const inFlight = (): number =>
  emu
    .get()
    .callsOf('CancelOperation')
    .filter((c) => c.code === undefined).length;

function seedFile(count: number, prefix: string): string {
  return seedNamesFile(emu.get(), count, prefix).file;
}

/** Start a batch of 4 in flight, SIGINT it once those 4 reached the emulator; the outcomes and the ms from SIGINT to exit. */
async function interruptWithFourInFlight(
  file: string,
  grace: string,
): Promise<{ code: number | null; outcomes: string[]; exitMs: number }> {
  const e = emu.get();
  const run = startCli(
    [
      'batch',
      '--input',
      file,
      '--service',
      'datastore',
      '--emulator',
      e.target,
      '--concurrency',
      '4',
      '--grace',
      grace,
      '--quiet',
    ],
    {},
    40_000,
  );
  await until(() => inFlight() === 4, 'four calls in flight at the emulator', 20_000);
  const sentAt = performance.now();
  run.child.kill('SIGINT');
  const r = await run.exited;
  const exitMs = performance.now() - sentAt;
  const outcomes = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { outcome: string }).outcome);
  return { code: r.code, outcomes, exitMs };
}

const count = (outcomes: string[], outcome: string): number => outcomes.filter((o) => o === outcome).length;

test('--grace 500ms with a server slower than that: Ctrl-C aborts the calls in flight soon after the grace, exit 130', async () => {
  emu.get().setFaults('datastore', { latencyMs: 10_000 });
  const r = await interruptWithFourInFlight(seedFile(40, 'short'), '500ms');
  expect(r.code).toBe(130);
  expect(r.outcomes).toHaveLength(40);
  expect(count(r.outcomes, 'aborted')).toBe(4);
  expect(count(r.outcomes, 'not-attempted')).toBe(36);
  // The grace was given, and the exit came long before the server's 10 s answer.
  expect(r.exitMs).toBeGreaterThanOrEqual(500);
  expect(r.exitMs).toBeLessThan(6000);
});

test('--grace 30s with a server answering within 1.5 s: Ctrl-C lets the calls in flight finish cancel-requested, exit 130', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 1500 });
  const r = await interruptWithFourInFlight(seedFile(40, 'long'), '30s');
  expect(r.code).toBe(130);
  expect(r.outcomes).toHaveLength(40);
  expect(count(r.outcomes, 'cancel-requested')).toBe(4);
  expect(count(r.outcomes, 'not-attempted')).toBe(36);
  expect(e.callsOf('CancelOperation')).toHaveLength(4);
});
