// `lro-cancel batch` as a child process: Ctrl-C mid-run and a kill -9 with a journal.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useEmulator } from '../helpers/emulator';
import { runCliProcess, startCli } from './helpers/spawn-cli';
import { seedNamesFile } from './helpers/seed-file';

jest.setTimeout(60_000);
const emu = useEmulator({ recordCalls: false });

function seedFile(count: number, prefix: string): { file: string; dir: string } {
  return seedNamesFile(emu.get(), count, prefix, ['# names to cancel', '']);
}

function records(stdout: string): Array<{ line: number; name: string; outcome: string }> {
  return stdout
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { line: number; name: string; outcome: string });
}

test('SIGINT mid-run: exit 130, no new calls, every line of the file still gets exactly one record', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 50 });
  const { file } = seedFile(2000, 'int');
  const before = e.counts.get('CancelOperation') ?? 0;
  const run = startCli([
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    e.target,
    '--concurrency',
    '8',
    '--quiet',
  ]);
  await run.waitForStdout(/"outcome":"cancel-requested"[\s\S]*\n.*\n.*\n/);
  run.child.kill('SIGINT');
  const r = await run.exited;
  expect(r.code).toBe(130);
  const recs = records(r.stdout);
  expect(recs).toHaveLength(2000);
  expect(new Set(recs.map((x) => x.line)).size).toBe(2000);
  const sent = recs.filter((x) => x.outcome === 'cancel-requested').length;
  expect(sent).toBeGreaterThan(0);
  expect(recs.filter((x) => x.outcome === 'not-attempted')).toHaveLength(2000 - sent);
  // Nothing was sent after the stop: the emulator's cancel count equals the accepted records.
  expect((e.counts.get('CancelOperation') ?? 0) - before).toBe(sent);
});

test('kill -9 mid-run with a journal, then rerun: every name has exactly one final outcome across the two runs, and no journaled name is sent again', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 20 });
  const { file, dir } = seedFile(1500, 'kill');
  const names = Array.from({ length: 1500 }, (_, i) => `projects/p/operations/kill${i}`);
  // The emulator's per-operation count of CancelOperation requests it acted on.
  const cancelsOf = (): Map<string, number> =>
    new Map(names.map((n) => [n, e.store.get(n)?.cancelRequests ?? 0]));
  const journal = path.join(dir, 'journal.ndjson');
  const args = [
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    e.target,
    '--concurrency',
    '16',
    '--journal',
    journal,
    '--quiet',
  ];
  const first = startCli(args);
  await first.waitForStdout(/(?:.*\n){100}/);
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');
  // Calls the killed run had in flight still land at the server (20 ms latency): let them.
  await new Promise((r) => setTimeout(r, 300));
  const afterFirst = cancelsOf();
  const printedFirst = records(killed.stdout.slice(0, killed.stdout.lastIndexOf('\n') + 1));
  const journaled = new Map(
    readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('}'))
      .map((l) => JSON.parse(l) as { name: string; outcome: string })
      .map((x) => [x.name, x.outcome]),
  );
  // A record is printed only once it is in the journal, with the outcome it was journaled with.
  expect(printedFirst.length).toBeGreaterThanOrEqual(100);
  for (const x of printedFirst) expect(journaled.get(x.name)).toBe(x.outcome);
  expect(journaled.size).toBeLessThan(1500); // killed mid-run: the rerun has names left to do

  const second = await runCliProcess(args);
  expect(second.code).toBe(0);
  const recs = records(second.stdout) as Array<{
    line: number;
    name: string;
    outcome: string;
    previousOutcome?: string;
  }>;
  expect(recs).toHaveLength(1500);
  const byName = new Map(recs.map((x) => [x.name, x]));
  expect(byName.size).toBe(1500); // one record per name
  const afterSecond = cancelsOf();
  for (const name of names) {
    const rec = byName.get(name);
    const prev = journaled.get(name);
    if (prev !== undefined) {
      // Final in run 1: skipped with that outcome, and not sent again.
      expect({ name, outcome: rec?.outcome, previousOutcome: rec?.previousOutcome }).toEqual({
        name,
        outcome: 'skipped',
        previousOutcome: prev,
      });
      expect({ name, sentInRun2: afterSecond.get(name)! - afterFirst.get(name)! }).toEqual({
        name,
        sentInRun2: 0,
      });
    } else {
      // Not final in run 1: its final outcome comes from run 2 (names the killed run cancelled
      // without journaling them read back as 'cancelled').
      expect({ name, outcome: rec?.outcome }).toEqual({
        name,
        outcome: expect.stringMatching(/^(cancel-requested|cancelled)$/),
      });
    }
    expect(e.store.get(name)?.done).toBe(true);
  }
});

