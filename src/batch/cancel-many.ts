import type { ConfirmOptions } from '../client/cancel-and-confirm';
import { callerOf, createOperationsCaller, type Canceller, type CancellerOptions } from '../client/canceller';
import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import { retryInfoDelayMs } from '../errors/translate-grpc-error';
import type { Outcome } from '../outcome';
import { MAX_NAME_LENGTH, parseOperationName, resolveServiceArg } from '../registry/operation-name';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy';
import { makeRecord, recordFromError, recordFromResult, type BatchRecord } from './batch-record';
import { newBatchStats, type BatchStats } from './batch-stats';
import {
  JournalError,
  journalKey,
  JournalWriter,
  readJournal,
  type JournalOpenOptions,
} from './cancel-journal';
import { classifyLine } from './input-lines';
import { LaneScheduler } from './lane-scheduler';
import { MAX_LINE_CHARS, OVERLONG_MARK } from './read-lines';
import { RecordSink, SINK_CAPACITY } from './record-sink';
import { RepeatedNames } from './repeated-names';
import type { LaneJob, ServiceLane } from './service-lane';
import { Wakeup } from './wakeup';

export type { BatchRecord } from './batch-record';
export type { BatchStats } from './batch-stats';
export { batchSucceeded } from './batch-stats';

/**
 * Codes of a name that ended as 'error' which say the service did not answer (down, unreachable,
 * or failing credentials, which grpc-js reports as UNAVAILABLE): they feed the breaker's probe.
 */
const TRANSIENT: ReadonlySet<number> = new Set([
  Code.UNAVAILABLE,
  Code.DEADLINE_EXCEEDED,
  Code.UNKNOWN,
  Code.INTERNAL,
  Code.CANCELLED,
]);

/** With no `concurrency` given, the most calls in flight the rate controller raises a service to. */
const AUTO_MAX_CONCURRENCY = 256;

/** Quota is the lanes' job (see start()): one shared object, so the canceller resolves it once. */
const BATCH_RETRY = Object.freeze({ retryResourceExhausted: false });

/**
 * Options of `cancelMany`: the canceller's options (or an existing `canceller`), plus concurrency, rate, journal, confirmation and ordering. Every field is optional; defaults are stated per field.
 *
 * @example
 * ```ts
 * cancelMany(names, { service: 'dataplex', concurrency: 64, rate: 500, journal: 'cancel.journal', confirm: true });
 * ```
 */
