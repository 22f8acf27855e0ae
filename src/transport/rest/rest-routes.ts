import type { ServiceDescriptor } from '../../registry/service-registry';
import type { OperationsMethod } from '../operations-transport';

/** One REST request: verb, path (with query) and body. */
export interface RestRoute {
  verb: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** undefined: no body at all (Datastore's cancel rule has none). */
  body: string | undefined;
}

/**
 * googleapis' http rules for the Operations mixin (shared SERVICES.md), per service:
 * - Cancel: `POST /{version}/{name}:cancel`, body `{}` (`body: "*"`), none for Datastore.
 * - Get: `GET /{version}/{name}`; Delete: `DELETE /{version}/{name}`.
 * - List: `GET /{version}/{parent}/operations?filter=&pageSize=&pageToken=`.
 * WaitOperation is bound over HTTP by none of them: undefined (and for a name with a `.`/`..` segment).
 * Names are validated before they get here (registry/operation-name.ts); each segment is still
 * percent-encoded, so that nothing in a name can change the path it goes to.
 */
export function restRoute(
  method: OperationsMethod,
  request: Record<string, unknown>,
  service: ServiceDescriptor,
): RestRoute | undefined {
  const path = encodePath(String(request.name ?? ''));
  if (path === undefined) return undefined;
  const base = `/${service.apiVersion}/${path}`;
  switch (method) {
    case 'cancelOperation':
      return { verb: 'POST', path: `${base}:cancel`, body: cancelHasBody(service) ? '{}' : undefined };
    case 'getOperation':
      return { verb: 'GET', path: base, body: undefined };
    case 'deleteOperation':
      return { verb: 'DELETE', path: base, body: undefined };
    case 'listOperations': {
      const query = new URLSearchParams();
      if (request.filter) query.set('filter', String(request.filter));
      if (request.pageSize) query.set('pageSize', String(request.pageSize));
      if (request.pageToken) query.set('pageToken', String(request.pageToken));
      const q = query.toString();
      return { verb: 'GET', path: `${base}/operations${q ? `?${q}` : ''}`, body: undefined };
    }
    default:
      return undefined;
  }
}

/** Datastore's cancel rule (google/datastore/v1/datastore_v1.yaml:17) has no `body`; every other has `body: "*"`. */
export function cancelHasBody(service: ServiceDescriptor): boolean {
  return service.id !== 'datastore';
}

/**
 * A name as a URL path, each segment percent-encoded; undefined when a segment is `.` or `..`,
 * which no encoding carries safely (URL parsers treat `%2e%2e` as `..` too, and a proxy
 * would resolve it into another resource's path).
 */
function encodePath(name: string): string | undefined {
  const segments = name.split('/');
  if (segments.some(isDotSegment)) return undefined;
  return segments.map(encodeURIComponent).join('/');
}

export function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}
