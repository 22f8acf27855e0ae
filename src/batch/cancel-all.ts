import { callerOf, createOperationsCaller } from '../client/canceller';
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
}

/**
 * Cancel every operation under `parent` that is not done.
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
