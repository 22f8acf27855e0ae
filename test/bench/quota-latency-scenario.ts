/**
 * Scenario 6 of `npm run bench` (issue 15): a quota-bound batch far from its server. Names spread
 * over the five services, each enforcing its own quota (token bucket, RESOURCE_EXHAUSTED with a
 * RetryInfo of the time until the next token), at 20 ms and 100 ms latency, 100 streams per
 * connection. The default cancelMany() (rate controller) against quotaControl 'aimd' (the
 * controller before issue 15): time against the quota-bound ideal, accepted rate per service,
 * rejected share of calls, peak RSS; the CLI `batch` as a row; raw grpc-js as the memory floor
 * (a connection per service, calls started at the five quotas' total rate; it does not retry
 * rejections, so only its RSS is a reference). Then the dynamic runs
 * (quota-shapes-scenario: quota halved and restored, 5 % UNAVAILABLE) at BENCH_S6_DYNAMIC ms
 * latency. Environment: BENCH_S6_NAMES (default 200000), BENCH_S6_QUOTA (400), BENCH_S6_LATENCY
 * (20,100), BENCH_S6_CONTROLLERS (rate,aimd,cli,raw; none: only the dynamic runs),
 * BENCH_S6_DYNAMIC (20; 'none' skips them).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { CHILD_ENV, type EmulatorHost } from './emulator-control';
import type { ClientResult, ClientSpec, ServerCounters, VerifyResult } from './lib';
import { quotaDynamics } from './quota-shapes-scenario';
import { runQuotaCase } from './quota-variants';

export interface ScenarioTools {
  reps: number;
  quick: boolean;
  section: (title: string, body: string) => void;
  target: (t: {
    scenario: string;
    target: string;
    measured: string;
    met: boolean;
    undecided?: boolean;
  }) => void;
  log: (line: string) => void;
}

interface Result {
  controller: string;
  latencyMs: number;
  ratio: number;
  rejectedPct: number;
  perServiceRate: number[];
  okPct: number;
  verifiedPct: number;
  rssPeakMb: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const spreadOf = (v: number[], d = 2): string =>
  v.length > 1
    ? `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`
    : (v[0]?.toFixed(d) ?? 'n/a');

/** Issue 15's memory target for a 200,000-name quota-bound batch. */
const MAX_RSS_MB = 200;

const LABELS: Record<string, string> = {
  rate: 'cancelMany() (rate controller)',
  aimd: "cancelMany({quotaControl: 'aimd'})",
  cli: 'lro-cancel batch (CLI)',
  raw: 'raw grpc-js paced at the quotas (memory floor; no quota handling)',
};

