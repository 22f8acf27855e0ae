/**
 * `npm run demo`: the whole path end to end, on loopback only, with no credentials.
 *
 * Part 1: starts the embedded Operations emulator on 127.0.0.1:0, seeds operations on all
 * five services (plus one custom host) with scripted behaviours, runs `lro-cancel cancel`
 * through the same `runCli` that the executable uses, prints its JSON lines and a summary,
 * and checks that every outcome is the one the seed implies.
 * Part 2: the same names, seeded afresh, over REST (`--transport rest`, HTTP/1.1 + JSON, the
 * emulator's REST port): every record must equal part 1's, latency aside.
 * Part 3 (batch-show.ts): `lro-cancel batch --confirm` over 5,000 operations.
 * Part 4 (age-show.ts): `cancel-all --older-than 1h` across the five services, and what it left alone.
 * Exit status 0 when all match.
 */
// Before anything loads google-auth-library: never probe a metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

import { startOperationsEmulator, type OperationSeed, type OperationsEmulator } from '../emulator';
import { Code, type CodeName } from '../errors/status-code';
import type { Outcome } from '../outcome';
import { customService, services, type ServiceDescriptor } from '../registry/service-registry';
import type { CancelRecord } from '../cli/commands/cancel-command';
import type { TransportKind } from '../transport/operations-transport';
import { runCli } from '../cli/run-cli';
import { fullName, sampleOperationName } from '../emulator/sample-names';
import { ageShow } from './age-show';
import { batchShow } from './batch-show';

interface Scenario {
  /** What the scenario shows. */
  label: string;
  service: ServiceDescriptor;
  /** Relative name; sent as a full `//host/...` name so one run mixes services. */
  name: string;
  /** Seeded into the emulator; absent: the operation does not exist. */
  seed?: Omit<OperationSeed, 'name' | 'service'>;
  expect: { outcome: Outcome; code: CodeName; attempts: number };
}

const ok = (attempts = 1): Scenario['expect'] => ({ outcome: 'cancel-requested', code: 'OK', attempts });
const restricted = customService('restricted.googleapis.com');

function scenarios(): Scenario[] {
  const s = services as Record<string, ServiceDescriptor>;
  const name = (svc: ServiceDescriptor, id: string, variant = 0): string =>
    sampleOperationName(svc, id, variant);
  const dl = s.datalineage as ServiceDescriptor;
  const dp = s.dataplex as ServiceDescriptor;
  const ca = s.privateca as ServiceDescriptor;
  const ds = s.datastore as ServiceDescriptor;
  const de = s.discoveryengine as ServiceDescriptor;
  return [
    { label: 'running operation', service: dl, name: name(dl, 'lineage-run-1'), seed: {}, expect: ok() },
    {
      label: 'two UNAVAILABLE, then accepted (retried)',
      service: dl,
      name: name(dl, 'lineage-flaky'),
      seed: { failTimes: 2 },
      expect: ok(3),
    },
    { label: 'project operation', service: dp, name: name(dp, 'scan-1', 0), seed: {}, expect: ok() },
    { label: 'organization operation', service: dp, name: name(dp, 'org-task-1', 1), seed: {}, expect: ok() },
    {
      label: 'already done',
      service: dp,
      name: name(dp, 'scan-finished'),
      seed: { doneAs: 'completed' },
      expect: { outcome: 'completed', code: 'OK', attempts: 1 },
    },
    { label: 'running operation', service: ca, name: name(ca, 'create-ca-1'), seed: {}, expect: ok() },
    {
      label: 'cancel not supported',
      service: ca,
      name: name(ca, 'create-cert-1'),
      seed: { onCancel: 'unimplemented' },
      expect: { outcome: 'unsupported', code: 'UNIMPLEMENTED', attempts: 1 },
    },
    { label: 'running export', service: ds, name: name(ds, 'export-1'), seed: {}, expect: ok() },
    {
      label: 'no such operation',
      service: ds,
      name: name(ds, 'import-missing'),
      expect: { outcome: 'not-found', code: 'NOT_FOUND', attempts: 1 },
    },
    {
      label: 'branch operation (collection)',
      service: de,
      name: name(de, 'import-docs-1', 0),
      seed: {},
      expect: ok(),
    },
    {
      label: 'branch operation (data store)',
      service: de,
      name: name(de, 'import-docs-2', 1),
      seed: {},
      expect: ok(),
    },
    {
      label: 'engine operation: Get-only pattern, rejected before any call',
      service: de,
      name: 'projects/demo-project/locations/global/collections/default_collection/engines/demo-engine/operations/train-1',
      seed: {},
      expect: { outcome: 'invalid-name', code: 'INVALID_ARGUMENT', attempts: 0 },
    },
    {
      label: 'custom host (--service-host), caller lacks permission',
      service: restricted,
      name: sampleOperationName(restricted, 'job-1'),
      seed: {},
      expect: { outcome: 'denied', code: 'PERMISSION_DENIED', attempts: 1 },
    },
  ];
}

