// The credential sources over REST, against the emulator's REST gateway over real TLS (the same
// `answer`, `authorize` and call log as its gRPC port): the token file (and its re-read on
// UNAUTHENTICATED), the quota project, --ca-file (an unknown CA refused before anything is sent)
// and the mTLS client certificate reach the HTTP server as they reach the gRPC one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCanceller } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { capture } from '../cli/helpers/capture';
import { makeClientCert } from '../helpers/client-cert';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';

jest.setTimeout(30_000);

const OP = 'projects/p/locations/l/operations/rest-cred-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
let dir: string;
let caFile: string;
let otherCaFile: string;
let serverPair: { cert: Buffer; key: Buffer };
let emu: OperationsEmulator;
// The one token the server accepts right now.
let accepted = '';

beforeAll(async () => {
  serverPair = await makeLocalhostCert();
  const other = await makeLocalhostCert(); // same names, another key: an unknown CA
  dir = mkdtempSync(path.join(tmpdir(), 'lro-rest-cred-'));
  caFile = path.join(dir, 'ca.pem');
  otherCaFile = path.join(dir, 'other.pem');
  writeFileSync(caFile, serverPair.cert);
  writeFileSync(otherCaFile, other.cert);
  emu = await startOperationsEmulator({
    tls: serverPair,
    rest: true,
    authorize: (a) => a === `Bearer ${accepted}`,
  });
});
afterAll(async () => {
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emu.store.clear();
  emu.calls.length = 0;
  if (emu.restGateway) emu.restGateway.requests.length = 0;
  // Seeded without a service: `--endpoint localhost:PORT` sends a loopback Host.
  emu.store.seed({ name: OP });
});

function tokenFile(name: string, token: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, `${token}\n`);
  return f;
}

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string; stdout: string }> {
  const io = capture(env);
  return runCli(
    [
      'cancel',
      FULL,
      '--transport',
      'rest',
      '--endpoint',
      `localhost:${emu.restPort}`,
      '--max-attempts',
      '1',
      '--timeout',
      '5s',
      ...args,
    ],
    io.io,
  ).then((code) => ({ code, stderr: io.stderr(), stdout: io.stdout() }));
}

test('--access-token-file: its token reaches the REST server as Bearer, over --ca-file TLS', async () => {
  accepted = 'ya29.rest-file-A';
  const r = await cli(['--access-token-file', tokenFile('a.token', accepted), '--ca-file', caFile]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(emu.calls.map((c) => [c.method, c.authorization, c.code])).toEqual([
    ['CancelOperation', 'Bearer ya29.rest-file-A', 0],
  ]);
  // It came over HTTP, not gRPC.
  expect(emu.restGateway?.requests.map((q) => `${q.verb} ${q.path}`)).toEqual([`POST /v1/${OP}:cancel`]);
});

test('a token file rotated under a running canceller: UNAUTHENTICATED over REST, the file read again, the call sent again with the new token', async () => {
  accepted = 'ya29.rest-old';
  const file = tokenFile('rotating.token', accepted);
  const c = createCanceller({
    transport: 'rest',
    emulator: null,
    endpoint: `localhost:${emu.restPort}`,
    rootCerts: serverPair.cert,
    accessTokenFile: file,
    retry: { maxAttempts: 1 },
  });
  try {
    await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
    emu.store.seed({ name: OP });
    accepted = 'ya29.rest-new';
    writeFileSync(file, `${accepted}\n`);
    // maxAttempts 1: the resend is the renewal's own, not the retry policy's.
    await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
  } finally {
    await c.close();
  }
  expect(emu.calls.map((x) => [x.authorization, x.code])).toEqual([
    ['Bearer ya29.rest-old', 0],
    ['Bearer ya29.rest-old', 16],
    ['Bearer ya29.rest-new', 0],
  ]);
});

test('quota project over REST: --billing-project, else GOOGLE_CLOUD_QUOTA_PROJECT, as x-goog-user-project', async () => {
  accepted = 'ya29.rest-quota';
  const file = tokenFile('q.token', accepted);
  const flag = await cli(
    ['--access-token-file', file, '--ca-file', caFile, '--billing-project', 'flag-proj'],
    {
      GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj',
    },
  );
  expect(flag).toMatchObject({ code: 0, stderr: '' });
  emu.store.seed({ name: OP });
  const env = await cli(['--access-token-file', file, '--ca-file', caFile], {
    GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj',
  });
  expect(env).toMatchObject({ code: 0, stderr: '' });
  expect(emu.calls.map((c) => [c.userProject, c.code])).toEqual([
    ['flag-proj', 0],
    ['env-proj', 0],
  ]);
  expect(emu.restGateway?.requests).toHaveLength(2);
});

test('--ca-file of an unknown CA over REST: refused, the token never shown, nothing reaches the server', async () => {
  accepted = 'ya29.rest-ca';
  const r = await cli(['--access-token-file', tokenFile('ca.token', accepted), '--ca-file', otherCaFile]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/UNAVAILABLE.*certificate/is);
  expect(r.stdout + r.stderr).not.toContain(accepted);
  expect(emu.calls).toHaveLength(0);
  expect(emu.restGateway?.requests).toHaveLength(0);
});

test('library: rootCerts of an unknown CA over REST: UNAVAILABLE naming the certificate, retried, and no request arrives', async () => {
  const other = await makeLocalhostCert();
  const c = createCanceller({
    transport: 'rest',
    emulator: null,
    endpoint: `localhost:${emu.restPort}`,
    rootCerts: other.cert,
    accessToken: 'ya29.rest-never',
    retry: { maxAttempts: 2, initialDelayMs: 10, totalTimeoutMs: 5000 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.codeName).toBe('UNAVAILABLE');
    expect(err.rawMessage).toMatch(/certificate/i);
    expect(err.attempts).toBe(2);
  } finally {
    await c.close();
  }
  expect(emu.calls).toHaveLength(0);
  expect(emu.restGateway?.requests).toHaveLength(0);
});

test('mTLS over REST: the client certificate is presented to an HTTP server that demands one; without it, nothing arrives', async () => {
  const client = await makeClientCert();
  const mtls = await startOperationsEmulator({
    tls: { ...serverPair, clientCa: client.cert },
    rest: true,
  });
  mtls.store.seed({ name: OP });
  const base = {
    transport: 'rest',
    emulator: null,
    endpoint: `localhost:${mtls.restPort}`,
    rootCerts: serverPair.cert,
    accessToken: 'ya29.rest-mtls',
    retry: { maxAttempts: 1, totalTimeoutMs: 5000 },
  } as const;
  try {
    const without = createCanceller(base);
    try {
      expect((await rejection(without.cancel(FULL))).codeName).toBe('UNAVAILABLE');
    } finally {
      await without.close();
    }
    expect(mtls.calls).toHaveLength(0);
    const withCert = createCanceller({ ...base, clientCertificate: client });
    try {
      await expect(withCert.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
    } finally {
      await withCert.close();
    }
    expect(mtls.calls.map((c) => c.authorization)).toEqual(['Bearer ya29.rest-mtls']);
    expect(mtls.restGateway?.requests).toHaveLength(1);
  } finally {
    await mtls.stop();
  }
});
