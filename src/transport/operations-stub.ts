import { VERSION } from '../version';
import { grpc, grpcVersion } from './grpc';
import { AbortFanout, type SignalCalls } from './abort-fanout';
import type { OperationsConnection, OperationsMethod } from './operations-transport';

export type { OperationsMethod } from './operations-transport';

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, value?: unknown) => void,
) => grpc.ClientUnaryCall;

/** `x-goog-api-client`: who is calling, as Google's front ends and quota dashboards read it. */
export const API_CLIENT_HEADER = `gl-node/${process.versions.node} grpc/${grpcVersion()} lro-cancel/${VERSION}`;

// A hardened realm (SES lockdown) may freeze it; then grpc-js keeps capturing its stacks.
const STACK_LIMIT_WRITABLE = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/**
 * `x-goog-request-params` value for a resource name. Google's front ends route by it, and
 * regional endpoints reject calls without it. The value is form-encoded like gax's
 * routingHeader.fromParams (encodeURIComponent: '/' becomes %2F).
 */
export function routingParams(field: string, value: string): string {
  return `${field}=${encodeURIComponent(value)}`;
}

/**
 * One grpc-js client (one channel) for google.longrunning.Operations on one endpoint.
 * Tracks in-flight calls so `close()` can end them (they are reported as 'aborted').
 */
export class OperationsStub implements OperationsConnection {
  private readonly inflight = new Set<grpc.ClientUnaryCall>();
  /** The calls each caller signal ends, behind one listener per signal. */
  private readonly aborts = new AbortFanout<grpc.ClientUnaryCall>((call) => call.cancel());
  private closedFlag = false;

  constructor(private readonly client: grpc.Client) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Calls in flight on this stub now. */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Resolve once the channel is connected, or reject when `deadline` (epoch ms) passes first. */
  waitForReady(deadline: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** The underlying channel (connectivity state, tests). */
  getChannel(): grpc.Channel {
    return this.client.getChannel() as grpc.Channel;
  }

  /**
   * One attempt of a unary call. Rejects with the raw grpc-js ServiceError; translation and
   * retries live above. `signal` aborting cancels the call on the wire.
   */
  unary<Res>(
    method: OperationsMethod,
    request: object,
    routing: string,
    deadline: number,
    signal?: AbortSignal,
    waitForReady = false,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.closedFlag) {
        reject(
          Object.assign(new Error('client closed'), {
            code: grpc.status.CANCELLED,
            details: 'client closed',
          }),
        );
        return;
      }
      const metadata = new grpc.Metadata();
      metadata.set('x-goog-request-params', routing);
      metadata.set('x-goog-api-client', API_CLIENT_HEADER);
      const fn = (this.client as unknown as Record<OperationsMethod, UnaryMethod>)[method];
      // grpc-js takes wait-for-ready as a metadata option, not a call option.
      if (waitForReady) metadata.setOptions({ waitForReady: true });
      let watch: SignalCalls<grpc.ClientUnaryCall> | undefined;
      // grpc-js captures a stack trace (`new Error()`) in every unary call, only to append it
      // to the call's error. Called from deep in async code, that capture walks the async
      // chain and costs more than the rest of our layer; its errors reach users translated
      // (OperationsError, with its own stack), so the capture is switched off for this start.
      const stackLimit = Error.stackTraceLimit;
      if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = 0;
      let call: grpc.ClientUnaryCall;
      try {
        call = fn.call(this.client, request, metadata, { deadline }, (err, value) => {
          this.inflight.delete(call);
          if (watch) this.aborts.remove(signal as AbortSignal, watch, call);
          if (err) reject(err);
          else resolve(value as Res);
        });
      } finally {
        if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = stackLimit;
      }
      this.inflight.add(call);
      if (signal?.aborted) call.cancel();
      else if (signal) watch = this.aborts.add(signal, call);
    });
  }

  /** Cancel every call in flight and close the channel. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const call of this.inflight) call.cancel();
    this.inflight.clear();
    this.client.close();
  }
}
