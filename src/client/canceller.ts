import { OperationsError } from '../errors/operations-error';
import { Code, codeName } from '../errors/status-code';
import {
  normalizeServiceHosts,
  parseOperationName,
  resolveServiceArg,
  type NameKind,
} from '../registry/operation-name';
import { createTelemetry, type Telemetry } from '../observability/telemetry';
import { findService, isServiceHost, type ServiceDescriptor } from '../registry/service-registry';
import { callWithRetry } from '../retry/call-with-retry';
import { resolveRetryPolicy, type RetryPolicy } from '../retry/retry-policy';
import {
  checkCredentialSettings,
  CredentialError,
  createCredentialSource,
  type CredentialSettings,
  type CredentialSource,
} from '../auth/credential-source';
import { loadClientCertificate, mtlsSettings, type ClientCertificate } from '../auth/client-certificate';
import { resolveRootCerts } from '../auth/tls-roots';
import type { CredentialOptions } from '../transport/channel-credentials';
import { EndpointError, resolveEndpoint, type Endpoint, type EndpointOptions } from '../transport/endpoint';
import { proxyFromEnv } from '../transport/proxy';
import { createTransport } from '../transport/create-transport';
import { routingParams } from '../transport/operations-stub';
import type { OperationsConnection } from '../transport/operations-transport';
import { VERSION } from '../version';
import { readBackIfDone } from './already-done';
import { cancelAndConfirm } from './cancel-and-confirm';
import { getOperation } from './get-operation';
import { listOperations } from './list-operations';
import type {
  CallOptions,
  Canceller,
  CancellerOptions,
  CancelResult,
  InvokeSpec,
  OperationsCaller,
} from './canceller-types';

