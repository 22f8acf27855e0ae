// --impersonate-service-account over real TLS: the source credentials (ADC from an
// external_account file exchanged at a fake STS, or a token file) mint a token for the target at
// a fake IAM Credentials API on loopback (gcloud's CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS),
// with the service's scopes and the delegation chain; the server sees only the minted token.
// Child processes (the real CLI): google-auth-library's HTTP client cannot run inside jest's VM.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createCanceller } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { findService } from '../../src/registry/service-registry';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { startFakeGoogleAuth, type FakeGoogleAuth } from './helpers/fake-google-auth';

jest.setTimeout(60_000);

const STS_TOKEN = 'ya29.source-from-sts';
const TARGET = 'target@p.iam.gserviceaccount.com';
const HOP = 'hop@p.iam.gserviceaccount.com';
const OP = 'projects/p/locations/l/operations/imp-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
let emu: OperationsEmulator;
let google: FakeGoogleAuth;
let caFile: string;

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  emu = await startOperationsEmulator({ tls: pair });
  google = await startFakeGoogleAuth(STS_TOKEN);
  caFile = path.join(google.dir, 'ca.pem');
  writeFileSync(caFile, pair.cert);
});
afterAll(async () => {
  await emu?.stop();
  await google?.close();
});
beforeEach(() => {
  emu.store.clear();
  emu.calls.length = 0;
  google.requests.length = 0;
  emu.store.seed({ name: OP });
});

function run(args: string[], env: Record<string, string>) {
  return runCliProcess(
    ['cancel', FULL, '--endpoint', `localhost:${emu.port}`, '--ca-file', caFile, ...args],
    {
      GOOGLE_CLOUD_PROJECT: 'p',
      HOME: google.dir,
      GOOGLE_CLOUD_QUOTA_PROJECT: '',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${google.url}/`,
      ...env,
    },
  );
}

test('over ADC, with a delegation chain: the IAM call carries the source token, scopes and delegates; the server gets the minted token and the file quota project', async () => {
  const adc = google.adcFile({ quota_project_id: 'file-proj' });
  const r = await run(['--impersonate-service-account', `${HOP},${TARGET}`], {
    GOOGLE_APPLICATION_CREDENTIALS: adc,
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const iam = google.requests.filter((q) => q.path.includes(':generateAccessToken'));
  expect(iam).toHaveLength(1);
  expect(decodeURIComponent(iam[0]!.path)).toBe(
    `/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`,
  );
  expect(iam[0]!.authorization).toBe(`Bearer ${STS_TOKEN}`);
  const body = JSON.parse(iam[0]!.body) as { delegates: string[]; scope: string[]; lifetime: string };
  expect(body.delegates).toEqual([`projects/-/serviceAccounts/${HOP}`]);
  expect(body.scope).toEqual([...findService('dataplex')!.scopes]);
  expect(emu.calls.map((c) => [c.authorization, c.userProject])).toEqual([
    [`Bearer iam:${TARGET}:1`, 'file-proj'],
  ]);
  expect(r.stdout).not.toContain(`iam:${TARGET}`);
});

test('over a token file: the file token authorizes the IAM call, never the service call', async () => {
  const tokenFile = path.join(google.dir, 'source.token');
  writeFileSync(tokenFile, 'ya29.source-from-file\n');
  const r = await run(
    ['--impersonate-service-account', TARGET, '--access-token-file', tokenFile, '--billing-project', 'bp'],
    {
      GOOGLE_APPLICATION_CREDENTIALS: path.join(google.dir, 'none.json'),
    },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const iam = google.requests.filter((q) => q.path.includes(':generateAccessToken'));
  expect(iam.map((q) => q.authorization)).toEqual(['Bearer ya29.source-from-file']);
  expect(JSON.parse(iam[0]!.body).delegates).toEqual([]);
  expect(emu.calls).toHaveLength(1);
  expect(emu.calls[0]!.authorization).toMatch(/^Bearer iam:target@p\.iam\.gserviceaccount\.com:\d+$/);
  expect(emu.calls[0]!.userProject).toBe('bp');
});

test('a chain entry that is not an email is a usage error; a plaintext IAM endpoint off loopback is refused', async () => {
  const r = await run(['--impersonate-service-account', `${TARGET},,x`], {});
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--impersonate-service-account: impersonate');
  expect(() =>
    createCanceller({
      emulator: null,
      impersonate: TARGET,
      iamCredentialsEndpoint: 'http://iam.example.com',
    }),
  ).toThrow(/must be https/);
  expect(emu.calls).toHaveLength(0);
});
