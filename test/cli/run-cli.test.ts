// Dispatch and error mapping, with the command modules mocked: proves parse -> command wiring,
// that command modules load only when dispatched, and how each error becomes an exit code.
const mockLoaded: string[] = [];
const mockCancel = jest.fn(async (_options: unknown, _io: unknown): Promise<number> => 0);
const mockServices = jest.fn(async (_options: unknown, _io: unknown): Promise<number> => 0);

jest.mock('../../src/cli/commands/cancel-command', () => {
  mockLoaded.push('cancel');
  return { cancelCommand: mockCancel };
});
jest.mock('../../src/cli/commands/services-command', () => {
  mockLoaded.push('services');
  return { servicesCommand: mockServices };
});
jest.mock('../../src/cli/commands/emulator-command', () => {
  mockLoaded.push('emulator');
  return { emulatorCommand: jest.fn(async () => 0) };
});

import { commandNames } from '../../src/cli/command-table';
import { ExitError, UsageError } from '../../src/cli/exit-error';
import { runCli } from '../../src/cli/run-cli';
import { OperationsError } from '../../src/errors/operations-error';
import { VERSION } from '../../src/version';
import { capture } from './helpers/capture';

beforeEach(() => {
  mockCancel.mockReset().mockResolvedValue(0);
  mockServices.mockReset().mockResolvedValue(0);
});

test('--version, --help and usage errors load no command module', async () => {
  const c = capture();
  expect(await runCli(['--version'], c.io)).toBe(0);
  expect(c.stdout()).toBe(`${VERSION}\n`);
  expect(await runCli(['--help'], c.io)).toBe(0);
  expect(await runCli(['cancel', '--help'], c.io)).toBe(0);
  expect(await runCli(['cancel', '--timeout', 'x', 'n'], c.io)).toBe(2);
  expect(mockLoaded).toEqual([]);
});

test('dispatch passes the parsed options and the io to the command, and returns its code', async () => {
  const c = capture({ A: '1' });
  mockCancel.mockResolvedValue(1);
  expect(
    await runCli(['cancel', '--service', 'datastore', '--timeout', '2s', 'projects/p/operations/o'], c.io),
  ).toBe(1);
  expect(mockCancel).toHaveBeenCalledWith(
    { names: ['projects/p/operations/o'], service: 'datastore', timeoutMs: 2000 },
    c.io,
  );
  expect(mockLoaded).toContain('cancel');
  expect(mockLoaded).not.toContain('emulator');
  expect(mockServices).not.toHaveBeenCalled();
});

test('help output lists every command and a command help lists its flags', async () => {
  const c = capture();
  await runCli(['help'], c.io);
  for (const name of commandNames) expect(c.stdout()).toMatch(new RegExp(`\n {2}${name} +\\S`));
  const h = capture();
  await runCli(['emulator', '--help'], h.io);
  expect(h.stdout()).toMatch(/^Usage: lro-cancel emulator/);
  for (const flag of ['--port N', '--host HOST', '--seed N', '-h, --help'])
    expect(h.stdout()).toContain(flag);
});

test('a usage error is one line on stderr plus a hint to the right --help, exit 2', async () => {
  const c = capture();
  expect(await runCli(['cancel', '--max-attempts', '-1', 'x'], c.io)).toBe(2);
  expect(c.stdout()).toBe('');
  expect(c.stderr()).toBe(
    "lro-cancel: --max-attempts: -1 is too small; the minimum is 1\nTry 'lro-cancel cancel --help'.\n",
  );
  const g = capture();
  expect(await runCli([], g.io)).toBe(2);
  expect(g.stderr()).toBe(
    `lro-cancel: missing command: use one of ${commandNames.join(', ')}\nTry 'lro-cancel --help'.\n`,
  );
});

test.each<[string, unknown, number, RegExp]>([
  ['ExitError', new ExitError(3, 'custom failure'), 3, /^lro-cancel: custom failure\n$/],
  ['ExitError without message', new ExitError(1), 1, /^$/],
  [
    'UsageError thrown by a command',
    new UsageError('--emulator: refusing plaintext', 'cancel'),
    2,
    /^lro-cancel: --emulator: refusing plaintext\nTry 'lro-cancel cancel --help'.\n$/,
  ],
  [
    'OperationsError',
    new OperationsError(7, 'denied', { operationName: 'projects/p/operations/o' }),
    1,
    /^lro-cancel: \[PERMISSION_DENIED\] projects\/p\/operations\/o: denied\n$/,
  ],
  [
    'OperationsError invalid-name',
    new OperationsError(3, 'bad', { outcome: 'invalid-name' }),
    2,
    /^lro-cancel: \[INVALID_ARGUMENT\] bad\n$/,
  ],
  [
    'anything else',
    new TypeError('boom with Bearer ya29.secret-token'),
    1,
    /^lro-cancel: internal error, please report it with this output:\nTypeError: boom with Bearer \[redacted\]\n {4}at /,
  ],
])('%s maps to its exit code', async (_label, error, code, stderr) => {
  mockServices.mockRejectedValue(error);
  const c = capture();
  expect(await runCli(['services'], c.io)).toBe(code);
  expect(c.stderr()).toMatch(stderr);
  expect(c.stderr()).not.toContain('ya29.secret');
});
