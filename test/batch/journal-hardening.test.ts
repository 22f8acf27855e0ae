// The batch journal against the emulator: what counts as final, the lock, a path that is no
// file, a stop during the run, and a journal whose writes fail.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JournalError } from '../../src/batch/cancel-journal';
import {
  batchSucceeded,
  cancelMany,
  type BatchOptions,
  type BatchRecord,
  type BatchRun,
} from '../../src/batch/cancel-many';
import { formatSummary } from '../../src/cli/progress-reporter';
import { Code } from '../../src/errors/status-code';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);
const emu = useEmulator({ recordCalls: true });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lro-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seed(prefix: string, count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `projects/p/operations/${prefix}${i}`;
    emu.get().store.seed({ name, service: 'datastore' });
    names.push(name);
  }
  return names;
}

function start(names: string[], options: BatchOptions): BatchRun {
  return cancelMany(names, {
    emulator: emu.get().target,
    service: 'datastore',
    retry: { initialDelayMs: 5, maxAttempts: 2 },
    ...options,
  });
}

async function drain(run: BatchRun): Promise<BatchRecord[]> {
  const out: BatchRecord[] = [];
  for await (const r of run) out.push(r);
  return out;
}

const journaledLines = (file: string): BatchRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BatchRecord);

test('error and denied are not final: after the outage a rerun sends those names again instead of skipping them', async () => {
  const e = emu.get();
  const journal = path.join(dir, 'j.ndjson');
  const names = seed('outage', 10);
  e.setFaults('datastore', { errorRate: 1, errorCode: Code.UNAVAILABLE });
  expect((await drain(start(names.slice(0, 5), { journal }))).map((r) => r.outcome)).toEqual(
    Array(5).fill('error'),
  );
  e.setFaults('datastore', { denied: true });
  expect((await drain(start(names.slice(5), { journal }))).map((r) => r.outcome)).toEqual(
    Array(5).fill('denied'),
  );
  // Only final records are journaled.
  expect(existsSync(journal) ? journaledLines(journal) : []).toEqual([]);
  e.clearFaults();
  e.calls.length = 0;
  const rerun = start(names, { journal });
  const recs = await drain(rerun);
  expect(recs.map((r) => r.outcome)).toEqual(Array(10).fill('cancel-requested'));
  expect(e.callsOf('CancelOperation')).toHaveLength(10);
  expect(batchSucceeded(rerun.stats)).toBe(true);
  expect(journaledLines(journal)).toHaveLength(10);
});

test('a skipped name whose journaled outcome was a failure keeps the batch unsuccessful', async () => {
  const journal = path.join(dir, 'j.ndjson');
  const names = [...seed('ok', 3), 'projects/p/operations/never-existed'];
  const first = start(names, { journal });
  expect((await drain(first)).map((r) => r.outcome).sort()).toEqual([
    'cancel-requested',
    'cancel-requested',
    'cancel-requested',
    'not-found',
  ]);
  expect(batchSucceeded(first.stats)).toBe(false);
  const again = start(names, { journal });
  const recs = await drain(again);
  expect(recs.map((r) => [r.outcome, r.previousOutcome]).sort()).toEqual([
    ['skipped', 'cancel-requested'],
    ['skipped', 'cancel-requested'],
    ['skipped', 'cancel-requested'],
    ['skipped', 'not-found'],
  ]);
  expect(again.stats.skippedUnsuccessful).toBe(1);
  expect(formatSummary(again.stats)).toMatch(
    /\n {2}1 skipped name\(s\) ended unsuccessfully in an earlier run/,
  );
  expect(batchSucceeded(again.stats)).toBe(false);
  // Skips of successes only: success.
  const okOnly = start(names.slice(0, 3), { journal });
  await drain(okOnly);
  expect(okOnly.stats.skippedUnsuccessful).toBe(0);
  expect(batchSucceeded(okOnly.stats)).toBe(true);
});

test('two batches on one journal: the second is refused at once naming the holder, sends nothing; the lock goes with the first', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 30 });
  const journal = path.join(dir, 'j.ndjson');
  const names = seed('twice', 40);
  const first = start(names, { journal, concurrency: 4 })[Symbol.asyncIterator]();
  const firstRecs: BatchRecord[] = [];
  const one = await first.next();
  if (!one.done) firstRecs.push(one.value);
  const t0 = performance.now();
  await expect(drain(start(names, { journal }))).rejects.toThrow(
    new RegExp(`^journal ${journal}: in use by process ${process.pid} `),
  );
  expect(performance.now() - t0).toBeLessThan(2000);
  for (let r = await first.next(); !r.done; r = await first.next()) firstRecs.push(r.value);
  expect(firstRecs).toHaveLength(40);
  expect(e.callsOf('CancelOperation')).toHaveLength(40); // each name once: the second batch sent nothing
  expect(existsSync(`${journal}.lock`)).toBe(false);
});

test('a journal that is not a regular file is refused before anything is sent', async () => {
  const e = emu.get();
  const names = seed('devnull', 3);
  for (const journal of ['/dev/null', dir]) {
    await expect(drain(start(names, { journal }))).rejects.toThrow(TypeError);
  }
  await expect(drain(start(names, { journal: '/dev/null' }))).rejects.toThrow(
    /^journal \/dev\/null: not a regular file \(a character device\)/,
  );
  expect(e.callsOf('CancelOperation')).toHaveLength(0);
});

