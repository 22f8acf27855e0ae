import { recordFromError } from '../../batch/batch-record';
import { createCanceller } from '../../client/canceller';
import { superviseOperation, type SupervisionResult } from '../../client/supervise-operation';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { cancellerOptionsFrom, type CallFlags, type ConnectionOptions } from './connection';

export interface WatchCommandOptions extends ConnectionOptions, CallFlags {
  names: string[];
  cancelAfterMs: number;
  waitAfterCancelMs?: number;
  /** WaitOperation (falling back to polling where the service answers UNIMPLEMENTED) or GetOperation polling. */
  via: 'wait' | 'poll';
}

/** `watch`: what a supervision became, one line per name as it ends. */
export interface WatchLine extends SupervisionResult {
  kind: 'watch';
}

/**
 * `lro-cancel watch NAME... --cancel-after 2h`: watch every name at once (WaitOperation, or
 * GetOperation polling with backoff) until it ends or the budget passes; at the budget, cancel it and confirm. One
 * `{"kind":"watch"}` line per name, as each ends. Ctrl-C stops watching and cancels nothing.
 */
export async function watchCommand(options: WatchCommandOptions, io: CommandIO): Promise<number> {
  const canceller = createCanceller(cancellerOptionsFrom(options, io, 'watch'));
  const service = options.service;
  let ok = true;
  try {
    await Promise.all(
      options.names.map(async (name) => {
        try {
          const r = await superviseOperation(name, {
            canceller,
            cancelAfterMs: options.cancelAfterMs,
            signal: io.signal,
            via: options.via,
            ...(service !== undefined ? { service } : {}),
            ...(options.waitAfterCancelMs !== undefined
              ? { confirmTimeoutMs: options.waitAfterCancelMs }
              : {}),
          });
          if (r.ending === 'still-running' || r.ending === 'interrupted') ok = false;
          const line: WatchLine = { kind: 'watch', ...r };
          io.stdout.write(`${JSON.stringify(line)}\n`);
        } catch (e) {
          ok = false;
          io.stdout.write(`${JSON.stringify(recordFromError(e, { name, service }))}\n`);
        }
      }),
    );
  } finally {
    await canceller.close();
  }
  if (io.signal.aborted) return ExitCode.INTERRUPTED;
  return ok ? ExitCode.OK : ExitCode.FAILURE;
}
