import { hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { OUTCOMES, type Outcome } from '../outcome';
import type { BatchRecord } from './batch-record';
import { JournalError, osErrorText } from './journal-error';
import { JournalLock } from './journal-lock';
import { readLines } from './read-lines';

export { JournalError } from './journal-error';

/**
 * Outcomes a retry could change: a rerun with the same journal tries these names again.
 * `error` (UNAVAILABLE after every attempt, a deadline, credentials that failed), `denied`
 * (permissions can be granted), `still-running` (the confirm timed out) and the stop outcomes.
 * `skipped` is never journaled.
 */
const NOT_FINAL: ReadonlySet<Outcome> = new Set<Outcome>([
  'error',
  'denied',
  'still-running',
  'aborted',
  'not-attempted',
  'skipped',
]);

/**
 * The final outcomes: the ones no retry can change (cancel-requested, cancelled, completed,
 * failed, unsupported, not-found, invalid-name). Only these are journaled, and a rerun skips
 * exactly the names journaled with one of them.
 *
 * @example
 * ```ts
 * FINAL_OUTCOMES.includes('cancel-requested'); // true: a rerun with the journal skips it
 * FINAL_OUTCOMES.includes('error');            // false: a rerun sends it again
 * ```
 */
export const FINAL_OUTCOMES: readonly Outcome[] = Object.freeze(OUTCOMES.filter((o) => !NOT_FINAL.has(o)));

/** The final outcomes, each one string object: a journal's millions of entries share them. */
const FINAL = new Map<string, Outcome>(FINAL_OUTCOMES.map((o) => [o, o]));

/** True for an outcome a rerun must not try again (see FINAL_OUTCOMES). */
export function isFinalOutcome(outcome: Outcome): boolean {
  return FINAL.has(outcome);
}

/**
 * The key a journal entry is remembered by: 128 bits of SHA-256 over service and name, as a
 * 16-character one-byte string. A resume holds one per finished name, and names run to a
 * hundred characters or more; the digest keeps 2,000,000 entries in ~120 MB of heap rather
 * than ~370 MB, and at 128 bits two names sharing a key is not a practical concern.
 */
export function journalKey(service: string, name: string): string {
  return hash('sha256', `${service}\0${name}`, 'buffer').toString('latin1', 0, 16);
}

/**
 * Refuse a journal path that is not a regular file (or a file yet to be made in an existing
 * directory): /dev/null, a FIFO or a directory cannot hold records a rerun could read back.
 * Throws a TypeError naming the path; nothing has been sent yet.
 */
export async function checkJournalPath(file: string): Promise<void> {
  const st = await fsp.stat(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new TypeError(`journal ${file}: cannot be read: ${osErrorText(e)}`);
  });
  if (st === undefined) {
    const dir = path.dirname(file);
    const parent = await fsp.stat(dir).catch(() => undefined);
    if (!parent?.isDirectory()) throw new TypeError(`journal ${file}: directory ${dir} does not exist`);
    return;
  }
  if (!st.isFile())
    throw new TypeError(`journal ${file}: not a regular file (${fileKind(st)}); give a file path`);
}

/**
 * checkJournalPath, then refuse at once (JournalError) if another run holds the journal's lock.
 * For the CLI, before it opens (truncates) its output; cancelMany takes the lock itself.
 */
export async function checkJournal(file: string): Promise<void> {
  await checkJournalPath(file);
  await JournalLock.probe(file);
}

