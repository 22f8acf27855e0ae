import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { isIP } from 'node:net';
import { Code } from '../errors/status-code';
import { loadOperationsService } from '../proto/load-operations-package';
import { encodeStatus } from '../proto/status-codec';
import { findService, services } from '../registry/service-registry';
import { redactGrpcLogs } from '../transport/grpc-log-redaction';
import { nameProblem } from './emulator-names';
import { OperationStore, type StoredOperation } from './operation-store';
import { decodePageToken, encodePageToken } from './page-token';
import { type CallExtras, DROP, type OperationsMethod } from './emulator-call';
import { RestGateway } from './rest-gateway';
import { serviceKey } from './service-key';

export { DROP } from './emulator-call';
export type { CallExtras, OperationsMethod } from './emulator-call';

/**
 * Faults and limits for one service (or every service with the key '*').
 *
 * @example
 * ```ts
 * emulator.setFaults('dataplex', { latencyMs: 50, errorRate: 0.1 });
 * emulator.setFaults('*', { quotaPerSecond: 100 });
 * ```
 */
export interface ServiceFaults {
  /** CancelOperation answers UNIMPLEMENTED for every operation of the service. */
  unimplemented?: boolean;
  /** Fraction (0-1) of calls that fail with `errorCode` (default UNAVAILABLE). */
  errorRate?: number;
  /** Code of those errors. Defaults to UNAVAILABLE. */
  errorCode?: number;
  /** Message of the injected errors. Defaults to 'injected fault'. */
  errorMessage?: string;
  /** Methods `errorRate` applies to. Defaults to ['CancelOperation']. */
  errorMethods?: readonly string[];
  /** Delay added before every answer, in ms. */
  latencyMs?: number;
  /** Token bucket: calls per second; beyond it RESOURCE_EXHAUSTED with RetryInfo. */
  quotaPerSecond?: number;
  /**
   * RetryInfo delay sent with quota rejections, in ms, or 'next-token': the time until the
   * bucket holds a token again (as a server that knows its refill would say), or 'none': no
   * RetryInfo at all (as many servers answer). Defaults to 1000.
   */
  quotaRetryDelayMs?: number | 'next-token' | 'none';
  /**
   * The quota's window: 'second' (default; the bucket holds one second's worth and refills
   * continuously) or 'minute' (it holds quotaPerSecond × 60 and is refilled to full once a
   * minute, counted from its first call: bursts, then rejections until the minute turns).
   */
  quotaWindow?: 'second' | 'minute';
  /** Every call answers PERMISSION_DENIED. */
  denied?: boolean;
  /**
   * Fraction (0-1) of calls (of `errorMethods`) on which the emulator drops the client's
   * connection instead of answering: the TCP connection carrying the call is reset (after
   * `latencyMs`), so every call in flight on it fails at once (grpc-js clients see UNAVAILABLE
   * "Connection dropped") and the client has to reconnect.
   */
  dropRate?: number;
  /**
   * With `dropRate`: let the dropped call take effect first (the cancel lands, its reply is
   * lost), as when a connection dies after the server acted. Defaults to false (dropped before
   * it takes effect).
   */
  dropAfterEffect?: boolean;
}

/**
 * How `dropConnections` ends a connection.
 *
 * @example
 * ```ts
 * emulator.dropConnections('close');
 * ```
 */
export type DropMode =
  /** TCP reset, no HTTP/2 goodbye (a crashed peer, a load balancer cutting the flow). Default. */
  | 'reset'
  /**
   * HTTP/2 session destroyed: a GOAWAY(NO_ERROR) and the socket closed at once, without
   * waiting for the streams in flight (grpc-js clients see INTERNAL "Received RST_STREAM with
   * code 0" for those).
   */
  | 'close';

/**
 * One call as the emulator saw it.
 *
 * @example
 * ```ts
 * const [call] = emulator.callsOf('CancelOperation');
 * expect(call.requestParams).toBe(`name=${encodeURIComponent(name)}`);
 * ```
 */
