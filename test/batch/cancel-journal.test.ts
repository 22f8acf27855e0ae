import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BatchRecord } from '../../src/batch/batch-record';
import {
  checkJournal,
  checkJournalPath,
  FINAL_OUTCOMES,
  JournalError,
  journalKey,
  JournalWriter,
  readJournal,
  type JournalFileHandle,
} from '../../src/batch/cancel-journal';
import type { Outcome } from '../../src/outcome';

// The journal a resume reads: what it keeps per finished name, and what it refuses to trust.

test('journalKey: 16 characters whatever the name length, one per (service, name), with no ambiguity at the separator', () => {
  const long = `projects/p/locations/l/operations/${'x'.repeat(900)}`;
  expect(journalKey('datastore', long)).toHaveLength(16);
  expect(journalKey('datastore', 'projects/p/operations/o')).toHaveLength(16);
  expect(journalKey('datastore', 'projects/p/operations/o')).toBe(
    journalKey('datastore', 'projects/p/operations/o'),
  );
  expect(journalKey('datastore', 'projects/p/operations/o')).not.toBe(
    journalKey('dataplex', 'projects/p/operations/o'),
  );
  // "a b" + "c" and "a" + "b c" must not meet, whatever joins service and name
  expect(journalKey('a b', 'c')).not.toBe(journalKey('a', 'b c'));
  const keys = new Set(
    Array.from({ length: 100_000 }, (_, i) => journalKey('datastore', `projects/p/operations/op-${i}`)),
  );
  expect(keys.size).toBe(100_000);
});

test('readJournal keeps final outcomes only: not-final ones, unknown ones and torn lines are tried again', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-journal-'));
  try {
    const file = path.join(dir, 'j.ndjson');
    const rec = (name: string, outcome: string): string =>
      JSON.stringify({ name, service: 'datastore', outcome, code: 'OK', attempts: 1, latencyMs: 1 });
    writeFileSync(
      file,
      `${[
        rec('projects/p/operations/done', 'cancel-requested'),
        rec('projects/p/operations/gone', 'not-found'),
        rec('projects/p/operations/stopped', 'not-attempted'),
        rec('projects/p/operations/aborted', 'aborted'),
        rec('projects/p/operations/odd', 'teleported'),
        '{"name":"projects/p/operations/torn","service":"datas',
      ].join('\n')}\n`,
    );
    const done = await readJournal(file);
    expect(done.size).toBe(2);
    expect(done.get(journalKey('datastore', 'projects/p/operations/done'))).toBe('cancel-requested');
    expect(done.get(journalKey('datastore', 'projects/p/operations/gone'))).toBe('not-found');
    for (const n of ['stopped', 'aborted', 'odd', 'torn'])
      expect(done.has(journalKey('datastore', `projects/p/operations/${n}`))).toBe(false);
    expect(await readJournal(path.join(dir, 'missing.ndjson'))).toEqual(new Map());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Hardening: the final set, bounded and abortable replay, short and failing writes, torn tails, the lock.

const rec = (name: string, outcome: string): string =>
  JSON.stringify({ name, service: 'datastore', outcome, code: 'OK', attempts: 1, latencyMs: 1 });
const record = (i: number): BatchRecord => ({
  kind: 'result',
  line: i,
  name: `projects/p/operations/w${i}`,
  service: 'datastore',
  outcome: 'cancel-requested',
  code: 'OK',
  message: '',
  attempts: 1,
  latencyMs: 1,
});

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-journal-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A handle that passes through to the real one, with `write` and `datasync` replaceable. */
function wrapping(
  overrides: (real: JournalFileHandle) => Partial<JournalFileHandle>,
): (real: JournalFileHandle) => JournalFileHandle {
  return (real) => ({
    write: (b, o, l) => real.write(b, o, l),
    datasync: () => real.datasync(),
    close: () => real.close(),
    ...overrides(real),
  });
}

function osError(code: string, text: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });
}

