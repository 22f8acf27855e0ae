import { recordFromError } from '../../batch/batch-record';
import { createCanceller } from '../../client/canceller';
import { operationToJson } from '../../client/operation';
import type { CommandIO } from '../command-io';
import type { ConnectionOptions } from '../command-table';
import { ExitCode } from '../exit-error';
import { cancellerOptionsFrom } from './connection';

export interface ListCommandOptions extends ConnectionOptions {
  parent: string;
  filter?: string;
  pageSize?: number;
  limit?: number;
  timeoutMs?: number;
  maxAttempts?: number;
}

/** `lro-cancel list PARENT`: every operation under PARENT as JSON lines, across all pages. */
export async function listCommand(options: ListCommandOptions, io: CommandIO): Promise<number> {
  const caller = createCanceller(cancellerOptionsFrom(options, io, 'list'));
  const service = options.service;
  try {
    for await (const op of caller.listOperations(options.parent, {
      signal: io.signal,
      ...(service !== undefined ? { service } : {}),
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    })) {
      io.stdout.write(`${JSON.stringify(operationToJson(op))}\n`);
    }
    return ExitCode.OK;
  } catch (e) {
    const rec = recordFromError(e, { name: options.parent, service });
    io.stderr.write(`lro-cancel: list ${options.parent}: [${rec.code}] ${rec.message ?? ''}\n`);
    return rec.outcome === 'invalid-name' ? ExitCode.USAGE : ExitCode.FAILURE;
  } finally {
    await caller.close();
  }
}
