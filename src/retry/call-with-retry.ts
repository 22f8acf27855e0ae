import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import { retryInfoDelayMs, translateGrpcError } from '../errors/translate-grpc-error';
import { computeBackoffMs } from './compute-backoff';
import type { RetryPolicy } from './retry-policy';
import { sleep } from './sleep';

/**
 * Told before each retry: the error that caused it, the retry number (1-based) and the wait.
 *
 * @example
 * ```ts
 * createCanceller({ onRetry: (err, retry, delayMs) => console.warn(`retry ${retry} in ${delayMs} ms: ${err.codeName}`) });
 * ```
 */
export type RetryListener = (error: OperationsError, retry: number, delayMs: number) => void;

export interface RetryContext {
  policy: RetryPolicy;
  operationName: string;
  service: string;
  /** The caller's signal: aborting stops the attempt and any wait at once (outcome 'aborted'). */
  signal?: AbortSignal | undefined;
  /** True once the owner is closing: in-flight attempts are then reported as 'aborted'. */
  isClosed?: () => boolean;
  /** Aborted when the owner closes: ends a retry wait at once. */
  closeSignal?: AbortSignal | undefined;
  onRetry?: RetryListener | undefined;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
  /** The RPC method (`cancelOperation`) and the host called: for observers only. */
  method?: string | undefined;
  serverAddress?: string | undefined;
  /** Watches the attempts and retries (hooks, logs, OpenTelemetry); unset costs nothing. */
  observer?: CallObserver | undefined;
}

/**
 * Watches one call: gives the attempt and context to run instead (each attempt timed, each
 * retry told), or undefined when nothing listens.
 */
export interface CallObserver {
  observe<T>(attempt: Attempt<T>, ctx: RetryContext): { attempt: Attempt<T>; ctx: RetryContext } | undefined;
}

/** One attempt: must settle by `deadline` (epoch ms) and reject with the raw transport error. */
export type Attempt<T> = (deadline: number) => Promise<T>;

export interface RetryResult<T> {
  value: T;
  attempts: number;
}

/**
 * Run `attempt` under the retry policy. Resolves with the value and the attempts it took, or
 * rejects with an OperationsError whose `attempts` says how many were made.
 */
export function callWithRetry<T>(attempt: Attempt<T>, ctx: RetryContext): Promise<RetryResult<T>> {
  const observed = ctx.observer?.observe(attempt, ctx);
  return observed === undefined ? runWithRetry(attempt, ctx) : runWithRetry(observed.attempt, observed.ctx);
}

function runWithRetry<T>(attempt: Attempt<T>, ctx: RetryContext): Promise<RetryResult<T>> {
  const totalDeadline = Date.now() + ctx.policy.totalTimeoutMs;
  if (ctx.signal?.aborted || ctx.isClosed?.()) return Promise.reject(aborted(ctx, 0, ctx.signal?.reason));
  // The first attempt is chained directly (one promise, no async frame): nearly every call
  // ends there, and this is on every call's path. Failures continue in the retry loop.
  const attemptDeadline = Math.min(Date.now() + ctx.policy.perAttemptTimeoutMs, totalDeadline);
  let first: Promise<T>;
  try {
    first = attempt(attemptDeadline);
  } catch (e) {
    first = Promise.reject(e);
  }
  return first.then(
    (value) => ({ value, attempts: 1 }),
    (raw: unknown) => retryLoop(attempt, ctx, raw, attemptDeadline, totalDeadline),
  );
}

/** After attempt 1 failed with `raw`: decide, wait, try again, until success or a final error. */
async function retryLoop<T>(
  attempt: Attempt<T>,
  ctx: RetryContext,
  raw: unknown,
  attemptDeadline: number,
  totalDeadline: number,
): Promise<RetryResult<T>> {
  const { policy } = ctx;
  for (let attempts = 1; ; attempts++) {
    // `raw` is the failure of attempt number `attempts`, which had `attemptDeadline`.
    // Our own abort is not the server's CANCELLED: check it before anything else.
    if (ctx.signal?.aborted || ctx.isClosed?.()) throw aborted(ctx, attempts, ctx.signal?.reason ?? raw);
    const err = translateGrpcError(raw, { operationName: ctx.operationName, service: ctx.service, attempts });
    const now = Date.now();
    if (err.code === Code.DEADLINE_EXCEEDED && attemptDeadline >= totalDeadline) {
      throw totalTimeout(ctx, attempts, err);
    }
    const delay = retryDelay(err, attempts, attemptDeadline < totalDeadline, ctx);
    if (delay === undefined || attempts >= policy.maxAttempts) throw err;
    if (now + delay >= totalDeadline) {
      // Waiting would outlive the total deadline: give up now with the error we have
      // (a timed-out attempt is reported as the total timeout it amounts to).
      throw err.code === Code.DEADLINE_EXCEEDED ? totalTimeout(ctx, attempts, err) : err;
    }
    ctx.onRetry?.(err, attempts, delay);
    try {
      // Only a retry wait needs the combined signal, so the hot path never builds one.
      const waitSignal =
        ctx.signal && ctx.closeSignal
          ? AbortSignal.any([ctx.signal, ctx.closeSignal])
          : (ctx.signal ?? ctx.closeSignal);
      await sleep(delay, waitSignal);
    } catch (reason) {
      throw aborted(ctx, attempts, reason);
    }
    if (ctx.signal?.aborted || ctx.isClosed?.()) throw aborted(ctx, attempts, ctx.signal?.reason);
    attemptDeadline = Math.min(Date.now() + policy.perAttemptTimeoutMs, totalDeadline);
    try {
      const value = await attempt(attemptDeadline);
      return { value, attempts: attempts + 1 };
    } catch (e) {
      raw = e;
    }
  }
}

/** How long to wait before retrying `err`, or undefined when it must not be retried. */
function retryDelay(
  err: OperationsError,
  attempts: number,
  hitOwnAttemptDeadline: boolean,
  ctx: RetryContext,
): number | undefined {
  const backoff = computeBackoffMs(attempts, ctx.policy, ctx.random);
  const serverDelay = retryInfoDelayMs(err);
  if (err.code === Code.RESOURCE_EXHAUSTED) {
    // Only when the server says when, and never sooner.
    if (!ctx.policy.retryResourceExhausted) return undefined;
    return serverDelay === undefined ? undefined : Math.max(serverDelay, backoff);
  }
  if (err.code === Code.DEADLINE_EXCEEDED && hitOwnAttemptDeadline) return backoff;
  if (!ctx.policy.retryableCodes.includes(err.code)) return undefined;
  return serverDelay === undefined ? backoff : Math.max(serverDelay, backoff);
}

function aborted(ctx: RetryContext, attempts: number, reason: unknown): OperationsError {
  const why = ctx.isClosed?.() && !ctx.signal?.aborted ? 'the client was closed' : 'aborted by the caller';
  return new OperationsError(Code.CANCELLED, why, {
    operationName: ctx.operationName,
    service: ctx.service,
    attempts,
    outcome: 'aborted',
    cause: reason,
  });
}

function totalTimeout(ctx: RetryContext, attempts: number, last: OperationsError): OperationsError {
  return new OperationsError(
    Code.DEADLINE_EXCEEDED,
    `total timeout of ${ctx.policy.totalTimeoutMs} ms exceeded after ${attempts} attempt(s)`,
    // The last attempt's hint still names the fix (a DNS failure retried until the deadline).
    { operationName: ctx.operationName, service: ctx.service, attempts, cause: last, hint: last.hint },
  );
}
