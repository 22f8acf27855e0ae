// The quota project reaches the server as x-goog-user-project on every call, from its three
// sources in order: --billing-project / quotaProject > GOOGLE_CLOUD_QUOTA_PROJECT > the ADC
// file's quota_project_id. ADC is a real external_account file whose token exchange goes to a
// fake STS on loopback; the calls go over TLS to the emulator, with a CA made here. ADC runs in
// a child process (the real CLI): google-auth-library's HTTP client cannot run inside jest's VM.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createCanceller, type CancellerOptions } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { startFakeGoogleAuth, withEnv, type FakeGoogleAuth } from './helpers/fake-google-auth';

jest.setTimeout(60_000);

const STS_TOKEN = 'ya29.sts-exchanged';
const OP = 'projects/p/locations/l/operations/quota-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
let cert: Buffer;
let caFile: string;
let emu: OperationsEmulator;
let google: FakeGoogleAuth;

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  cert = pair.cert;
  emu = await startOperationsEmulator({ tls: pair });
  google = await startFakeGoogleAuth(STS_TOKEN);
  caFile = path.join(google.dir, 'ca.pem');
  writeFileSync(caFile, cert);
});
afterAll(async () => {
  await emu?.stop();
  await google?.close();
});
/** A running operation again, and no calls seen. */
function fresh(): void {
  emu.store.clear();
  emu.calls.length = 0;
  emu.store.seed({ name: OP });
}

/** Two calls (cancel, get) through a canceller; what the server saw of each. */
async function callsWith(
  options: CancellerOptions,
): Promise<Array<[string | undefined, string | undefined]>> {
  fresh();
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: cert,
    ...options,
  });
  try {
    await c.cancel(FULL);
    await c.getOperation(FULL);
  } finally {
    await c.close();
  }
  return emu.calls.map((x) => [x.authorization, x.userProject]);
}

test('library: quotaProject > GOOGLE_CLOUD_QUOTA_PROJECT, on every call, beside the access token', async () => {
  await withEnv({ GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' }, async () => {
    expect(await callsWith({ accessToken: 'ya29.lit', quotaProject: 'flag-proj' })).toEqual([
      ['Bearer ya29.lit', 'flag-proj'],
      ['Bearer ya29.lit', 'flag-proj'],
    ]);
    expect(await callsWith({ accessToken: 'ya29.lit' })).toEqual([
      ['Bearer ya29.lit', 'env-proj'],
      ['Bearer ya29.lit', 'env-proj'],
    ]);
  });
  await withEnv({ GOOGLE_CLOUD_QUOTA_PROJECT: undefined }, async () => {
    expect(await callsWith({ accessToken: 'ya29.lit' })).toEqual([
      ['Bearer ya29.lit', undefined],
      ['Bearer ya29.lit', undefined],
    ]);
  });
});

/** `lro-cancel cancel` then `get` in child processes with ADC from `adc`; what the server saw. */
async function cliCalls(
  adc: string,
  extra: string[],
  env: Record<string, string>,
): Promise<Array<[string | undefined, string | undefined]>> {
  fresh();
  const childEnv = {
    GOOGLE_APPLICATION_CREDENTIALS: adc,
    GOOGLE_CLOUD_PROJECT: 'p', // no project lookup
    HOME: google.dir, // no gcloud well-known file from the real home
    GOOGLE_CLOUD_QUOTA_PROJECT: '',
    ...env,
  };
  for (const command of ['cancel', 'get']) {
    const r = await runCliProcess(
      [command, FULL, '--endpoint', `localhost:${emu.port}`, '--ca-file', caFile, ...extra],
      childEnv,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain(STS_TOKEN);
  }
  return emu.calls.map((x) => [x.authorization, x.userProject]);
}

test('CLI with ADC: the file quota_project_id is sent on every call (getRequestHeaders, not a bare token)', async () => {
  const adc = google.adcFile({ quota_project_id: 'file-proj' });
  expect(await cliCalls(adc, [], {})).toEqual([
    [`Bearer ${STS_TOKEN}`, 'file-proj'],
    [`Bearer ${STS_TOKEN}`, 'file-proj'],
  ]);
});

test('CLI with ADC: GOOGLE_CLOUD_QUOTA_PROJECT wins over the file, --billing-project over both', async () => {
  const adc = google.adcFile({ quota_project_id: 'file-proj' });
  const env = { GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' };
  expect((await cliCalls(adc, [], env)).map((c) => c[1])).toEqual(['env-proj', 'env-proj']);
  expect((await cliCalls(adc, ['--billing-project', 'flag-proj'], env)).map((c) => c[1])).toEqual([
    'flag-proj',
    'flag-proj',
  ]);
});

test('CLI with ADC and no quota project anywhere: no header', async () => {
  expect(await cliCalls(google.adcFile(), [], {})).toEqual([
    [`Bearer ${STS_TOKEN}`, undefined],
    [`Bearer ${STS_TOKEN}`, undefined],
  ]);
});

test('a bad quota project id is refused before any call', () => {
  expect(() => createCanceller({ emulator: null, quotaProject: 'has space' })).toThrow(/not a project id/);
});
