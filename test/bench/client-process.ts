/**
 * One client of the bench, in its own process: `node client-process.js '<ClientSpec json>'`.
 *
 * Warms up (connects, JITs) on `${prefix}w-*` names, prints `READY`, waits for a line on stdin
 * (the parent sets the scenario's faults and resets the emulator's counters meanwhile), then
 * cancels `calls` names at `concurrency` and prints `BENCH_RESULT {json}`: client CPU from
 * process.cpuUsage() over the measured part only, wall time, and RSS (sampled every 50 ms).
 *
 * Clients:
 * - raw: @grpc/grpc-js + @grpc/proto-loader (loadPackageDefinition of protos/), one channel,
 *   callback API, no metadata: the floor for Node.
 * - raw-pool: raw over `channels` channels, a connection each, round robin (the best-configured raw).
 * - raw-md (diagnostic): lro-cancel's channels (same options, same count) driven the raw way,
 *   plus lro-cancel's two metadata entries and a deadline per call.
 * - gax: google-gax's own operations client (`lro(...).operationsClient(...)`) and
 *   `await cancelOperation({name})` in a simple worker-pool limiter, as a user would write it.
 * - gax-pool: `channels` gax clients, a connection each (`grpc.use_local_subchannel_pool`).
 * - gax-rest: google-gax's REST fallback client against the emulator's REST gateway.
 * - lro-cancel: `createCanceller().cancel(name)` in the same limiter (`transport` 'grpc' or 'rest').
 * - cancelMany: lro-cancel's batch engine over a generator of names.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as v8 from 'node:v8';
import {
  BENCH_HOST,
  BENCH_SERVICE,
  DIST,
  FIVE_HOSTS,
  fiveServiceName,
  loadLib,
  opName,
  PROTOS,
  type ClientResult,
  type ClientSpec,
} from './lib';

const spec = JSON.parse(process.argv[2] ?? '{}') as ClientSpec;

/** A client reduced to what the measured loop needs. */
interface Driver {
  /** Cancel names `name(0..count-1)` at `concurrency`; failures counted by key. */
  run(
    name: (i: number) => string,
    count: number,
    concurrency: number,
    failures: Record<string, number>,
  ): Promise<number>;
  close(): void | Promise<void>;
  extra?: () => Record<string, unknown>;
}

const codeNames: Record<number, string> = Object.fromEntries(
  Object.entries(grpc.status).map(([k, v]) => [v, k]),
);
const count = (failures: Record<string, number>, key: string): void => {
  failures[key] = (failures[key] ?? 0) + 1;
};

/** The limiter a user writes: `concurrency` workers pulling the next index. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** What a raw driver calls: a grpc-js client of google.longrunning.Operations. */
type RawClient = grpc.Client & {
  cancelOperation(req: { name: string }, cb: (err: grpc.ServiceError | null) => void): void;
  cancelOperation(
    req: { name: string },
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null) => void,
  ): void;
};

