import type { Pool } from 'undici';
import { OperationsError } from '../../errors/operations-error';
import { Code } from '../../errors/status-code';
import { isUnreachableCode } from '../../errors/translate-grpc-error';
import type { ServiceDescriptor } from '../../registry/service-registry';
import { VERSION } from '../../version';
import type { ClientCertificate } from '../../auth/client-certificate';
import type { CredentialSource } from '../../auth/credential-source';
import type { CredentialOptions } from '../channel-credentials';
import { AbortFanout } from '../abort-fanout';
import type { Endpoint } from '../endpoint';
import { proxyForEndpoint, type ProxySetting, tunnelConnector } from '../proxy';
import type { OperationsConnection, OperationsMethod, OperationsTransport } from '../operations-transport';
import { listResponseFromJson, operationFromJson } from './operation-json';
import { type RestStatus, restStatus, statusFromErrorResponse, unreadableResponse } from './rest-status';
import { isDotSegment, restRoute } from './rest-routes';

export interface RestTransportOptions {
  /**
   * HTTP/1.1 connections per origin (one request at a time on each): the REST counterpart of
   * the channel pool, and the bound on a service's requests in flight; more wait in the pool's
   * queue. Defaults to 256, the most a batch raises a service to (cancelMany passes its concurrency).
   */
  restConnectionsPerService?: number | undefined;
  /** How long an idle connection is kept open for the next request, in ms. Defaults to 30 000. */
  restKeepAliveMs?: number | undefined;
}

/** `x-goog-api-client` over REST: who is calling, as Google's front ends read it. */
export const REST_API_CLIENT_HEADER = `gl-node/${process.versions.node} rest/${undiciVersion()} lro-cancel/${VERSION}`;

/**
 * undici, loaded when the first REST pool is made: it adds ~26 MB of RSS to a process that
 * loads it, and a canceller over gRPC (the default) never needs it.
 */
function loadUndici(): typeof import('undici') {
  return require('undici') as typeof import('undici');
}

