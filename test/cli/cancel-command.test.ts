// `lro-cancel cancel` against a real emulator on 127.0.0.1:0, through the command function
// (and runCli where parsing matters), with captured stdout/stderr.
import { cancelCommand, type CancelRecord } from '../../src/cli/commands/cancel-command';
import { runCli } from '../../src/cli/run-cli';
import { fullName, sampleOperationName } from '../../src/emulator/sample-names';
import { Code } from '../../src/errors/status-code';
import { services, serviceIds, type ServiceDescriptor } from '../../src/registry/service-registry';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const svc = (id: string): ServiceDescriptor => services[id] as ServiceDescriptor;
// A call the client gave up on (deadline, abort) may still sit in the emulator's latency
// wait: let it finish so it neither counts against the next test nor outlives the file.
afterEach(async () => {
  for (let i = 0; i < 200 && emu.get().inflightCalls > 0; i++) await new Promise((r) => setTimeout(r, 10));
});

const RECORD_KEYS = ['kind', 'name', 'service', 'outcome', 'code', 'message', 'attempts', 'latencyMs'];

function seedRunning(service: ServiceDescriptor, id: string, variant = 0, extra: object = {}): string {
  const name = sampleOperationName(service, id, variant);
  emu.get().store.seed({ name, service: service.id, ...extra });
  return name;
}

test('every built-in service, every cancel pattern: one cancel-requested line per name, in order, exit 0', async () => {
  const names: string[] = [];
  const expected: [string, string][] = [];
  for (const id of serviceIds) {
    svc(id).cancelPatterns.forEach((_, variant) => {
      const name = seedRunning(svc(id), `op-${id}-${variant}`, variant);
      names.push(fullName(svc(id), name));
      expected.push([name, id]);
    });
  }
  const c = capture();
  const code = await cancelCommand({ names, emulator: emu.get().target }, c.io);
  expect(c.stderr()).toBe('');
  const records = c.records<CancelRecord>();
  expect(records.map((r) => [r.name, r.service])).toEqual(expected);
  for (const r of records) {
    expect(Object.keys(r)).toEqual(RECORD_KEYS);
    expect(r).toMatchObject({ outcome: 'cancel-requested', code: 'OK', message: '', attempts: 1 });
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(emu.get().store.get(r.name)?.error?.code).toBe(Code.CANCELLED);
  }
  expect(code).toBe(0);
});

test('relative names with --service; a bad name among several gets its own record, sends nothing, and the others still run', async () => {
  const ds = svc('datastore');
  const good1 = seedRunning(ds, 'export-1');
  const good2 = seedRunning(ds, 'export-2');
  const bad = 'projects/p/locations/l/operations/o'; // a location name: not a datastore pattern
  const c = capture({});
  const code = await runCli(
    [
      'cancel',
      '--service',
      'datastore',
      '--emulator',
      emu.get().target,
      good1,
      bad,
      'has space/operations/x',
      good2,
    ],
    c.io,
  );
  const records = c.records<CancelRecord>();
  expect(records.map((r) => [r.name, r.outcome, r.code, r.attempts])).toEqual([
    [good1, 'cancel-requested', 'OK', 1],
    [bad, 'invalid-name', 'INVALID_ARGUMENT', 0],
    ['has space/operations/x', 'invalid-name', 'INVALID_ARGUMENT', 0],
    [good2, 'cancel-requested', 'OK', 1],
  ]);
  expect(records[1]?.message).toMatch(
    /^operation name does not match: datastore expects "projects\/\*\/operations\/\*"; /,
  );
  // ...and names the services that do take it, as full names
  expect(records[1]?.message).toContain(`"//dataplex.googleapis.com/${bad}"`);
  expect(records[1]?.service).toBe('datastore');
  expect(
    emu
      .get()
      .callsOf('CancelOperation')
      .map((call) => call.name),
  ).toEqual(expect.arrayContaining([good1, good2]));
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(2);
  expect(code).toBe(1);
});

