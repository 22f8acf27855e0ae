// Credentials go only to hosts the user chose. A `//HOST/...` full name in the input (a names
// file, cancel/get arguments) must not make HOST a service by itself: otherwise anyone who can
// add a line to the file, and holds a certificate for their own host, receives the user's
// cloud-platform token. Such a name is 'invalid-name' before any connection or DNS lookup;
// --service-host HOST (library: serviceHosts) allows it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { runCli } from '../../src/cli/run-cli';
import { createCanceller, OperationsError, serviceIds, services, type AuthClientLike } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { resolveEndpoint } from '../../src/transport/endpoint';
import { capture } from '../cli/helpers/capture';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';
import { startFakeSts } from './helpers/tls-fixture';

jest.setTimeout(30_000);
const emu = useEmulator();

const EVIL = 'evil.example.com';
const EVIL_OP = 'projects/p/operations/steal-1';
const HOSTILE = `//${EVIL}/${EVIL_OP}`;
const DS = (i: number): string => `projects/p/operations/ds-${i}`;
const DS_FULL = (i: number): string => `//datastore.googleapis.com/${DS(i)}`;
const HOW_TO_ALLOW = `pass --service-host ${EVIL}`;

function expectRefused(e: unknown): void {
  expect(e).toBeInstanceOf(OperationsError);
  expect(e).toMatchObject({ outcome: 'invalid-name', attempts: 0 });
  expect((e as OperationsError).message).toContain(HOW_TO_ALLOW);
}