export interface RecordedCall {
  /** The RPC method's name (`CancelOperation`). */
  method: string;
  /** The operation (or parent) name the request carried. */
  name: string;
  /** Service the call was for (id, or a custom host); '*' for none (loopback without a default service, or a host not served). */
  service: string;
  /** The call's `:authority`. */
  authority: string;
  /** The client's address (`ip:port`). */
  peer: string;
  /** Date.now() when the call arrived. */
  at: number;
  /** The `x-goog-request-params` routing header, as received. */
  requestParams: string | undefined;
  /** The `x-goog-api-client` header, as received. */
  apiClient: string | undefined;
  /** The `authorization` header, as received (emulator tests check that none is sent over plaintext). */
  authorization: string | undefined;
  /** `x-goog-user-project`: the quota project the client bills. */
  userProject: string | undefined;
  /** Status code answered (0 for OK); undefined while in flight, or when the call was dropped. */
  code?: number;
  /** True when the emulator dropped the connection instead of answering (`dropRate`, `dropTimes`). */
  dropped?: boolean;
  /** The caller's deadline (ms since the epoch), when it sent one. */
  deadline?: number;
}

/**
 * Options of `startOperationsEmulator`. Every field is optional.
 *
 * @example
 * ```ts
 * const emulator = await startOperationsEmulator({ port: 0, recordCalls: false });
 * ```
 */
export interface EmulatorOptions {
  /** Port to listen on. Defaults to 0 (any free port). */
  port?: number;
  /** Host to bind. Defaults to 127.0.0.1. */
  host?: string;
  /**
   * Serve TLS with this key pair (PEM) instead of plaintext. With `clientCa`, a client must
   * present a certificate that CA issued (mTLS).
   */
  tls?: {
    /** PEM certificate chain. */
    cert: Buffer;
    /** PEM private key. */
    key: Buffer;
    /** PEM CA whose client certificates are required (mTLS); none: no client certificate asked. */
    clientCa?: Buffer;
  };
  /**
   * Accept a call's `authorization` header or answer UNAUTHENTICATED (a revoked or rotated
   * token). Defaults to accepting every call.
   */
  authorize?: (authorization: string | undefined) => boolean;
  /** Keep a log of every call (tests). Defaults to true; turn off for long benchmarks. */
  recordCalls?: boolean;
  /**
   * Wrap grpc-js's process-wide logger so its traces never print a credential (its server tracer
   * prints every header it receives, a client's authorization too). Off by default: replacing a
   * process-wide logger is the application's choice (`lro-cancel emulator` turns it on).
   */
  redactGrpcLogs?: boolean;
  /** Max concurrent streams per connection (Google's front ends allow ~100). */
  maxConcurrentStreams?: number;
  /** Default page size of ListOperations. Defaults to 50. */
  defaultPageSize?: number;
  /**
   * Service (id or custom host) that calls with a loopback or IP `:authority` are for
   * (`127.0.0.1:PORT`, `localhost`: a client that does not set the service host). Without it,
   * such calls belong to no service and see only operations seeded without one.
   */
  defaultService?: string;
  /** Custom service hosts served besides those a seed or a fault names. */
  serviceHosts?: readonly string[];
  /** Called once per answered (or dropped) call, e.g. to write a call log. */
  onCall?: (call: RecordedCall) => void;
  /**
   * Also serve the REST routes (HTTP/1.1 + JSON, rest-gateway.ts) from the same store, faults
   * and call log, on a port of their own (`restPort`, `restTarget`); over TLS with `tls`, as the
   * gRPC port. Defaults to false.
   */
  rest?: boolean;
  /** Port of the REST gateway. Defaults to 0 (any free port). */
  restPort?: number;
}

type Callback = grpc.sendUnaryData<unknown>;
type Handler = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: Callback) => void;

/**
 * A local google.longrunning.Operations server over an in-memory store: Get, List (paged,
 * `done=` filters), Cancel, Delete, Wait. Each operation carries a script (see OperationSeed);
 * each service can be given faults. Services are told apart by the call's :authority, which
 * lro-cancel sets to the service host in emulator mode, as a Google front end would see it.
 *
 * @example
 * ```ts
 * const emulator = await startOperationsEmulator();
 * emulator.store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
 * emulator.setFaults('privateca', { unimplemented: true });
 * // ... createCanceller({ emulator: emulator.target }) ...
 * expect(emulator.callsOf('CancelOperation')).toHaveLength(1);
 * await emulator.stop();
 * ```
 */
