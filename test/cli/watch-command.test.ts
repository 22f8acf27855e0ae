// lro-cancel watch NAME... --cancel-after: one "watch" line per name (matching the records schema),
// the one that ended in time left alone, the one still running at the budget cancelled.
import Ajv2020 from 'ajv/dist/2020';
import { recordsSchema } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(recordsSchema);

interface WatchRecord {
  kind: string;
  name: string;
  ending: string;
  cancelSent: boolean;
  state: string;
}

/** Seed one running and one that ends at 100 ms; watch both for 600 ms with `extra` flags. */
async function watchTwo(
  extra: string[],
): Promise<{ code: number; lines: WatchRecord[]; endings: Record<string, string> }> {
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
        ...extra,
      ],
      c.io,
    );
    const lines = c.records<WatchRecord>();
    return { code, lines, endings: Object.fromEntries(lines.map((l) => [l.name, l.ending])) };
  } finally {
    clearTimeout(timer);
  }
}

test('watch: done in time is left alone, still running at the budget is cancelled and confirmed', async () => {
  const { code, lines } = await watchTwo([]);
  expect(code).toBe(0);
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
  expect(
    emu
      .get()
      .calls.filter((x) => x.method === 'CancelOperation')
      .map((x) => x.name),
  ).toEqual(['projects/p/operations/slow']);
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

const BOTH = {
  'projects/p/operations/quick': 'done-in-time',
  'projects/p/operations/slow': 'cancelled-at-budget',
};
const count = (method: string): number => emu.get().calls.filter((x) => x.method === method).length;

test('watch over gRPC waits with WaitOperation (the server answers when the operation ends), not a stream of GetOperation reads', async () => {
  const { code, endings } = await watchTwo([]);
  expect(code).toBe(0);
  expect(endings).toEqual(BOTH);
  // One WaitOperation per name at least (the slow one's may be repeated after a server-side wait timeout).
  const waited = new Set(
    emu
      .get()
      .calls.filter((x) => x.method === 'WaitOperation')
      .map((x) => x.name),
  );
  expect(waited).toEqual(new Set(['projects/p/operations/quick', 'projects/p/operations/slow']));
});

test('watch --via poll reads with GetOperation only', async () => {
  const { code, endings } = await watchTwo(['--via', 'poll']);
  expect(code).toBe(0);
  expect(endings).toEqual(BOTH);
  expect(count('WaitOperation')).toBe(0);
  expect(count('GetOperation')).toBeGreaterThanOrEqual(2);
});

test('a service that answers WaitOperation with UNIMPLEMENTED is polled instead: the same endings', async () => {
  emu.get().setFaults('datastore', { errorRate: 1, errorCode: 12, errorMethods: ['WaitOperation'] });
  const { code, endings } = await watchTwo([]);
  expect(code).toBe(0);
  expect(endings).toEqual(BOTH);
  expect(count('WaitOperation')).toBeGreaterThanOrEqual(1);
  expect(count('GetOperation')).toBeGreaterThanOrEqual(3);
});

test.each([
  [['--via', 'sometimes'], /--via: "sometimes" is not a way to watch; use wait or poll/],
  [
    ['--via', 'wait', '--transport', 'rest'],
    /--via wait needs WaitOperation, which no service binds over HTTP/,
  ],
])('watch %j is a usage error, before any call', async (extra, message) => {
  const c = capture();
  const code = await runCli(
    [
      'watch',
      'projects/p/operations/x',
      '--service',
      'datastore',
      '--cancel-after',
      '1h',
      '--emulator',
      emu.get().target,
      ...extra,
    ],
    c.io,
  );
  expect(code).toBe(2);
  expect(c.stderr()).toMatch(message);
  expect(emu.get().calls).toHaveLength(0);
});
