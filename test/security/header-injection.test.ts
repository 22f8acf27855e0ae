// Header injection: names (and flag values) with CR, LF or other control characters never
// reach request metadata, through any entry point, the CLI included; what does reach it is
// percent-encoded visible ASCII. Error lines on stderr stay one line each.
import { cancelAll } from '../../src/batch/cancel-all';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { createCanceller, OperationsError } from '../../src';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const GOOD = 'projects/p/operations/hi-good';
const SAFE_HEADER = /^name=[A-Za-z0-9\-_.!~*'()%]*$/;

/** Names that try to smuggle a header line (or terminal control) into the request. */
const INJECTIONS = [
  `${GOOD}\r\nx-evil: 1`,
  `${GOOD}\nauthorization: Bearer stolen`,
  `${GOOD}\rx-evil: 1`,
  `${GOOD}\u0085x-evil: 1`, // NEL
  `${GOOD}\u2028x-evil: 1`, // line separator
  `${GOOD}\u001b[2J`, // ESC: clear screen
  `${GOOD}\u009b2J`, // C1 CSI
  `${GOOD}\u0000x`,
  `${GOOD}\tx`,
  `//datastore.googleapis.com/${GOOD}\r\nx-evil: 1`,
  `//datastore.googleapis.com\r\nx-evil: 1/${GOOD}`,
];

function expectNothingSmuggled(): void {
  for (const call of emu.get().calls) {
    expect(call.requestParams).toMatch(SAFE_HEADER);
    expect(call.name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(JSON.stringify(call)).not.toContain('x-evil');
  }
}

test('every library entry point refuses them before any RPC: cancel, confirm, get, list, cancelMany, cancelAll', async () => {
  const e = emu.get();
  e.store.seed({ name: GOOD, service: 'datastore' });
  const c = createCanceller({ emulator: e.target, service: 'datastore' });
  try {
    for (const name of INJECTIONS) {
      for (const call of [() => c.cancel(name), () => c.cancelAndConfirm(name), () => c.getOperation(name)]) {
        await expect(call()).rejects.toMatchObject({ outcome: 'invalid-name', attempts: 0 });
      }
      const parent = name.replace(/\/operations\/hi-good/, '');
      await expect(
        (async () => {
          for await (const op of c.listOperations(parent)) void op;
        })(),
      ).rejects.toBeInstanceOf(OperationsError);
    }
  } finally {
    await c.close();
  }
  const recs: BatchRecord[] = [];
  for await (const r of cancelMany([...INJECTIONS, GOOD], { emulator: e.target, service: 'datastore' }))
    recs.push(r);
  expect(recs.filter((r) => r.outcome === 'invalid-name')).toHaveLength(INJECTIONS.length);
  expect(recs.filter((r) => r.outcome === 'cancel-requested')).toHaveLength(1);
  await expect(
    cancelAll('projects/p\r\nx-evil: 1', { emulator: e.target, service: 'datastore' }),
  ).rejects.toMatchObject({ outcome: 'invalid-name' });
  // Exactly one RPC went out in all of this: the good name, in the batch.
  expect(e.calls.map((x) => [x.method, x.name])).toEqual([['CancelOperation', GOOD]]);
  expectNothingSmuggled();
});

test('through the CLI: one JSON line per name, the injections invalid-name, only the good name sent, nothing smuggled', async () => {
  const e = emu.get();
  e.store.seed({ name: GOOD, service: 'datastore' });
  // argv cannot carry NUL: leave that one to the library test.
  const names = [...INJECTIONS.filter((n) => !n.includes('\u0000')), GOOD];
  const r = await runCliProcess(['cancel', '--service', 'datastore', '--emulator', e.target, ...names]);
  expect(r.code).toBe(1);
  const lines = r.stdout.trimEnd().split('\n');
  // The injected CR/LF did not split records: exactly one line per name, in order.
  expect(lines).toHaveLength(names.length);
  expect(r.stdout).not.toMatch(/\r/);
  const recs = lines.map((l) => JSON.parse(l) as BatchRecord);
  expect(recs.map((x) => x.outcome)).toEqual([
    ...Array(names.length - 1).fill('invalid-name'),
    'cancel-requested',
  ]);
  expect(recs.slice(0, -1).every((x) => x.attempts === 0)).toBe(true);
  expect(e.calls.map((x) => x.name)).toEqual([GOOD]);
  expectNothingSmuggled();
});

test('a flag value with CR/LF gives one escaped usage line on stderr (exit 2), not forged lines', async () => {
  for (const args of [
    [
      'cancel',
      '--emulator',
      emu.get().target,
      '--service-host',
      'foo.googleapis.com\r\nlro-cancel: all operations cancelled',
      GOOD,
    ],
    ['cancel', '--emulator', emu.get().target, '--service', 'datastore\nlro-cancel: ok', GOOD],
    ['cancel', '--emulator', `${emu.get().target}\r\nx`, '--service', 'datastore', GOOD],
    ['batch', '--input', '/nonexistent/\nlro-cancel: done', '--emulator', emu.get().target],
  ]) {
    const r = await runCliProcess(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    // The usage error and the --help pointer: two lines, the first naming the flag, escaped.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^lro-cancel: (--[\w-]+|unknown service|.*--input)/);
    expect(lines[0]).toMatch(/\\r|\\n/);
    expect(r.stderr).not.toMatch(/\r/);
    expect(lines[1]).toMatch(/^Try 'lro-cancel (cancel|batch) --help'\.$/);
  }
  expect(emu.get().calls).toHaveLength(0);
});
