import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import { sleep } from '../retry/sleep';
import type { CallOptions, ConfirmOptions, ConfirmResult, OperationsCaller } from './canceller-types';

export type { ConfirmOptions, ConfirmPolling, ConfirmResult } from './canceller-types';
import { finalState, operationToJson, type RawOperation } from './operation';

/**
 * Cancel, then read the operation until it is done or `confirmTimeoutMs` passes, and say
 * what became of it: cancelled, completed (despite the cancel), failed, or still-running.
 * An operation already done when the cancel arrived is read and reported as what it was.
 * @throws OperationsError for every outcome of the cancel step other than success.
 * @internal (takes the internal surface; users call the canceller's method)
 */
export async function cancelAndConfirm(
  caller: OperationsCaller,
  name: string,
  options: ConfirmOptions = {},
): Promise<ConfirmResult> {
  const target = caller.resolve(name, 'cancel', options);
  if (options.via === 'wait' && !caller.supports('waitOperation')) {
    // Said before the cancel is sent: no server serves WaitOperation over HTTP.
    throw new RangeError(
      `via: 'wait' needs WaitOperation, which no service binds over HTTP: over transport '${caller.transport}', confirmation polls GetOperation (leave via out, or use transport 'grpc')`,
    );
  }
  // The cancel itself, with the one rule for an operation that was done already (already-done.ts).
  const cancelled = await caller.cancelResolved(target, options);
  const { attempts, latencyMs } = cancelled;
  if (cancelled.outcome !== 'cancel-requested') {
    // Finished before the cancel arrived: the read-back already says what it became.
    const result: ConfirmResult = {
      name: target.name,
      service: target.service.id,
      outcome: cancelled.outcome,
      attempts,
      latencyMs,
      confirmMs: 0,
    };
    if (cancelled.alreadyDone) result.alreadyDone = true;
    if (cancelled.finalCode !== undefined) result.finalCode = cancelled.finalCode;
    if (cancelled.finalMessage !== undefined) result.finalMessage = cancelled.finalMessage;
    return result;
  }
  const acceptedAt = performance.now();
  const timeoutMs = options.confirmTimeoutMs ?? 60_000;
  const poll = {
    initial: options.polling?.initialDelayMs ?? 500,
    multiplier: options.polling?.multiplier ?? 1.5,
    max: options.polling?.maxDelayMs ?? 10_000,
  };
  let useWait = options.via === 'wait';
  let delay = poll.initial;
  for (;;) {
    const remaining = timeoutMs - (performance.now() - acceptedAt);
    let op: RawOperation;
    if (useWait && remaining > 0) {
      try {
        op = await waitFor(caller, target.name, target.service.id, remaining, options);
      } catch (e) {
        if (!(e instanceof OperationsError) || e.code !== Code.UNIMPLEMENTED) throw e;
        useWait = false;
        op = await read(caller, target.name, target.service.id, options);
      }
    } else {
      op = await read(caller, target.name, target.service.id, options);
    }
    const state = finalState(op);
    const elapsed = performance.now() - acceptedAt;
    if (state !== 'still-running' || elapsed >= timeoutMs) {
      const result: ConfirmResult = {
        name: target.name,
        service: target.service.id,
        outcome: state,
        attempts,
        latencyMs,
        confirmMs: round(elapsed),
      };
      if (op.error && (state === 'failed' || state === 'cancelled')) {
        result.finalCode = op.error.code;
        result.finalMessage = op.error.message;
      }
      // What the service says of it (times, verb, progress), decoded: read once, shown in the record.
      const json = operationToJson(op);
      if (json.metadata) result.metadata = json.metadata;
      if (json.response) result.response = json.response;
      return result;
    }
    // Jittered (50-100 %) so that a batch's polls do not march in step.
    const wait = Math.min(delay * (0.5 + Math.random() / 2), timeoutMs - elapsed);
    try {
      await sleep(
        wait,
        options.signal ? AbortSignal.any([options.signal, caller.closeSignal]) : caller.closeSignal,
      );
    } catch (reason) {
      const why = options.signal?.aborted
        ? 'aborted by the caller while confirming'
        : 'the client was closed while confirming';
      throw new OperationsError(Code.CANCELLED, why, {
        operationName: target.name,
        service: target.service.id,
        attempts,
        outcome: 'aborted',
        cause: reason,
      });
    }
    delay = Math.min(poll.max, delay * poll.multiplier);
  }
}

async function read(
  caller: OperationsCaller,
  name: string,
  service: string,
  options: CallOptions,
): Promise<RawOperation> {
  const { value } = await caller.invoke<RawOperation>({
    method: 'getOperation',
    request: { name },
    routingName: name,
    service: caller.resolve(name, 'get', { ...options, service }).service,
    options,
  });
  return value;
}

/**
 * WaitOperation for at most `remainingMs` (10 s per call): the operation as the server has it
 * when it ends or the wait times out. Throws UNIMPLEMENTED where the service has no WaitOperation.
 * @internal
 */
export async function waitFor(
  caller: OperationsCaller,
  name: string,
  service: string,
  remainingMs: number,
  options: CallOptions,
): Promise<RawOperation> {
  const ms = Math.min(remainingMs, 10_000);
  const timeout = { seconds: String(Math.floor(ms / 1000)), nanos: Math.floor((ms % 1000) * 1e6) };
  const svc = caller.resolve(name, 'get', { ...options, service }).service;
  // The call's own deadline must outlive the server-side wait.
  const { value } = await caller.invoke<RawOperation>({
    method: 'waitOperation',
    request: { name, timeout },
    routingName: name,
    service: svc,
    options,
    policyOverride: { perAttemptTimeoutMs: ms + 5_000, totalTimeoutMs: ms + 10_000 },
  });
  return value;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
