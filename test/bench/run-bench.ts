/**
 * `npm run bench`: lro-cancel side by side with raw @grpc/grpc-js and google-gax (issue 5).
 *
 * One emulator process (emulator-host, forked) serves every scenario; each client runs in its
 * own process (client-process), so its CPU is measured alone; repetitions are interleaved
 * (rep 1 of every client, then rep 2, ...) and the order of the clients within a rep is shuffled
 * from a seed printed in the report (BENCH_SEED to repeat it); the emulator runs a full GC
 * between runs, so one client's garbage is not collected during the next one's run.
 * Prints markdown tables of medians (min–max), the ratios and every target as MET/MISSED,
 * and writes the raw numbers to bench-results/latest.json (and the tables to latest.md).
 *
 * Flags / environment:
 *   --quick | BENCH_QUICK=1     tiny sizes, one repetition: a smoke test (seconds, not minutes)
 *   --only=1,3 | BENCH_ONLY     run some scenarios only
 *   BENCH_REPS                  repetitions (default 3; 5 in scenarios 1 and 2, whose targets are
 *                               within 10 % of 1)
 *   BENCH_SEED                  seed of the client order (default: random, printed)
 *   BENCH_CALLS                 calls per run in scenario 1 at C=64 and 512 (default 100000, a
 *                               quarter of it at C=1; scenario 1 then takes ~20 minutes on two
 *                               cores, and shorter runs read 10–40 % higher and far noisier)
 *   BENCH_BATCH_NAMES           names in scenario 4 (default 1000000)
 *   BENCH_S6_NAMES, BENCH_S6_QUOTA, BENCH_S6_LATENCY, BENCH_S6_CONTROLLERS  scenario 6 (quota far
 *                               away, issue 15): see quota-latency-scenario.ts
 *   BENCH_S7_*                  scenario 7 (scenario 3's quota in other shapes, issue 19): see quota-shapes-scenario.ts
 *   BENCH_S1_C, BENCH_S1_CLIENTS  scenario 1 at some concurrencies / with some clients only, for
 *                               A/B work on the hot path (e.g. BENCH_S1_C=512 BENCH_S1_CLIENTS=raw-md,lro-cancel)
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import {
  fullOpName,
  lroChannelsAt,
  opName,
  ROOT,
  snapshotPackage,
  type ClientKind,
  type ClientResult,
  type ClientSpec,
  type ServerCounters,
  type VerifyResult,
} from './lib';
import { CHILD_ENV, EmulatorHost, type Emulator } from './emulator-control';
import { scenarioQuotaLatency } from './quota-latency-scenario';
import { scenarioQuotaShapes } from './quota-shapes-scenario';

// ---------------------------------------------------------------- settings

const argv = process.argv.slice(2);
const QUICK = process.env.BENCH_QUICK === '1' || argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice(7) ?? process.env.BENCH_ONLY;
const ONLY = onlyArg ? new Set(onlyArg.split(',').map((s) => Number(s.trim()))) : undefined;
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 1 : 3));
/** Repetitions where a target is within 10 % of 1 (scenarios 1 and 2): at least 5. */
const REPS_NEAR_ONE = Number(process.env.BENCH_REPS ?? (QUICK ? 1 : 5));
const SEED = Number(process.env.BENCH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const S1_CALLS = Number(process.env.BENCH_CALLS ?? (QUICK ? 1000 : 100_000));
/** Calls per run at concurrency `c`: C=1 is latency-bound and slow, so it gets a quarter. */
const s1Calls = (c: number): number => (c === 1 ? Math.max(100, Math.round(S1_CALLS / 4)) : S1_CALLS);
const WARMUP = QUICK ? 200 : 2000;
const S1_CONCURRENCY = process.env.BENCH_S1_C ? process.env.BENCH_S1_C.split(',').map(Number) : [1, 64, 512];
const S2 = { names: QUICK ? 1000 : 20_000, concurrency: 512, latencyMs: 100, maxStreams: 100 };
const S3 = { names: QUICK ? 1000 : 20_000, quota: QUICK ? 500 : 2000, retryDelayMs: 1000, concurrency: 64 };
const S4 = {
  names: Number(process.env.BENCH_BATCH_NAMES ?? (QUICK ? 10_000 : 1_000_000)),
  sampleMs: 250,
  maxRssMb: 200,
  /** Calls in flight of the raw floor: the batch's starting concurrency per service. */
  rawConcurrency: 64,
};
const S5 = { reps: QUICK ? 2 : 7 };
const HERE = __dirname;
const OUT_DIR = path.join(ROOT, 'bench-results');
/** Where the package under test is copied at the start (see lib.ts PACKAGE). */
const SNAPSHOT = path.join(OUT_DIR, 'package-under-test');
const CLI = path.join(SNAPSHOT, 'dist', 'cli', 'main.js');

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ---------------------------------------------------------------- statistics and formatting

interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function spread(values: number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

function num(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function fmt(s: Spread, digits?: number): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || s.min === s.max) return num(s.median, digits);
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------- report

interface Target {
  scenario: string;
  target: string;
  measured: string;
  met: boolean;
  /** The reps fall on both sides of the target: the verdict is not decided by this run. */
  undecided?: boolean;
  note?: string;
}

const report = {
  sections: [] as string[],
  targets: [] as Target[],
  json: {} as Record<string, unknown>,
};

function section(title: string, body: string): void {
  const text = `### ${title}\n\n${body}\n`;
  report.sections.push(text);
  process.stdout.write(`\n${text}`);
}

function target(t: Target): void {
  report.targets.push(t);
  log(
    `  target ${t.met ? 'MET   ' : 'MISSED'}${t.undecided ? ' (within the spread)' : ''} ${t.scenario}: ${t.target} — ${t.measured}`,
  );
}

// ---------------------------------------------------------------- one client run

interface Run {
  scenario: number;
  rep: number;
  key: string;
  label: string;
  spec: ClientSpec;
  result?: ClientResult;
  server?: ServerCounters;
  verify?: VerifyResult;
  error?: string;
}

let runCounter = 0;
const runs: Run[] = [];

/**
 * Seed, start the client, let it warm up, then set the scenario's faults (which also refills the
 * quota bucket) and reset the emulator's counters, and let it go.
 */
async function runClient(
  emulator: Emulator,
  scenario: number,
  rep: number,
  key: string,
  label: string,
  spec: Omit<ClientSpec, 'target' | 'prefix'>,
  faults: Record<string, unknown> | null,
): Promise<Run> {
  const prefix = `r${++runCounter}`;
  const full: ClientSpec = {
    ...spec,
    target: emulator.target,
    ...(emulator.restTarget ? { restTarget: emulator.restTarget } : {}),
    prefix,
  };
  const run: Run = { scenario, rep, key, label, spec: full };
  runs.push(run);
  await emulator.faults(null);
  await emulator.seed(prefix, spec.calls, { clear: true });
  await emulator.seed(`${prefix}w`, spec.warmup);
  await emulator.gc();
  try {
    const child = spawn(process.execPath, [path.join(HERE, 'client-process.js'), JSON.stringify(full)], {
      env: CHILD_ENV,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    for await (const line of lines) {
      if (line === 'READY') {
        await emulator.faults(faults);
        await emulator.reset();
        child.stdin?.write('go\n');
      } else if (line.startsWith('BENCH_RESULT ')) {
        run.result = JSON.parse(line.slice(13)) as ClientResult;
        run.server = await emulator.counters();
      }
    }
    const code = await exited;
    clearTimeout(killer);
    if (!run.result) throw new Error(`client exited with ${code} and no result`);
    run.verify = await emulator.verify(prefix, spec.calls);
  } catch (e) {
    run.error = String((e as Error).message ?? e);
    log(`  ! ${label}: ${run.error}`);
  }
  const r = run.result;
  if (r) {
    log(
      `  [s${scenario} rep ${rep}] ${label.padEnd(28)} ${num(r.cpuUsPerCall).padStart(6)} µs/call  ${num(r.callsPerSec).padStart(7)} calls/s  ` +
        `ok ${r.ok}/${r.calls}  rss ${num(r.rssPeakMb)} MB  server calls ${run.server?.cancelCalls ?? '?'} conns ${run.server?.connections ?? '?'}`,
    );
  }
  return run;
}

/** A seeded PRNG (mulberry32): the client order of every rep follows from SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The clients of one rep in a shuffled order, from SEED, the scenario and the rep: unlike a
 * rotation, no client always follows the same one.
 */
function shuffled<T>(list: readonly T[], scenario: number, rep: number): T[] {
  const next = prng(SEED ^ Math.imul(scenario, 0x9e3779b1) ^ Math.imul(rep, 0x85ebca6b));
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function pick(scenario: number, key: string): Run[] {
  return runs.filter((r) => r.scenario === scenario && r.key === key && r.result);
}

function metric(scenario: number, key: string, f: (r: Run) => number): Spread {
  return spread(pick(scenario, key).map(f));
}

/**
 * Ratio a/b of a metric, paired by repetition (runs of one rep ran back to back, under the same
 * load), as a spread over the reps: steadier than a ratio of medians on a shared machine.
 */
function paired(scenario: number, keyA: string, keyB: string, f: (r: Run) => number): Spread {
  const out: number[] = [];
  for (const a of pick(scenario, keyA)) {
    const b = pick(scenario, keyB).find((x) => x.rep === a.rep);
    if (b) out.push(f(a) / f(b));
  }
  return spread(out);
}

function fmtRatio(s: Spread): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || s.min === s.max) return `${s.median.toFixed(2)}×`;
  return `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/**
 * A ratio target (≤ or ≥ `targetRatio`) that the reps fall on both sides of: one run cannot tell
 * met from missed, so say so beside the verdict, with the spread against the target's margin.
 * Reps all on one side decide it, however wide their spread.
 */
function spreadNote(r: Spread, targetRatio: number): string {
  const width = r.max - r.min;
  const margin = Math.abs(targetRatio - 1);
  return straddlesTarget(r, targetRatio)
    ? ` — the reps fall on both sides of ${targetRatio} (spread ${width.toFixed(2)}, the target's margin ${margin.toFixed(2)}): not decided by this run`
    : '';
}

function straddlesTarget(r: Spread, targetRatio: number): boolean {
  return r.n > 1 && r.min < targetRatio && r.max >= targetRatio;
}

/** A ratio target at 1 (≥ or < a peer): undecided when the reps fall on both sides of it. */
const straddles = (r: Spread): boolean => r.n > 1 && r.min < 1 && r.max >= 1;

const cpu = (r: Run): number => (r.result as ClientResult).cpuUsPerCall;
const rate = (r: Run): number => (r.result as ClientResult).callsPerSec;
const goodput = (r: Run): number => (r.result as ClientResult).goodput;
const rss = (r: Run): number => (r.result as ClientResult).rssPeakMb;
const serverCpu = (r: Run): number => (r.server?.cancelCalls ? r.server.cpuUs / r.server.cancelCalls : NaN);
const rejectedPct = (r: Run): number =>
  r.server?.cancelCalls ? (100 * (r.server.byCode['8'] ?? 0)) / r.server.cancelCalls : NaN;
const okPct = (r: Run): number => (100 * (r.result as ClientResult).ok) / (r.result as ClientResult).calls;
const verifiedPct = (r: Run): number => (r.verify ? (100 * r.verify.cancelled) / r.spec.calls : NaN);
const failuresOf = (scenario: number, key: string): string => {
  const all: Record<string, number> = {};
  for (const r of pick(scenario, key))
    for (const [k, n] of Object.entries(r.result?.failures ?? {})) all[k] = (all[k] ?? 0) + n;
  return Object.entries(all)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
};

// ---------------------------------------------------------------- scenario 1

const S1_ONLY_CLIENTS = process.env.BENCH_S1_CLIENTS?.split(',');
interface S1Client {
  /** Key in the runs and in BENCH_S1_CLIENTS. */
  id: string;
  kind: ClientKind;
  label: string;
  diagnostic?: boolean;
  transport?: 'rest';
  /** The row its CPU is compared with as "the peer" (gax over the same transport). */
  peer?: string;
}
const S1_CLIENTS: S1Client[] = (
  [
    { id: 'raw', kind: 'raw', label: 'raw grpc-js' },
    {
      id: 'raw-md',
      kind: 'raw-md',
      label: "raw on lro-cancel's channels + its metadata & deadline",
      diagnostic: true,
    },
    { id: 'gax', kind: 'gax', label: 'gax OperationsClient' },
    { id: 'lro-cancel', kind: 'lro-cancel', label: 'lro-cancel cancel()', peer: 'gax' },
    { id: 'cancelMany', kind: 'cancelMany', label: 'lro-cancel cancelMany()', peer: 'gax' },
    { id: 'gax-rest', kind: 'gax-rest', label: 'gax REST fallback OperationsClient' },
    {
      id: 'lro-cancel-rest',
      kind: 'lro-cancel',
      transport: 'rest',
      label: 'lro-cancel cancel() REST',
      peer: 'gax-rest',
    },
    {
      id: 'cancelMany-rest',
      kind: 'cancelMany',
      transport: 'rest',
      label: 'lro-cancel cancelMany() REST',
      peer: 'gax-rest',
    },
  ] satisfies S1Client[]
).filter((c) => !S1_ONLY_CLIENTS || S1_ONLY_CLIENTS.includes(c.id));

async function scenario1(host: EmulatorHost): Promise<void> {
  log(
    `\n== Scenario 1: loopback, no latency, ${S1_CALLS} calls per run (${s1Calls(1)} at C=1), C = ${S1_CONCURRENCY.join(', ')}, ${REPS_NEAR_ONE} reps`,
  );
  const emulator = await host.start({ rest: true });
  for (let rep = 1; rep <= REPS_NEAR_ONE; rep++) {
    for (const c of S1_CONCURRENCY) {
      // The diagnostic client only where the target is (C=64, 512).
      for (const client of shuffled(S1_CLIENTS, 1, rep * 1000 + c).filter((x) => !x.diagnostic || c > 1)) {
        const warmup = c === 1 ? Math.round(WARMUP / 4) : WARMUP;
        await runClient(
          emulator,
          1,
          rep,
          `${client.id}@${c}`,
          `${client.label} C=${c}`,
          {
            client: client.kind,
            warmup,
            calls: s1Calls(c),
            concurrency: c,
            ...(client.transport ? { transport: client.transport } : {}),
            // The diagnostic gets the connections lro-cancel's pool ends up with at this C.
            ...(client.kind === 'raw-md' ? { channels: lroChannelsAt(c) } : {}),
          },
          null,
        );
      }
    }
  }
  await emulator.stop();

  const rows: string[][] = [];
  for (const c of S1_CONCURRENCY) {
    for (const client of S1_CLIENTS) {
      if (client.diagnostic && c === 1) continue;
      const key = `${client.id}@${c}`;
      const m = metric(1, key, cpu);
      const isLroGrpc = client.peer === 'gax';
      rows.push([
        String(c),
        client.diagnostic ? `_${client.label}_` : client.label,
        fmt(m),
        fmt(metric(1, key, rate)),
        fmt(metric(1, key, rss)),
        fmt(spread(pick(1, key).map((x) => x.server?.connections ?? NaN)), 0),
        client.id === 'raw' ? '1.00×' : fmtRatio(paired(1, key, `raw@${c}`, cpu)),
        client.peer ? fmtRatio(paired(1, key, `${client.peer}@${c}`, cpu)) : '',
        isLroGrpc && c > 1 ? fmtRatio(paired(1, key, `raw-md@${c}`, cpu)) : '',
        fmt(metric(1, key, serverCpu)),
      ]);
    }
  }
  section(
    `Scenario 1 — loopback, no latency (${S1_CALLS.toLocaleString('en-US')} calls per run, ${s1Calls(1).toLocaleString('en-US')} at C=1${S1_CALLS < 100_000 ? '; fewer than the 100,000 the issue asks (BENCH_CALLS)' : ''})`,
    `${table(['C', 'client', 'client CPU µs/call', 'calls/s', 'peak RSS MB', 'connections', 'CPU vs raw', 'CPU vs gax (same transport)', 'CPU vs raw+md', 'emulator CPU µs/call'], rows)}\n\n` +
      `Client CPU = process.cpuUsage() (user + system) of the client process over the measured calls, after a warm-up of ${WARMUP.toLocaleString('en-US')} calls; median (min–max) of ${REPS_NEAR_ONE} interleaved run(s), clients in a seeded random order per rep (seed ${SEED}). ` +
      `Ratios are per repetition (runs of a rep ran back to back), median (min–max) over the reps: the min–max is the spread to read every ratio against. ` +
      `lro-cancel runs with its defaults: above 100 calls in flight per connection (the stream limit of Google's front ends) its channel pool opens another connection, up to 8; the emulator here has no such limit. ` +
      `The italic row is a diagnostic, not a client anyone would use: lro-cancel's own channels — made by google-gax's createStub from the same descriptor with the same options (retries off, its user agent, the service host as :authority, a connection each) and as many as lro-cancel's pool opens at that C (${S1_CONCURRENCY.filter(
        (c) => c > 1,
      )
        .map((c) => `${lroChannelsAt(c)} at C=${c}`)
        .join(
          ', ',
        )}) — driven with raw grpc-js calls that carry the two metadata entries and the per-call deadline lro-cancel sends, with grpc-js's stack capture off as lro-cancel has it. ` +
      `So (lro-cancel − raw+md) is lro-cancel's own layer and nothing else (name validation, retry wrapper, promises, channel pick; for cancelMany the scheduler), and (raw+md − raw) is what the wire content and channel setup cost in grpc-js and http2. ` +
      `REST rows: lro-cancel with \`transport: 'rest'\` against the emulator's REST gateway (HTTP/1.1 + JSON, same store), beside google-gax's own REST fallback client (\`gax.fallback.lro(...)\`, \`protocol: 'http'\` to loopback), the peer to beat over REST; their "vs gax" column compares with that client.`,
  );
  for (const c of [64, 512]) {
    if (!S1_CONCURRENCY.includes(c)) continue;
    const rawCpu = metric(1, `raw@${c}`, cpu);
    const md = paired(1, `raw-md@${c}`, `raw@${c}`, cpu);
    for (const kind of ['lro-cancel', 'cancelMany'] as const) {
      const m = metric(1, `${kind}@${c}`, cpu).median;
      const r = paired(1, `${kind}@${c}`, `raw@${c}`, cpu);
      const layer = paired(1, `${kind}@${c}`, `raw-md@${c}`, cpu);
      target({
        scenario: '1',
        target: `${kind === 'lro-cancel' ? 'cancel()' : 'cancelMany()'} CPU/call ≤ 1.05× raw at C=${c}`,
        measured: `${num(m)} vs ${fmt(rawCpu)} µs/call: ${fmtRatio(r)} (raw on its channels with its metadata & deadline: ${fmtRatio(md)}; lro-cancel's layer on top of that: ${fmtRatio(layer)})${spreadNote(r, 1.05)}`,
        met: r.median <= 1.05,
        undecided: straddlesTarget(r, 1.05),
      });
    }
    for (const kind of ['lro-cancel', 'cancelMany'] as const) {
      const key = `${kind}-rest@${c}`;
      if (pick(1, key).length === 0) continue;
      const r = paired(1, key, `gax-rest@${c}`, cpu);
      target({
        scenario: '1',
        target: `${kind === 'lro-cancel' ? 'cancel()' : 'cancelMany()'} over REST: CPU/call < gax REST fallback at C=${c}`,
        measured: `${num(metric(1, key, cpu).median)} vs ${num(metric(1, `gax-rest@${c}`, cpu).median)} µs/call: ${fmtRatio(r)}`,
        met: r.median < 1,
        undecided: straddles(r),
      });
    }
  }
}

// ---------------------------------------------------------------- scenario 2

async function scenario2(host: EmulatorHost): Promise<void> {
  const pooled = lroChannelsAt(S2.concurrency);
  log(
    `\n== Scenario 2: ${S2.latencyMs} ms latency, ${S2.maxStreams} streams per connection, ${S2.names} names at C=${S2.concurrency}, ${REPS_NEAR_ONE} reps`,
  );
  const emulator = await host.start({ maxConcurrentStreams: S2.maxStreams, rest: true });
  const clients: { key: string; kind: ClientKind; label: string; channels?: number; transport?: 'rest' }[] = [
    { key: 'raw', kind: 'raw', label: 'raw grpc-js (1 channel, default)' },
    {
      key: 'raw-pool',
      kind: 'raw-pool',
      label: `raw grpc-js, ${pooled} channels (pooled)`,
      channels: pooled,
    },
    { key: 'gax', kind: 'gax', label: 'gax OperationsClient (default)' },
    {
      key: 'gax-pool',
      kind: 'gax-pool',
      label: `gax, ${pooled} clients + use_local_subchannel_pool (pooled)`,
      channels: pooled,
    },
    // Default options: the channel pool grows by itself while every channel is full (100 calls).
    { key: 'lro-cancel', kind: 'lro-cancel', label: 'lro-cancel cancel() (channels grow, default)' },
    { key: 'cancelMany', kind: 'cancelMany', label: 'lro-cancel cancelMany() (channels grow, default)' },
    { key: 'gax-rest', kind: 'gax-rest', label: 'gax REST fallback (default)' },
    {
      key: 'lro-cancel-rest',
      kind: 'lro-cancel',
      transport: 'rest',
      label: 'lro-cancel cancel() REST (default)',
    },
    {
      key: 'cancelMany-rest',
      kind: 'cancelMany',
      transport: 'rest',
      label: 'lro-cancel cancelMany() REST (default)',
    },
  ];
  const faults = { latencyMs: S2.latencyMs };
  for (let rep = 1; rep <= REPS_NEAR_ONE; rep++) {
    for (const client of shuffled(clients, 2, rep)) {
      await runClient(
        emulator,
        2,
        rep,
        client.key,
        client.label,
        {
          client: client.kind,
          warmup: QUICK ? 600 : 1024,
          calls: S2.names,
          concurrency: S2.concurrency,
          ...(client.channels ? { channels: client.channels } : {}),
          ...(client.transport ? { transport: client.transport } : {}),
        },
        faults,
      );
    }
  }
  await emulator.stop();

  // A bound that does not come from the client under test: the connections lro-cancel's pool
  // ends up with (fixed), each carrying the server's stream limit, and Little's law.
  const fixedBound = (Math.min(S2.concurrency, pooled * S2.maxStreams) * 1000) / S2.latencyMs;
  const rows = clients.map((client) => {
    const r = metric(2, client.key, rate);
    const conns = spread(pick(2, client.key).map((x) => x.server?.connections ?? NaN));
    const rest = client.transport === 'rest' || client.kind === 'gax-rest';
    return [
      client.label,
      fmt(r),
      fmt(metric(2, client.key, cpu)),
      fmt(metric(2, client.key, rss)),
      fmt(conns, 0),
      fmtRatio(paired(2, client.key, rest ? 'gax-rest' : 'gax', rate)),
      rest ? '' : fmtRatio(paired(2, client.key, 'gax-pool', rate)),
      rest ? '' : fmtRatio(paired(2, client.key, 'raw-pool', rate)),
      `${(r.median / fixedBound).toFixed(2)}×`,
    ];
  });
  section(
    `Scenario 2 — ${S2.latencyMs} ms latency, ${S2.maxStreams} concurrent streams per connection, ${S2.names.toLocaleString('en-US')} names at C=${S2.concurrency}`,
    `${table(['client', 'calls/s', 'client CPU µs/call', 'peak RSS MB', 'connections', 'vs gax default (REST: gax REST)', 'vs gax pooled', 'vs raw pooled', 'vs fixed bound'], rows)}\n\n` +
      `One HTTP/2 connection carries at most ${S2.maxStreams} calls at a time, so it tops out at ${S2.maxStreams} / ${S2.latencyMs / 1000} s = ${num((S2.maxStreams * 1000) / S2.latencyMs, 0)} calls/s. ` +
      `The pooled rows are the best a user of raw grpc-js or gax can configure: ${pooled} channels (the connections lro-cancel's pool opens at C=${S2.concurrency}), each with \`grpc.use_local_subchannel_pool\` so that each has its own connection, used round robin. ` +
      `Ratios are per rep (runs of a rep ran back to back, in a seeded random order, seed ${SEED}), median (min–max) over ${REPS_NEAR_ONE} reps. ` +
      `Fixed bound = min(C, ${pooled} connections × ${S2.maxStreams} streams) / latency = ${num(fixedBound)} calls/s: it does not depend on the client under test. ` +
      `REST rows (issue 13): HTTP/1.1 carries one request per connection at a time, so REST throughput here is bounded by the connections each client opens (lro-cancel's \`restConnectionsPerService\`, default 256: at most 256 / ${S2.latencyMs / 1000} s = ${num(256_000 / S2.latencyMs)} calls/s; gax's keep-alive agent: no limit, a connection per call in flight); they are compared with gax's REST fallback.`,
  );
  for (const kind of ['lro-cancel', 'cancelMany'] as const) {
    const name = kind === 'lro-cancel' ? 'cancel()' : 'cancelMany()';
    const r = metric(2, kind, rate).median;
    const vsGax = paired(2, kind, 'gax', rate);
    const vsGaxPool = paired(2, kind, 'gax-pool', rate);
    const vsRawPool = paired(2, kind, 'raw-pool', rate);
    target({
      scenario: '2',
      target: `${name} ≥ 3× gax calls/s (gax with its defaults)`,
      measured: `${num(r)} vs ${num(metric(2, 'gax', rate).median)} calls/s: ${fmtRatio(vsGax)}`,
      met: vsGax.median >= 3,
      undecided: vsGax.n > 1 && vsGax.min < 3 && vsGax.max >= 3,
    });
    target({
      scenario: '2',
      target: `${name} ≥ gax pooled (${pooled} clients, a connection each: the best-configured gax)`,
      measured: `${num(r)} vs ${num(metric(2, 'gax-pool', rate).median)} calls/s: ${fmtRatio(vsGaxPool)}`,
      met: vsGaxPool.median >= 1,
      undecided: straddles(vsGaxPool),
    });
    target({
      scenario: '2',
      target: `${name} ≥ 0.9 × raw grpc-js pooled (${pooled} channels) in the same rep`,
      measured: `${fmtRatio(vsRawPool)} (raw pooled ${fmt(metric(2, 'raw-pool', rate))} calls/s; fixed bound min(C, ${pooled} × ${S2.maxStreams}) / ${S2.latencyMs / 1000} s = ${num(fixedBound)}/s: ${name} at ${(r / fixedBound).toFixed(2)}× of it)${spreadNote(vsRawPool, 0.9)}`,
      met: vsRawPool.median >= 0.9,
      undecided: straddlesTarget(vsRawPool, 0.9),
    });
    const restKey = `${kind}-rest`;
    if (pick(2, restKey).length) {
      const vsGaxRest = paired(2, restKey, 'gax-rest', rate);
      target({
        scenario: '2',
        target: `${name} over REST ≥ gax REST fallback calls/s`,
        measured: `${num(metric(2, restKey, rate).median)} vs ${num(metric(2, 'gax-rest', rate).median)} calls/s: ${fmtRatio(vsGaxRest)}`,
        met: vsGaxRest.median >= 1,
        undecided: straddles(vsGaxRest),
      });
    }
  }
}

// ---------------------------------------------------------------- scenario 3

async function scenario3(host: EmulatorHost): Promise<void> {
  log(
    `\n== Scenario 3: quota ${S3.quota} calls/s per service (RetryInfo ${S3.retryDelayMs} ms), ${S3.names} names`,
  );
  // REST rows (issue 13): the same quota over HTTP/1.1 + JSON (429 with RetryInfo in the JSON
  // error body, as Google's front ends send it), beside gax's own REST fallback.
  const emulator = await host.start({ rest: true });
  const clients: { kind: ClientKind; key: string; label: string; rate?: number; transport?: 'rest' }[] = [
    { kind: 'cancelMany', key: 'cancelMany', label: 'lro-cancel cancelMany()' },
    { kind: 'cancelMany', key: 'cancelMany-rest', label: 'lro-cancel cancelMany() REST', transport: 'rest' },
    { kind: 'gax-rest', key: 'gax-rest', label: 'gax REST fallback OperationsClient' },
    {
      kind: 'cancelMany',
      key: 'cancelMany+rate',
      label: `lro-cancel cancelMany({rate: ${S3.quota}})`,
      rate: S3.quota,
    },
    { kind: 'lro-cancel', key: 'lro-cancel', label: 'lro-cancel cancel()' },
    { kind: 'gax', key: 'gax', label: 'gax OperationsClient' },
    { kind: 'raw', key: 'raw', label: 'raw grpc-js' },
  ];
  const faults = { quotaPerSecond: S3.quota, quotaRetryDelayMs: S3.retryDelayMs };
  for (let rep = 1; rep <= REPS; rep++) {
    for (const client of rotate(clients, rep - 1)) {
      await runClient(
        emulator,
        3,
        rep,
        client.key,
        client.label,
        {
          client: client.kind,
          warmup: 200,
          calls: S3.names,
          concurrency: S3.concurrency,
          ...(client.rate ? { rate: client.rate } : {}),
          ...(client.transport ? { transport: client.transport } : {}),
        },
        faults,
      );
    }
  }
  await emulator.stop();

  const rows = clients.map((c) => [
    c.label,
    fmt(metric(3, c.key, okPct), 1),
    fmt(metric(3, c.key, verifiedPct), 1),
    fmt(metric(3, c.key, goodput)),
    fmt(metric(3, c.key, rejectedPct), 1),
    fmt(spread(pick(3, c.key).map((r) => r.server?.cancelCalls ?? NaN)), 0),
    fmt(
      metric(3, c.key, (r) => r.result!.wallMs / 1000),
      1,
    ),
    failuresOf(3, c.key) || '—',
  ]);
  section(
    `Scenario 3 — quota ${S3.quota.toLocaleString('en-US')} calls/s per service (token bucket, RESOURCE_EXHAUSTED + RetryInfo ${S3.retryDelayMs} ms), ${S3.names.toLocaleString('en-US')} names, C=${S3.concurrency}`,
    `${table(['client', 'accepted %', 'verified on server %', 'goodput names/s', 'rejected % of calls', 'calls sent', 'time s', 'failures (all reps)'], rows)}\n\n` +
      `The bucket starts full (one second's worth), so the ideal run takes (names − quota) / quota + ~0 s and its goodput is a little above the quota. ` +
      `The \`{rate: ${S3.quota}}\` row is a user who knows the quota; the target applies to the default (adaptive) cancelMany().`,
  );
  const ok = metric(3, 'cancelMany', okPct);
  const ver = metric(3, 'cancelMany', verifiedPct);
  const gp = metric(3, 'cancelMany', goodput);
  const rej = metric(3, 'cancelMany', rejectedPct);
  target({
    scenario: '3',
    target: 'cancelMany(): 100% of names cancel-requested',
    measured: `${fmt(ok, 2)}% accepted, ${fmt(ver, 2)}% verified on the emulator (worst run ${num(Math.min(ok.min, ver.min), 2)}%)`,
    met: ok.min === 100 && ver.min === 100,
  });
  target({
    scenario: '3',
    target: `cancelMany(): goodput ≥ 0.9 × quota (${num(0.9 * S3.quota)} names/s)`,
    measured: `${fmt(gp)} names/s`,
    met: gp.median >= 0.9 * S3.quota,
  });
  target({
    scenario: '3',
    target: 'cancelMany(): rejected calls ≤ 5% of calls',
    measured: `${fmt(rej, 1)}%`,
    met: rej.median <= 5,
  });
}

// ---------------------------------------------------------------- scenario 4

/** One run of a batch process over the names file: RSS sampled from /proc, outcome from the emulator. */
async function batchRun(
  emulator: Emulator,
  prefix: string,
  args: string[],
): Promise<{
  exitCode: number | null;
  wallMs: number;
  peakRssMb: number;
  growthMb: number;
  flat: boolean;
  at: (q: number) => number;
  samples: [number, number][];
  server: ServerCounters;
  verify: VerifyResult;
  stderrTail: string;
}> {
  // Same names, a fresh store: every operation is pending again.
  await emulator.seed(prefix, S4.names, { clear: true });
  await emulator.gc();
  await emulator.reset();
  const started = performance.now();
  // Records go to /dev/null (the bench process must not compete for the CPUs reading them);
  // the emulator's own count of cancelled operations and the exit status tell the outcome.
  const devNull = fs.openSync('/dev/null', 'w');
  const child = spawn(process.execPath, args, { env: CHILD_ENV, stdio: ['ignore', devNull, 'pipe'] });
  fs.closeSync(devNull);
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4096);
  });
  const samples: [number, number][] = [];
  const sample = (): void => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) samples.push([performance.now() - started, Number(m[1]) / 1024]);
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, S4.sampleMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  const wallMs = performance.now() - started;
  const server = await emulator.counters();
  const verify = await emulator.verify(prefix, S4.names);
  const peakRssMb = Math.max(...samples.map((s) => s[1]));
  const at = (q: number): number => {
    const s = samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    return s ? s[1] : NaN;
  };
  const quarter = (from: number, to: number): number =>
    Math.max(
      ...samples.slice(Math.floor(from * samples.length), Math.ceil(to * samples.length)).map((s) => s[1]),
    );
  const growthMb = quarter(0.75, 1) - quarter(0.25, 0.5);
  const flat = growthMb <= Math.max(16, 0.1 * peakRssMb);
  return { exitCode, wallMs, peakRssMb, growthMb, flat, at, samples, server, verify, stderrTail: stderr };
}

