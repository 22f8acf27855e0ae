import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * This package's version, read once from package.json (src/ and dist/ sit at the same depth).
 *
 * @example
 * ```ts
 * console.log(`lro-cancel ${VERSION}`);
 * ```
 */
export const VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
