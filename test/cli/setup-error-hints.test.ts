// The setup mistakes a new user meets first each end with one line naming the fix, over real
// connections on loopback: the real CLI (child process, loopback-only guard preloaded) against
// a plaintext emulator, a TLS emulator whose certificate it does not trust, the same emulator
// trusted but without Application Default Credentials, and a Google host that does not
// resolve. No stack trace and no deprecation warning on stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCanceller, OperationsError } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';
import { runCliProcess, type Finished } from './helpers/spawn-cli';

const FULL = '//dataplex.googleapis.com/projects/p/locations/l/operations/o';

let dir: string;
let caFile: string;
let tlsEmu: OperationsEmulator;
let plainEmu: OperationsEmulator;

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  tlsEmu = await startOperationsEmulator({ tls: pair });
  plainEmu = await startOperationsEmulator();
  dir = mkdtempSync(path.join(tmpdir(), 'lro-hints-'));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, pair.cert);
});

afterAll(async () => {
  await tlsEmu?.stop();
  await plainEmu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// No emulator from the parent's environment; no gcloud config or key file of the machine's.
const BASE_ENV = { HOME: '', CLOUDSDK_CONFIG: '', GOOGLE_APPLICATION_CREDENTIALS: '' };

async function cancel(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ run: Finished; message: string }> {
  const run = await runCliProcess(['cancel', '--max-attempts', '2', '--timeout', '10s', ...args, FULL], {
    ...BASE_ENV,
    HOME: dir,
    ...env,
  });
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const record = JSON.parse(lines[0]!) as { outcome: string; message: string };
  expect(record.outcome).toBe('error');
  // stderr: nothing of ours (the guard's own refusals aside), no stack, no warning.
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/DeprecationWarning|ExperimentalWarning|\(node:\d+\)/);
  expect(run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('loopback-only guard:'))).toEqual([]);
  expect(run.code).toBe(1);
  return { run, message: record.message };
}

test('TLS to the plaintext emulator: "the server speaks plaintext", use --emulator', async () => {
  const { message } = await cancel(['--endpoint', `localhost:${plainEmu.port}`]);
  expect(message).toMatch(/wrong version number/);
  expect(message).toMatch(
    /; hint: the server speaks plaintext, not TLS: use --emulator HOST:PORT \(loopback, plaintext; library: emulator\) instead of --endpoint$/,
  );
  // one line: grpc-js's own line break is folded
  expect(message).not.toContain('\n');
});

test('a certificate the client does not trust: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH / rootCerts; that fix gets past TLS', async () => {
  const { message } = await cancel(['--endpoint', `localhost:${tlsEmu.port}`]);
  expect(message).toMatch(/self[- ]signed certificate/);
  expect(message).toMatch(
    /; hint: the server's TLS certificate is not trusted: pass its CA's PEM file as --ca-file PEM or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH \(library: rootCerts\)/,
  );
  // The hint's fix works: trusted, the call gets as far as asking for credentials.
  const trusted = await cancel(['--endpoint', `localhost:${tlsEmu.port}`], {
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile,
  });
  expect(trusted.message).not.toMatch(/certificate/);
  expect(trusted.message).toMatch(/credentials/i);
  expect(tlsEmu.calls).toHaveLength(0);
});

test('GOOGLE_APPLICATION_CREDENTIALS naming a missing file: fix or unset it, or gcloud auth application-default login', async () => {
  const { message } = await cancel(['--endpoint', `localhost:${tlsEmu.port}`], {
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile,
    GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'missing-key.json'),
  });
  expect(message).toMatch(
    /; hint: GOOGLE_APPLICATION_CREDENTIALS names a file that cannot be read: fix or unset it, or run "gcloud auth application-default login"$/,
  );
  expect(tlsEmu.calls).toHaveLength(0);
});

