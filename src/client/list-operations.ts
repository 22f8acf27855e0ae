import type { ListOptions, OperationsCaller } from './canceller-types';

export type { ListOptions } from './canceller-types';
import type { RawOperation } from './operation';

interface ListResponse {
  operations?: RawOperation[];
  nextPageToken?: string;
}

/**
 * ListOperations under a parent (`projects/p/locations/l`, `projects/p`, or `//host/...`),
 * following next_page_token to the end (or `limit`). Each page is one retried call.
 * @internal (takes the internal surface; users call the canceller's method)
 */
export async function* listOperations(
  caller: OperationsCaller,
  parent: string,
  options: ListOptions = {},
): AsyncGenerator<RawOperation> {
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 0)) {
    throw new RangeError(`pageSize must be an integer >= 0, got ${options.pageSize}`);
  }
  const target = caller.resolve(parent, 'list-parent', options);
  let token = '';
  let seen = 0;
  const limit = options.limit ?? Infinity;
  do {
    const request = {
      name: target.name,
      filter: options.filter ?? '',
      pageSize: options.pageSize ?? 0,
      pageToken: token,
    };
    const { value } = await caller.invoke<ListResponse>({
      method: 'listOperations',
      request,
      routingName: target.name,
      service: target.service,
      options,
    });
    for (const op of value.operations ?? []) {
      if (seen >= limit) return;
      seen++;
      yield op;
    }
    token = value.nextPageToken ?? '';
  } while (token && seen < limit);
}
