import { listPendingNames } from '../../batch/cancel-all';
import { recordFromError } from '../../batch/batch-record';
import { batchConnectionsPerService, batchSucceeded, cancelMany } from '../../batch/cancel-many';
import { createOperationsCaller } from '../../client/canceller';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { formatSummary } from '../progress-reporter';
import { wouldCancelLine } from '../output-lines';
import { stderrLine } from '../stderr-line';
import { batchOptionsFrom, type BatchFlags, type ConnectionOptions } from './connection';

export interface CancelAllCommandOptions extends ConnectionOptions, BatchFlags {
  parent: string;
  filter?: string;
  pageSize?: number;
  dryRun?: boolean;
  quiet?: boolean;
}

/**
 * `lro-cancel cancel-all PARENT`: list every operation that is not done (to the end, first),
 * then cancel them with bounded concurrency, one record per operation. `--dry-run` prints the
 * names it would cancel and sends no cancel.
 */
export async function cancelAllCommand(options: CancelAllCommandOptions, io: CommandIO): Promise<number> {
  const batchOptions = batchOptionsFrom(options, io, 'cancel-all');
  // One caller lists and then cancels: over REST its pool is sized for the batch's concurrency.
  const caller = createOperationsCaller({
    ...batchOptions,
    restConnectionsPerService: batchConnectionsPerService(batchOptions),
  });
  const service = options.service;
  try {
    let names: string[];
    try {
      names = await listPendingNames(options.parent, {
        canceller: caller,
        signal: io.signal,
        ...(service !== undefined ? { service } : {}),
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      });
    } catch (e) {
      // Ctrl-C while listing is an interruption (130), not a listing failure: nothing was cancelled.
      if (io.signal.aborted) {
        io.stderr.write(
          stderrLine(
            `lro-cancel: cancel-all ${options.parent}: interrupted while listing; nothing was cancelled`,
          ),
        );
        return ExitCode.INTERRUPTED;
      }
      const rec = recordFromError(e, { name: options.parent, service });
      io.stderr.write(
        stderrLine(`lro-cancel: cancel-all ${options.parent}: listing failed: [${rec.code}] ${rec.message}`),
      );
      return rec.outcome === 'invalid-name' ? ExitCode.USAGE : ExitCode.FAILURE;
    }
    if (options.dryRun) {
      for (const full of names) {
        // Written as records write them: relative name and service id.
        const target = caller.resolve(full, 'get');
        io.stdout.write(wouldCancelLine(target.service.id, target.name));
      }
      if (!options.quiet)
        io.stderr.write(
          `lro-cancel: dry run: ${names.length} operation(s) would be cancelled; nothing was sent\n`,
        );
      return ExitCode.OK;
    }
    const run = cancelMany(names, {
      ...batchOptions,
      canceller: caller,
      signal: io.signal,
    });
    for await (const rec of run) io.stdout.write(`${JSON.stringify(rec)}\n`);
    if (!options.quiet) io.stderr.write(formatSummary(run.stats));
    if (io.signal.aborted) return ExitCode.INTERRUPTED;
    return batchSucceeded(run.stats) ? ExitCode.OK : ExitCode.FAILURE;
  } finally {
    await caller.close();
  }
}
