import { isSuccessOutcome, type Outcome } from '../outcome';

/**
 * Running and final numbers of a batch.
 *
 * @example
 * ```ts
 * const { byOutcome, latency, retries } = run.stats;
 * console.log(byOutcome, `p99 ${latency.p99} ms`, `${retries} retries`);
 * ```
 */
export interface BatchStats {
  /** Input name lines read so far (blank and comment lines excluded). */
  read: number;
  /** Records emitted (after a JournalError, also the final records it kept from the output). */
  done: number;
  /** Records per outcome. */
  byOutcome: Partial<Record<Outcome, number>>;
  /** Records per service id, then per outcome. */
  byService: Record<string, Partial<Record<Outcome, number>>>;
  /** 'skipped' records whose journaled outcome was not a success (e.g. not-found): batchSucceeded is false. */
  skippedUnsuccessful: number;
  /** Retries: extra attempts made, plus quota re-queues. */
  retries: number;
  /** RESOURCE_EXHAUSTED answers (quota), each of which slowed its service down. */
  quotaRejections: number;
  /** Latency percentiles of the calls, in ms. */
  latency: {
    /** Median. */
    p50: number;
    /** 95th percentile. */
    p95: number;
    /** 99th percentile. */
    p99: number;
  };
  /** Date.now() when the run started. */
  startedAt: number;
  /** Time since the start, in ms. */
  elapsedMs: number;
  /** True when stopping left part of the input unread (stdin). */
  unread: boolean;
  /** Names still queued or in flight. */
  pending: number;
}

export function newBatchStats(): BatchStats {
  return {
    read: 0,
    done: 0,
    byOutcome: {},
    byService: {},
    skippedUnsuccessful: 0,
    retries: 0,
    quotaRejections: 0,
    latency: { p50: 0, p95: 0, p99: 0 },
    startedAt: Date.now(),
    elapsedMs: 0,
    unread: false,
    pending: 0,
  };
}

/**
 * True when every record of a finished batch is a success outcome, counting a 'skipped' one as
 * what the journal says its name ended as (a journaled not-found stays a failure on rerun).
 *
 * @example
 * ```ts
 * const run = cancelMany(names, { service: 'datastore' });
 * for await (const _ of run) {}
 * process.exitCode = batchSucceeded(run.stats) ? 0 : 1;
 * ```
 */
export function batchSucceeded(stats: BatchStats): boolean {
  if (stats.skippedUnsuccessful > 0) return false;
  return Object.entries(stats.byOutcome).every(([o, n]) => !n || isSuccessOutcome(o as Outcome));
}
