import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OperationsEmulator } from '../../../src/emulator';

/**
 * Seed `count` running datastore operations named `projects/p/operations/PREFIXi` and write their
 * names, one per line after `header` lines, to a names file in a fresh temporary directory.
 */
export function seedNamesFile(
  emulator: OperationsEmulator,
  count: number,
  prefix: string,
  header: readonly string[] = [],
): { file: string; dir: string; names: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-names-'));
  const names = Array.from({ length: count }, (_, i) => `projects/p/operations/${prefix}${i}`);
  for (const name of names) emulator.store.seed({ name, service: 'datastore' });
  const file = path.join(dir, 'names.txt');
  writeFileSync(file, `${[...header, ...names].join('\n')}\n`);
  return { file, dir, names };
}
