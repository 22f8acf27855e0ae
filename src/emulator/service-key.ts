import { findService } from '../registry/service-registry';

/**
 * The key the emulator files a service under: a built-in service's id (given its id or host),
 * a custom service's host, or '*' (every service; faults only).
 */
export function serviceKey(idOrHost: string): string {
  const key = idOrHost.trim().toLowerCase();
  return findService(key)?.id ?? key;
}
