import { createOperationsCaller } from '../../client/canceller';
import { operationToJson } from '../../client/operation';
import { recordFromError } from '../../batch/batch-record';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { operationLine } from '../output-lines';
import { cancellerOptionsFrom, type CallFlags, type ConnectionOptions } from './connection';

export interface GetCommandOptions extends ConnectionOptions, CallFlags {
  names: string[];
}

/** `lro-cancel get NAME...`: one JSON line per operation (Any fields decoded where known). */
export async function getCommand(options: GetCommandOptions, io: CommandIO): Promise<number> {
  const caller = createOperationsCaller(cancellerOptionsFrom(options, io, 'get'));
  const service = options.service;
  let ok = true;
  try {
    for (const name of options.names) {
      try {
        const callOptions = { signal: io.signal, ...(service !== undefined ? { service } : {}) };
        const target = caller.resolve(name, 'get', callOptions);
        const op = await caller.getOperation(name, callOptions);
        io.stdout.write(operationLine(target.service.id, operationToJson(op)));
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
