import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import { sleep } from '../retry/sleep';
import { waitFor } from './cancel-and-confirm';
import { callerOf, createCanceller } from './canceller';
import type { Canceller, CancellerOptions, ConfirmPolling } from './canceller-types';
import { finalState, operationToJson, type FinalState, type RawOperation } from './operation';
import type { DecodedAny } from '../proto/status-codec';

/**
 * Options of `superviseOperation`: the budget, how to watch, and the canceller (or how to make one).
 *
 * @example
 * ```ts
 * const options: SuperviseOptions = { service: 'datastore', cancelAfterMs: 2 * 3_600_000, confirmTimeoutMs: 120_000 };
 * ```
 */
export interface SuperviseOptions extends CancellerOptions {
  /** How long the operation may run, from now, before it is cancelled. */
  cancelAfterMs: number;
  /** After the cancel, how long to wait for the operation to end (default 60 s). */
  confirmTimeoutMs?: number;
  /** GetOperation polling while watching: first delay, growth, cap (defaults 1 s, ×1.5, 30 s; never past the budget). */
  polling?: ConfirmPolling;
  /** A canceller to use (left open); otherwise one is made from these options and closed. */
  canceller?: Canceller;
  /** Service of a relative name. */
  service?: string;
  /** Stop watching (nothing is cancelled): the result's `ending` is 'interrupted'. */
  signal?: AbortSignal;
  /**
   * How to watch: 'wait' (WaitOperation, up to 10 s per call; falls back to polling where the
   * service answers UNIMPLEMENTED; the default over gRPC) or 'poll' (GetOperation with backoff;
   * the default over REST, where no service binds WaitOperation). Also used by the confirm after
   * the cancel.
   */
  via?: 'poll' | 'wait';
}

/**
 * How a supervision ended.
 *
 * @example
 * ```ts
 * const ending: SupervisionEnding = (await superviseOperation(name, { cancelAfterMs: 60_000 })).ending;
 * ```
 */
export type SupervisionEnding =
  /** It ended on its own within the budget; no cancel was sent. */
  | 'done-in-time'
  /** The budget passed; the cancel was sent and the operation ended (see `state`). */
  | 'cancelled-at-budget'
  /** The budget passed; the cancel was sent, and it was still running when the confirm timeout passed. */
  | 'still-running'
  /** The signal fired while watching: no cancel was sent. */
  | 'interrupted';

/**
 * What became of a supervised operation.
 *
 * @example
 * ```ts
 * const r: SupervisionResult = await superviseOperation(name, { service: 'dataplex', cancelAfterMs: 7_200_000 });
 * console.log(r.ending, r.cancelSent, r.state);
 * ```
 */
export interface SupervisionResult {
  /** The relative name. */
  name: string;
  /** Service id (or a custom service's host). */
  service: string;
  /** How the supervision ended. */
  ending: SupervisionEnding;
  /** Whether a CancelOperation was sent (and accepted). */
  cancelSent: boolean;
  /** What the operation was at the last read. */
  state: FinalState;
  /** From the start of the watch to its end, in ms. */
  watchedMs: number;
  /** Operation.error.code of an operation that ended cancelled or failed. */
  finalCode?: number;
  /** Its metadata at the last read, decoded. */
  metadata?: DecodedAny;
}

/** Codes a long watch rides out (the call's own retries already gave up on them once). */
const TRANSIENT: ReadonlySet<number> = new Set([
  Code.UNAVAILABLE,
  Code.DEADLINE_EXCEEDED,
  Code.RESOURCE_EXHAUSTED,
  Code.ABORTED,
  Code.INTERNAL,
  Code.UNKNOWN,
]);

/**
 * Watch an operation (WaitOperation where the service has it, else GetOperation polling with
 * backoff) until it ends or `cancelAfterMs` passes;
 * at the budget, cancel it and confirm what it became. Transient errors while watching are
 * ridden out; a signal stops the watch without cancelling anything.
 *
 * @throws OperationsError for a bad name, or a read or cancel that fails for good (not-found, denied, unsupported).
 * @example
 * ```ts
 * const r = await superviseOperation('projects/p/operations/export-1', {
 *   service: 'datastore',
 *   cancelAfterMs: 2 * 3_600_000,
 *   confirmTimeoutMs: 120_000,
 * });
 * if (r.cancelSent) console.log(`cancelled at the budget: ${r.state}`);
 * ```
 */
