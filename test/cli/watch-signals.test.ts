// `lro-cancel watch` as a child process, interrupted: Ctrl-C while it watches leaves every
// operation as it was (no CancelOperation, whatever the budget), prints one "interrupted" line per
// name and exits 130 — over WaitOperation (the default) and over polling alike.
import { useEmulator } from '../helpers/emulator';
import { until } from '../helpers/until';
import { startCli } from './helpers/spawn-cli';

jest.setTimeout(60_000);
const emu = useEmulator();
const NAMES = ['projects/p/operations/long-1', 'projects/p/operations/long-2'];

test.each([
  ['WaitOperation', [] as string[]],
  ['GetOperation', ['--via', 'poll']],
])(
  'SIGINT while watching with %s: exit 130, both "interrupted", nothing cancelled',
  async (method, extra) => {
    const e = emu.get();
    for (const name of NAMES) e.store.seed({ name, service: 'datastore' });
    const run = startCli([
      'watch',
      ...NAMES,
      '--service',
      'datastore',
      // A budget that passes within the test: were Ctrl-C ignored, the cancel would come.
      '--cancel-after',
      '20s',
      '--emulator',
      e.target,
      ...extra,
    ]);
    // Past the CLI's start-up: its signal handlers are in place once it has sent a call.
    await until(() => e.callsOf(method).length >= 2, `a ${method} call for each name`, 20_000);
    run.child.kill('SIGINT');
    const r = await run.exited;
    expect(r.code).toBe(130);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { name: string; ending: string; cancelSent: boolean });
    expect(lines.map((l) => [l.name, l.ending, l.cancelSent]).sort()).toEqual(
      NAMES.map((n) => [n, 'interrupted', false]),
    );
    expect(e.callsOf('CancelOperation')).toHaveLength(0);
    for (const name of NAMES) expect(e.store.get(name, 'datastore')?.done).toBe(false);
  },
);
