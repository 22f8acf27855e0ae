import type { BatchStats } from '../batch/cancel-many';

/**
 * Progress on stderr for a batch: a bar with done/total when the total is known, rate, ETA and
 * counts per outcome, redrawn in place at most every 200 ms. Only used when stderr is a TTY.
 */
export class ProgressReporter {
  private lastDraw = 0;
  total: number | undefined;

  constructor(
    private readonly stderr: { write(chunk: string): unknown },
    private readonly columns = 100,
  ) {}

  update(stats: BatchStats, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const secs = Math.max(stats.elapsedMs / 1000, 0.001);
    const rate = stats.done / secs;
    const counts = Object.entries(stats.byOutcome)
      .filter(([, n]) => n)
      .map(([o, n]) => `${o} ${n}`)
      .join(' · ');
    let head: string;
    if (this.total !== undefined && this.total > 0) {
      const frac = Math.min(1, stats.done / this.total);
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? (this.total - stats.done) / rate : Infinity;
      head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats.done}/${this.total} ${Math.round(rate)}/s ETA ${formatSecs(eta)}`;
    } else {
      head = `${stats.done} done ${Math.round(rate)}/s`;
    }
    const line = `${head}  ${counts}`.slice(0, this.columns - 1);
    this.stderr.write(`\r\u001b[2K${line}`);
  }

  /** Leave the bar's line. */
  end(): void {
    if (this.lastDraw > 0) this.stderr.write('\r\u001b[2K');
  }
}

function formatSecs(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/** Services listed one per line in the summary; the rest are counted in one line (their records say it all). */
export const SUMMARY_SERVICE_LINES = 20;

/** The end-of-run summary: counts per outcome and per service, latency percentiles, retries. */
export function formatSummary(stats: BatchStats): string {
  const lines: string[] = [];
  const outcomes = Object.entries(stats.byOutcome).filter(([, n]) => n);
  lines.push(
    `lro-cancel: ${stats.done} records in ${(stats.elapsedMs / 1000).toFixed(1)}s — ${outcomes.map(([o, n]) => `${o}: ${n}`).join(', ') || 'nothing to do'}`,
  );
  const perService = Object.entries(stats.byService);
  for (const [svc, by] of perService.slice(0, SUMMARY_SERVICE_LINES)) {
    lines.push(
      `  ${svc}: ${Object.entries(by)
        .filter(([, n]) => n)
        .map(([o, n]) => `${o} ${n}`)
        .join(', ')}`,
    );
  }
  if (perService.length > SUMMARY_SERVICE_LINES) {
    lines.push(
      `  ... and ${perService.length - SUMMARY_SERVICE_LINES} more services (their records carry the rest)`,
    );
  }
  lines.push(
    `  latency p50 ${stats.latency.p50} ms, p95 ${stats.latency.p95} ms, p99 ${stats.latency.p99} ms; retries ${stats.retries} (quota ${stats.quotaRejections})`,
  );
  if (stats.skippedUnsuccessful)
    lines.push(
      `  ${stats.skippedUnsuccessful} skipped name(s) ended unsuccessfully in an earlier run (see previousOutcome)`,
    );
  if (stats.unread) lines.push('  stopped before the end of the input: the rest of it was not read');
  return `${lines.join('\n')}\n`;
}