export async function scenarioQuotaLatency(host: EmulatorHost, t: ScenarioTools): Promise<Result[]> {
  const names = Number(process.env.BENCH_S6_NAMES ?? (t.quick ? 5000 : 200_000));
  const quota = Number(process.env.BENCH_S6_QUOTA ?? 400);
  const latencies = (process.env.BENCH_S6_LATENCY ?? '20,100').split(',').map(Number);
  // 'none': the dynamic runs only.
  const controllers = (process.env.BENCH_S6_CONTROLLERS ?? 'rate,aimd,cli,raw')
    .split(',')
    .filter((c) => c in LABELS);
  // The buckets start full (one second's worth), so the ideal run is a second shorter.
  const idealS = Math.max(0.001, names / 5 / quota - 1);
  t.log(
    `\n== Scenario 6: ${names} names over 5 services, quota ${quota}/s each, latency ${latencies.join('/')} ms, 100 streams per connection (ideal ${idealS.toFixed(1)} s)`,
  );
  const emulator = await host.start({ maxConcurrentStreams: 100 });
  const results: Result[] = [];
  let run = 0;
  for (let rep = 1; rep <= t.reps; rep++) {
    for (const latencyMs of latencies) {
      for (const controller of rep % 2 ? controllers : [...controllers].reverse()) {
        const prefix = `q${++run}`;
        const faults = { latencyMs, quotaPerSecond: quota, quotaRetryDelayMs: 'next-token' };
        if (controller === 'cli') {
          const c = { client: 'cli' as const, names, fiveServices: true, concurrency: 64, faults };
          const out = await runQuotaCase(emulator, c, prefix);
          const r: Result = {
            controller,
            latencyMs,
            ratio: out.wallS / idealS,
            rejectedPct: out.rejectedPct,
            perServiceRate: [(names * out.verifiedPct) / 100 / 5 / out.wallS],
            okPct: out.okPct,
            verifiedPct: out.verifiedPct,
            rssPeakMb: out.rssPeakMb,
          };
          results.push(r);
          t.log(
            `  [s6 rep ${rep}] cli  ${latencyMs} ms: ${out.wallS.toFixed(1)} s = ${r.ratio.toFixed(3)}× ideal, rejected ${r.rejectedPct.toFixed(2)} %, ok ${r.okPct.toFixed(2)} %, rss ${r.rssPeakMb.toFixed(0)} MB`,
          );
          continue;
        }
        const base = { target: emulator.target, prefix, warmup: 100, calls: names, fiveServices: true };
        const spec: ClientSpec =
          controller === 'raw'
            ? // Paced at the five quotas' total rate: the same calls per second as an ideal client.
              { ...base, client: 'raw-pool', channels: 5, ratePerSecond: 5 * quota, concurrency: 1024 }
            : {
                ...base,
                client: 'cancelMany',
                concurrency: 64,
                // The target is the default cancelMany(): no concurrency given, as the CLI runs.
                defaultConcurrency: controller === 'rate',
                quotaControl: controller === 'aimd' ? 'aimd' : 'rate',
              };
        await emulator.faults(null);
        await emulator.seed(prefix, names, { clear: true, fiveServices: true });
        await emulator.seed(`${prefix}w`, spec.warmup, { fiveServices: controller === 'raw' });
        const { result, server } = await runChild(
          spec,
          () => emulator.faults(faults).then(() => emulator.reset()),
          () => emulator.counters(),
        );
        const verify: VerifyResult = await emulator.verify(prefix, names, true);
        const wallS = result.wallMs / 1000;
        const byService = (result.extra?.byService ?? {}) as Record<string, Record<string, number>>;
        const r: Result = {
          controller,
          latencyMs,
          ratio: wallS / idealS,
          rejectedPct: server.cancelCalls ? (100 * (server.byCode['8'] ?? 0)) / server.cancelCalls : NaN,
          perServiceRate:
            controller === 'raw'
              ? [result.ok / 5 / wallS]
              : Object.values(byService).map((o) => (o['cancel-requested'] ?? 0) / wallS),
          okPct: (100 * result.ok) / names,
          verifiedPct: (100 * verify.cancelled) / names,
          rssPeakMb: result.rssPeakMb,
        };
        results.push(r);
        t.log(
          `  [s6 rep ${rep}] ${controller.padEnd(4)} ${latencyMs} ms: ${wallS.toFixed(1)} s = ${r.ratio.toFixed(3)}× ideal, rejected ${r.rejectedPct.toFixed(2)} %, ` +
            `per service ${r.perServiceRate.map((x) => x.toFixed(0)).join('/')} names/s, ok ${r.okPct.toFixed(2)} %, rss ${r.rssPeakMb.toFixed(0)} MB` +
            (result.atPeakMb
              ? ` (at the peak: V8 heap ${result.atPeakMb.heapUsed.toFixed(0)} used of ${result.atPeakMb.heapTotal.toFixed(0)}` +
                `${spacesText(result.atPeakMb.spaces)}, external ${result.atPeakMb.external.toFixed(0)})`
              : ''),
        );
      }
    }
  }

  const rows: string[] = [];
  for (const latencyMs of latencies) {
    for (const controller of controllers) {
      const mine = results.filter((r) => r.controller === controller && r.latencyMs === latencyMs);
      if (!mine.length) continue;
      rows.push(
        `| ${LABELS[controller]} | ${latencyMs} | ${spreadOf(
          mine.map((r) => r.ratio),
          3,
        )}× | ` +
          `${spreadOf(
            mine.map((r) => median(r.perServiceRate)),
            0,
          )} | ${spreadOf(mine.map((r) => r.rejectedPct))} | ${spreadOf(mine.map((r) => r.okPct))} | ${spreadOf(
            mine.map((r) => r.rssPeakMb),
            0,
          )} |`,
      );
      if (controller === 'aimd' || controller === 'raw') continue;
      const ratio = median(mine.map((r) => r.ratio));
      const rej = median(mine.map((r) => r.rejectedPct));
      t.target({
        scenario: '6',
        target: `${controller === 'cli' ? 'lro-cancel batch' : 'cancelMany()'} at ${latencyMs} ms: ≤ 1.05× the quota-bound ideal, ≤ 2 % rejected, every name once`,
        measured: `${ratio.toFixed(3)}×, ${rej.toFixed(2)} % rejected, worst ok ${Math.min(...mine.map((r) => Math.min(r.okPct, r.verifiedPct))).toFixed(2)} %`,
        met: ratio <= 1.05 && rej <= 2 && mine.every((r) => r.okPct === 100 && r.verifiedPct === 100),
      });
      const rss = median(mine.map((r) => r.rssPeakMb));
      const floor = results.filter((r) => r.controller === 'raw' && r.latencyMs === latencyMs);
      t.target({
        scenario: '6',
        target: `${controller === 'cli' ? 'lro-cancel batch' : 'cancelMany()'} at ${latencyMs} ms: peak RSS ≤ ${MAX_RSS_MB} MB`,
        measured:
          `${spreadOf(
            mine.map((r) => r.rssPeakMb),
            0,
          )} MB` +
          (floor.length
            ? `; raw grpc-js at the same rate ${spreadOf(
                floor.map((r) => r.rssPeakMb),
                0,
              )} MB`
            : ''),
        met: rss <= MAX_RSS_MB,
        // Peak RSS moves with when V8 collects: reps on both sides do not decide it.
        undecided:
          Math.min(...mine.map((r) => r.rssPeakMb)) <= MAX_RSS_MB &&
          Math.max(...mine.map((r) => r.rssPeakMb)) > MAX_RSS_MB,
      });
    }
  }
  if (rows.length)
    t.section(
      `Scenario 6 — ${names.toLocaleString('en-US')} names over 5 services, quota ${quota}/s per service (RetryInfo: time to the next token), 100 streams per connection, each client with its default concurrency (64 per service to start, up to 256)`,
      `| controller | latency ms | time / ideal (${idealS.toFixed(1)} s) | accepted names/s per service (median of 5) | rejected % of calls | accepted % | peak RSS MB |\n` +
        `|---|---|---|---|---|---|---|\n${rows.join('\n')}`,
    );
  const dynamic = process.env.BENCH_S6_DYNAMIC ?? '20';
  if (dynamic !== 'none') await quotaDynamics(emulator, t, { names, quota, latencyMs: Number(dynamic) });
  await emulator.stop();
  return results;
}

