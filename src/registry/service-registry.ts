/**
 * The built-in services: where their Operations mixin lives and which operation names
 * its CancelOperation accepts.
 *
 * Patterns are googleapis' own http rules for google.longrunning.Operations.CancelOperation
 * (googleapis/googleapis @ f8291d2b, 2026-08; see shared SERVICES.md):
 * - datalineage      google/cloud/datacatalog/lineage/v1/datalineage_v1.yaml:16
 * - dataplex         google/cloud/dataplex/v1/dataplex_v1.yaml:191 (organizations/* added 2024-11-14, 43e53378)
 * - privateca        google/cloud/security/privateca/v1/privateca_v1.yaml:94
 * - datastore        google/datastore/v1/datastore_v1.yaml:17, google/datastore/admin/v1/datastore_v1.yaml:33
 * - discoveryengine  google/cloud/discoveryengine/v1alpha/discoveryengine_v1alpha.yaml:101
 *
 * `getPatterns` / `listParentPatterns` are the (wider) GetOperation / ListOperations bindings,
 * which `get`, `list` and confirmation accept. Discovery Engine v1alpha lists 13 Get bindings
 * (dataStores, branches, models, schemas, siteSearchEngine, targetSites, engines, collections,
 * locations, projects) but only the two `branches` shapes for Cancel: the other operations can be
 * read but not cancelled through the v1alpha surface, so `cancel` rejects them up front.
 */

import { quoteText } from './quote-text';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const DATASTORE_SCOPE = 'https://www.googleapis.com/auth/datastore';

/**
 * One service whose google.longrunning.Operations mixin lro-cancel can call.
 *
 * @example
 * ```ts
 * const svc: ServiceDescriptor = services.datastore;
 * console.log(svc.host, svc.cancelPatterns);
 * ```
 */
export interface ServiceDescriptor {
  /** Short id used on the command line (`--service dataplex`). */
  readonly id: string;
  /** DNS host of the service's public endpoint, e.g. `dataplex.googleapis.com`. */
  readonly host: string;
  /** TLS port. Always 443 for Google APIs. */
  readonly port: number;
  /** API version of the REST surface (`POST https://{host}/{version}/{name}:cancel`). */
  readonly apiVersion: string;
  /** Operation-name patterns CancelOperation accepts; `*` is one non-empty segment. */
  readonly cancelPatterns: readonly string[];
  /** Operation-name patterns GetOperation accepts (a superset of cancelPatterns). */
  readonly getPatterns: readonly string[];
  /** Parent patterns ListOperations accepts (`{name=...}/operations`). */
  readonly listParentPatterns: readonly string[];
  /** OAuth scopes, any of which grants access to the Operations mixin. The first is requested. */
  readonly scopes: readonly string[];
  /** True for services built from `--service-host` / `serviceHosts`: any `.../operations/<id>` is accepted. */
  readonly custom?: boolean;
}

const LOCATION_OPS = 'projects/*/locations/*/operations/*';

const DISCOVERY_BRANCH_OPS = [
  'projects/*/locations/*/collections/*/dataStores/*/branches/*/operations/*',
  'projects/*/locations/*/dataStores/*/branches/*/operations/*',
];

/**
 * The built-in services by id: datalineage, dataplex, privateca, datastore, discoveryengine.
 *
 * @example
 * ```ts
 * console.log(services.dataplex.host); // 'dataplex.googleapis.com'
 * ```
 */
