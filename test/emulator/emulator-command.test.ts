// `lro-cancel emulator` from the command line: faults, a seed file with behaviours, a default
// service for loopback clients, and a call log that never holds a credential.
import { parseSeedLine } from '../../src/cli/emulator-flags';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgv } from '../../src/cli/parse-argv';
import { runCli } from '../../src/cli/run-cli';
import { Code } from '../../src/errors/status-code';
import { capture } from '../cli/helpers/capture';
import { rawClient, statusOf } from './helpers/raw-client';

jest.setTimeout(20_000);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lro-emu-'));
  dirs.push(d);
  return d;
}

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('faults, seed file, default service and call log from the command line', async () => {
  const dir = tempDir();
  const seeds = path.join(dir, 'seeds.txt');
  const log = path.join(dir, 'calls.jsonl');
  writeFileSync(
    seeds,
    [
      '# name, then behaviours',
      '//dataplex.googleapis.com/projects/p/locations/l/operations/keeps-running on-cancel=ignore',
      '//privateca.googleapis.com/projects/p/locations/l/operations/ca',
      'projects/p/operations/old service=datastore done=completed',
      '',
    ].join('\n'),
  );
  const c = capture();
  const running = runCli(
    [
      'emulator',
      '--seed-file',
      seeds,
      '--default-service',
      'dataplex',
      '--fault',
      'privateca:unimplemented',
      '--fault',
      'datastore:latency=50ms,denied',
      '--log',
      log,
      '--max-streams',
      '50',
    ],
    c.io,
  );
  await waitFor(() => c.stdout().includes('from'));
  const target = /listening on (\S+)/.exec(c.stdout())?.[1] as string;
  expect(c.stdout()).toContain('calls with a loopback :authority (no service host) are for dataplex\n');
  const loopback = rawClient(target); // :authority 127.0.0.1:PORT -> dataplex
  const privateca = rawClient(target, 'privateca.googleapis.com');
  const datastore = rawClient(target, 'datastore.googleapis.com');
  try {
    await loopback.call(
      'CancelOperation',
      { name: 'projects/p/locations/l/operations/keeps-running' },
      10_000,
      {
        authorization: 'Bearer SECRET-TOKEN-123',
      },
    );
    expect(
      await loopback.call('GetOperation', { name: 'projects/p/locations/l/operations/keeps-running' }),
    ).toMatchObject({
      done: false,
    });
    const unsupported = await statusOf(
      privateca.call('CancelOperation', { name: 'projects/p/locations/l/operations/ca' }),
    );
    expect(unsupported.code).toBe(Code.UNIMPLEMENTED);
    const denied = await statusOf(datastore.call('GetOperation', { name: 'projects/p/operations/old' }));
    expect(denied.code).toBe(Code.PERMISSION_DENIED);
  } finally {
    loopback.close();
    privateca.close();
    datastore.close();
  }
  c.controller.abort();
  await expect(running).resolves.toBe(0);
  const text = readFileSync(log, 'utf8');
  expect(text).not.toContain('SECRET-TOKEN');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l.method, l.service, l.status])).toEqual([
    ['CancelOperation', 'dataplex', 'OK'],
    ['GetOperation', 'dataplex', 'OK'],
    ['CancelOperation', 'privateca', 'UNIMPLEMENTED'],
    ['GetOperation', 'datastore', 'PERMISSION_DENIED'],
  ]);
  expect(lines[0]).toMatchObject({
    name: 'projects/p/locations/l/operations/keeps-running',
    peer: expect.stringMatching(/127\.0\.0\.1:\d+/),
    deadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(Number(lines[3]?.ms)).toBeGreaterThanOrEqual(40); // the 50 ms latency fault
});

test('bad fault specs, seed lines and default services are usage errors naming what is wrong', async () => {
  for (const [argv, message] of [
    [['--fault', 'nope:denied'], /--fault: "nope" is not a service id/],
    [['--fault', 'dataplex:slow'], /unknown knob "slow"/],
    [['--fault', 'dataplex:error-rate=2'], /error-rate=2: expected a number from 0 to 1/],
    [['--fault', 'dataplex:latency=5'], /latency: "5" is not a duration/],
    [['--fault', 'dataplex:quota=0'], /quota=0/],
    [
      ['--fault', 'dataplex:error-rate=1,methods=get+frob'],
      /methods=get\+frob: "frob" is not one of cancel, get, list, wait, delete/,
    ],
    [['--fault', 'dataplex:methods'], /methods: needs a value/],
    [['--default-service', 'nope'], /--default-service: "nope"/],
  ] as const) {
    expect(() => parseArgv(['emulator', ...argv])).toThrow(message);
  }
  const parsed = parseArgv([
    'emulator',
    '--fault',
    '*:error-rate=0.2,error-code=INTERNAL,quota=400,latency=100ms',
  ]);
  expect(parsed).toMatchObject({
    options: {
      faults: [
        {
          service: '*',
          faults: { errorRate: 0.2, errorCode: Code.INTERNAL, quotaPerSecond: 400, latencyMs: 100 },
        },
      ],
    },
  });
  expect(parseArgv(['emulator', '--fault', 'dataplex:drop-rate=0.5,methods=GET+list+get'])).toMatchObject({
    options: {
      faults: [
        { service: 'dataplex', faults: { dropRate: 0.5, errorMethods: ['GetOperation', 'ListOperations'] } },
      ],
    },
  });
  const dir = tempDir();
  const seeds = path.join(dir, 'seeds.txt');
  writeFileSync(seeds, 'projects/p/operations/a\nprojects/p/operations/b on-cancel=explode\n');
  const c = capture();
  expect(await runCli(['emulator', '--seed-file', seeds], c.io)).toBe(2);
  expect(c.stderr()).toContain('line 2: "on-cancel=explode"');
  expect(parseSeedLine('projects/p/operations/a service=datastore kind=index')).toMatchObject({
    service: 'datastore',
    metadataKind: 'index',
  });
  expect(parseSeedLine('projects/p/operations/a service=datastore kind=purge')).toEqual({
    error: 'kind=purge: datastore has export, import, index',
  });
});
