// A failed write of the results is never a silent success: the real CLI writing to /dev/full,
// past a file-size limit (a short write, then EFBIG), and into a pipe whose reader is gone
// (`| head -1`, through bash so the pipe is a real one and PIPESTATUS gives the status).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useEmulator } from '../helpers/emulator';
import { childEnv, cli, ROOT, runCliProcess } from './helpers/spawn-cli';

jest.setTimeout(60_000);
const emu = useEmulator({ recordCalls: false });

function seedFile(count: number, prefix: string, idLength = 0): string {
  const e = emu.get();
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-out-'));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `projects/p/operations/${prefix}${i}${'x'.repeat(idLength)}`;
    e.store.seed({ name, service: 'datastore' });
    lines.push(name);
  }
  const file = path.join(dir, 'names.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Run `bash -c script` with the CLI command line as "$@" (script decides redirections and pipes). */
function bashWithCli(
  script: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      ['-c', script, 'bash', process.execPath, ...cli.nodeArgs, cli.entry, ...args],
      { cwd: ROOT, env: childEnv() },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cancels = (): number => emu.get().counts.get('CancelOperation') ?? 0;

test('batch --output /dev/full: exit 1 at once with one line naming the flag and ENOSPC, and it stops sending', async () => {
  const file = seedFile(5000, 'full');
  const before = cancels();
  const r = await runCliProcess([
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--output',
    '/dev/full',
    '--quiet',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('lro-cancel: cannot write --output /dev/full: ENOSPC: no space left on device\n');
  // The first record failed: what was sent is at most what was in flight then, not 5000.
  expect(cancels() - before).toBeLessThan(1000);
});

test('batch > /dev/full (stdout on a full device): exit 1 and one line, no stack', async () => {
  const file = seedFile(3000, 'fullout');
  const r = await bashWithCli('"$@" > /dev/full', [
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--quiet',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('lro-cancel: cannot write stdout: ENOSPC: no space left on device\n');
});

test.each([
  ['stdout', '"$@" > "$OUT"'],
  ['--output', '"$@" --output "$OUT"'],
])(
  'a short write is not lost (%s past ulimit -f: the rest of the record meets EFBIG): exit 1, not 0',
  async (_label, redirect) => {
    // One record of ~1,150 bytes against a 1,024-byte limit: its single write is cut short.
    const file = seedFile(1, 'short', 990);
    const out = path.join(path.dirname(file), 'out.ndjson');
    const r = await bashWithCli(`ulimit -f 1; OUT=${JSON.stringify(out)}; ${redirect}`, [
      'batch',
      '--input',
      file,
      '--service',
      'datastore',
      '--emulator',
      emu.get().target,
      '--quiet',
    ]);
    expect(readFileSync(out).length).toBe(1024);
    expect(r.stderr).toMatch(
      /^lro-cancel: cannot write (stdout|--output .*out\.ndjson): EFBIG: file too large\n$/,
    );
    expect(r.code).toBe(1);
  },
);

test('batch | head -1: the closed pipe stops the run, exit 141, one line on stderr, far fewer calls than names', async () => {
  const file = seedFile(5000, 'pipe');
  const before = cancels();
  const r = await bashWithCli('"$@" | head -1; exit "${PIPESTATUS[0]}"', [
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--quiet',
  ]);
  expect(r.code).toBe(141);
  expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stderr).toBe('lro-cancel: cannot write stdout: EPIPE: broken pipe\n');
  expect(cancels() - before).toBeLessThan(2500);
});

test('batch 2>&1 | head -1: stderr on the same closed pipe does not crash it either (141, no stack)', async () => {
  const file = seedFile(3000, 'pipe2');
  const r = await bashWithCli('"$@" 2>&1 | head -1 > /dev/null; exit "${PIPESTATUS[0]}"', [
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--quiet',
  ]);
  expect(r.code).toBe(141);
  expect(r.stderr).toBe('');
});

test.each<[string, (parent: string, name: string) => string[]]>([
  ['cancel', (_p, name) => ['cancel', name, 'projects/p/operations/missing']],
  ['get', (_p, name) => ['get', name]],
  ['list', (parent) => ['list', parent]],
  ['cancel-all', (parent) => ['cancel-all', parent, '--quiet']],
])('%s into a pipe whose reader is gone: exit 141, one line, no stack', async (_command, argsFor) => {
  const e = emu.get();
  const parent = 'projects/p/locations/l';
  for (let i = 0; i < 3; i++) e.store.seed({ name: `${parent}/operations/closed${i}`, service: 'dataplex' });
  // The reader (`true`) is gone long before the first answer arrives (300 ms per call).
  e.setFaults('dataplex', { latencyMs: 300 });
  const r = await bashWithCli('"$@" | true; exit "${PIPESTATUS[0]}"', [
    ...argsFor(parent, `${parent}/operations/closed0`),
    '--service',
    'dataplex',
    '--emulator',
    e.target,
  ]);
  expect(r.code).toBe(141);
  expect(r.stderr).toBe('lro-cancel: cannot write stdout: EPIPE: broken pipe\n');
});