export const services: Readonly<Record<string, ServiceDescriptor>> = Object.freeze({
  datalineage: {
    id: 'datalineage',
    host: 'datalineage.googleapis.com',
    port: 443,
    apiVersion: 'v1',
    cancelPatterns: [LOCATION_OPS],
    getPatterns: [LOCATION_OPS],
    listParentPatterns: ['projects/*/locations/*'],
    scopes: [CLOUD_PLATFORM_SCOPE],
  },
  dataplex: {
    id: 'dataplex',
    host: 'dataplex.googleapis.com',
    port: 443,
    apiVersion: 'v1',
    cancelPatterns: [LOCATION_OPS, 'organizations/*/locations/*/operations/*'],
    getPatterns: [LOCATION_OPS, 'organizations/*/locations/*/operations/*'],
    listParentPatterns: ['projects/*/locations/*', 'organizations/*/locations/*'],
    scopes: [CLOUD_PLATFORM_SCOPE],
  },
  privateca: {
    id: 'privateca',
    host: 'privateca.googleapis.com',
    port: 443,
    apiVersion: 'v1',
    cancelPatterns: [LOCATION_OPS],
    getPatterns: [LOCATION_OPS],
    listParentPatterns: ['projects/*/locations/*'],
    scopes: [CLOUD_PLATFORM_SCOPE],
  },
  datastore: {
    id: 'datastore',
    host: 'datastore.googleapis.com',
    port: 443,
    apiVersion: 'v1',
    cancelPatterns: ['projects/*/operations/*'],
    getPatterns: ['projects/*/operations/*'],
    listParentPatterns: ['projects/*'],
    // Either scope grants access; cloud-platform is what ADC tokens usually carry.
    scopes: [CLOUD_PLATFORM_SCOPE, DATASTORE_SCOPE],
  },
  discoveryengine: {
    id: 'discoveryengine',
    host: 'discoveryengine.googleapis.com',
    port: 443,
    apiVersion: 'v1alpha',
    cancelPatterns: DISCOVERY_BRANCH_OPS,
    getPatterns: [
      ...DISCOVERY_BRANCH_OPS,
      'projects/*/locations/*/collections/*/dataStores/*/models/*/operations/*',
      'projects/*/locations/*/collections/*/dataStores/*/operations/*',
      'projects/*/locations/*/collections/*/dataStores/*/schemas/*/operations/*',
      'projects/*/locations/*/collections/*/dataStores/*/siteSearchEngine/operations/*',
      'projects/*/locations/*/collections/*/dataStores/*/siteSearchEngine/targetSites/operations/*',
      'projects/*/locations/*/collections/*/engines/*/operations/*',
      'projects/*/locations/*/collections/*/operations/*',
      'projects/*/locations/*/dataStores/*/models/*/operations/*',
      'projects/*/locations/*/dataStores/*/operations/*',
      'projects/*/locations/*/operations/*',
      'projects/*/operations/*',
    ],
    listParentPatterns: [
      'projects/*/locations/*/collections/*/dataStores/*/branches/*',
      'projects/*/locations/*/collections/*/dataStores/*/models/*',
      'projects/*/locations/*/collections/*/dataStores/*/schemas/*',
      'projects/*/locations/*/collections/*/dataStores/*/siteSearchEngine/targetSites',
      'projects/*/locations/*/collections/*/dataStores/*/siteSearchEngine',
      'projects/*/locations/*/collections/*/dataStores/*',
      'projects/*/locations/*/collections/*/engines/*',
      'projects/*/locations/*/collections/*',
      'projects/*/locations/*/dataStores/*/branches/*',
      'projects/*/locations/*/dataStores/*/models/*',
      'projects/*/locations/*/dataStores/*',
      'projects/*/locations/*',
      'projects/*',
    ],
    scopes: [CLOUD_PLATFORM_SCOPE],
  },
} satisfies Record<string, ServiceDescriptor>);

/**
 * The ids of the built-in services, in table order.
 *
 * @example
 * ```ts
 * console.log(serviceIds.join(', ')); // 'datalineage, dataplex, privateca, datastore, discoveryengine'
 * ```
 */
export const serviceIds: readonly string[] = Object.keys(services);

const HOST_PATTERN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** True for a lower-case DNS host name with at least one dot (`foo.googleapis.com`): no port, no IP literal syntax. */
export function isServiceHost(host: string): boolean {
  return HOST_PATTERN.test(host);
}

/**
 * A service that is not built in, named by its host (`--service-host foo.googleapis.com`).
 * Any name ending in `/operations/<id>` is accepted; scopes are cloud-platform.
 *
 * @example
 * ```ts
 * const foo = customService('foo.example.com');
 * const canceller = createCanceller({ service: foo }); // relative names go to foo.example.com
 * ```
 */
export function customService(host: string): ServiceDescriptor {
  const h = host.trim().toLowerCase();
  if (!isServiceHost(h)) {
    // JSON-quoted: a hostile value (CR, LF, escapes) is shown escaped, on one line.
    throw new TypeError(
      `service host ${quoteText(host)} is not a DNS host name such as "foo.googleapis.com"`,
    );
  }
  return {
    id: h,
    host: h,
    port: 443,
    apiVersion: 'v1',
    cancelPatterns: ['**/operations/*'],
    getPatterns: ['**/operations/*'],
    listParentPatterns: ['**'],
    scopes: [CLOUD_PLATFORM_SCOPE],
    custom: true,
  };
}

/**
 * What kind of name a call takes: Cancel accepts fewer shapes than Get on some services.
 *
 * @example
 * ```ts
 * parseOperationName('projects/p/locations/l', { service: 'dataplex', kind: 'list-parent' });
 * ```
 */
export type NameKind = 'cancel' | 'get' | 'list-parent';

/** The patterns `service` accepts for names of `kind`. */
export function patternsOf(service: ServiceDescriptor, kind: NameKind): readonly string[] {
  if (kind === 'cancel') return service.cancelPatterns;
  if (kind === 'get') return service.getPatterns;
  return service.listParentPatterns;
}

/** Find a built-in service by id or by host. */
export function findService(idOrHost: string): ServiceDescriptor | undefined {
  const key = idOrHost.toLowerCase();
  if (Object.hasOwn(services, key)) return services[key];
  return Object.values(services).find((s) => s.host === key);
}