export class OperationsEmulator {
  /** The operations it serves: seed them, read what cancels did to them. */
  readonly store = new OperationStore();
  /** Every call answered, in arrival order (when `recordCalls` is on, the default). Tests clear it with `calls.length = 0`. */
  readonly calls: RecordedCall[] = [];
  /** Count of calls per method, whatever `recordCalls` says. */
  readonly counts = new Map<string, number>();
  /** Count of answers per status code (0 for OK), whatever `recordCalls` says. */
  readonly codeCounts = new Map<number, number>();
  /** Distinct client connections seen (by peer address). */
  readonly peers = new Set<string>();
  /** Client connections the emulator dropped (`dropConnections`, `dropRate`, `dropTimes`). */
  connectionsDropped = 0;
  private readonly faults = new Map<string, ServiceFaults>();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private server: grpc.Server | undefined;
  private gateway: RestGateway | undefined;
  private boundPort = 0;
  private inflight = 0;

  /** A stopped emulator; `start()` binds it. `startOperationsEmulator(options)` does both. */
  constructor(private readonly options: EmulatorOptions = {}) {}

  /** `host:port` clients should dial. */
  get target(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** The port it is bound to (0 before `start()`). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * Port of the REST gateway (option `rest`); 0 when it is not running.
   *
   * @example
   * ```ts
   * const emulator = await startOperationsEmulator({ rest: true });
   * const url = `http://127.0.0.1:${emulator.restPort}/v1/projects/p/locations/l/operations/op-1`;
   * ```
   */
  get restPort(): number {
    return this.gateway?.port ?? 0;
  }

  /**
   * `host:port` of the REST gateway (option `rest`), for `emulator` with `transport: 'rest'`.
   *
   * @example
   * ```ts
   * const emulator = await startOperationsEmulator({ rest: true });
   * const canceller = createCanceller({ emulator: emulator.restTarget, transport: 'rest' });
   * ```
   */
  get restTarget(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.restPort}`;
  }

  /**
   * The REST gateway (option `rest`), for tests that read the HTTP requests it received.
   *
   * @example
   * ```ts
   * const paths = emulator.restGateway?.requests.map((r) => `${r.verb} ${r.path}`);
   * ```
   */
  get restGateway(): RestGateway | undefined {
    return this.gateway;
  }

  /** Calls being answered right now. */
  get inflightCalls(): number {
    return this.inflight;
  }

  /**
   * Set faults for a service id, a host, or '*' (all). Replaces earlier faults of that key.
   * The quota bucket starts full again, unless `keepQuotaBucket` (a quota changed mid-run: the
   * tokens left stay, capped at the new depth, and refill at the new rate).
   */
  setFaults(service: string, faults: ServiceFaults, opts: { keepQuotaBucket?: boolean } = {}): void {
    this.faults.set(serviceKey(service), faults);
    if (!opts.keepQuotaBucket) this.buckets.delete(serviceKey(service));
  }

  /** Remove every service's faults (as set by `setFaults`). */
  clearFaults(): void {
    this.faults.clear();
    this.buckets.clear();
  }

