/**
 * What the emulator's per-method logic reads of one call, whichever server received it: grpc-js's
 * ServerUnaryCall has this shape, and the REST gateway (rest-gateway.ts) builds one per request.
 */
export interface EmulatorCall {
  readonly request: Record<string, unknown>;
  /** `:authority` over gRPC, `Host` over REST: which service the call is for. */
  getHost(): string;
  /** `address:port` of the client connection. */
  getPeer(): string;
  /** Request headers (metadata) by lower-case name. */
  readonly metadata: { get(key: string): unknown[] };
  /** True once the client went away. */
  readonly cancelled: boolean;
  /** Drop the connection the call came on (a fault); false when it is gone. Default: find the gRPC session by peer. */
  dropConnection?: () => boolean;
}

/** How a call is answered: a status error (`code`, `details`, `metadata` with `grpc-status-details-bin`), or a value. */
export type EmulatorCallback = (
  error: { code: number; details: string; metadata: { get(key: string): unknown[] } } | null,
  value?: unknown,
) => void;
