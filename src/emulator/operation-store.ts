import { Code } from '../errors/status-code';
import { metadataKinds, serviceMetadata, serviceResponse } from './operation-metadata';
import { serviceKey } from './service-key';

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
  /**
   * Service id or host the operation belongs to (matched against the call's :authority). The
   * same name seeded for two services is two operations. Without it, the operation belongs to
   * no service and every service (and a loopback authority) sees it: handy in tests.
   */
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
  /**
   * The operation's metadata. Defaults, for a built-in service, to its real metadata type
   * (e.g. google.cloud.dataplex.v1.OperationMetadata with create/end time, target, verb and
   * requested_cancellation, kept current as the operation runs, is cancelled and ends).
   */
  metadata?: AnyMessage;
  /** When it was created (ms since the epoch; the service metadata's create time). Defaults to now. */
  createdAt?: number;
  /**
   * Which of the service's kinds of operation it is, for its metadata and response types:
   * Datastore `export` (default), `import` or `index`; Discovery Engine `import` (default) or
   * `purge`. Any other value throws, naming the kinds the service has.
   */
  metadataKind?: string;
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
  /** Date.now() at seed time, and when it ended: what the service metadata reports. */
  createdAt: number;
  /** Date.now() when it ended (done), if it has. */
  endedAt?: number;
  /** The seed's `metadataKind`, if any. */
  metadataKind?: string;
  /** True when the seed gave its own metadata (kept as is). */
  fixedMetadata: boolean;
}

export const EMPTY_TYPE_URL = 'type.googleapis.com/google.protobuf.Empty';

/** Key of an operation: its service (id, or host for a custom one; '' for none) and its name. */
function keyOf(service: string, name: string): string {
  return `${service}\n${name}`;
}

/** Service key of a seed's `service` ('' when it names none). */
function ownerOf(service: string | undefined): string {
  return service === undefined ? '' : serviceKey(service);
}

/**
 * In-memory operations keyed by (service, relative name), in insertion order (ListOperations
 * pages follow it). An operation seeded without a service is seen by every service.
 *
 * @example
 * ```ts
 * emulator.store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
 * // ... cancel it ...
 * expect(emulator.store.get('projects/p/operations/o', 'datastore')?.done).toBe(true);
 * ```
 */
export class OperationStore {
  private readonly ops = new Map<string, StoredOperation>();
  /** name -> service keys holding it, for lookups by name alone. */
  private readonly byName = new Map<string, Set<string>>();

  /** Add (or replace) a running operation with its script. */
  seed(seed: OperationSeed): StoredOperation {
    if (seed.metadataKind !== undefined) {
      const kinds = seed.service === undefined ? [] : metadataKinds(serviceKey(seed.service));
      if (!kinds.includes(seed.metadataKind))
        throw new RangeError(
          `metadataKind "${seed.metadataKind}": ${seed.service ?? 'an operation of no service'} has ${kinds.length ? kinds.join(', ') : 'no kinds'}`,
        );
    }
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
      createdAt: seed.createdAt ?? Date.now(),
      fixedMetadata: seed.metadata !== undefined,
      ...(seed.metadata ? { metadata: seed.metadata } : {}),
      ...(seed.metadataKind !== undefined ? { metadataKind: seed.metadataKind } : {}),
    };
    this.refreshMetadata(op);
    if (seed.doneAs === 'completed') this.complete(op);
    if (seed.doneAs === 'failed') this.fail(op, op.failCode, 'operation failed on its own');
    if (seed.doneAs === 'cancelled') this.fail(op, Code.CANCELLED, 'Operation was cancelled.');
    const owner = ownerOf(seed.service);
    const key = keyOf(owner, seed.name);
    const old = this.ops.get(key);
    if (old?.settleTimer) clearTimeout(old.settleTimer);
    this.ops.set(key, op);
    const owners = this.byName.get(seed.name) ?? new Set<string>();
    owners.add(owner);
    this.byName.set(seed.name, owners);
    return op;
  }

  /**
   * The operation `name` as `service` sees it: its own, else one seeded without a service.
   * Without `service`: the one seeded without a service, else the first seeded under that name.
   */
  get(name: string, service?: string): StoredOperation | undefined {
    if (service !== undefined) {
      return this.ops.get(keyOf(ownerOf(service), name)) ?? this.ops.get(keyOf('', name));
    }
    const owners = this.byName.get(name);
    if (!owners) return undefined;
    const unowned = this.ops.get(keyOf('', name));
    if (unowned) return unowned;
    const [first] = owners;
    return first === undefined ? undefined : this.ops.get(keyOf(first, name));
  }

  /** Services (ids or hosts) holding an operation called `name`, '' for one seeded without a service. */
  ownersOf(name: string): string[] {
    return [...(this.byName.get(name) ?? [])];
  }

  /** Service keys of every seeded operation (custom hosts included). */
  services(): Set<string> {
    const out = new Set<string>();
    for (const owners of this.byName.values()) for (const o of owners) out.add(o);
    return out;
  }

  /** Remove the operation (as `get(name, service)` finds it). */
  delete(name: string, service?: string): boolean {
    const op = this.get(name, service);
    if (!op) return false;
    if (op.settleTimer) clearTimeout(op.settleTimer);
    const owner = ownerOf(op.service);
    this.ops.delete(keyOf(owner, name));
    const owners = this.byName.get(name);
    owners?.delete(owner);
    if (owners?.size === 0) this.byName.delete(name);
    return true;
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
    this.byName.clear();
  }

  /** Finish an operation with a response (google.protobuf.Empty). */
  complete(op: StoredOperation): void {
    op.done = true;
    op.endedAt = Date.now();
    op.response = (op.service !== undefined && serviceResponse(serviceKey(op.service), op.metadataKind)) || {
      type_url: EMPTY_TYPE_URL,
      value: Buffer.alloc(0),
    };
    this.refreshMetadata(op);
  }

  /** Finish an operation with an error. */
  fail(op: StoredOperation, code: number, message: string): void {
    op.done = true;
    op.endedAt = Date.now();
    op.error = { code, message, details: [] };
    this.refreshMetadata(op);
  }

  /** Count a CancelOperation that reached the operation (its metadata says cancellation was requested). */
  noteCancelRequest(op: StoredOperation): void {
    op.cancelRequests++;
    if (op.cancelRequests === 1) this.refreshMetadata(op);
  }

  /** Re-encode a built-in service's metadata from the operation's state. */
  private refreshMetadata(op: StoredOperation): void {
    if (op.fixedMetadata || op.service === undefined) return;
    const metadata = serviceMetadata(
      serviceKey(op.service),
      {
        name: op.name,
        createdAt: op.createdAt,
        ...(op.endedAt !== undefined ? { endedAt: op.endedAt } : {}),
        cancelRequested: op.cancelRequests > 0,
        ...(op.done
          ? { outcome: op.error ? (op.error.code === Code.CANCELLED ? 'cancelled' : 'failed') : 'completed' }
          : {}),
      },
      op.metadataKind,
    );
    if (metadata) op.metadata = metadata;
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