test('every failure outcome: unsupported, not-found, denied, invalid-name (server), already done, transient then OK', async () => {
  const e = emu.get();
  const ca = svc('privateca');
  const dp = svc('dataplex');
  const unsupported = seedRunning(ca, 'cert-1', 0, { onCancel: 'unimplemented' });
  const done = seedRunning(dp, 'scan-done', 0, { doneAs: 'completed' });
  const flaky = seedRunning(dp, 'scan-flaky', 1, { failTimes: 1 });
  const serverInvalid = seedRunning(dp, 'scan-bad', 0, {
    failTimes: 1,
    transientCode: Code.INVALID_ARGUMENT,
  });
  const denied = 'projects/p/operations/secret';
  e.store.seed({ name: denied, service: 'restricted.googleapis.com' });
  e.setFaults('restricted.googleapis.com', { denied: true });
  const names = [
    fullName(ca, unsupported),
    fullName(dp, 'projects/p/locations/l/operations/missing'),
    `//restricted.googleapis.com/${denied}`,
    fullName(dp, serverInvalid),
    fullName(dp, done),
    fullName(dp, flaky),
  ];
  const c = capture();
  // The custom host is allowed by name (--service-host): a full name alone may not choose it.
  const code = await cancelCommand(
    { names, emulator: e.target, serviceHosts: ['restricted.googleapis.com'], maxAttempts: 3 },
    c.io,
  );
  const records = c.records<CancelRecord>();
  expect(records.map((r) => [r.service, r.outcome, r.code, r.attempts])).toEqual([
    ['privateca', 'unsupported', 'UNIMPLEMENTED', 1],
    ['dataplex', 'not-found', 'NOT_FOUND', 1],
    ['restricted.googleapis.com', 'denied', 'PERMISSION_DENIED', 1],
    ['dataplex', 'invalid-name', 'INVALID_ARGUMENT', 1],
    ['dataplex', 'completed', 'OK', 1],
    ['dataplex', 'cancel-requested', 'OK', 2],
  ]);
  expect(records[0]?.message).toMatch(/not supported/);
  expect(records[4]?.message).toBe('already done when the cancel arrived');
  expect(code).toBe(1);
});

test('LRO_CANCEL_EMULATOR_HOST in the command env works like --emulator; --emulator wins over it', async () => {
  const name = seedRunning(svc('datalineage'), 'run-1');
  const viaEnv = capture({ LRO_CANCEL_EMULATOR_HOST: emu.get().target });
  expect(await cancelCommand({ names: [name], service: 'datalineage' }, viaEnv.io)).toBe(0);
  expect(viaEnv.records()[0]).toMatchObject({ outcome: 'cancel-requested' });

  const name2 = seedRunning(svc('datalineage'), 'run-2');
  const both = capture({ LRO_CANCEL_EMULATOR_HOST: '127.0.0.1:1' });
  expect(
    await cancelCommand({ names: [name2], service: 'datalineage', emulator: emu.get().target }, both.io),
  ).toBe(0);
});

test('--service-host: a service that is not built in accepts any .../operations/ID', async () => {
  const e = emu.get();
  e.store.seed({ name: 'a/b/c/operations/x', service: 'foo.googleapis.com' });
  const c = capture();
  const code = await runCli(
    ['cancel', '--service-host', 'foo.googleapis.com', '--emulator', e.target, 'a/b/c/operations/x'],
    c.io,
  );
  expect(c.records()).toEqual([
    expect.objectContaining({
      name: 'a/b/c/operations/x',
      service: 'foo.googleapis.com',
      outcome: 'cancel-requested',
    }),
  ]);
  expect(e.callsOf('CancelOperation')[0]?.authority).toBe('foo.googleapis.com');
  expect(code).toBe(0);
});

test('--max-attempts 1 turns off retries: a transient UNAVAILABLE is reported as error', async () => {
  const name = seedRunning(svc('datastore'), 'flaky', 0, { failTimes: 1 });
  const c = capture();
  const code = await runCli(
    ['cancel', '--max-attempts', '1', '--service', 'datastore', '--emulator', emu.get().target, name],
    c.io,
  );
  expect(c.records()).toEqual([
    expect.objectContaining({ outcome: 'error', code: 'UNAVAILABLE', attempts: 1 }),
  ]);
  expect(code).toBe(1);
});

test('--timeout bounds each name: a slow server gives DEADLINE_EXCEEDED', async () => {
  const e = emu.get();
  const name = seedRunning(svc('datastore'), 'slow');
  e.setFaults('datastore', { latencyMs: 1000 });
  const c = capture();
  const started = Date.now();
  const code = await runCli(
    ['cancel', '--timeout', '150ms', '--service', 'datastore', '--emulator', e.target, name],
    c.io,
  );
  expect(Date.now() - started).toBeLessThan(900);
  expect(c.records()).toEqual([expect.objectContaining({ outcome: 'error', code: 'DEADLINE_EXCEEDED' })]);
  expect(code).toBe(1);
});

