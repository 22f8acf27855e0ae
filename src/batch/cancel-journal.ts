import { hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as readline from 'node:readline';
import { OUTCOMES, type Outcome } from '../outcome';
import type { BatchRecord } from './batch-record';

/** Outcomes that are not final: a rerun with the same journal tries these names again. */
const NOT_FINAL: ReadonlySet<Outcome> = new Set<Outcome>(['aborted', 'not-attempted', 'skipped']);

/** The final outcomes, each one string object: a journal's millions of entries share them. */
const FINAL = new Map<string, Outcome>(OUTCOMES.filter((o) => !NOT_FINAL.has(o)).map((o) => [o, o]));

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
 * Read a journal (NDJSON of BatchRecord) into `journalKey(service, name) -> final outcome`.
 * A torn or unparsable line (a crash mid-write) is skipped; a missing file is an empty journal.
 */
export async function readJournal(path: string): Promise<Map<string, Outcome>> {
  const done = new Map<string, Outcome>();
  try {
    await fsp.access(path);
  } catch {
    return done;
  }
  const rl = readline.createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    let rec: Partial<BatchRecord>;
    try {
      rec = JSON.parse(line) as Partial<BatchRecord>;
    } catch {
      continue;
    }
    if (typeof rec.name !== 'string' || typeof rec.outcome !== 'string' || typeof rec.service !== 'string') continue;
    if (NOT_FINAL.has(rec.outcome)) continue;
    const outcome = FINAL.get(rec.outcome);
    if (outcome === undefined) continue; // not an outcome this version writes
    done.set(journalKey(rec.service, rec.name), outcome);
  }
  return done;
}

/**
 * Append-only journal with batched fsync: `append` resolves once the record is on disk, so a
 * caller that waits before printing never shows a record a crash could lose.
 */
export class JournalWriter {
  private buffer: string[] = [];
  private waiters: Array<() => void> = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly handle: fsp.FileHandle, private readonly intervalMs: number) {}

  static async open(path: string, intervalMs = 25): Promise<JournalWriter> {
    return new JournalWriter(await fsp.open(path, 'a'), intervalMs);
  }

  append(record: BatchRecord): Promise<void> {
    this.buffer.push(JSON.stringify(record) + '\n');
    const p = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.buffer.length >= 1024) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
    }
    return p;
  }

  /** Write and fsync everything appended so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const lines = this.buffer.join('');
    const waiters = this.waiters;
    this.buffer = [];
    this.waiters = [];
    this.flushing = (async () => {
      await this.handle.write(lines);
      await this.handle.datasync();
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
    for (const w of waiters) w();
    if (this.buffer.length > 0 && !this.timer) this.timer = setTimeout(() => void this.flush(), this.intervalMs);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}
