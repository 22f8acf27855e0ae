import { Code } from '../errors/status-code';

/**
 * What an emulated operation does when a cancel reaches it.
 *
 * @example
 * ```ts
 * emulator.store.seed({ name: 'projects/p/operations/stubborn', onCancel: 'ignore' });
 * ```
 */
export type CancelBehavior =
  /** Accept the cancel; the operation ends CANCELLED (error.code 1) after `settleMs`. Default. */
  | 'cancel'
  /** Accept the cancel, but the operation completes with a response anyway. */
  | 'complete'
  /** Accept the cancel, but the operation fails with `failCode`. */
  | 'fail'
  /** Accept the cancel and keep running forever. */
  | 'ignore'
  /** CancelOperation is UNIMPLEMENTED for this operation's service. */
  | 'unimplemented';

/**
 * google.protobuf.Any as proto-loader gives it.
 *
 * @example
 * ```ts
 * emulator.store.seed({ name, metadata: { type_url: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) } });
 * ```
 */
export interface AnyMessage {
  /** The type URL (`type.googleapis.com/...`). */
  type_url: string;
  /** The serialized message. */
  value: Buffer;
}

/**
 * What to seed: a running operation and its script (how it answers cancels).
 *
 * @example
 * ```ts
 * emulator.store.seed({ name: 'projects/p/operations/o', service: 'datastore', failTimes: 2, onCancel: 'complete' });
 * ```
 */
export interface OperationSeed {
  /** Relative operation name. */
  name: string;
  /** Service id or host the operation belongs to (matched against the call's :authority). */
  service?: string;
  /** Already finished before any cancel arrives: 'completed', 'failed', or 'cancelled' (by someone else). */
  doneAs?: 'completed' | 'failed' | 'cancelled';
  /** What a cancel does to it. Defaults to 'cancel'. */
  onCancel?: CancelBehavior;
  /** Delay between an accepted cancel and the operation being done. Defaults to 0. */
  settleMs?: number;
  /** Code the operation fails with ('fail' / doneAs 'failed'). Defaults to INTERNAL. */
  failCode?: number;
  /** Fail the first N CancelOperation calls with `failCode` (transient faults). */
  failTimes?: number;
  /** Code of those transient failures. Defaults to UNAVAILABLE. */
  transientCode?: number;
  /** Message of those transient failures. Defaults to 'transient failure (scripted)'. */
  transientMessage?: string;
  /**
   * Drop the client's connection (TCP reset, no answer) on the first N CancelOperation calls,
   * before they take effect; every call in flight on that connection fails with it.
   */
  dropTimes?: number;
  /** Operation.metadata to serve. Defaults to none. */
  metadata?: AnyMessage;
}

/**
 * An emulated google.longrunning.Operation plus its script.
 *
 * @example
 * ```ts
 * const op: StoredOperation | undefined = emulator.store.get(name);
 * console.log(op?.done, op?.cancelRequests);
 * ```
 */
export interface StoredOperation {
  /** Relative operation name. */
  name: string;
  /** Service id or host it belongs to (undefined: any). */
  service: string | undefined;
  /** True once it finished. */
  done: boolean;
  /** Set when it finished with an error. */
  error?: {
    /** Status code (1 when cancelled). */
    code: number;
    /** Status message. */
    message: string;
    /** google.rpc details. */
    details: AnyMessage[];
  };
  /** Set when it finished with a response. */
  response?: AnyMessage;
  /** Operation.metadata. */
  metadata?: AnyMessage;
  /** What a cancel does to it. */
  onCancel: CancelBehavior;
  /** Delay between an accepted cancel and the operation being done. */
  settleMs: number;
  /** Code it fails with ('fail' / doneAs 'failed'). */
  failCode: number;
  /** Transient failures of CancelOperation still to give. */
  failTimesLeft: number;
  /** Code of those transient failures. */
  transientCode: number;
  /** Message of those transient failures. */
  transientMessage: string;
  /** Connection drops still to give. */
  dropTimesLeft: number;
  /** CancelOperation calls that reached it. */
  cancelRequests: number;
  /** The pending settle after an accepted cancel, if any. */
  settleTimer?: NodeJS.Timeout;
}