interface Showcase {
  code: number;
  records: CancelRecord[];
}

/**
 * Cancel every scenario's name in one `lro-cancel cancel` over `kind`, print the lines and a
 * summary, and check them against the seeds (and, over REST, against the gRPC run's records).
 */
async function cancelShowcase(kind: TransportKind, overGrpc?: readonly CancelRecord[]): Promise<Showcase> {
  const started = performance.now();
  const emulator = await startOperationsEmulator({ host: '127.0.0.1', port: 0, rest: kind === 'rest' });
  const target = kind === 'rest' ? emulator.restTarget : emulator.target;
  try {
    const list = scenarios();
    for (const sc of list)
      if (sc.seed) emulator.store.seed({ ...sc.seed, name: sc.name, service: sc.service.id });
    emulator.setFaults(restricted.host, { denied: true });

    // The custom host must be allowed by name: full names alone cannot choose where calls go.
    const transportFlags = kind === 'rest' ? ['--transport', 'rest'] : [];
    const argv = [
      'cancel',
      '--emulator',
      target,
      ...transportFlags,
      '--service-host',
      restricted.host,
      '--max-attempts',
      '4',
      ...list.map((sc) => fullName(sc.service, sc.name)),
    ];
    const out: string[] = [];
    const print = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    if (kind === 'grpc') {
      print(`lro-cancel demo: Operations emulator on ${target} (loopback, plaintext, no credentials)`);
      const builtIn = new Set(list.filter((sc) => !sc.service.custom).map((sc) => sc.service.id));
      print(
        `seeded ${emulator.store.size} operations on ${builtIn.size} built-in services (${[...builtIn].join(', ')}) and one custom host; cancelling ${list.length} names:`,
      );
    } else {
      print(
        `demo part 2: the same ${list.length} names, seeded afresh, over REST (HTTP/1.1 + JSON, the googleapis http rules) on ${target}:`,
      );
    }
    print(
      `$ lro-cancel cancel --emulator ${target} ${transportFlags.map((f) => `${f} `).join('')}--service-host ${restricted.host} --max-attempts 4 NAME... (${list.length} names)`,
    );
    const exitCode = await runCli(argv, {
      stdout: {
        write: (chunk: string) => {
          out.push(chunk);
          return process.stdout.write(chunk);
        },
      },
      stderr: process.stderr,
      env: withoutCredentials(process.env),
      signal: new AbortController().signal,
    });

    const records = out
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as CancelRecord);
    const problems = check(list, records, emulator);
    if (overGrpc) problems.push(...sameAnswers(overGrpc, records));
    if (kind === 'rest' && (emulator.restGateway?.requests.length ?? 0) === 0)
      problems.push('the REST run sent no HTTP request');
    if (exitCode !== 1) problems.push(`exit status ${exitCode}, expected 1 (some names cannot be cancelled)`);

    print('');
    print(`summary (exit status ${exitCode}; 1 because some names were not cancel-requested):`);
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    for (const [outcome, n] of counts) print(`  ${outcome.padEnd(17)}${n}`);
    print(`  CancelOperation calls the emulator answered: ${emulator.counts.get('CancelOperation') ?? 0}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const what = kind === 'grpc' ? 'demo' : 'demo part 2';
    if (problems.length === 0) {
      print(
        kind === 'grpc'
          ? `${what} OK: all ${list.length} outcomes match what was seeded (${seconds} s)`
          : `${what} OK: all ${list.length} records over REST equal part 1's over gRPC, latency aside (${seconds} s)`,
      );
      return { code: 0, records };
    }
    for (const p of problems) print(`MISMATCH: ${p}`);
    print(`${what} FAILED: ${problems.length} mismatch(es)`);
    return { code: 1, records };
  } finally {
    await emulator.stop();
  }
}

