/**
 * Shared by every bench process: where the repository is, how the built library is loaded,
 * the operation names, and the messages between the processes.
 *
 * The bench runs against the *built* package (dist/), as a user would: `npm run bench` builds
 * it first. Types come from src/ (erased at compile time) so `npm run typecheck` works on a
 * fresh clone before any build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as LroCancel from '../../src/index';
import type * as LroEmulator from '../../src/emulator/index';

export const ROOT = findRoot(__dirname);
/**
 * The package under test: the copy of dist/, protos/ and package.json that run-bench takes when
 * it starts (LRO_BENCH_PACKAGE, set for its children), because others may rebuild dist/ in the
 * same checkout during a long run; the checkout itself otherwise.
 */
export const PACKAGE = process.env.LRO_BENCH_PACKAGE || ROOT;
export const DIST = path.join(PACKAGE, 'dist');
export const PROTOS = path.join(PACKAGE, 'protos');
export const CLI = path.join(DIST, 'cli', 'main.js');

/** Copy dist/, protos/ and package.json of the checkout to `to` (node_modules still resolve from the checkout). */
export function snapshotPackage(to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(to, 'dist'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'protos'), path.join(to, 'protos'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(to, 'package.json'));
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (
      fs.existsSync(pkg) &&
      (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lro-cancel'
    )
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`bench: cannot find the lro-cancel package above ${start}`);
  }
}

/** The built library (`lro-cancel`). */
export function loadLib(): typeof LroCancel {
  return require(path.join(DIST, 'index.js')) as typeof LroCancel;
}

/** The built emulator (`lro-cancel/emulator`). */
export function loadEmulator(): typeof LroEmulator {
  return require(path.join(DIST, 'emulator', 'index.js')) as typeof LroEmulator;
}

/** Every bench name belongs to this service (lro-cancel sends its host as :authority). */
export const BENCH_SERVICE = 'dataplex';
export const BENCH_HOST = 'dataplex.googleapis.com';

/** Relative operation name number `i` of a run (valid for dataplex's CancelOperation). */
export function opName(prefix: string, i: number): string {
  return `projects/bench/locations/us-central1/operations/${prefix}-${i}`;
}

/** The same as a full resource name (`//dataplex.googleapis.com/...`). */
export function fullOpName(prefix: string, i: number): string {
  return `//${BENCH_HOST}/${opName(prefix, i)}`;
}

/** The five services of the quota-with-latency scenario, each with a name shape it accepts. */
const FIVE: readonly [host: string, shape: (prefix: string, i: number) => string][] = [
  ['datalineage.googleapis.com', (p, i) => `projects/bench/locations/l/operations/${p}-${i}`],
  ['dataplex.googleapis.com', (p, i) => `projects/bench/locations/l/operations/${p}-${i}`],
  ['privateca.googleapis.com', (p, i) => `projects/bench/locations/l/operations/${p}-${i}`],
  ['datastore.googleapis.com', (p, i) => `projects/bench/operations/${p}-${i}`],
  [
    'discoveryengine.googleapis.com',
    (p, i) => `projects/bench/locations/l/dataStores/d/branches/0/operations/${p}-${i}`,
  ],
];

/** The five services' hosts, in fiveServiceName's round-robin order. */
export const FIVE_HOSTS: readonly string[] = FIVE.map(([host]) => host);

/** Name `i` spread over the five services (round robin): the relative name to seed, and the full one to send. */
export function fiveServiceName(prefix: string, i: number): { relative: string; full: string } {
  const [host, shape] = FIVE[i % FIVE.length] as (typeof FIVE)[number];
  const relative = shape(prefix, i);
  return { relative, full: `//${host}/${relative}` };
}

/**
 * `raw-md` is a diagnostic: the raw client plus what lro-cancel puts on every call at the gRPC
 * level (x-goog-request-params and x-goog-api-client metadata, a per-call deadline), so the gap
 * between raw and lro-cancel splits into grpc-js work and lro-cancel's own JavaScript.
 */
export type ClientKind =
  | 'raw'
  | 'raw-md'
  | 'raw-pool'
  | 'gax'
  | 'gax-pool'
  | 'gax-rest'
  | 'lro-cancel'
  | 'cancelMany';