/** The V8 spaces that hold at least 1 MB, largest first: `: new 33, old 60, code 4`. */
function spacesText(spaces: Record<string, number> | undefined): string {
  if (!spaces) return '';
  const big = Object.entries(spaces)
    .filter(([, mb]) => mb >= 1)
    .sort((a, b) => b[1] - a[1]);
  return `: ${big.map(([name, mb]) => `${name.replace(/_space$/, '')} ${mb.toFixed(0)}`).join(', ')}`;
}

/** One client process: warm up, let `beforeGo` set the faults, run, read the server counters. */
export async function runChild(
  spec: ClientSpec,
  beforeGo: () => Promise<unknown>,
  counters: () => Promise<ServerCounters>,
): Promise<{ result: ClientResult; server: ServerCounters }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'client-process.js'), JSON.stringify(spec)], {
    env: CHILD_ENV,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let result: ClientResult | undefined;
  let server: ServerCounters | undefined;
  for await (const line of readline.createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line === 'READY') {
      await beforeGo();
      child.stdin?.write('go\n');
    } else if (line.startsWith('BENCH_RESULT ')) {
      result = JSON.parse(line.slice(13)) as ClientResult;
      server = await counters();
    }
  }
  const code = await exited;
  if (!result || !server) throw new Error(`client exited with ${code} and no result`);
  return { result, server };
}
