import type * as grpc from '@grpc/grpc-js';
import type { Logger, ObservabilityHooks } from '../observability/observability-types';
import type { NameKind, ParseNameOptions } from '../registry/operation-name';
import type { ServiceDescriptor } from '../registry/service-registry';
import type { RetryListener } from '../retry/call-with-retry';
import type { RetryPolicy } from '../retry/retry-policy';
import type { ClientCertificate } from '../auth/client-certificate';
import type { AuthClientLike } from '../auth/credential-source';
import type {
  OperationsConnection,
  OperationsMethod,
  TransportKind,
} from '../transport/operations-transport';
import type { DecodedAny } from '../proto/status-codec';
import type { FinalState, RawOperation } from './operation';

/*
 * The client layer's types, in a module of their own: the canceller and its helpers
 * (cancel-and-confirm, get-operation, list-operations, already-done) all import them, and none of
 * those imports another for a type, so there is no cycle between them.
 */

/** One Operations call for `invoke`: the method, its request, and where and how it goes. @internal */
export interface InvokeSpec {
  method: OperationsMethod;
  request: object;
  /** The resource name the call routes by (x-goog-request-params) and that its errors name. */
  routingName: string;
  service: ServiceDescriptor;
  options?: CallOptions | undefined;
  /** Policy fields over the call's own (WaitOperation's server-side wait needs longer deadlines). */
  policyOverride?: Partial<RetryPolicy> | undefined;
}

/**
 * Options of `createCanceller`. Every field is optional; defaults are stated per field.
 *
 * @example
 * ```ts
 * const canceller = createCanceller({
 *   service: 'dataplex',                 // for relative names
 *   retry: { maxAttempts: 3 },           // the rest from DEFAULT_RETRY_POLICY
 *   endpoint: 'us-central1-dataplex.googleapis.com:443',
 * });
 * ```
 */
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
  /**
   * The wire: 'grpc' (default; HTTP/2, every method) or 'rest' (HTTP/1.1 + JSON, the services'
   * documented REST routes; WaitOperation is not bound over HTTP, so confirmation polls).
   */
  transport?: TransportKind;
  /** Retry and deadline policy; see RetryPolicy for the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Told before every retry (logging, metrics). `hooks.onRetry` says the same with the call's method and service. */
  onRetry?: RetryListener;
  /**
   * Typed callbacks for every RPC attempt, retry and cancel result (see ObservabilityHooks).
   * Defaults to none.
   */
  hooks?: ObservabilityHooks;
  /**
   * Where debug logs go: a pino logger, or anything with pino's `debug/info/warn/error(obj, msg)`
   * (see Logger). One `debug` line per attempt, retry and result. Defaults to none (silent).
   */
  logger?: Logger;
  /**
   * Record a span per RPC attempt and metrics per service and outcome through
   * `@opentelemetry/api`, when the application has it and has registered an SDK. Defaults to
   * true; without the package, or with no SDK registered, nothing is recorded and it costs
   * nothing measurable.
   */
  openTelemetry?: boolean;
  /**
   * Auth client to use instead of Application Default Credentials (TLS endpoints only). At most
   * one of `auth`, `accessToken` and `accessTokenFile`.
   */
  auth?: AuthClientLike;
  /** A bearer token sent as it is, never refreshed (TLS endpoints only). */
  accessToken?: string;
  /**
   * File holding a bearer token (gcloud's `--access-token-file`): read at the first call, and
   * read again once when a call is answered UNAUTHENTICATED (the call is retried if it changed).
   */
  accessTokenFile?: string;
  /**
   * Impersonate this service account over the source credentials (ADC or the access token),
   * with each service's scopes; or a delegation chain, as gcloud's `--impersonate-service-account`
   * takes it: the last account is the target, each one before it may mint tokens for the next.
   */
  impersonate?: string | readonly string[];
  /** IAM Credentials API base URL for `impersonate`. Defaults to `https://iamcredentials.<universe domain>`. */
  iamCredentialsEndpoint?: string;
  /**
   * Project billed for quota, sent as `x-goog-user-project` on every call. Defaults to
   * `GOOGLE_CLOUD_QUOTA_PROJECT`, else the ADC file's `quota_project_id`.
   */
  quotaProject?: string;
  /**
   * PEM root certificates to trust instead of the system's. Defaults to the file
   * `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` names, else the system's roots.
   */
  rootCerts?: Buffer;
  /**
   * Client certificate and key (PEM) for mTLS, or a function that loads them (called when the
   * first channel is made). Defaults to the device certificate of
   * `~/.secureConnect/context_aware_metadata.json` when GOOGLE_API_USE_CLIENT_CERTIFICATE=true,
   * else none. With a certificate, the built-in hosts become `*.mtls.googleapis.com` unless
   * GOOGLE_API_USE_MTLS_ENDPOINT=never (`always`: even without one).
   */
  clientCertificate?: ClientCertificate | (() => Promise<ClientCertificate>);
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
  /**
   * Over `transport: 'rest'`: HTTP/1.1 keep-alive connections per service origin, each carrying
   * one request at a time, so also the bound on requests in flight (more queue in the pool).
   * Defaults to 256 (as many as a batch may raise a service to: at 64, a `cancel()` caller with
   * 512 in flight was held to 64 requests, 0.31x gax's REST client in the bench); cancelMany sizes
   * it from its concurrency.
   */
  restConnectionsPerService?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
  /**
   * Wrap grpc-js's process-wide logger (when the first channel is made) so that every line its
   * traces print passes through lro-cancel's redactor; and, when GOOGLE_SDK_NODE_LOGGING is set,
   * google-auth-library's debug log (it prints token responses). Defaults to false: the loggers
   * belong to the application, and grpc-js's client traces print no request headers; the CLI
   * turns it on.
   */
  redactGrpcLogs?: boolean;
}