test(
  'FINAL_OUTCOMES: only what a retry cannot change; error, denied and still-running are tried again',
  withDir(async (dir) => {
    expect([...FINAL_OUTCOMES].sort()).toEqual([
      'cancel-requested',
      'cancelled',
      'completed',
      'failed',
      'invalid-name',
      'not-found',
      'unsupported',
    ]);
    const file = path.join(dir, 'j.ndjson');
    const outcomes = [
      'cancel-requested',
      'cancelled',
      'completed',
      'failed',
      'unsupported',
      'not-found',
      'invalid-name',
      'error',
      'denied',
      'still-running',
      'aborted',
      'not-attempted',
      'skipped',
    ];
    writeFileSync(file, `${outcomes.map((o) => rec(`projects/p/operations/${o}`, o)).join('\n')}\n`);
    const done = await readJournal(file);
    for (const o of outcomes)
      expect([o, done.get(journalKey('datastore', `projects/p/operations/${o}`))]).toEqual([
        o,
        FINAL_OUTCOMES.includes(o as Outcome) ? o : undefined,
      ]);
  }),
);

test(
  'readJournal: an over-long or non-object line is skipped with bounded memory, the lines around it are kept',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    const huge = `{"name":"projects/p/operations/${'x'.repeat(8 * 1024 * 1024)}","service":"datastore","outcome":"cancelled"}`;
    writeFileSync(
      file,
      `${[
        rec('projects/p/operations/before', 'cancelled'),
        huge,
        'null',
        '42',
        rec('projects/p/operations/after', 'failed'),
      ].join('\n')}\n`,
    );
    const done = await readJournal(file);
    expect([...done.values()].sort()).toEqual(['cancelled', 'failed']);
    expect(done.get(journalKey('datastore', 'projects/p/operations/after'))).toBe('failed');
  }),
);

test(
  'readJournal stops when its signal aborts and returns what it read',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(rec(`projects/p/operations/many-${i}`, 'cancelled'));
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await readJournal(file, { signal: AbortSignal.abort() })).size).toBe(0);
    const ac = new AbortController();
    const reading = readJournal(file, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const partial = await reading;
    expect(partial.size).toBeLessThan(100_000);
    // Whole, it reads everything.
    expect((await readJournal(file)).size).toBe(100_000);
  }),
);

test(
  'JournalWriter: short writes are continued until every byte is on disk',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    let writes = 0;
    // At most 7 bytes per write, as a write(2) may take only part of its buffer.
    const w = await JournalWriter.open(file, {
      wrapHandle: wrapping((real) => ({
        write: (b, o, l) => {
          writes++;
          return real.write(b, o, Math.min(l, 7));
        },
      })),
    });
    const appends = Array.from({ length: 40 }, (_, i) => w.append(record(i)));
    await Promise.all(appends);
    await w.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as BatchRecord).line)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(writes).toBeGreaterThan(40);
  }),
);

test(
  'JournalWriter: a failed write rejects that batch and every later append with a JournalError naming file and OS error; close releases the lock',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    let calls = 0;
    const w = await JournalWriter.open(file, {
      intervalMs: 5,
      wrapHandle: wrapping((real) => ({
        write: async (b, o, l) => {
          if (++calls === 1) return real.write(b, o, l);
          await real.write(b, o, Math.min(l, 10)); // part of a record, then the disk is full
          throw osError('ENOSPC', 'no space left on device', 'write');
        },
      })),
    });
    await w.append(record(1));
    const failed = await Promise.allSettled([w.append(record(2)), w.append(record(3))]);
    for (const r of failed) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason as JournalError;
      expect(e).toBeInstanceOf(JournalError);
      expect(e.message).toBe(`journal ${file}: write failed: ENOSPC: no space left on device`);
    }
    await expect(w.append(record(4))).rejects.toBeInstanceOf(JournalError);
    await expect(w.flush()).rejects.toThrow(/write failed: ENOSPC/);
    await expect(w.close()).rejects.toThrow(/write failed: ENOSPC/);
    expect(existsSync(`${file}.lock`)).toBe(false);
    // On disk: the one good record and a torn tail, which the next open cuts.
    const again = await JournalWriter.open(file);
    await again.append(record(5));
    await again.close();
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as BatchRecord).line),
    ).toEqual([1, 5]);
  }),
);

