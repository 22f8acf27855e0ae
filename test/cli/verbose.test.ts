// `--verbose`: the library's debug logs as JSON lines on stderr — one per attempt, retry and
// result — while stdout keeps exactly its records; without the flag stderr stays empty.
import { runCli } from '../../src/cli/run-cli';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();

test('--verbose writes a JSON debug line per attempt, retry and result on stderr', async () => {
  const name = 'projects/p/operations/flaky';
  emu.get().store.seed({ name, service: 'datastore', failTimes: 1 });
  const c = capture();
  const code = await runCli(
    ['cancel', '--verbose', '--emulator', emu.get().target, '--service', 'datastore', name],
    c.io,
  );
  expect(code).toBe(0);
  expect(c.records().map((r) => r.outcome)).toEqual(['cancel-requested']);
  const lines = c
    .stderr()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l.level, l.msg, l.outcome ?? l.codeName])).toEqual([
    ['debug', 'lro-cancel attempt', 'UNAVAILABLE'],
    ['debug', 'lro-cancel retry', 'UNAVAILABLE'],
    ['debug', 'lro-cancel attempt', 'OK'],
    ['debug', 'lro-cancel result', 'cancel-requested'],
  ]);
  expect(lines[0]).toMatchObject({
    service: 'datastore',
    method: 'CancelOperation',
    operationName: name,
    attempt: 1,
  });
  expect(lines[1]).toMatchObject({ retry: 1, delayMs: expect.any(Number) });
  for (const l of lines) expect(l.time).toEqual(expect.any(Number));
});

test('without --verbose nothing is written on stderr', async () => {
  emu.get().store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
  const c = capture();
  const code = await runCli(
    ['cancel', '--emulator', emu.get().target, '--service', 'datastore', 'projects/p/operations/o'],
    c.io,
  );
  expect(code).toBe(0);
  expect(c.stderr()).toBe('');
});