/** raw and raw-pool: proto-loader's definition, plain grpc-js channels. */
function protoLoaderClients(target: string, channels: number, authorities?: readonly string[]): RawClient[] {
  const definition = protoLoader.loadSync('google/longrunning/operations.proto', {
    includeDirs: [PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    google: { longrunning: { Operations: grpc.ServiceClientConstructor } };
  };
  // Each channel on a connection of its own (grpc-js would otherwise share one subchannel
  // between channels with equal options). With authorities: one channel per service, each
  // naming its service's host as :authority (the emulator routes by it).
  return Array.from(
    { length: authorities?.length ?? channels },
    (_, i) =>
      new pkg.google.longrunning.Operations(target, grpc.credentials.createInsecure(), {
        ...(i > 0 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
        ...(authorities ? { 'grpc.default_authority': authorities[i] } : {}),
      }) as unknown as RawClient,
  );
}

/**
 * raw-md: channels made exactly as lro-cancel's pool makes them (google-gax's createStub over
 * the same descriptor, with the same options: retries off, its user agent, the service host
 * as :authority, a connection each), so that raw-md − lro-cancel is lro-cancel's layer alone.
 */
async function lroChannelClients(target: string, channels: number): Promise<RawClient[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GrpcClient } = require('google-gax') as typeof import('google-gax');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadOperationsService } = require(path.join(DIST, 'proto', 'load-operations-package.js')) as {
    loadOperationsService(): grpc.ServiceClientConstructor;
  };
  const colon = target.lastIndexOf(':');
  const universeDomain = 'googleapis.com';
  const gax = new GrpcClient({ universeDomain });
  const sslCreds = gax.grpc.credentials.createInsecure();
  const out: RawClient[] = [];
  for (let i = 0; i < channels; i++) {
    out.push(
      (await gax.createStub(
        loadOperationsService() as never,
        {
          servicePath: target.slice(0, colon),
          port: Number(target.slice(colon + 1)),
          sslCreds,
          universeDomain,
          'grpc.enable_retries': 0,
          'grpc.primary_user_agent': 'lro-cancel',
          'grpc.default_authority': BENCH_HOST,
          ...(i > 0 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
        } as never,
        true,
      )) as unknown as RawClient,
    );
  }
  return out;
}

/**
 * Callback API, no promises, calls spread round robin over `clients`. raw sends no metadata
 * (the floor); raw-md sends what lro-cancel sends on every call (two metadata entries and a
 * deadline) with grpc-js's per-call stack capture off, as lro-cancel has it.
 */
function rawDriver(clients: RawClient[], withMetadata: boolean, pace?: number): Driver {
  const apiClient = `gl-node/${process.versions.node} grpc/1 lro-cancel/0.1.0`;
  let turn = 0;
  return {
    run: (name, total, concurrency, failures) =>
      new Promise((resolve) => {
        let started = 0;
        let finished = 0;
        let ok = 0;
        const done = (err: grpc.ServiceError | null): void => {
          finished++;
          if (err) count(failures, codeNames[err.code] ?? String(err.code));
          else ok++;
          if (pace === undefined && started < total) start();
          else if (finished === total) resolve(ok);
        };
        const start = (): void => {
          const n = name(started++);
          const client = clients[turn++ % clients.length] as RawClient;
          if (!withMetadata) {
            client.cancelOperation({ name: n }, done);
            return;
          }
          const md = new grpc.Metadata();
          md.set('x-goog-request-params', `name=${encodeURIComponent(n)}`);
          md.set('x-goog-api-client', apiClient);
          const stackLimit = Error.stackTraceLimit;
          Error.stackTraceLimit = 0;
          try {
            client.cancelOperation({ name: n }, md, { deadline: Date.now() + 10_000 }, done);
          } finally {
            Error.stackTraceLimit = stackLimit;
          }
        };
        if (total === 0) resolve(0);
        if (pace === undefined) {
          for (let k = 0; k < Math.min(concurrency, total); k++) start();
          return;
        }
        // Paced: every 5 ms, start the calls the rate has earned since t0 (in flight permitting).
        const t0 = performance.now();
        const timer = setInterval(() => {
          const due = Math.min(total, Math.floor(((performance.now() - t0) * pace) / 1000));
          while (started < due && started - finished < concurrency) start();
          if (started === total) clearInterval(timer);
        }, 5);
      }),
    close: () => {
      for (const c of clients) c.close();
    },
  };
}

interface GaxOperations {
  cancelOperation(req: { name: string }, options?: unknown): Promise<unknown>;
  close(): void | Promise<void>;
}

/**
 * gax: google-gax's operations client as a user writes it (one client, one channel); gax-pool:
 * `channels` such clients, each given `grpc.use_local_subchannel_pool` (gax passes `grpc.*`
 * options to its channel) so each has its own connection, used round robin: the best a gax
 * user can configure against a server's stream limit.
 */
function gaxClients(target: string, channels: number): GaxOperations[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gax = require('google-gax') as typeof import('google-gax');
  const colon = target.lastIndexOf(':');
  const universeDomain = 'googleapis.com';
  return Array.from(
    { length: channels },
    (_, i) =>
      gax.lro({ universeDomain }).operationsClient({
        servicePath: target.slice(0, colon),
        port: Number(target.slice(colon + 1)),
        sslCreds: gax.grpc.credentials.createInsecure(),
        universeDomain,
        ...(i > 0 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
      } as never) as unknown as GaxOperations,
  );
}

/**
 * gax-rest: google-gax's own REST fallback (`gax.fallback.lro(...)` with the HTTP rule a
 * generated client passes for CancelOperation), pointed at the emulator's REST gateway over
 * plaintext loopback (`protocol: 'http'`); no credentials (google-auth-library's
 * PassThroughClient adds no header).
 */
function gaxRestClient(restTarget: string): GaxOperations {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gax = require('google-gax') as typeof import('google-gax');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PassThroughClient } = require('google-auth-library') as typeof import('google-auth-library');
  const colon = restTarget.lastIndexOf(':');
  const universeDomain = 'googleapis.com';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const operationsJson = require(
    path.join(require.resolve('google-gax'), '..', '..', 'protos', 'operations.json'),
  );
  const protoJson = new gax.fallback.GrpcClient({ fallback: true } as never).loadProtoJSON(operationsJson);
  return gax.fallback
    .lro({
      authClient: new PassThroughClient(),
      protoJson,
      httpRules: [
        {
          selector: 'google.longrunning.Operations.CancelOperation',
          post: '/v1/{name=projects/*/locations/*/operations/*}:cancel',
          body: '*',
        },
      ],
      universeDomain,
    } as never)
    .operationsClient({
      servicePath: restTarget.slice(0, colon),
      port: Number(restTarget.slice(colon + 1)),
      protocol: 'http',
      fallback: true,
      universeDomain,
    } as never) as unknown as GaxOperations;
}

/** `await cancelOperation({name})` in the limiter a user writes, round robin over `clients`. */
function gaxDriver(clients: GaxOperations[], gaxRetryQuota = false): Driver {
  let turn = 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gax = require('google-gax') as typeof import('google-gax');
  // A gax user who wants quota rejections retried: retry codes and backoff in the call options
  // (gax's default backoff: 100 ms, x1.3, up to 60 s; 10 s per attempt as in longrunning's service
  // config, 600 s in all: null attempt timeouts make gax's retries time out at once). gax does not
  // read RetryInfo.
  const options = gaxRetryQuota
    ? {
        retry: gax.createRetryOptions(
          [gax.Status.RESOURCE_EXHAUSTED, gax.Status.UNAVAILABLE],
          gax.createBackoffSettings(100, 1.3, 60_000, 10_000, 1, 10_000, 600_000),
        ),
      }
    : undefined;
  return {
    async run(name, total, concurrency, failures) {
      let ok = 0;
      await pool(total, concurrency, async (i) => {
        try {
          await (clients[turn++ % clients.length] as GaxOperations).cancelOperation(
            { name: name(i) },
            options,
          );
          ok++;
        } catch (e) {
          const code = (e as { code?: number }).code;
          count(failures, code === undefined ? 'error' : (codeNames[code] ?? String(code)));
        }
      });
      return ok;
    },
    close: async () => {
      for (const c of clients) await c.close();
    },
  };
}

function lroDriver(target: string, batch: boolean): Driver {
  const lib = loadLib();
  const canceller = lib.createCanceller({
    ...(spec.transport === 'rest'
      ? { emulator: spec.restTarget as string, transport: 'rest' as const }
      : { emulator: target }),
    service: BENCH_SERVICE,
    ...(spec.channels ? { channelsPerService: spec.channels } : {}),
  });
  let lastStats: Record<string, unknown> | undefined;
  const loop: Driver['run'] = async (name, total, concurrency, failures) => {
    let ok = 0;
    await pool(total, concurrency, async (i) => {
      try {
        await canceller.cancel(name(i));
        ok++;
      } catch (e) {
        const err = e as { outcome?: string; code?: number };
        count(
          failures,
          `${err.outcome ?? 'error'}/${err.code === undefined ? '?' : (codeNames[err.code] ?? err.code)}`,
        );
      }
    });
    return ok;
  };
  const many: Driver['run'] = async (name, total, concurrency, failures) => {
    function* names(): Generator<string> {
      for (let i = 0; i < total; i++) yield name(i);
    }
    const run = lib.cancelMany(names(), {
      canceller,
      service: BENCH_SERVICE,
      ...(spec.defaultConcurrency ? {} : { concurrency }),
      ...(spec.rate ? { rate: spec.rate } : {}),
      ...(spec.quotaControl ? { quotaControl: spec.quotaControl } : {}),
    });
    let ok = 0;
    for await (const rec of run) {
      if (rec.outcome === 'cancel-requested') ok++;
      else count(failures, `${rec.outcome}/${rec.code}`);
    }
    lastStats = {
      byService: run.stats.byService,
      quotaRejections: run.stats.quotaRejections,
      retries: run.stats.retries,
      latency: run.stats.latency,
    };
    return ok;
  };
  return {
    // Warm-up always goes through cancel(): it opens the same channels cancelMany then uses.
    run: batch ? many : loop,
    close: () => canceller.close(),
    extra: () => lastStats ?? {},
    ...(batch ? { warm: loop } : {}),
  } as Driver & { warm?: Driver['run'] };
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.once('line', () => {
      rl.close();
      process.stdin.destroy();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const channels = spec.channels ?? 1;
  const driver: Driver =
    spec.client === 'raw' || spec.client === 'raw-pool'
      ? rawDriver(
          protoLoaderClients(spec.target, channels, spec.fiveServices ? FIVE_HOSTS : undefined),
          false,
          spec.ratePerSecond,
        )
      : spec.client === 'raw-md'
        ? rawDriver(await lroChannelClients(spec.target, channels), true)
        : spec.client === 'gax' || spec.client === 'gax-pool'
          ? gaxDriver(gaxClients(spec.target, channels), spec.gaxRetryQuota === true)
          : spec.client === 'gax-rest'
            ? gaxDriver([gaxRestClient(spec.restTarget as string)])
            : lroDriver(spec.target, spec.client === 'cancelMany');
  const warm = (driver as Driver & { warm?: Driver['run'] }).warm ?? driver.run;
  const warmFailures: Record<string, number> = {};
  // The raw client over five services' channels warms on names spread the same way.
  const rawFive = spec.fiveServices === true && (spec.client === 'raw' || spec.client === 'raw-pool');
  const warmName = rawFive
    ? (i: number) => fiveServiceName(`${spec.prefix}w`, i).relative
    : (i: number) => opName(`${spec.prefix}w`, i);
  const warmOk = await warm(warmName, spec.warmup, spec.concurrency, warmFailures);
  if (warmOk !== spec.warmup)
    throw new Error(`warm-up: ${warmOk}/${spec.warmup} accepted; failures ${JSON.stringify(warmFailures)}`);
  process.stdout.write('READY\n');
  await waitForGo();

  let rssPeak = process.memoryUsage.rss();
  // Where the peak went (V8's heap, its young generation, native buffers): read at the peak.
  let atPeak = process.memoryUsage();
  let spacesAtPeak = v8.getHeapSpaceStatistics();
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > rssPeak) {
      rssPeak = rss;
      atPeak = process.memoryUsage();
      spacesAtPeak = v8.getHeapSpaceStatistics();
    }
  }, 50);
  const failures: Record<string, number> = {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // The raw client sends name i on channel i % 5, the channel of its service: the relative name.
  const name = spec.fiveServices
    ? rawFive
      ? (i: number) => fiveServiceName(spec.prefix, i).relative
      : (i: number) => fiveServiceName(spec.prefix, i).full
    : (i: number) => opName(spec.prefix, i);
  const ok = await driver.run(name, spec.calls, spec.concurrency, failures);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const rssEnd = process.memoryUsage.rss();
  rssPeak = Math.max(rssPeak, rssEnd);
  const result: ClientResult = {
    client: spec.client,
    calls: spec.calls,
    ok,
    failures,
    wallMs,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    cpuUsPerCall: (cpu.user + cpu.system) / spec.calls,
    callsPerSec: (spec.calls / wallMs) * 1000,
    goodput: (ok / wallMs) * 1000,
    rssPeakMb: rssPeak / 2 ** 20,
    rssEndMb: rssEnd / 2 ** 20,
    atPeakMb: {
      heapUsed: atPeak.heapUsed / 2 ** 20,
      heapTotal: atPeak.heapTotal / 2 ** 20,
      external: atPeak.external / 2 ** 20,
      arrayBuffers: atPeak.arrayBuffers / 2 ** 20,
      // Each V8 space's size (what it holds from the OS, used or not), e.g. new_space, old_space.
      spaces: Object.fromEntries(spacesAtPeak.map((sp) => [sp.space_name, sp.space_size / 2 ** 20])),
    },
    ...(driver.extra ? { extra: driver.extra() } : {}),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  await driver.close();
  // Do not wait for lingering handles (gax closes its channel asynchronously).
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`client ${spec.client}: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
