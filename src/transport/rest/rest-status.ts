import { Code } from '../../errors/status-code';
import type { DecodedAny } from '../../proto/status-codec';
import { decodedAnyFromJson } from '../../proto/status-json';
import { redactSecrets } from '../../redaction/redact-secrets';
import { codeForHttpStatus, codeForStatusName } from './http-status';

/**
 * A failed REST call as the status errors/translate-grpc-error.ts reads (`code` + `details`,
 * like a grpc-js ServiceError), with its google.rpc details already decoded.
 */
export interface RestStatus {
  code: number;
  details: string;
  statusDetails: DecodedAny[];
  /** The HTTP status, when there was an answer. */
  httpStatus?: number;
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
/** How much of a body that is not JSON goes into the message. */
const SNIPPET = 120;

export function restStatus(code: number, details: string, httpStatus?: number): RestStatus {
  return { code, details, statusDetails: [], ...(httpStatus === undefined ? {} : { httpStatus }) };
}

/**
 * The status of an HTTP error answer: Google's JSON error body
 * (`{"error":{"code","message","status","details"}}`) when there is one, its `status` naming
 * the gRPC code; otherwise (a proxy's HTML page, a truncated body) the HTTP status mapped in
 * http-status.ts. A `Retry-After` header becomes a RetryInfo detail when the body carries
 * none, so the retry policy honours it exactly as it honours RetryInfo.
 */
export function statusFromErrorResponse(
  httpStatus: number,
  body: string,
  retryAfter: string | undefined,
  now = Date.now(),
): RestStatus {
  const parsed = parseErrorBody(body);
  const status: RestStatus = parsed
    ? {
        code:
          codeForStatusName(parsed.status) ??
          codeForHttpStatus(typeof parsed.code === 'number' ? parsed.code : httpStatus),
        details: typeof parsed.message === 'string' && parsed.message ? parsed.message : `HTTP ${httpStatus}`,
        statusDetails: Array.isArray(parsed.details) ? parsed.details.map(decodedAnyFromJson) : [],
        httpStatus,
      }
    : {
        code: codeForHttpStatus(httpStatus),
        details: `HTTP ${httpStatus}, and the body is not Google's JSON error${snippet(body)}`,
        statusDetails: [],
        httpStatus,
      };
  const delayMs = retryAfterMs(retryAfter, now);
  if (delayMs !== undefined && !status.statusDetails.some((d) => d['@type'] === RETRY_INFO)) {
    status.statusDetails.push(
      decodedAnyFromJson({ '@type': RETRY_INFO, retryDelay: `${(delayMs / 1000).toFixed(3)}s` }),
    );
  }
  return status;
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

function parseErrorBody(body: string): ErrorBody | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const json = JSON.parse(body) as { error?: unknown };
    const error = json?.error;
    return typeof error === 'object' && error !== null && !Array.isArray(error)
      ? (error as ErrorBody)
      : undefined;
  } catch {
    return undefined; // truncated or not JSON: the HTTP status decides
  }
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The start of a body that is not JSON, one line, for the message. Redacted before it is cut:
 * the translator redacts the message again where it enters, but a credential cut in half no
 * longer matches, and its first characters would stay.
 */
function snippet(body: string): string {
  const line = redactSecrets(body)
    .replace(/<[^>]*>/g, ' ')
    .replace(/[\s\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  if (!line) return '';
  return `: "${line.length > SNIPPET ? `${line.slice(0, SNIPPET)}…` : line}"`;
}

/** Status for a success answer whose body cannot be read as the response (not JSON). */
export function unreadableResponse(httpStatus: number, body: string): RestStatus {
  return restStatus(
    Code.INTERNAL,
    `HTTP ${httpStatus} with a body that is not JSON${snippet(body)}`,
    httpStatus,
  );
}
