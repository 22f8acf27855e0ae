import type { DecodedAny } from '../proto/status-codec';
import type { ErrorOutcome } from '../outcome';
import { withHint } from './error-hints';
import { Code, codeName, type CodeName } from './status-code';

/** What the caller can do with the failure, as the outcome keyword of the record. */
export function outcomeForCode(code: number): ErrorOutcome {
  switch (code) {
    case Code.UNIMPLEMENTED:
      return 'unsupported';
    case Code.NOT_FOUND:
      return 'not-found';
    case Code.PERMISSION_DENIED:
    case Code.UNAUTHENTICATED:
      return 'denied';
    case Code.INVALID_ARGUMENT:
      return 'invalid-name';
    default:
      return 'error';
  }
}

/**
 * What an OperationsError knows besides its code and message (all optional).
 *
 * @example
 * ```ts
 * throw new OperationsError(Code.NOT_FOUND, 'no such operation', { operationName: name, service: 'datastore', attempts: 1 });
 * ```
 */
export interface OperationsErrorInit {
  /** The operation name the call was about, if any. */
  operationName?: string | undefined;
  /** How the name is shown in the message, if not as is (quoted, for rejected input). */
  displayName?: string | undefined;
  /** Service id (`dataplex`, or the host of a custom service). */
  service?: string;
  /** Decoded google.rpc error details from `grpc-status-details-bin`. */
  details?: readonly DecodedAny[];
  /** Attempts made (0 when nothing was sent). */
  attempts?: number;
  /** Overrides the outcome derived from the code (local validation, caller abort). */
  outcome?: ErrorOutcome;
  /** The underlying error (grpc-js ServiceError, Node socket error, AbortSignal reason). */
  cause?: unknown;
  /** One line naming the likely fix (see error-hints.ts): appended to the message. */
  hint?: string | undefined;
}

/**
 * The one error type lro-cancel throws: a gRPC status code plus everything known about
 * the failure. The message carries the code and the operation name, e.g.
 * `[NOT_FOUND] projects/p/locations/l/operations/o: operation not found`.
 *
 * @example
 * ```ts
 * try {
 *   await canceller.cancel(name);
 * } catch (err) {
 *   if (err instanceof OperationsError) console.error(err.outcome, err.codeName, err.attempts, err.hint ?? '');
 *   else throw err;
 * }
 * ```
 */
export class OperationsError extends Error {
  /** gRPC status code number (5 for NOT_FOUND). */
  readonly code: number;
  /** gRPC status code name ('NOT_FOUND'). */
  readonly codeName: CodeName;
  /** The server's (or our) message without the code and name prefix. */
  readonly rawMessage: string;
  /** The outcome keyword of the result record. */
  readonly outcome: ErrorOutcome;
  /** The operation name the call was about, if any. */
  readonly operationName: string | undefined;
  /** Service id (or a custom service's host), if known. */
  readonly service: string | undefined;
  /** Decoded google.rpc details: ErrorInfo, RetryInfo, QuotaFailure, BadRequest, Help, ... */
  readonly details: readonly DecodedAny[];
  /** Attempts made before giving up (0: nothing was sent). */
  attempts: number;
  /**
   * The likely fix, one line, when the cause is a known setup problem (DNS failure of a Google
   * host, no Application Default Credentials, TLS to a plaintext port, an untrusted
   * certificate); undefined otherwise. `message` ends with it; `rawMessage` does not hold it.
   */
  readonly hint: string | undefined;

  /**
   * An error with a gRPC status `code` and the server's (or lro-cancel's) `rawMessage`; the library
   * makes these, applications rarely need to.
   */
  constructor(code: number, rawMessage: string, init: OperationsErrorInit = {}) {
    const name = codeName(code);
    const shown = init.displayName ?? init.operationName;
    const subject = shown ? `${shown}: ` : '';
    super(
      `[${name}] ${subject}${withHint(rawMessage, init.hint)}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'OperationsError';
    this.code = code;
    this.codeName = name;
    this.rawMessage = rawMessage;
    this.outcome = init.outcome ?? outcomeForCode(code);
    this.operationName = init.operationName;
    this.service = init.service;
    this.details = init.details ?? [];
    this.attempts = init.attempts ?? 0;
    this.hint = init.hint;
  }

  /** The first detail of the given type (e.g. 'google.rpc.RetryInfo'), if the server sent one. */
  findDetail(typeName: string): DecodedAny | undefined {
    const url = `type.googleapis.com/${typeName}`;
    return this.details.find((d) => d['@type'] === url);
  }

  /** Structural check, so errors from another copy of this package are recognised too. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'OperationsError' &&
      typeof (value as { code?: unknown }).code === 'number' &&
      typeof (value as { outcome?: unknown }).outcome === 'string'
    );
  }
}

/** The message a record (or a stderr line) shows for `error`: its rawMessage, and its hint when it has one. */
export function recordMessage(error: OperationsError): string {
  return withHint(error.rawMessage, error.hint);
}