function namesFile(lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lro-hosts-')), 'names.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('library', () => {
  test('cancel, getOperation, cancelAndConfirm, listOperations: a full name on a host not allowed is refused; nothing connects', async () => {
    const e = emu.get();
    e.store.seed({ name: EVIL_OP, service: EVIL });
    for (const service of [undefined, 'datastore', 'other.example.com']) {
      const c = createCanceller({
        emulator: e.target,
        ...(service ? { service } : {}),
        serviceHosts: ['allowed.example.com'],
      });
      try {
        expectRefused(await rejection(c.cancel(HOSTILE)));
        expectRefused(await rejection(c.getOperation(HOSTILE)));
        expectRefused(await rejection(c.cancelAndConfirm(HOSTILE)));
        expectRefused(
          await rejection(
            (async () => {
              for await (const op of c.listOperations(`//${EVIL}/projects/p`)) void op;
            })(),
          ),
        );
        // not even a channel was made
        expect(callerOf(c).stubs()).toHaveLength(0);
      } finally {
        await c.close();
      }
    }
    expect(e.calls).toHaveLength(0);
    expect(e.store.get(EVIL_OP)?.cancelRequests).toBe(0);
  });

  test('serviceHosts (several) allows exactly those hosts; a host given as the service allows its own full names', async () => {
    const e = emu.get();
    e.store.seed({ name: EVIL_OP, service: EVIL });
    e.store.seed({ name: 'a/operations/2', service: 'second.example.com' });
    // A list entry that is no DNS host is an options error at once, not a silent no-op.
    expect(() => createCanceller({ emulator: e.target, serviceHosts: ['not a host'] })).toThrow(
      /serviceHosts: service host "not a host" is not a DNS host name/,
    );
    const c = createCanceller({
      emulator: e.target,
      serviceHosts: [EVIL.toUpperCase(), 'second.example.com'],
    });
    try {
      await expect(c.cancel(HOSTILE)).resolves.toMatchObject({ service: EVIL, outcome: 'cancel-requested' });
      await expect(c.getOperation('//second.example.com/a/operations/2')).resolves.toMatchObject({
        name: 'a/operations/2',
      });
      const third = await rejection(c.cancel(`//third.example.com/${EVIL_OP}`));
      expect(third).toMatchObject({ outcome: 'invalid-name', attempts: 0 });
      expect((third as OperationsError).message).toContain('pass --service-host third.example.com');
    } finally {
      await c.close();
    }
    expect(e.calls.map((x) => x.authority)).toEqual([EVIL, 'second.example.com']);

    e.store.seed({ name: 'projects/p/operations/own', service: EVIL });
    const own = createCanceller({ emulator: e.target, service: EVIL });
    try {
      await expect(own.cancel(`//${EVIL}/projects/p/operations/own`)).resolves.toMatchObject({
        service: EVIL,
      });
      // also when a call names another service for its relative names
      await expect(
        own.getOperation(`//${EVIL}/projects/p/operations/own`, { service: 'datastore' }),
      ).resolves.toMatchObject({ done: true });
    } finally {
      await own.close();
    }
  });

  test('cancelMany: the hostile line gets invalid-name and no call; the other names still run', async () => {
    const e = emu.get();
    for (const i of [1, 2, 3]) e.store.seed({ name: DS(i), service: 'datastore' });
    e.store.seed({ name: EVIL_OP, service: EVIL });
    const recs: BatchRecord[] = [];
    for await (const r of cancelMany([DS_FULL(1), HOSTILE, DS(2), DS_FULL(3)], {
      emulator: e.target,
      service: 'datastore',
    }))
      recs.push(r);
    recs.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(recs.map((r) => [r.line, r.service, r.outcome])).toEqual([
      [1, 'datastore', 'cancel-requested'],
      [2, '', 'invalid-name'],
      [3, 'datastore', 'cancel-requested'],
      [4, 'datastore', 'cancel-requested'],
    ]);
    expect(recs[1]).toMatchObject({ name: HOSTILE, attempts: 0 });
    expect(recs[1]?.message).toContain(HOW_TO_ALLOW);
    expect(new Set(e.calls.map((x) => x.authority))).toEqual(new Set(['datastore.googleapis.com']));
    expect(e.store.get(EVIL_OP)?.cancelRequests).toBe(0);

    // Allowed: by the batch's own options, or by the rules of a canceller it is given.
    const allowed: BatchRecord[] = [];
    for await (const r of cancelMany([HOSTILE], { emulator: e.target, serviceHosts: [EVIL] }))
      allowed.push(r);
    e.store.seed({ name: 'projects/p/operations/steal-2', service: EVIL });
    const c = createCanceller({ emulator: e.target, serviceHosts: [EVIL] });
    try {
      for await (const r of cancelMany([`//${EVIL}/projects/p/operations/steal-2`], { canceller: c }))
        allowed.push(r);
    } finally {
      await c.close();
    }
    expect(allowed.map((r) => [r.service, r.outcome])).toEqual([
      [EVIL, 'cancel-requested'],
      [EVIL, 'cancel-requested'],
    ]);
  });

  test('TLS with credentials: the refusal happens before any DNS lookup, connection or token request', async () => {
    const asked: string[] = [];
    const auth: AuthClientLike = {
      getRequestHeaders: async (url?: string) => {
        asked.push(String(url));
        return { authorization: 'Bearer must-never-leave-1234' };
      },
    };
    const c = createCanceller({ emulator: null, auth, retry: { maxAttempts: 1, totalTimeoutMs: 2000 } });
    try {
      // (the loopback guard would make a lookup of evil.example.com fail as UNAVAILABLE instead)
      expectRefused(await rejection(c.cancel(HOSTILE)));
      expectRefused(await rejection(c.getOperation(HOSTILE)));
      expect(callerOf(c).stubs()).toHaveLength(0);
    } finally {
      await c.close();
    }
    expect(asked).toEqual([]);
  });

  test('a universe domain: a full name on a built-in host in that universe is the built-in service, whose endpoint is that very host', async () => {
    const universeDomain = 'example-universe.com';
    const c = createCanceller({ emulator: null, universeDomain });
    try {
      for (const id of serviceIds) {
        const host = `${id}.${universeDomain}`;
        const name = services[id]!.cancelPatterns[0]!.replace(/\*/g, 'x');
        const target = callerOf(c).resolve(`//${host}/${name}`, 'cancel');
        expect(target.service).toBe(services[id]);
        expect(resolveEndpoint(target.service, { universeDomain }).host).toBe(host);
      }
      // a host of that universe that is no built-in's still needs --service-host
      expectRefused(await rejection(c.cancel(`//${EVIL}/${EVIL_OP}`)));
      expect(() => callerOf(c).resolve(`//foo.${universeDomain}/${EVIL_OP}`, 'cancel')).toThrow(
        `pass --service-host foo.${universeDomain}`,
      );
      expect(callerOf(c).stubs()).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});

describe('CLI', () => {
  test('batch over the emulator: the hostile line is invalid-name and exit 1, the others are cancelled; --service-host accepts it', async () => {
    const e = emu.get();
    for (const i of [1, 2, 3]) e.store.seed({ name: DS(i), service: 'datastore' });
    e.store.seed({ name: EVIL_OP, service: EVIL });
    const file = namesFile(['# operations to cancel', DS(1), HOSTILE, DS_FULL(2), DS(3)]);
    const refused = capture();
    expect(
      await runCli(
        ['batch', '--input', file, '--service', 'datastore', '--emulator', e.target, '--quiet'],
        refused.io,
      ),
    ).toBe(1);
    const byLine = (a: BatchRecord, b: BatchRecord): number => (a.line ?? 0) - (b.line ?? 0); // records come in completion order
    const recs = refused.records<BatchRecord>().sort(byLine);
    expect(recs.map((r) => [r.line, r.outcome])).toEqual([
      [2, 'cancel-requested'],
      [3, 'invalid-name'],
      [4, 'cancel-requested'],
      [5, 'cancel-requested'],
    ]);
    expect(recs[1]?.message).toContain(HOW_TO_ALLOW);
    expect(e.store.get(EVIL_OP)?.cancelRequests).toBe(0);
    expect(e.calls.some((x) => x.authority === EVIL)).toBe(false);

    // --service X with --service-host Y: X for relative names, Y's full names allowed.
    for (const i of [1, 2, 3]) e.store.seed({ name: DS(i), service: 'datastore' });
    const allowed = capture();
    expect(
      await runCli(
        [
          'batch',
          '--input',
          file,
          '--service',
          'datastore',
          '--service-host',
          EVIL,
          '--emulator',
          e.target,
          '--quiet',
        ],
        allowed.io,
      ),
    ).toBe(0);
    expect(
      allowed
        .records<BatchRecord>()
        .sort(byLine)
        .map((r) => [r.line, r.service, r.outcome]),
    ).toEqual([
      [2, 'datastore', 'cancel-requested'],
      [3, EVIL, 'cancel-requested'],
      [4, 'datastore', 'cancel-requested'],
      [5, 'datastore', 'cancel-requested'],
    ]);
    expect(e.store.get(EVIL_OP)?.cancelRequests).toBe(1);
  });

  test('cancel, get, list and cancel-all honour --service-host (repeatable) and refuse other hosts', async () => {
    const e = emu.get();
    e.store.seed({ name: EVIL_OP, service: EVIL });
    e.store.seed({ name: 'projects/q/operations/two', service: 'two.example.com' });
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const c = capture();
      const code = await runCli([...args, '--emulator', e.target], c.io);
      return { code, out: c.stdout(), err: c.stderr() };
    };

    const cancel = await run(['cancel', HOSTILE]);
    expect(cancel.code).toBe(1);
    expect(JSON.parse(cancel.out)).toMatchObject({
      name: HOSTILE,
      service: '',
      outcome: 'invalid-name',
      attempts: 0,
    });
    expect(cancel.out).toContain(HOW_TO_ALLOW);
    const get = await run(['get', HOSTILE, '--service-host', 'two.example.com']);
    expect(get.code).toBe(1);
    expect(JSON.parse(get.out)).toMatchObject({ outcome: 'invalid-name' });
    const list = await run(['list', `//${EVIL}/projects/p`]);
    expect(list.code).toBe(2);
    expect(list.err).toContain(HOW_TO_ALLOW);
    const all = await run(['cancel-all', `//${EVIL}/projects/p`, '--quiet']);
    expect(all.code).toBe(2);
    expect(all.err).toContain(HOW_TO_ALLOW);
    expect(e.calls).toHaveLength(0);

    // Two hosts allowed in one run; relative names then need --service (one of them, or built in).
    const both = ['--service-host', EVIL, '--service-host', 'two.example.com'];
    const listed = await run(['list', `//${EVIL}/projects/p`, ...both]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject({ name: EVIL_OP, done: false });
    const cancelledAll = await run(['cancel-all', `//${EVIL}/projects/p`, ...both, '--quiet']);
    expect(cancelledAll.code).toBe(0);
    expect(JSON.parse(cancelledAll.out)).toMatchObject({
      name: EVIL_OP,
      service: EVIL,
      outcome: 'cancel-requested',
    });
    const mixed = await run([
      'cancel',
      'projects/q/operations/two',
      '//two.example.com/projects/q/operations/two',
      ...both,
    ]);
    expect(
      mixed.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: string }),
    ).toEqual([
      expect.objectContaining({
        outcome: 'invalid-name',
        message: expect.stringContaining('no service given'),
      }),
      expect.objectContaining({ service: 'two.example.com', outcome: 'cancel-requested' }),
    ]);
    const relative = await run(['get', 'projects/q/operations/two', ...both, '--service', 'two.example.com']);
    expect(relative.code).toBe(0);
    expect(JSON.parse(relative.out)).toMatchObject({ name: 'projects/q/operations/two', done: true });
  });

  describe('TLS, no emulator, Application Default Credentials set up (child process, loopback guard preloaded)', () => {
    let sts: Awaited<ReturnType<typeof startFakeSts>>;
    let env: Record<string, string>;
    beforeAll(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lro-hosts-'));
      sts = await startFakeSts(dir, 'FAKE-hosts-token-5a6b7c', 'FAKE.subject.jwt');
      env = { GOOGLE_APPLICATION_CREDENTIALS: sts.adcFile, GOOGLE_CLOUD_PROJECT: 'p', HOME: dir };
    });
    afterAll(async () => {
      await sts?.close();
    });

    test('a hostile line is invalid-name with no DNS lookup, connection or token request; allowed, the same line does try', async () => {
      const file = namesFile([HOSTILE, `//${EVIL.toUpperCase()}/${EVIL_OP}`]);
      const [batch, cancel] = await Promise.all([
        runCliProcess(['batch', '--input', file, '--quiet'], env),
        runCliProcess(['cancel', '--service', 'datastore', HOSTILE], env),
      ]);
      for (const r of [batch, cancel]) {
        expect(r.code).toBe(1);
        const recs = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as BatchRecord);
        for (const rec of recs) {
          expect(rec).toMatchObject({ outcome: 'invalid-name', attempts: 0 });
          expect(rec.message).toContain(HOW_TO_ALLOW);
        }
        // The guard preloaded in the child reports any connection or DNS lookup it refuses.
        expect(r.stderr).not.toMatch(/loopback-only guard/);
      }
      expect(batch.stdout.trim().split('\n')).toHaveLength(2);
      expect(sts.requests).toEqual([]);

      // With --service-host the same file is let through and the client does try to reach the
      // host (the guard stops it): so the silence above means nothing was attempted.
      const tried = await runCliProcess(
        [
          'batch',
          '--input',
          file,
          '--service-host',
          EVIL,
          '--max-attempts',
          '1',
          '--timeout',
          '1s',
          '--quiet',
        ],
        env,
      );
      expect(tried.code).toBe(1);
      expect(tried.stdout).not.toContain('invalid-name');
      expect(tried.stderr).toMatch(
        /loopback-only guard: refused (DNS lookup|connection) to non-loopback host "evil\.example\.com"/,
      );
    });
  });
});
