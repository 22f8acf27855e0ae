import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import type { ServiceDescriptor } from '../registry/service-registry';
import type { CallOptions, OperationsCaller } from './canceller-types';
import { finalState, type RawOperation } from './operation';

/**
 * The one place that decides what a refused cancel of a finished operation means, for every
 * path (cancel(), cancelAndConfirm(), cancelMany() and every command).
 *
 * Servers answer a cancel of an operation that is already done with FAILED_PRECONDITION (Google's
 * front ends, the emulator); ALREADY_EXISTS, ABORTED and OUT_OF_RANGE are seen from some
 * services for the same state. None of them is trusted alone: the operation is read once, and
 * only a `done` operation settles the name.
 */
const ALREADY_DONE_CODES: ReadonlySet<number> = new Set<number>([
  Code.FAILED_PRECONDITION,
  Code.ALREADY_EXISTS,
  Code.ABORTED,
  Code.OUT_OF_RANGE,
]);

/** What a finished operation became, read after its cancel was refused. */
export interface AlreadyDone {
  /**
   * 'cancel-requested' when a retry met the operation cancelled by its own earlier attempt (whose
   * reply was lost: the cancel did land); otherwise what the operation is.
   */
  outcome: 'cancel-requested' | 'cancelled' | 'completed' | 'failed';
  /** Operation.error of a cancelled or failed operation. */
  finalCode?: number;
  finalMessage?: string;
  /** True unless outcome is 'cancel-requested': the operation had finished before this cancel. */
  alreadyDone: boolean;
}

/**
 * After a cancel of `target` failed with `error`: when the code can mean "already done", read the
 * operation once (GetOperation, with retries) and, if it is done, say what it became. Undefined
 * when the error means something else, the operation is still running, or the read fails: the
 * caller then reports the cancel's own error.
 * @internal (takes the internal surface; users call the canceller's method)
 */
export async function readBackIfDone(
  caller: OperationsCaller,
  error: unknown,
  target: { name: string; service: ServiceDescriptor },
  options: CallOptions = {},
): Promise<AlreadyDone | undefined> {
  if (!(error instanceof OperationsError) || !ALREADY_DONE_CODES.has(error.code)) return undefined;
  let op: RawOperation;
  try {
    ({ value: op } = await caller.invoke<RawOperation>({
      method: 'getOperation',
      request: { name: target.name },
      routingName: target.name,
      service: target.service,
      options: readOptions(options),
    }));
  } catch {
    return undefined;
  }
  const state = finalState(op);
  if (state === 'still-running') return undefined;
  if (state === 'cancelled' && error.attempts >= 2)
    return { outcome: 'cancel-requested', alreadyDone: false };
  const result: AlreadyDone = { outcome: state, alreadyDone: true };
  if (op.error && state !== 'completed') {
    result.finalCode = op.error.code;
    result.finalMessage = op.error.message;
  }
  return result;
}

/** The cancel's options for the read: same signal, deadline and connection rules; the service is resolved already. */
function readOptions(options: CallOptions): CallOptions {
  const { service: _service, ...rest } = options;
  return rest;
}
