import * as v8 from 'node:v8';

/**
 * How far the CLI lets V8's old generation grow past its live size before the next full
 * collection: 100 % (2× the live heap), where V8 otherwise grows it by up to 4× plus the young
 * generation.
 *
 * Why: a batch is a long stream over a small live heap (~15 MB: modules, the calls in flight;
 * SeenNames lives outside it). A call to a far server outlives a young-generation collection,
 * so its objects are promoted and die in the old generation, and V8's default lets that
 * garbage reach ~70 MB before a full collection. Measured in `npm run bench` scenario 6
 * (200,000 names, 2,000 calls/s, 100 ms away), one run each: peak RSS 205–210 MB with V8's
 * default, 166 MB at 100 %, 149 MB at 50 %, same time and rejections; an unbounded batch on
 * loopback (~7,000 names/s) took 28.1–29.0 s with the default, 28.8–31.1 s at 100 % and
 * 28.5–29.7 s at 50 % (2 runs each: within the machine's spread) while its peak fell from
 * 225–232 MB to 167–171 MB. 100 rather than 50: the same bound on memory's order, half the
 * full collections.
 *
 * The CLI owns its process, so it may choose; the library does not (cancelMany() runs in its
 * caller's process, which the README tells how to do the same).
 */
export const CLI_HEAP_GROWING_PERCENT = 100;

/** A heap-growing-percent flag in node's own arguments (V8 takes `-` or `_`; NODE_OPTIONS refuses it). */
const USER_FLAG = /^--heap[-_]growing[-_]percent\b/;

/**
 * The V8 flag the CLI sets, or undefined when the user gave node one of their own
 * (`node --heap-growing-percent=0 $(command -v lro-cancel) ...`: theirs wins; 0 restores V8's
 * dynamic growth).
 */
export function cliHeapGrowthFlag(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((a) => USER_FLAG.test(a))) return undefined;
  return `--heap-growing-percent=${CLI_HEAP_GROWING_PERCENT}`;
}

/**
 * Set the CLI's heap growth. V8 reads this flag each time it sets the next full collection's
 * limit, so setting it after start takes effect from the first collection on.
 */
export function setCliHeapGrowth(): void {
  const flag = cliHeapGrowthFlag();
  if (flag) v8.setFlagsFromString(flag);
}
