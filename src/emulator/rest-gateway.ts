import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { Code, codeName } from '../errors/status-code';
import { type DecodedAny, decodeAny, decodeStatus } from '../proto/status-codec';
import { decodedAnyToJson } from '../proto/status-json';
import { findService } from '../registry/service-registry';
import { httpStatusForCode } from '../transport/rest/http-status';
import { type CallAnswerer, DROP, type OperationsMethod } from './emulator-call';

/**
 * One HTTP request as the gateway received it (tests assert on bodies and paths).
 *
 * @example
 * ```ts
 * const cancels = emulator.restGateway?.requests.filter((r: RestRequest) => r.verb === 'POST');
 * ```
 */
export interface RestRequest {
  /** The HTTP method (`GET`, `POST`, ...). */
  verb: string;
  /** Path and query, as sent. */
  path: string;
  /** The `Host` header: which service the request is for. */
  host: string;
  /** The body as received: '' when there was none. */
  body: string;
  /** The `content-type` header, if any. */
  contentType: string | undefined;
}

/** TLS of the gateway: the emulator's own `tls` option (with `clientCa`: a client certificate is required). */
interface GatewayTls {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer | undefined;
}

/** Bodies above this are refused: Operations requests are tiny. */
const MAX_BODY = 64 * 1024;

/**
 * The REST routes of google.longrunning.Operations (googleapis' http rules, as lro-cancel's REST
 * transport sends them) in front of the emulator's `answer`, on a node:http(s) server of its own.
 * The same store, faults, routing and call log serve both, so an operation cancelled over REST
 * reads cancelled over gRPC. Services are told apart by `Host`, routed as gRPC's `:authority`
 * is (`resolveService`). Errors are Google's JSON error body with the HTTP status Google's front
 * ends use, and the google.rpc details as `@type` JSON.
 *
 * @example
 * ```ts
 * const emulator = await startOperationsEmulator({ rest: true });
 * const gateway: RestGateway | undefined = emulator.restGateway;
 * ```
 */
