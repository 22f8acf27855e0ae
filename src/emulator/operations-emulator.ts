import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { Code } from '../errors/status-code';
import { loadOperationsService } from '../proto/load-operations-package';
import { encodeStatus } from '../proto/status-codec';
import { findService } from '../registry/service-registry';
import { redactGrpcLogs } from '../transport/grpc-log-redaction';
import { OperationStore, type StoredOperation } from './operation-store';

/** Faults and limits for one service (or every service with the key '*'). */
export interface ServiceFaults {
  /** CancelOperation answers UNIMPLEMENTED for every operation of the service. */
  unimplemented?: boolean;
  /** Fraction (0-1) of calls that fail with `errorCode` (default UNAVAILABLE). */
  errorRate?: number;
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
   * bucket holds a token again (as a server that knows its refill would say). Defaults to 1000.
   */
  quotaRetryDelayMs?: number | 'next-token';
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

/** How `dropConnections` ends a connection. */
export type DropMode =
  /** TCP reset, no HTTP/2 goodbye (a crashed peer, a load balancer cutting the flow). Default. */
  | 'reset'
  /**
   * HTTP/2 session destroyed: a GOAWAY(NO_ERROR) and the socket closed at once, without
   * waiting for the streams in flight (grpc-js clients see INTERNAL "Received RST_STREAM with
   * code 0" for those).
   */
  | 'close';

/** One call as the emulator saw it. */
export interface RecordedCall {
  method: string;
  name: string;
  /** Service id matched from the call's :authority ('*' when it names no known service). */
  service: string;
  authority: string;
  peer: string;
  /** Date.now() when the call arrived. */
  at: number;
  requestParams: string | undefined;
  apiClient: string | undefined;
  authorization: string | undefined;
  /** Status code answered (0 for OK); undefined while in flight, or when the call was dropped. */
  code?: number;
  /** True when the emulator dropped the connection instead of answering (`dropRate`, `dropTimes`). */
  dropped?: boolean;
}

export interface EmulatorOptions {
  /** Port to listen on. Defaults to 0 (any free port). */
  port?: number;
  /** Host to bind. Defaults to 127.0.0.1. */
  host?: string;
  /** Serve TLS with this key pair (PEM) instead of plaintext. */
  tls?: { cert: Buffer; key: Buffer };
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
}

type Callback = grpc.sendUnaryData<unknown>;
type Handler = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: Callback) => void;

/**
 * A local google.longrunning.Operations server over an in-memory store: Get, List (paged,
 * `done=` filters), Cancel, Delete, Wait. Each operation carries a script (see OperationSeed);
 * each service can be given faults. Services are told apart by the call's :authority, which
 * lro-cancel sets to the service host in emulator mode, as a Google front end would see it.
 */
export class OperationsEmulator {
  readonly store = new OperationStore();
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
  private boundPort = 0;
  private inflight = 0;

  constructor(private readonly options: EmulatorOptions = {}) {}

