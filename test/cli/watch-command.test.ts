// lro-cancel watch NAME... --cancel-after: one "watch" line per name (matching the records schema),
// the one that ended in time left alone, the one still running at the budget cancelled.
import Ajv2020 from 'ajv/dist/2020';
import { recordsSchema } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(recordsSchema);

test('watch: done in time is left alone, still running at the budget is cancelled and confirmed', async () => {
  const e = emu.get();
  const quick = e.store.seed({ name: 'projects/p/operations/quick', service: 'datastore' });
  e.store.seed({ name: 'projects/p/operations/slow', service: 'datastore' });
  const timer = setTimeout(() => e.store.complete(quick), 100);
  const c = capture();
  try {
    const code = await runCli(
      [
        'watch',
        'projects/p/operations/quick',
        'projects/p/operations/slow',
        '--service',
        'datastore',
        '--cancel-after',
        '600ms',
        '--emulator',
        e.target,
      ],
      c.io,
    );
    expect(code).toBe(0);
  } finally {
    clearTimeout(timer);
  }
  const lines = c.records<{
    kind: string;
    name: string;
    ending: string;
    cancelSent: boolean;
    state: string;
  }>();
  for (const l of lines) expect(validate(l)).toBe(true);
  const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
  expect(byName['projects/p/operations/quick']).toMatchObject({
    kind: 'watch',
    ending: 'done-in-time',
    cancelSent: false,
    state: 'completed',
  });
  expect(byName['projects/p/operations/slow']).toMatchObject({
    kind: 'watch',
    ending: 'cancelled-at-budget',
    cancelSent: true,
    state: 'cancelled',
  });
  expect(e.calls.filter((x) => x.method === 'CancelOperation').map((x) => x.name)).toEqual([
    'projects/p/operations/slow',
  ]);
});

test('watch without --cancel-after is a usage error, before any call', async () => {
  const c = capture();
  expect(
    await runCli(
      ['watch', 'projects/p/operations/x', '--service', 'datastore', '--emulator', emu.get().target],
      c.io,
    ),
  ).toBe(2);
  expect(c.stderr()).toMatch(/--cancel-after is required/);
  expect(emu.get().calls).toHaveLength(0);
});
