#!/usr/bin/env node
/**
 * The `lro-cancel` executable: turns on Node's on-disk compile cache, then loads the CLI.
 *
 * Why: a one-name `lro-cancel cancel` spends most of its life compiling JavaScript (google-gax
 * and what it pulls in), not talking to the server. With the cache, later runs reuse V8's code
 * (~70 ms of ~360 ms measured by `npm run bench`, scenario 5). It must run before the first
 * require of the CLI, hence this file. Node keeps the cache under the OS temp dir (or
 * NODE_COMPILE_CACHE) and skips it when NODE_DISABLE_COMPILE_CACHE is set; it holds compiled
 * code only, never input or credentials.
 */
import * as nodeModule from 'node:module';

nodeModule.enableCompileCache?.();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the line above
require('./cli-process');
