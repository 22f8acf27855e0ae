// `batch --input`, `--output` and `--journal` that are one file — by the same path, `./x` vs
// `x`, relative vs absolute, a symlink, a hard link, or a file not there yet — are refused with
// exit 2 before anything is opened: the input is unchanged, no journal or output is written.
import { existsSync, linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useEmulator } from '../helpers/emulator';
import { ROOT, runCliProcess } from './helpers/spawn-cli';

jest.setTimeout(30_000);
const emu = useEmulator({ recordCalls: false });
const NAMES = 'projects/p/operations/a\nprojects/p/operations/b\n';

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-paths-'));
  writeFileSync(path.join(dir, 'names.txt'), NAMES);
  symlinkSync('names.txt', path.join(dir, 'names-link.txt'));
  linkSync(path.join(dir, 'names.txt'), path.join(dir, 'names-hard.txt'));
  return dir;
}

/** Run batch with extra flags; a bare file name is taken in `dir`, any other path as given (the CLI runs in ROOT). */
function batchIn(dir: string, flags: string[]): ReturnType<typeof runCliProcess> {
  const abs = flags.map((f) => (f.startsWith('-') || f.includes('/') ? f : path.join(dir, f)));
  return runCliProcess([
    'batch',
    ...abs,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--quiet',
  ]);
}

test.each<[string, (dir: string) => string[], RegExp]>([
  [
    '--output = --input, same path',
    () => ['--input', 'names.txt', '--output', 'names.txt'],
    /--input and --output are the same file .*truncate the names/,
  ],
  [
    '--output = --input, ./relative vs absolute',
    (d) => ['--input', `./${path.relative(ROOT, d)}/names.txt`, '--output', `${d}/./names.txt`],
    /--input and --output are the same file/,
  ],
  [
    '--output a symlink to --input',
    () => ['--input', 'names.txt', '--output', 'names-link.txt'],
    /--input and --output are the same file/,
  ],
  [
    '--output a hard link to --input',
    () => ['--input', 'names.txt', '--output', 'names-hard.txt'],
    /--input and --output are the same file/,
  ],
  [
    '--journal = --input',
    () => ['--input', 'names.txt', '--journal', 'names.txt'],
    /--input and --journal are the same file .*append to the names/,
  ],
  [
    '--journal a symlink to --input',
    () => ['--input', 'names-link.txt', '--journal', 'names.txt'],
    /--input and --journal are the same file/,
  ],
  [
    '--journal a hard link to --input',
    () => ['--input', 'names-hard.txt', '--journal', 'names.txt'],
    /--input and --journal are the same file/,
  ],
  [
    '--output = --journal, neither there yet',
    () => ['--input', 'names.txt', '--output', 'out.ndjson', '--journal', 'out.ndjson'],
    /--output and --journal are the same file .*truncate the journal/,
  ],
  [
    '--output = --journal through a dangling symlink',
    (d) => {
      symlinkSync('j.ndjson', path.join(d, 'j-link'));
      return ['--input', 'names.txt', '--output', 'j-link', '--journal', 'j.ndjson'];
    },
    /--output and --journal are the same file/,
  ],
])('%s: exit 2 naming both flags, nothing opened, the input unchanged', async (_label, flagsFor, message) => {
  const dir = workDir();
  const before = emu.get().counts.get('CancelOperation') ?? 0;
  const r = await batchIn(dir, flagsFor(dir));
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/\nTry 'lro-cancel batch --help'.\n$/);
  expect(readFileSync(path.join(dir, 'names.txt'), 'utf8')).toBe(NAMES);
  expect(existsSync(path.join(dir, 'out.ndjson'))).toBe(false);
  expect(existsSync(path.join(dir, 'j.ndjson'))).toBe(false);
  expect(emu.get().counts.get('CancelOperation') ?? 0).toBe(before);
});

test('distinct files, and `-` for stdout, run as usual', async () => {
  const dir = workDir();
  for (const n of ['a', 'b'])
    emu.get().store.seed({ name: `projects/p/operations/${n}`, service: 'datastore' });
  const r = await batchIn(dir, ['--input', 'names.txt', '--output', '-', '--journal', 'journal.ndjson']);
  expect(r.code).toBe(0);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
  expect(readFileSync(path.join(dir, 'names.txt'), 'utf8')).toBe(NAMES);
});
