// A known fake token never appears in anything lro-cancel writes: stdout, stderr, records,
// journal, output files, error messages and stacks, with every verbose switch on (grpc-js
// GRPC_TRACE=all + GRPC_VERBOSITY=DEBUG, Google SDK logging, NODE_DEBUG=http2,tls). Over TLS,
// where the token is really sent (the emulator sees it), through the library with an injected
// token, with the TLS emulator inside the traced process, and through the real CLI whose
// Application Default Credentials exchange a subject token at a fake STS on loopback.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Code, createCanceller, type OperationsError } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { redactSecrets } from '../../src/redaction/redact-secrets';
import { childEnv, cli, cliModule, ROOT, runNodeScript, startCli } from '../cli/helpers/spawn-cli';
import { until } from '../helpers/until';
import { makeTlsFiles, startFakeSts, VERBOSE_ENV } from './helpers/tls-fixture';

jest.setTimeout(30_000);

const TOKEN = 'FAKE-t0ken-4b1d7c9e2f';
const SUBJECT_TOKEN = 'eyJGQUtFLXN1YmplY3Qi.FAKE-subject-jwt.c2lnbg';
const N = (id: string): string => `projects/p/operations/tok-${id}`;
// Servers (or proxies) quoting a credential back: in header shape, and bare (only recognisable
// as the very token this process sent).
const ECHO = `upstream said: bad header authorization: Bearer ${TOKEN}, {"access_token":"${TOKEN}"}`;
const BARE_ECHO = `session ${TOKEN} was revoked`;

let tls: Awaited<ReturnType<typeof makeTlsFiles>>;
let emu: OperationsEmulator;