/** Compare every record with its scenario, and the emulator's state with what a cancel implies. */
function check(
  list: readonly Scenario[],
  records: readonly CancelRecord[],
  emulator: OperationsEmulator,
): string[] {
  const problems: string[] = [];
  if (records.length !== list.length)
    problems.push(`${records.length} result lines for ${list.length} names`);
  list.forEach((sc, i) => {
    const r = records[i];
    if (!r) return;
    const where = `${sc.service.id} ${sc.name} (${sc.label})`;
    // A name rejected before any call is reported as given; the others as the relative name sent.
    const expectedName = sc.expect.outcome === 'invalid-name' ? fullName(sc.service, sc.name) : sc.name;
    if (r.name !== expectedName) problems.push(`line ${i + 1} is for ${r.name}, expected ${expectedName}`);
    if (r.outcome !== sc.expect.outcome || r.code !== sc.expect.code) {
      problems.push(`${where}: got ${r.outcome}/${r.code}, expected ${sc.expect.outcome}/${sc.expect.code}`);
    }
    if (r.attempts !== sc.expect.attempts)
      problems.push(`${where}: ${r.attempts} attempt(s), expected ${sc.expect.attempts}`);
    const op = emulator.store.get(sc.name);
    if (sc.expect.outcome === 'cancel-requested' && op?.error?.code !== Code.CANCELLED) {
      problems.push(`${where}: the emulator's operation did not end CANCELLED`);
    }
    if (sc.expect.outcome === 'invalid-name' && op && (op.cancelRequests !== 0 || op.done)) {
      problems.push(`${where}: a rejected name still reached the server`);
    }
  });
  return problems;
}

/** Over REST, each record must be the gRPC run's record for the same name, latency aside. */
function sameAnswers(overGrpc: readonly CancelRecord[], overRest: readonly CancelRecord[]): string[] {
  const untimed = (r: CancelRecord | undefined): string => {
    if (!r) return 'no record';
    const { latencyMs: _l, confirmMs: _c, ...rest } = r as CancelRecord & { confirmMs?: number };
    return JSON.stringify(rest);
  };
  const problems: string[] = [];
  overGrpc.forEach((g, i) => {
    const a = untimed(g);
    const b = untimed(overRest[i]);
    if (a !== b) problems.push(`line ${i + 1}: over gRPC ${a}, over REST ${b}`);
  });
  return problems;
}

/** The demo's CLI run sees no credential settings at all (it would not use them anyway). */
function withoutCredentials(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const copy: Record<string, string | undefined> = { ...env, METADATA_SERVER_DETECTION: 'none' };
  delete copy.GOOGLE_APPLICATION_CREDENTIALS;
  delete copy.LRO_CANCEL_EMULATOR_HOST;
  return copy;
}

async function main(): Promise<number> {
  const first = await cancelShowcase('grpc');
  process.stdout.write('\n');
  const overRest = await cancelShowcase('rest', first.records);
  process.stdout.write('\n');
  const third = await batchShow();
  process.stdout.write('\n');
  const fourth = await ageShow();
  return first.code === 0 && overRest.code === 0 && third === 0 && fourth === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `demo crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
