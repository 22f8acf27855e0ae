import type * as grpc from '@grpc/grpc-js';
import { OperationsError } from '../errors/operations-error';
import { Code } from '../errors/status-code';
import { normalizeServiceHosts, parseOperationName, resolveServiceArg, type NameKind, type ParseNameOptions } from '../registry/operation-name';
import { findService, isServiceHost, type ServiceDescriptor } from '../registry/service-registry';
import { callWithRetry, type RetryListener } from '../retry/call-with-retry';
import { resolveRetryPolicy, type RetryPolicy } from '../retry/retry-policy';
import type { AuthClientLike, CredentialOptions } from '../transport/channel-credentials';
import { EndpointError, resolveEndpoint, type Endpoint } from '../transport/endpoint';
import { routingParams, type OperationsMethod, type OperationsStub } from '../transport/operations-stub';
import { StubPool } from '../transport/stub-pool';
import { readBackIfDone } from './already-done';
import { cancelAndConfirm, type ConfirmOptions, type ConfirmResult } from './cancel-and-confirm';
import { getOperation } from './get-operation';
import { listOperations, type ListOptions } from './list-operations';
import type { RawOperation } from './operation';

/** Options of `createCanceller`. Every field is optional; defaults are stated per field. */
export interface CancellerOptions {
  /**
   * `host:port` of an Operations emulator: every service is sent there over plaintext with no
   * credentials. Defaults to the `LRO_CANCEL_EMULATOR_HOST` environment variable; pass `null`
   * to ignore it. Plaintext to a host that is not loopback is refused unless `allowInsecure`.
   */
  emulator?: string | null;
  /** Permit plaintext to a non-loopback emulator host. Defaults to false. */
  allowInsecure?: boolean;
  /**
   * `host:port` overriding every service's host, or a map from service id to `host:port`
   * (regional or private endpoints). Keeps TLS and credentials. Defaults to the registry's host.
   */
  endpoint?: string | Readonly<Record<string, string>>;
  /** Universe domain. Defaults to `GOOGLE_CLOUD_UNIVERSE_DOMAIN`, else `googleapis.com`. */
  universeDomain?: string;
  /**
   * Service used for relative names when a call names none (id or host). A host given here may
   * also be named by full names (`//host/...`).
   */
  service?: string | ServiceDescriptor;
  /**
   * Hosts that are not built in which this canceller may call: `//host/...` full names on them
   * are custom services (any `.../operations/<id>`). A full name on any other host that is not
   * built in rejects with 'invalid-name' before any connection, so names from a file cannot
   * send credentials to a host of their choosing. Defaults to none.
   */
  serviceHosts?: readonly string[];
  /** Retry and deadline policy; see RetryPolicy for the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Told before every retry (logging, metrics). */
  onRetry?: RetryListener;
  /** Auth client to use instead of Application Default Credentials (TLS endpoints only). */
  auth?: AuthClientLike;
  /** PEM root certificates to trust instead of the system's. */
  rootCerts?: Buffer;
  /** gRPC channels (connections) per service to start with. Defaults to 1. */
  channelsPerService?: number;
  /**
   * Most channels per service. While every channel carries `streamsPerChannel` calls, one more
   * is opened (one connection cannot carry more than the server's stream limit, however high
   * the concurrency). Defaults to 8, or `channelsPerService` if higher; 1 turns growth off.
   */
  maxChannelsPerService?: number;
  /** Calls in flight per channel before another is opened: the server's stream limit. Defaults to 100 (Google's front ends). */
  streamsPerChannel?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
  /**
   * Wrap grpc-js's process-wide logger (when the first channel is made) so that every line its
   * traces print passes through lro-cancel's redactor. Defaults to false: the logger belongs to
   * the application, and grpc-js's client traces print no request headers; the CLI turns it on.
   */
  redactGrpcLogs?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  /** Service id or host for a relative name (overrides the canceller's `service`). */
  service?: string | ServiceDescriptor;
  /** Aborting stops the call and any retry wait at once; the result is outcome 'aborted'. */
  signal?: AbortSignal;
  /** Total deadline of this call in ms, retries included (overrides retry.totalTimeoutMs). */
  timeoutMs?: number;
  /** Retry policy fields for this call only (over the canceller's). */
  retry?: Partial<RetryPolicy>;
  /**
   * Wait for the channel to (re)connect instead of failing fast while it is down, within the
   * attempt's deadline. Defaults to false; the batch engine turns it on, so a short outage
   * does not burn every name's attempts while grpc-js reconnects.
   */
  waitForReady?: boolean;
}