test('stopping mid-run: names final in the journal stay skipped, the other unsent names get not-attempted', async () => {
  const e = emu.get();
  const journal = path.join(dir, 'j.ndjson');
  const done = seed('done', 5);
  await drain(start(done, { journal }));
  e.setFaults('datastore', { latencyMs: 100 });
  const fresh = seed('fresh', 30);
  // Fresh names first, so the reader is still short of the journaled ones when the stop comes.
  const input = [...fresh.slice(0, 20), ...done, ...fresh.slice(20)];
  const ac = new AbortController();
  const recs: BatchRecord[] = [];
  for await (const r of start(input, { journal, concurrency: 1, signal: ac.signal, graceMs: 5000 })) {
    recs.push(r);
    ac.abort(); // at the first record: the journal has long been read
  }
  expect(recs).toHaveLength(35);
  const of = (names: string[]): string[] => recs.filter((r) => names.includes(r.name)).map((r) => r.outcome);
  expect(of(done)).toEqual(Array(5).fill('skipped'));
  const freshOutcomes = of(fresh);
  expect(freshOutcomes.filter((o) => o === 'cancel-requested').length).toBeGreaterThanOrEqual(1);
  expect(freshOutcomes.filter((o) => o === 'not-attempted').length).toBeGreaterThanOrEqual(20);
  expect(freshOutcomes.every((o) => o === 'cancel-requested' || o === 'not-attempted')).toBe(true);
});

test('a journal whose writes fail: the batch stops, records on disk are yielded, then a JournalError; no unhandled rejection; a rerun completes every name', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 20 });
  const journal = path.join(dir, 'j.ndjson');
  const names = seed('enospc', 300);
  // In a child process: jest's sandbox would not see an unhandled rejection.
  const script = `
    const { cancelMany } = require(${JSON.stringify(cliModule('batch/cancel-many'))});
    process.on('unhandledRejection', (e) => { process.stderr.write('UNHANDLED ' + String(e) + '\\n'); process.exitCode = 9; });
    let writes = 0;
    // The third write takes 10 bytes, then the disk is full.
    const wrap = (real) => ({
      write: async (b, o, l) => {
        if (++writes < 3) return real.write(b, o, l);
        await real.write(b, o, Math.min(l, 10));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      datasync: () => real.datasync(),
      close: () => real.close(),
    });
    (async () => {
      const names = ${JSON.stringify(names)};
      const run = cancelMany(names, { emulator: ${JSON.stringify(e.target)}, service: 'datastore', concurrency: 8,
        journal: ${JSON.stringify(journal)}, journalWrapHandle: wrap });
      try {
        for await (const r of run) process.stdout.write(JSON.stringify(r) + '\\n');
        process.stderr.write('NO ERROR\\n');
      } catch (err) {
        process.stderr.write('THROWN ' + err.name + ': ' + err.message + '\\n');
      }
    })();`;
  const r = await runNodeScript(script, {}, 20_000);
  expect(r.stderr).not.toMatch(/UNHANDLED|NO ERROR/);
  expect(r.code).toBe(0);
  const m =
    /^THROWN JournalError: journal (.*): write failed: ENOSPC: no space left on device; the batch stopped, and (\d+) final record\(s\) that could not be journaled were not output/m.exec(
      r.stderr,
    );
  expect(m?.[1]).toBe(journal);
  const lost = Number(m?.[2]);
  expect(lost).toBeGreaterThan(0);
  const printed = r.stdout
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BatchRecord);
  // Every name: a record on the output, or one of the unjournaled ones a rerun sends again.
  expect(new Set(printed.map((x) => x.line)).size).toBe(printed.length);
  expect(printed.length + lost).toBe(300);
  // Every final record printed is in the journal (the torn tail is not a record).
  const onDisk = new Set(
    readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('}'))
      .map((l) => (JSON.parse(l) as BatchRecord).name),
  );
  const printedFinal = printed.filter((x) => x.outcome === 'cancel-requested');
  expect(printedFinal.length).toBeGreaterThan(0);
  for (const x of printedFinal) expect(onDisk.has(x.name)).toBe(true);
  // The rest stopped: not sent, or cut off in flight.
  expect(printed.every((x) => ['cancel-requested', 'not-attempted', 'aborted'].includes(x.outcome))).toBe(
    true,
  );
  expect(existsSync(`${journal}.lock`)).toBe(false);

  // The rerun cuts the torn tail, skips what is on disk and finishes the rest.
  const recs = await drain(start(names, { journal }));
  expect(recs).toHaveLength(300);
  expect(recs.filter((x) => x.outcome === 'skipped').length).toBe(onDisk.size);
  expect(recs.every((x) => ['skipped', 'cancel-requested', 'cancelled'].includes(x.outcome))).toBe(true);
  for (const n of names) expect(e.store.get(n)?.done).toBe(true);
});

test('JournalError is exported from the package entry', async () => {
  const index = await import('../../src');
  expect(index.JournalError).toBe(JournalError);
  expect(index.FINAL_OUTCOMES).toContain('not-found');
});