  /** Calls of one method (e.g. 'CancelOperation'), from the log. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Bind `host:port` (127.0.0.1:0 by default: a free port) and start serving. Refuses a non-loopback host without TLS. */
  async start(): Promise<this> {
    if (this.server) return this;
    // grpc-js's server_call tracer prints every received header, the client's authorization too.
    if (this.options.redactGrpcLogs) redactGrpcLogs(grpc);
    const Service = loadOperationsService();
    const server = new grpc.Server({
      ...(this.options.maxConcurrentStreams
        ? { 'grpc.max_concurrent_streams': this.options.maxConcurrentStreams }
        : {}),
    });
    const handler =
      (method: OperationsMethod): Handler =>
      (call, callback) =>
        void this.handle(method, call, callback);
    server.addService(Service.service, {
      CancelOperation: handler('CancelOperation'),
      GetOperation: handler('GetOperation'),
      ListOperations: handler('ListOperations'),
      DeleteOperation: handler('DeleteOperation'),
      WaitOperation: handler('WaitOperation'),
    });
    const creds = this.options.tls
      ? grpc.ServerCredentials.createSsl(
          this.options.tls.clientCa ?? null,
          [{ cert_chain: this.options.tls.cert, private_key: this.options.tls.key }],
          this.options.tls.clientCa !== undefined,
        )
      : grpc.ServerCredentials.createInsecure();
    const host = this.options.host ?? '127.0.0.1';
    const bindHost = host.includes(':') ? `[${host}]` : host;
    const port = this.boundPort || this.options.port || 0;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${bindHost}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    if (this.options.rest) {
      this.gateway ??= new RestGateway(this);
      await this.gateway.listen(host, this.gateway.port || this.options.restPort || 0, this.options.tls);
    }
    return this;
  }

  /** Stop at once (in-flight calls fail UNAVAILABLE on the client). `start()` again reuses the port. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    s?.forceShutdown();
    await this.gateway?.close();
  }

  /** Stop, wait `downMs`, start again on the same port with the same store. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  /**
   * Send HTTP/2 GOAWAY on every open client connection (grpc-js `Server.drain`), as a server
   * going away for maintenance does. The port keeps listening: clients open a new connection
   * for new calls. Calls in flight get `graceMs` to finish; then their connections are
   * destroyed (grpc-js clients see CANCELLED for calls still unanswered).
   */
  goaway(graceMs = 0): void {
    if (!this.server) throw new Error('emulator is not running');
    this.server.drain(this.target, graceMs);
  }

  /**
   * Drop every open client connection now (see DropMode). The port keeps listening. Handlers
   * already running still finish server-side: a cancel may land with its reply lost, as on a
   * real network. Returns the number of connections dropped.
   */
  dropConnections(mode: DropMode = 'reset'): number {
    const sessions = this.sessions();
    for (const session of sessions) this.dropSession(session, mode);
    const rest = this.gateway?.dropConnections() ?? 0;
    this.connectionsDropped += rest;
    return sessions.length + rest;
  }

  /**
   * The live HTTP/2 sessions of the grpc-js server. grpc-js has no public API for them; this
   * reads its `http2Servers` map (grpc-js >= 1.10) and fails loudly if that ever changes.
   */
  private sessions(): http2.ServerHttp2Session[] {
    if (!this.server) return [];
    const servers = (this.server as unknown as { http2Servers?: unknown }).http2Servers;
    if (!(servers instanceof Map))
      throw new Error(
        'emulator: cannot reach the grpc-js server sessions (its internals changed); connection faults are unavailable',
      );
    const out: http2.ServerHttp2Session[] = [];
    for (const entry of servers.values() as IterableIterator<{ sessions?: Set<http2.ServerHttp2Session> }>) {
      for (const session of entry.sessions ?? []) if (!session.destroyed) out.push(session);
    }
    return out;
  }

  /** Drop the connection a call arrived on (found by its peer address); false when it is gone. */
  private dropConnectionOf(peer: string): boolean {
    for (const session of this.sessions()) {
      const socket = session.socket;
      if (socket && `${socket.remoteAddress}:${socket.remotePort}` === peer) {
        this.dropSession(session, 'reset');
        return true;
      }
    }
    return false;
  }

  private dropSession(session: http2.ServerHttp2Session, mode: DropMode): void {
    this.connectionsDropped++;
    if (mode === 'reset') {
      // session.socket is a proxy that forbids destroy(), but passes resetAndDestroy() through
      // to the TCP socket. A TLS socket cannot send a TCP RST: destroy the session instead.
      const socket = session.socket as unknown as { resetAndDestroy?: () => void } | undefined;
      try {
        socket?.resetAndDestroy?.();
        return;
      } catch {
        // fall through
      }
    }
    session.destroy();
  }

