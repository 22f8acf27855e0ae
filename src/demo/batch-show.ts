/**
 * Part two of `npm run demo`: `lro-cancel batch --confirm` over 5,000 operations on the five
 * services with a realistic mix, progress bar and summary on stderr, then a check that every
 * record says what the seed implies (by input line).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BatchRecord } from '../batch/batch-record';
import { runCli } from '../cli/run-cli';
import { fullName, sampleOperations } from '../emulator/sample-names';
import { startOperationsEmulator, type OperationSeed } from '../emulator';
import type { Outcome } from '../outcome';

interface Kind {
  label: string;
  /** Share of the batch, in percent. */
  percent: number;
  seed?: Omit<OperationSeed, 'name' | 'service'>;
  /** Not seeded at all (missing), or a garbage input line. */
  missing?: boolean;
  garbage?: boolean;
  expect: Outcome;
  attempts?: number;
}

const KINDS: readonly Kind[] = [
  { label: 'running, cancels at once', percent: 50, seed: {}, expect: 'cancelled' },
  { label: 'running, cancel takes a moment', percent: 15, seed: { settleMs: 400 }, expect: 'cancelled' },
  {
    label: 'completes despite the cancel',
    percent: 5,
    seed: { onCancel: 'complete', settleMs: 100 },
    expect: 'completed',
  },
  { label: 'fails while cancelling', percent: 3, seed: { onCancel: 'fail' }, expect: 'failed' },
  {
    label: 'already finished before the cancel',
    percent: 6,
    seed: { doneAs: 'completed' },
    expect: 'completed',
  },
  {
    label: 'flaky: two UNAVAILABLE first',
    percent: 5,
    seed: { failTimes: 2 },
    expect: 'cancelled',
    attempts: 3,
  },
  {
    label: 'service says UNIMPLEMENTED',
    percent: 5,
    seed: { onCancel: 'unimplemented' },
    expect: 'unsupported',
  },
  { label: 'ignores the cancel', percent: 1, seed: { onCancel: 'ignore' }, expect: 'still-running' },
  { label: 'no such operation', percent: 6, missing: true, expect: 'not-found' },
  { label: 'garbage input line', percent: 4, garbage: true, expect: 'invalid-name' },
];

const TOTAL = 5000;

export async function batchShow(): Promise<number> {
  const started = performance.now();
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const emulator = await startOperationsEmulator({ recordCalls: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-cancel-demo-'));
  try {
    // Deterministic mix: kind i of the 100-slot cycle, spread over services round-robin.
    const cycle: Kind[] = KINDS.flatMap((k) => Array<Kind>(k.percent).fill(k));
    const ops = sampleOperations(TOTAL, 'batch');
    const lines: string[] = ['# lro-cancel demo batch: one operation name per line', ''];
    const expected = new Map<number, Kind>();
    ops.forEach((op, i) => {
      const kind = cycle[(i * 37) % cycle.length] as Kind;
      if (!kind.missing && !kind.garbage)
        emulator.store.seed({ ...kind.seed, name: op.name, service: op.service.id });
      lines.push(kind.garbage ? `not an operation name #${i}` : fullName(op.service, op.name));
      expected.set(lines.length, kind);
    });
    const input = path.join(dir, 'names.txt');
    const output = path.join(dir, 'results.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);

    say(`lro-cancel demo, part 3: ${TOTAL} operations on five services, a realistic mix:`);
    for (const k of KINDS) say(`  ${String(k.percent).padStart(3)}%  ${k.label.padEnd(36)} -> ${k.expect}`);
    say(
      `$ lro-cancel batch --input names.txt --output results.ndjson --confirm --confirm-timeout 3s --emulator ${emulator.target}`,
    );
    const code = await runCli(
      [
        'batch',
        '--input',
        input,
        '--output',
        output,
        '--confirm',
        '--confirm-timeout',
        '3s',
        '--max-attempts',
        '4',
        '--emulator',
        emulator.target,
      ],
      {
        stdout: process.stdout,
        stderr: process.stderr,
        env: { METADATA_SERVER_DETECTION: 'none' },
        signal: new AbortController().signal,
      },
    );

    const records = readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BatchRecord);
    const problems: string[] = [];
    if (records.length !== TOTAL) problems.push(`${records.length} records for ${TOTAL} names`);
    const seen = new Set<number>();
    for (const r of records) {
      const kind = r.line === undefined ? undefined : expected.get(r.line);
      if (!kind || seen.has(r.line as number)) {
        problems.push(`unexpected or duplicate record for line ${r.line}`);
        continue;
      }
      seen.add(r.line as number);
      if (r.outcome !== kind.expect)
        problems.push(`line ${r.line} (${kind.label}): ${r.outcome}, expected ${kind.expect}`);
      if (kind.attempts !== undefined && r.attempts !== kind.attempts)
        problems.push(`line ${r.line} (${kind.label}): ${r.attempts} attempts, expected ${kind.attempts}`);
    }
    say(`first records of results.ndjson:`);
    for (const r of records.slice(0, 3)) say(`  ${JSON.stringify(r)}`);
    // Exit 1 is right: some names cannot be cancelled (unsupported, missing, garbage, ...).
    if (code !== 1) problems.push(`lro-cancel batch exited ${code}, expected 1`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (problems.length === 0) {
      say(`demo part 3 OK: all ${TOTAL} records match what was seeded (${seconds} s)`);
      return 0;
    }
    for (const p of problems.slice(0, 20)) say(`MISMATCH: ${p}`);
    say(`demo part 3 FAILED: ${problems.length} mismatch(es)`);
    return 1;
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
