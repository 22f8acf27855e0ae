import { isSuccessOutcome } from '../outcome';
import { redactSecrets } from '../redaction/redact-secrets';
import type { BatchRecord } from './batch-record';
import type { BatchStats } from './batch-stats';
import { isFinalOutcome, JournalError, type JournalWriter } from './cancel-journal';
import { Fifo } from './fifo';
import { LatencyHistogram } from './latency-histogram';
import type { Wakeup } from './wakeup';

/** Records (or, in input order, lines) held before the reader waits: memory stays bounded. */
export const SINK_CAPACITY = 4096;

export interface RecordSinkOptions {
  stats: BatchStats;
  /** Final records are appended here (fsync'd) before they are yielded. */
  journal: JournalWriter | undefined;
  /** Yield in input order (`expect` each name line as it is read) rather than completion order. */
  ordered: boolean;
  wake: Wakeup;
  /** The first journal failure: the batch stops at once. */
  onJournalFailure: (error: JournalError) => void;
  /** Names queued or in flight, for the stats' `pending`. */
  pending: () => number;
  onProgress?: ((stats: BatchStats) => void) | undefined;
}

/**
 * Where every record of a batch goes on its way out: server text redacted, counted in the
 * stats, appended to the journal (a final record is yielded only once it is on disk), put in
 * input order when asked, and handed to the consumer through `take`.
 */
export class RecordSink {
  private readonly stats: BatchStats;
  private readonly hist = new LatencyHistogram();
  private readonly out = new Fifo<BatchRecord>();
  /** ordered: the lines read whose records are still to be yielded, and records that came early. */
  private readonly order = new Fifo<number>();
  private readonly held = new Map<number, BatchRecord>();
  private pendingJournal = 0;
  private lastProgress = 0;
  /** The first journal failure, and how many final records it kept from the output. */
  journalError: JournalError | undefined;
  unjournaled = 0;

  constructor(private readonly o: RecordSinkOptions) {
    this.stats = o.stats;
  }

  /** Account for one record and queue it for the consumer (after the journal has it, if `journaled` and final). */
  emit(rec: BatchRecord, journaled: boolean): void {
    // Every record (output and journal) passes here: server text that carries a token is redacted.
    if (rec.message) rec.message = redactSecrets(rec.message);
    if (rec.finalMessage) rec.finalMessage = redactSecrets(rec.finalMessage);
    const stats = this.stats;
    stats.done++;
    stats.byOutcome[rec.outcome] = (stats.byOutcome[rec.outcome] ?? 0) + 1;
    const serviceKey = rec.service || '(no service)';
    stats.byService[serviceKey] ??= {};
    const svc = stats.byService[serviceKey];
    svc[rec.outcome] = (svc[rec.outcome] ?? 0) + 1;
    if (rec.previousOutcome !== undefined && !isSuccessOutcome(rec.previousOutcome))
      stats.skippedUnsuccessful++;
    if (rec.attempts > 0) {
      stats.retries += rec.attempts - 1;
      this.hist.record(rec.latencyMs);
    }
    const journal = this.o.journal;
    if (journal && journaled && isFinalOutcome(rec.outcome)) {
      // A final record reaches the output only once it is on disk; one the journal failed to
      // take is not output at all (a rerun sends it again), and the batch stops at once.
      this.pendingJournal++;
      journal.append(rec).then(
        () => {
          this.pendingJournal--;
          this.queue(rec);
        },
        (e: unknown) => {
          this.pendingJournal--;
          this.unjournaled++;
          if (!this.journalError) {
            this.journalError =
              e instanceof JournalError ? e : new JournalError(journal.path, String(e), { cause: e });
            this.o.onJournalFailure(this.journalError);
          }
          this.o.wake.notify();
        },
      );
    } else this.queue(rec);
    if (this.o.onProgress) {
      const now = performance.now();
      if (now - this.lastProgress >= 100) {
        this.lastProgress = now;
        this.o.onProgress(this.snapshot());
      }
    }
  }

  /** ordered: the name on `line` was read; its record is yielded in this place. */
  expect(line: number): void {
    if (this.o.ordered) this.order.push(line);
  }

  /** ordered: the last line expected will get no record after all (the reader stopped on it). */
  unexpect(): void {
    if (this.o.ordered) this.order.pop();
  }

  /** The next record to yield, or undefined when none is ready. */
  take(): BatchRecord | undefined {
    if (!this.o.ordered) return this.out.shift();
    for (let rec = this.out.shift(); rec !== undefined; rec = this.out.shift())
      this.held.set(rec.line as number, rec);
    const next = this.order.peek();
    if (next === undefined) return undefined;
    const rec = this.held.get(next);
    if (rec === undefined) return undefined;
    this.order.shift();
    this.held.delete(next);
    return rec;
  }

  /** The reader should wait: the consumer has enough to take (or, in order, to wait for). */
  get full(): boolean {
    return this.out.length >= SINK_CAPACITY || this.order.length >= SINK_CAPACITY;
  }

  /** Records still on their way: in the journal's hands, or not yet taken. */
  get busy(): boolean {
    return this.pendingJournal > 0 || this.out.length > 0 || this.held.size > 0;
  }

  /** The stats with the derived numbers (latency percentiles, elapsed, pending) brought up to date. */
  snapshot(): BatchStats {
    const stats = this.stats;
    stats.latency = {
      p50: this.hist.quantile(0.5),
      p95: this.hist.quantile(0.95),
      p99: this.hist.quantile(0.99),
    };
    stats.elapsedMs = Date.now() - stats.startedAt;
    stats.pending = this.o.pending();
    return stats;
  }

  private queue(rec: BatchRecord): void {
    this.out.push(rec);
    this.o.wake.notify();
  }
}
