/**
 * Quota shapes for `npm run bench` (issue 19's scenario-3 variants, issue 15's quota that changes
 * mid-run and transient errors on top): one run = one client against the emulator's quota, with
 * the server's counters sampled every 250 ms (accepted and rejected calls over time), faults that
 * may change at set times, and the verdict read on the server. Clients: the default cancelMany(),
 * gax configured to retry RESOURCE_EXHAUSTED (as its docs tell a user to), and the CLI `batch`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHILD_ENV, type Emulator } from './emulator-control';
import { fiveServiceName, opName, PACKAGE, type ClientSpec, type ServerCounters } from './lib';
import { runChild } from './quota-latency-scenario';

export type QuotaClient = 'cancelMany' | 'gax-retry' | 'cli';

export interface QuotaCase {
  client: QuotaClient;
  names: number;
  fiveServices: boolean;
  concurrency: number;
  faults: Record<string, unknown>;
  /** Faults set `atMs` after the start (the quota's bucket keeps its tokens). */
  changes?: { atMs: number; faults: Record<string, unknown> }[];
}

export interface QuotaOut {
  wallS: number;
  /** Names the server shows cancelled, % of names. */
  verifiedPct: number;
  /** Names the client reports accepted, % (the CLI: its exit status 0 means all). */
  okPct: number;
  rejectedPct: number;
  calls: number;
  rssPeakMb: number;
  /** [ms since start, accepted calls, rejected calls] every 250 ms, cumulative. */
  timeline: [number, number, number][];
  failures: Record<string, number>;
}

const SAMPLE_MS = 250;

/** One run of `c` against `emulator` with a fresh set of names under `prefix`. */
export async function runQuotaCase(emulator: Emulator, c: QuotaCase, prefix: string): Promise<QuotaOut> {
  await emulator.faults(null);
  await emulator.seed(prefix, c.names, { clear: true, fiveServices: c.fiveServices });
  const timeline: [number, number, number][] = [];
  const timers: NodeJS.Timeout[] = [];
  let t0 = 0;
  const sample = async (): Promise<void> => {
    const s = await emulator.counters();
    timeline.push([performance.now() - t0, s.byCode['0'] ?? 0, s.byCode['8'] ?? 0]);
  };
  const go = async (): Promise<void> => {
    await emulator.faults(c.faults);
    await emulator.reset();
    t0 = performance.now();
    timers.push(setInterval(() => void sample(), SAMPLE_MS));
    for (const ch of c.changes ?? [])
      timers.push(setTimeout(() => void emulator.faults({ ...c.faults, ...ch.faults }, true), ch.atMs));
  };
  const end = (): void => {
    for (const t of timers) clearTimeout(t);
  };

  let wallMs: number;
  let okCount: number;
  let rssPeakMb: number;
  let failures: Record<string, number> = {};
  let server: ServerCounters;
  if (c.client === 'cli') {
    const file = path.join(os.tmpdir(), `lro-bench-${process.pid}-${prefix}.txt`);
    fs.writeFileSync(file, namesText(prefix, c.names, c.fiveServices));
    await go();
    const r = await runCli(file, emulator.target);
    end();
    fs.rmSync(file, { force: true });
    wallMs = r.wallMs;
    rssPeakMb = r.rssPeakMb;
    server = await emulator.counters();
    okCount = r.code === 0 ? c.names : NaN;
    if (r.code !== 0) failures = { [`exit ${r.code}`]: 1 };
  } else {
    await emulator.seed(`${prefix}w`, 100);
    const spec: ClientSpec = {
      client: c.client === 'gax-retry' ? 'gax' : 'cancelMany',
      target: emulator.target,
      prefix,
      warmup: 100,
      calls: c.names,
      concurrency: c.concurrency,
      fiveServices: c.fiveServices,
      ...(c.client === 'gax-retry' ? { gaxRetryQuota: true } : {}),
    };
    const r = await runChild(spec, go, () => emulator.counters());
    end();
    wallMs = r.result.wallMs;
    rssPeakMb = r.result.rssPeakMb;
    server = r.server;
    okCount = r.result.ok;
    failures = r.result.failures;
  }
  await sample();
  const verify = await emulator.verify(prefix, c.names, c.fiveServices);
  return {
    wallS: wallMs / 1000,
    verifiedPct: (100 * verify.cancelled) / c.names,
    okPct: (100 * okCount) / c.names,
    rejectedPct: server.cancelCalls ? (100 * (server.byCode['8'] ?? 0)) / server.cancelCalls : NaN,
    calls: server.cancelCalls,
    rssPeakMb,
    timeline,
    failures,
  };
}