async function scenario4(host: EmulatorHost): Promise<void> {
  const help = spawnSync(process.execPath, [CLI, 'batch', '--help'], { env: CHILD_ENV, encoding: 'utf8' });
  const haveBatch = help.status === 0 && /--input/.test(help.stdout) && /--quiet/.test(help.stdout);
  log(
    `\n== Scenario 4: memory, ${S4.names} names, ${haveBatch ? '`lro-cancel batch`' : 'cancelMany over a streamed file (the CLI has no batch command yet)'}, and raw grpc-js over the same file as the floor`,
  );
  const emulator = await host.start();
  const prefix = `r${++runCounter}`;
  await emulator.faults(null);
  const file = path.join(OUT_DIR, `names-${S4.names}.txt`);
  await writeNames(file, prefix, S4.names);

  const descriptor = path.join(SNAPSHOT, 'dist', 'proto', 'operations-descriptor.json');
  const rows = [
    {
      key: 'cli',
      command: haveBatch
        ? 'lro-cancel batch --input FILE --emulator HOST:PORT --quiet'
        : 'node batch-file.js FILE HOST:PORT (cancelMany over fs.createReadStream + readline)',
      args: haveBatch
        ? [CLI, 'batch', '--input', file, '--emulator', emulator.target, '--quiet']
        : [path.join(HERE, 'batch-file.js'), file, emulator.target],
    },
    {
      key: 'raw',
      command: `node raw-batch-file.js FILE HOST:PORT (raw grpc-js, ${S4.rawConcurrency} in flight, counts only: the floor)`,
      args: [
        path.join(HERE, 'raw-batch-file.js'),
        file,
        emulator.target,
        descriptor,
        String(S4.rawConcurrency),
      ],
    },
  ];
  const results: Record<string, Awaited<ReturnType<typeof batchRun>>> = {};
  // One run each, in a seeded random order, on the same file and freshly seeded names.
  for (const row of shuffled(rows, 4, 1)) {
    const r = await batchRun(emulator, prefix, row.args);
    results[row.key] = r;
    log(
      `  ${row.key}: exit ${r.exitCode}, ${num(r.wallMs / 1000, 1)} s, peak RSS ${num(r.peakRssMb)} MB, growth ${num(r.growthMb)} MB, verified ${r.verify.cancelled}/${S4.names}`,
    );
    if (r.exitCode !== 0) log(`  stderr: ${r.stderrTail.trim()}`);
  }
  await emulator.stop();
  fs.rmSync(file, { force: true });

  report.json.scenario4 = Object.fromEntries(
    rows.map((row) => {
      const { at: _at, ...r } = results[row.key] as Awaited<ReturnType<typeof batchRun>>;
      return [row.key, { command: row.command, names: S4.names, ...r }];
    }),
  );
  const cli = results.cli as Awaited<ReturnType<typeof batchRun>>;
  const raw = results.raw as Awaited<ReturnType<typeof batchRun>>;
  section(
    `Scenario 4 — memory: ${S4.names.toLocaleString('en-US')} names from a file, no latency`,
    `${haveBatch ? '' : '**The CLI had no `batch` command when this ran**, so the same engine (cancelMany) ran over a streamed file in a child process instead.\n\n'}` +
      table(
        [
          'command',
          'peak RSS MB',
          'RSS at 10% / 25% / 50% / 75% / 100% of the run, MB',
          'growth 2nd→4th quarter MB',
          'time s',
          'names/s',
          'verified on server',
          'exit',
        ],
        rows.map((row) => {
          const r = results[row.key] as Awaited<ReturnType<typeof batchRun>>;
          return [
            `\`${row.command}\``,
            num(r.peakRssMb),
            [0.1, 0.25, 0.5, 0.75, 0.999].map((q) => num(r.at(q), 0)).join(' / '),
            num(r.growthMb),
            num(r.wallMs / 1000, 1),
            num((S4.names / r.wallMs) * 1000),
            `${r.verify.cancelled.toLocaleString('en-US')} / ${S4.names.toLocaleString('en-US')}`,
            String(r.exitCode),
          ];
        }),
      ) +
      `\n\nRSS of the client process read from /proc every ${S4.sampleMs} ms; one run each, the same file of names, re-seeded before each run; records went to /dev/null. ` +
      `The raw row is the floor: @grpc/grpc-js on the CLI's descriptor, reading the same file line by line, ${S4.rawConcurrency} calls in flight, keeping only counts (no records, no journal, no repeated-name memory). ` +
      `lro-cancel's peak is ${ratio(cli.peakRssMb, raw.peakRssMb)} the floor's (+${num(cli.peakRssMb - raw.peakRssMb)} MB; what the difference holds — google-gax and the modules it loads, records, the memory of distinct names that sends a repeated name once — is not split here).`,
  );
  target({
    scenario: '4',
    target: `peak RSS ≤ ${S4.maxRssMb} MB`,
    measured: `${num(cli.peakRssMb)} MB (raw grpc-js floor: ${num(raw.peakRssMb)} MB)`,
    met: cli.peakRssMb <= S4.maxRssMb && cli.exitCode === 0,
  });
  target({
    scenario: '4',
    target: 'RSS flat during the run',
    measured: `max of the last quarter − max of the second quarter = ${num(cli.growthMb)} MB (raw floor: ${num(raw.growthMb)} MB)`,
    met: cli.flat && cli.exitCode === 0,
  });
}

