// An input that fails mid-way (an async iterable that throws, a Readable that emits 'error'):
// the iteration yields a record for every name read before the failure, ends the calls in
// flight (they finish within the grace, or are aborted after it), then rejects with the
// input's own error — and leaves no unhandled rejection behind (checked in a child process,
// where process.on('unhandledRejection') sees what jest's sandbox would hide).
import { Readable } from 'node:stream';
import { cancelMany, type BatchOptions, type BatchRecord } from '../../src/batch/cancel-many';
import { readLines } from '../../src/batch/read-lines';
import { createCanceller } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);
const emu = useEmulator();

function seed(prefix: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `projects/p/operations/${prefix}${i}`);
  for (const name of names) emu.get().store.seed({ name, service: 'datastore' });
  return names;
}

/** Names, then `error` thrown by the iterable itself. */
async function* namesThenThrow(names: string[], error: Error): AsyncGenerator<string> {
  for (const n of names) yield n;
  throw error;
}

/** A byte stream that sends `names` (one per line), then fails with `error`. */
function streamThenError(names: string[], error: Error): Readable {
  const stream = new Readable({ read() {} });
  stream.push(`${names.join('\n')}\n`);
  setTimeout(() => stream.destroy(error), 50);
  return stream;
}

/** Iterate to the end: the records yielded, and what the iteration rejected with. */
async function drain(
  input: AsyncIterable<string>,
  options: BatchOptions,
): Promise<{ recs: BatchRecord[]; error: unknown }> {
  const recs: BatchRecord[] = [];
  try {
    for await (const r of cancelMany(input, {
      emulator: emu.get().target,
      service: 'datastore',
      concurrency: 2,
      ...options,
    }))
      recs.push(r);
  } catch (e) {
    return { recs, error: e };
  }
  return { recs, error: undefined };
}

test('an async iterable that throws after 5 names: 5 records (in flight finished within the grace, queued not-attempted), then that error', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 300 });
  const broke = new Error('input broke after five names');
  const { recs, error } = await drain(namesThenThrow(seed('gen', 5), broke), {});
  expect(error).toBe(broke);
  expect(recs.map((r) => r.line).sort()).toEqual([1, 2, 3, 4, 5]);
  // The input failed long before the first answer (300 ms): the 2 in flight finished, the 3 queued were never sent.
  expect(e.callsOf('CancelOperation')).toHaveLength(2);
  expect(recs.filter((r) => r.outcome === 'cancel-requested')).toHaveLength(2);
  expect(recs.filter((r) => r.outcome === 'not-attempted')).toHaveLength(3);
});

test('a Readable that emits error, through readLines, under a slow server: in-flight calls aborted after the grace, then the stream error; the given canceller holds no call', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 10_000 });
  const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
  const canceller = createCanceller({ emulator: e.target });
  try {
    const t0 = performance.now();
    const { recs, error } = await drain(readLines(streamThenError(seed('rd', 6), eio)), {
      canceller,
      graceMs: 300,
    });
    // Long before the server's 10 s answer: the grace ended the calls in flight.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(error).toBe(eio);
    expect(recs.map((r) => r.line).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recs.filter((r) => r.outcome === 'aborted')).toHaveLength(e.callsOf('CancelOperation').length);
    expect(recs.filter((r) => r.outcome === 'aborted').length).toBeGreaterThan(0);
    expect(
      callerOf(canceller)
        .stubs()
        .every((s) => s.inflightCount === 0),
    ).toBe(true);
  } finally {
    await canceller.close();
  }
});

test('in a child process: both failing inputs reject with their error and leave no unhandled rejection', async () => {
  const e = emu.get();
  e.setFaults('datastore', { latencyMs: 2000 });
  const names = seed('child', 4);
  const script = `
    const { Readable } = require('node:stream');
    const { cancelMany } = require(${JSON.stringify(cliModule('batch/cancel-many'))});
    const { readLines } = require(${JSON.stringify(cliModule('batch/read-lines'))});
    const unhandled = [];
    process.on('unhandledRejection', (e) => unhandled.push(String(e)));
    const names = ${JSON.stringify(names)};
    async function* gen() { yield* names; throw new Error('generator failed'); }
    function stream() {
      const s = new Readable({ read() {} });
      s.push(names.join('\\n') + '\\n');
      setTimeout(() => s.destroy(new Error('stream failed')), 50);
      return s;
    }
    async function run(input, graceMs) {
      let n = 0;
      try {
        for await (const r of cancelMany(input, { emulator: ${JSON.stringify(e.target)}, service: 'datastore', concurrency: 2, graceMs })) n++;
        return { n, error: null };
      } catch (err) {
        return { n, error: err.message };
      }
    }
    (async () => {
      const results = [await run(gen(), 5000), await run(readLines(stream()), 200)];
      // Late rejections (an abandoned call, a stream) show up within a few turns: wait for them.
      await new Promise((r) => setTimeout(r, 500));
      console.log(JSON.stringify({ results, unhandled }));
    })();
  `;
  const r = await runNodeScript(script, {}, 25_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    results: [
      { n: 4, error: 'generator failed' },
      { n: 4, error: 'stream failed' },
    ],
    unhandled: [],
  });
});
