// `lro-cancel batch` and signals, as a child process: SIGTERM and SIGHUP stop it like Ctrl-C;
// an input that is not a regular file (a FIFO whose writer stays, /dev/zero) stops being read
// at the first signal; a second signal exits at once even then; stdin that is a regular file
// is read out like any file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { useEmulator } from '../helpers/emulator';
import { childEnv, cli, startCli } from './helpers/spawn-cli';
import { seedNamesFile } from './helpers/seed-file';

jest.setTimeout(60_000);
const emu = useEmulator({ recordCalls: false });

function seedFile(count: number, prefix: string): { file: string; dir: string } {
  return seedNamesFile(emu.get(), count, prefix);
}

function records(stdout: string): Array<{ line: number; outcome: string }> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { line: number; outcome: string });
}

/** A FIFO fed with `file` by a writer that then keeps it open (and sends nothing) for a minute. */
function fifoFedWith(file: string, dir: string): { fifo: string; writer: ChildProcess } {
  const fifo = path.join(dir, 'names.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // exec: the writer process itself becomes the sleep that holds the FIFO open, so killing it frees it.
  const writer = spawn('sh', ['-c', '{ cat "$1"; exec sleep 60; } > "$2"', 'sh', file, fifo], {
    stdio: 'ignore',
  });
  return { fifo, writer };
}

const common = (): string[] => ['--service', 'datastore', '--emulator', emu.get().target];

test.each(['SIGTERM', 'SIGHUP'] as const)(
  '%s mid-run: like Ctrl-C — exit 130, every line gets one record (the rest not-attempted), summary printed',
  async (signal) => {
    const e = emu.get();
    e.setFaults('datastore', { latencyMs: 50 });
    const { file } = seedFile(1000, `term${signal}`);
    const run = startCli(['batch', '--input', file, ...common(), '--concurrency', '8']);
    await run.waitForStdout(/(?:.*\n){3}/);
    run.child.kill(signal);
    const r = await run.exited;
    expect(r).toMatchObject({ code: 130, signal: null });
    const recs = records(r.stdout);
    expect(recs).toHaveLength(1000);
    expect(new Set(recs.map((x) => x.line)).size).toBe(1000);
    const sent = recs.filter((x) => x.outcome === 'cancel-requested').length;
    expect(recs.filter((x) => x.outcome === 'not-attempted')).toHaveLength(1000 - sent);
    expect(r.stderr).toMatch(/^lro-cancel: 1000 records in .*not-attempted: \d+/m);
  },
);

test('--input FIFO whose writer stays: SIGINT stops reading it, exit 130, a record for every line read, and the summary says the rest was not read', async () => {
  const { file, dir } = seedFile(40, 'fifo');
  const { fifo, writer } = fifoFedWith(file, dir);
  try {
    const run = startCli(['batch', '--input', fifo, ...common()]);
    await run.waitForStdout(/(?:.*\n){40}/);
    const t0 = performance.now();
    run.child.kill('SIGINT');
    const r = await run.exited;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(r.code).toBe(130);
    expect(records(r.stdout)).toHaveLength(40);
    expect(r.stderr).toMatch(/stopped before the end of the input: the rest of it was not read/);
  } finally {
    writer.kill();
  }
});

test('--input FIFO, calls in flight: a second SIGINT exits with 130 within 2 s (no read left blocking exit)', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 30_000 });
  const { file, dir } = seedFile(5, 'fifo2');
  const { fifo, writer } = fifoFedWith(file, dir);
  try {
    const before = e.counts.get('CancelOperation') ?? 0;
    const run = startCli(['batch', '--input', fifo, ...common(), '--grace', '60s', '--quiet'], {}, 30_000);
    const until = Date.now() + 10_000;
    while ((e.counts.get('CancelOperation') ?? 0) - before < 5 && Date.now() < until)
      await new Promise((res) => setTimeout(res, 20));
    run.child.kill('SIGINT'); // first: waits up to 60 s for the 5 calls in flight
    await new Promise((res) => setTimeout(res, 300));
    expect(run.child.exitCode).toBeNull();
    const t0 = performance.now();
    run.child.kill('SIGINT');
    const r = await run.exited;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r.code).toBe(130);
  } finally {
    writer.kill();
  }
});

test('--input /dev/zero (one endless line of NULs): memory stays bounded, and SIGINT ends it at once with exit 130', async () => {
  const run = startCli(['batch', '--input', '/dev/zero', ...common()]);
  await new Promise((res) => setTimeout(res, 2_000)); // gigabytes of zeros read by now
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'))?.[1]);
  expect(rssKb).toBeLessThan(400 * 1024);
  const t0 = performance.now();
  run.child.kill('SIGINT');
  const r = await run.exited;
  expect(performance.now() - t0).toBeLessThan(5_000);
  expect(r.code).toBe(130);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/stopped before the end of the input/);
});

test('--input - from a regular file (`< names.txt`): read out after SIGINT like any file, every line gets a record', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 50 });
  const { file } = seedFile(500, 'stdinfile');
  const args = ['batch', '--input', '-', ...common(), '--concurrency', '4', '--quiet'];
  const child = spawn(
    'bash',
    ['-c', 'exec "$@" < "$0"', file, process.execPath, ...cli.nodeArgs, cli.entry, ...args],
    { env: childEnv() },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  while (stdout.split('\n').length < 4) await new Promise((res) => setTimeout(res, 10));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  expect(code).toBe(130);
  const recs = records(stdout);
  expect(recs).toHaveLength(500);
  expect(recs.filter((x) => x.outcome === 'not-attempted').length).toBeGreaterThan(0);
});
