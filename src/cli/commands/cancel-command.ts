import type { BatchRecord } from '../../batch/batch-record';
import { batchSucceeded, cancelMany } from '../../batch/cancel-many';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { batchOptionsFrom, type BatchFlags, type ConnectionOptions } from './connection';

/** Options of `lro-cancel cancel`, as parse-argv builds them. */
export interface CancelCommandOptions extends ConnectionOptions, BatchFlags {
  /** Relative names (with `service`) or full `//host/...` names (built-in or `serviceHosts`), in output order. */
  names: string[];
}

/** One line of `cancel`'s output: a batch record without `line` (names come from the command line). */
export type CancelRecord = Omit<BatchRecord, 'line'>;

/** Names in flight at once, by default: a handful of names on a command line needs no more. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Cancel every name through the batch engine (the one scheduler), printing one record per name
 * in the order given, each as soon as it and the names before it are done. Bad names get an
 * `invalid-name` record before any call; a name given twice is sent once. Exit 0 when every
 * record is a success outcome, 1 otherwise, 130 when interrupted (every name still gets its
 * record: calls in flight end `aborted` at once, the ones not sent are `not-attempted`).
 */
export async function cancelCommand(options: CancelCommandOptions, io: CommandIO): Promise<number> {
  const run = cancelMany(options.names, {
    // A few names at a prompt: Ctrl-C ends the calls in flight at once (no grace), and a server
    // that is not there fails fast with its reason (no waiting for a connection).
    ...batchOptionsFrom({ concurrency: DEFAULT_CONCURRENCY, graceMs: 0, ...options }, io, 'cancel'),
    waitForReady: false,
    input: 'names',
    ordered: true,
    signal: io.signal,
  });
  for await (const record of run) io.stdout.write(`${JSON.stringify(withoutLine(record))}\n`);
  if (io.signal.aborted) return ExitCode.INTERRUPTED;
  return batchSucceeded(run.stats) ? ExitCode.OK : ExitCode.FAILURE;
}

/** A record of names that came from no file (arguments, a listing): no `line`, as the schema says. */
export function withoutLine(record: BatchRecord): CancelRecord {
  const { line: _line, ...rest } = record;
  return rest;
}