export class RestGateway {
  /** Every request received, in order. */
  readonly requests: RestRequest[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private boundPort = 0;

  /** A gateway in front of `target` (the emulator); `listen` starts it. @internal */
  constructor(private readonly target: CallAnswerer) {}

  /** The port it listens on (0 before `listen`). */
  get port(): number {
    return this.boundPort;
  }

  /** Listen on `host:port`, over TLS when `tls` is given. @internal */
  async listen(host: string, port: number, tls?: GatewayTls): Promise<void> {
    if (this.server) return;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => this.onRequest(req, res);
    const server = tls
      ? https.createServer(
          {
            cert: tls.cert,
            key: tls.key,
            keepAliveTimeout: 60_000,
            ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
          },
          onRequest,
        )
      : http.createServer({ keepAliveTimeout: 60_000 }, onRequest);
    // A TLS socket is 'secureConnection'; its TCP socket is 'connection' either way.
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.boundPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stop listening and end every connection at once. @internal */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Reset every open client connection (the emulator's dropConnections). @internal */
  dropConnections(): number {
    const n = this.sockets.size;
    for (const socket of this.sockets) reset(socket);
    return n;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        sendError(res, Code.INVALID_ARGUMENT, 'request body too large', []);
        return;
      }
      this.route(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const host = req.headers.host ?? '';
    const url = new URL(req.url ?? '/', 'http://gateway');
    this.requests.push({
      verb: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      host,
      body,
      contentType: req.headers['content-type'],
    });
    const call = routeOf(req.method ?? '', url, host);
    if (typeof call === 'string') {
      sendError(res, Code.NOT_FOUND, call, []);
      return;
    }
    const socket = req.socket;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let cancelled = false;
    res.on('close', () => {
      if (!res.writableFinished) cancelled = true;
    });
    const header = (key: string): string | undefined => {
      const v = req.headers[key];
      return Array.isArray(v) ? v[0] : v;
    };
    // No deadline travels over HTTP/1.1 (no grpc-timeout): WaitOperation is not bound over REST anyway.
    this.target
      .answer(call.method, call.request, undefined, peer, {
        authority: host,
        requestParams: header('x-goog-request-params'),
        apiClient: header('x-goog-api-client'),
        authorization: header('authorization'),
        userProject: header('x-goog-user-project'),
        cancelled: () => cancelled,
        dropConnection: () => {
          if (socket.destroyed) return false;
          this.target.connectionsDropped++;
          reset(socket);
          return true;
        },
      })
      .then(
        (value) => {
          if (!res.writableEnded && !socket.destroyed) sendJson(res, 200, toJson(call.method, value));
        },
        (e: unknown) => {
          if (e === DROP || res.writableEnded || socket.destroyed) return;
          const err = e as { code?: number; details?: string; metadata?: { get(key: string): unknown[] } };
          sendError(
            res,
            err.code ?? Code.UNKNOWN,
            err.details ?? String(e),
            err.metadata ? detailsOf(err.metadata) : [],
          );
        },
      );
  }
}

/** A TCP reset, as a dropped connection looks to the client; a plain destroy where a reset cannot be sent. */
function reset(socket: net.Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** The Operations method and request of a REST request, or why there is none. */
function routeOf(
  verb: string,
  url: URL,
  host: string,
): { method: OperationsMethod; request: Record<string, unknown> } | string {
  const m = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!m) return `no route for ${verb} ${url.pathname}`;
  const version = m[1] as string;
  let rest: string;
  try {
    rest = decodeURIComponent(m[2] as string);
  } catch {
    return `malformed path ${url.pathname}`;
  }
  const service = findService(host.replace(/:\d+$/, ''));
  if (service && service.apiVersion !== version)
    return `${service.host} serves /${service.apiVersion}/, not /${version}/`;
  if (verb === 'POST' && rest.endsWith(':cancel'))
    return { method: 'CancelOperation', request: { name: rest.slice(0, -':cancel'.length) } };
  if (verb === 'GET' && rest.endsWith('/operations')) {
    const q = url.searchParams;
    return {
      method: 'ListOperations',
      request: {
        name: rest.slice(0, -'/operations'.length),
        filter: q.get('filter') ?? '',
        pageSize: Number(q.get('pageSize') ?? 0),
        pageToken: q.get('pageToken') ?? '',
      },
    };
  }
  if (verb === 'GET') return { method: 'GetOperation', request: { name: rest } };
  if (verb === 'DELETE') return { method: 'DeleteOperation', request: { name: rest } };
  return `no route for ${verb} ${url.pathname}`;
}

function detailsOf(metadata: { get(key: string): unknown[] }): DecodedAny[] {
  const out: DecodedAny[] = [];
  for (const v of metadata.get('grpc-status-details-bin')) {
    if (v instanceof Uint8Array) out.push(...decodeStatus(v).details);
  }
  return out;
}

function sendError(res: http.ServerResponse, code: number, message: string, details: DecodedAny[]): void {
  const status = httpStatusForCode(code);
  sendJson(res, status, {
    error: { code: status, message, status: codeName(code), details: details.map(decodedAnyToJson) },
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

interface RawAny {
  type_url?: string;
  typeUrl?: string;
  value?: Uint8Array;
}

function anyToJson(a: RawAny): Record<string, unknown> {
  const url = a.type_url ?? a.typeUrl ?? '';
  if (url.endsWith('/google.protobuf.Empty')) return { '@type': url };
  return decodedAnyToJson(decodeAny(url, a.value ?? new Uint8Array()));
}

/** An Operation as proto3 JSON. */
function operationJson(op: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: op.name };
  if (op.metadata) out.metadata = anyToJson(op.metadata as RawAny);
  if (op.done) out.done = true;
  const error = op.error as { code: number; message: string; details?: RawAny[] } | undefined;
  if (error)
    out.error = { code: error.code, message: error.message, details: (error.details ?? []).map(anyToJson) };
  else if (op.response) out.response = anyToJson(op.response as RawAny);
  return out;
}

function toJson(method: string, value: unknown): unknown {
  if (method === 'GetOperation' || method === 'WaitOperation')
    return operationJson(value as Record<string, unknown>);
  if (method === 'ListOperations') {
    const v = value as { operations: Record<string, unknown>[]; nextPageToken: string };
    return {
      operations: v.operations.map(operationJson),
      ...(v.nextPageToken ? { nextPageToken: v.nextPageToken } : {}),
    };
  }
  return {};
}
