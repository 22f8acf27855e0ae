import { isSuccessOutcome, type Outcome } from '../outcome';

/** Running and final numbers of a batch. */
export interface BatchStats {
  /** Input name lines read so far (blank and comment lines excluded). */
  read: number;
  /** Records emitted (after a JournalError, also the final records it kept from the output). */
  done: number;
  byOutcome: Partial<Record<Outcome, number>>;
  byService: Record<string, Partial<Record<Outcome, number>>>;
  /** 'skipped' records whose journaled outcome was not a success (e.g. not-found): batchSucceeded is false. */
  skippedUnsuccessful: number;
  /** Retries: extra attempts made, plus quota re-queues. */
  retries: number;
  quotaRejections: number;
  latency: { p50: number; p95: number; p99: number };
  startedAt: number;
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
 */
export function batchSucceeded(stats: BatchStats): boolean {
  if (stats.skippedUnsuccessful > 0) return false;
  return Object.entries(stats.byOutcome).every(([o, n]) => !n || isSuccessOutcome(o as Outcome));
}
