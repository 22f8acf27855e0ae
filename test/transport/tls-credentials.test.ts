import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { Code, cancelMany, createCanceller, type AuthClientLike, type BatchRecord } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { rejection } from '../helpers/rejection';

// The TLS + credentials path for real: the emulator serves TLS with a certificate made here
// for "localhost"; the client trusts it via rootCerts and sends an injected static token.

const OP = 'projects/p/locations/l/operations/tls-1';
const FULL = `//dataplex.googleapis.com/${OP}`;

let cert: Buffer;
let tlsEmu: OperationsEmulator;
let plainEmu: OperationsEmulator;

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  cert = pair.cert;
  tlsEmu = await startOperationsEmulator({ tls: pair });
  plainEmu = await startOperationsEmulator();
});

afterAll(async () => {
  await tlsEmu?.stop();
  await plainEmu?.stop();
});

beforeEach(() => {
  for (const e of [tlsEmu, plainEmu]) {
    e.store.clear();
    e.clearFaults();
    e.calls.length = 0;
  }
});

function staticToken(token: string): AuthClientLike & { calls: Array<string | undefined> } {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    getRequestHeaders: async (url?: string) => {
      calls.push(url);
      return { authorization: `Bearer ${token}` };
    },
  };
}

test('over TLS with the test CA, the injected token reaches the server as authorization: Bearer', async () => {
  tlsEmu.store.seed({ name: OP });
  const auth = staticToken('test-token-123');
  const c = createCanceller({ emulator: null, endpoint: `localhost:${tlsEmu.port}`, rootCerts: cert, auth });
  try {
    const r = await c.cancel(FULL);
    expect(r).toMatchObject({ outcome: 'cancel-requested', service: 'dataplex', attempts: 1 });
  } finally {
    await c.close();
  }
  const [call] = tlsEmu.callsOf('CancelOperation');
  expect(call!.authorization).toBe('Bearer test-token-123');
  expect(call!.requestParams).toBe(`name=${encodeURIComponent(OP)}`);
  expect(call!.apiClient).toContain('lro-cancel/');
  expect(call!.authority).toBe(`localhost:${tlsEmu.port}`);
  expect(auth.calls.length).toBeGreaterThanOrEqual(1);
  expect(tlsEmu.store.get(OP)!.done).toBe(true);
});

test('the token is asked for on every call, and a Headers object works as well as a plain record', async () => {
  for (let i = 0; i < 3; i++) tlsEmu.store.seed({ name: `${OP}-${i}` });
  let n = 0;
  const auth: AuthClientLike = {
    getRequestHeaders: async () => new Headers({ Authorization: `Bearer rotating-${++n}` }),
  };
  const c = createCanceller({
    emulator: null,
    endpoint: { dataplex: `localhost:${tlsEmu.port}` },
    rootCerts: cert,
    auth,
  });
  try {
    for (let i = 0; i < 3; i++) await c.cancel(`${FULL}-${i}`);
  } finally {
    await c.close();
  }
  expect(tlsEmu.calls.map((x) => x.authorization)).toEqual([
    'Bearer rotating-1',
    'Bearer rotating-2',
    'Bearer rotating-3',
  ]);
});

test('a server certificate the client does not trust (system roots only) fails, and nothing reaches the server', async () => {
  tlsEmu.store.seed({ name: OP });
  const auth = staticToken('test-token-123');
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${tlsEmu.port}`,
    auth,
    retry: { maxAttempts: 1, totalTimeoutMs: 5000 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.outcome).toBe('error');
  } finally {
    await c.close();
  }
  expect(tlsEmu.calls).toHaveLength(0);
});

test('a failing auth client means no request is sent without credentials', async () => {
  tlsEmu.store.seed({ name: OP });
  const auth: AuthClientLike = {
    getRequestHeaders: async () => {
      throw new Error('could not load the default credentials');
    },
  };
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${tlsEmu.port}`,
    rootCerts: cert,
    auth,
    retry: { maxAttempts: 1 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.outcome).not.toBe('aborted');
    expect(err.message).toMatch(/could not load the default credentials/);
  } finally {
    await c.close();
  }
  expect(tlsEmu.calls).toHaveLength(0);
});

