import { callerOf, createOperationsCaller } from '../client/canceller';
import { operationToJson, type OperationJson } from '../client/operation';
import {
  hasSelector,
  LeftOutTally,
  selectOperation,
  type OperationSelector,
} from '../client/operation-selector';
import { normalizeOperation, type NormalizedOperation } from '../client/operation-view';
import { cancelMany, type BatchOptions, type BatchRun } from './cancel-many';

/**
 * Options of `cancelAll` and `listPendingNames`: the batch options, plus the listing's filter and page size.
 *
 * @example
 * ```ts
 * await cancelAll('projects/p/locations/l', { service: 'dataplex', filter: 'done=false', pageSize: 500, concurrency: 32 });
 * ```
 */
export interface CancelAllOptions extends BatchOptions {
  /** ListOperations filter. Defaults to `done=false`. */
  filter?: string;
  /** Page size of the listing. */
  pageSize?: number;
  /** Keep only the operations these selectors match (on the client, after listing to the end). */
  select?: OperationSelector;
}

/**
 * A pending operation picked by `selectPendingOperations`, with what the selection looked at.
 *
 * @example
 * ```ts
 * const { selected } = await selectPendingOperations(parent, { service: 'datastore', select: { olderThanMs: 3_600_000 } });
 * for (const op of selected) console.log(op.relativeName, op.normalized.createTime);
 * ```
 */
export interface SelectedOperation {
  /** Full name (`//host/...`), as cancelMany takes it. */
  name: string;
  /** The relative name. */
  relativeName: string;
  /** Service id (or a custom service's host). */
  service: string;
  /** The operation as listed, Any fields decoded. */
  operation: OperationJson;
  /** Its normalised fields. */
  normalized: NormalizedOperation;
}

/**
 * What `selectPendingOperations` found: the selected operations, and those left out, by reason.
 *
 * @example
 * ```ts
 * const sel: PendingSelection = await selectPendingOperations(parent, { service: 'dataplex', select: { kind: 'create' } });
 * console.log(sel.selected.length, sel.leftOut.total);
 * ```
 */
export interface PendingSelection {
  /** Pending operations every selector matched, in listing order. */
  selected: SelectedOperation[];
  /** Pending operations left out, counted by selector and reason. */
  leftOut: LeftOutTally;
}

/**
 * List every pending operation under `parent` to the end, decode it, and keep those
 * `options.select` matches (all of them without selectors). Nothing is cancelled.
 *
 * @example
 * ```ts
 * const sel = await selectPendingOperations('projects/p', { service: 'datastore', select: { olderThanMs: 3_600_000 } });
 * console.log(`${sel.selected.length} to cancel; left out: ${sel.leftOut.describe({ olderThanMs: 3_600_000 })}`);
 * ```
 */
export async function selectPendingOperations(
  parent: string,
  options: CancelAllOptions = {},
): Promise<PendingSelection> {
  const caller = options.canceller ? callerOf(options.canceller) : createOperationsCaller(options);
  try {
    const target = caller.resolve(parent, 'list-parent', options);
    const selected: SelectedOperation[] = [];
    const leftOut = new LeftOutTally();
    const now = Date.now();
    for await (const op of caller.listOperations(parent, {
      ...options,
      filter: options.filter ?? 'done=false',
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    })) {
      if (op.done) continue; // the filter is the server's; check here too
      const json = operationToJson(op);
      const normalized = normalizeOperation(json);
      const verdict = options.select ? selectOperation(json, normalized, options.select, now) : undefined;
      if (verdict && !verdict.selected) {
        leftOut.add(verdict);
        continue;
      }
      selected.push({
        name: `//${target.service.host}/${op.name}`,
        relativeName: op.name,
        service: target.service.id,
        operation: json,
        normalized,
      });
    }
    return { selected, leftOut };
  } finally {
    if (!options.canceller) await caller.close();
  }
}

/**
 * Cancel every operation under `parent` that is not done (and that `options.select` matches).
 *
 * Lists to the end *before* cancelling anything: many servers' page tokens are offsets into
 * the filtered list, so cancelling while paging a `done=false` filter would shift later pages
 * and silently skip operations. Names are then cancelled through cancelMany (bounded
 * concurrency, one record per operation).
 *
 * @example
 * ```ts
 * const names = await listPendingNames('projects/p/locations/us-central1', { service: 'dataplex' });
 * console.log(`${names.length} operation(s) would be cancelled`);
 * ```
 */
export async function listPendingNames(parent: string, options: CancelAllOptions = {}): Promise<string[]> {
  // With selectors, each operation's metadata is decoded; without, names are all that is kept.
  if (hasSelector(options.select))
    return (await selectPendingOperations(parent, options)).selected.map((o) => o.name);
  const caller = options.canceller ? callerOf(options.canceller) : createOperationsCaller(options);
  try {
    const target = caller.resolve(parent, 'list-parent', options);
    const names: string[] = [];
    for await (const op of caller.listOperations(parent, {
      ...options,
      filter: options.filter ?? 'done=false',
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    })) {
      // The filter is the server's; check `done` here too, in case it ignored it.
      if (!op.done) names.push(`//${target.service.host}/${op.name}`);
    }
    return names;
  } finally {
    if (!options.canceller) await caller.close();
  }
}

/**
 * List (to the end), then cancel every pending operation under `parent`.
 *
 * @example
 * ```ts
 * const run = await cancelAll('projects/p/locations/us-central1', { service: 'dataplex', confirm: true });
 * for await (const record of run) console.log(record.name, record.outcome);
 * ```
 */
export async function cancelAll(parent: string, options: CancelAllOptions = {}): Promise<BatchRun> {
  const names = await listPendingNames(parent, options);
  return cancelMany(names, options);
}