/**
 * Per-call options.
 *
 * @example
 * ```ts
 * await canceller.cancel('projects/p/operations/o', {
 *   service: 'datastore',
 *   timeoutMs: 10_000,
 *   signal: AbortSignal.timeout(15_000),
 * });
 * ```
 */
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
 *
 * @example
 * ```ts
 * const r = await canceller.cancel(name);
 * if (r.alreadyDone) console.log(`${r.name} had already ${r.outcome}`);
 * else console.log(`${r.name}: ${r.outcome} after ${r.attempts} attempt(s), ${r.latencyMs} ms`);
 * ```
 */
export interface CancelResult {
  /** The relative name the cancel was sent for. */
  name: string;
  /** Service id. */
  service: string;
  /** 'cancel-requested', or what an operation that was already done became. */
  outcome: 'cancel-requested' | 'cancelled' | 'completed' | 'failed';
  /** CancelOperation attempts made (1 when the first was accepted). */
  attempts: number;
  /** Wall time of the cancel, retries included, in ms. */
  latencyMs: number;
  /** True when the operation had finished before the cancel arrived (outcome is then what it became). */
  alreadyDone?: boolean;
  /** Operation.error.code / message of an operation found already cancelled or failed. */
  finalCode?: number;
  /** Operation.error.message of an operation found already cancelled or failed. */
  finalMessage?: string;
}

