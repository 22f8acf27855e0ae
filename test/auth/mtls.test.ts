// mTLS (GOOGLE_API_USE_CLIENT_CERTIFICATE, AIP-4114) over real TLS: the emulator demands a client
// certificate made here; lro-cancel presents the one given (clientCertificate) or the device's,
// printed by the cert provider command of ~/.secureConnect/context_aware_metadata.json.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCanceller } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { findService } from '../../src/registry/service-registry';
import { resolveEndpoint } from '../../src/transport/endpoint';
import { capture } from '../cli/helpers/capture';
import { makeClientCert } from '../helpers/client-cert';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';
import { withEnv } from './helpers/fake-google-auth';

jest.setTimeout(30_000);

const OP = 'projects/p/locations/l/operations/mtls-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
let server: { cert: Buffer; key: Buffer };
let client: { cert: Buffer; key: Buffer };
let emu: OperationsEmulator;
let dir: string;
let caFile: string;
let tokenFile: string;

beforeAll(async () => {
  server = await makeLocalhostCert();
  client = await makeClientCert();
  emu = await startOperationsEmulator({ tls: { ...server, clientCa: client.cert } });
  dir = mkdtempSync(path.join(tmpdir(), 'lro-mtls-'));
  caFile = path.join(dir, 'ca.pem');
  tokenFile = path.join(dir, 'token');
  writeFileSync(caFile, server.cert);
  writeFileSync(tokenFile, 'ya29.mtls\n');
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(() => {
  emu.store.clear();
  emu.calls.length = 0;
  emu.store.seed({ name: OP });
});

test('library: with clientCertificate the server that demands one accepts the call; without, nothing reaches it', async () => {
  const base = {
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: server.cert,
    accessToken: 'ya29.mtls',
  } as const;
  const without = createCanceller({ ...base, retry: { maxAttempts: 1, totalTimeoutMs: 5000 } });
  try {
    expect((await rejection(without.cancel(FULL))).outcome).toBe('error');
  } finally {
    await without.close();
  }
  expect(emu.calls).toHaveLength(0);
  const withCert = createCanceller({ ...base, clientCertificate: client });
  try {
    await expect(withCert.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
  } finally {
    await withCert.close();
  }
  expect(emu.calls.map((c) => c.authorization)).toEqual(['Bearer ya29.mtls']);
});

/** A HOME whose context-aware metadata names `command`. */
function home(command: unknown): string {
  const h = mkdtempSync(path.join(dir, 'home-'));
  mkdirSync(path.join(h, '.secureConnect'));
  writeFileSync(
    path.join(h, '.secureConnect', 'context_aware_metadata.json'),
    JSON.stringify({ cert_provider_command: command }),
  );
  return h;
}

async function cli(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const io = capture(env);
  const code = await runCli(
    [
      'cancel',
      FULL,
      '--endpoint',
      `localhost:${emu.port}`,
      '--ca-file',
      caFile,
      '--access-token-file',
      tokenFile,
    ],
    io.io,
  );
  return { code, stderr: io.stderr() };
}

test('CLI: GOOGLE_API_USE_CLIENT_CERTIFICATE=true presents the certificate the cert provider command prints', async () => {
  const pem = path.join(dir, 'device.pem');
  writeFileSync(pem, `${client.cert.toString()}\n${client.key.toString()}`);
  const r = await cli({ GOOGLE_API_USE_CLIENT_CERTIFICATE: 'true', HOME: home(['cat', pem]) });
  expect(r).toEqual({ code: 0, stderr: '' });
  expect(emu.calls).toHaveLength(1);
});

test('CLI: GOOGLE_API_USE_CLIENT_CERTIFICATE is never ignored: no setup, or a bad value, is a usage error before any call', async () => {
  const empty = mkdtempSync(path.join(dir, 'empty-'));
  const none = await cli({ GOOGLE_API_USE_CLIENT_CERTIFICATE: 'true', HOME: empty });
  expect(none.code).toBe(2);
  expect(none.stderr).toContain(
    `GOOGLE_API_USE_CLIENT_CERTIFICATE=true, but there is no ${path.join(empty, '.secureConnect', 'context_aware_metadata.json')}`,
  );
  const bad = await cli({ GOOGLE_API_USE_CLIENT_CERTIFICATE: 'yes' });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('GOOGLE_API_USE_CLIENT_CERTIFICATE="yes" must be true or false');
  expect(emu.calls).toHaveLength(0);
});

test('CLI: a provider command that prints no certificate fails the calls with that reason, sending nothing', async () => {
  const io = capture({ GOOGLE_API_USE_CLIENT_CERTIFICATE: 'true', HOME: home(['echo', 'no pem here']) });
  const code = await runCli(
    [
      'cancel',
      FULL,
      '--endpoint',
      `localhost:${emu.port}`,
      '--ca-file',
      caFile,
      '--access-token-file',
      tokenFile,
    ],
    io.io,
  );
  expect(code).toBe(1);
  expect(io.records<{ message: string }>()[0]?.message).toContain(
    'cert_provider_command echo printed no PEM certificate',
  );
  expect(emu.calls).toHaveLength(0);
});

test('library: GOOGLE_API_USE_CLIENT_CERTIFICATE=true in process.env loads the device certificate (and google-gax does not run the command itself); emulator mode is unaffected', async () => {
  const pem = path.join(dir, 'device2.pem');
  writeFileSync(pem, `${client.cert.toString()}\n${client.key.toString()}`);
  const plain = await startOperationsEmulator();
  plain.store.seed({ name: OP, service: 'dataplex' });
  await withEnv({ GOOGLE_API_USE_CLIENT_CERTIFICATE: 'true', HOME: home(['cat', pem]) }, async () => {
    const c = createCanceller({
      emulator: null,
      endpoint: `localhost:${emu.port}`,
      rootCerts: server.cert,
      accessToken: 'ya29.mtls',
    });
    const e = createCanceller({ emulator: plain.target });
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
      await expect(e.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
    } finally {
      await c.close();
      await e.close();
      await plain.stop();
    }
  });
  expect(emu.calls).toHaveLength(1);
});

test('mTLS hosts: built-in hosts become *.mtls.googleapis.com; an --endpoint keeps its host', () => {
  const dataplex = findService('dataplex')!;
  expect(resolveEndpoint(dataplex, { mtlsHosts: true }).host).toBe('dataplex.mtls.googleapis.com');
  expect(resolveEndpoint(dataplex, { mtlsHosts: true, endpoint: 'localhost:9' }).host).toBe('localhost');
  expect(resolveEndpoint(dataplex, {}).host).toBe('dataplex.googleapis.com');
  expect(() =>
    createCanceller({ emulator: null, universeDomain: 'example.com', clientCertificate: client }),
  ).toThrow(/mTLS endpoints exist only in googleapis.com/);
});