function fileKind(st: {
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read a journal (NDJSON of BatchRecord) into `journalKey(service, name) -> final outcome`.
 * Lines are read with bounded memory (readLines: 64 Ki characters at most); a torn, over-long
 * or unparsable line is skipped; a missing file is an empty journal. When `signal` aborts,
 * reading stops and what was read so far is returned.
 */
export async function readJournal(
  file: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Map<string, Outcome>> {
  const done = new Map<string, Outcome>();
  try {
    await fsp.access(file);
  } catch {
    return done;
  }
  const { signal } = options;
  for await (const line of readLines(createReadStream(file))) {
    if (signal?.aborted) break;
    if (!line) continue;
    let rec: Partial<BatchRecord>;
    try {
      rec = JSON.parse(line) as Partial<BatchRecord>;
    } catch {
      continue; // torn, or cut by readLines (its mark makes it invalid JSON)
    }
    if (
      rec === null ||
      typeof rec.name !== 'string' ||
      typeof rec.outcome !== 'string' ||
      typeof rec.service !== 'string'
    )
      continue;
    const outcome = FINAL.get(rec.outcome);
    if (outcome === undefined) continue; // not final, or not an outcome this version writes
    done.set(journalKey(rec.service, rec.name), outcome);
  }
  return done;
}

/** The part of a file handle the writer uses (a test may wrap the real one to make writes fail). */
export interface JournalFileHandle {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalOpenOptions {
  /** Longest a record waits for its fsync, in ms (records appended meanwhile share it). Defaults to 25. */
  intervalMs?: number;
  /** Test hook: wraps the opened file's handle. @internal */
  wrapHandle?: (handle: JournalFileHandle) => JournalFileHandle;
}

interface Waiter {
  resolve: () => void;
  reject: (e: JournalError) => void;
}

/**
 * Append-only journal with batched fsync: `append` resolves once the record is on disk, so a
 * caller that waits before printing never shows a record a crash could lose. Holds the
 * journal's lock (JournalLock) from open to close.
 *
 * A failed write or sync rejects that batch's appends and every later one with the same
 * JournalError (nothing more is written: a partial batch may be on disk, torn, and the next
 * open repairs it). Flushes started by the timer never reject on their own.
 */
export class JournalWriter {
  private buffer: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: JournalError | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: JournalFileHandle,
    private readonly lock: JournalLock,
    private readonly intervalMs: number,
  ) {}

  /**
   * Lock the journal (a JournalError if another run holds it), open it for appending (created
   * if missing; TypeError if not a regular file), and cut a torn last line left by a crash.
   */
  static async open(file: string, options: JournalOpenOptions = {}): Promise<JournalWriter> {
    await checkJournalPath(file);
    const lock = await JournalLock.acquire(file);
    let handle: fsp.FileHandle | undefined;
    try {
      try {
        handle = await fsp.open(file, 'a+');
      } catch (e) {
        throw new JournalError(file, `cannot open: ${osErrorText(e)}`, { cause: e });
      }
      const st = await handle.stat();
      if (!st.isFile())
        throw new TypeError(`journal ${file}: not a regular file (${fileKind(st)}); give a file path`);
      await cutTornTail(file, handle, st.size);
      const h = options.wrapHandle ? options.wrapHandle(handle) : handle;
      return new JournalWriter(file, h, lock, options.intervalMs ?? 25);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await lock.release();
      throw e;
    }
  }

  /** Resolves once `record` is on disk; rejects with the JournalError once a write has failed. */
  append(record: BatchRecord): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.buffer.push(`${JSON.stringify(record)}\n`);
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.buffer.length >= 1024) void this.writeOut();
    else if (!this.timer) this.timer = setTimeout(() => void this.writeOut(), this.intervalMs);
    return p;
  }

  /** Write and fsync everything appended so far; rejects with the JournalError if the journal failed. */
  async flush(): Promise<void> {
    await this.writeOut();
    if (this.failure) throw this.failure;
  }

  /** Flush, close the file and release the lock (always); rejects with the JournalError if the journal failed. */
  async close(): Promise<void> {
    try {
      await this.writeOut();
    } finally {
      await this.handle.close().catch(() => undefined);
      await this.lock.release();
    }
    if (this.failure) throw this.failure;
  }

  /** The flush itself: never rejects (a failure is kept and handed to the waiters). */
  private async writeOut(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer.join(''), 'utf8');
    const waiters = this.waiters;
    this.buffer = [];
    this.waiters = [];
    if (this.failure) {
      for (const w of waiters) w.reject(this.failure);
      return;
    }
    this.flushing = this.writeAll(bytes);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
    if (this.failure) {
      for (const w of waiters) w.reject(this.failure);
      // Appends made while this write ran wait in the buffer: they fail too.
      for (const w of this.waiters) w.reject(this.failure);
      this.buffer = [];
      this.waiters = [];
      return;
    }
    for (const w of waiters) w.resolve();
    if (this.buffer.length > 0 && !this.timer)
      this.timer = setTimeout(() => void this.writeOut(), this.intervalMs);
  }

  /** Write every byte (a write may take only part of them), then fdatasync; a failure is kept in `failure`. */
  private async writeAll(bytes: Buffer): Promise<void> {
    let step = 'write';
    try {
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
        // A regular file that takes no bytes would have us loop forever.
        if (!(bytesWritten > 0)) throw new Error(`no bytes written (${bytes.length - offset} left)`);
        offset += bytesWritten;
      }
      step = 'sync';
      await this.handle.datasync();
    } catch (e) {
      this.failure = new JournalError(this.path, `${step} failed: ${osErrorText(e)}`, { cause: e });
    }
  }
}

/**
 * A crash mid-write leaves a last line without its '\n'. Its record was never fsync'd whole,
 * so never yielded: cut it, or the next append would be glued onto it and lost on replay.
 */
async function cutTornTail(file: string, handle: fsp.FileHandle, size: number): Promise<void> {
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  try {
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) {
        end = start + nl + 1;
        break;
      }
      end = start;
    }
    if (end === size) return;
    await handle.truncate(end);
    await handle.datasync();
  } catch (e) {
    throw new JournalError(file, `cannot repair its torn last line: ${osErrorText(e)}`, { cause: e });
  }
}