/**
 * Channels (connections) lro-cancel's pool ends up with at `concurrency` calls in flight: it
 * opens another while every channel carries `streamsPerChannel` (100) calls, up to 8. The
 * pooled peers and the diagnostic row get this many, fixed, so that connections are not
 * what differs.
 */
export function lroChannelsAt(concurrency: number): number {
  return Math.min(8, Math.max(1, Math.ceil(concurrency / 100)));
}

/** What one client process is asked to do (argv[2], JSON). */
export interface ClientSpec {
  client: ClientKind;
  /** Emulator `host:port`. */
  target: string;
  /** Name prefix of this run: warm-up names are `${prefix}w`, measured ones `${prefix}`. */
  prefix: string;
  warmup: number;
  calls: number;
  concurrency: number;
  /**
   * lro-cancel's channelsPerService; for raw-pool, gax-pool and raw-md the fixed number of
   * channels, each on its own connection (`grpc.use_local_subchannel_pool`).
   */
  channels?: number;
  /** lro-cancel's transport ('grpc' by default); 'rest' talks to `restTarget`. */
  transport?: 'grpc' | 'rest';
  /** Emulator REST gateway `host:port` (lro-cancel over REST, gax-rest). */
  restTarget?: string;
  /** cancelMany's rate (calls/s per service); none by default. */
  rate?: number;
  /** Names spread over five services (fiveServiceName), not all dataplex. */
  fiveServices?: boolean;
  /**
   * cancelMany: pass no `concurrency` (its default: 64 per service to start, raised by the quota
   * controller up to 256), as the CLI runs; `concurrency` then only sizes the warm-up.
   */
  defaultConcurrency?: boolean;
  /** cancelMany's quota controller ('aimd': the one before issue 15). */
  quotaControl?: 'rate' | 'aimd';
  /** gax: retry RESOURCE_EXHAUSTED and UNAVAILABLE with gax's default backoff (as its docs show). */
  gaxRetryQuota?: boolean;
  /** raw, raw-pool: start calls at this many per second (no more than `concurrency` in flight). */
  ratePerSecond?: number;
}

/** What one client process reports (a `BENCH_RESULT {json}` line on stdout). */
export interface ClientResult {
  client: ClientKind;
  calls: number;
  /** Names that ended accepted (cancel-requested). */
  ok: number;
  /** Failures by gRPC code name (raw/gax) or outcome/code (lro-cancel). */
  failures: Record<string, number>;
  wallMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  /** Client CPU (user + system) per measured call, µs. */
  cpuUsPerCall: number;
  callsPerSec: number;
  /** Names accepted per second. */
  goodput: number;
  rssPeakMb: number;
  rssEndMb: number;
  /** process.memoryUsage() when the RSS peaked (MB). */
  atPeakMb?: {
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
    /** V8's heap by space (new_space, old_space, code_space, ...), each space's size. */
    spaces?: Record<string, number>;
  };
  /** cancelMany's own stats (quota rejections, retries), when it ran. */
  extra?: Record<string, unknown>;
}

/** Requests to the emulator host process (IPC). */
export type EmulatorRequest =
  | { cmd: 'start'; options: { maxConcurrentStreams?: number; rest?: boolean } }
  | { cmd: 'gc' }
  | { cmd: 'stop'; handle: number }
  | { cmd: 'faults'; handle: number; faults: Record<string, unknown> | null; keep?: boolean }
  | {
      cmd: 'seed';
      handle: number;
      prefix: string;
      count: number;
      onCancel?: 'cancel' | 'ignore';
      clear?: boolean;
      fiveServices?: boolean;
    }
  | { cmd: 'reset'; handle: number }
  | { cmd: 'counters'; handle: number }
  | { cmd: 'verify'; handle: number; prefix: string; count: number; fiveServices?: boolean };

/** Server-side numbers since the last `reset`. */
export interface ServerCounters {
  /** CancelOperation calls answered or in flight. */
  cancelCalls: number;
  /** Answers by status code (0 = OK). */
  byCode: Record<string, number>;
  /** Distinct client connections (peer addresses). */
  connections: number;
  /** Emulator process CPU since the reset, µs. */
  cpuUs: number;
}

/** Server-side check of a run: how many of its operations a cancel reached. */
export interface VerifyResult {
  total: number;
  /** Operations the emulator cancelled (an accepted CancelOperation). */
  cancelled: number;
}