  /**
   * The service a call is for, from its `:authority` (host, port ignored): a built-in
   * service's host gives its id; a custom host that some seed, fault or `serviceHosts` names
   * gives that host; a loopback or IP authority gives `defaultService` ('' — no service — when
   * none is set: only operations seeded without a service are seen). Any other host is not
   * served: UNIMPLEMENTED (what an HTTP 404 from a front end becomes) naming the hosts served.
   */
  resolveService(authority: string): string {
    const host = hostOf(authority);
    const builtIn = findService(host);
    if (builtIn && builtIn.host === host) return builtIn.id;
    if (host === '' || host === 'localhost' || isIP(host) !== 0) {
      return this.options.defaultService === undefined ? '' : serviceKey(this.options.defaultService);
    }
    if (this.customHosts().has(host)) return host;
    const served = [...Object.values(services).map((s) => s.host), ...this.customHosts()];
    throw status(
      Code.UNIMPLEMENTED,
      `emulator: host "${host}" is not served here; it serves ${served.join(', ')} ` +
        '(as :authority; a loopback authority gets the default service)',
    );
  }

  /** Custom service hosts served: named by `serviceHosts`, a seed or a fault. */
  private customHosts(): Set<string> {
    const out = new Set<string>((this.options.serviceHosts ?? []).map((h) => h.toLowerCase()));
    for (const key of [...this.store.services(), ...this.faults.keys()]) {
      if (key.includes('.') && !findService(key)) out.add(key);
    }
    return out;
  }

  /**
   * Answer one call, whatever transport carried it: record it, apply the service's faults,
   * then the method's semantics. Resolves with the response message (proto-loader object) or
   * rejects with a status ({ code, details, metadata }); `service` is what `resolveService`
   * gave (undefined: resolve `extras.authority` here, so an unknown host is recorded too).
   */
  async answer(
    method: OperationsMethod,
    request: Record<string, unknown>,
    service: string | undefined,
    peer: string,
    extras: CallExtras = {},
  ): Promise<unknown> {
    const rec: RecordedCall = {
      method,
      name: String(request.name ?? ''),
      service: service === undefined ? '*' : service || '*',
      authority: extras.authority ?? '',
      peer,
      at: Date.now(),
      requestParams: extras.requestParams,
      apiClient: extras.apiClient,
      authorization: extras.authorization,
      userProject: extras.userProject,
      ...(extras.deadline !== undefined && Number.isFinite(extras.deadline)
        ? { deadline: extras.deadline }
        : {}),
    };
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    this.peers.add(rec.peer);
    if (this.options.recordCalls ?? true) this.calls.push(rec);
    this.inflight++;
    try {
      const svc = service ?? this.resolveService(rec.authority);
      rec.service = svc || '*';
      const faults = this.faultsFor(svc);
      if (faults.latencyMs) await delay(faults.latencyMs);
      const drop =
        !!faults.dropRate &&
        (faults.errorMethods ?? ['CancelOperation']).includes(method) &&
        Math.random() < faults.dropRate;
      if (drop && !faults.dropAfterEffect) throw DROP;
      if (this.options.authorize && !this.options.authorize(rec.authorization))
        throw status(Code.UNAUTHENTICATED, 'Request had invalid authentication credentials.');
      this.checkFaults(method, svc, faults);
      const value = await this.semantics(method, request, svc, extras);
      if (drop) throw DROP;
      rec.code = 0;
      return value;
    } catch (thrown) {
      let e = thrown;
      if (e === DROP) {
        // No answer: the connection dies under the call (and every other call on it).
        rec.dropped = true;
        if (extras.dropConnection?.()) throw DROP;
        // Not found (already gone): answer rather than leave the call hanging.
        rec.dropped = false;
        e = status(Code.UNAVAILABLE, 'emulator: the connection to drop was already gone');
      }
      const err = e as Partial<grpc.StatusObject>;
      rec.code = err.code ?? Code.UNKNOWN;
      throw {
        code: rec.code,
        details: err.details ?? String(e),
        metadata: err.metadata ?? new grpc.Metadata(),
      } satisfies grpc.StatusObject;
    } finally {
      this.inflight--;
      if (rec.code !== undefined) this.codeCounts.set(rec.code, (this.codeCounts.get(rec.code) ?? 0) + 1);
      if (rec.code !== undefined || rec.dropped) this.options.onCall?.(rec);
    }
  }