async function writeNames(file: string, prefix: string, count: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${fullOpName(prefix, i)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

// ---------------------------------------------------------------- scenario 5

async function scenario5(host: EmulatorHost): Promise<void> {
  log(
    `\n== Scenario 5: cold start, spawn to exit, ${S5.reps} interleaved runs each, with and without the compile cache`,
  );
  const emulator = await host.start();
  await emulator.faults(null);
  await emulator.seed('cold', 1, { clear: true, onCancel: 'ignore' });
  const name = opName('cold', 0);
  // The CLI's own precompiled descriptor: the raw script loads it too, so that .proto parsing
  // is not what differs.
  const descriptor = path.join(SNAPSHOT, 'dist', 'proto', 'operations-descriptor.json');
  const cacheRoot = path.join(OUT_DIR, 'compile-cache');
  fs.rmSync(cacheRoot, { recursive: true, force: true });
  const commands = [
    { key: 'node', label: 'node -e 0 (Node start-up alone)', args: ['-e', '0'] },
    {
      key: 'raw',
      label: 'raw grpc-js script (same JSON descriptor as the CLI)',
      args: [path.join(HERE, 'cold', 'raw-cancel.js'), emulator.target, name, descriptor],
    },
    {
      key: 'gax',
      label: 'gax script',
      args: [path.join(HERE, 'cold', 'gax-cancel.js'), emulator.target, name],
    },
    // Diagnostic: what loading google-gax's gRPC module alone costs (the one lro-cancel takes
    // GrpcClient from; the package index loads much more), the floor for any client whose protos
    // and stub come through google-gax, as lro-cancel's must.
    {
      key: 'gax-require',
      label: `_node -e "require('google-gax/build/src/grpc.js')" (no call)_`,
      args: [
        '-e',
        `require(${JSON.stringify(path.join(path.dirname(require.resolve('google-gax')), 'grpc.js'))})`,
      ],
    },
    {
      key: 'cli',
      label: 'lro-cancel cancel NAME --emulator',
      args: [CLI, 'cancel', fullOpName('cold', 0), '--emulator', emulator.target],
    },
  ];
  // Every command with Node's compile cache (a directory of its own, filled by the first,
  // uncounted round, as a user's first run would) and without it. The CLI turns the cache on
  // by itself (module.enableCompileCache, in its XDG cache directory): with the cache it runs
  // as a user gets it; NODE_DISABLE_COMPILE_CACHE turns it off, as for the others.
  const variants = commands.flatMap((c) => [
    {
      ...c,
      key: `${c.key}+cc`,
      cache: true,
      env:
        c.key === 'cli'
          ? { XDG_CACHE_HOME: path.join(cacheRoot, 'cli-xdg') }
          : { NODE_COMPILE_CACHE: path.join(cacheRoot, c.key) },
    },
    { ...c, key: `${c.key}-cc`, cache: false, env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
  ]);
  const times: Record<string, number[]> = {};
  const failures: string[] = [];
  for (let rep = 0; rep < S5.reps + 1; rep++) {
    for (const v of shuffled(variants, 5, rep)) {
      const t0 = performance.now();
      const env = { ...CHILD_ENV, ...v.env };
      const child = spawn(process.execPath, v.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      const ms = performance.now() - t0;
      if (code !== 0) failures.push(`${v.label}${v.cache ? ' (cache)' : ''}: exit ${code} ${stderr.trim()}`);
      // The first round only fills the page cache and the compile caches.
      if (rep > 0) {
        times[v.key] ??= [];
        times[v.key]?.push(ms);
      }
    }
  }
  await emulator.stop();
  report.json.scenario5 = { times, failures };
  for (const f of failures) log(`  ! ${f}`);

  const s = (k: string): Spread => spread(times[k] ?? []);
  section(
    `Scenario 5 — cold start: one cancel, spawn to exit (${S5.reps} runs each, after one warm-up round), with and without Node's compile cache`,
    table(
      [
        'command',
        'ms, no compile cache',
        'ms, compile cache',
        'vs raw (no cache / cache)',
        'vs gax (no cache / cache)',
      ],
      commands.map((c) => {
        const off = s(`${c.key}-cc`);
        const on = s(`${c.key}+cc`);
        const vs = (peer: string): string =>
          c.key === 'node'
            ? ''
            : `${ratio(off.median, s(`${peer}-cc`).median)} / ${ratio(on.median, s(`${peer}+cc`).median)}`;
        return [c.label, fmt(off, 0), fmt(on, 0), vs('raw'), vs('gax')];
      }),
    ) +
      `\n\nEach command ran ${S5.reps} times with Node's on-disk compile cache and ${S5.reps} times without it (NODE_DISABLE_COMPILE_CACHE=1), all ${2 * commands.length} variants in a seeded random order per round (seed ${SEED}); the first round (not counted) fills each variant's cache, as a user's first run would. ` +
      `Scripts get the cache through NODE_COMPILE_CACHE (a directory each); the CLI enables it itself (module.enableCompileCache in its own cache directory), as users get it. ` +
      `The raw script loads the same precompiled JSON descriptor as the CLI (proto-loader's fromJSON), not .proto text. ` +
      `The italic row is a diagnostic: loading google-gax's gRPC module alone (GrpcClient, what lro-cancel loads of google-gax; no descriptor, no channel, no call), the floor for a client whose protos and stub come through google-gax. Ratios are of medians.` +
      (failures.length ? `\n\nFailed runs: ${failures.join('; ')}` : ''),
  );
  for (const cache of [false, true]) {
    const suffix = cache ? '+cc' : '-cc';
    const how = cache ? 'every command with the compile cache' : 'no command with the compile cache';
    const cli = s(`cli${suffix}`);
    const raw = s(`raw${suffix}`);
    const gax = s(`gax${suffix}`);
    const gaxAlone = s(`gax-require${suffix}`).median;
    target({
      scenario: '5',
      target: `CLI cold cancel ≤ 1.1× raw script (${how})`,
      measured: `${fmt(cli, 0)} vs ${fmt(raw, 0)} ms = ${ratio(cli.median, raw.median)} (loading google-gax's gRPC module alone, no call: ${num(gaxAlone, 0)} ms = ${ratio(gaxAlone, raw.median)})`,
      met: cli.median <= 1.1 * raw.median && failures.length === 0,
    });
    target({
      scenario: '5',
      target: `CLI cold cancel < gax script (${how})`,
      measured: `${fmt(cli, 0)} vs ${fmt(gax, 0)} ms = ${ratio(cli.median, gax.median)}${cli.max >= gax.min && gax.max >= cli.min ? ' — the two ranges overlap' : ''}`,
      met: cli.median < gax.median && failures.length === 0,
      undecided: cli.max >= gax.min && gax.max >= cli.min,
    });
  }
}

// ---------------------------------------------------------------- machine

function machine(): Record<string, unknown> {
  const version = (pkg: string): string => {
    try {
      return (
        JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      return 'n/a';
    }
  };
  const git = (args: string[]): string =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    packages: {
      'lro-cancel': (
        JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
      ).version,
      '@grpc/grpc-js': version('@grpc/grpc-js'),
      '@grpc/proto-loader': version('@grpc/proto-loader'),
      'google-gax': version('google-gax'),
      protobufjs: version('protobufjs'),
    },
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', 'src']) ? ' (src modified)' : ''}`,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const began = Date.now();
  const m = machine();
  const pk = m.packages as Record<string, string>;
  const machineLine =
    `${m.nproc} CPU(s) (${m.cpuModel}), ${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}; lro-cancel ${pk['lro-cancel']} @ ${m.commit}, ` +
    `@grpc/grpc-js ${pk['@grpc/grpc-js']}, @grpc/proto-loader ${pk['@grpc/proto-loader']}, google-gax ${pk['google-gax']}, protobufjs ${pk.protobufjs}`;
  const flags = [...(QUICK ? ['--quick'] : []), ...(ONLY ? [`--only=${[...ONLY].join(',')}`] : [])];
  const commandLine = `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
  process.stdout.write(
    `lro-cancel benchmark${QUICK ? ' (QUICK: tiny sizes, a smoke test; the numbers mean little)' : ''}\nMachine: ${machineLine}\nCommand: ${commandLine}; ${REPS} repetition(s) (${REPS_NEAR_ONE} in scenarios 1 and 2); client order seed ${SEED} (BENCH_SEED=${SEED} repeats it); load average at the start ${os
      .loadavg()
      .map((x) => num(x))
      .join(' / ')} (1 / 5 / 15 min)\n`,
  );
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Others may rebuild dist/ in this checkout while the bench runs: every process of the bench
  // loads the copy taken now.
  snapshotPackage(SNAPSHOT);
  CHILD_ENV.LRO_BENCH_PACKAGE = SNAPSHOT;

  const host = new EmulatorHost();
  await host.ready;
  const scenarios: [number, (h: EmulatorHost) => Promise<void>][] = [
    [1, scenario1],
    [2, scenario2],
    [3, scenario3],
    [4, scenario4],
    [5, scenario5],
    [
      6,
      (h) =>
        scenarioQuotaLatency(h, { reps: REPS, quick: QUICK, section, target, log }).then(() => undefined),
    ],
    [7, (h) => scenarioQuotaShapes(h, { reps: REPS, quick: QUICK, section, target, log })],
  ];
  const load: Record<string, { startLoad1: number; endLoad1: number; seconds: number }> = {};
  try {
    for (const [n, fn] of scenarios) {
      if (ONLY && !ONLY.has(n)) continue;
      const t0 = Date.now();
      const startLoad1 = os.loadavg()[0] as number;
      await fn(host);
      const seconds = Math.round((Date.now() - t0) / 1000);
      load[n] = { startLoad1, endLoad1: os.loadavg()[0] as number, seconds };
      log(`  (scenario ${n} took ${seconds} s; load average ${num(startLoad1)} → ${num(load[n].endLoad1)})`);
    }
  } finally {
    host.close();
  }

  const targetsTable = table(
    ['scenario', 'target', 'measured', 'result'],
    report.targets.map((t) => [
      t.scenario,
      t.target,
      t.measured,
      `${t.met ? 'MET' : '**MISSED**'}${t.undecided ? ' (within the spread)' : ''}`,
    ]),
  );
  section('Targets', targetsTable);
  const durationS = Math.round((Date.now() - began) / 1000);
  const loadLine = Object.entries(load)
    .map(([n, l]) => `scenario ${n}: ${l.seconds} s, ${num(l.startLoad1)} → ${num(l.endLoad1)}`)
    .join('; ');
  const footer =
    `Machine: ${machineLine}.\nCommand: \`${commandLine}\` (${REPS} repetition(s), ${REPS_NEAR_ONE} in scenarios 1 and 2; client order seed ${SEED}; ${durationS} s in all).\n` +
    `1-minute load average at the start → end of each scenario (the bench itself keeps about 2 busy; more means other work shared the CPUs): ${loadLine}.`;
  process.stdout.write(`\n${footer}\n`);

  const json = {
    date: new Date().toISOString(),
    quick: QUICK,
    command: commandLine,
    repetitions: REPS,
    repetitionsNearOne: REPS_NEAR_ONE,
    seed: SEED,
    durationS,
    machine: m,
    load,
    settings: { s1: { calls: S1_CALLS, concurrency: S1_CONCURRENCY }, s2: S2, s3: S3, s4: S4, s5: S5 },
    targets: report.targets,
    runs,
    ...report.json,
  };
  const base = QUICK ? 'quick' : ONLY ? 'partial' : 'latest';
  fs.writeFileSync(path.join(OUT_DIR, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(OUT_DIR, `${base}.md`), `${report.sections.join('\n')}\n${footer}\n`);
  process.stdout.write(`Raw numbers: bench-results/${base}.json; tables: bench-results/${base}.md\n`);
  const errors = runs.filter((r) => r.error);
  if (errors.length) {
    process.stdout.write(
      `${errors.length} client run(s) failed: ${errors.map((r) => `${r.label} (${r.error})`).join('; ')}\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