function namesText(prefix: string, n: number, five: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(five ? fiveServiceName(prefix, i).full : `//dataplex.googleapis.com/${opName(prefix, i)}`);
  return `${lines.join('\n')}\n`;
}

/** `lro-cancel batch --input FILE --emulator HOST:PORT --quiet`, records to /dev/null, RSS sampled. */
async function runCli(
  file: string,
  target: string,
): Promise<{ wallMs: number; code: number | null; rssPeakMb: number }> {
  const cli = path.join(PACKAGE, 'dist', 'cli', 'main.js');
  const started = performance.now();
  const devNull = fs.openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [cli, 'batch', '--input', file, '--emulator', target, '--quiet'], {
    env: CHILD_ENV,
    stdio: ['ignore', devNull, 'inherit'],
  });
  fs.closeSync(devNull);
  let rss = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) rss = Math.max(rss, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  return { wallMs: performance.now() - started, code, rssPeakMb: rss };
}

/** One stretch of the timeline: when it starts and ends (ms), and the calls accepted and rejected in it. */
interface Span {
  start: number;
  end: number;
  accepted: number;
  rejected: number;
}

/**
 * The `windowMs` spans of the timeline (one per sample) that start at or after `fromS` and end
 * by `toS`: the one walk every reading below is made from.
 */
function spans(timeline: [number, number, number][], fromS: number, toS: number, windowMs: number): Span[] {
  const out: Span[] = [];
  for (const [t, acc, rej] of timeline) {
    if (t < fromS * 1000) continue;
    const end = timeline.find(([u]) => u >= t + windowMs);
    if (!end || end[0] > toS * 1000) break;
    out.push({ start: t, end: end[0], accepted: end[1] - acc, rejected: end[2] - rej });
  }
  return out;
}

const overShare = (s: Span, maxShare: number): boolean => {
  const calls = s.accepted + s.rejected;
  return calls > 0 && s.rejected / calls > maxShare;
};

/**
 * Seconds from `atS` until the accepted rate (over 1 s of samples) first reaches `share` of
 * `rate` (calls/s), or NaN if it never does.
 */
export function secondsToReach(
  timeline: [number, number, number][],
  atS: number,
  rate: number,
  share = 0.9,
): number {
  for (const s of spans(timeline, atS, Number.POSITIVE_INFINITY, 1000))
    if ((s.accepted * 1000) / (s.end - s.start) >= share * rate) return (s.end - atS * 1000) / 1000;
  return NaN;
}

/**
 * Seconds from `atS` to the end of the last 1-s span before `untilS` in which more than
 * `maxShare` of the calls were rejected (the controller has settled under a lowered quota by
 * then; 0: no such span).
 */
export function secondsToSettle(
  timeline: [number, number, number][],
  atS: number,
  untilS: number,
  maxShare = 0.02,
): number {
  let last = 0;
  for (const s of spans(timeline, atS, untilS, 1000))
    if (overShare(s, maxShare)) last = (s.end - atS * 1000) / 1000;
  return last;
}

/**
 * Seconds from `atS` after which every `windowMs` span (starting then, ending by `untilS`) had at
 * most `maxShare` of its calls rejected: when the controller has followed a lowered quota at the
 * rejected share a whole run is held to (0: no span was over).
 */
export function secondsUntilUnder(
  timeline: [number, number, number][],
  atS: number,
  untilS: number,
  maxShare = 0.02,
  windowMs = 5000,
): number {
  let last = -1;
  for (const s of spans(timeline, atS, untilS, windowMs)) if (overShare(s, maxShare)) last = s.start;
  return last < 0 ? 0 : (last + SAMPLE_MS) / 1000 - atS;
}

/** Share (%) of the 1-s spans between `fromS` and `toS` (sampled every 250 ms) with more than `maxShare` of their calls rejected. */
export function spansOverPct(
  timeline: [number, number, number][],
  fromS: number,
  toS: number,
  maxShare = 0.02,
): number {
  const all = spans(timeline, fromS, toS, 1000);
  if (!all.length) return NaN;
  return (100 * all.filter((s) => overShare(s, maxShare)).length) / all.length;
}
