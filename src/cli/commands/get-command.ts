import { createCanceller } from '../../client/canceller';
import { operationToJson } from '../../client/operation';
import { recordFromError } from '../../batch/batch-record';
import type { CommandIO } from '../command-io';
import type { ConnectionOptions } from '../command-table';
import { ExitCode } from '../exit-error';
import { cancellerOptionsFrom } from './connection';

export interface GetCommandOptions extends ConnectionOptions {
  names: string[];
  timeoutMs?: number;
  maxAttempts?: number;
}

/** `lro-cancel get NAME...`: one JSON line per operation (Any fields decoded where known). */
export async function getCommand(options: GetCommandOptions, io: CommandIO): Promise<number> {
  const caller = createCanceller(cancellerOptionsFrom(options, io, 'get'));
  const service = options.service;
  let ok = true;
  try {
    for (const name of options.names) {
      try {
        const op = await caller.getOperation(name, {
          signal: io.signal,
          ...(service !== undefined ? { service } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        });
        io.stdout.write(`${JSON.stringify(operationToJson(op))}\n`);
      } catch (e) {
        ok = false;
        io.stdout.write(`${JSON.stringify(recordFromError(e, { name, service }))}\n`);
      }
    }
  } finally {
    await caller.close();
  }
  return ok ? ExitCode.OK : ExitCode.FAILURE;
}
