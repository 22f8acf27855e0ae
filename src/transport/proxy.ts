import * as http from 'node:http';
import * as net from 'node:net';
import type { buildConnector } from 'undici';
import { Code } from '../errors/status-code';
import { EndpointError, type Endpoint } from './endpoint';
import { restStatus } from './rest/rest-status';

/**
 * An HTTP CONNECT proxy from the environment, read by grpc-js's rules (its http_proxy.js) so that
 * gRPC and REST take the same way out: `grpc_proxy`, else `https_proxy`, else `http_proxy`
 * (lower case only, as grpc-js reads them); an `http://` URL; `user:pass@` becomes Basic
 * Proxy-Authorization. Never printed with its credentials: `display` has none.
 */
export interface ProxySetting {
  /** The variable it came from, named in error hints. */
  readonly variable: string;
  /** `host:port` of the proxy (port 80 when the URL has none, as grpc-js). */
  readonly host: string;
  readonly port: number;
  /** `Basic …` when the URL carries credentials. Secret: never in a message. */
  readonly authorization?: string;
  /** `http://host:port`, without credentials. */
  readonly display: string;
}

/** The proxy the environment names, or undefined; a URL grpc-js would not use is a usage error. */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySetting | undefined {
  const variable = ['grpc_proxy', 'https_proxy', 'http_proxy'].find((v) => env[v]);
  if (!variable) return undefined;
  let url: URL;
  try {
    url = new URL(env[variable] as string);
  } catch {
    // The value may hold a password: it is not repeated.
    throw new EndpointError(
      `${variable} is not a URL; give http://HOST:PORT (credentials as http://user:pass@HOST:PORT)`,
    );
  }
  if (url.protocol !== 'http:')
    throw new EndpointError(
      `${variable} has scheme "${url.protocol}"; only an http:// proxy (HTTP CONNECT) is supported, by gRPC and REST alike`,
    );
  const port = Number(url.port || '80');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const user = url.username ? decodeURIComponent(url.username) : '';
  const creds = url.password ? `${user}:${decodeURIComponent(url.password)}` : user;
  return {
    variable,
    host,
    port,
    ...(creds ? { authorization: `Basic ${Buffer.from(creds).toString('base64')}` } : {}),
    display: `http://${url.host}`,
  };
}

/**
 * True when `no_grpc_proxy` (else `no_proxy`) exempts `host:port`. grpc-js's matches (a suffix of
 * the host, an IPv4 CIDR) plus the common forms it lacks: `*`, `host:port`, a leading dot,
 * spaces around entries. A superset of grpc-js's, so that where this says "no proxy" gRPC is
 * told so too (`grpc.enable_http_proxy: 0`) and both transports decide alike.
 */
export function noProxyMatches(host: string, port: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const list = env.no_grpc_proxy || env.no_proxy;
  if (!list) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of list.split(',')) {
    // grpc-js: `serverHost.endsWith('')` — an empty entry (a trailing comma) exempts every host.
    if (raw === '') return true;
    let entry = raw.trim().toLowerCase();
    if (entry === '*') return true;
    if (entry === '') continue;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(entry);
    if (cidr) {
      if (net.isIPv4(h) && inCidr(h, cidr[1] as string, Number(cidr[2]))) return true;
      continue;
    }
    const withPort = /^(.*[^:]):(\d+)$/.exec(entry);
    if (withPort && !net.isIPv6(entry)) {
      if (Number(withPort[2]) !== port) continue;
      entry = withPort[1] as string;
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '.');
    if (h === entry.replace(/^\./, '') || h.endsWith(entry)) return true;
  }
  return false;
}

function inCidr(ip: string, base: string, bits: number): boolean {
  if (bits > 32 || !net.isIPv4(base)) return false;
  const n = (a: string): number => a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (n(ip) & mask) >>> 0 === (n(base) & mask) >>> 0;
}

/**
 * The proxy an endpoint goes through, or undefined. Plaintext (the loopback emulator) never goes
 * through one: its traffic must stay on this machine.
 */
export function proxyForEndpoint(
  endpoint: Endpoint,
  env: NodeJS.ProcessEnv = process.env,
): ProxySetting | undefined {
  if (!endpoint.secure) return undefined;
  const proxy = proxyFromEnv(env);
  if (!proxy || noProxyMatches(endpoint.host, endpoint.port, env)) return undefined;
  return proxy;
}

/** UNAVAILABLE as an Error (undici's connect callback takes one) that the REST transport reads as a status. */
function proxyFailure(message: string): Error {
  return Object.assign(new Error(message), restStatus(Code.UNAVAILABLE, message));
}

/** How long the proxy has to accept the TCP connection and answer CONNECT (undici's own connect timeout). */
const CONNECT_TIMEOUT_MS = 10_000;

type Connector = buildConnector.connector;

/**
 * An undici `connect` that opens an HTTP CONNECT tunnel through `proxy` and runs `tls` (the
 * pool's own TLS connector: roots, client certificate, SNI of the service host) inside it, so
 * TLS is end to end and the proxy sees only `CONNECT host:port`, never a request header.
 */
export function tunnelConnector(proxy: ProxySetting, tls: Connector): Connector {
  return (opts, callback) => {
    // undici gives an IPv6 host in brackets (URL.hostname) or not: CONNECT wants them once.
    const bare = opts.hostname.replace(/^\[|\]$/g, '');
    const target = `${bare.includes(':') ? `[${bare}]` : bare}:${opts.port || 443}`;
    const fail = (why: string): void =>
      callback(
        proxyFailure(`proxy ${proxy.display} (from ${proxy.variable}) ${why} for CONNECT ${target}`),
        null,
      );
    const req = http.request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: {
        host: target,
        ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}),
      },
      timeout: CONNECT_TIMEOUT_MS,
      // A tunnel is one connection: never a pooled (or global) agent.
      agent: false,
    });
    let done = false;
    req.once('connect', (res, socket, head) => {
      done = true;
      req.removeAllListeners();
      if (res.statusCode !== 200) {
        socket.destroy();
        return fail(`answered ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd());
      }
      if (head.length > 0) socket.unshift(head);
      tls({ ...opts, httpSocket: socket }, callback);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.once('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      fail(`could not be reached (${e.code ?? e.message})`);
    });
    req.end();
  };
}