  /** A gRPC call: its context read off grpc-js, then `answer`. */
  private async handle(
    method: OperationsMethod,
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: Callback,
  ): Promise<void> {
    const md = call.metadata;
    const first = (key: string): string | undefined => {
      const v = md.get(key)[0];
      return v === undefined ? undefined : String(v);
    };
    const peer = call.getPeer();
    const deadline = call.getDeadline();
    try {
      const value = await this.answer(method, call.request, undefined, peer, {
        authority: call.getHost(),
        requestParams: first('x-goog-request-params'),
        apiClient: first('x-goog-api-client'),
        authorization: first('authorization'),
        userProject: first('x-goog-user-project'),
        deadline: deadline instanceof Date ? deadline.getTime() : deadline,
        cancelled: () => call.cancelled,
        dropConnection: () => this.dropConnectionOf(peer),
      });
      callback(null, value);
    } catch (e) {
      if (e === DROP) return;
      callback(e as grpc.StatusObject);
    }
  }

  private faultsFor(service: string): ServiceFaults {
    return this.faults.get(service || '*') ?? this.faults.get('*') ?? {};
  }

  private checkFaults(method: string, service: string, faults: ServiceFaults): void {
    if (faults.denied) throw status(Code.PERMISSION_DENIED, 'The caller does not have permission');
    if (
      faults.quotaPerSecond !== undefined &&
      !this.takeToken(service, faults.quotaPerSecond, faults.quotaWindow === 'minute')
    ) {
      const asked = faults.quotaRetryDelayMs ?? 1000;
      const minute = faults.quotaWindow === 'minute';
      const retryMs =
        asked === 'next-token' ? this.msToNextToken(service, faults.quotaPerSecond, minute) : asked;
      const info = {
        type: 'google.rpc.ErrorInfo',
        fields: { reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' },
      };
      throw status(
        Code.RESOURCE_EXHAUSTED,
        minute
          ? `Quota exceeded: ${faults.quotaPerSecond * 60} calls per minute`
          : `Quota exceeded: ${faults.quotaPerSecond} calls per second`,
        retryMs === 'none'
          ? [info]
          : [
              // Zero parts left out, as a proto3 server's encoder leaves them off the wire.
              { type: 'google.rpc.RetryInfo', fields: { retryDelay: durationFields(retryMs) } },
              info,
            ],
      );
    }
    if (
      faults.errorRate &&
      (faults.errorMethods ?? ['CancelOperation']).includes(method) &&
      Math.random() < faults.errorRate
    ) {
      throw status(faults.errorCode ?? Code.UNAVAILABLE, faults.errorMessage ?? 'injected fault');
    }
  }

  private takeToken(service: string, perSecond: number, minute: boolean): boolean {
    const now = performance.now();
    const depth = Math.max(perSecond * (minute ? 60 : 1), 1);
    let b = this.buckets.get(service);
    if (!b) {
      b = { tokens: depth, last: now };
      this.buckets.set(service, b);
    }
    if (minute) {
      // Refilled to full when a minute (from the bucket's first call) turns.
      if (now - b.last >= 60_000) {
        b.last += Math.floor((now - b.last) / 60_000) * 60_000;
        b.tokens = depth;
      }
      b.tokens = Math.min(depth, b.tokens);
    } else {
      // Bucket depth of one second's worth (at least one token).
      b.tokens = Math.min(depth, b.tokens + ((now - b.last) / 1000) * perSecond);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private msToNextToken(service: string, perSecond: number, minute: boolean): number {
    const b = this.buckets.get(service);
    if (minute) return Math.max(1, Math.ceil((b?.last ?? performance.now()) + 60_000 - performance.now()));
    const tokens = b?.tokens ?? 0;
    return Math.max(1, Math.ceil(((1 - tokens) / perSecond) * 1000));
  }

  /**
   * A method's semantics, transport-independent: the decoded request and the service it is for
   * ('' for none) in, the response message out, or a thrown status. Names are checked first,
   * the same way for every method.
   */
  private async semantics(
    method: OperationsMethod,
    request: Record<string, unknown>,
    service: string,
    extras: CallExtras,
  ): Promise<unknown> {
    const name = typeof request.name === 'string' ? request.name : '';
    const problem = nameProblem(name, method === 'ListOperations' ? 'parent' : 'operation');
    if (problem) throw status(Code.INVALID_ARGUMENT, `${problem}: ${JSON.stringify(name.slice(0, 200))}`);
    switch (method) {
      case 'CancelOperation':
        return this.cancelOp(name, service);
      case 'GetOperation':
        return toProto(this.lookup(name, service));
      case 'DeleteOperation':
        this.store.delete(this.lookup(name, service).name, service);
        return {};
      case 'WaitOperation':
        return this.waitOp(name, request, service, extras);
      case 'ListOperations':
        return this.listOps(name, request, service);
      default:
        throw status(Code.UNIMPLEMENTED, `unknown method ${String(method)}`);
    }
  }

  private lookup(name: string, service: string): StoredOperation {
    const op = this.store.get(name, service);
    if (op) return op;
    const owners = this.store.ownersOf(name).filter((o) => o !== '');
    // Say why when the operation exists under another service: the call picked the wrong one.
    const elsewhere =
      owners.length === 0
        ? ''
        : service === ''
          ? ` for no service: the call's :authority is loopback and the emulator has no default service; ` +
            `it exists for ${owners.join(', ')} (send that service's host as :authority, or set defaultService)`
          : ` for ${service} (it exists for ${owners.join(', ')})`;
    throw status(Code.NOT_FOUND, `Operation "${name}" not found${elsewhere}.`);
  }

  private cancelOp(name: string, service: string): unknown {
    if (this.faultsFor(service).unimplemented)
      throw status(Code.UNIMPLEMENTED, 'Operation cancellation is not supported by this service.');
    const op = this.lookup(name, service);
    this.store.noteCancelRequest(op);
    if (op.onCancel === 'unimplemented')
      throw status(Code.UNIMPLEMENTED, 'Operation cancellation is not supported for this operation.');
    if (op.dropTimesLeft > 0) {
      op.dropTimesLeft--;
      throw DROP;
    }
    if (op.failTimesLeft > 0) {
      op.failTimesLeft--;
      throw status(op.transientCode, op.transientMessage);
    }
    if (op.done) throw status(Code.FAILED_PRECONDITION, `Operation "${op.name}" is already done.`);
    this.store.applyCancel(op);
    return {};
  }

  /**
   * WaitOperation: the operation's latest state once it is done, or at the earlier of its
   * `timeout` (default 60 s) and just before the caller's deadline — never DEADLINE_EXCEEDED
   * for a caller whose deadline is shorter than the timeout.
   */
  private async waitOp(
    name: string,
    request: Record<string, unknown>,
    service: string,
    extras: CallExtras,
  ): Promise<unknown> {
    const timeoutMs = durationMs(request.timeout);
    let op = this.lookup(name, service);
    const now = Date.now();
    let until = now + timeoutMs;
    if (extras.deadline !== undefined && Number.isFinite(extras.deadline)) {
      const left = extras.deadline - now;
      // Answer a little before the deadline, so the answer arrives in time.
      until = Math.min(until, extras.deadline - Math.min(250, Math.max(50, left * 0.1)));
    }
    while (!op.done && Date.now() < until && !extras.cancelled?.()) {
      await delay(Math.max(1, Math.min(20, until - Date.now())));
      op = this.store.get(name, service) ?? op; // deleted meanwhile: its last state
    }
    return toProto(op);
  }

  /**
   * ListOperations of `parent` for `service`: INVALID_ARGUMENT for a negative page size, an
   * unsupported filter, or a page token that does not decode or came from another list;
   * UNIMPLEMENTED for `return_partial_success` (the emulated services do not support it).
   */
  private listOps(parent: string, request: Record<string, unknown>, service: string): unknown {
    if (request.returnPartialSuccess === true || request.return_partial_success === true)
      throw status(
        Code.UNIMPLEMENTED,
        'return_partial_success is not supported by this service (the emulator has no unreachable locations)',
      );
    const rawFilter = String(request.filter ?? '');
    const filter = rawFilter.replace(/\s+/g, '');
    let done: boolean | undefined;
    if (filter === 'done=true') done = true;
    else if (filter === 'done=false') done = false;
    else if (filter !== '')
      throw status(
        Code.INVALID_ARGUMENT,
        `unsupported filter "${rawFilter}" (the emulator knows done=true and done=false)`,
      );
    const size = Number(request.pageSize ?? request.page_size ?? 0);
    if (!Number.isInteger(size) || size < 0)
      throw status(Code.INVALID_ARGUMENT, `page_size must be >= 0 (got ${String(size)})`);
    const pageSize = Math.min(size || this.options.defaultPageSize || 50, 1000);
    const query = { service, parent, filter };
    const token = String(request.pageToken ?? request.page_token ?? '');
    let offset = 0;
    if (token !== '') {
      const decoded = decodePageToken(query, token);
      if (decoded === undefined)
        throw status(
          Code.INVALID_ARGUMENT,
          'invalid page_token: it does not decode, or it came from a list with another name or filter',
        );
      offset = decoded;
    }
    const prefix = `${parent}/operations/`;
    const matching: StoredOperation[] = [];
    for (const op of this.store.all()) {
      if (!op.name.startsWith(prefix)) continue;
      if (op.service !== undefined && serviceKey(op.service) !== service) continue;
      if (done !== undefined && op.done !== done) continue;
      matching.push(op);
    }
    // Like many real servers, the token is an offset into the *filtered* list: cancelling
    // while paging a done=false filter shifts it (clients must list to the end first).
    const page = matching.slice(offset, offset + pageSize);
    const end = offset + page.length;
    const next = page.length > 0 && end < matching.length ? encodePageToken(query, end) : '';
    return { operations: page.map(toProto), nextPageToken: next, unreachable: [] };
  }
}

/** `host` of `host:port`, `[v6]:port` or a bare host, lower case. */
function hostOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') === -1 ? undefined : a.indexOf(']'));
  const colons = a.split(':').length - 1;
  return colons === 1 ? a.slice(0, a.indexOf(':')) : a; // several colons: a bare IPv6 address
}

/** A google.protobuf.Duration (proto-loader object) in ms; 60 s when absent; negative is refused. */
function durationMs(d: unknown): number {
  if (d === null || d === undefined) return 60_000;
  const { seconds, nanos } = d as { seconds?: unknown; nanos?: unknown };
  const s = Number(seconds ?? 0);
  const n = Number(nanos ?? 0);
  if (!Number.isInteger(s) || !Number.isInteger(n) || s < 0 || n < 0 || n >= 1e9)
    throw status(
      Code.INVALID_ARGUMENT,
      `timeout must be a non-negative duration (got ${String(seconds)}s ${String(nanos)}ns)`,
    );
  return s * 1000 + n / 1e6;
}

/**
 * Start an emulator on 127.0.0.1 (port 0 unless given).
 *
 * @example
 * ```ts
 * const emulator = await startOperationsEmulator(); // 127.0.0.1:0
 * const canceller = createCanceller({ emulator: emulator.target });
 * ```
 */
export async function startOperationsEmulator(options: EmulatorOptions = {}): Promise<OperationsEmulator> {
  return new OperationsEmulator(options).start();
}

function toProto(op: StoredOperation): Record<string, unknown> {
  const out: Record<string, unknown> = { name: op.name, done: op.done };
  if (op.metadata) out.metadata = op.metadata;
  if (op.error) out.error = op.error;
  else if (op.response) out.response = op.response;
  return out;
}

function status(
  code: number,
  details: string,
  extra: Parameters<typeof encodeStatus>[2] = [],
): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (extra.length > 0) metadata.set('grpc-status-details-bin', encodeStatus(code, details, extra));
  return { code, details, metadata };
}

function durationFields(ms: number): { seconds?: number; nanos?: number } {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1e6;
  return { ...(seconds ? { seconds } : {}), ...(nanos ? { nanos } : {}) };
}

/** Unref'd: a handler still sleeping (latency fault, WaitOperation) must not keep a stopped emulator's process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
