import { ALREADY_DONE_MESSAGE } from '../../batch/batch-record';
import { createOperationsCaller, type OperationsCaller } from '../../client/canceller';
import { codeName, type CodeName } from '../../errors/status-code';
import { isSuccessOutcome, type Outcome } from '../../outcome';
import type { ConnectionOptions } from '../command-table';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { redactSecrets } from '../redact';
import { cancellerOptionsFrom } from './connection';

/** Options of `lro-cancel cancel`, as parse-argv builds them. */
export interface CancelCommandOptions extends ConnectionOptions {
  /** Relative names (with `service`) or full `//host/...` names (built-in or `serviceHosts`), in output order. */
  names: string[];
  /** Total deadline per name in ms, retries included. Defaults to the retry policy's 60 s. */
  timeoutMs?: number;
  /** Attempts per name. Defaults to the retry policy's 5. */
  maxAttempts?: number;
  /** Names in flight at once. Defaults to 8. */
  concurrency?: number;
  /** After an accepted cancel, poll GetOperation until the operation is done (or the timeout). */
  confirm?: boolean;
  /** How long `confirm` waits per name, in ms. Defaults to 60 s. */
  confirmTimeoutMs?: number;
}

/** One line of output: what became of one name. */
export interface CancelRecord {
  /** The relative name that was sent (the input as given when it was rejected locally). */
  name: string;
  /** Service id, or the host of a custom service; null when it could not be told. */
  service: string | null;
  outcome: Outcome;
  /** gRPC code name: 'OK' on success. */
  code: CodeName;
  /** The server's (or our) message; empty on success. */
  message: string;
  attempts: number;
  latencyMs: number;
  /** With --confirm: Operation.error.code / message of a cancelled or failed operation. */
  finalCode?: number;
  finalMessage?: string;
  /** With --confirm: from the accepted cancel to the read that settled it, in ms. */
  confirmMs?: number;
}

export const DEFAULT_CONCURRENCY = 8;

/**
 * Cancel every name, at most `concurrency` at a time, printing one JSON line per name in the
 * order given (each as soon as it and the names before it are done). Bad names are rejected
 * before any call. Returns 0 when every name got 'cancel-requested' (with `confirm`: ended
 * 'cancelled' or 'completed'), else 1.
 */
export async function cancelCommand(options: CancelCommandOptions, io: CommandIO): Promise<number> {
  const canceller = openCanceller(options, io);
  try {
    const records = await cancelAll(canceller, options, io);
    return records.every((r) => isSuccessOutcome(r.outcome)) ? ExitCode.OK : ExitCode.FAILURE;
  } finally {
    await canceller.close();
  }
}

function openCanceller(options: CancelCommandOptions, io: CommandIO): OperationsCaller {
  // Shared with the other service-calling commands: env, emulator checks (usage errors), retries.
  return createOperationsCaller(cancellerOptionsFrom(options, io, 'cancel'));
}

async function cancelAll(canceller: OperationsCaller, options: CancelCommandOptions, io: CommandIO): Promise<CancelRecord[]> {
  const service = options.service;
  const names = options.names;
  const results: (CancelRecord | undefined)[] = new Array(names.length);
  let printed = 0;
  const flush = (): void => {
    while (printed < names.length && results[printed] !== undefined) {
      io.stdout.write(`${JSON.stringify(results[printed])}\n`);
      printed++;
    }
  };
  await forEachBounded(names.length, options.concurrency ?? DEFAULT_CONCURRENCY, async (i) => {
    results[i] = await cancelOne(canceller, names[i] as string, service, options, io.signal);
    flush();
  });
  return results as CancelRecord[];
}

async function cancelOne(
  canceller: OperationsCaller,
  input: string,
  service: string | undefined,
  options: CancelCommandOptions,
  signal: AbortSignal,
): Promise<CancelRecord> {
  const started = performance.now();
  let target: { name: string; service: string } | undefined;
  try {
    const callOptions = {
      signal,
      ...(service !== undefined ? { service } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    // Validate first (by the canceller's rules: its allowed hosts), so the record can name the
    // service even when the call fails.
    const parsed = canceller.resolve(input, 'cancel', callOptions);
    target = { name: parsed.name, service: parsed.service.id };
    if (!options.confirm) {
      const result = await canceller.cancel(input, callOptions);
      const record: CancelRecord = { name: result.name, service: result.service, outcome: result.outcome, code: 'OK', message: result.alreadyDone ? ALREADY_DONE_MESSAGE : '', attempts: result.attempts, latencyMs: result.latencyMs };
      if (result.finalCode !== undefined) record.finalCode = result.finalCode;
      if (result.finalMessage !== undefined) record.finalMessage = redactSecrets(result.finalMessage);
      return record;
    }
    const confirmed = await canceller.cancelAndConfirm(input, {
      ...callOptions,
      ...(options.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: options.confirmTimeoutMs } : {}),
    });
    const record: CancelRecord = {
      name: confirmed.name,
      service: confirmed.service,
      outcome: confirmed.outcome,
      code: 'OK',
      message: confirmed.alreadyDone ? ALREADY_DONE_MESSAGE : '',
      attempts: confirmed.attempts,
      latencyMs: confirmed.latencyMs,
    };
    if (confirmed.finalCode !== undefined) record.finalCode = confirmed.finalCode;
    if (confirmed.finalMessage !== undefined) record.finalMessage = redactSecrets(confirmed.finalMessage);
    record.confirmMs = confirmed.confirmMs;
    return record;
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown; rawMessage?: unknown; message?: unknown; outcome?: unknown; attempts?: unknown; service?: unknown };
    const isOperationsError = err !== null && typeof err === 'object' && err.name === 'OperationsError';
    return {
      name: target?.name ?? input,
      service: target?.service ?? (typeof err.service === 'string' ? err.service : (service ?? null)),
      outcome: isOperationsError ? (err.outcome as Outcome) : 'error',
      code: isOperationsError ? codeName(err.code as number) : 'UNKNOWN',
      message: redactSecrets(String((isOperationsError ? err.rawMessage : err.message) ?? e)),
      attempts: isOperationsError && typeof err.attempts === 'number' ? err.attempts : 0,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
  }
}

/** Run `task(0..count-1)` with at most `limit` in flight; resolves when all have settled. */
async function forEachBounded(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
