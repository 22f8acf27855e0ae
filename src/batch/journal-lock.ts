import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { JournalError, osErrorText } from './journal-error';

/** What a lock file holds: who has the journal, and a nonce so a release removes only its own lock. */
interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

/** A lock file left empty by a crash between its creation and its write is stale after this long. */
const EMPTY_LOCK_STALE_MS = 10_000;

/**
 * The exclusive lock of one journal for a run's duration: `<journal>.lock`, created with O_EXCL
 * ('wx') and holding pid, host and a nonce. Node has no flock; a lock file also survives kill -9,
 * so a lock whose pid is gone on this host (kill(pid, 0) → ESRCH) is stale and taken over.
 * A lock from another host is never judged stale: that host may still be running.
 */
export class JournalLock {
  private released = false;

  private constructor(
    readonly lockPath: string,
    private readonly nonce: string,
  ) {}

  static async acquire(journalPath: string): Promise<JournalLock> {
    const lockPath = await lockPathOf(journalPath);
    const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') };
    // A few tries: again after removing a stale lock, or when the holder let go meanwhile.
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fsp.open(lockPath, 'wx');
        try {
          await handle.writeFile(`${JSON.stringify(me)}\n`);
        } catch (e) {
          // An empty lock would hold the journal until it ages out: leave none.
          await fsp.unlink(lockPath).catch(() => undefined);
          throw e;
        } finally {
          await handle.close();
        }
        return new JournalLock(lockPath, me.nonce);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new JournalError(journalPath, `cannot create lock file ${lockPath}: ${osErrorText(e)}`, {
            cause: e,
          });
        }
      }
      const seen = await readLock(lockPath);
      if (seen === undefined && attempt < 3) continue; // released between our open and our read
      if (seen !== undefined && attempt === 0 && (await isStale(lockPath, seen.owner))) {
        // Remove it only if it is still the stale lock we judged: another run may have taken it over meanwhile.
        const again = await readLock(lockPath);
        if (again !== undefined && again.text === seen.text)
          await fsp.unlink(lockPath).catch(() => undefined);
        continue;
      }
      throw heldError(journalPath, lockPath, seen?.owner);
    }
  }

  /**
   * Throw the JournalError `acquire` would if another run holds the journal now; take nothing.
   * For a CLI that must refuse before it truncates its output file (the lock itself is taken later).
   */
  static async probe(journalPath: string): Promise<void> {
    const lockPath = await lockPathOf(journalPath);
    const seen = await readLock(lockPath);
    if (seen !== undefined && !(await isStale(lockPath, seen.owner)))
      throw heldError(journalPath, lockPath, seen.owner);
  }

  /** Remove the lock file, if it is still ours. Idempotent; never throws. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const seen = await readLock(this.lockPath);
    if (seen?.owner?.nonce === this.nonce) await fsp.unlink(this.lockPath).catch(() => undefined);
  }
}

/**
 * `<journal>.lock` beside the journal's real file: two runs naming one journal through a
 * symlink or another directory spelling must meet at the same lock.
 */
async function lockPathOf(journalPath: string): Promise<string> {
  const real = await fsp.realpath(journalPath).catch(async () => {
    const dir = await fsp.realpath(path.dirname(journalPath)).catch(() => path.dirname(journalPath));
    return path.join(dir, path.basename(journalPath));
  });
  return `${real}.lock`;
}

function heldError(journalPath: string, lockPath: string, owner: LockOwner | undefined): JournalError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host}`
    : 'another run (its lock file names no process yet, or cannot be read)';
  return new JournalError(
    journalPath,
    `in use by ${who} (lock file ${lockPath}); wait for that run to end, or remove the lock file if that process is gone`,
  );
}

async function readLock(
  lockPath: string,
): Promise<{ text: string; owner: LockOwner | undefined } | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(lockPath, { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.nonce === 'string')
      return { text, owner: o as LockOwner };
  } catch {
    // empty or torn: judged by its age below
  }
  return { text, owner: undefined };
}

async function isStale(lockPath: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner === undefined) {
    const st = await fsp.stat(lockPath).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > EMPTY_LOCK_STALE_MS;
  }
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false; // this process holds it (another batch here)
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, another user's
  }
}
