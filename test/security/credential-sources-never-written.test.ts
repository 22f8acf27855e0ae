// The new credential sources write no token anywhere either: the real CLI with full tracing,
// over TLS to the emulator, with a token file rotated mid-batch (the server refuses the old token
// and the file gets a new one) and a server that quotes both tokens back in error messages; and
// with impersonation, whose source and minted tokens must not show up either.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Code } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { startFakeGoogleAuth, type FakeGoogleAuth } from '../auth/helpers/fake-google-auth';
import { startCli } from '../cli/helpers/spawn-cli';
import { makeTlsFiles, VERBOSE_ENV } from './helpers/tls-fixture';

jest.setTimeout(60_000);

const OLD = 'ya29.FAKE-old-file-token-7c1';
const NEW = 'ya29.FAKE-new-file-token-9e4';
const STS = 'ya29.FAKE-sts-source-token-3a2';
let tls: Awaited<ReturnType<typeof makeTlsFiles>>;
let emu: OperationsEmulator;
let google: FakeGoogleAuth;
let tokenFile: string;

beforeAll(async () => {
  tls = await makeTlsFiles();
  tokenFile = path.join(tls.dir, 'rotating.token');
  emu = await startOperationsEmulator({
    tls: { cert: tls.cert, key: tls.key },
    // The old token is refused; the first refusal rotates the file, as a token refresher would.
    authorize: (a) => {
      if (a === `Bearer ${OLD}`) {
        writeFileSync(tokenFile, `${NEW}\n`);
        return false;
      }
      return a === `Bearer ${NEW}` || (a ?? '').startsWith('Bearer iam:');
    },
  });
  google = await startFakeGoogleAuth(STS);
});
afterAll(async () => {
  await emu?.stop();
  await google?.close();
});

function expectNoSecret(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) {
    const at = text.indexOf(s);
    if (at !== -1)
      throw new Error(
        `${where} contains a secret: …${text.slice(Math.max(0, at - 200), at + s.length + 50)}…`,
      );
  }
}

test('token file rotated mid-batch, full tracing, echoing server: the tokens were sent and are in nothing written', async () => {
  writeFileSync(tokenFile, `${OLD}\n`);
  const names: string[] = [];
  for (let i = 0; i < 30; i++) {
    names.push(`projects/p/operations/rot-${i}`);
    emu.store.seed({ name: `projects/p/operations/rot-${i}` });
  }
  emu.setFaults('*', {
    errorRate: 0.3,
    errorCode: Code.INTERNAL,
    errorMessage: `proxy said: authorization: Bearer ${NEW} (was ${OLD})`,
  });
  const input = path.join(tls.dir, 'names.txt');
  const output = path.join(tls.dir, 'out.ndjson');
  const journal = path.join(tls.dir, 'journal.ndjson');
  writeFileSync(input, `${names.join('\n')}\n`);
  const r = await startCli(
    [
      'batch',
      '--input',
      input,
      '--output',
      output,
      '--journal',
      journal,
      '--service',
      'datastore',
      '--endpoint',
      `localhost:${emu.port}`,
      '--ca-file',
      tls.certFile,
      '--access-token-file',
      tokenFile,
      '--billing-project',
      'bp',
      '--max-attempts',
      '2',
    ],
    { ...VERBOSE_ENV, HOME: tls.dir },
    45_000,
  ).exited;
  emu.clearFaults();
  // Both tokens went out over TLS; the rotation happened mid-batch.
  const sent = new Set(emu.calls.map((c) => c.authorization));
  expect(sent).toEqual(new Set([`Bearer ${OLD}`, `Bearer ${NEW}`]));
  expect(emu.calls.every((c) => c.userProject === 'bp')).toBe(true);
  expect(emu.calls.filter((c) => c.code === Code.UNAUTHENTICATED).length).toBeGreaterThanOrEqual(1);
  // Tracing was on, and some records carry the echoing message (redacted).
  expect(r.stderr).toMatch(/\| (transport|subchannel_call|channel) \|/);
  const out = readFileSync(output, 'utf8');
  expect(out).toContain('proxy said');
  for (const [where, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
    ['output', out],
    ['journal', readFileSync(journal, 'utf8')],
  ] as const) {
    expectNoSecret(where, text, [OLD, NEW]);
  }
});

test('impersonation over ADC, full tracing: neither the source token nor the minted one is written', async () => {
  emu.store.seed({ name: 'projects/p/operations/imp-sec' });
  const r = await startCli(
    [
      'cancel',
      '--service',
      'datastore',
      '--endpoint',
      `localhost:${emu.port}`,
      '--ca-file',
      tls.certFile,
      '--impersonate-service-account',
      'target@p.iam.gserviceaccount.com',
      'projects/p/operations/imp-sec',
    ],
    {
      ...VERBOSE_ENV,
      HOME: tls.dir,
      GOOGLE_CLOUD_PROJECT: 'p',
      GOOGLE_APPLICATION_CREDENTIALS: google.adcFile(),
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: google.url,
    },
    30_000,
  ).exited;
  expect(r.code).toBe(0);
  const minted = emu.calls.at(-1)?.authorization?.replace(/^Bearer /, '') ?? '';
  expect(minted).toMatch(/^iam:target@p\.iam\.gserviceaccount\.com:\d+$/);
  // google-auth-library's debug log printed the IAM response, with the token redacted.
  expect(r.stderr).toContain('"accessToken":"[redacted]"');
  expectNoSecret('stdout', r.stdout, [STS, minted]);
  expectNoSecret('stderr', r.stderr, [STS, minted]);
});
