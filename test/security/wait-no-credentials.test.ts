// WaitOperation in emulator (plaintext) mode sends no credentials either: confirming through
// WaitOperation (`via: 'wait'`) — one name, or a batch — with an injected auth client or with
// Application Default Credentials fully set up, never asks for a token, and no call the
// emulator records carries `authorization`. (The CLI's --confirm polls with GetOperation; it has
// no WaitOperation option, and GetOperation is covered by plaintext-no-credentials.test.ts.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cancelMany } from '../../src/batch/cancel-many';
import { createCanceller, type AuthClientLike } from '../../src';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';
import { startFakeSts } from './helpers/tls-fixture';

jest.setTimeout(30_000);
const emu = useEmulator();
const N = (i: number): string => `projects/p/locations/l/operations/wait-${i}`;

/** Operations that end CANCELLED 200 ms after the cancel: WaitOperation has something to wait for. */
function seed(count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => N(i));
  for (const name of names) emu.get().store.seed({ name, service: 'dataplex', settleMs: 200 });
  return names;
}

function expectWaitedWithoutCredentials(waits: number): void {
  const calls = emu.get().calls;
  expect(calls.filter((c) => c.method === 'WaitOperation').length).toBeGreaterThanOrEqual(waits);
  for (const call of calls) expect(call.authorization).toBeUndefined();
}

test('library: cancelAndConfirm via WaitOperation and a batch confirming via wait, with an injected auth client: never asked, nothing sent', async () => {
  const asked: string[] = [];
  const auth: AuthClientLike = {
    getRequestHeaders: async (url?: string) => {
      asked.push(String(url));
      return { authorization: 'Bearer must-never-be-sent-wait-77' };
    },
  };
  const e = emu.get();
  const names = seed(5);
  const c = createCanceller({ emulator: e.target, auth, service: 'dataplex' });
  try {
    await expect(
      c.cancelAndConfirm(names[0]!, { via: 'wait', confirmTimeoutMs: 5000 }),
    ).resolves.toMatchObject({ outcome: 'cancelled' });
  } finally {
    await c.close();
  }
  const recs: string[] = [];
  for await (const r of cancelMany(names.slice(1), {
    emulator: e.target,
    auth,
    service: 'dataplex',
    confirm: { via: 'wait', confirmTimeoutMs: 5000 },
  }))
    recs.push(r.outcome);
  expect(recs).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  expect(asked).toEqual([]);
  expectWaitedWithoutCredentials(5);
});

test('a child with Application Default Credentials set up (a fake STS on loopback): confirming via wait fetches no token', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-wait-'));
  const sts = await startFakeSts(dir, 'FAKE-wait-token-31c2', 'FAKE.wait.jwt');
  try {
    const e = emu.get();
    const names = seed(2);
    const script = `
      const { createCanceller } = require(${JSON.stringify(cliModule('index'))});
      const c = createCanceller({ service: 'dataplex' }); // emulator from LRO_CANCEL_EMULATOR_HOST
      c.cancelAndConfirm(${JSON.stringify(names[0])}, { via: 'wait', confirmTimeoutMs: 5000 })
        .then((r) => console.log(r.outcome), (err) => console.log('rejected', err.message))
        .finally(() => c.close());
    `;
    const r = await runNodeScript(script, {
      GOOGLE_APPLICATION_CREDENTIALS: sts.adcFile,
      GOOGLE_CLOUD_PROJECT: 'p',
      HOME: dir,
      LRO_CANCEL_EMULATOR_HOST: e.target,
    });
    expect(r.stdout.trim()).toBe('cancelled');
    expect(r.code).toBe(0);
    expect(sts.requests).toEqual([]);
    expectWaitedWithoutCredentials(1);
  } finally {
    await sts.close();
  }
});
