// Private CAs (--ca-file, rootCerts, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) over real TLS: the CA the
// emulator's certificate was made with is accepted; any other CA is refused before a single
// header leaves (the credentials are not even asked for). And never credentials over plaintext.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Code, createCanceller, type AuthClientLike } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { capture } from '../cli/helpers/capture';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';
import { withEnv } from './helpers/fake-google-auth';

jest.setTimeout(30_000);

const OP = 'projects/p/locations/l/operations/ca-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
let dir: string;
let goodCa: string;
let otherCa: string;
let notPem: string;
let tokenFile: string;
let emu: OperationsEmulator;
let plain: OperationsEmulator;

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  const other = await makeLocalhostCert(); // same names, another key: an unknown CA
  dir = mkdtempSync(path.join(tmpdir(), 'lro-ca-'));
  goodCa = path.join(dir, 'good.pem');
  otherCa = path.join(dir, 'other.pem');
  notPem = path.join(dir, 'not.pem');
  tokenFile = path.join(dir, 'token');
  writeFileSync(goodCa, pair.cert);
  writeFileSync(otherCa, other.cert);
  writeFileSync(notPem, 'hello\n');
  writeFileSync(tokenFile, 'ya29.ca-test\n');
  // The calls go to localhost: the emulator's default service is the one the names are for.
  emu = await startOperationsEmulator({ tls: pair, defaultService: 'dataplex' });
  plain = await startOperationsEmulator({ defaultService: 'dataplex' });
});
afterAll(async () => {
  await emu?.stop();
  await plain?.stop();
});
beforeEach(() => {
  for (const e of [emu, plain]) {
    e.store.clear();
    e.calls.length = 0;
    e.store.seed({ name: OP, service: 'dataplex' });
  }
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  const io = capture(env);
  return runCli(['cancel', FULL, '--access-token-file', tokenFile, ...args], io.io).then((code) => ({
    code,
    stderr: io.stderr(),
  }));
}
const ENDPOINT = (): string[] => [
  '--endpoint',
  `localhost:${emu.port}`,
  '--max-attempts',
  '1',
  '--timeout',
  '5s',
];

test('--ca-file with the server CA: accepted, the token arrives', async () => {
  const r = await cli([...ENDPOINT(), '--ca-file', goodCa]);
  expect(r).toEqual({ code: 0, stderr: '' });
  expect(emu.calls.map((c) => c.authorization)).toEqual(['Bearer ya29.ca-test']);
});

test('GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (the command environment) is honoured; --ca-file wins over it', async () => {
  expect(await cli(ENDPOINT(), { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: goodCa })).toEqual({
    code: 0,
    stderr: '',
  });
  emu.store.seed({ name: OP, service: 'dataplex' });
  expect(
    await cli([...ENDPOINT(), '--ca-file', goodCa], { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: otherCa }),
  ).toEqual({
    code: 0,
    stderr: '',
  });
  expect(emu.calls).toHaveLength(2);
});

test('--ca-file of an unknown CA: refused, nothing reaches the server', async () => {
  const r = await cli([...ENDPOINT(), '--ca-file', otherCa]);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toContain('ya29.ca-test');
  expect(emu.calls).toHaveLength(0);
});

test('a CA file that is not PEM, or missing, is a usage error naming it', async () => {
  const bad = await cli([...ENDPOINT(), '--ca-file', notPem]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(`--ca-file: CA file ${notPem} holds no PEM certificate`);
  const env = await cli(ENDPOINT(), { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: path.join(dir, 'missing.pem') });
  expect(env.code).toBe(2);
  expect(env.stderr).toContain(`GRPC_DEFAULT_SSL_ROOTS_FILE_PATH ${path.join(dir, 'missing.pem')}: ENOENT`);
  expect(emu.calls).toHaveLength(0);
});

function countingAuth(): AuthClientLike & { asked: number } {
  const a = {
    asked: 0,
    getRequestHeaders: async () => {
      a.asked++;
      return { authorization: 'Bearer ya29.counted' };
    },
  };
  return a;
}

test('library: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH from process.env; an unknown CA means the credentials are never asked for', async () => {
  const ok = countingAuth();
  await withEnv({ GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: goodCa }, async () => {
    const c = createCanceller({ emulator: null, endpoint: `localhost:${emu.port}`, auth: ok });
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
    } finally {
      await c.close();
    }
  });
  expect(ok.asked).toBe(1);
  const refused = countingAuth();
  await withEnv({ GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: otherCa }, async () => {
    const c = createCanceller({
      emulator: null,
      endpoint: `localhost:${emu.port}`,
      auth: refused,
      retry: { maxAttempts: 2, initialDelayMs: 10, totalTimeoutMs: 5000 },
    });
    try {
      expect((await rejection(c.cancel(FULL))).code).toBe(Code.UNAVAILABLE);
    } finally {
      await c.close();
    }
  });
  expect(refused.asked).toBe(0);
  expect(emu.calls).toHaveLength(1);
});

test('plaintext (emulator mode): the token file, quota project and impersonation send nothing', async () => {
  const io = capture({ GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' });
  const code = await runCli(
    [
      'cancel',
      FULL,
      '--emulator',
      plain.target,
      '--access-token-file',
      tokenFile,
      '--billing-project',
      'flag-proj',
      '--impersonate-service-account',
      'sa@p.iam.gserviceaccount.com',
    ],
    io.io,
  );
  expect(io.stderr()).toBe('');
  expect(code).toBe(0);
  expect(plain.calls.map((c) => [c.authorization, c.userProject])).toEqual([[undefined, undefined]]);
});
