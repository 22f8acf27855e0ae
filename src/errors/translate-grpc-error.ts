import { decodeStatus, type DecodedAny } from '../proto/status-codec';
import { redactSecrets } from '../redaction/redact-secrets';
import { hintFor } from './error-hints';
import { OperationsError } from './operations-error';
import { Code } from './status-code';

/**
 * grpc-js's wording when an HTTP/2 stream closed with NO_ERROR before any gRPC status came: the
 * connection went away under the call (a server or proxy closing its session, issues
 * grpc/grpc-node#1532 and #2569). grpc-js calls that INTERNAL; grpc-go and grpc-java report a
 * connection lost mid-call as UNAVAILABLE, and so do we, so that an idempotent cancel is retried
 * instead of ending as an error. grpc-js's text is kept as the message.
 */
const STREAM_ENDED_WITHOUT_STATUS = /^Received RST_STREAM with code 0\b/;

/** Node socket error codes that mean "could not reach the server": retryable like UNAVAILABLE. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** True for a Node socket error code that translateGrpcError reports as UNAVAILABLE (with a hint where one helps). */
export function isUnreachableCode(code: unknown): boolean {
  return typeof code === 'string' && UNREACHABLE.has(code);
}

export interface TranslateContext {
  operationName?: string;
  service?: string;
  attempts?: number;
}

interface StatusLike {
  code: number;
  details: string;
  metadata?: { get(key: string): unknown[] };
  /** Details already decoded (the REST transport reads them from Google's JSON error body). */
  statusDetails?: readonly DecodedAny[];
}

function isStatusLike(err: unknown): err is StatusLike {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    typeof (err as { details?: unknown }).details === 'string'
  );
}

/**
 * The only place a grpc-js error (or anything thrown below us) becomes an OperationsError.
 * Recognised by structure (code number + details string), so it works across grpc-js copies;
 * `grpc-status-details-bin` is decoded into `details` (ErrorInfo, RetryInfo, ...).
 */
export function translateGrpcError(err: unknown, ctx: TranslateContext = {}): OperationsError {
  if (err instanceof OperationsError) return err;
  const init = {
    operationName: ctx.operationName,
    service: ctx.service,
    attempts: ctx.attempts ?? 0,
    cause: err,
  };
  if (isStatusLike(err)) {
    const code =
      err.code === Code.INTERNAL && STREAM_ENDED_WITHOUT_STATUS.test(err.details)
        ? Code.UNAVAILABLE
        : err.code;
    // Server text is redacted here, where it enters: a server or proxy echoing a header must not
    // put a token into a message, a record or a journal.
    const message = redactSecrets(err.details) || 'no message from server';
    return new OperationsError(code, message, {
      ...init,
      details: decodeDetails(err),
      hint: hintFor(message),
    });
  }
  const socketCode = findSocketCode(err);
  if (socketCode) {
    const message = `${socketCode}: ${(err as Error).message}`;
    return new OperationsError(Code.UNAVAILABLE, message, { ...init, hint: hintFor(message, socketCode) });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new OperationsError(Code.UNKNOWN, message, { ...init, hint: hintFor(message) });
}

function decodeDetails(err: StatusLike): DecodedAny[] {
  if (Array.isArray(err.statusDetails)) return [...err.statusDetails];
  const values = err.metadata?.get('grpc-status-details-bin') ?? [];
  const out: DecodedAny[] = [];
  for (const v of values) {
    if (!(v instanceof Uint8Array)) continue;
    try {
      out.push(...decodeStatus(v).details);
    } catch {
      // A malformed trailer must not hide the status itself.
    }
  }
  return out;
}

/** Walk the `cause` chain for a Node system error code. */
function findSocketCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The longest server-requested retry delay lro-cancel waits for, in ms. A RetryInfo is a hint
 * from whoever answers (a proxy too): one of an hour would pause a batch's service per rejection,
 * and one of 10^10 s would overflow a timer. A minute covers per-minute quotas, Google's longest
 * common window; longer asks are waited for a minute, and the total deadline still applies.
 */
export const MAX_RETRY_INFO_DELAY_MS = 60_000;

/**
 * The server-requested retry delay (google.rpc.RetryInfo.retry_delay) in ms, if any: clamped to
 * 0..MAX_RETRY_INFO_DELAY_MS (a negative, NaN or huge value cannot hang or spin a caller).
 */
export function retryInfoDelayMs(err: OperationsError): number | undefined {
  const info = err.findDetail('google.rpc.RetryInfo');
  if (!info) return undefined;
  const d = info.retryDelay as { seconds?: string | number; nanos?: number } | undefined;
  if (!d) return 0;
  const ms = Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6;
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, MAX_RETRY_INFO_DELAY_MS);
}
