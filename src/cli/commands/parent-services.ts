import { matchesPattern } from '../../registry/operation-name';
import { services } from '../../registry/service-registry';

/**
 * The parents one `list` / `cancel-all` run lists: the parent as given when it names its service
 * (`--service`, a full `//host/...` name) or only one built-in service takes it (the usual rule,
 * hint included, then applies); otherwise one full parent per built-in service whose
 * ListOperations pattern accepts it (`projects/p/locations/l`: datalineage, dataplex, privateca),
 * each listed on its own channel.
 */
export function parentsToList(parent: string, service: string | undefined): string[] {
  if (service !== undefined || parent.startsWith('//')) return [parent];
  const taking = Object.values(services).filter((s) =>
    s.listParentPatterns.some((p) => matchesPattern(parent, p)),
  );
  if (taking.length < 2) return [parent];
  return taking.map((s) => `//${s.host}/${parent}`);
}
