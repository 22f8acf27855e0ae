import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { journalKey, readJournal } from '../../src/batch/cancel-journal';

// The journal a resume reads: what it keeps per finished name, and what it refuses to trust.

test('journalKey: 16 characters whatever the name length, one per (service, name), with no ambiguity at the separator', () => {
  const long = `projects/p/locations/l/operations/${'x'.repeat(900)}`;
  expect(journalKey('datastore', long)).toHaveLength(16);
  expect(journalKey('datastore', 'projects/p/operations/o')).toHaveLength(16);
  expect(journalKey('datastore', 'projects/p/operations/o')).toBe(journalKey('datastore', 'projects/p/operations/o'));
  expect(journalKey('datastore', 'projects/p/operations/o')).not.toBe(journalKey('dataplex', 'projects/p/operations/o'));
  // "a b" + "c" and "a" + "b c" must not meet, whatever joins service and name
  expect(journalKey('a b', 'c')).not.toBe(journalKey('a', 'b c'));
  const keys = new Set(Array.from({ length: 100_000 }, (_, i) => journalKey('datastore', `projects/p/operations/op-${i}`)));
  expect(keys.size).toBe(100_000);
});

test('readJournal keeps final outcomes only: not-final ones, unknown ones and torn lines are tried again', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-journal-'));
  try {
    const file = path.join(dir, 'j.ndjson');
    const rec = (name: string, outcome: string): string => JSON.stringify({ name, service: 'datastore', outcome, code: 'OK', attempts: 1, latencyMs: 1 });
    writeFileSync(
      file,
      [
        rec('projects/p/operations/done', 'cancel-requested'),
        rec('projects/p/operations/gone', 'not-found'),
        rec('projects/p/operations/stopped', 'not-attempted'),
        rec('projects/p/operations/aborted', 'aborted'),
        rec('projects/p/operations/odd', 'teleported'),
        '{"name":"projects/p/operations/torn","service":"datas',
      ].join('\n') + '\n',
    );
    const done = await readJournal(file);
    expect(done.size).toBe(2);
    expect(done.get(journalKey('datastore', 'projects/p/operations/done'))).toBe('cancel-requested');
    expect(done.get(journalKey('datastore', 'projects/p/operations/gone'))).toBe('not-found');
    for (const n of ['stopped', 'aborted', 'odd', 'torn']) expect(done.has(journalKey('datastore', `projects/p/operations/${n}`))).toBe(false);
    expect(await readJournal(path.join(dir, 'missing.ndjson'))).toEqual(new Map());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
