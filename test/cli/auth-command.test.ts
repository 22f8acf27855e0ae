// `lro-cancel auth`, the real CLI in a child process: the source, principal, quota project (and
// where it comes from), universe, CA and scopes, with the same flags and environment as the other
// commands; no token asked for, none printed; exit 1 with the fix when there are no credentials.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { services } from '../../src/registry/service-registry';
import { startFakeGoogleAuth, type FakeGoogleAuth } from '../auth/helpers/fake-google-auth';
import { runCliProcess } from './helpers/spawn-cli';

jest.setTimeout(60_000);

let dir: string;
let google: FakeGoogleAuth;
const REFRESH = '1//FAKE-refresh-token-x9';
const FILE_TOKEN = 'ya29.FAKE-auth-cmd-token';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lro-authcmd-'));
  google = await startFakeGoogleAuth('ya29.FAKE-sts');
});
afterAll(async () => {
  await google?.close();
});

function file(name: string, json: unknown): string {
  const f = path.join(dir, name);
  writeFileSync(f, typeof json === 'string' ? json : JSON.stringify(json));
  return f;
}

/** Run `auth` with only the variables given (an empty HOME: no gcloud well-known file). */
function auth(args: string[], env: Record<string, string> = {}) {
  return runCliProcess(['auth', ...args], {
    HOME: dir,
    GOOGLE_APPLICATION_CREDENTIALS: '',
    GOOGLE_CLOUD_QUOTA_PROJECT: '',
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: '',
    GOOGLE_API_USE_CLIENT_CERTIFICATE: '',
    ...env,
  });
}

test('no credentials anywhere: exit 1 with the fix', async () => {
  const r = await auth([]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain('no credentials found. Fix: run `gcloud auth application-default login`');
  expect(r.stderr).toContain('--access-token-file FILE');
});

test('authorized_user ADC file: principal "user", the file quota project; the refresh token is not printed', async () => {
  const adc = file('user.json', {
    type: 'authorized_user',
    client_id: 'cid.apps.googleusercontent.com',
    client_secret: 'FAKE-secret',
    refresh_token: REFRESH,
    quota_project_id: 'file-proj',
  });
  const r = await auth(['--json', '--service', 'dataplex'], { GOOGLE_APPLICATION_CREDENTIALS: adc });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    source: 'application-default',
    origin: adc,
    type: 'authorized_user',
    principal: 'user',
    quotaProject: 'file-proj',
    quotaProjectFrom: 'ADC file quota_project_id',
    universeDomain: 'googleapis.com',
    ca: 'system roots',
    clientCertificate: 'none',
    scopes: { dataplex: [...services.dataplex!.scopes] },
  });
  expect(r.stdout).not.toContain(REFRESH);
  expect(r.stdout).not.toContain('FAKE-secret');
});

test('service_account file: its email; GOOGLE_CLOUD_QUOTA_PROJECT over the file; every service listed in text', async () => {
  const adc = file('sa.json', {
    type: 'service_account',
    client_email: 'runner@p.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nFAKE\n-----END PRIVATE KEY-----\n',
    project_id: 'p',
    quota_project_id: 'file-proj',
  });
  const r = await auth([], { GOOGLE_APPLICATION_CREDENTIALS: adc, GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^source +application-default \(service_account\)$/m);
  expect(r.stdout).toMatch(/^principal +runner@p\.iam\.gserviceaccount\.com$/m);
  expect(r.stdout).toMatch(/^quota project +env-proj \(GOOGLE_CLOUD_QUOTA_PROJECT\)$/m);
  for (const id of Object.keys(services)) expect(r.stdout).toMatch(new RegExp(`^  ${id} +https://`, 'm'));
  expect(r.stdout).not.toContain('FAKE\n');
});

test('external_account: no token is asked for (the STS sees nothing)', async () => {
  const r = await auth(['--json'], { GOOGLE_APPLICATION_CREDENTIALS: google.adcFile() });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ source: 'application-default', type: 'external_account' });
  expect(google.requests).toHaveLength(0);
});

test('token file + impersonation + --billing-project + --ca-file: the target is the principal; the token is not printed', async () => {
  const tokenFile = file('token', `${FILE_TOKEN}\n`);
  const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const r = await auth(
    [
      '--json',
      '--access-token-file',
      tokenFile,
      '--impersonate-service-account',
      'hop@p.iam.gserviceaccount.com,target@p.iam.gserviceaccount.com',
      '--billing-project',
      'bp',
      '--ca-file',
      ca,
    ],
    { GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({
    source: 'access-token-file',
    origin: tokenFile,
    principal: 'target@p.iam.gserviceaccount.com',
    impersonate: { target: 'target@p.iam.gserviceaccount.com', delegates: ['hop@p.iam.gserviceaccount.com'] },
    quotaProject: 'bp',
    quotaProjectFrom: '--billing-project',
    ca: `${ca} (--ca-file)`,
  });
  expect(`${r.stdout}${r.stderr}`).not.toContain(FILE_TOKEN);
});

test('an empty token file is reported (exit 1) without content', async () => {
  const r = await auth(['--access-token-file', file('empty.token', '\n')]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('must hold one token');
});
