import * as net from 'node:net';
import { mtlsHost } from '../auth/client-certificate';
import type { ServiceDescriptor } from '../registry/service-registry';

/** Where and how to connect for one service. */
export interface Endpoint {
  /** `host:port` as grpc-js takes it. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** TLS + credentials (true) or plaintext without credentials (false: emulator only). */
  readonly secure: boolean;
  /**
   * `:authority` to send instead of `address` (emulator mode: the service host, so one emulator
   * tells services apart as Google's front ends do, and each service keeps its own channel).
   */
  readonly authority?: string;
}

export interface EndpointOptions {
  /** `host:port` of an Operations emulator: every service goes there, plaintext, no credentials. */
  emulator?: string | undefined;
  /** Permit plaintext to a host that is not loopback. */
  allowInsecure?: boolean | undefined;
  /** `host:port` for every service, or per service id; keeps TLS and credentials. */
  endpoint?: string | Readonly<Record<string, string>> | undefined;
  /** Universe domain (`googleapis.com` unless set; `GOOGLE_CLOUD_UNIVERSE_DOMAIN`). */
  universeDomain?: string | undefined;
  /** The built-in hosts' mTLS names (`*.mtls.googleapis.com`): mTLS is on. Overrides keep their host. */
  mtlsHosts?: boolean | undefined;
}

/** Thrown for a bad endpoint setting: a usage error, raised before any connection. */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

/** Parse `host:port` (`[::1]:8080` for IPv6). The port is required. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/[\]]+):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new EndpointError(`${what} "${text}" must be HOST:PORT, e.g. localhost:8080 or [::1]:8080`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535)
    throw new EndpointError(`${what} "${text}" has port ${port}; it must be 1-65535`);
  return { host: m[1] as string, port };
}

/** True for `localhost`, 127.0.0.0/8 and ::1, judged from the text alone (no DNS lookup). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h) || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h);
  return false;
}

/**
 * Decide the endpoint of `service`. Emulator mode wins; plaintext to a host that is not
 * loopback is refused here, before any connection or DNS lookup, unless `allowInsecure`.
 */
export function resolveEndpoint(service: ServiceDescriptor, options: EndpointOptions): Endpoint {
  if (options.emulator) {
    const { host, port } = parseHostPort(options.emulator, 'emulator address');
    if (!isLoopbackHost(host) && !options.allowInsecure) {
      throw new EndpointError(
        `refusing plaintext to "${host}", which is not a loopback address; an emulator belongs on localhost (pass --allow-insecure / allowInsecure: true to override)`,
      );
    }
    return { address: `${host}:${port}`, host, port, secure: false, authority: service.host };
  }
  const override = typeof options.endpoint === 'string' ? options.endpoint : options.endpoint?.[service.id];
  if (override) {
    const { host, port } = parseHostPort(override, 'endpoint');
    return { address: `${host}:${port}`, host, port, secure: true };
  }
  const universe = options.universeDomain ?? 'googleapis.com';
  const host =
    universe !== 'googleapis.com'
      ? service.host.replace(/\.googleapis\.com$/, `.${universe}`)
      : options.mtlsHosts
        ? mtlsHost(service.host)
        : service.host;
  return { address: `${host}:${service.port}`, host, port: service.port, secure: true };
}
