import { selectPendingOperations, type PendingSelection } from '../../batch/cancel-all';
import { recordFromError } from '../../batch/batch-record';
import { batchConnectionsPerService, batchSucceeded, cancelMany } from '../../batch/cancel-many';
import { withoutLine } from './cancel-command';
import { createOperationsCaller } from '../../client/canceller';
import { LeftOutTally } from '../../client/operation-selector';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { formatSummary } from '../progress-reporter';
import { wouldCancelLine } from '../output-lines';
import { stderrLine } from '../stderr-line';
import { batchOptionsFrom, type BatchFlags, type ConnectionOptions } from './connection';
import { parentsToList } from './parent-services';
import { selectorFrom, type SelectorFlags } from './selector-flags';

export interface CancelAllCommandOptions extends ConnectionOptions, BatchFlags, SelectorFlags {
  parent: string;
  filter?: string;
  pageSize?: number;
  dryRun?: boolean;
  quiet?: boolean;
}

/**
 * `lro-cancel cancel-all PARENT`: list every operation that is not done (to the end, first),
 * keep those the selectors match, then cancel them with bounded concurrency, one record per
 * operation. `--dry-run` prints what it would cancel, with the normalised fields, and sends no cancel.
 */
export async function cancelAllCommand(options: CancelAllCommandOptions, io: CommandIO): Promise<number> {
  const batchOptions = batchOptionsFrom(options, io, 'cancel-all');
  // One caller lists and then cancels: over REST its pool is sized for the batch's concurrency.
  const caller = createOperationsCaller({
    ...batchOptions,
    restConnectionsPerService: batchConnectionsPerService(batchOptions),
  });
  const service = options.service;
  const selector = selectorFrom(options);
  try {
    const selection: PendingSelection = { selected: [], leftOut: new LeftOutTally() };
    try {
      // Several services when the parent names none and more than one takes it: all are listed
      // to the end before anything is cancelled.
      for (const parent of parentsToList(options.parent, service)) {
        const one = await selectPendingOperations(parent, {
          canceller: caller,
          signal: io.signal,
          ...(service !== undefined ? { service } : {}),
          ...(options.filter !== undefined ? { filter: options.filter } : {}),
          ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
          ...(selector ? { select: selector } : {}),
        });
        selection.selected.push(...one.selected);
        selection.leftOut.merge(one.leftOut);
      }
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
    const names = selection.selected.map((o) => o.name);
    const leftOut =
      selector && selection.leftOut.total > 0
        ? `; ${selection.leftOut.total} left out: ${selection.leftOut.describe(selector)}`
        : '';
    if (options.dryRun) {
      // Written as records write them: relative name and service id, with the normalised fields.
      for (const op of selection.selected)
        io.stdout.write(wouldCancelLine(op.service, op.relativeName, op.normalized));
      if (!options.quiet)
        io.stderr.write(
          stderrLine(
            `lro-cancel: dry run: ${names.length} operation(s) would be cancelled${leftOut}; nothing was sent`,
          ),
        );
      return ExitCode.OK;
    }
    if (leftOut && !options.quiet)
      io.stderr.write(stderrLine(`lro-cancel: cancel-all: ${names.length} selected${leftOut}`));
    const run = cancelMany(names, {
      ...batchOptions,
      // Names from a listing, not lines of a file: records carry no `line` (the record schema).
      input: 'names',
      canceller: caller,
      signal: io.signal,
    });
    for await (const rec of run) io.stdout.write(`${JSON.stringify(withoutLine(rec))}\n`);
    if (!options.quiet) io.stderr.write(formatSummary(run.stats));
    if (io.signal.aborted) return ExitCode.INTERRUPTED;
    return batchSucceeded(run.stats) ? ExitCode.OK : ExitCode.FAILURE;
  } finally {
    await caller.close();
  }
}