test('batch: a missing input file or a directory is a usage error (exit 2); an empty file gives exit 0 and no records', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-batch-'));
  const missing = await runCliProcess([
    'batch',
    '--input',
    path.join(dir, 'nope.txt'),
    '--emulator',
    emu.get().target,
  ]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--input: file ".*nope.txt" does not exist/);
  const isDir = await runCliProcess(['batch', '--input', dir, '--emulator', emu.get().target]);
  expect(isDir.code).toBe(2);
  expect(isDir.stderr).toMatch(/is a directory/);
  const empty = path.join(dir, 'empty.txt');
  writeFileSync(empty, '');
  const r = await runCliProcess(['batch', '--input', empty, '--emulator', emu.get().target, '--quiet']);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('');
});

test('get, list and cancel-all --dry-run from the command line', async () => {
  const e = emu.get();
  for (let i = 0; i < 7; i++)
    e.store.seed({
      name: `projects/p/locations/l/operations/c${i}`,
      service: 'dataplex',
      ...(i === 0 ? { doneAs: 'completed' as const } : {}),
    });
  const common = ['--service', 'dataplex', '--emulator', e.target];
  const got = await runCliProcess(['get', 'projects/p/locations/l/operations/c0', ...common]);
  expect(got.code).toBe(0);
  expect(JSON.parse(got.stdout)).toEqual({
    kind: 'operation',
    name: 'projects/p/locations/l/operations/c0',
    service: 'dataplex',
    done: true,
    // The emulator's operations carry their service's metadata and response types, decoded.
    metadata: expect.objectContaining({
      '@type': 'type.googleapis.com/google.cloud.dataplex.v1.OperationMetadata',
      verb: 'create',
      target: 'projects/p/locations/l/lakes/demo-lake',
    }),
    response: { '@type': 'type.googleapis.com/google.cloud.dataplex.v1.Lake' },
    normalized: {
      createTime: expect.any(String),
      endTime: expect.any(String),
      kind: 'create',
      target: 'projects/p/locations/l/lakes/demo-lake',
      cancelRequested: false,
    },
  });
  const listed = await runCliProcess([
    'list',
    'projects/p/locations/l',
    '--filter',
    'done=false',
    '--page-size',
    '2',
    ...common,
  ]);
  expect(listed.code).toBe(0);
  expect(records(listed.stdout)).toHaveLength(6);
  const before = e.counts.get('CancelOperation') ?? 0;
  const dry = await runCliProcess(['cancel-all', 'projects/p/locations/l', '--dry-run', ...common]);
  expect(dry.code).toBe(0);
  expect(records(dry.stdout)).toHaveLength(6);
  // Written as records write them: relative name, service id.
  expect(JSON.parse(dry.stdout.split('\n')[0] as string)).toEqual({
    kind: 'would-cancel',
    name: 'projects/p/locations/l/operations/c1',
    service: 'dataplex',
    normalized: expect.objectContaining({ kind: 'create', cancelRequested: false }),
  });
  expect(e.counts.get('CancelOperation') ?? 0).toBe(before);
  const all = await runCliProcess([
    'cancel-all',
    'projects/p/locations/l',
    '--confirm',
    '--quiet',
    ...common,
  ]);
  expect(all.code).toBe(0);
  expect(records(all.stdout).map((x) => x.outcome)).toEqual(Array(6).fill('cancelled'));
});

test('stdin left open: Ctrl-C still ends the run (exit 130), every line read gets a record, and the summary says the rest was not read', async () => {
  const e = emu.get();
  const names: string[] = [];
  for (let i = 0; i < 50; i++) {
    const name = `projects/p/operations/stdin${i}`;
    e.store.seed({ name, service: 'datastore' });
    names.push(name);
  }
  const run = startCli(['batch', '--input', '-', '--service', 'datastore', '--emulator', e.target]);
  run.child.stdin.write(`${names.join('\n')}\n`);
  await run.waitForStdout(/(?:.*\n){50}/);
  run.child.kill('SIGINT'); // stdin is still open: no EOF will ever come
  const r = await run.exited;
  expect(r.code).toBe(130);
  expect(records(r.stdout)).toHaveLength(50);
  expect(r.stderr).toMatch(/stopped before the end of the input: the rest of it was not read/);
});