function undiciVersion(): string {
  try {
    return (require('undici/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * google.longrunning.Operations over HTTP/1.1 + JSON, as the services document it (rest-routes.ts),
 * with undici: one keep-alive `Pool` per origin, bounded, shared by the services on it (the
 * emulator serves them all on one port and tells them apart by `Host`, as over gRPC by
 * `:authority`). Every failure rejects with a gRPC code (rest-status.ts), so the one retry
 * policy above retries REST as it retries gRPC.
 */
export class RestTransport implements OperationsTransport {
  readonly kind = 'rest' as const;
  private readonly pools = new Map<string, Pool>();
  private readonly connections = new Map<Endpoint, RestConnection>();
  private readonly size: number;
  private closed = false;

  constructor(private readonly options: RestTransportOptions = {}) {
    const n = options.restConnectionsPerService;
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      throw new RangeError(`restConnectionsPerService must be an integer >= 1, got ${n}`);
    this.size = n ?? 256;
  }

  supports(method: OperationsMethod): boolean {
    return method !== 'waitOperation';
  }

  peek(endpoint: Endpoint): OperationsConnection | undefined {
    return this.connections.get(endpoint);
  }

  async withConnection<T>(
    endpoint: Endpoint,
    service: ServiceDescriptor,
    credentials: CredentialOptions,
    use: (connection: OperationsConnection) => T | Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new Error('client closed');
    let c = this.connections.get(endpoint);
    if (!c) {
      // mTLS: the certificate is loaded when the first connection is made, as for a gRPC channel.
      const clientCert =
        endpoint.secure && credentials.clientCertificate ? await credentials.clientCertificate() : undefined;
      if (this.closed) throw new Error('client closed');
      c = this.connections.get(endpoint);
      if (!c) {
        const origin = `${endpoint.secure ? 'https' : 'http'}://${endpoint.address}`;
        const pool = this.poolOf(
          origin,
          endpoint.secure ? credentials.rootCerts : undefined,
          clientCert,
          proxyForEndpoint(endpoint),
        );
        c = new RestConnection(pool, origin, endpoint, service, credentials.source);
        this.connections.set(endpoint, c);
      }
    }
    return use(c);
  }

  /** The pool of an origin; its TLS trusts the roots gRPC trusts and presents the same client certificate. */
  private poolOf(
    origin: string,
    rootCerts: Buffer | undefined,
    clientCert: ClientCertificate | undefined,
    proxy: ProxySetting | undefined,
  ): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const tls = {
        ...(rootCerts ? { ca: rootCerts } : {}),
        ...(clientCert ? { cert: clientCert.cert, key: clientCert.key } : {}),
      };
      const { Pool, buildConnector } = loadUndici();
      pool = new Pool(origin, {
        connections: this.size,
        pipelining: 1,
        keepAliveTimeout: this.options.restKeepAliveMs ?? 30_000,
        // Deadlines are each call's own (RestConnection), not undici's 300 s defaults.
        headersTimeout: 0,
        bodyTimeout: 0,
        // Behind a proxy (proxy.ts): the same TLS, inside a CONNECT tunnel; the bound is unchanged.
        connect: proxy ? tunnelConnector(proxy, buildConnector({ ...tls, timeout: 10_000 })) : tls,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  all(): OperationsConnection[] {
    return [...this.connections.values()];
  }

  closeAll(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}

/** Why a call's own AbortController fired. */
const DEADLINE = Symbol('deadline');
const CALLER = Symbol('caller abort');
const CLOSED = Symbol('client closed');

/** One service's calls on its origin's pool: routes, headers, deadline and abort of each. */
class RestConnection implements OperationsConnection {
  private readonly inflight = new Set<AbortController>();
  /** The requests each caller signal ends, behind one listener per signal. */
  private readonly aborts = new AbortFanout<AbortController>((c) => c.abort(CALLER));
  private closedFlag = false;
  private readonly baseHeaders: Record<string, string>;

  constructor(
    private readonly pool: Pool,
    private readonly origin: string,
    endpoint: Endpoint,
    private readonly service: ServiceDescriptor,
    private readonly credentialSource: CredentialSource,
  ) {
    this.baseHeaders = {
      'x-goog-api-client': REST_API_CLIENT_HEADER,
      'user-agent': `lro-cancel/${VERSION}`,
      accept: 'application/json',
      // Emulator mode: the service's host, so one emulator tells services apart (gRPC's :authority).
      ...(endpoint.authority ? { host: endpoint.authority } : {}),
    };
    this.secure = endpoint.secure;
  }

  private readonly secure: boolean;

  get closed(): boolean {
    return this.closedFlag;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** An HTTP pool connects on demand, per request: there is nothing to wait for. */
  waitForReady(_deadline: number): Promise<void> {
    return this.closedFlag ? Promise.reject(new Error('client closed')) : Promise.resolve();
  }

  unary<Res>(
    method: OperationsMethod,
    request: object,
    routing: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<Res> {
    if (this.closedFlag) return Promise.reject(restStatus(Code.CANCELLED, 'client closed'));
    const name = String((request as { name?: unknown }).name ?? '');
    if (name.split('/').some(isDotSegment)) {
      // Refused here, before anything is sent: such a path would name another resource.
      return Promise.reject(
        new OperationsError(
          Code.INVALID_ARGUMENT,
          'a name with a "." or ".." segment cannot be sent over REST (a URL path would resolve it); use transport \'grpc\'',
          { operationName: name, service: this.service.id, outcome: 'invalid-name', attempts: 0 },
        ),
      );
    }
    const route = restRoute(method, request as Record<string, unknown>, this.service);
    if (!route) {
      return Promise.reject(
        restStatus(
          Code.UNIMPLEMENTED,
          `${method} is not available over REST: no service binds it over HTTP (use transport 'grpc', or poll GetOperation)`,
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(restStatus(Code.CANCELLED, 'Cancelled on client'));
    return this.send<Res>(method, route, routing, deadline, signal);
  }

  private async send<Res>(
    method: OperationsMethod,
    route: NonNullable<ReturnType<typeof restRoute>>,
    routing: string,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<Res> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(DEADLINE), Math.max(0, deadline - Date.now()));
    const watch = signal && this.aborts.add(signal, controller);
    this.inflight.add(controller);
    try {
      const headers: Record<string, string> = { ...this.baseHeaders, 'x-goog-request-params': routing };
      if (this.secure) Object.assign(headers, await this.credentials());
      if (route.body !== undefined) headers['content-type'] = 'application/json';
      const res = await this.pool.request({
        path: route.path,
        method: route.verb,
        headers,
        body: route.body,
        signal: controller.signal,
      });
      const text = await readBody(res.body, res.headers['content-length']);
      if (res.statusCode < 200 || res.statusCode > 299) {
        const retryAfter = res.headers['retry-after'];
        throw statusFromErrorResponse(
          res.statusCode,
          text,
          Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        );
      }
      return parseResponse(method, res.statusCode, text) as Res;
    } catch (e) {
      throw this.failure(e, controller.signal);
    } finally {
      clearTimeout(timer);
      if (watch) this.aborts.remove(signal as AbortSignal, watch, controller);
      this.inflight.delete(controller);
    }
  }

  /** The credential headers, or a failure worded and coded as grpc-js words a failed call-credentials plugin. */
  private async credentials(): Promise<Record<string, string>> {
    try {
      return await this.credentialSource.requestHeaders(`${this.origin}/`);
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      throw restStatus(
        controlPlaneCode(typeof code === 'number' ? code : Code.UNKNOWN),
        `Getting metadata from plugin failed with error: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Any failure as a status with a gRPC code (or a socket error the translator knows). */
  private failure(e: unknown, own: AbortSignal): unknown {
    if (isRestStatus(e)) return e;
    if (own.aborted) {
      if (own.reason === DEADLINE) return restStatus(Code.DEADLINE_EXCEEDED, 'Deadline exceeded');
      if (own.reason === CLOSED) return restStatus(Code.CANCELLED, 'client closed');
      return restStatus(Code.CANCELLED, 'Cancelled on client');
    }
    const code = (e as { code?: unknown } | null)?.code;
    // Connection refused/reset, DNS: the translator makes them UNAVAILABLE, with its hints.
    if (isUnreachableCode(code)) return e;
    if (typeof code === 'string') {
      // undici's socket errors (other side closed, content-length mismatch, connect timeout),
      // TLS failures: the connection failed under the call, so UNAVAILABLE, retried as over gRPC.
      return restStatus(Code.UNAVAILABLE, `${code}: ${(e as Error).message}`);
    }
    return e;
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const c of this.inflight) c.abort(CLOSED);
    this.inflight.clear();
  }
}

/**
 * grpc-js's restrictControlPlaneStatusCode: codes a credentials plugin may not pass through
 * (they would speak for the server) become INTERNAL; others outside the spec UNKNOWN.
 */
function controlPlaneCode(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 16) return Code.UNKNOWN;
  const restricted: readonly number[] = [
    Code.OK,
    Code.INVALID_ARGUMENT,
    Code.NOT_FOUND,
    Code.ALREADY_EXISTS,
    Code.FAILED_PRECONDITION,
    Code.ABORTED,
    Code.OUT_OF_RANGE,
    Code.DATA_LOSS,
  ];
  return restricted.includes(code) ? Code.INTERNAL : code;
}

function isRestStatus(e: unknown): e is RestStatus {
  return typeof e === 'object' && e !== null && Array.isArray((e as RestStatus).statusDetails);
}

/**
 * The most of a response body read, as grpc-js's default receive limit (4 MiB): an Operations
 * answer is a few kB, a list page at most a few MB; past this, a broken or hostile server (or a
 * proxy's endless page) would hold the client's memory.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

type ResponseBody = AsyncIterable<Buffer> & { destroy(err?: Error): unknown };

/** The body as text, or RESOURCE_EXHAUSTED (as grpc-js words it) past MAX_RESPONSE_BYTES. */
async function readBody(body: ResponseBody, contentLength: string | string[] | undefined): Promise<string> {
  const tooLarge = (n: number): RestStatus => {
    body.destroy();
    return restStatus(
      Code.RESOURCE_EXHAUSTED,
      `Received message larger than max (${n} vs. ${MAX_RESPONSE_BYTES})`,
    );
  };
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (declared > MAX_RESPONSE_BYTES) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) throw tooLarge(size);
    chunks.push(chunk);
  }
  return chunks.length === 1
    ? (chunks[0] as Buffer).toString('utf8')
    : Buffer.concat(chunks).toString('utf8');
}

/** A 2xx body as the gRPC response object of `method`. Cancel and Delete answer Empty: any body will do. */
function parseResponse(method: OperationsMethod, status: number, text: string): unknown {
  if (method === 'cancelOperation' || method === 'deleteOperation') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unreadableResponse(status, text);
  }
  return method === 'listOperations' ? listResponseFromJson(json) : operationFromJson(json);
}
