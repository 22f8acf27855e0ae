// Credentials never travel in plaintext, and plaintext never leaves loopback: with Application
// Default Credentials fully set up (an external_account credential and a fake STS on
// loopback), emulator mode never asks for a token, on any command or method; a plaintext
// target that is not loopback is refused before any DNS lookup or connection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cancelAll } from '../../src/batch/cancel-all';
import { cancelMany } from '../../src/batch/cancel-many';
import { createCanceller, type AuthClientLike } from '../../src';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';
import { startFakeSts } from './helpers/tls-fixture';

jest.setTimeout(30_000);
const emu = useEmulator();
const P = 'projects/p/locations/l';
const N = (i: number): string => `${P}/operations/plain-${i}`;

function seed(count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => N(i));
  for (const n of names) emu.get().store.seed({ name: n, service: 'dataplex' });
  return names;
}

test('library, emulator mode: an injected auth client is never asked, on any method, and no call carries authorization', async () => {
  const asked: string[] = [];
  const auth: AuthClientLike = {
    getRequestHeaders: async (url?: string) => {
      asked.push(String(url));
      return { authorization: 'Bearer must-never-be-sent-1234' };
    },
  };
  const e = emu.get();
  for (const options of [{ emulator: e.target }, { emulator: `localhost:${e.port}`, allowInsecure: true }]) {
    const names = seed(8);
    const c = createCanceller({ ...options, auth, service: 'dataplex' });
    try {
      await c.getOperation(names[0]!);
      for await (const op of c.listOperations(P)) void op;
      await c.cancel(names[0]!);
      await c.cancelAndConfirm(names[1]!, { confirmTimeoutMs: 1000 });
    } finally {
      await c.close();
    }
    for await (const r of cancelMany(names.slice(2, 5), { ...options, auth, service: 'dataplex' }))
      expect(r.outcome).toBe('cancel-requested');
    for await (const r of await cancelAll(P, { ...options, auth, service: 'dataplex' })) void r;
  }
  expect(asked).toEqual([]);
  expect(new Set(e.calls.map((c) => c.method))).toEqual(
    new Set(['GetOperation', 'ListOperations', 'CancelOperation']),
  );
  for (const call of e.calls) expect(call.authorization).toBeUndefined();
});

describe('the CLI with Application Default Credentials set up', () => {
  let sts: Awaited<ReturnType<typeof startFakeSts>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-plain-'));
    sts = await startFakeSts(dir, 'FAKE-plaintext-token-9f8e7d', 'FAKE.subject.jwt');
    env = { GOOGLE_APPLICATION_CREDENTIALS: sts.adcFile, GOOGLE_CLOUD_PROJECT: 'p', HOME: dir };
  });
  afterAll(async () => {
    await sts?.close();
  });

  test('emulator mode (--emulator or LRO_CANCEL_EMULATOR_HOST): every command runs, no token is ever fetched or sent', async () => {
    const names = seed(12);
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-plain-'));
    const input = path.join(dir, 'names.txt');
    writeFileSync(input, names.slice(4, 8).join('\n'));
    const target = emu.get().target;
    const runs = [
      runCliProcess(['cancel', '--service', 'dataplex', '--emulator', target, names[0]!, names[1]!], env),
      runCliProcess(['cancel', '--service', 'dataplex', '--confirm', names[2]!], {
        ...env,
        LRO_CANCEL_EMULATOR_HOST: target,
      }),
      runCliProcess(['get', '--service', 'dataplex', '--emulator', target, names[3]!], env),
      runCliProcess(['list', '--service', 'dataplex', '--emulator', target, P], env),
      runCliProcess(
        ['batch', '--service', 'dataplex', '--emulator', target, '--input', input, '--quiet'],
        env,
      ),
    ];
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const all = await runCliProcess(
      ['cancel-all', '--service', 'dataplex', '--emulator', target, '--quiet', P],
      env,
    );
    expect(all.code).toBe(0);
    // Every command did reach the emulator ...
    expect(new Set(emu.get().calls.map((c) => c.method))).toEqual(
      new Set(['GetOperation', 'ListOperations', 'CancelOperation']),
    );
    // ... and none of them asked the STS for a token or sent one.
    expect(sts.requests).toEqual([]);
    for (const call of emu.get().calls) expect(call.authorization).toBeUndefined();
  });

  test('plaintext to a host that is not loopback: exit 2 before any DNS lookup or connection (the loopback guard saw nothing)', async () => {
    const refused = await Promise.all(
      (
        [
          [['cancel', '--emulator', '10.255.255.1:8080', '--service', 'dataplex', N(0)], {}],
          [['cancel', '--emulator', 'emulator.example.com:8080', '--service', 'dataplex', N(0)], {}],
          [['batch', '--emulator', '[2001:db8::1]:8080', '--service', 'dataplex', '--input', '-'], {}],
          [
            ['cancel', '--service', 'dataplex', N(0)],
            { LRO_CANCEL_EMULATOR_HOST: 'emulator.example.com:8080' },
          ],
        ] as Array<[string[], Record<string, string>]>
      ).map(([args, extraEnv]) => runCliProcess(args, { ...env, ...extraEnv })),
    );
    for (const r of refused) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/refusing plaintext to ".+", which is not a loopback address/);
      // The guard preloaded in the child reports any connection or DNS lookup it refuses.
      expect(r.stderr).not.toMatch(/loopback-only guard/);
    }
    // With --allow-insecure the same command does try to connect (and the guard stops it):
    // so the silence above means nothing was attempted, not that the guard was asleep.
    const tried = await runCliProcess(
      [
        'cancel',
        '--emulator',
        'emulator.example.com:8080',
        '--allow-insecure',
        '--max-attempts',
        '1',
        '--timeout',
        '3s',
        '--service',
        'dataplex',
        N(0),
      ],
      env,
    );
    expect(tried.code).toBe(1);
    expect(tried.stderr).toMatch(
      /loopback-only guard: refused DNS lookup to non-loopback host "emulator\.example\.com"/,
    );
    expect(sts.requests).toEqual([]);
  });
});
