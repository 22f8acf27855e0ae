// `lro-cancel cancel-all` as a child process, interrupted: Ctrl-C while it cancels stops it
// like a batch (no new calls, a record for every listed operation, the summary) and exits 130;
// Ctrl-C while it is still listing exits 130 too, having cancelled nothing.
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';
import { startCli } from './helpers/spawn-cli';

jest.setTimeout(60_000);
const emu = useEmulator();
const PARENT = 'projects/p/locations/l';

function seed(count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `${PARENT}/operations/all-${i}`);
  for (const name of names) emu.get().store.seed({ name, service: 'dataplex' });
  return names;
}

test('SIGINT while cancelling: exit 130, a record for every listed operation (the unsent ones not-attempted), no new calls, a summary', async () => {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs: 150 });
  const names = seed(200);
  const run = startCli([
    'cancel-all',
    PARENT,
    '--service',
    'dataplex',
    '--emulator',
    e.target,
    '--concurrency',
    '4',
  ]);
  // A few cancels answered: the listing is over and the cancels are under way.
  await run.waitForStdout(/(?:.*"outcome":"cancel-requested".*\n){3}/, 30_000);
  run.child.kill('SIGINT');
  const r = await run.exited;
  expect(r.code).toBe(130);
  const recs = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { name: string; outcome: string });
  expect(recs).toHaveLength(200);
  expect(new Set(recs.map((x) => x.name))).toEqual(new Set(names));
  const sent = recs.filter((x) => x.outcome === 'cancel-requested').length;
  expect(sent).toBeGreaterThanOrEqual(3);
  expect(sent).toBeLessThan(100);
  expect(recs.filter((x) => x.outcome === 'not-attempted')).toHaveLength(200 - sent);
  // Every call it made is accounted for, and none came after the stop.
  expect(e.callsOf('CancelOperation')).toHaveLength(sent);
  expect(r.stderr).toMatch(/not-attempted/);
});

test('SIGINT while listing: exit 130 (not a listing failure), nothing cancelled, one line on stderr saying so', async () => {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs: 3000 });
  seed(20);
  const run = startCli(['cancel-all', PARENT, '--service', 'dataplex', '--emulator', e.target]);
  await until(() => e.callsOf('ListOperations').length === 1, 'the first ListOperations call', 20_000);
  // Past the CLI's start-up: its signal handlers are in place once it has sent a call.
  run.child.kill('SIGINT');
  const r = await run.exited;
  expect(r.code).toBe(130);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/interrupted while listing; nothing was cancelled/);
  expect(r.stderr).not.toMatch(/listing failed/);
  expect(e.callsOf('CancelOperation')).toHaveLength(0);
});