test('--concurrency bounds the names in flight', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 80 });
  const names = Array.from({ length: 6 }, (_, i) => seedRunning(svc('datastore'), `op-${i}`));
  let max = 0;
  const timer = setInterval(() => {
    max = Math.max(max, e.inflightCalls);
  }, 2);
  try {
    const c = capture();
    expect(
      await cancelCommand({ names, service: 'datastore', emulator: e.target, concurrency: 2 }, c.io),
    ).toBe(0);
    expect(c.records().map((r) => r.name)).toEqual(names);
  } finally {
    clearInterval(timer);
  }
  expect(max).toBe(2);
});

test('aborting the signal (Ctrl-C) ends the calls in flight at once as aborted, the names not sent not-attempted, exit 130', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 1500 });
  const names = Array.from({ length: 3 }, (_, i) => seedRunning(svc('datastore'), `long-${i}`));
  const c = capture();
  const started = Date.now();
  setTimeout(() => c.controller.abort(new Error('SIGINT')), 150);
  const code = await cancelCommand({ names, service: 'datastore', emulator: e.target, concurrency: 2 }, c.io);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(c.records().map((r) => [r.name, r.outcome, r.code])).toEqual([
    [names[0], 'aborted', 'CANCELLED'],
    [names[1], 'aborted', 'CANCELLED'],
    [names[2], 'not-attempted', 'CANCELLED'],
  ]);
  expect(code).toBe(130);
});

test('plaintext to an emulator that is not loopback is a usage error before any connection', async () => {
  const c = capture({ LRO_CANCEL_EMULATOR_HOST: '10.1.2.3:8080' });
  const code = await runCli(['cancel', '--service', 'datastore', 'projects/p/operations/o'], c.io);
  expect(code).toBe(2);
  expect(c.stdout()).toBe('');
  expect(c.stderr()).toMatch(/^lro-cancel: LRO_CANCEL_EMULATOR_HOST: refusing plaintext to "10.1.2.3"/);
  expect(c.stderr()).toMatch(/Try 'lro-cancel cancel --help'.\n$/);
  const flag = capture();
  expect(
    await runCli(
      ['cancel', '--emulator', 'emu.example.com:8080', '--service', 'datastore', 'projects/p/operations/o'],
      flag.io,
    ),
  ).toBe(2);
  expect(flag.stderr()).toMatch(/^lro-cancel: --emulator: refusing plaintext to "emu.example.com"/);
});

describe('--confirm', () => {
  test('reports what each operation became: cancelled, completed; exit 0', async () => {
    const ds = svc('datastore');
    const cancelled = seedRunning(ds, 'c-1', 0, { settleMs: 50 });
    const completed = seedRunning(ds, 'c-2', 0, { onCancel: 'complete' });
    const c = capture();
    const code = await runCli(
      ['cancel', '--confirm', '--service', 'datastore', '--emulator', emu.get().target, cancelled, completed],
      c.io,
    );
    const records = c.records<CancelRecord>();
    expect(records.map((r) => [r.name, r.outcome, r.code])).toEqual([
      [cancelled, 'cancelled', 'OK'],
      [completed, 'completed', 'OK'],
    ]);
    expect(records[0]).toMatchObject({ finalCode: Code.CANCELLED, confirmMs: expect.any(Number) });
    expect(code).toBe(0);
  });

  test('still-running after --confirm-timeout, or failed: exit 1', async () => {
    const ds = svc('datastore');
    const stuck = seedRunning(ds, 'c-3', 0, { onCancel: 'ignore' });
    const failed = seedRunning(ds, 'c-4', 0, { onCancel: 'fail', failCode: Code.INTERNAL });
    const c = capture();
    const started = Date.now();
    const code = await runCli(
      [
        'cancel',
        '--confirm',
        '--confirm-timeout',
        '300ms',
        '--service',
        'datastore',
        '--emulator',
        emu.get().target,
        stuck,
        failed,
      ],
      c.io,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(c.records<CancelRecord>().map((r) => [r.outcome, r.finalCode])).toEqual([
      ['still-running', undefined],
      ['failed', Code.INTERNAL],
    ]);
    expect(code).toBe(1);
  });
});