  /** `host:port` clients should dial. */
  get target(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Calls being answered right now. */
  get inflightCalls(): number {
    return this.inflight;
  }

  /** Set faults for a service id, a host, or '*' (all). Replaces earlier faults of that key. */
  setFaults(service: string, faults: ServiceFaults): void {
    this.faults.set(serviceKey(service), faults);
    this.buckets.delete(serviceKey(service));
  }

  clearFaults(): void {
    this.faults.clear();
    this.buckets.clear();
  }

  /** Calls of one method (e.g. 'CancelOperation'), from the log. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

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
    const wrap =
      (
        method: string,
        handler: (
          call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
          rec: RecordedCall,
        ) => Promise<unknown>,
      ): Handler =>
      (call, callback) =>
        void this.handle(method, call, callback, handler);
    server.addService(Service.service, {
      CancelOperation: wrap('CancelOperation', (call, rec) => this.cancel(call, rec)),
      GetOperation: wrap('GetOperation', (call, rec) => this.getOp(call, rec)),
      ListOperations: wrap('ListOperations', (call, rec) => this.list(call, rec)),
      DeleteOperation: wrap('DeleteOperation', (call, rec) => this.deleteOp(call, rec)),
      WaitOperation: wrap('WaitOperation', (call, rec) => this.wait(call, rec)),
    });
    const creds = this.options.tls
      ? grpc.ServerCredentials.createSsl(null, [
          { cert_chain: this.options.tls.cert, private_key: this.options.tls.key },
        ])
      : grpc.ServerCredentials.createInsecure();
    const host = this.options.host ?? '127.0.0.1';
    const bindHost = host.includes(':') ? `[${host}]` : host;
    const port = this.boundPort || this.options.port || 0;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${bindHost}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return this;
  }

  /** Stop at once (in-flight calls fail UNAVAILABLE on the client). `start()` again reuses the port. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    s?.forceShutdown();
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
    return sessions.length;
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

  private async handle(
    method: string,
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: Callback,
    handler: (
      call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
      rec: RecordedCall,
    ) => Promise<unknown>,
  ): Promise<void> {
    const authority = call.getHost();
    const md = call.metadata;
    const first = (key: string): string | undefined => {
      const v = md.get(key)[0];
      return v === undefined ? undefined : String(v);
    };
    const rec: RecordedCall = {
      method,
      name: String(call.request.name ?? ''),
      service: serviceKey(authority.replace(/:\d+$/, '')),
      authority,
      peer: call.getPeer(),
      at: Date.now(),
      requestParams: first('x-goog-request-params'),
      apiClient: first('x-goog-api-client'),
      authorization: first('authorization'),
    };
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    this.peers.add(rec.peer);
    if (this.options.recordCalls ?? true) this.calls.push(rec);
    this.inflight++;
    try {
      const faults = this.faultsFor(rec.service);
      if (faults.latencyMs) await delay(faults.latencyMs);
      const drop =
        !!faults.dropRate &&
        (faults.errorMethods ?? ['CancelOperation']).includes(method) &&
        Math.random() < faults.dropRate;
      if (drop && !faults.dropAfterEffect) throw DROP;
      this.checkFaults(method, rec.service, faults);
      const value = await handler(call, rec);
      if (drop) throw DROP;
      rec.code = 0;
      callback(null, value);
    } catch (thrown) {
      let e = thrown;
      if (e === DROP) {
        // No answer: the connection dies under the call (and every other call on it).
        rec.dropped = true;
        if (this.dropConnectionOf(rec.peer)) return;
        // Not found (already gone): answer rather than leave the call hanging.
        rec.dropped = false;
        e = status(Code.UNAVAILABLE, 'emulator: the connection to drop was already gone');
      }
      const err = e as Partial<grpc.StatusObject>;
      rec.code = err.code ?? Code.UNKNOWN;
      callback({
        code: rec.code,
        details: err.details ?? String(e),
        metadata: err.metadata ?? new grpc.Metadata(),
      });
    } finally {
      this.inflight--;
      if (rec.code !== undefined) this.codeCounts.set(rec.code, (this.codeCounts.get(rec.code) ?? 0) + 1);
    }
  }

  private faultsFor(service: string): ServiceFaults {
    return this.faults.get(service) ?? this.faults.get('*') ?? {};
  }

  private checkFaults(method: string, service: string, faults: ServiceFaults): void {
    if (faults.denied) throw status(Code.PERMISSION_DENIED, 'The caller does not have permission');
    if (faults.quotaPerSecond !== undefined && !this.takeToken(service, faults.quotaPerSecond)) {
      const asked = faults.quotaRetryDelayMs ?? 1000;
      const retryMs = asked === 'next-token' ? this.msToNextToken(service, faults.quotaPerSecond) : asked;
      throw status(Code.RESOURCE_EXHAUSTED, `Quota exceeded: ${faults.quotaPerSecond} calls per second`, [
        {
          type: 'google.rpc.RetryInfo',
          fields: { retryDelay: { seconds: Math.floor(retryMs / 1000), nanos: (retryMs % 1000) * 1e6 } },
        },
        { type: 'google.rpc.ErrorInfo', fields: { reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' } },
      ]);
    }
    if (
      faults.errorRate &&
      (faults.errorMethods ?? ['CancelOperation']).includes(method) &&
      Math.random() < faults.errorRate
    ) {
      throw status(faults.errorCode ?? Code.UNAVAILABLE, faults.errorMessage ?? 'injected fault');
    }
  }

  private takeToken(service: string, perSecond: number): boolean {
    const now = performance.now();
    let b = this.buckets.get(service);
    if (!b) {
      b = { tokens: perSecond, last: now };
      this.buckets.set(service, b);
    }
    // Bucket depth of one second's worth (at least one token).
    b.tokens = Math.min(Math.max(perSecond, 1), b.tokens + ((now - b.last) / 1000) * perSecond);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private msToNextToken(service: string, perSecond: number): number {
    const tokens = this.buckets.get(service)?.tokens ?? 0;
    return Math.max(1, Math.ceil(((1 - tokens) / perSecond) * 1000));
  }

  private lookup(rec: RecordedCall): StoredOperation {
    const op = this.store.get(rec.name);
    // A known service host only sees its own operations, as separate real services would.
    if (!op || (rec.service !== '*' && op.service !== undefined && serviceKey(op.service) !== rec.service)) {
      throw status(Code.NOT_FOUND, `Operation "${rec.name}" not found.`);
    }
    return op;
  }

  private async cancel(_call: unknown, rec: RecordedCall): Promise<unknown> {
    if (!rec.name) throw status(Code.INVALID_ARGUMENT, 'name is required');
    if (this.faultsFor(rec.service).unimplemented)
      throw status(Code.UNIMPLEMENTED, 'Operation cancellation is not supported by this service.');
    const op = this.lookup(rec);
    op.cancelRequests++;
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

  private async getOp(_call: unknown, rec: RecordedCall): Promise<unknown> {
    return toProto(this.lookup(rec));
  }

  private async deleteOp(_call: unknown, rec: RecordedCall): Promise<unknown> {
    this.lookup(rec);
    this.store.delete(rec.name);
    return {};
  }

  private async wait(
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    rec: RecordedCall,
  ): Promise<unknown> {
    const op = this.lookup(rec);
    const t = call.request.timeout as { seconds?: string | number; nanos?: number } | null | undefined;
    const timeoutMs = t ? Number(t.seconds ?? 0) * 1000 + Number(t.nanos ?? 0) / 1e6 : 60_000;
    const until = Date.now() + timeoutMs;
    while (!op.done && Date.now() < until && !call.cancelled) await delay(Math.min(20, until - Date.now()));
    return toProto(op);
  }

  private async list(
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    rec: RecordedCall,
  ): Promise<unknown> {
    const parent = rec.name;
    const filter = String(call.request.filter ?? '').replace(/\s+/g, '');
    let done: boolean | undefined;
    if (filter === 'done=true') done = true;
    else if (filter === 'done=false') done = false;
    else if (filter !== '')
      throw status(
        Code.INVALID_ARGUMENT,
        `unsupported filter "${call.request.filter}" (the emulator knows done=true and done=false)`,
      );
    const prefix = parent ? `${parent}/operations/` : '';
    const matching: StoredOperation[] = [];
    for (const op of this.store.all()) {
      if (!op.name.startsWith(prefix)) continue;
      if (rec.service !== '*' && op.service !== undefined && serviceKey(op.service) !== rec.service) continue;
      if (done !== undefined && op.done !== done) continue;
      matching.push(op);
    }
    const size =
      Number(call.request.page_size ?? call.request.pageSize ?? 0) || this.options.defaultPageSize || 50;
    const token = String(call.request.page_token ?? call.request.pageToken ?? '');
    // Like many real servers, the token is an offset into the *filtered* list: cancelling
    // while paging a done=false filter shifts it (clients must list to the end first).
    const offset = token ? Number(token) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw status(Code.INVALID_ARGUMENT, 'invalid page token');
    const page = matching.slice(offset, offset + Math.min(size, 1000));
    const next = offset + page.length < matching.length ? String(offset + page.length) : '';
    return { operations: page.map(toProto), nextPageToken: next };
  }
}

/** Thrown inside a handler to drop the call's connection instead of answering. */
const DROP: unique symbol = Symbol('drop connection');

/** Start an emulator on 127.0.0.1 (port 0 unless given). */
export async function startOperationsEmulator(options: EmulatorOptions = {}): Promise<OperationsEmulator> {
  return new OperationsEmulator(options).start();
}

function serviceKey(idOrHost: string): string {
  return (
    findService(idOrHost)?.id ??
    (idOrHost === '*' ? '*' : idOrHost.includes('.') && !/^[\d.]+$/.test(idOrHost) ? idOrHost : '*')
  );
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

/** Unref'd: a handler still sleeping (latency fault, WaitOperation) must not keep a stopped emulator's process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