/**
 * What a cancel did. 'cancel-requested': the server accepted it (cancellation itself is best
 * effort: confirm with GetOperation, or use cancelAndConfirm). When the server refused it because
 * the operation had already finished, the operation is read once and reported as what it is:
 * 'cancelled', 'completed' or 'failed', with `alreadyDone` and the operation's error.
 */
export interface CancelResult {
  name: string;
  /** Service id. */
  service: string;
  outcome: 'cancel-requested' | 'cancelled' | 'completed' | 'failed';
  attempts: number;
  latencyMs: number;
  /** True when the operation had finished before the cancel arrived (outcome is then what it became). */
  alreadyDone?: boolean;
  /** Operation.error.code / message of an operation found already cancelled or failed. */
  finalCode?: number;
  finalMessage?: string;
}

export interface Canceller {
  /**
   * Send CancelOperation for one operation, with retries.
   * @throws OperationsError (outcome 'invalid-name' before any RPC for a bad name).
   */
  cancel(name: string, options?: CallOptions): Promise<CancelResult>;
  /**
   * Cancel, then poll GetOperation until the operation is done or the confirm timeout passes:
   * outcome 'cancelled', 'completed' (despite the cancel), 'failed' or 'still-running'.
   * @throws OperationsError for a cancel that was refused (unsupported, not-found, ...).
   */
  cancelAndConfirm(name: string, options?: ConfirmOptions): Promise<ConfirmResult>;
  /** GetOperation (with the routing header, and retries). */
  getOperation(name: string, options?: CallOptions): Promise<RawOperation>;
  /** ListOperations under a parent, across every page. */
  listOperations(parent: string, options?: ListOptions): AsyncGenerator<RawOperation>;
  /** Close every channel; calls in flight end with outcome 'aborted'. */
  close(): Promise<void>;
}

/** Internal surface shared by cancel, confirm, get and list. @internal */
export interface OperationsCaller extends Canceller {
  /** Validate a name for `kind` and resolve its service. */
  resolve(name: string, kind: NameKind, options?: CallOptions): { name: string; service: ServiceDescriptor };
  /** `cancel` of a name `resolve` has validated already (the batch engine: no second pass). */
  cancelResolved(target: { name: string; service: ServiceDescriptor }, options?: CallOptions): Promise<CancelResult>;
  /** Run one method with retries: `{ value, attempts }`. */
  invoke<Res>(
    method: OperationsMethod,
    request: object,
    routingName: string,
    service: ServiceDescriptor,
    options?: CallOptions,
    policyOverride?: Partial<RetryPolicy>,
  ): Promise<{ value: Res; attempts: number }>;
  /** The stubs made so far (tests). */
  stubs(): OperationsStub[];
  /** Create the service's channel and wait until it is connected (or `timeoutMs` passes). */
  connect(service: string | ServiceDescriptor, timeoutMs?: number): Promise<void>;
  /** Aborted by close(): long waits above the retry layer (confirm polling) listen to it. */
  readonly closeSignal: AbortSignal;
  /** Which full-name hosts `resolve` accepts: for parsing names with the same rules (cancelMany's reader). */
  readonly nameOptions: Readonly<Pick<ParseNameOptions, 'serviceHosts' | 'universeDomain'>>;
}

/**
 * Create a canceller. Cheap: nothing is resolved or connected until the first call.
 *
 * @example
 * const canceller = createCanceller();                 // TLS + Application Default Credentials
 * await canceller.cancel('//dataplex.googleapis.com/projects/p/locations/us-central1/operations/op-1');
 * await canceller.close();
 */
export function createCanceller(options: CancellerOptions = {}): Canceller {
  // The same object as the internal surface: declared as the public type only, so that the
  // published declarations name no type that stripInternal removes.
  return createOperationsCaller(options);
}

/**
 * Every caller createOperationsCaller made, so that a public `Canceller` handed back to the
 * library (`cancelMany({ canceller })`) can be used through its internal surface again.
 */
const callers = new WeakMap<Canceller, OperationsCaller>();

/**
 * The internal surface of a canceller that createCanceller made. @internal
 * @throws TypeError for any other object (it would lack what the batch engine needs).
 */
export function callerOf(canceller: Canceller): OperationsCaller {
  const caller = callers.get(canceller);
  if (!caller) throw new TypeError('canceller: pass an object that createCanceller() returned');
  return caller;
}

