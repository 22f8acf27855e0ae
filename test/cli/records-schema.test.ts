/**
 * Every line every command prints on stdout validates against the shipped JSON Schema
 * (src/records.schema.json, exported as recordsSchema), and the three kinds are told apart by
 * `kind`. Validated with ajv (draft 2020-12), a validator nobody here wrote.
 */
import Ajv2020 from 'ajv/dist/2020';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { recordsSchema } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { Code } from '../../src/errors/status-code';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(recordsSchema);

function seed(): void {
  const e = emu.get();
  e.store.clear();
  e.clearFaults();
  e.store.seed({ name: 'projects/p/operations/run', service: 'datastore' });
  e.store.seed({ name: 'projects/p/operations/done', service: 'datastore', doneAs: 'failed' });
  e.store.seed({ name: 'projects/p/operations/unsup', service: 'datastore', onCancel: 'unimplemented' });
  e.store.seed({
    name: 'projects/p/operations/flaky',
    service: 'datastore',
    failTimes: 5,
    transientCode: Code.UNAVAILABLE,
  });
}

const NAMES = [
  'projects/p/operations/run',
  'projects/p/operations/done',
  'projects/p/operations/unsup',
  'projects/p/operations/flaky',
  'projects/p/operations/missing',
  'not a name',
  'projects/p/operations/run',
];

async function stdoutOf(argv: string[]): Promise<string[]> {
  seed();
  const c = capture();
  await runCli([...argv, '--emulator', emu.get().target], c.io);
  return c
    .stdout()
    .split('\n')
    .filter((l) => l !== '');
}

function expectValid(lines: string[], kinds: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const value: unknown = JSON.parse(line);
    if (!validate(value))
      throw new Error(`${line}\n  does not match the schema: ${JSON.stringify(validate.errors)}`);
    expect(kinds).toContain((value as { kind: string }).kind);
    expect(Object.keys(value as object)[0]).toBe('kind');
  }
}

test.each([false, true])('cancel and batch (confirm: %p): every record matches', async (confirm) => {
  const flags = [
    '--service',
    'datastore',
    '--max-attempts',
    '2',
    ...(confirm ? ['--confirm', '--confirm-timeout', '2s'] : []),
  ];
  expectValid(await stdoutOf(['cancel', ...flags, ...NAMES]), ['result']);
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-schema-'));
  const input = path.join(dir, 'names.txt');
  const journal = path.join(dir, 'journal.ndjson');
  writeFileSync(input, `${['# comment', ...NAMES].join('\n')}\n`);
  expectValid(await stdoutOf(['batch', '--input', input, '--journal', journal, '--quiet', ...flags]), [
    'result',
  ]);
  // The rerun's skipped records, and the journal's own lines, match too.
  expectValid(await stdoutOf(['batch', '--input', input, '--journal', journal, '--quiet', ...flags]), [
    'result',
  ]);
  expectValid(readFileSync(journal, 'utf8').split('\n').filter(Boolean), ['result']);
});

test('get, list, cancel-all and cancel-all --dry-run: operation, would-cancel and result lines match', async () => {
  expectValid(
    await stdoutOf([
      'get',
      '--service',
      'datastore',
      'projects/p/operations/run',
      'projects/p/operations/done',
      'projects/p/operations/missing',
    ]),
    ['operation', 'result'],
  );
  expectValid(await stdoutOf(['list', 'projects/p', '--service', 'datastore']), ['operation']);
  expectValid(
    await stdoutOf(['cancel-all', 'projects/p', '--service', 'datastore', '--dry-run', '--quiet']),
    ['would-cancel'],
  );
  const cancelled = await stdoutOf([
    'cancel-all',
    'projects/p',
    '--service',
    'datastore',
    '--quiet',
    '--max-attempts',
    '1',
  ]);
  expectValid(cancelled, ['result']);
  // Names from a listing came from no file: no `line`, as the schema's description says.
  const records = cancelled.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(records.length).toBeGreaterThan(0);
  expect(records.filter((r) => 'line' in r)).toEqual([]);
});

test('the schema means something: a record missing a key, with an extra key or a wrong kind fails it', () => {
  const good = {
    kind: 'result',
    name: 'projects/p/operations/o',
    service: 'datastore',
    outcome: 'cancel-requested',
    code: 'OK',
    message: '',
    attempts: 1,
    latencyMs: 1,
  };
  expect(validate(good)).toBe(true);
  const { message: _message, ...missing } = good;
  for (const bad of [
    missing,
    { ...good, extra: 1 },
    { ...good, kind: 'operation' },
    { ...good, outcome: 'maybe' },
    { ...good, code: 'NOPE' },
  ]) {
    expect(validate(bad)).toBe(false);
  }
});
