/**
 * Quota shapes in `npm run bench` (runs on quota-variants.ts):
 * - scenario 7, issue 19's variants of scenario 3: one service's quota with latency (20 and
 *   100 ms), without RetryInfo, and per minute (quota × 60, refilled once a minute); the default
 *   cancelMany() against gax retrying RESOURCE_EXHAUSTED. Targets for cancelMany(): every name
 *   accepted, ≤ 1.1× the quota-bound ideal, ≤ 5 % of calls rejected. Environment:
 *   BENCH_S7_NAMES (8000), BENCH_S7_QUOTA (400), BENCH_S7_MINUTE_QUOTA (100, per second: the
 *   per-minute run gets 1.5 minutes' worth of names), BENCH_S7_VARIANTS, BENCH_S7_CLIENTS.
 * - scenario 6's dynamic runs (issue 15): five services, the quota halved at 40 % of the run and
 *   restored at 70 %, against an oracle that knows the quota; and 5 % of calls UNAVAILABLE.
 */
import type { Emulator, EmulatorHost } from './emulator-control';
import type { ScenarioTools } from './quota-latency-scenario';
import {
  type QuotaCase,
  type QuotaClient,
  type QuotaOut,
  runQuotaCase,
  secondsToReach,
  secondsToSettle,
  secondsUntilUnder,
  spansOverPct,
} from './quota-variants';

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const spread = (v: number[], d = 2): string =>
  v.length > 1
    ? `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`
    : (v[0]?.toFixed(d) ?? 'n/a');

interface Variant {
  key: string;
  label: string;
  faults: Record<string, unknown>;
  names: number;
  /** Quota-bound ideal, s. */
  idealS: number;
}

let runNo = 0;

export async function scenarioQuotaShapes(host: EmulatorHost, t: ScenarioTools): Promise<void> {
  const names = Number(process.env.BENCH_S7_NAMES ?? (t.quick ? 1000 : 8000));
  const quota = Number(process.env.BENCH_S7_QUOTA ?? 400);
  const minuteQuota = Number(process.env.BENCH_S7_MINUTE_QUOTA ?? 100);
  // The bucket starts full (one second's worth): the ideal is a second shorter.
  const idealS = names / quota - 1;
  const all: Variant[] = [
    {
      key: 'lat20',
      label: '20 ms, RetryInfo = time to the next token',
      faults: { latencyMs: 20, quotaPerSecond: quota, quotaRetryDelayMs: 'next-token' },
      names,
      idealS,
    },
    {
      key: 'lat100',
      label: '100 ms, RetryInfo = time to the next token',
      faults: { latencyMs: 100, quotaPerSecond: quota, quotaRetryDelayMs: 'next-token' },
      names,
      idealS,
    },
    {
      key: 'noinfo',
      label: '20 ms, no RetryInfo',
      faults: { latencyMs: 20, quotaPerSecond: quota, quotaRetryDelayMs: 'none' },
      names,
      idealS,
    },
    {
      // 1.5 minutes' worth: the first minute's bucket goes at once, the rest when the minute
      // turns, so the quota-bound ideal is 60 s (plus sending the rest, not counted).
      key: 'minute',
      label: `20 ms, per minute (${minuteQuota * 60}/min, refilled once a minute), no RetryInfo`,
      faults: {
        latencyMs: 20,
        quotaPerSecond: minuteQuota,
        quotaWindow: 'minute',
        quotaRetryDelayMs: 'none',
      },
      names: minuteQuota * 90,
      idealS: 60,
    },
  ];
  const wanted = (process.env.BENCH_S7_VARIANTS ?? 'lat20,lat100,noinfo,minute').split(',');
  const variants = all.filter((v) => wanted.includes(v.key));
  const clients = (process.env.BENCH_S7_CLIENTS ?? 'cancelMany,gax-retry').split(',') as QuotaClient[];
  t.log(`\n== Scenario 7: scenario 3's quota shapes (one service, quota ${quota}/s, ${names} names, C=64)`);
  const emulator = await host.start({ maxConcurrentStreams: 100 });
  const results: { v: string; client: QuotaClient; out: QuotaOut; ratio: number }[] = [];
  for (let rep = 1; rep <= t.reps; rep++) {
    for (const v of variants) {
      for (const client of rep % 2 ? clients : [...clients].reverse()) {
        const c: QuotaCase = {
          client,
          names: v.names,
          fiveServices: false,
          concurrency: 64,
          faults: v.faults,
        };
        const out = await runQuotaCase(emulator, c, `s7r${++runNo}`);
        const ratio = out.wallS / v.idealS;
        results.push({ v: v.key, client, out, ratio });
        t.log(
          `  [s7 rep ${rep}] ${v.key} ${client}: ${out.wallS.toFixed(1)} s = ${ratio.toFixed(3)}× ideal, rejected ${out.rejectedPct.toFixed(2)} % of ${out.calls} calls, ` +
            `accepted ${out.okPct.toFixed(2)} %, verified ${out.verifiedPct.toFixed(2)} %${Object.keys(out.failures).length ? `, failures ${JSON.stringify(out.failures)}` : ''}`,
        );
      }
    }
  }
  await emulator.stop();

  const rows: string[] = [];
  for (const v of variants) {
    for (const client of clients) {
      const mine = results.filter((r) => r.v === v.key && r.client === client);
      if (!mine.length) continue;
      const label = client === 'cancelMany' ? 'cancelMany()' : 'gax, retrying RESOURCE_EXHAUSTED';
      rows.push(
        `| ${v.label} | ${label} | ${v.idealS.toFixed(0)} | ${spread(
          mine.map((r) => r.ratio),
          3,
        )}× | ${spread(mine.map((r) => r.out.rejectedPct))} | ${spread(mine.map((r) => r.out.verifiedPct))} |`,
      );
      if (client !== 'cancelMany') continue;
      const ratio = median(mine.map((r) => r.ratio));
      const rej = median(mine.map((r) => r.out.rejectedPct));
      const worst = Math.min(...mine.map((r) => Math.min(r.out.okPct, r.out.verifiedPct)));
      t.target({
        scenario: '7',
        target: `cancelMany(), ${v.label}: every name accepted, ≤ 1.1× the quota-bound ideal, ≤ 5 % rejected`,
        measured: `${ratio.toFixed(3)}×, ${rej.toFixed(2)} % rejected, worst accepted ${worst.toFixed(2)} %`,
        met: ratio <= 1.1 && rej <= 5 && worst === 100,
      });
    }
  }
  t.section(
    `Scenario 7 — scenario 3's quota in other shapes: one service, ${names.toLocaleString('en-US')} names at ${quota}/s (per-minute: ${(minuteQuota * 90).toLocaleString('en-US')} names at ${minuteQuota * 60}/min), 100 streams per connection, C=64`,
    '| quota shape | client | ideal s | time / ideal | rejected % of calls | verified on server % |\n|---|---|---|---|---|---|\n' +
      rows.join('\n'),
  );
}

