import type { OperationsTransport, TransportKind } from './operations-transport';
import { RestTransport, type RestTransportOptions } from './rest/rest-transport';
import { StubPool, type StubPoolOptions } from './stub-pool';

/** Options of every transport; each reads its own (TLS roots and certificates come with each service's credentials). */
export interface TransportOptions extends StubPoolOptions, RestTransportOptions {}

/** The transport of a canceller, by kind. Throws a TypeError for a kind that is not one. */
export function createTransport(kind: TransportKind, options: TransportOptions): OperationsTransport {
  if (kind === 'grpc') return new StubPool(options);
  if (kind === 'rest') return new RestTransport(options);
  throw new TypeError(`transport must be 'grpc' or 'rest', got ${JSON.stringify(kind)}`);
}