export async function superviseOperation(
  name: string,
  options: SuperviseOptions,
): Promise<SupervisionResult> {
  if (!Number.isFinite(options.cancelAfterMs) || options.cancelAfterMs < 0)
    throw new RangeError(`cancelAfterMs must be a number >= 0, got ${options.cancelAfterMs}`);
  const canceller = options.canceller ?? createCanceller(options);
  const call = {
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const started = performance.now();
  const deadline = started + options.cancelAfterMs;
  const poll = {
    initial: options.polling?.initialDelayMs ?? 1000,
    multiplier: options.polling?.multiplier ?? 1.5,
    max: options.polling?.maxDelayMs ?? 30_000,
  };
  let delay = poll.initial;
  let last: RawOperation | undefined;
  const result = (
    ending: SupervisionEnding,
    op: RawOperation | undefined,
    cancelSent: boolean,
  ): SupervisionResult => {
    const json = op ? operationToJson(op) : undefined;
    const out: SupervisionResult = {
      name: json?.name ?? name,
      service: '',
      ending,
      cancelSent,
      state: op ? finalState(op) : 'still-running',
      watchedMs: Math.round(performance.now() - started),
    };
    if (json?.error && (out.state === 'cancelled' || out.state === 'failed')) out.finalCode = json.error.code;
    if (json?.metadata) out.metadata = json.metadata;
    return out;
  };
  try {
    // A bad name fails here, before any call (the same rule as every command).
    const caller = callerOf(canceller);
    const serviceId = caller.resolve(name, 'get', call).service.id;
    const via = options.via ?? (caller.supports('waitOperation') ? 'wait' : 'poll');
    let useWait = via === 'wait';
    const ended = (ending: SupervisionEnding): SupervisionResult => ({
      ...result(ending, last, false),
      service: serviceId,
    });
    for (;;) {
      if (options.signal?.aborted) return ended('interrupted');
      try {
        last = await canceller.getOperation(name, call);
        if (last.done) return ended('done-in-time');
      } catch (e) {
        if (options.signal?.aborted) return ended('interrupted');
        if (!(e instanceof OperationsError) || !TRANSIENT.has(e.code)) throw e;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      if (useWait) {
        // The server holds the call until the operation ends or the wait times out (never past the budget).
        try {
          last = await waitFor(caller, name, serviceId, remaining, call);
          if (last.done) return ended('done-in-time');
          continue;
        } catch (e) {
          if (options.signal?.aborted) return ended('interrupted');
          if (e instanceof OperationsError && e.code === Code.UNIMPLEMENTED) useWait = false;
          else if (!(e instanceof OperationsError) || !TRANSIENT.has(e.code)) throw e;
        }
      }
      // Jittered (50-100 %), never past the budget: the read after the last sleep is at the budget.
      try {
        await sleep(Math.min(remaining, delay * (0.5 + Math.random() / 2)), options.signal);
      } catch {
        return ended('interrupted');
      }
      delay = Math.min(poll.max, delay * poll.multiplier);
    }
    const confirmed = await canceller.cancelAndConfirm(name, {
      ...call,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 60_000,
      // After a fallback to polling (UNIMPLEMENTED), the confirm polls too: no second refusal.
      via: useWait ? 'wait' : 'poll',
      ...(options.polling ? { polling: options.polling } : {}),
    });
    const out: SupervisionResult = {
      name: confirmed.name,
      service: confirmed.service,
      // Ended just before the cancel arrived: done in time (the cancel was sent, and refused).
      ending: confirmed.alreadyDone
        ? 'done-in-time'
        : confirmed.outcome === 'still-running'
          ? 'still-running'
          : 'cancelled-at-budget',
      cancelSent: true,
      state: confirmed.outcome,
      watchedMs: Math.round(performance.now() - started),
    };
    if (confirmed.finalCode !== undefined) out.finalCode = confirmed.finalCode;
    if (confirmed.metadata) out.metadata = confirmed.metadata;
    return out;
  } finally {
    if (!options.canceller) await canceller.close();
  }
}
