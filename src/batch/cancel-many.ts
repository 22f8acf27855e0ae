import type { ConfirmOptions } from '../client/cancel-and-confirm';
import { callerOf, createOperationsCaller, type Canceller, type CancellerOptions } from '../client/canceller';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy';
import { OperationsError } from '../errors/operations-error';
import { Code, codeName, parseCode, type CodeName } from '../errors/status-code';
import { retryInfoDelayMs } from '../errors/translate-grpc-error';
import { isSuccessOutcome, type Outcome } from '../outcome';
import { MAX_NAME_LENGTH, parseOperationName, resolveServiceArg } from '../registry/operation-name';
import { redactSecrets } from '../transport/redact-secrets';
import { recordFromError, recordFromResult, type BatchRecord } from './batch-record';

export type { BatchRecord } from './batch-record';
import { isFinalOutcome, JournalError, journalKey, JournalWriter, readJournal, type JournalOpenOptions } from './cancel-journal';
import { classifyLine } from './input-lines';
import { LatencyHistogram } from './latency-histogram';
import { MAX_LINE_CHARS, OVERLONG_MARK } from './read-lines';
import { Fifo } from './fifo';
import { SeenNames } from './seen-names';
import { ServiceLane, type LaneJob } from './service-lane';

/**
 * Codes of a name that ended as 'error' which say the service did not answer (down, unreachable,
 * or failing credentials, which grpc-js reports as UNAVAILABLE): they feed the breaker's probe.
 */
const TRANSIENT: ReadonlySet<number> = new Set([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.UNKNOWN, Code.INTERNAL, Code.CANCELLED]);

/** Quota is the lanes' job (see start()): one shared object, so the canceller resolves it once. */
const BATCH_RETRY = Object.freeze({ retryResourceExhausted: false });

export interface BatchOptions extends CancellerOptions {
  /**
   * An existing canceller, as createCanceller returns it, to use (it is not closed at the end).
   * Otherwise one is made from these options.
   */
  canceller?: Canceller;
  /** Calls in flight per service. Defaults to 64. */
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
  /** Max quota rejections (RESOURCE_EXHAUSTED) one name may meet before it ends as 'error'. Defaults to 50. */
  maxQuotaRejections?: number;
  /** Called (at most every ~100 ms) with the running stats. */
  onProgress?: (stats: BatchStats) => void;
}

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

/** A running batch: iterate it for the records; `stats` is live. */
export interface BatchRun extends AsyncIterable<BatchRecord> {
  readonly stats: BatchStats;
}

/**
 * Cancel many operations: stream names in (relative with `service`, or `//host/...` full
 * names to mix services), one record out per name line, in completion order.
 * Memory stays flat: input is read only as fast as calls finish.
 */
