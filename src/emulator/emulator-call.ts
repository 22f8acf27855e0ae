/*
 * The seam between a transport and the emulator: what a server (the gRPC server in
 * operations-emulator.ts, the REST gateway in rest-gateway.ts) hands `answer` besides the
 * request, and how `answer` says the connection was dropped. Its own file so that the gateway
 * needs nothing of the emulator but this.
 */

/**
 * The methods of google.longrunning.Operations the emulator answers.
 *
 * @example
 * ```ts
 * const op = await emulator.answer('GetOperation', { name }, 'dataplex', 'test');
 * ```
 */
export type OperationsMethod =
  | 'GetOperation'
  | 'ListOperations'
  | 'CancelOperation'
  | 'DeleteOperation'
  | 'WaitOperation';

/**
 * What a transport knows about a call besides its request (all optional).
 *
 * @example
 * ```ts
 * await emulator.answer('GetOperation', { name }, undefined, 'test', { authority: 'dataplex.googleapis.com' });
 * ```
 */
export interface CallExtras {
  /** The call's `:authority` (gRPC) or Host (HTTP), for the log and for routing. */
  authority?: string;
  /** The call's `x-goog-request-params` header, as recorded in the call log. */
  requestParams?: string | undefined;
  /** The call's `x-goog-api-client` header, as recorded in the call log. */
  apiClient?: string | undefined;
  /** Recorded in `calls` (tests check it never reaches the emulator in plaintext mode); never logged to a file. */
  authorization?: string | undefined;
  /** The `x-goog-user-project` header (the quota project billed), recorded in `calls`. */
  userProject?: string | undefined;
  /** The caller's deadline, ms since the epoch (Infinity or undefined: none). */
  deadline?: number;
  /** True once the caller has gone (WaitOperation stops waiting). */
  cancelled?: () => boolean;
  /**
   * Drop the caller's connection instead of answering (`dropRate`, `dropTimes`); false when it
   * is gone (then the call is answered UNAVAILABLE). When it returns true, `answer` rejects with
   * `DROP`: there is no answer to send.
   */
  dropConnection?: () => boolean;
}

/**
 * Thrown inside a handler to drop the call's connection instead of answering; `answer` rejects
 * with it when the connection was dropped (there is nothing to send).
 *
 * @example
 * ```ts
 * try { await emulator.answer(method, request, service, peer, extras); }
 * catch (e) { if (e === DROP) return; throw e; }
 * ```
 */
export const DROP: unique symbol = Symbol('drop connection');

/** The emulator as a transport's server sees it: `answer`, and the count of connections dropped. */
export interface CallAnswerer {
  answer(
    method: OperationsMethod,
    request: Record<string, unknown>,
    service: string | undefined,
    peer: string,
    extras?: CallExtras,
  ): Promise<unknown>;
  connectionsDropped: number;
}
