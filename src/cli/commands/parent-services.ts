import { matchesPattern } from '../../registry/operation-name';
import { services } from '../../registry/service-registry';

/**
 * The parents one `list` / `cancel-all` run lists: the parent as given when it names its service
 * (`--service`, a full `//host/...` name) or no built-in service takes it (the usual rule, hint
 * included, then applies); otherwise one full parent per built-in service whose ListOperations
 * pattern accepts it (`projects/p/locations/l`: datalineage, dataplex, privateca, discoveryengine;
 * `organizations/o/locations/l`: dataplex alone), each listed on its own channel. Only built-in hosts: a parent
 * never sends credentials anywhere the registry does not already name.
 */
export function parentsToList(parent: string, service: string | undefined): string[] {
  if (service !== undefined || parent.startsWith('//')) return [parent];
  const taking = Object.values(services).filter((s) =>
    s.listParentPatterns.some((p) => matchesPattern(parent, p)),
  );
  if (taking.length === 0) return [parent];
  return taking.map((s) => `//${s.host}/${parent}`);
}
