import * as grpc from '@grpc/grpc-js';
import { Code } from '../errors/status-code';
import { loadOperationsService } from '../proto/load-operations-package';
import { encodeStatus } from '../proto/status-codec';
import { findService } from '../registry/service-registry';
import { OperationStore, type StoredOperation } from './operation-store';

/** Faults and limits for one service (or every service with the key '*'). */
export interface ServiceFaults {
  /** CancelOperation answers UNIMPLEMENTED for every operation of the service. */
  unimplemented?: boolean;
  /** Fraction (0-1) of calls that fail with `errorCode` (default UNAVAILABLE). */
  errorRate?: number;
  errorCode?: number;
  /** Methods `errorRate` applies to. Defaults to ['CancelOperation']. */
  errorMethods?: readonly string[];
  /** Delay added before every answer, in ms. */
  latencyMs?: number;
  /** Token bucket: calls per second; beyond it RESOURCE_EXHAUSTED with RetryInfo. */
  quotaPerSecond?: number;
  /** RetryInfo delay sent with quota rejections, in ms. Defaults to 1000. */
  quotaRetryDelayMs?: number;
  /** Every call answers PERMISSION_DENIED. */
  denied?: boolean;
}

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
  /** Status code answered (0 for OK); undefined while in flight. */
  code?: number;
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
    const Service = loadOperationsService();
    const server = new grpc.Server({
      ...(this.options.maxConcurrentStreams ? { 'grpc.max_concurrent_streams': this.options.maxConcurrentStreams } : {}),
    });
    const wrap = (method: string, handler: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, rec: RecordedCall) => Promise<unknown>): Handler =>
      (call, callback) => void this.handle(method, call, callback, handler);
    server.addService(Service.service, {
      CancelOperation: wrap('CancelOperation', (call, rec) => this.cancel(call, rec)),
      GetOperation: wrap('GetOperation', (call, rec) => this.getOp(call, rec)),
      ListOperations: wrap('ListOperations', (call, rec) => this.list(call, rec)),
      DeleteOperation: wrap('DeleteOperation', (call, rec) => this.deleteOp(call, rec)),
      WaitOperation: wrap('WaitOperation', (call, rec) => this.wait(call, rec)),
    });
    const creds = this.options.tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: this.options.tls.cert, private_key: this.options.tls.key }])
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

  private async handle(
    method: string,
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: Callback,
    handler: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, rec: RecordedCall) => Promise<unknown>,
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
      this.checkFaults(method, rec.service, faults);
      const value = await handler(call, rec);
      rec.code = 0;
      callback(null, value);
    } catch (e) {
      const err = e as Partial<grpc.StatusObject>;
      rec.code = err.code ?? Code.UNKNOWN;
      callback({ code: rec.code, details: err.details ?? String(e), metadata: err.metadata ?? new grpc.Metadata() });
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
      const retryMs = faults.quotaRetryDelayMs ?? 1000;
      throw status(Code.RESOURCE_EXHAUSTED, `Quota exceeded: ${faults.quotaPerSecond} calls per second`, [
        { type: 'google.rpc.RetryInfo', fields: { retryDelay: { seconds: Math.floor(retryMs / 1000), nanos: (retryMs % 1000) * 1e6 } } },
        { type: 'google.rpc.ErrorInfo', fields: { reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' } },
      ]);
    }
    if (faults.errorRate && (faults.errorMethods ?? ['CancelOperation']).includes(method) && Math.random() < faults.errorRate) {
      throw status(faults.errorCode ?? Code.UNAVAILABLE, 'injected fault');
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
    if (this.faultsFor(rec.service).unimplemented) throw status(Code.UNIMPLEMENTED, 'Operation cancellation is not supported by this service.');
    const op = this.lookup(rec);
    op.cancelRequests++;
    if (op.onCancel === 'unimplemented') throw status(Code.UNIMPLEMENTED, 'Operation cancellation is not supported for this operation.');
    if (op.failTimesLeft > 0) {
      op.failTimesLeft--;
      throw status(op.transientCode, 'transient failure (scripted)');
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

  private async wait(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, rec: RecordedCall): Promise<unknown> {
    const op = this.lookup(rec);
    const t = call.request.timeout as { seconds?: string | number; nanos?: number } | null | undefined;
    const timeoutMs = t ? Number(t.seconds ?? 0) * 1000 + Number(t.nanos ?? 0) / 1e6 : 60_000;
    const until = Date.now() + timeoutMs;
    while (!op.done && Date.now() < until && !call.cancelled) await delay(Math.min(20, until - Date.now()));
    return toProto(op);
  }

  private async list(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, rec: RecordedCall): Promise<unknown> {
    const parent = rec.name;
    const filter = String(call.request.filter ?? '').replace(/\s+/g, '');
    let done: boolean | undefined;
    if (filter === 'done=true') done = true;
    else if (filter === 'done=false') done = false;
    else if (filter !== '') throw status(Code.INVALID_ARGUMENT, `unsupported filter "${call.request.filter}" (the emulator knows done=true and done=false)`);
    const prefix = parent ? `${parent}/operations/` : '';
    const matching: StoredOperation[] = [];
    for (const op of this.store.all()) {
      if (!op.name.startsWith(prefix)) continue;
      if (rec.service !== '*' && op.service !== undefined && serviceKey(op.service) !== rec.service) continue;
      if (done !== undefined && op.done !== done) continue;
      matching.push(op);
    }
    const size = Number(call.request.page_size ?? call.request.pageSize ?? 0) || this.options.defaultPageSize || 50;
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

/** Start an emulator on 127.0.0.1 (port 0 unless given). */
export async function startOperationsEmulator(options: EmulatorOptions = {}): Promise<OperationsEmulator> {
  return new OperationsEmulator(options).start();
}

function serviceKey(idOrHost: string): string {
  return findService(idOrHost)?.id ?? (idOrHost === '*' ? '*' : idOrHost.includes('.') && !/^[\d.]+$/.test(idOrHost) ? idOrHost : '*');
}

function toProto(op: StoredOperation): Record<string, unknown> {
  const out: Record<string, unknown> = { name: op.name, done: op.done };
  if (op.metadata) out.metadata = op.metadata;
  if (op.error) out.error = op.error;
  else if (op.response) out.response = op.response;
  return out;
}

function status(code: number, details: string, extra: Parameters<typeof encodeStatus>[2] = []): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (extra.length > 0) metadata.set('grpc-status-details-bin', encodeStatus(code, details, extra));
  return { code, details, metadata };
}

/** Unref'd: a handler still sleeping (latency fault, WaitOperation) must not keep a stopped emulator's process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