export function cancelMany(names: Iterable<string> | AsyncIterable<string>, options: BatchOptions = {}): BatchRun {
  const stats: BatchStats = {
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
  return {
    stats,
    [Symbol.asyncIterator]: () => run(names, options, stats),
  };
}

async function* run(names: Iterable<string> | AsyncIterable<string>, options: BatchOptions, stats: BatchStats): AsyncGenerator<BatchRecord> {
  const concurrency = options.concurrency ?? 64;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  if (options.rate !== undefined && (!Number.isInteger(options.rate) || options.rate < 1)) {
    throw new RangeError(`rate must be an integer >= 1, got ${options.rate}`);
  }
  const breakerThreshold = options.breakerThreshold ?? 20;
  const probeDelayMs = options.probeDelayMs ?? 1000;
  const maxInFlight = options.maxInFlight ?? Math.max(1024, concurrency);
  const maxServices = options.maxServices ?? 100;
  for (const [key, v] of [['maxInFlight', maxInFlight], ['maxServices', maxServices], ['breakerThreshold', breakerThreshold]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${key} must be an integer >= 1, got ${v}`);
  }
  // A quota wait counts against the name's total deadline, as a retry wait does in a single call.
  const totalTimeoutMs = options.retry?.totalTimeoutMs ?? DEFAULT_RETRY_POLICY.totalTimeoutMs;
  const seen = options.dedupe === false ? undefined : new SeenNames();
  /** Lines waiting for the record of the same name's first line (still in flight). */
  const repeats = new Map<number, number[]>();
  let repeatsWaiting = 0;
  const graceMs = options.graceMs ?? 10_000;
  const maxQuota = options.maxQuotaRejections ?? 50;
  const confirm = options.confirm === true ? {} : options.confirm || undefined;
  // Locked (and a torn tail cut) before it is read, so no other run appends meanwhile.
  const journal = options.journal ? await JournalWriter.open(options.journal, { wrapHandle: options.journalWrapHandle }) : undefined;
  let previous: Map<string, Outcome> | undefined;
  try {
    previous = options.journal ? await readJournal(options.journal, { signal: options.signal }) : undefined;
  } catch (e) {
    await journal?.close().catch(() => undefined);
    throw e;
  }
  const caller = options.canceller ? callerOf(options.canceller) : createOperationsCaller(options);
  const ownsCaller = options.canceller === undefined;
  const hist = new LatencyHistogram();
  const lanes = new Map<string, ServiceLane>();
  const hardAbort = new AbortController();
  // Ending calls in flight: with our own canceller, close() ends them all at once (each reports
  // 'aborted'), so calls need no signal: with one, every retry wait and confirm poll would also
  // build an AbortSignal.any of it and the canceller's own. A caller's canceller must stay open,
  // so then each call gets hardAbort's signal instead (one listener per channel, not per call).
  const callSignal = ownsCaller ? undefined : hardAbort.signal;
  if (ownsCaller) hardAbort.signal.addEventListener('abort', () => void caller.close(), { once: true });
  // The same for every call (the name's service travels in its job): built once, not per call.
  const callOptions = { signal: callSignal, retry: BATCH_RETRY, waitForReady: true };
  // The half-open probe of a service that looks down: one attempt, failing fast, so it tells soon.
  const probeTimeoutMs = options.probeTimeoutMs ?? 5000;
  const probeOptions = {
    signal: callSignal,
    retry: { ...BATCH_RETRY, maxAttempts: 1, perAttemptTimeoutMs: probeTimeoutMs, totalTimeoutMs: probeTimeoutMs },
    waitForReady: false,
  };
  const out = new Fifo<BatchRecord>();
  // The reader and the consumer both sleep until something changes; notify wakes them all.
  // Wakes are coalesced to one per turn of the event loop: calls complete in bursts (one socket
  // read carries many replies), and waking the reader and the consumer per record cost more
  // than the records themselves. setImmediate runs once that burst is taken in.
  let waiters: Array<() => void> = [];
  let wakeScheduled = false;
  const wake = (): void => {
    wakeScheduled = false;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const notify = (): void => {
    if (waiters.length === 0 || wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(wake);
  };
  const sleepUntilWoken = (): Promise<void> => new Promise<void>((r) => waiters.push(r));
  let stopping = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let pendingJournal = 0;
  // The first journal failure, and how many final records it kept from the output.
  let journalError: JournalError | undefined;
  let unjournaled = 0;
  let lastProgress = 0;

  const emit = (rec: BatchRecord, journaled: boolean, seenId = -1): void => {
    // Every record (output and journal) passes here: server text that carries a token is redacted.
    if (rec.message) rec.message = redactSecrets(rec.message);
    if (rec.finalMessage) rec.finalMessage = redactSecrets(rec.finalMessage);
    if (seenId !== -1) settleRepeats(rec, seenId);
    stats.done++;
    stats.byOutcome[rec.outcome] = (stats.byOutcome[rec.outcome] ?? 0) + 1;
    const svc = (stats.byService[rec.service || '(no service)'] ??= {});
    svc[rec.outcome] = (svc[rec.outcome] ?? 0) + 1;
    if (rec.previousOutcome !== undefined && !isSuccessOutcome(rec.previousOutcome)) stats.skippedUnsuccessful++;
    if (rec.attempts > 0) {
      stats.retries += rec.attempts - 1;
      hist.record(rec.latencyMs);
    }
    if (journal && journaled && isFinalOutcome(rec.outcome)) {
      // A final record reaches the output only once it is on disk; one the journal failed to
      // take is not output at all (a rerun sends it again), and the batch stops at once.
      pendingJournal++;
      journal.append(rec).then(
        () => {
          pendingJournal--;
          out.push(rec);
          notify();
        },
        (e: unknown) => {
          pendingJournal--;
          unjournaled++;
          journalError ??= e instanceof JournalError ? e : new JournalError(journal.path, String(e), { cause: e });
          onStop();
          hardAbort.abort(journalError);
          notify();
        },
      );
    } else {
      out.push(rec);
      notify();
    }
    if (options.onProgress) {
      const now = performance.now();
      if (now - lastProgress >= 100) {
        lastProgress = now;
        options.onProgress(snapshot());
      }
    }
  };

  const snapshot = (): BatchStats => {
    stats.latency = { p50: hist.quantile(0.5), p95: hist.quantile(0.95), p99: hist.quantile(0.99) };
    stats.elapsedMs = Date.now() - stats.startedAt;
    let pending = 0;
    for (const lane of lanes.values()) pending += lane.queued + lane.inflight;
    stats.pending = pending;
    return stats;
  };

  /** The first line of a repeated name has its record: the lines that waited for it get theirs. */
  const settleRepeats = (rec: BatchRecord, seenId: number): void => {
    (seen as SeenNames).settle(seenId, rec.outcome, rec.code === 'OK' ? Code.OK : (parseCode(rec.code) ?? Code.UNKNOWN));
    const waiting = repeats.get(seenId);
    if (!waiting) return;
    repeats.delete(seenId);
    repeatsWaiting -= waiting.length;
    for (const line of waiting) emit(repeatRecord(line, rec, rec.outcome, rec.code, rec.line ?? 0), false);
  };

  const notAttempted = (job: LaneJob, why: string): BatchRecord => ({
    line: job.line,
    name: job.name,
    service: job.service,
    outcome: 'not-attempted',
    code: 'CANCELLED',
    message: why,
    attempts: 0,
    latencyMs: 0,
  });

  const laneList: ServiceLane[] = [];
  let laneCursor = 0;
  let inflightTotal = 0;
  const laneFor = (service: string): ServiceLane | undefined => {
    let lane = lanes.get(service);
    if (!lane) {
      if (lanes.size >= maxServices) return undefined;
      const l = new ServiceLane(service, { concurrency, ratePerSecond: options.rate, breakerThreshold, probeDelayMs });
      lanes.set(service, l);
      laneList.push(l);
      if (options.rate !== undefined) {
        // The rate is promised at the server: calls started while the first connection is
        // being made would arrive there together. Hold the lane until its channel is up
        // (a failure here is left to the calls themselves to report).
        l.pausedUntil = Infinity;
        const release = (): void => {
          l.pausedUntil = 0;
          pump();
        };
        caller.connect(service, 5_000).then(release, release);
      }
      lane = l;
    }
    return lane;
  };

  let pumpTimer: NodeJS.Timeout | undefined;
  let pumpAt = Infinity;
  const pump = (): void => {
    if (stopping) return;
    const now = performance.now();
    let soonest = Infinity;
    // Round robin over the services, one start each per round, under the run's in-flight bound;
    // the first service looked at turns too, so none waits behind another for the freed slots.
    const n = laneList.length;
    for (let started = true; started && inflightTotal < maxInFlight; ) {
      started = false;
      for (let k = 0; k < n && inflightTotal < maxInFlight; k++) {
        const lane = laneList[(laneCursor + k) % n] as ServiceLane;
        const next = lane.next(now);
        if (next === undefined) continue;
        if (typeof next === 'number') {
          soonest = Math.min(soonest, next);
          continue;
        }
        inflightTotal++;
        started = true;
        void start(lane, next);
      }
    }
    if (n > 1) laneCursor = (laneCursor + 1) % n;
    if (soonest < Infinity && soonest < pumpAt) {
      if (pumpTimer) clearTimeout(pumpTimer);
      pumpAt = soonest;
      pumpTimer = setTimeout(() => {
        pumpTimer = undefined;
        pumpAt = Infinity;
        pump();
      }, Math.max(1, soonest - now));
    }
  };

  const start = async (lane: ServiceLane, job: LaneJob): Promise<void> => {
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
        const delay = Math.max(retryInfoDelayMs(err) ?? 1000, 50);
        if (now + delay - job.firstSentAt < totalTimeoutMs) {
          // Quota: slow the whole service down and try this name again; its attempts are not spent.
          job.quotaRejections++;
          job.probe = false;
          stats.quotaRejections++;
          stats.retries++;
          lane.onAnswered();
          lane.onQuota(now, delay);
          lane.unshift(job);
          return finish(lane);
        }
        // Waiting again would outlive the name's total deadline: it ends with the quota error.
        outOfTime = true;
      }
      const rec = recordFromError(e, { name: job.name, service: job.service, line: job.line, latencyMs: round(performance.now() - started) });
      if (outOfTime) rec.message = `${rec.message ?? ''} (after ${job.quotaRejections} quota rejection(s); waiting again would pass the total timeout of ${totalTimeoutMs} ms)`;
      const closed =
        rec.outcome === 'denied'
          ? lane.onDenied()
          : rec.outcome === 'error' && TRANSIENT.has(err?.code ?? Code.UNKNOWN)
            ? lane.onTransient(performance.now(), job, `${rec.code}: ${rec.message ?? ''}`)
            : (rec.outcome !== 'aborted' && lane.onAnswered(), false);
      emit(rec, rec.outcome !== 'aborted', job.seenId);
      if (closed) for (const j of lane.drain()) emit(notAttempted(j, lane.closedReason as string), true, j.seenId);
    }
    finish(lane);
  };

  /** A call of `lane` is over (or went back to the queue): free its slot and start what may start. */
  const finish = (lane: ServiceLane): void => {
    lane.inflight--;
    inflightTotal--;
    pump();
    notify();
  };

  const onStop = (): void => {
    if (stopping) return;
    stopping = true;
    if (pumpTimer) clearTimeout(pumpTimer);
    for (const lane of lanes.values()) for (const j of lane.drain()) emit(notAttempted(j, 'stopped before it was sent'), false, j.seenId);
    graceTimer = setTimeout(() => hardAbort.abort(new Error('grace period over')), graceMs);
    graceTimer.unref();
    notify();
  };
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });

  // Reader: runs beside the consumer loop below; waits while the service's queue or the output is full.
  let readerDone = false;
  let abandoned = false;
  let readerError: unknown;
  const maxQueued = concurrency * 4;
  const parseOptions = { ...caller.nameOptions, service: serviceOnce(options.service) }; // the canceller's allowed hosts
  const reader = (async () => {
    let line = 0;
    for await (const raw of names as AsyncIterable<string>) {
      // Output space first: lines that need no call (invalid, skipped, repeated) must not run ahead either.
      while (!abandoned && out.length >= 4096) await sleepUntilWoken();
      // The consumer left (break, throw): stop reading, which closes the input (its return()).
      if (abandoned) break;
      line++;
      const item = classifyLine(raw, line);
      if (item.kind === 'skip') continue;
      stats.read++;
      let parsed;
      try {
        if (item.text.endsWith(OVERLONG_MARK)) {
          throw new OperationsError(Code.INVALID_ARGUMENT, `line is longer than ${MAX_LINE_CHARS} characters; an operation name is at most ${MAX_NAME_LENGTH}`, { outcome: 'invalid-name' });
        }
        parsed = parseOperationName(item.text, parseOptions);
      } catch (e) {
        emit(recordFromError(e, { name: item.text, line }), true);
        continue;
      }
      const job: LaneJob = { line, text: item.text, name: parsed.name, service: parsed.service.id, target: parsed, quotaRejections: 0, firstSentAt: 0, seenId: -1 };
      // Before the stop check: a name already final stays 'skipped', whatever stops this run.
      const prev = previous?.get(journalKey(job.service, job.name));
      if (prev !== undefined) {
        emit({ line, name: job.name, service: job.service, outcome: 'skipped', code: 'OK', attempts: 0, latencyMs: 0, previousOutcome: prev }, false);
        while (!abandoned && out.length >= 4096) await sleepUntilWoken();
        continue;
      }
      if (stopping) {
        if (options.onAbort === 'stop') {
          stats.unread = true;
          stats.read--;
          break;
        }
        emit(notAttempted(job, 'stopped before it was sent'), false);
        while (!abandoned && out.length >= 4096) await sleepUntilWoken();
        continue;
      }
      if (seen) {
        const first = seen.lookupOrAdd(job.service, job.name, line);
        if (first !== -1) {
          // Sent already (or on its way): this line gets the first line's result, not a second call.
          const done = seen.resultOf(first);
          if (done) emit(repeatRecord(line, job, done.outcome, codeName(done.code), seen.lineOf(first)), false);
          else {
            const waiting = repeats.get(first);
            if (waiting) waiting.push(line);
            else repeats.set(first, [line]);
            repeatsWaiting++;
          }
          while (!abandoned && (repeatsWaiting >= 4096 || out.length >= 4096)) await sleepUntilWoken();
          continue;
        }
        job.seenId = seen.size - 1;
      }
      const lane = laneFor(job.service);
      if (lane === undefined || lane.closedReason !== undefined) {
        const why = lane?.closedReason ?? `more than ${maxServices} services in one run (maxServices): split the input by service, or raise the limit`;
        emit(notAttempted(job, why), true, job.seenId);
        continue;
      }
      lane.push(job);
      pump();
      while (!abandoned && ((!stopping && lane.queued >= maxQueued) || out.length >= 4096)) await sleepUntilWoken();
    }
  })().then(
    () => {
      readerDone = true;
      notify();
    },
    (e: unknown) => {
      readerError = e;
      readerDone = true;
      onStop();
    },
  );

  let finished = false;
  try {
    for (;;) {
      while (out.length > 0) {
        const rec = out.shift() as BatchRecord;
        yield rec;
        notify(); // the reader may be waiting for output space
      }
      let busy = pendingJournal > 0;
      for (const lane of lanes.values()) if (lane.inflight > 0 || lane.queued > 0) busy = true;
      // 'stop' mode does not wait for the reader: it may sit on a stdin that never sends
      // another line. What it had read is accounted for; the rest is reported unread.
      const readerFinished = readerDone || (stopping && options.onAbort === 'stop');
      if (readerFinished && !busy && out.length === 0) break;
      await sleepUntilWoken();
    }
    if (readerDone) await reader;
    else stats.unread = true;
    if (readerError) throw readerError;
    if (journalError) {
      throw new JournalError(
        journalError.path,
        `${journalError.reason}; the batch stopped, and ${unjournaled} final record(s) that could not be journaled were not output (run again with the same journal to send them again)`,
        { cause: journalError },
      );
    }
    finished = true;
  } finally {
    if (!finished) {
      // The consumer stopped early (break / throw): stop calling and end what is in flight, and
      // let the reader see it (it may be waiting for output space that will never come).
      abandoned = true;
      onStop();
      hardAbort.abort(new Error('batch consumer stopped'));
      notify();
    }
    onStopCleanup();
    // A journal failure was thrown above; or the consumer stopped early and wants no more records.
    await journal?.close().catch(() => undefined);
    if (ownsCaller) await caller.close();
    options.onProgress?.(snapshot());
  }

  function onStopCleanup(): void {
    options.signal?.removeEventListener('abort', onStop);
    if (graceTimer) clearTimeout(graceTimer);
    if (pumpTimer) clearTimeout(pumpTimer);
    snapshot();
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

/**
 * The record of a line whose (service, name) an earlier line sent: that call's outcome and code,
 * with no attempts of its own, and the line whose record tells the rest.
 */
function repeatRecord(line: number, of: { name: string; service: string }, outcome: Outcome, code: CodeName, firstLine: number): BatchRecord {
  return {
    line,
    name: of.name,
    service: of.service,
    outcome,
    code,
    message: `same operation as line ${firstLine}, which was sent once; this is its result`,
    attempts: 0,
    latencyMs: 0,
    duplicateOf: firstLine,
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * True when every record of a finished batch is a success outcome, counting a 'skipped' one as
 * what the journal says its name ended as (a journaled not-found stays a failure on rerun).
 */
export function batchSucceeded(stats: BatchStats): boolean {
  if (stats.skippedUnsuccessful > 0) return false;
  return Object.entries(stats.byOutcome).every(([o, n]) => !n || isSuccessOutcome(o as Outcome));
}