beforeAll(async () => {
  tls = await makeTlsFiles();
  emu = await startOperationsEmulator({ tls: { cert: tls.cert, key: tls.key } });
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(() => {
  emu.store.clear();
  emu.clearFaults();
  emu.calls.length = 0;
});

/** Seed the names every scenario cancels: successes, a retry, not-found, denied, already done. */
function seedScenario(): string[] {
  for (let i = 0; i < 5; i++) emu.store.seed({ name: N(`ok-${i}`) });
  emu.store.seed({ name: N('flaky'), failTimes: 2 });
  emu.store.seed({ name: N('denied'), failTimes: 1, transientCode: Code.UNAUTHENTICATED });
  emu.store.seed({
    name: N('revoked'),
    failTimes: 1,
    transientCode: Code.UNAUTHENTICATED,
    transientMessage: BARE_ECHO,
  });
  emu.store.seed({ name: N('done'), doneAs: 'completed' });
  // Every GetOperation fails with a message echoing the token (a server or proxy quoting a header).
  emu.setFaults('*', {
    errorRate: 1,
    errorMethods: ['GetOperation'],
    errorCode: Code.INTERNAL,
    errorMessage: ECHO,
  });
  return [
    ...[0, 1, 2, 3, 4].map((i) => N(`ok-${i}`)),
    N('flaky'),
    N('denied'),
    N('done'),
    N('missing'),
    N('revoked'),
  ];
}

function expectNoToken(where: string, text: string): void {
  for (const secret of [TOKEN, encodeURIComponent(TOKEN), SUBJECT_TOKEN]) {
    if (text.includes(secret)) {
      const at = text.indexOf(secret);
      throw new Error(
        `${where} contains a secret: …${text.slice(Math.max(0, at - 200), at + secret.length + 50)}…`,
      );
    }
  }
}

const LIBRARY_CLIENT = `
  const fs = require('node:fs');
  const lro = require(${JSON.stringify(cliModule('index'))});
  const TOKEN = process.env.TEST_TOKEN;
  const names = JSON.parse(process.env.TEST_NAMES);
  (async () => {
    const auth = { getRequestHeaders: async () => ({ authorization: 'Bearer ' + TOKEN }) };
    // redactGrpcLogs: the application opts in to lro-cancel's redacting grpc-js logger (the CLI always does).
    const common = { emulator: null, endpoint: 'localhost:' + process.env.TEST_PORT, rootCerts: fs.readFileSync(process.env.TEST_CA), auth,
      service: 'datastore', retry: { initialDelayMs: 10, maxAttempts: 3 }, redactGrpcLogs: process.env.TEST_REDACT === '1' };
    for await (const r of lro.cancelMany(names, { ...common, journal: process.env.TEST_JOURNAL })) process.stdout.write(JSON.stringify(r) + '\\n');
    const c = lro.createCanceller(common);
    for (const call of [() => c.getOperation(names[0]), () => c.cancelAndConfirm(names[1], { confirmTimeoutMs: 500 }), () => c.cancel(names[names.length - 1])]) {
      try {
        process.stdout.write(JSON.stringify(await call()) + '\\n');
      } catch (e) {
        // What an application would log: the message, the stack, the error as JSON.
        console.error(String(e));
        console.error(e.stack);
        console.error(JSON.stringify({ message: e.message, rawMessage: e.rawMessage, details: e.details, outcome: e.outcome }));
      }
    }
    await c.close();
  })().catch((e) => { console.error('SCRIPT-CRASHED', e); process.exitCode = 3; });`;

test('library over TLS with an injected token, full tracing and redactGrpcLogs: the token is sent, and appears in nothing written', async () => {
  const names = seedScenario();
  const journal = path.join(tls.dir, 'lib-journal.ndjson');
  const r = await runNodeScript(
    LIBRARY_CLIENT,
    {
      ...VERBOSE_ENV,
      TEST_REDACT: '1',
      TEST_TOKEN: TOKEN,
      TEST_NAMES: JSON.stringify(names),
      TEST_PORT: String(emu.port),
      TEST_CA: tls.certFile,
      TEST_JOURNAL: journal,
    },
    30_000,
  );
  expect(r.stderr).not.toContain('SCRIPT-CRASHED');
  expect(r.code).toBe(0);
  // The token really went out, over TLS, on every call.
  expect(emu.calls.length).toBeGreaterThanOrEqual(names.length);
  for (const call of emu.calls) expect(call.authorization).toBe(`Bearer ${TOKEN}`);
  // Tracing was on, the failure paths ran, and the echoed token was redacted.
  expect(r.stderr).toMatch(/\| (transport|subchannel_call|channel) \|/);
  expect(r.stderr).toContain('[redacted]');
  const recs = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { outcome?: string; name?: string });
  expect(
    recs
      .filter((x) => x.outcome)
      .map((x) => x.outcome)
      .sort(),
  ).toEqual(expect.arrayContaining(['cancel-requested', 'denied', 'not-found']));
  expectNoToken('stdout', r.stdout);
  expectNoToken('stderr', r.stderr);
  expectNoToken('journal', readFileSync(journal, 'utf8'));
});

test("lro-cancel's TLS emulator in a traced process: grpc-js prints every header it receives, and the token is redacted from it", async () => {
  // The server side alone in its own process (the client, in this process, sends the token).
  const names = [N('srv-ok'), N('srv-denied'), N('srv-missing')];
  const script = `
    const fs = require('node:fs');
    const { startOperationsEmulator } = require(${JSON.stringify(cliModule('emulator/index'))});
    (async () => {
      const e = await startOperationsEmulator({ tls: { cert: fs.readFileSync(process.env.TEST_CA), key: fs.readFileSync(process.env.TEST_KEY) }, redactGrpcLogs: true });
      e.store.seed({ name: ${JSON.stringify(names[0])} });
      e.store.seed({ name: ${JSON.stringify(names[1])}, failTimes: 1, transientCode: 16 });
      process.stdout.write('PORT ' + e.port + '\\n');
      process.stdin.on('data', () => undefined);
      process.stdin.on('end', () => void e.stop());
    })();`;
  const child = spawn(process.execPath, [...cli.nodeArgs, '-e', script], {
    cwd: ROOT,
    env: childEnv({ ...VERBOSE_ENV, TEST_CA: tls.certFile, TEST_KEY: tls.keyFile }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await until(() => /PORT \d+/.test(stdout), 'the emulator to listen');
    const port = Number(/PORT (\d+)/.exec(stdout)![1]);
    const auth = { getRequestHeaders: async () => ({ authorization: `Bearer ${TOKEN}` }) };
    const c = createCanceller({
      emulator: null,
      endpoint: `localhost:${port}`,
      rootCerts: tls.cert,
      auth,
      service: 'datastore',
      retry: { maxAttempts: 1 },
    });
    try {
      const outcomes = await Promise.all(
        names.map((n) =>
          c.cancel(n).then(
            (r) => r.outcome,
            (e: OperationsError) => e.outcome,
          ),
        ),
      );
      expect(outcomes).toEqual(['cancel-requested', 'denied', 'not-found']);
    } finally {
      await c.close();
    }
  } finally {
    child.stdin.end();
  }
  expect(await exited).toBe(0);
  // The server's tracer printed the headers it received, authorization among them, redacted.
  expect(stderr).toMatch(
    /server_call \| Request to \/google\.longrunning\.Operations\/CancelOperation received headers .*"authorization":\["\[redacted\]"\]/,
  );
  expectNoToken('emulator stderr', stderr);
  expectNoToken('emulator stdout', stdout);
});

test('the real CLI with Application Default Credentials (external account, fake STS on loopback), full tracing: cancel and batch write no token', async () => {
  const sts = await startFakeSts(tls.dir, TOKEN, SUBJECT_TOKEN);
  try {
    const names = seedScenario();
    // Cancels of some names fail UNAUTHENTICATED with the echoing message (not retried: 'denied').
    emu.setFaults('*', {
      errorRate: 0.5,
      errorMethods: ['CancelOperation', 'GetOperation'],
      errorCode: Code.UNAUTHENTICATED,
      errorMessage: ECHO,
    });
    const env = {
      ...VERBOSE_ENV,
      GOOGLE_APPLICATION_CREDENTIALS: sts.adcFile,
      GOOGLE_CLOUD_PROJECT: 'p', // no project lookup at cloudresourcemanager.googleapis.com
      GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: tls.certFile, // trust the test CA (as --ca-file would)
      HOME: tls.dir, // no gcloud well-known credentials file from the real home
    };
    const input = path.join(tls.dir, 'names.txt');
    writeFileSync(input, `${names.join('\n')}\n`);
    const journal = path.join(tls.dir, 'cli-journal.ndjson');
    const output = path.join(tls.dir, 'cli-out.ndjson');
    const endpoint = `localhost:${emu.port}`;
    const batch = await startCli(
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
        endpoint,
        '--max-attempts',
        '3',
      ],
      env,
      30_000,
    ).exited;
    const cancel = await startCli(
      [
        'cancel',
        '--service',
        'datastore',
        '--endpoint',
        endpoint,
        '--confirm',
        '--confirm-timeout',
        '1s',
        ...names.slice(0, 4),
      ],
      env,
      30_000,
    ).exited;

    // ADC really ran: the STS got the subject token, the emulator got the access token over TLS.
    expect(sts.requests.length).toBeGreaterThanOrEqual(1);
    expect(sts.requests[0]).toContain(encodeURIComponent(SUBJECT_TOKEN));
    expect(emu.calls.length).toBeGreaterThan(0);
    for (const call of emu.calls) expect(call.authorization).toBe(`Bearer ${TOKEN}`);
    // Both ran to the end, with records and tracing, and some records carried the echoed (redacted) message.
    expect([batch.code, cancel.code]).toEqual([1, 1]);
    const out = readFileSync(output, 'utf8');
    expect(out.trimEnd().split('\n')).toHaveLength(names.length);
    expect(out + cancel.stdout).toContain('[redacted]');
    expect(batch.stderr + cancel.stderr).toMatch(/\| (transport|subchannel_call|channel) \|/);
    for (const [where, text] of [
      ['batch stdout', batch.stdout],
      ['batch stderr', batch.stderr],
      ['cancel stdout', cancel.stdout],
      ['cancel stderr', cancel.stderr],
      ['--output file', out],
      ['journal', readFileSync(journal, 'utf8')],
    ] as const) {
      expectNoToken(where, text);
    }
  } finally {
    await sts.close();
  }
});

describe('redactSecrets', () => {
  test.each([
    ['a Bearer header line', 'authorization: Bearer abc.def-ghi_123'],
    ['Basic credentials', 'Authorization: Basic dXNlcjpwYXNz'],
    ['grpc-js metadata JSON', '{"authorization":["Bearer abc.def-ghi_123"],"x-goog-api-client":["x"]}'],
    ['a percent-encoded grpc-message', 'grpc-message: token%20Bearer%20abc.def-ghi_123%20rejected'],
    ['an OAuth response', '{"access_token":"ya29.a0AfH6SMB","expires_in":3599}'],
    ['a percent-encoded OAuth response', '%22access_token%22%3A%22abc.def-ghi_123%22'],
    ['an IAM header', 'x-goog-iam-authorization-token: abc.def-ghi_123'],
  ])('removes %s', (_what, text) => {
    const out = redactSecrets(text);
    expect(out).toContain('[redacted]');
    expect(out).not.toMatch(/abc\.def-ghi_123|dXNlcjpwYXNz|a0AfH6SMB/);
  });

  test('leaves ordinary text alone', () => {
    for (const text of [
      'Operation "projects/p/operations/o" not found.',
      'name=projects%2Fp%2Foperations%2Fo',
      'D 2026 | transport | connection established',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

test('the library leaves the application its own grpc-js logger unless it opts in (a process-wide choice)', async () => {
  const script = `
    const grpcLogging = require('@grpc/grpc-js/build/src/logging');
    const lro = require(${JSON.stringify(cliModule('index'))});
    const { startOperationsEmulator } = require(${JSON.stringify(cliModule('emulator/index'))});
    (async () => {
      const mine = { error() {}, info() {}, debug() {} };
      grpcLogging.setLogger(mine);
      const e = await startOperationsEmulator();
      e.store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
      const c = lro.createCanceller({ emulator: e.target, service: 'datastore' });
      await c.cancel('projects/p/operations/o');
      const untouched = grpcLogging.getLogger() === mine;
      const c2 = lro.createCanceller({ emulator: e.target, service: 'datastore', redactGrpcLogs: true });
      e.store.seed({ name: 'projects/p/operations/o2', service: 'datastore' });
      await c2.cancel('projects/p/operations/o2');
      const wrapped = grpcLogging.getLogger() !== mine;
      await c.close(); await c2.close(); await e.stop();
      process.stdout.write(JSON.stringify({ untouched, wrapped }));
    })().catch((err) => { console.error(err); process.exitCode = 3; });`;
  const r = await runNodeScript(script, {}, 20_000);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ untouched: true, wrapped: true });
});
