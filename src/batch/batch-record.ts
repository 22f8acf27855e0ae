import type { ConfirmResult } from '../client/cancel-and-confirm';
import type { CancelResult } from '../client/canceller';
import { OperationsError, recordMessage } from '../errors/operations-error';
import { codeName, type CodeName } from '../errors/status-code';
import { translateGrpcError } from '../errors/translate-grpc-error';
import type { Outcome } from '../outcome';

/** One result record: exactly one per input name (line), whatever happened. */
export interface BatchRecord {
  /** 1-based input line (blank and comment lines counted, as an editor shows them). */
  line?: number;
  /** The name as validated (relative), or the input text when it was invalid. */
  name: string;
  /** Service id ('' when the line named none that could be found). */
  service: string;
  outcome: Outcome;
  /** gRPC code name of the cancel step: 'OK' on success. */
  code: CodeName;
  message?: string;
  attempts: number;
  latencyMs: number;
  /** With confirmation: Operation.error.code / message of a failed or cancelled operation. */
  finalCode?: number;
  finalMessage?: string;
  confirmMs?: number;
  /** For 'skipped': the outcome an earlier run recorded in the journal. */
  previousOutcome?: Outcome;
  /** The line of the same (service, name) earlier in the input: this line was not sent again, and carries that line's outcome and code. */
  duplicateOf?: number;
}

/** The message of a record whose operation had finished before the cancel arrived. */
export const ALREADY_DONE_MESSAGE = 'already done when the cancel arrived';

export function recordFromResult(result: CancelResult | ConfirmResult, line?: number): BatchRecord {
  // One object per accepted name on the batch's hot path: no spreads ('line' stays the first key).
  const { name, service, outcome, attempts, latencyMs } = result;
  const r: BatchRecord =
    line === undefined
      ? { name, service, outcome, code: 'OK', attempts, latencyMs }
      : { line, name, service, outcome, code: 'OK', attempts, latencyMs };
  if (result.alreadyDone) r.message = ALREADY_DONE_MESSAGE;
  if (result.finalCode !== undefined) r.finalCode = result.finalCode;
  if (result.finalMessage !== undefined) r.finalMessage = result.finalMessage;
  if ('confirmMs' in result) r.confirmMs = result.confirmMs;
  return r;
}

export function recordFromError(
  error: unknown,
  fallback: { name: string; service?: string | undefined; line?: number | undefined; latencyMs?: number },
): BatchRecord {
  const e = error instanceof OperationsError ? error : translateGrpcError(error);
  return {
    ...(fallback.line === undefined ? {} : { line: fallback.line }),
    name: fallback.name,
    service: e.service ?? fallback.service ?? '',
    outcome: e.outcome,
    code: codeName(e.code),
    message: recordMessage(e), // rawMessage, and the hint (error-hints.ts) when there is one
    attempts: e.attempts,
    latencyMs: fallback.latencyMs ?? 0,
  };
}