test('in emulator (plaintext) mode no credentials are asked for and no authorization header is sent', async () => {
  plainEmu.store.seed({ name: OP, service: 'dataplex' });
  const auth = staticToken('must-not-be-sent');
  const c = createCanceller({ emulator: plainEmu.target, auth });
  try {
    await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
  } finally {
    await c.close();
  }
  expect(auth.calls).toHaveLength(0);
  expect(plainEmu.calls).toHaveLength(1);
  expect(plainEmu.calls[0]!.authorization).toBeUndefined();
});

test('emulator mode resolves no Application Default Credentials at all (a broken ADC setup does not matter)', async () => {
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/lro-cancel-test/adc.json';
  plainEmu.store.seed({ name: OP, service: 'dataplex' });
  const c = createCanceller({ emulator: plainEmu.target });
  try {
    await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
  } finally {
    await c.close();
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
  }
  expect(plainEmu.calls[0]!.authorization).toBeUndefined();
});

test('over TLS without an injected auth client, ADC is used: a broken ADC setup sends nothing', async () => {
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  // A key file that is not there, in a directory that is: the error names this very path.
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-adc-'));
  const keyFile = path.join(dir, 'adc.json');
  process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
  tlsEmu.store.seed({ name: OP });
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${tlsEmu.port}`,
    rootCerts: cert,
    retry: { maxAttempts: 1, totalTimeoutMs: 5000 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.outcome).toBe('error');
    // google-auth-library went for the file GOOGLE_APPLICATION_CREDENTIALS names: ADC was consulted.
    expect(err.rawMessage).toMatch(
      /^Getting metadata from plugin failed with error: ENOENT: no such file or directory, \w+ '(.*)'$/,
    );
    expect(/'(.*)'$/.exec(err.rawMessage)?.[1]).toBe(keyFile);
  } finally {
    await c.close();
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    rmSync(dir, { recursive: true, force: true });
  }
  expect(tlsEmu.calls).toHaveLength(0);
});

test('a batch whose credentials fail stops calling the service after the breaker threshold and a probe, sending nothing', async () => {
  let asked = 0;
  const failing: AuthClientLike = {
    getRequestHeaders: async () => {
      asked++;
      throw new Error('invalid_grant: token has been expired or revoked');
    },
  };
  const names: string[] = [];
  for (let i = 0; i < 300; i++) names.push(`projects/p/locations/l/operations/cred-${i}`);
  const recs: BatchRecord[] = [];
  for await (const r of cancelMany(names, {
    emulator: null,
    service: 'dataplex',
    endpoint: `localhost:${tlsEmu.port}`,
    rootCerts: cert,
    auth: failing,
    concurrency: 4,
    breakerThreshold: 5,
    probeDelayMs: 50,
    retry: { maxAttempts: 2, initialDelayMs: 5 },
  })) {
    recs.push(r);
  }
  expect(recs).toHaveLength(300);
  const errors = recs.filter((r) => r.outcome === 'error');
  expect(errors.length).toBeGreaterThanOrEqual(6);
  expect(errors.length).toBeLessThanOrEqual(5 + 4 + 1);
  expect(recs.filter((r) => r.outcome === 'not-attempted')).toHaveLength(300 - errors.length);
  expect(recs.find((r) => r.outcome === 'not-attempted')?.message).toContain('service looks down');
  expect(errors[0]?.message).toContain('invalid_grant');
  // The credentials were asked per attempt of the names that ran, not for every name of the file.
  expect(asked).toBeLessThanOrEqual(2 * errors.length);
  expect(tlsEmu.calls).toHaveLength(0);
});
