import type { ServiceDescriptor } from '../registry/service-registry';
import type { CredentialOptions } from './channel-credentials';
import type { Endpoint } from './endpoint';

/*
 * What the client layer needs from a transport, and nothing else: the canceller, the confirm
 * loop and the batch engine call only these, so gRPC (stub-pool.ts) and REST (rest/) plug in
 * side by side. Kept to the shape of the gRPC hot path (a synchronous `peek`, then one promise
 * per attempt) so that the interface costs no promise hop.
 */

/** The google.longrunning.Operations methods, by their JS (camelCase) names. */
export type OperationsMethod =
  | 'cancelOperation'
  | 'getOperation'
  | 'listOperations'
  | 'deleteOperation'
  | 'waitOperation';

/**
 * Which wire a canceller speaks: gRPC over HTTP/2 (default), or HTTP/1.1 + JSON as the services'
 * REST surfaces (WaitOperation is not bound over HTTP: confirmation polls GetOperation).
 *
 * @example
 * ```ts
 * const transport: TransportKind = 'rest';
 * const canceller = createCanceller({ transport });
 * ```
 */
export type TransportKind = 'grpc' | 'rest';

/** One way to reach one endpoint: a gRPC channel, or an HTTP/1.1 connection pool. */
export interface OperationsConnection {
  /**
   * One attempt of a unary call. Resolves with the response as gRPC's proto-loader gives it
   * (REST converts its JSON to the same objects); rejects with a raw transport error that
   * errors/translate-grpc-error.ts understands (a `{ code, details }` status, or a socket
   * error). Settles by `deadline` (epoch ms); `signal` aborting ends it on the wire.
   */
  unary<Res>(
    method: OperationsMethod,
    request: object,
    routing: string,
    deadline: number,
    signal?: AbortSignal,
    waitForReady?: boolean,
  ): Promise<Res>;
  /** Resolve once the endpoint can take calls, or reject when `deadline` (epoch ms) passes first. */
  waitForReady(deadline: number): Promise<void>;
  /** Calls in flight on this connection now. */
  readonly inflightCount: number;
  readonly closed: boolean;
}

/** The connections of every endpoint a canceller calls, made on first use. */
export interface OperationsTransport {
  readonly kind: TransportKind;
  /** False for a method this transport cannot carry (REST: WaitOperation, bound over HTTP by no service). */
  supports(method: OperationsMethod): boolean;
  /**
   * The connection to use now, without waiting (the hot path: no promise); undefined when the
   * endpoint has none yet, or none free while one more is being opened: then `withConnection`.
   */
  peek(endpoint: Endpoint): OperationsConnection | undefined;
  /** Run `use` with a connection of the endpoint, once there is one (made on first use). */
  withConnection<T>(
    endpoint: Endpoint,
    service: ServiceDescriptor,
    credentials: CredentialOptions,
    use: (connection: OperationsConnection) => T | Promise<T>,
  ): Promise<T>;
  /** Every connection made so far (tests, metrics). */
  all(): OperationsConnection[];
  /** End every call in flight and free every connection. */
  closeAll(): void;
}
