// The real executable in a child process (dist/cli/main.js when built and fresh, else
// src/cli/main.ts through swc): exit statuses 0/1/2, JSON lines on stdout, one-line errors on
// stderr, signals. Every child preloads the loopback-only guard.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleOperationName } from '../../src/emulator/sample-names';
import { services, type ServiceDescriptor } from '../../src/registry/service-registry';
import { VERSION } from '../../src/version';
import { useEmulator } from '../helpers/emulator';
import { cli, cliModule, runCliProcess, runNodeScript, startCli } from './helpers/spawn-cli';

jest.setTimeout(30_000);
const emu = useEmulator();
const datastore = services.datastore as ServiceDescriptor;

describe(`lro-cancel as a child process (${cli.mode})`, () => {
  test('--version: exit 0, the version on stdout, nothing on stderr', async () => {
    const r = await runCliProcess(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('--version and usage errors load neither grpc-js, google-gax nor a command module', async () => {
    const script = `
      const { runCli } = require(${JSON.stringify(cliModule('cli/run-cli'))});
      const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, signal: new AbortController().signal };
      Promise.all([runCli(['--version'], io), runCli(['cancel', '--timeout', 'x', 'n'], io)]).then((codes) => {
        const heavy = Object.keys(require.cache).filter((k) => /@grpc|google-gax|google-auth-library|commands[\\\\/]/.test(k));
        process.stdout.write(JSON.stringify({ codes, heavy }));
      });`;
    const r = await runNodeScript(script);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ codes: [0, 2], heavy: [] });
  });

  test("turns on Node's compile cache in the user's own cache directory (mode 0700, not the shared temp dir), and honours NODE_DISABLE_COMPILE_CACHE", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'lro-cc-'));
    try {
      const on = path.join(tmp, 'on');
      const off = path.join(tmp, 'off');
      const sharedTmp = path.join(tmp, 'tmp');
      for (const d of [on, off, sharedTmp]) mkdirSync(d);
      const env = { XDG_CACHE_HOME: on, TMPDIR: sharedTmp };
      expect(await runCliProcess(['services'], env)).toMatchObject({ code: 0, stderr: '' });
      const dir = path.join(on, 'lro-cancel', 'compile-cache');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const cached = readdirSync(dir, { recursive: true }).map(String);
      expect(cached.length).toBeGreaterThan(0);
      expect(readdirSync(sharedTmp)).toEqual([]);
      // set at all, even to '', it turns the cache off (as Node reads it): no directory is made
      for (const value of ['1', '']) {
        expect(
          await runCliProcess(['services'], {
            ...env,
            XDG_CACHE_HOME: off,
            NODE_DISABLE_COMPILE_CACHE: value,
          }),
        ).toMatchObject({ code: 0 });
        // (in src mode the swc loader keeps its own cache there: only ours must be absent)
        expect(existsSync(path.join(off, 'lro-cancel'))).toBe(false);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('cancel via LRO_CANCEL_EMULATOR_HOST: exit 0 and one JSON line per name when all are cancel-requested', async () => {
    const e = emu.get();
    const names = ['exp-1', 'exp-2'].map((id) => sampleOperationName(datastore, id));
    for (const name of names) e.store.seed({ name, service: 'datastore' });
    const r = await runCliProcess(['cancel', '--service', 'datastore', ...names], {
      LRO_CANCEL_EMULATOR_HOST: e.target,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(
      names.map((name) => ({
        kind: 'result',
        name,
        service: 'datastore',
        outcome: 'cancel-requested',
        code: 'OK',
        message: '',
        attempts: 1,
        latencyMs: expect.any(Number),
      })),
    );
  });

  test('cancel: exit 1 when any name is not cancel-requested (not found, bad name)', async () => {
    const e = emu.get();
    const good = sampleOperationName(datastore, 'exp-3');
    e.store.seed({ name: good, service: 'datastore' });
    const r = await runCliProcess([
      'cancel',
      '--emulator',
      e.target,
      '--service',
      'datastore',
      good,
      'projects/p/operations/missing',
      'not/a/datastore/name',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { outcome: string }).outcome),
    ).toEqual(['cancel-requested', 'not-found', 'invalid-name']);
  });

  test.each<[string, string[], RegExp]>([
    [
      'unknown flag',
      ['cancel', '--frobnicate', 'x'],
      /^lro-cancel: unknown option --frobnicate for "cancel"\nTry 'lro-cancel cancel --help'.\n$/,
    ],
    ['bad duration', ['cancel', '--timeout', '10', 'x'], /^lro-cancel: --timeout: "10" is not a duration/],
    [
      'negative number',
      ['cancel', '--max-attempts', '-2', 'x'],
      /^lro-cancel: --max-attempts: -2 is too small/,
    ],
    [
      'endpoint without port',
      ['cancel', '--endpoint', 'dataplex.googleapis.com', 'x'],
      /^lro-cancel: --endpoint "dataplex.googleapis.com" must be HOST:PORT/,
    ],
    ['no command', [], /^lro-cancel: missing command/],
    [
      'non-loopback emulator',
      ['cancel', '--emulator', '192.0.2.1:80', '--service', 'datastore', 'projects/p/operations/o'],
      /^lro-cancel: --emulator: refusing plaintext to "192.0.2.1"/,
    ],
  ])(
    'usage error (%s): exit 2, nothing on stdout, one line plus a --help hint on stderr',
    async (_label, args, stderr) => {
      const r = await runCliProcess(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(stderr);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(/Try 'lro-cancel (cancel )?--help'.\n$/);
    },
  );

  test('emulator: prints its address, serves a cancel from another process, exits 0 on SIGINT', async () => {
    const server = startCli(['emulator', '--seed', '5']);
    const [, address] = await server.waitForStdout(/^lro-cancel emulator listening on (127\.0\.0\.1:\d+)$/m);
    await server.waitForStdout(/seeded 5 running operation\(s\):\n(.*\n){5}/);
    expect(server.stdout()).toContain(`export LRO_CANCEL_EMULATOR_HOST=${address}\n`);
    const names = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('  //'))
      .map((l) => l.trim());

    const r = await runCliProcess(['cancel', ...names], { LRO_CANCEL_EMULATOR_HOST: address as string });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(5);

    server.child.kill('SIGINT');
    const done = await server.exited;
    expect(done).toMatchObject({ code: 0, signal: null });
  });

  test('emulator: SIGTERM stops it too', async () => {
    const server = startCli(['emulator', '--port', '0']);
    await server.waitForStdout(/listening on/);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
