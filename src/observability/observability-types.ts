import type { CodeName } from '../errors/status-code';
import type { Outcome } from '../outcome';

/*
 * The public types of the observability options (`hooks`, `logger`). A module of its own so the
 * client's option types and the telemetry that fires them both import it without a cycle.
 */

/**
 * An Operations RPC method as OpenTelemetry's `rpc.method` names it.
 *
 * @example
 * ```ts
 * createCanceller({ hooks: { onAttempt: (e) => { if (e.method === 'CancelOperation') count(e.codeName); } } });
 * ```
 */
export type RpcMethod =
  | 'CancelOperation'
  | 'GetOperation'
  | 'ListOperations'
  | 'WaitOperation'
  | 'DeleteOperation';

/**
 * One RPC attempt ended (every attempt of every call: cancels, confirm reads, list pages).
 * Holds no request metadata: no token, credential or header ever appears here.
 *
 * @example
 * ```ts
 * createCanceller({ hooks: { onAttempt: (e: AttemptEvent) => console.log(e.method, e.attempt, e.codeName, e.latencyMs) } });
 * ```
 */
export interface AttemptEvent {
  /** Service id (`dataplex`), or a custom service's host. */
  service: string;
  /** The RPC method. */
  method: RpcMethod;
  /** The resource name the call routes by (an operation, or a list's parent). */
  operationName: string;
  /** 1-based attempt number within the call. */
  attempt: number;
  /** gRPC status code of the attempt: 0 (OK) when it succeeded. */
  code: number;
  /** The code's name (`'OK'`, `'UNAVAILABLE'`, ...). */
  codeName: CodeName;
  /** Wall time of the attempt, in ms. */
  latencyMs: number;
  /** `host` the call went to (the emulator's, in emulator mode). */
  serverAddress: string;
  /** The failure's message, with anything credential-shaped redacted; absent on success. */
  message?: string;
}

/**
 * A failed attempt will be retried after `delayMs` (told before the wait).
 *
 * @example
 * ```ts
 * createCanceller({ hooks: { onRetry: (e: RetryEvent) => console.warn(`${e.operationName}: retry ${e.retry} in ${e.delayMs} ms (${e.codeName})`) } });
 * ```
 */
export interface RetryEvent {
  /** Service id, or a custom service's host. */
  service: string;
  /** The RPC method. */
  method: RpcMethod;
  /** The resource name the call routes by. */
  operationName: string;
  /** 1-based retry number: 1 is the second attempt. */
  retry: number;
  /** gRPC status code of the attempt that failed. */
  code: number;
  /** The code's name. */
  codeName: CodeName;
  /** How long the call waits before the next attempt, in ms (backoff, or the server's RetryInfo). */
  delayMs: number;
}

/**
 * What one cancel came to: one event per `cancel()` (also inside `cancelAndConfirm` and
 * `cancelMany`), success or failure, after every retry.
 *
 * @example
 * ```ts
 * createCanceller({ hooks: { onResult: (e: ResultEvent) => console.log(e.service, e.outcome, e.attempts) } });
 * ```
 */
export interface ResultEvent {
  /** The operation's name as the call sent it. */
  name: string;
  /** Service id, or a custom service's host. */
  service: string;
  /** 'cancel-requested', or 'cancelled' / 'completed' / 'failed' for an operation already done, or the error's outcome. */
  outcome: Outcome;
  /** 0 (OK) for a cancel the server accepted or one already done; else the final error's code. */
  code: number;
  /** The code's name. */
  codeName: CodeName;
  /** Attempts the cancel took (0 when it was refused before any RPC). */
  attempts: number;
  /** Wall time of the cancel, retries included, in ms. */
  latencyMs: number;
}

/**
 * Typed callbacks an embedding service passes as `hooks` to see every attempt, retry and
 * result without parsing logs. Each is optional; unset hooks cost nothing. They are called
 * synchronously on the call's path, so keep them quick; one that throws is ignored (and
 * reported to `logger.warn` when a logger is set), never failing the call.
 *
 * @example
 * ```ts
 * const canceller = createCanceller({
 *   hooks: {
 *     onAttempt: (e) => histogram.observe({ service: e.service, code: e.codeName }, e.latencyMs),
 *     onRetry: (e) => console.warn(`retry ${e.retry} of ${e.operationName} in ${e.delayMs} ms (${e.codeName})`),
 *     onResult: (e) => counter.inc({ service: e.service, outcome: e.outcome }),
 *   },
 * });
 * ```
 */
export interface ObservabilityHooks {
  /** After every RPC attempt. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Before every retry wait. */
  onRetry?: (event: RetryEvent) => void;
  /** After every cancel, with its outcome. */
  onResult?: (event: ResultEvent) => void;
}

/**
 * A log method in pino's shape: a merge object first, then the message.
 *
 * @example
 * ```ts
 * const debug: LogFn = (obj, msg) => console.error(JSON.stringify({ msg, ...obj }));
 * const logger: Logger = { debug, info: debug, warn: debug, error: debug };
 * ```
 */
export type LogFn = (obj: Record<string, unknown>, msg: string) => void;

/**
 * The logger interface lro-cancel writes its debug logs to: pino's (a pino logger, or a pino
 * child, fits as it is), or any object with these four methods. lro-cancel logs each attempt,
 * retry and result at `debug` (object fields as in AttemptEvent, RetryEvent, ResultEvent),
 * and a hook that threw at `warn`. No token, credential or header is ever logged.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const canceller = createCanceller({ logger: pino({ level: 'debug' }) });
 * ```
 */
export interface Logger {
  /** Each attempt, retry and result. */
  debug: LogFn;
  /** Not used by lro-cancel today; part of the shape so any pino-like logger fits. */
  info: LogFn;
  /** A hook that threw. */
  warn: LogFn;
  /** Not used by lro-cancel today; part of the shape. */
  error: LogFn;
}