test('no Application Default Credentials at all: gcloud auth application-default login, or the emulator', async () => {
  const { message } = await cancel(['--endpoint', `localhost:${tlsEmu.port}`], {
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile,
  });
  expect(message).toMatch(/Could not load the default credentials/);
  expect(message).toMatch(
    /; hint: no Application Default Credentials: run "gcloud auth application-default login" or set GOOGLE_APPLICATION_CREDENTIALS to a key file; to test locally, .*--emulator HOST:PORT or set LRO_CANCEL_EMULATOR_HOST/,
  );
  expect(tlsEmu.calls).toHaveLength(0);
});

test('a Google host that does not resolve (the guard refuses its lookup, grpc-js reports "Name resolution failed"): use the emulator', async () => {
  const { run, message } = await cancel([]);
  // The stand-in for "offline": the loopback-only guard refused the lookup, and grpc-js said what it says for any DNS failure.
  expect(run.stderr).toContain('refused DNS lookup to non-loopback host "dataplex.googleapis.com"');
  expect(message).toMatch(
    /^Name resolution failed for target dns:dataplex\.googleapis\.com:443; hint: cannot resolve dataplex\.googleapis\.com \(offline, or no DNS\?\); to test locally, .*pass --emulator HOST:PORT or set LRO_CANCEL_EMULATOR_HOST/,
  );
});

test('list: the same hint ends its one stderr line (exit 1)', async () => {
  const run = await runCliProcess(
    [
      'list',
      '--max-attempts',
      '1',
      '--endpoint',
      `localhost:${plainEmu.port}`,
      '//dataplex.googleapis.com/projects/p/locations/l',
    ],
    { ...BASE_ENV, HOME: dir },
  );
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toEqual([
    expect.stringMatching(
      /^lro-cancel: list .*wrong version number.*; hint: the server speaks plaintext, not TLS: use --emulator/,
    ),
  ]);
  expect(run.code).toBe(1);
});

test("library: the OperationsError carries the hint in `hint` and at the end of `message`; rawMessage is grpc-js's text", async () => {
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${tlsEmu.port}`,
    retry: { maxAttempts: 1 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err).toBeInstanceOf(OperationsError);
    const e = err as OperationsError;
    expect(e.hint).toMatch(/^the server's TLS certificate is not trusted: .*\(library: rootCerts\)/);
    expect(e.message.endsWith(`; hint: ${e.hint}`)).toBe(true);
    expect(e.rawMessage).not.toContain('hint');
    expect(e.codeName).toBe('UNAVAILABLE');
  } finally {
    await c.close();
  }
});

test('library: waiting for a connection that never comes (wait-for-ready, as batches call) until the total deadline still ends with a hint', async () => {
  const c = createCanceller({
    emulator: null,
    retry: {
      maxAttempts: 3,
      totalTimeoutMs: 1500,
      perAttemptTimeoutMs: 600,
      initialDelayMs: 50,
      maxDelayMs: 100,
    },
  });
  try {
    const e = await rejection(c.cancel(FULL, { waitForReady: true }));
    expect(e.codeName).toBe('DEADLINE_EXCEEDED');
    expect(e.attempts).toBeGreaterThan(1);
    // grpc-js's text does not say why it never connected; the hint says so, and what to try.
    expect(e.hint).toMatch(
      /^no connection was made before the deadline .*"lro-cancel get NAME" shows which.*--emulator HOST:PORT/,
    );
    expect(e.message.endsWith(`; hint: ${e.hint}`)).toBe(true);
  } finally {
    await c.close();
  }
});

test('batch: a Google host that does not resolve ends its record with a hint too (exit 1)', async () => {
  const input = path.join(dir, 'names.txt');
  writeFileSync(input, `${FULL}\n`);
  const run = await runCliProcess(['batch', '--quiet', '--timeout', '2s', '--input', input], {
    ...BASE_ENV,
    HOME: dir,
  });
  const [record] = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { outcome: string; message: string });
  expect(record?.outcome).toBe('error');
  expect(record?.message).toMatch(
    /; hint: (no connection was made before the deadline|cannot resolve dataplex\.googleapis\.com).*--emulator HOST:PORT or set LRO_CANCEL_EMULATOR_HOST/,
  );
  expect(run.stderr).not.toMatch(/^\s+at |DeprecationWarning/m);
  expect(run.code).toBe(1);
});