export interface BatchOptions extends CancellerOptions {
  /**
   * An existing canceller, as createCanceller returns it, to use (it is not closed at the end).
   * Otherwise one is made from these options.
   */
  canceller?: Canceller;
  /**
   * Calls in flight per service. By default a service starts at 64 and the quota controller
   * raises it to what its rate × latency needs (a far server), up to 256; a number
   * given here is a fixed ceiling.
   */
  concurrency?: number;
  /** Max calls per service in any one-second window. No limit by default. */
  rate?: number;
  /** Confirm each accepted cancel with GetOperation (true, or confirm options). */
  confirm?: boolean | ConfirmOptions;
  /**
   * Journal file: final records (FINAL_OUTCOMES) are appended (fsync'd) before they are yielded;
   * a rerun skips them. Locked for the run (a second run on it throws a JournalError at once);
   * not a regular file: TypeError. A failed journal write stops the batch and the iteration
   * throws a JournalError once every record that is on disk has been yielded.
   */
  journal?: string;
  /** Test hook: wraps the journal's file handle (to make its writes fail). @internal */
  journalWrapHandle?: JournalOpenOptions['wrapHandle'];
  /**
   * Circuit breaker, per service. After this many names in a row end `denied`, the service's
   * remaining names get `not-attempted`. After this many in a row end on a transient error
   * (UNAVAILABLE, DEADLINE_EXCEEDED, ... after their retries: the service looks down, or the
   * credentials fail), nothing new is sent for `probeDelayMs`, then one name is sent as a
   * fail-fast probe (one attempt, no waiting for the connection): an answer reopens the service,
   * another transient error ends its remaining names `not-attempted`, so the run ends soon and a
   * rerun with the journal picks them up. Defaults to 20.
   */
  breakerThreshold?: number;
  /** Rest before the half-open probe of a service that looks down, in ms. Defaults to 1 000. */
  probeDelayMs?: number;
  /** Deadline of the half-open probe, in ms. Defaults to 5 000. */
  probeTimeoutMs?: number;
  /** Calls in flight across all services. Defaults to 1 024, or `concurrency` if higher. */
  maxInFlight?: number;
  /**
   * Most services in one run (each has its own connection and concurrency). Names of services
   * past it get `not-attempted`. Defaults to 100.
   */
  maxServices?: number;
  /**
   * Send each distinct (service, name) once: its later lines get a record with the first's
   * outcome and code, `duplicateOf` (the first's line) and `attempts: 0`. Costs ~22 bytes per
   * distinct name for the run. Defaults to true.
   */
  dedupe?: boolean;
  /** Stop: no new calls; in-flight calls get `graceMs` to finish, then are aborted. */
  signal?: AbortSignal;
  /** Grace for in-flight calls after `signal`, in ms. Defaults to 10 000. */
  graceMs?: number;
  /**
   * After `signal`: 'drain' (default) keeps reading the input and gives every remaining name
   * a 'not-attempted' record; 'stop' stops reading (for stdin) and sets `stats.unread`.
   */
  onAbort?: 'drain' | 'stop';
  /**
   * What a quota rejection adjusts: 'rate' (default) paces each service at a target rate learnt
   * from what its server accepted; 'aimd' halves the service's concurrency instead (the older
   * controller, kept for comparison in the benchmark). @internal
   */
  quotaControl?: 'rate' | 'aimd';
  /** Max quota rejections (RESOURCE_EXHAUSTED) one name may meet before it ends as 'error'. Defaults to 50. */
  maxQuotaRejections?: number;
  /**
   * Calls wait for a channel that is down to (re)connect, within each attempt's deadline, rather
   * than failing at once (gRPC wait-for-ready): a server restart does not burn every name's
   * attempts. Defaults to true; the CLI's `cancel` turns it off, so a few names against a server
   * that is not there fail fast with UNAVAILABLE and its reason.
   */
  waitForReady?: boolean;
  /**
   * What the items of `names` are. 'lines' (default): lines of a file — a UTF-8 BOM, a trailing
   * CR and surrounding spaces are removed, blank lines and `#` comments skipped (but counted).
   * 'names': each item is one name exactly as given (the CLI's `cancel` arguments).
   */
  input?: 'lines' | 'names';
  /**
   * Yield records in input order instead of completion order. Memory stays bounded: reading waits
   * while 4,096 names are read but not yet yielded (a slow first name holds the rest back).
   */
  ordered?: boolean;
  /** Called (at most every ~100 ms) with the running stats. */
  onProgress?: (stats: BatchStats) => void;
}

/**
 * A running batch: iterate it for the records; `stats` is live.
 *
 * @example
 * ```ts
 * const run: BatchRun = cancelMany(names, { service: 'datastore' });
 * for await (const record of run) console.log(JSON.stringify(record));
 * console.log(run.stats.byOutcome);
 * ```
 */
export interface BatchRun extends AsyncIterable<BatchRecord> {
  /** Counts so far (live while iterating), final once the iteration ends. */
  readonly stats: BatchStats;
}

/**
 * Cancel many operations: stream names in (relative with `service`, or `//host/...` full
 * names to mix services), one record out per name line, in completion order (or input order
 * with `ordered`). Memory stays flat: input is read only as fast as calls finish.
 *
 * @example
 * ```ts
 * const run = cancelMany(['projects/p/operations/a', 'projects/p/operations/b'], { service: 'datastore', concurrency: 16 });
 * for await (const record of run) console.log(record.name, record.outcome);
 * console.log(batchSucceeded(run.stats));
 * ```
 */
export function cancelMany(
  names: Iterable<string> | AsyncIterable<string>,
  options: BatchOptions = {},
): BatchRun {
  const stats = newBatchStats();
  return {
    stats,
    [Symbol.asyncIterator]: () => run(names, options, stats),
  };
}

/**
 * No concurrency given: the rate controller may go past 64 for a far server, up to 256 (a
 * second's worth at 256/s and 1 s latency; at 1,024 a batch stopped by a failing output had
 * sent far more than it could record). Undefined when the lanes keep the concurrency given.
 */
