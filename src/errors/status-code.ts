/**
 * gRPC status codes by number and name. Kept here (not imported from grpc-js) so the error,
 * registry and retry layers carry no transport dependency; the numbers are fixed by the
 * gRPC spec (and google/rpc/code.proto).
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type CodeName = keyof typeof Code;
export type CodeNumber = (typeof Code)[CodeName];

const NAMES: readonly CodeName[] = Object.keys(Code) as CodeName[];

/** `5` -> `'NOT_FOUND'`; numbers outside the spec become `'UNKNOWN'`. */
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