export const EMPTY_TYPE_URL = 'type.googleapis.com/google.protobuf.Empty';

/**
 * In-memory operations, in insertion order (ListOperations pages follow it).
 *
 * @example
 * ```ts
 * emulator.store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
 * // ... cancel it ...
 * expect(emulator.store.get('projects/p/operations/o')?.done).toBe(true);
 * ```
 */
export class OperationStore {
  private readonly ops = new Map<string, StoredOperation>();

  /** Add (or replace) a running operation with its script. */
  seed(seed: OperationSeed): StoredOperation {
    const op: StoredOperation = {
      name: seed.name,
      service: seed.service,
      done: false,
      onCancel: seed.onCancel ?? 'cancel',
      settleMs: seed.settleMs ?? 0,
      failCode: seed.failCode ?? Code.INTERNAL,
      failTimesLeft: seed.failTimes ?? 0,
      transientCode: seed.transientCode ?? Code.UNAVAILABLE,
      transientMessage: seed.transientMessage ?? 'transient failure (scripted)',
      dropTimesLeft: seed.dropTimes ?? 0,
      cancelRequests: 0,
      ...(seed.metadata ? { metadata: seed.metadata } : {}),
    };
    if (seed.doneAs === 'completed') this.complete(op);
    if (seed.doneAs === 'failed') this.fail(op, op.failCode, 'operation failed on its own');
    if (seed.doneAs === 'cancelled') this.fail(op, Code.CANCELLED, 'Operation was cancelled.');
    const old = this.ops.get(seed.name);
    if (old?.settleTimer) clearTimeout(old.settleTimer);
    this.ops.set(seed.name, op);
    return op;
  }

  /** The operation of this relative name, if seeded. */
  get(name: string): StoredOperation | undefined {
    return this.ops.get(name);
  }

  /** Remove an operation (as DeleteOperation does); false when there was none. */
  delete(name: string): boolean {
    const op = this.ops.get(name);
    if (op?.settleTimer) clearTimeout(op.settleTimer);
    return this.ops.delete(name);
  }

  /** Every operation, in insertion order. */
  all(): IterableIterator<StoredOperation> {
    return this.ops.values();
  }

  /** How many operations it holds. */
  get size(): number {
    return this.ops.size;
  }

  /** Remove every operation (and their pending settle timers). */
  clear(): void {
    for (const op of this.ops.values()) if (op.settleTimer) clearTimeout(op.settleTimer);
    this.ops.clear();
  }

  /** Finish an operation with a response (google.protobuf.Empty). */
  complete(op: StoredOperation): void {
    op.done = true;
    op.response = { type_url: EMPTY_TYPE_URL, value: Buffer.alloc(0) };
  }

  /** Finish an operation with an error. */
  fail(op: StoredOperation, code: number, message: string): void {
    op.done = true;
    op.error = { code, message, details: [] };
  }

  /** Apply an accepted cancel according to the operation's script. */
  applyCancel(op: StoredOperation): void {
    const settle = (): void => {
      op.settleTimer = undefined;
      if (op.done) return;
      switch (op.onCancel) {
        case 'complete':
          this.complete(op);
          break;
        case 'fail':
          this.fail(op, op.failCode, 'operation failed while cancelling');
          break;
        case 'ignore':
          break;
        default:
          this.fail(op, Code.CANCELLED, 'Operation was cancelled.');
      }
    };
    if (op.onCancel === 'ignore' || op.settleTimer) return;
    if (op.settleMs > 0) {
      op.settleTimer = setTimeout(settle, op.settleMs);
      op.settleTimer.unref();
    } else settle();
  }
}
