import type { ConfirmResult } from '../client/cancel-and-confirm';
import type { CancelResult } from '../client/canceller';
import { OperationsError, recordMessage } from '../errors/operations-error';
import type { DecodedAny } from '../proto/status-codec';
import { codeName, type CodeName } from '../errors/status-code';
import { translateGrpcError } from '../errors/translate-grpc-error';
import type { Outcome } from '../outcome';

/**
 * One result record: exactly one per input name, whatever happened, from the library and from
 * every command alike (`src/records.schema.json` describes it as the CLI prints it). Keys come in
 * this order; `line` only where names came from a file or stdin (the CLI's `cancel` drops it).
 *
 * @example
 * ```ts
 * for await (const r of cancelMany(names)) {
 *   if (r.outcome === 'not-found') console.warn(`line ${r.line}: ${r.name} does not exist`);
 * }
 * ```
 */
export interface BatchRecord {
  /** What this line is: a per-name result (get and list print `kind: 'operation'` lines). */
  kind: 'result';
  /** 1-based input line (blank and comment lines counted, as an editor shows them). */
  line?: number;
  /** The name as validated (relative), or the input text when it was invalid. */
  name: string;
  /** Service id, or the host of a custom service ('' when the input named none that could be found). */
  service: string;
  /** What became of the name (see Outcome). */
  outcome: Outcome;
  /** gRPC code name of the cancel step: 'OK' on success. */
  code: CodeName;
  /** The server's (or lro-cancel's) words; '' when there is nothing to say. */
  message: string;
  /** CancelOperation attempts made (0: never sent). */
  attempts: number;
  /** Wall time of the name's calls, in ms (0 for names not sent). */
  latencyMs: number;
  /** Operation.error.code / message of an operation found (or confirmed) cancelled or failed. */
  finalCode?: number;
  /** Operation.error.message of a cancelled or failed operation. */
  finalMessage?: string;
  /** With confirmation: from the accepted cancel to the read that settled it, in ms. */
  confirmMs?: number;
  /** For 'skipped': the outcome an earlier run recorded in the journal. */
  previousOutcome?: Outcome;
  /** The line of the same (service, name) earlier in the input: this line was not sent again, and carries that line's outcome and code. */
  duplicateOf?: number;
  /** With confirmation: the operation's metadata as last read, decoded. */
  metadata?: DecodedAny;
  /** With confirmation: the response of an operation that completed, decoded. */
  response?: DecodedAny;
}

/** The message of a record whose operation had finished before the cancel arrived. */
export const ALREADY_DONE_MESSAGE = 'already done when the cancel arrived';

/**
 * The one constructor of records: every path builds them here, so every record has the same
 * keys in the same order. One object per name on the batch's hot path: no spreads.
 */
export function makeRecord(
  line: number | undefined,
  name: string,
  service: string,
  outcome: Outcome,
  code: CodeName,
  message: string,
  attempts: number,
  latencyMs: number,
): BatchRecord {
  return line === undefined
    ? { kind: 'result', name, service, outcome, code, message, attempts, latencyMs }
    : { kind: 'result', line, name, service, outcome, code, message, attempts, latencyMs };
}

export function recordFromResult(result: CancelResult | ConfirmResult, line?: number): BatchRecord {
  const r = makeRecord(
    line,
    result.name,
    result.service,
    result.outcome,
    'OK',
    result.alreadyDone ? ALREADY_DONE_MESSAGE : '',
    result.attempts,
    result.latencyMs,
  );
  if (result.finalCode !== undefined) r.finalCode = result.finalCode;
  if (result.finalMessage !== undefined) r.finalMessage = result.finalMessage;
  if ('confirmMs' in result) r.confirmMs = result.confirmMs;
  if ('metadata' in result && result.metadata) r.metadata = result.metadata;
  if ('response' in result && result.response) r.response = result.response;
  return r;
}

export function recordFromError(
  error: unknown,
  fallback: { name: string; service?: string | undefined; line?: number | undefined; latencyMs?: number },
): BatchRecord {
  const e = error instanceof OperationsError ? error : translateGrpcError(error);
  // message: rawMessage, and the hint (error-hints.ts) when there is one.
  return makeRecord(
    fallback.line,
    fallback.name,
    e.service ?? fallback.service ?? '',
    e.outcome,
    codeName(e.code),
    recordMessage(e),
    e.attempts,
    fallback.latencyMs ?? 0,
  );
}