/**
 * Scenario 6's dynamic runs, on scenario 6's emulator: the quota halved at 40 % and restored at
 * 70 % of the unchanged ideal, and 5 % of calls UNAVAILABLE (they take a token each, as a server
 * that counts every call would).
 */
export async function quotaDynamics(
  emulator: Emulator,
  t: ScenarioTools,
  opts: { names: number; quota: number; latencyMs: number },
): Promise<void> {
  const { names, quota, latencyMs } = opts;
  const perService = names / 5;
  const t0 = perService / quota - 1; // unchanged ideal
  const t1 = 0.4 * t0;
  const t2 = 0.7 * t0;
  // The oracle spends every token as it comes: the halved spell costs 0.3 × t0 × quota / 2 names.
  const oracleS = t0 + 0.15 * t0;
  const lossyS = perService / 0.95 / quota - 1;
  const base = { latencyMs, quotaPerSecond: quota, quotaRetryDelayMs: 'next-token' };
  const halved: Record<string, number>[] = [];
  const flaky: Record<string, number>[] = [];
  for (let rep = 1; rep <= t.reps; rep++) {
    const out = await runQuotaCase(
      emulator,
      {
        client: 'cancelMany',
        names,
        fiveServices: true,
        concurrency: 64,
        faults: base,
        changes: [
          { atMs: t1 * 1000, faults: { quotaPerSecond: quota / 2 } },
          { atMs: t2 * 1000, faults: { quotaPerSecond: quota } },
        ],
      },
      `s6d${++runNo}`,
    );
    const r = {
      ratio: out.wallS / oracleS,
      lostS: out.wallS - oracleS,
      rejectedPct: out.rejectedPct,
      settleS: secondsToSettle(out.timeline, t1, t2),
      // Issue 15's "followed within 5 s" for a cut: from then on no 5-s stretch is rejected more
      // than the 2 % a whole run is held to. 1-s spans are too short for that share at 200/s per
      // service: 2 % of a second is 4 calls, fewer than one probe's calls in flight, and the
      // controller has such spans at an unchanged quota too (steadyOverPct, before the cut).
      settle5S: secondsUntilUnder(out.timeline, t1, t2),
      steadyOverPct: spansOverPct(out.timeline, 0.2 * t0, t1),
      halvedOverPct: spansOverPct(out.timeline, t1 + 5, t2),
      reachS: secondsToReach(out.timeline, t2, 5 * quota),
      okPct: Math.min(out.okPct, out.verifiedPct),
    };
    halved.push(r);
    t.log(
      `  [s6 rep ${rep}] halved/restored ${latencyMs} ms: ${out.wallS.toFixed(1)} s vs oracle ${oracleS.toFixed(1)} s (${r.ratio.toFixed(3)}×), rejected ${r.rejectedPct.toFixed(2)} %, ` +
        `≤ 2 % rejected in every 5-s span from ${r.settle5S.toFixed(1)} s after the halving (last 1-s span over 2 % ended ${r.settleS.toFixed(1)} s after; 1-s spans over 2 %: ${r.steadyOverPct.toFixed(0)} % before the cut, ${r.halvedOverPct.toFixed(0)} % from 5 s after it), ` +
        `90 % of the restored quota ${r.reachS.toFixed(1)} s after the restore, accepted ${Math.round((out.okPct * names) / 100)} and verified ${Math.round((out.verifiedPct * names) / 100)} of ${names}`,
    );
    const f = await runQuotaCase(
      emulator,
      {
        client: 'cancelMany',
        names,
        fiveServices: true,
        concurrency: 64,
        faults: { ...base, errorRate: 0.05 },
      },
      `s6u${++runNo}`,
    );
    const fr = {
      ratio: f.wallS / lossyS,
      ratioPlain: f.wallS / t0,
      rejectedPct: f.rejectedPct,
      okPct: Math.min(f.okPct, f.verifiedPct),
    };
    flaky.push(fr);
    t.log(
      `  [s6 rep ${rep}] 5 % UNAVAILABLE ${latencyMs} ms: ${f.wallS.toFixed(1)} s = ${fr.ratio.toFixed(3)}× the ideal with the lost calls (${fr.ratioPlain.toFixed(3)}× without), rejected ${fr.rejectedPct.toFixed(2)} %, ` +
        // Counts, not a rounded share: one name of 200,000 is 99.9995 %, printed as 100.00.
        `accepted ${Math.round((f.okPct * names) / 100)} and verified ${Math.round((f.verifiedPct * names) / 100)} of ${names}, failures ${JSON.stringify(f.failures)}`,
    );
  }
  const col = (rs: Record<string, number>[], k: string, d = 2): string =>
    spread(
      rs.map((r) => r[k] as number),
      d,
    );
  t.section(
    `Scenario 6, dynamic — ${names.toLocaleString('en-US')} names over 5 services, ${latencyMs} ms, quota ${quota}/s per service`,
    '| run | time / oracle | time lost s | rejected % of calls | every 5-s span ≤ 2 % rejected from, s after the halving | last 1-s span > 2 % rejected ended, s after the halving | 1-s spans > 2 % rejected: before the cut / from 5 s after it, % | 90 % of the restored quota, s after the restore | accepted % |\n|---|---|---|---|---|---|---|---|---|\n' +
      `| halved at ${t1.toFixed(1)} s, restored at ${t2.toFixed(1)} s (oracle ${oracleS.toFixed(1)} s) | ${col(halved, 'ratio', 3)}× | ${col(halved, 'lostS', 1)} | ${col(halved, 'rejectedPct')} | ${col(halved, 'settle5S', 1)} | ${col(halved, 'settleS', 1)} | ${col(halved, 'steadyOverPct', 0)} / ${col(halved, 'halvedOverPct', 0)} | ${col(halved, 'reachS', 1)} | ${col(halved, 'okPct')} |\n` +
      `| 5 % UNAVAILABLE (ideal with the lost calls ${lossyS.toFixed(1)} s) | ${col(flaky, 'ratio', 3)}× | | ${col(flaky, 'rejectedPct')} | | | | | ${col(flaky, 'okPct')} |`,
  );
  const med = (rs: Record<string, number>[], k: string): number => median(rs.map((r) => r[k] as number));
  t.target({
    scenario: '6',
    target: `quota halved at 40 %, restored at 70 % (${latencyMs} ms): each change followed within 5 s, every name accepted`,
    measured: `every 5-s span ≤ 2 % rejected from ${col(halved, 'settle5S', 1)} s after the halving (the last 1-s span over 2 %: ${col(halved, 'settleS', 1)} s); 90 % of the restored quota after ${col(halved, 'reachS', 1)} s; ${col(halved, 'rejectedPct')} % rejected; ${col(halved, 'lostS', 1)} s lost vs the oracle`,
    met: med(halved, 'settle5S') <= 5 && med(halved, 'reachS') <= 5 && halved.every((r) => r.okPct === 100),
  });
  t.target({
    scenario: '6',
    target: `5 % UNAVAILABLE (${latencyMs} ms): ≤ 1.05× the ideal with the lost calls, ≤ 2 % rejected, every name accepted`,
    measured: `${col(flaky, 'ratio', 3)}×, ${col(flaky, 'rejectedPct')} % rejected, worst accepted ${Math.min(...flaky.map((r) => r.okPct)).toFixed(2)} %`,
    met: med(flaky, 'ratio') <= 1.05 && med(flaky, 'rejectedPct') <= 2 && flaky.every((r) => r.okPct === 100),
  });
}
