// `lro-cancel batch --journal` as a child process: a path that is no file, a journal in use
// by another run, and the lock a kill -9 leaves behind.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { JournalError } from '../../src/batch/cancel-journal';
import { reportError } from '../../src/cli/run-cli';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';
import { runCliProcess, startCli } from './helpers/spawn-cli';
import { seedNamesFile } from './helpers/seed-file';

jest.setTimeout(60_000);
const emu = useEmulator({ recordCalls: false });

function seedFile(count: number, prefix: string): { file: string; dir: string } {
  return seedNamesFile(emu.get(), count, prefix);
}

const cancels = (): number => emu.get().counts.get('CancelOperation') ?? 0;

test('--journal that is not a regular file: usage error (exit 2) naming it, before anything is sent or the output is opened', async () => {
  const { file, dir } = seedFile(3, 'nofile');
  const before = cancels();
  for (const [journal, kind] of [
    ['/dev/null', 'a character device'],
    [dir, 'a directory'],
  ] as const) {
    const output = path.join(dir, 'out.ndjson');
    const r = await runCliProcess([
      'batch',
      '--input',
      file,
      '--service',
      'datastore',
      '--emulator',
      emu.get().target,
      '--journal',
      journal,
      '--output',
      output,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `lro-cancel: --journal ${journal}: not a regular file (${kind}); give a file path\nTry 'lro-cancel batch --help'.\n`,
    );
    expect(existsSync(output)).toBe(false);
  }
  expect(cancels()).toBe(before);
});

test('a second run on a journal in use is refused at once (exit 1, one line naming journal and holder); the first finishes', async () => {
  const e = emu.get();
  const { file, dir } = seedFile(40, 'busy');
  const journal = path.join(dir, 'journal.ndjson');
  const common = ['--service', 'datastore', '--emulator', e.target, '--journal', journal, '--quiet'];
  // The first run reads stdin, kept open: it holds the journal for as long as the test needs.
  const first = startCli(['batch', '--input', '-', ...common]);
  const names = readFileSync(file, 'utf8');
  first.child.stdin.write(names.slice(0, names.indexOf('\n') + 1));
  await first.waitForStdout(/\n/);
  const output = path.join(dir, 'second.ndjson');
  const second = await runCliProcess(['batch', '--input', file, ...common, '--output', output]);
  expect(second.code).toBe(1);
  expect(second.stderr).toBe(
    `lro-cancel: journal ${journal}: in use by process ${first.child.pid} on ${hostname()} (lock file ${journal}.lock); wait for that run to end, or remove the lock file if that process is gone\n`,
  );
  // Refused before its output file was opened (truncated).
  expect(existsSync(output)).toBe(false);
  first.child.stdin.end(names.slice(names.indexOf('\n') + 1));
  const done = await first.exited;
  expect(done.code).toBe(0);
  expect(done.stdout.trimEnd().split('\n')).toHaveLength(40);
  expect(existsSync(`${journal}.lock`)).toBe(false);
});

test('kill -9 leaves the lock; the rerun takes it over (that pid is gone) and finishes', async () => {
  const e = emu.get();
  const { file, dir } = seedFile(30, 'stale');
  const journal = path.join(dir, 'journal.ndjson');
  const common = ['--service', 'datastore', '--emulator', e.target, '--journal', journal, '--quiet'];
  const first = startCli(['batch', '--input', '-', ...common]);
  const names = readFileSync(file, 'utf8');
  first.child.stdin.write(names.slice(0, names.indexOf('\n') + 1));
  await first.waitForStdout(/\n/);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(JSON.parse(readFileSync(`${journal}.lock`, 'utf8'))).toMatchObject({
    pid: first.child.pid,
    host: hostname(),
  });
  const second = await runCliProcess(['batch', '--input', file, ...common]);
  expect(second.code).toBe(0);
  const outcomes = second.stdout
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { outcome: string }).outcome);
  expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(1);
  expect(outcomes.filter((o) => o === 'cancel-requested')).toHaveLength(29);
  expect(existsSync(`${journal}.lock`)).toBe(false);
});

test('reportError: a JournalError is one line and exit 1, not an internal error', () => {
  const c = capture();
  const code = reportError(
    new JournalError('cancel.journal', 'write failed: ENOSPC: no space left on device'),
    c.io,
    'batch',
  );
  expect(code).toBe(1);
  expect(c.stderr()).toBe(
    'lro-cancel: journal cancel.journal: write failed: ENOSPC: no space left on device\n',
  );
});
