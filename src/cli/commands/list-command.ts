import { recordFromError } from '../../batch/batch-record';
import { createOperationsCaller } from '../../client/canceller';
import { operationToJson } from '../../client/operation';
import { LeftOutTally, selectOperation } from '../../client/operation-selector';
import { normalizeOperation } from '../../client/operation-view';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { operationLine } from '../output-lines';
import { stderrLine } from '../stderr-line';
import { cancellerOptionsFrom, type CallFlags, type ConnectionOptions } from './connection';
import { parentsToList } from './parent-services';
import { selectorFrom, type SelectorFlags } from './selector-flags';

export interface ListCommandOptions extends ConnectionOptions, CallFlags, SelectorFlags {
  parent: string;
  filter?: string;
  pageSize?: number;
  limit?: number;
}

/**
 * `lro-cancel list PARENT`: every operation under PARENT as JSON lines, across all pages, decoded,
 * with its normalised fields; selectors keep only the operations they match.
 */
export async function listCommand(options: ListCommandOptions, io: CommandIO): Promise<number> {
  const caller = createOperationsCaller(cancellerOptionsFrom(options, io, 'list'));
  const service = options.service;
  const selector = selectorFrom(options);
  const leftOut = new LeftOutTally();
  const now = Date.now();
  try {
    // Several services when the parent names none and more than one takes it; one otherwise.
    for (const parent of parentsToList(options.parent, service)) {
      // The service of this parent's lines (a bad parent throws here, before any call).
      const serviceId = caller.resolve(parent, 'list-parent', service !== undefined ? { service } : {})
        .service.id;
      for await (const op of caller.listOperations(parent, {
        signal: io.signal,
        ...(service !== undefined ? { service } : {}),
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      })) {
        const json = operationToJson(op);
        if (selector) {
          const verdict = selectOperation(json, normalizeOperation(json), selector, now);
          leftOut.add(verdict);
          if (!verdict.selected) continue;
        }
        io.stdout.write(operationLine(serviceId, json));
      }
    }
    if (selector && leftOut.total > 0)
      io.stderr.write(
        stderrLine(`lro-cancel: list: ${leftOut.total} operation(s) left out: ${leftOut.describe(selector)}`),
      );
    return ExitCode.OK;
  } catch (e) {
    const rec = recordFromError(e, { name: options.parent, service });
    io.stderr.write(stderrLine(`lro-cancel: list ${options.parent}: [${rec.code}] ${rec.message}`));
    return rec.outcome === 'invalid-name' ? ExitCode.USAGE : ExitCode.FAILURE;
  } finally {
    await caller.close();
  }
}
