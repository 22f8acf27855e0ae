import { Code, type CodeName } from '../../errors/status-code';

/*
 * HTTP answers to gRPC codes, decided here in the client: google-gax's REST path has shipped
 * with HTTP numbers and `ECONNRESET` in `err.code`, which made its retry policy retry nothing.
 * Everything the REST transport rejects with carries a gRPC code, so one retry policy serves both.
 */

/**
 * The gRPC code of an HTTP status whose body names none (a proxy's HTML page, a truncated
 * body): google/rpc/code.proto's HTTP mapping, and a gateway's 502 as UNAVAILABLE.
 */
export function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return Code.INVALID_ARGUMENT;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.NOT_FOUND;
    case 408:
      return Code.DEADLINE_EXCEEDED;
    case 409:
      return Code.ABORTED;
    case 412:
      return Code.FAILED_PRECONDITION;
    case 416:
      return Code.OUT_OF_RANGE;
    case 429:
      return Code.RESOURCE_EXHAUSTED;
    case 499:
      return Code.CANCELLED;
    case 500:
      return Code.INTERNAL;
    case 501:
      return Code.UNIMPLEMENTED;
    case 502:
    case 503:
      return Code.UNAVAILABLE;
    case 504:
      return Code.DEADLINE_EXCEEDED;
    default:
      if (status >= 500) return Code.UNAVAILABLE;
      return Code.UNKNOWN;
  }
}

/** The HTTP status Google's front ends answer a gRPC code with (the emulator's REST gateway). */
export function httpStatusForCode(code: number): number {
  switch (code) {
    case Code.OK:
      return 200;
    case Code.CANCELLED:
      return 499;
    case Code.INVALID_ARGUMENT:
    case Code.FAILED_PRECONDITION:
    case Code.OUT_OF_RANGE:
      return 400;
    case Code.DEADLINE_EXCEEDED:
      return 504;
    case Code.NOT_FOUND:
      return 404;
    case Code.ALREADY_EXISTS:
    case Code.ABORTED:
      return 409;
    case Code.PERMISSION_DENIED:
      return 403;
    case Code.UNAUTHENTICATED:
      return 401;
    case Code.RESOURCE_EXHAUSTED:
      return 429;
    case Code.UNIMPLEMENTED:
      return 501;
    case Code.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

/** `"NOT_FOUND"` → 5; undefined for anything that is not a code name. */
export function codeForStatusName(name: unknown): number | undefined {
  if (typeof name !== 'string' || !Object.hasOwn(Code, name)) return undefined;
  return Code[name as CodeName];
}