function autoLaneMax(options: BatchOptions, limits: { maxInFlight: number }): number | undefined {
  return options.concurrency === undefined && options.quotaControl !== 'aimd'
    ? Math.min(AUTO_MAX_CONCURRENCY, limits.maxInFlight)
    : undefined;
}

/**
 * The REST connections per service a run of `options` needs: over REST a service's requests in
 * flight are bounded by its connections (one request each), so one per slot, as many as a lane
 * may ever have — a pool sized at the starting concurrency would cap the controller's growth.
 * For a canceller made to be shared with cancelMany (`restConnectionsPerService`).
 */
export function batchConnectionsPerService(options: BatchOptions): number {
  const limits = limitsOf(options);
  return autoLaneMax(options, limits) ?? limits.concurrency;
}

/** The run's numbers, checked before anything is opened or sent. */
function limitsOf(options: BatchOptions): {
  concurrency: number;
  maxInFlight: number;
  maxServices: number;
  breakerThreshold: number;
} {
  const concurrency = options.concurrency ?? 64;
  const limits = {
    concurrency,
    maxInFlight: options.maxInFlight ?? Math.max(1024, concurrency),
    maxServices: options.maxServices ?? 100,
    breakerThreshold: options.breakerThreshold ?? 20,
  };
  for (const [key, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${key} must be an integer >= 1, got ${v}`);
  }
  if (options.rate !== undefined && (!Number.isInteger(options.rate) || options.rate < 1)) {
    throw new RangeError(`rate must be an integer >= 1, got ${options.rate}`);
  }
  if (
    options.quotaControl !== undefined &&
    options.quotaControl !== 'rate' &&
    options.quotaControl !== 'aimd'
  ) {
    throw new RangeError(`quotaControl must be 'rate' or 'aimd', got ${String(options.quotaControl)}`);
  }
  return limits;
}

/**
 * One batch: the reader turns lines into jobs, the scheduler starts their calls under the
 * limits, each call's end becomes a record, and the sink hands records to the consumer (this
 * generator). A stop (signal, journal failure, input error, the consumer leaving) ends the
 * scheduler; every name still gets its record.
 */
async function* run(
  names: Iterable<string> | AsyncIterable<string>,
  options: BatchOptions,
  stats: BatchStats,
): AsyncGenerator<BatchRecord> {
  const limits = limitsOf(options);
  // A quota wait counts against the name's total deadline, as a retry wait does in a single call.
  const totalTimeoutMs = options.retry?.totalTimeoutMs ?? DEFAULT_RETRY_POLICY.totalTimeoutMs;
  const maxQuota = options.maxQuotaRejections ?? 50;
  const confirm = options.confirm === true ? {} : options.confirm || undefined;
  // Locked (and a torn tail cut) before it is read, so no other run appends meanwhile.
  const journal = options.journal
    ? await JournalWriter.open(options.journal, { wrapHandle: options.journalWrapHandle })
    : undefined;
  let previous: Map<string, Outcome> | undefined;
  try {
    previous = options.journal ? await readJournal(options.journal, { signal: options.signal }) : undefined;
  } catch (e) {
    await journal?.close().catch(() => undefined);
    throw e;
  }
  const laneMax = autoLaneMax(options, limits);
  const caller = options.canceller
    ? callerOf(options.canceller)
    : createOperationsCaller({ restConnectionsPerService: laneMax ?? limits.concurrency, ...options });
  const ownsCaller = options.canceller === undefined;
  const hardAbort = new AbortController();
  // Ending calls in flight: with our own canceller, close() ends them all at once (each reports
  // 'aborted'), so calls need no signal: with one, every retry wait and confirm poll would also
  // build an AbortSignal.any of it and the canceller's own. A caller's canceller must stay open,
  // so then each call gets hardAbort's signal instead (one listener per channel, not per call).
  const callSignal = ownsCaller ? undefined : hardAbort.signal;
  if (ownsCaller) hardAbort.signal.addEventListener('abort', () => void caller.close(), { once: true });
  // The same for every call (the name's service travels in its job): built once, not per call.
  const callOptions = { signal: callSignal, retry: BATCH_RETRY, waitForReady: options.waitForReady ?? true };
  // The half-open probe of a service that looks down: one attempt, failing fast, so it tells soon.
  const probeTimeoutMs = options.probeTimeoutMs ?? 5000;
  const probeOptions = {
    signal: callSignal,
    retry: {
      ...BATCH_RETRY,
      maxAttempts: 1,
      perAttemptTimeoutMs: probeTimeoutMs,
      totalTimeoutMs: probeTimeoutMs,
    },
    waitForReady: false,
  };

  const wake = new Wakeup();
  const repeats = options.dedupe === false ? undefined : new RepeatedNames();
  let stopping = false;
  let graceTimer: NodeJS.Timeout | undefined;

  const scheduler: LaneScheduler = new LaneScheduler(
    {
      ...limits,
      ...(laneMax !== undefined ? { concurrency: laneMax, initialConcurrency: limits.concurrency } : {}),
      ratePerSecond: options.rate,
      probeDelayMs: options.probeDelayMs ?? 1000,
      quotaControl: options.quotaControl,
    },
    (lane, job) => void call(lane, job),
    (lane) => {
      if (options.rate === undefined) return;
      // The rate is promised at the server: calls started while the first connection is being
      // made would arrive there together. Hold the lane until its channel is up (a failure here
      // is left to the calls themselves to report).
      lane.pausedUntil = Infinity;
      const release = (): void => {
        lane.pausedUntil = 0;
        scheduler.pump();
      };
      caller.connect(lane.id, 5_000).then(release, release);
    },
  );
  const sink = new RecordSink({
    stats,
    journal,
    ordered: options.ordered === true,
    wake,
    pending: () => scheduler.pending,
    onProgress: options.onProgress,
    onJournalFailure: (error) => {
      stop();
      hardAbort.abort(error);
    },
  });

  /** Out with a record; a name's first line also settles the lines that repeat it. */
  const emit = (rec: BatchRecord, journaled: boolean, seenId = -1): void => {
    sink.emit(rec, journaled);
    if (seenId !== -1 && repeats) for (const r of repeats.settle(seenId, rec)) sink.emit(r, false);
  };
  const notAttempted = (job: LaneJob, why: string): BatchRecord =>
    makeRecord(job.line, job.name, job.service, 'not-attempted', 'CANCELLED', why, 0, 0);

  /** One name's call, from start to record. Ends with scheduler.finished (or requeue): its slot is freed. */
  const call = async (lane: ServiceLane, job: LaneJob): Promise<void> => {
    const started = performance.now();
    if (job.firstSentAt === 0) job.firstSentAt = started;
    const opts = job.probe ? probeOptions : callOptions;
    try {
      const result = confirm
        ? await caller.cancelAndConfirm(job.name, { ...confirm, ...opts, service: job.service })
        : await caller.cancelResolved(job.target, opts);
      lane.onSuccess();
      emit(recordFromResult(result, job.line), true, job.seenId);
    } catch (e) {
      const err = e instanceof OperationsError ? e : undefined;
      let outOfTime = false;
      if (err && err.code === Code.RESOURCE_EXHAUSTED && !stopping && job.quotaRejections < maxQuota) {
        const now = performance.now();
        // Without RetryInfo it is still a quota signal: the lane pauses on its own schedule.
        const info = retryInfoDelayMs(err);
        const delay = info === undefined ? lane.ownQuotaDelay(now, started) : Math.max(info, 50);
        if (now + delay - job.firstSentAt < totalTimeoutMs) {
          // Quota: slow the whole service down and try this name again; its attempts are not spent.
          job.quotaRejections++;
          job.probe = false;
          stats.quotaRejections++;
          stats.retries++;
          lane.onAnswered();
          lane.onQuota(now, delay);
          scheduler.requeue(lane, job);
          wake.notify();
          return;
        }
        // Waiting again would outlive the name's total deadline: it ends with the quota error.
        outOfTime = true;
      }
      const rec = recordFromError(e, {
        name: job.name,
        service: job.service,
        line: job.line,
        latencyMs: round(performance.now() - started),
      });
      if (outOfTime)
        rec.message = `${rec.message} (after ${job.quotaRejections} quota rejection(s); waiting again would pass the total timeout of ${totalTimeoutMs} ms)`;
      let closed = false;
      if (rec.outcome === 'denied') closed = lane.onDenied();
      else if (rec.outcome === 'error' && TRANSIENT.has(err?.code ?? Code.UNKNOWN))
        closed = lane.onTransient(performance.now(), job, `${rec.code}: ${rec.message}`);
      else if (rec.outcome !== 'aborted') lane.onAnswered();
      emit(rec, rec.outcome !== 'aborted', job.seenId);
      if (closed)
        for (const j of lane.drain()) emit(notAttempted(j, lane.closedReason as string), true, j.seenId);
    }
    // Anything but a quota rejection got past the quota: the rate the service accepts.
    const ended = performance.now();
    lane.onPassed(ended, ended - started);
    scheduler.finished(lane);
    wake.notify();
  };

  /** No new calls; queued names get not-attempted; calls in flight get the grace, then are aborted. */
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const j of scheduler.stop()) emit(notAttempted(j, 'stopped before it was sent'), false, j.seenId);
    graceTimer = setTimeout(() => hardAbort.abort(new Error('grace period over')), options.graceMs ?? 10_000);
    graceTimer.unref();
    wake.notify();
  };
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });

  // The reader runs beside the consumer loop below; it waits while its service's queue or the
  // sink is full, and stops at once when the consumer leaves (its return() closes the input).
  let abandoned = false;
  let readerDone = false;
  let readerError: unknown;
  const reader = readNames(names, {
    options,
    stats,
    sink,
    scheduler,
    repeats,
    previous,
    parseOptions: { ...caller.nameOptions, service: serviceOnce(options.service) }, // the canceller's allowed hosts
    // Read ahead of a service by one round of calls (at least 32 names), not more: a name that
    // waits long in a paced queue (at 400/s, 4 rounds of 64 are 640 ms) outlives V8's young-
    // generation collections and is promoted, so old space grows with garbage (bench scenario 6:
    // CLI peak RSS at 100 ms 219 -> 203 MB, median of 3).
    maxQueued: Math.max(limits.concurrency, 32),
    isStopping: () => stopping,
    isAbandoned: () => abandoned,
    wake,
    emit,
    notAttempted,
  }).then(
    () => {
      readerDone = true;
      wake.notify();
    },
    (e: unknown) => {
      readerError = e;
      readerDone = true;
      stop();
    },
  );

  let finished = false;
  try {
    for (;;) {
      for (let rec = sink.take(); rec !== undefined; rec = sink.take()) {
        yield rec;
        wake.notify(); // the reader may be waiting for output space
      }
      // 'stop' mode does not wait for the reader: it may sit on a stdin that never sends
      // another line. What it had read is accounted for; the rest is reported unread.
      const readerFinished = readerDone || (stopping && options.onAbort === 'stop');
      if (readerFinished && !scheduler.busy && !sink.busy) break;
      await wake.sleep();
    }
    if (readerDone) await reader;
    else stats.unread = true;
    if (readerError) throw readerError;
    if (sink.journalError) {
      throw new JournalError(
        sink.journalError.path,
        `${sink.journalError.reason}; the batch stopped, and ${sink.unjournaled} final record(s) that could not be journaled were not output (run again with the same journal to send them again)`,
        { cause: sink.journalError },
      );
    }
    finished = true;
  } finally {
    if (!finished) {
      // The consumer stopped early (break / throw): stop calling and end what is in flight, and
      // let the reader see it (it may be waiting for output space that will never come).
      abandoned = true;
      stop();
      hardAbort.abort(new Error('batch consumer stopped'));
      wake.notify();
    }
    options.signal?.removeEventListener('abort', stop);
    if (graceTimer) clearTimeout(graceTimer);
    scheduler.dispose();
    sink.snapshot();
    // A journal failure was thrown above; or the consumer stopped early and wants no more records.
    await journal?.close().catch(() => undefined);
    if (ownsCaller) await caller.close();
    options.onProgress?.(sink.snapshot());
  }
}

interface ReaderContext {
  options: BatchOptions;
  stats: BatchStats;
  sink: RecordSink;
  scheduler: LaneScheduler;
  repeats: RepeatedNames | undefined;
  /** journalKey → outcome of the names a journal holds as final. */
  previous: Map<string, Outcome> | undefined;
  parseOptions: Parameters<typeof parseOperationName>[1];
  maxQueued: number;
  isStopping: () => boolean;
  isAbandoned: () => boolean;
  wake: Wakeup;
  emit: (rec: BatchRecord, journaled: boolean, seenId?: number) => void;
  notAttempted: (job: LaneJob, why: string) => BatchRecord;
}

/**
 * The reader: every input item becomes exactly one record, or one job for the scheduler (whose
 * call makes the record). Invalid names, names a journal holds as final, repeats of a name sent
 * already, names of closed services and names read while stopping get their records here.
 */
async function readNames(names: Iterable<string> | AsyncIterable<string>, c: ReaderContext): Promise<void> {
  const { options, stats, sink, scheduler, repeats, wake, emit } = c;
  const asNames = options.input === 'names';
  /** Wait while `busy` holds (or the output is full); false once the consumer has left. */
  const waitWhile = async (busy: () => boolean): Promise<void> => {
    while (!c.isAbandoned() && (sink.full || busy())) await wake.sleep();
  };
  const never = (): boolean => false;
  let line = 0;
  for await (const raw of names as AsyncIterable<string>) {
    // Output space first: lines that need no call (invalid, skipped, repeated) must not run ahead
    // either; in input order, the records held back behind a slow earlier line count too.
    await waitWhile(never);
    // The consumer left (break, throw): stop reading, which closes the input (its return()).
    if (c.isAbandoned()) break;
    line++;
    const item = asNames
      ? { kind: 'name' as const, line, text: typeof raw === 'string' ? raw : String(raw) }
      : classifyLine(raw, line);
    if (item.kind === 'skip') continue;
    stats.read++;
    sink.expect(line);
    let parsed: ReturnType<typeof parseOperationName>;
    try {
      if (item.text.endsWith(OVERLONG_MARK)) {
        throw new OperationsError(
          Code.INVALID_ARGUMENT,
          `line is longer than ${MAX_LINE_CHARS} characters; an operation name is at most ${MAX_NAME_LENGTH}`,
          { outcome: 'invalid-name' },
        );
      }
      parsed = parseOperationName(item.text, c.parseOptions);
    } catch (e) {
      emit(recordFromError(e, { name: item.text, line }), true);
      continue;
    }
    const job: LaneJob = {
      line,
      text: item.text,
      name: parsed.name,
      service: parsed.service.id,
      target: parsed,
      quotaRejections: 0,
      firstSentAt: 0,
      seenId: -1,
    };
    // Before the stop check: a name already final stays 'skipped', whatever stops this run.
    const prev = c.previous?.get(journalKey(job.service, job.name));
    if (prev !== undefined) {
      const skipped = makeRecord(line, job.name, job.service, 'skipped', 'OK', '', 0, 0);
      skipped.previousOutcome = prev;
      emit(skipped, false);
      continue;
    }
    if (c.isStopping()) {
      if (options.onAbort === 'stop') {
        stats.unread = true;
        stats.read--;
        sink.unexpect();
        break;
      }
      emit(c.notAttempted(job, 'stopped before it was sent'), false);
      continue;
    }
    if (repeats) {
      // Sent already (or on its way): this line gets the first line's result, not a second call.
      const seen = repeats.check(line, job.service, job.name);
      if (typeof seen !== 'number') {
        if ('record' in seen) emit(seen.record, false);
        await waitWhile(() => repeats.waitingLines >= SINK_CAPACITY);
        continue;
      }
      job.seenId = seen;
    }
    const lane = scheduler.laneFor(job.service);
    if (lane === undefined || lane.closedReason !== undefined) {
      const why =
        lane?.closedReason ??
        `more than ${options.maxServices ?? 100} services in one run (maxServices): split the input by service, or raise the limit`;
      emit(c.notAttempted(job, why), true, job.seenId);
      continue;
    }
    scheduler.submit(lane, job);
    await waitWhile(() => !c.isStopping() && lane.queued >= c.maxQueued);
  }
}

/**
 * The batch's service, resolved once rather than on every line; an unknown one is passed on
 * as it is, so that every line reports it (the batch's promise: one record per name).
 */
function serviceOnce(service: BatchOptions['service']): BatchOptions['service'] {
  if (typeof service !== 'string') return service;
  try {
    return resolveServiceArg(service);
  } catch {
    return service;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