export type { CallOptions, Canceller, CancellerOptions, CancelResult } from './canceller-types';
/** @internal */
export type { OperationsCaller } from './canceller-types';

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
  const emulator =
    options.emulator === null
      ? undefined
      : (options.emulator ?? (process.env.LRO_CANCEL_EMULATOR_HOST || undefined));
  if (emulator === '')
    throw new EndpointError('emulator address is empty: give HOST:PORT, or leave the option out');
  const universeDomain = options.universeDomain ?? (process.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN || undefined);
  const endpointOptions: EndpointOptions = {
    emulator,
    allowInsecure: options.allowInsecure,
    endpoint: options.endpoint,
    universeDomain,
  };
  const defaultService = options.service === undefined ? undefined : resolveServiceArg(options.service);
  const nameOptions = {
    serviceHosts: Object.freeze(allowedHostsOf(options.serviceHosts, defaultService)),
    ...(universeDomain === undefined ? {} : { universeDomain }),
  };
  const pool = createTransport(options.transport ?? 'grpc', {
    channelsPerService: options.channelsPerService,
    maxChannelsPerService: options.maxChannelsPerService,
    streamsPerChannel: options.streamsPerChannel,
    channelOptions: options.channelOptions,
    redactGrpcLogs: options.redactGrpcLogs,
    restConnectionsPerService: options.restConnectionsPerService,
  });
  const endpoints = new Map<string, Endpoint>();
  // Hooks, logger and OpenTelemetry; undefined when there are none (then nothing is observed).
  const telemetry = createTelemetry(options, VERSION);
  let closed = false;
  const isClosed = (): boolean => closed;
  // Ends retry waits at close(); calls on the wire are ended by the stubs themselves.
  const closing = new AbortController();

  // Fail fast on a bad emulator/endpoint setting: a usage error, not a per-name result.
  if (emulator !== undefined)
    resolveEndpoint({ id: '-', host: 'x.googleapis.com', port: 443 } as ServiceDescriptor, endpointOptions);
  // And on a proxy variable neither transport could use (proxy.ts).
  proxyFromEnv();

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

  // Credentials are checked now (a usage error before any call) but resolved at the first call.
  const credentialSettings: CredentialSettings = {
    auth: options.auth,
    accessToken: options.accessToken,
    accessTokenFile: options.accessTokenFile,
    impersonate: options.impersonate,
    iamCredentialsEndpoint: options.iamCredentialsEndpoint,
    quotaProject: options.quotaProject,
    universeDomain,
  };
  let rootCerts = options.rootCerts;
  let clientCertificate: (() => Promise<ClientCertificate>) | undefined;
  checkCredentialSettings(credentialSettings);
  if (emulator === undefined) {
    rootCerts = resolveRootCerts(options.rootCerts, undefined);
    // mTLS (AIP-4114): the certificate given, or the device's when GOOGLE_API_USE_CLIENT_CERTIFICATE=true.
    const mtls = mtlsSettings();
    const given = options.clientCertificate;
    const load =
      given === undefined
        ? mtls.useClientCertificate
          ? () => loadClientCertificate()
          : undefined
        : typeof given === 'function'
          ? given
          : async () => given;
    if (load) clientCertificate = once(load);
    if (mtls.endpoint === 'always' || (mtls.endpoint === 'auto' && load)) {
      if (universeDomain !== undefined && universeDomain !== 'googleapis.com')
        throw new CredentialError(`mTLS endpoints exist only in googleapis.com, not in ${universeDomain}`);
      endpointOptions.mtlsHosts = true;
    }
  }
  // One source per service (its scopes): one token cache per service, shared by its channels.
  const credentials = new Map<string, CredentialOptions>();
  function credentialsFor(service: ServiceDescriptor): CredentialOptions {
    let c = credentials.get(service.id);
    if (!c) {
      c = {
        source: createCredentialSource(credentialSettings, service.scopes),
        rootCerts,
        universeDomain,
        clientCertificate,
      };
      credentials.set(service.id, c);
    }
    return c;
  }

  function endpointFor(service: ServiceDescriptor): Endpoint {
    let e = endpoints.get(service.id);
    if (!e) {
      e = resolveEndpoint(service, endpointOptions);
      endpoints.set(service.id, e);
    }
    return e;
  }

  function resolve(
    name: string,
    kind: NameKind,
    callOptions?: CallOptions,
  ): { name: string; service: ServiceDescriptor } {
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
  function invoke<Res>(call: InvokeSpec): Promise<{ value: Res; attempts: number }> {
    let endpoint: Endpoint;
    try {
      endpoint = endpointFor(call.service);
      const stub = pool.peek(endpoint);
      if (stub) return invokeOn<Res>(stub, endpoint, call);
    } catch (e) {
      // A bad endpoint or per-call policy: a rejection like every other failure, never a throw.
      return Promise.reject(e);
    }
    // The first call (the channel is made) or all channels full (one more is being opened).
    // The call's promise travels boxed, so that its own outcome is not mapped here: only the
    // pool's failures (and a synchronous throw of invokeOn, e.g. a bad per-call policy) are.
    return pool
      .withConnection(endpoint, call.service, credentialsFor(call.service), (s) => ({
        call: invokeOn<Res>(s, endpoint, call),
      }))
      .then(
        (started) => started.call,
        (e: unknown) => {
          throw closed ? closedError(call.routingName, call.service.id) : e;
        },
      );
  }

  /**
   * The policy of one call: the canceller's, or with the call's retry fields (resolved once per
   * reused object), or — with a per-call timeout or a method's override — resolved for this call.
   */
  function policyFor(
    callOptions: CallOptions,
    policyOverride: Partial<RetryPolicy> | undefined,
  ): RetryPolicy {
    if (callOptions.timeoutMs === undefined && policyOverride === undefined) {
      return callOptions.retry === undefined ? policy : policyWith(callOptions.retry);
    }
    return resolveRetryPolicy({
      ...policy,
      ...callOptions.retry,
      ...policyOverride,
      ...(callOptions.timeoutMs === undefined ? {} : { totalTimeoutMs: callOptions.timeoutMs }),
    });
  }

  function invokeOn<Res>(
    stub: OperationsConnection,
    endpoint: Endpoint,
    call: InvokeSpec,
  ): Promise<{ value: Res; attempts: number }> {
    const { method, request, routingName, service } = call;
    const callOptions = call.options ?? NO_OPTIONS;
    const effective = policyFor(callOptions, call.policyOverride);
    const routing = routingParams('name', routingName);
    const signal = callOptions.signal;
    const waitForReady = callOptions.waitForReady === true;
    const first = stub;
    let attemptNo = 0;
    const attempt = (deadline: number): Promise<Res> => {
      // Later attempts may take a less loaded channel of the pool.
      const s = attemptNo++ === 0 ? first : (pool.peek(endpoint) ?? first);
      return s.unary<Res>(method, request, routing, deadline, signal, waitForReady);
    };
    const source = endpoint.secure ? credentialsFor(service).source : undefined;
    return callWithRetry<Res>(source?.renewable ? renewingOnUnauthenticated(attempt, source) : attempt, {
      policy: effective,
      operationName: routingName,
      service: service.id,
      signal,
      isClosed,
      closeSignal: closing.signal,
      onRetry: options.onRetry,
      observer: telemetry,
      method,
      serverAddress: endpoint.host,
    });
  }

  const self: OperationsCaller = {
    resolve,
    invoke,
    stubs: () => pool.all(),
    transport: pool.kind,
    supports: (method) => pool.supports(method),
    async connect(service, timeoutMs = 10_000) {
      const svc = resolveServiceArg(service);
      const endpoint = endpointFor(svc);
      const stub =
        pool.peek(endpoint) ?? (await pool.withConnection(endpoint, svc, credentialsFor(svc), (s) => s));
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
        // A bad name is a rejection, like every other failure (and a result, for the hooks).
        const rejected = Promise.reject(e);
        if (!telemetry?.watchesResults()) return rejected;
        const service = { id: (e as OperationsError).service ?? '' } as ServiceDescriptor;
        return reportResult(telemetry, rejected, { name, service }, performance.now());
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
  function cancelResolved(
    target: { name: string; service: ServiceDescriptor },
    callOptions?: CallOptions,
  ): Promise<CancelResult> {
    const started = performance.now();
    const accepted = (attempts: number): CancelResult => ({
      name: target.name,
      service: target.service.id,
      outcome: 'cancel-requested',
      attempts,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    const result = invoke<unknown>({
      method: 'cancelOperation',
      request: { name: target.name },
      routingName: target.name,
      service: target.service,
      options: callOptions,
    }).then(
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
    return telemetry?.watchesResults() ? reportResult(telemetry, result, target, started) : result;
  }
}

/** The custom hosts full names may name: `serviceHosts`, plus the default service's host when it is not built in. */
function allowedHostsOf(
  serviceHosts: readonly string[] | undefined,
  defaultService: ServiceDescriptor | undefined,
): string[] {
  const hosts = normalizeServiceHosts(serviceHosts ?? []);
  const own = defaultService?.host.toLowerCase();
  if (own !== undefined && !findService(own) && isServiceHost(own) && !hosts.includes(own)) hosts.push(own);
  return hosts;
}

/** Tell the telemetry what a cancel came to, and hand its result on unchanged. */
function reportResult(
  telemetry: Telemetry,
  result: Promise<CancelResult>,
  target: { name: string; service: ServiceDescriptor },
  started: number,
): Promise<CancelResult> {
  return result.then(
    (r) => {
      telemetry.result({
        name: r.name,
        service: r.service,
        outcome: r.outcome,
        code: 0,
        codeName: 'OK',
        attempts: r.attempts,
        latencyMs: r.latencyMs,
      });
      return r;
    },
    (e: unknown) => {
      const err = e instanceof OperationsError ? e : undefined;
      const code = err?.code ?? Code.UNKNOWN;
      telemetry.result({
        name: target.name,
        service: target.service.id,
        outcome: err?.outcome ?? 'error',
        code,
        codeName: codeName(code),
        attempts: err?.attempts ?? 0,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
      throw e;
    },
  );
}

/**
 * An attempt that, answered UNAUTHENTICATED, has the token file read again (once per call) and
 * is sent again within the same deadline when the token changed: a rotated token file.
 */
function renewingOnUnauthenticated<Res>(
  attempt: (deadline: number) => Promise<Res>,
  source: CredentialSource,
): (deadline: number) => Promise<Res> {
  let renewed = false;
  return (deadline) => {
    const generation = source.generation;
    return attempt(deadline).catch(async (e: unknown) => {
      if (renewed || (e as { code?: unknown }).code !== Code.UNAUTHENTICATED) throw e;
      renewed = true;
      if (!(await source.renewAfterUnauthenticated(generation))) throw e;
      return attempt(deadline);
    });
  };
}

/** `load` run once, its promise shared; a failure is not kept (the next channel tries again). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load().catch((e: unknown) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}

/** Call options of a call that has none (one shared object). */
const NO_OPTIONS: CallOptions = Object.freeze({});

function closedError(name: string, service: string): OperationsError {
  return new OperationsError(Code.CANCELLED, 'the client was closed', {
    operationName: name,
    service,
    outcome: 'aborted',
  });
}