/**
 * A client for google.longrunning.Operations on every service: cancel, confirm, get and list,
 * with validation, retries and deadlines. Made by `createCanceller`; reuse one for many calls
 * (its channels are shared), and `close()` it when done.
 *
 * @example
 * ```ts
 * const canceller = createCanceller({ service: 'dataplex' });
 * const r = await canceller.cancel('projects/p/locations/us-central1/operations/op-1');
 * console.log(r.outcome); // 'cancel-requested'
 * await canceller.close();
 * ```
 */
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
  cancelResolved(
    target: { name: string; service: ServiceDescriptor },
    options?: CallOptions,
  ): Promise<CancelResult>;
  /** Run one method with retries: `{ value, attempts }`. */
  invoke<Res>(call: InvokeSpec): Promise<{ value: Res; attempts: number }>;
  /** The connections made so far: gRPC channels, or REST connection pools (tests). */
  stubs(): OperationsConnection[];
  /** The transport's kind, and whether it can carry a method (REST cannot carry WaitOperation). */
  readonly transport: TransportKind;
  supports(method: OperationsMethod): boolean;
  /** Create the service's channel and wait until it is connected (or `timeoutMs` passes). */
  connect(service: string | ServiceDescriptor, timeoutMs?: number): Promise<void>;
  /** Aborted by close(): long waits above the retry layer (confirm polling) listen to it. */
  readonly closeSignal: AbortSignal;
  /** Which full-name hosts `resolve` accepts: for parsing names with the same rules (cancelMany's reader). */
  readonly nameOptions: Readonly<Pick<ParseNameOptions, 'serviceHosts' | 'universeDomain'>>;
}

/**
 * How GetOperation is polled after an accepted cancel.
 *
 * @example
 * ```ts
 * await canceller.cancelAndConfirm(name, { polling: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5_000 } });
 * ```
 */
export interface ConfirmPolling {
  /** First wait, in ms. Defaults to 500. */
  initialDelayMs?: number;
  /** Growth per poll. Defaults to 1.5. */
  multiplier?: number;
  /** Cap of one wait, in ms. Defaults to 10 000. */
  maxDelayMs?: number;
}

/**
 * Options of `cancelAndConfirm`: the call options, plus how long and how to wait for the operation to finish.
 *
 * @example
 * ```ts
 * const r = await canceller.cancelAndConfirm(name, { confirmTimeoutMs: 30_000, via: 'wait' });
 * ```
 */
export interface ConfirmOptions extends CallOptions {
  /** How long to wait for the operation to finish after the cancel, in ms. Defaults to 60 000. */
  confirmTimeoutMs?: number;
  /** Polling backoff; see ConfirmPolling. */
  polling?: ConfirmPolling;
  /**
   * 'poll' (default): GetOperation with backoff. 'wait': WaitOperation, falling back to
   * polling when the service answers UNIMPLEMENTED (most Google services do).
   */
  via?: 'poll' | 'wait';
}

/**
 * What became of an operation after lro-cancel asked to cancel it.
 *
 * @example
 * ```ts
 * const r = await canceller.cancelAndConfirm(name);
 * if (r.outcome === 'still-running') console.warn(`${r.name} still running after ${r.confirmMs} ms`);
 * ```
 */
export interface ConfirmResult {
  /** The relative name. */
  name: string;
  /** Service id (or a custom service's host). */
  service: string;
  /** What became of the operation: 'cancelled', 'completed', 'failed' or 'still-running'. */
  outcome: FinalState;
  /** Attempts of the CancelOperation call. */
  attempts: number;
  /** Time of the cancel call, in ms. */
  latencyMs: number;
  /** From the accepted cancel to the read that settled it, in ms. */
  confirmMs: number;
  /** Operation.error.code when the operation failed or was cancelled. */
  finalCode?: number;
  /** Operation.error.message when the operation failed or was cancelled. */
  finalMessage?: string;
  /** True when the operation had finished before the cancel arrived. */
  alreadyDone?: boolean;
  /** The metadata of the read that settled it, decoded (see decodeOperationAny). */
  metadata?: DecodedAny;
  /** The response of an operation that completed, decoded. */
  response?: DecodedAny;
}

/**
 * Options of `listOperations`: the call options, plus the filter, page size and limit.
 *
 * @example
 * ```ts
 * for await (const op of canceller.listOperations('projects/p/locations/l', { service: 'dataplex', filter: 'done=false', limit: 100 })) {
 *   console.log(op.name);
 * }
 * ```
 */
export interface ListOptions extends CallOptions {
  /** Server-side filter, e.g. `done=false`. */
  filter?: string;
  /** Page size asked of the server (it may return fewer). Defaults to the server's choice. */
  pageSize?: number;
  /** Stop after this many operations. */
  limit?: number;
}
