/**
 * A batch journal that cannot be used or kept: held by another run, or a write or sync that
 * failed. The message names the file and the OS error, on one line. After one, nothing more is
 * written to that journal; records not on disk were not yielded, so a rerun sends them again.
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of cancelMany(names, { journal: 'cancel.journal' })) console.log(r.outcome);
 * } catch (err) {
 *   if (err instanceof JournalError) console.error(`journal ${err.path}: ${err.reason}`);
 *   else throw err;
 * }
 * ```
 */
export class JournalError extends Error {
  /** Always 'JournalError'. */
  override name = 'JournalError';
  /** An error about the journal at `path`: the message is `journal PATH: REASON`. */
  constructor(
    /** The journal file. */
    readonly path: string,
    /** What went wrong, without the file (`write failed: ENOSPC: no space left on device`). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`journal ${path}: ${reason}`, options);
  }
}

/** `ENOSPC: no space left on device, write` → `ENOSPC: no space left on device` (the call is in our message). */
export function osErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/, (?:open|write|fdatasync|ftruncate|read|close|fstat|unlink) ?(?:'[^']*')?$/, '');
}
