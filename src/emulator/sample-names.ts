import { services, serviceIds, type ServiceDescriptor } from '../registry/service-registry';

/** Sample values for the `*` after each collection id, so sample names read like real ones. */
const SAMPLE_SEGMENT: Readonly<Record<string, string>> = {
  projects: 'demo-project',
  organizations: '123456789',
  locations: 'us-central1',
  collections: 'default_collection',
  dataStores: 'demo-store',
  branches: 'default_branch',
};

/**
 * A name the service's CancelOperation accepts, built from its `variant`-th pattern (modulo
 * the count) with `operationId` as the last segment. Used by `lro-cancel emulator --seed`
 * and the demo, so every seeded name matches the registry by construction.
 */
export function sampleOperationName(service: ServiceDescriptor, operationId: string, variant = 0): string {
  const patterns = service.cancelPatterns;
  const pattern = patterns[variant % patterns.length] as string;
  const parts = pattern.split('/');
  if (parts[0] === '**') parts.splice(0, 1, 'projects', '*'); // custom services: any prefix
  return parts
    .map((p, i) => {
      if (p !== '*') return p;
      if (i === parts.length - 1) return operationId;
      const collection = parts[i - 1] ?? '';
      // Discovery Engine data stores live in the "global" location.
      if (collection === 'locations' && service.id === 'discoveryengine') return 'global';
      return SAMPLE_SEGMENT[collection] ?? 'demo';
    })
    .join('/');
}

/** A full resource name: `//host/relative`. */
export function fullName(service: ServiceDescriptor, relative: string): string {
  return `//${service.host}/${relative}`;
}

/** `count` sample operations spread round-robin over the built-in services (and their patterns). */
export function sampleOperations(
  count: number,
  idPrefix = 'op',
): { service: ServiceDescriptor; name: string }[] {
  const out: { service: ServiceDescriptor; name: string }[] = [];
  const width = String(Math.max(count, 1)).length;
  for (let i = 0; i < count; i++) {
    const service = services[serviceIds[i % serviceIds.length] as string] as ServiceDescriptor;
    const round = Math.floor(i / serviceIds.length);
    const id = `${idPrefix}-${service.id}-${String(i + 1).padStart(width, '0')}`;
    out.push({ service, name: sampleOperationName(service, id, round) });
  }
  return out;
}