/** createCanceller with its internal surface: for the CLI, the batch engine and tests. @internal */
export function createOperationsCaller(options: CancellerOptions = {}): OperationsCaller {
  const policy = resolveRetryPolicy(options.retry);
  // An empty environment variable means unset (as Google's *_EMULATOR_HOST variables do), but an
  // empty option is a mistake: it must not silently mean "production, TLS and ADC".
  const emulator = options.emulator === null ? undefined : (options.emulator ?? (process.env.LRO_CANCEL_EMULATOR_HOST || undefined));
  if (emulator === '') throw new EndpointError('emulator address is empty: give HOST:PORT, or leave the option out');
  const universeDomain = options.universeDomain ?? (process.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN || undefined);
  const endpointOptions = { emulator, allowInsecure: options.allowInsecure, endpoint: options.endpoint, universeDomain };
  const defaultService = options.service === undefined ? undefined : resolveServiceArg(options.service);
  const nameOptions = {
    serviceHosts: Object.freeze(allowedHostsOf(options.serviceHosts, defaultService)),
    ...(universeDomain === undefined ? {} : { universeDomain }),
  };
  const pool = new StubPool({
    channelsPerService: options.channelsPerService,
    maxChannelsPerService: options.maxChannelsPerService,
    streamsPerChannel: options.streamsPerChannel,
    channelOptions: options.channelOptions,
    redactGrpcLogs: options.redactGrpcLogs,
  });
  const endpoints = new Map<string, Endpoint>();
  let closed = false;
  const isClosed = (): boolean => closed;
  // Ends retry waits at close(); calls on the wire are ended by the stubs themselves.
  const closing = new AbortController();

  // Fail fast on a bad emulator/endpoint setting: a usage error, not a per-name result.
  if (emulator !== undefined) resolveEndpoint({ id: '-', host: 'x.googleapis.com', port: 443 } as ServiceDescriptor, endpointOptions);

  // Per-call policy overrides are usually one object reused for every call (cancelMany's):
  // resolve each once, not on every call.
  const overridden = new WeakMap<Partial<RetryPolicy>, RetryPolicy>();
  function policyWith(override: Partial<RetryPolicy>): RetryPolicy {
    let p = overridden.get(override);
    if (!p) {
      p = resolveRetryPolicy({ ...policy, ...override });
      overridden.set(override, p);
    }
    return p;
  }

  function credentialsFor(service: ServiceDescriptor): CredentialOptions {
    return { auth: options.auth, rootCerts: options.rootCerts, scopes: service.scopes, universeDomain };
  }

  function endpointFor(service: ServiceDescriptor): Endpoint {
    let e = endpoints.get(service.id);
    if (!e) {
      e = resolveEndpoint(service, endpointOptions);
      endpoints.set(service.id, e);
    }
    return e;
  }

  function resolve(name: string, kind: NameKind, callOptions?: CallOptions): { name: string; service: ServiceDescriptor } {
    const parsed = parseOperationName(name, {
      service: callOptions?.service ?? defaultService,
      kind,
      serviceHosts: nameOptions.serviceHosts,
      universeDomain: nameOptions.universeDomain,
    });
    return { name: parsed.name, service: parsed.service };
  }

  // Not async: once the channel exists (every call but the first) the retry loop's own promise
  // is returned as it is, without an extra promise and microtask hops around it.
  function invoke<Res>(
    method: OperationsMethod,
    request: object,
    routingName: string,
    service: ServiceDescriptor,
    callOptions: CallOptions = {},
    policyOverride?: Partial<RetryPolicy>,
  ): Promise<{ value: Res; attempts: number }> {
    let endpoint: Endpoint;
    try {
      endpoint = endpointFor(service);
      const stub = pool.peek(endpoint);
      if (stub) return invokeOn<Res>(stub, endpoint, method, request, routingName, service, callOptions, policyOverride);
    } catch (e) {
      // A bad endpoint or per-call policy: a rejection like every other failure, never a throw.
      return Promise.reject(e);
    }
    // The first call (the channel is made) or all channels full (one more is being opened).
    // The call's promise travels boxed, so that its own outcome is not mapped here: only the
    // pool's failures (and a synchronous throw of invokeOn, e.g. a bad per-call policy) are.
    return pool
      .withStub(endpoint, credentialsFor(service), (s) => ({ call: invokeOn<Res>(s, endpoint, method, request, routingName, service, callOptions, policyOverride) }))
      .then(
        (started) => started.call,
        (e: unknown) => {
          throw closed ? closedError(routingName, service.id) : e;
        },
      );
  }

  function invokeOn<Res>(
    stub: OperationsStub,
    endpoint: Endpoint,
    method: OperationsMethod,
    request: object,
    routingName: string,
    service: ServiceDescriptor,
    callOptions: CallOptions,
    policyOverride: Partial<RetryPolicy> | undefined,
  ): Promise<{ value: Res; attempts: number }> {
    const effective =
      callOptions.timeoutMs === undefined && policyOverride === undefined
        ? callOptions.retry === undefined
          ? policy
          : policyWith(callOptions.retry)
        : resolveRetryPolicy({
            ...policy,
            ...callOptions.retry,
            ...policyOverride,
            ...(callOptions.timeoutMs === undefined ? {} : { totalTimeoutMs: callOptions.timeoutMs }),
          });
    const routing = routingParams('name', routingName);
    const signal = callOptions.signal;
    const waitForReady = callOptions.waitForReady === true;
    const first = stub;
    let attemptNo = 0;
    return callWithRetry<Res>(
      (deadline) => {
        // Later attempts may take a less loaded channel of the pool.
        const s = attemptNo++ === 0 ? first : (pool.peek(endpoint) ?? first);
        return s.unary<Res>(method, request, routing, deadline, signal, waitForReady);
      },
      {
        policy: effective,
        operationName: routingName,
        service: service.id,
        signal,
        isClosed,
        closeSignal: closing.signal,
        onRetry: options.onRetry,
      },
    );
  }

  const self: OperationsCaller = {
    resolve,
    invoke,
    stubs: () => pool.all(),
    async connect(service, timeoutMs = 10_000) {
      const svc = resolveServiceArg(service);
      const endpoint = endpointFor(svc);
      const stub = pool.peek(endpoint) ?? (await pool.withStub(endpoint, credentialsFor(svc), (s) => s));
      await stub.waitForReady(Date.now() + timeoutMs);
    },
    closeSignal: closing.signal,
    nameOptions,
    cancelAndConfirm: (name, o) => cancelAndConfirm(self, name, o),
    getOperation: (name, o) => getOperation(self, name, o),
    listOperations: (parent, o) => listOperations(self, parent, o),
    cancel(name: string, callOptions?: CallOptions): Promise<CancelResult> {
      let target: { name: string; service: ServiceDescriptor };
      try {
        target = resolve(name, 'cancel', callOptions);
      } catch (e) {
        return Promise.reject(e); // a bad name is a rejection, like every other failure
      }
      return cancelResolved(target, callOptions);
    },
    cancelResolved,
    async close(): Promise<void> {
      closed = true;
      closing.abort(new Error('client closed'));
      pool.closeAll();
    },
  };
  callers.set(self, self);
  return self;

  // Promise-chained rather than async: on every call's path, and nearly every call succeeds.
  function cancelResolved(target: { name: string; service: ServiceDescriptor }, callOptions?: CallOptions): Promise<CancelResult> {
    const started = performance.now();
    const accepted = (attempts: number): CancelResult => ({
      name: target.name,
      service: target.service.id,
      outcome: 'cancel-requested',
      attempts,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return invoke<unknown>('cancelOperation', { name: target.name }, target.name, target.service, callOptions).then(
      (r) => accepted(r.attempts),
      async (e: unknown) => {
        // Refused because it is done already (or our own lost earlier attempt did it): say what it is.
        const done = await readBackIfDone(self, e, target, callOptions);
        if (!done) throw e;
        const result = accepted((e as OperationsError).attempts);
        result.outcome = done.outcome;
        if (done.alreadyDone) result.alreadyDone = true;
        if (done.finalCode !== undefined) result.finalCode = done.finalCode;
        if (done.finalMessage !== undefined) result.finalMessage = done.finalMessage;
        return result;
      },
    );
  }
}

/** The custom hosts full names may name: `serviceHosts`, plus the default service's host when it is not built in. */
function allowedHostsOf(serviceHosts: readonly string[] | undefined, defaultService: ServiceDescriptor | undefined): string[] {
  const hosts = normalizeServiceHosts(serviceHosts ?? []);
  const own = defaultService?.host.toLowerCase();
  if (own !== undefined && !findService(own) && isServiceHost(own) && !hosts.includes(own)) hosts.push(own);
  return hosts;
}

function closedError(name: string, service: string): OperationsError {
  return new OperationsError(Code.CANCELLED, 'the client was closed', { operationName: name, service, outcome: 'aborted' });
}
