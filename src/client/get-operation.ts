import type { CallOptions, OperationsCaller } from './canceller-types';
import type { RawOperation } from './operation';

/**
 * GetOperation for one name (validated against the service's GetOperation patterns, which are
 * wider than CancelOperation's on some services). Sends the routing header like every call,
 * which google-gax's OperationsClient does not.
 * @internal (takes the internal surface; users call the canceller's method)
 */
export async function getOperation(
  caller: OperationsCaller,
  name: string,
  options: CallOptions = {},
): Promise<RawOperation> {
  const target = caller.resolve(name, 'get', options);
  const { value } = await caller.invoke<RawOperation>({
    method: 'getOperation',
    request: { name: target.name },
    routingName: target.name,
    service: target.service,
    options,
  });
  return value;
}
