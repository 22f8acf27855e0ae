/*
 * gRPC status codes by number and name. Kept here (not imported from grpc-js) so the error,
 * registry and retry layers carry no transport dependency; the numbers are fixed by the
 * gRPC spec (and google/rpc/code.proto).
 */

/**
 * gRPC status codes by name.
 *
 * @example
 * ```ts
 * if (err instanceof OperationsError && err.code === Code.NOT_FOUND) console.log('gone already');
 * ```
 */
export const Code = {
  /** Not an error. */
  OK: 0,
  /** Cancelled (by the caller, or the server shutting a stream). */
  CANCELLED: 1,
  /** Unknown error. */
  UNKNOWN: 2,
  /** The request is invalid (a bad name). */
  INVALID_ARGUMENT: 3,
  /** The deadline passed. */
  DEADLINE_EXCEEDED: 4,
  /** No such operation. */
  NOT_FOUND: 5,
  /** Already exists. */
  ALREADY_EXISTS: 6,
  /** The caller may not do this. */
  PERMISSION_DENIED: 7,
  /** Quota or rate limit hit. */
  RESOURCE_EXHAUSTED: 8,
  /** Not in a state for this (for a cancel: the operation is already done). */
  FAILED_PRECONDITION: 9,
  /** Aborted (concurrency conflict). */
  ABORTED: 10,
  /** Out of range. */
  OUT_OF_RANGE: 11,
  /** The method is not implemented (the service cannot cancel). */
  UNIMPLEMENTED: 12,
  /** Internal server error. */
  INTERNAL: 13,
  /** Unavailable: transient, retried. */
  UNAVAILABLE: 14,
  /** Data loss. */
  DATA_LOSS: 15,
  /** No valid credentials. */
  UNAUTHENTICATED: 16,
} as const;

/**
 * A gRPC status code's name: `'NOT_FOUND'`, `'UNAVAILABLE'`, ...
 *
 * @example
 * ```ts
 * const name: CodeName = err.codeName; // e.g. 'UNAVAILABLE'
 * ```
 */
export type CodeName = keyof typeof Code;
export type CodeNumber = (typeof Code)[CodeName];

const NAMES: readonly CodeName[] = Object.keys(Code) as CodeName[];

/**
 * `5` -> `'NOT_FOUND'`; numbers outside the spec become `'UNKNOWN'`.
 *
 * @example
 * ```ts
 * codeName(5); // 'NOT_FOUND'
 * ```
 */
export function codeName(code: number): CodeName {
  return NAMES[code] ?? 'UNKNOWN';
}

/** `'not_found'`, `'NOT_FOUND'` or `'5'` -> 5; undefined when it is none of them. */
export function parseCode(text: string): CodeNumber | undefined {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n >= 0 && n < NAMES.length ? (n as CodeNumber) : undefined;
  }
  return (Code as Record<string, CodeNumber>)[t];
}
