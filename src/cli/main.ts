#!/usr/bin/env node
/**
 * The `lro-cancel` executable: turns on Node's on-disk compile cache and sets how far V8's old
 * generation grows (heap-growth.ts: a batch's peak memory), then loads the CLI.
 *
 * Why: a one-name `lro-cancel cancel` spends most of its life compiling JavaScript (google-gax
 * and what it pulls in), not talking to the server. With the cache, later runs reuse V8's code
 * (~70 ms of ~360 ms measured by `npm run bench`, scenario 5). It must run before the first
 * require of the CLI, hence this file.
 *
 * Where: a directory of the user's own (XDG cache, mode 0700), not Node's default under the
 * shared temp dir, where another local user could plant code for a process that holds cloud
 * credentials. NODE_COMPILE_CACHE (Node then enables it itself) and NODE_DISABLE_COMPILE_CACHE
 * are honoured.
 */
import { mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { setCliHeapGrowth } from './heap-growth';

function enableCompileCache(): void {
  // Node disables the cache when NODE_DISABLE_COMPILE_CACHE is set at all, even to ''.
  if (
    process.env.NODE_COMPILE_CACHE ||
    'NODE_DISABLE_COMPILE_CACHE' in process.env ||
    !nodeModule.enableCompileCache
  )
    return;
  try {
    const dir = path.join(
      process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
      'lro-cancel',
      'compile-cache',
    );
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    nodeModule.enableCompileCache(dir);
  } catch {
    // No writable cache directory: run without the cache (slower start, nothing else).
  }
}

enableCompileCache();
setCliHeapGrowth();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the line above
require('./cli-process');