test(
  'JournalWriter: a failed fdatasync is a JournalError too',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    const w = await JournalWriter.open(file, {
      wrapHandle: wrapping(() => ({
        datasync: () => Promise.reject(osError('EIO', 'i/o error', 'fdatasync')),
      })),
    });
    await expect(w.append(record(1))).rejects.toThrow(`journal ${file}: sync failed: EIO: i/o error`);
    await expect(w.close()).rejects.toBeInstanceOf(JournalError);
  }),
);

test(
  'JournalWriter.open cuts a torn last line (a crash mid-write) so the next record starts on a line of its own',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    const good =
      [rec('projects/p/operations/a', 'cancelled'), rec('projects/p/operations/b', 'cancelled')].join('\n') +
      '\n';
    for (const torn of [
      '{"name":"projects/p/oper',
      rec('projects/p/operations/whole-but-no-newline', 'cancelled'),
    ]) {
      writeFileSync(file, good + torn);
      const w = await JournalWriter.open(file);
      await w.append(record(7));
      await w.close();
      expect(readFileSync(file, 'utf8')).toBe(`${good + JSON.stringify(record(7))}\n`);
    }
    // Nothing but a torn line; and a torn line longer than one read chunk.
    for (const torn of ['{"na', `{"name":"${'y'.repeat(200_000)}`]) {
      writeFileSync(file, torn);
      const w = await JournalWriter.open(file);
      await w.close();
      expect(readFileSync(file, 'utf8')).toBe('');
    }
  }),
);

test(
  'checkJournalPath / JournalWriter.open refuse what is not a regular file, with a TypeError naming it',
  withDir(async (dir) => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: Array<[string, RegExp]> = [
      ['/dev/null', /^journal \/dev\/null: not a regular file \(a character device\)/],
      [dir, /: not a regular file \(a directory\)/],
      [fifo, /: not a regular file \(a FIFO\)/],
      [path.join(dir, 'no-such-dir', 'j'), /: directory .*no-such-dir does not exist/],
    ];
    for (const [p, message] of cases) {
      await expect(checkJournalPath(p)).rejects.toThrow(message);
      await expect(JournalWriter.open(p)).rejects.toBeInstanceOf(TypeError);
    }
    await expect(checkJournalPath(path.join(dir, 'new.ndjson'))).resolves.toBeUndefined();
    expect(existsSync(path.join(dir, 'fifo.lock'))).toBe(false);
  }),
);

test(
  'lock: a second writer on one journal is refused at once naming the holder; released on close; a stale lock is taken over',
  withDir(async (dir) => {
    const file = path.join(dir, 'j.ndjson');
    const first = await JournalWriter.open(file);
    await expect(JournalWriter.open(file)).rejects.toThrow(
      new RegExp(
        `^journal ${file}: in use by process ${process.pid} on ${hostname()} \\(lock file ${file}\\.lock\\)`,
      ),
    );
    await expect(checkJournal(file)).rejects.toBeInstanceOf(JournalError);
    // The same file by another name meets the same lock.
    symlinkSync(file, path.join(dir, 'link.ndjson'));
    await expect(JournalWriter.open(path.join(dir, 'link.ndjson'))).rejects.toThrow(
      `(lock file ${file}.lock)`,
    );
    await expect(JournalWriter.open(path.relative(process.cwd(), file))).rejects.toThrow(/in use by process/);
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    await expect(checkJournal(file)).resolves.toBeUndefined();

    // A holder killed with -9 leaves its lock: a pid that no longer exists on this host is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(
      `${file}.lock`,
      `${JSON.stringify({ pid: Number(dead.stdout), host: hostname(), nonce: 'old' })}\n`,
    );
    await expect(checkJournal(file)).resolves.toBeUndefined();
    const taker = await JournalWriter.open(file);
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    await taker.close();

    // Another host's lock is never judged stale; an empty lock (a crash between create and write) only once it is old.
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: Number(dead.stdout), host: 'some-other-host', nonce: 'x' }),
    );
    await expect(JournalWriter.open(file)).rejects.toThrow(/in use by process \d+ on some-other-host/);
    writeFileSync(`${file}.lock`, '');
    await expect(JournalWriter.open(file)).rejects.toThrow(/in use by another run/);
    utimesSync(`${file}.lock`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await (await JournalWriter.open(file)).close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  }),
);
