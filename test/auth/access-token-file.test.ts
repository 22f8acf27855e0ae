// --access-token-file / accessTokenFile / accessToken over real TLS: the emulator serves TLS with
// a CA made here and records each call's authorization; it accepts only the token it is told to.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cancelMany, createCanceller, type BatchRecord } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { capture } from '../cli/helpers/capture';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';

jest.setTimeout(30_000);

const N = (i: number | string): string => `projects/p/locations/l/operations/atf-${i}`;
let cert: Buffer;
let dir: string;
let caFile: string;
let emu: OperationsEmulator;
// The one token the server accepts right now.
let accepted = '';

beforeAll(async () => {
  const pair = await makeLocalhostCert();
  cert = pair.cert;
  dir = mkdtempSync(path.join(tmpdir(), 'lro-atf-'));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, cert);
  emu = await startOperationsEmulator({ tls: pair, authorize: (a) => a === `Bearer ${accepted}` });
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(() => {
  emu.store.clear();
  emu.calls.length = 0;
});

function tokenFile(name: string, token: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, `${token}\n`);
  return f;
}

test('the exact token of the file (trailing newline dropped) reaches the server as Bearer', async () => {
  accepted = 'ya29.file-token-A';
  emu.store.seed({ name: N(1) });
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: cert,
    accessTokenFile: tokenFile('a.token', accepted),
  });
  try {
    await expect(c.cancel(`//dataplex.googleapis.com/${N(1)}`)).resolves.toMatchObject({
      outcome: 'cancel-requested',
      attempts: 1,
    });
  } finally {
    await c.close();
  }
  expect(emu.calls.map((x) => [x.authorization, x.code])).toEqual([['Bearer ya29.file-token-A', 0]]);
});

test('accessToken (a literal) is sent as it is', async () => {
  accepted = 'ya29.literal';
  emu.store.seed({ name: N(2) });
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: cert,
    accessToken: accepted,
  });
  try {
    await c.cancel(`//dataplex.googleapis.com/${N(2)}`);
  } finally {
    await c.close();
  }
  expect(emu.calls[0]?.authorization).toBe('Bearer ya29.literal');
});

test('the file rotated mid-batch: the rejected calls read it again once and succeed with the new token', async () => {
  const file = tokenFile('rotating.token', 'ya29.old');
  accepted = 'ya29.old';
  const names: string[] = [];
  for (let i = 0; i < 40; i++) {
    names.push(N(`r${i}`));
    emu.store.seed({ name: N(`r${i}`) });
  }
  const recs: BatchRecord[] = [];
  for await (const r of cancelMany(names, {
    emulator: null,
    service: 'dataplex',
    endpoint: `localhost:${emu.port}`,
    rootCerts: cert,
    accessTokenFile: file,
    concurrency: 4,
    retry: { maxAttempts: 1 },
  })) {
    recs.push(r);
    if (recs.length === 10) {
      // The old token is revoked at the server and a new one written: as a token refresher would.
      writeFileSync(file, 'ya29.new\n');
      accepted = 'ya29.new';
    }
  }
  expect(recs.map((r) => r.outcome)).toEqual(names.map(() => 'cancel-requested'));
  // Every record is one attempt: the re-read retry is within the attempt, not a retry of the policy.
  expect(recs.every((r) => r.attempts === 1)).toBe(true);
  const rejected = emu.calls.filter((c) => c.code === 16);
  expect(rejected.length).toBeGreaterThanOrEqual(1);
  expect(rejected.every((c) => c.authorization === 'Bearer ya29.old')).toBe(true);
  const tokens = new Set(emu.calls.filter((c) => c.code === 0).map((c) => c.authorization));
  expect(tokens).toEqual(new Set(['Bearer ya29.old', 'Bearer ya29.new']));
  // Each name was cancelled once; each rejection was followed by exactly one call with the new token.
  expect(emu.calls.filter((c) => c.code === 0)).toHaveLength(40);
  expect(emu.calls).toHaveLength(40 + rejected.length);
});

test('a file that did not change is not retried: UNAUTHENTICATED is the answer, after one call', async () => {
  accepted = 'ya29.someone-else';
  emu.store.seed({ name: N(3) });
  const c = createCanceller({
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: cert,
    accessTokenFile: tokenFile('stale.token', 'ya29.stale'),
    retry: { maxAttempts: 3 },
  });
  try {
    const err = await rejection(c.cancel(`//dataplex.googleapis.com/${N(3)}`));
    expect(err.code).toBe(16);
    expect(err.outcome).toBe('denied');
  } finally {
    await c.close();
  }
  expect(emu.calls).toHaveLength(1);
});

test('CLI: --access-token-file with --ca-file over TLS; a missing file is a usage error before any call', async () => {
  accepted = 'ya29.cli-token';
  emu.store.seed({ name: N(4) });
  const file = tokenFile('cli.token', accepted);
  const ok = capture({});
  const code = await runCli(
    [
      'cancel',
      `//dataplex.googleapis.com/${N(4)}`,
      '--endpoint',
      `localhost:${emu.port}`,
      '--ca-file',
      caFile,
      '--access-token-file',
      file,
    ],
    ok.io,
  );
  expect(ok.stderr()).toBe('');
  expect(code).toBe(0);
  expect(emu.calls[0]?.authorization).toBe('Bearer ya29.cli-token');
  expect(ok.stdout()).not.toContain('ya29.cli-token');

  const bad = capture({});
  const missing = path.join(dir, 'nope.token');
  const badCode = await runCli(
    [
      'cancel',
      `//dataplex.googleapis.com/${N(4)}`,
      '--endpoint',
      `localhost:${emu.port}`,
      '--access-token-file',
      missing,
    ],
    bad.io,
  );
  expect(badCode).toBe(2);
  expect(bad.stderr()).toContain(`--access-token-file: ENOENT`);
  expect(bad.stderr()).toContain(missing);
  expect(emu.calls).toHaveLength(1);
});

test('conflicting credential options are refused when the canceller is made', () => {
  expect(() => createCanceller({ emulator: null, accessToken: 'x', accessTokenFile: '/x' })).toThrow(
    /accessToken and accessTokenFile cannot be combined/,
  );
});
