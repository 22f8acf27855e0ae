// Soak (npm run test:soak, not part of npm test): a 2,000,000-line file through the real CLI
// (`batch --output FILE --journal FILE --quiet`). Exactly one record per line, each outcome
// counted exactly, every final record journaled, and the child's memory stays flat: it is
// sampled from /proc while it runs.
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Code } from '../../src';
import { MAX_LINE_CHARS, OVERLONG_MARK } from '../../src/batch/read-lines';
import { startCli } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

const LINES = 2_000_000;
const emu = useEmulator({ recordCalls: false });

/** What line i (0-based) holds: 3 of 4 lines are hostile and invalid, the 4th is a real call. */
function lineFor(i: number): { text: string; kind: 'seeded' | 'missing' | 'invalid' } {
  const id = `soak-${i}`;
  switch (i % 4) {
    case 0:
      return i % 400 === 0
        ? { text: `projects/p/operations/${id}`, kind: 'seeded' }
        : { text: `projects/p/operations/${id}`, kind: 'missing' };
    case 1:
      return { text: `projects/p/operations/${id} x`, kind: 'invalid' }; // a space inside
    case 2:
      return { text: `projects/p/operations/${id}\u0000`, kind: 'invalid' }; // a NUL
    default:
      // Every 10,000th invalid line is longer than the reader keeps (64 KiB): it is cut, not buffered.
      return i % 10_000 === 3
        ? { text: `projects/p/operations/${id}${'L'.repeat(70_000)}`, kind: 'invalid' }
        : { text: `projects//operations/${id}`, kind: 'invalid' };
  }
}

/** The name a record carries for a line: its text (an invalid one too), cut as the reader cuts a line past its bound. */
function recordedName(text: string): string {
  return text.length > MAX_LINE_CHARS ? text.slice(0, 64) + OVERLONG_MARK : text;
}
const OUTCOME_OF = { seeded: 'cancel-requested', missing: 'not-found', invalid: 'invalid-name' } as const;

function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

test(
  `${LINES.toLocaleString('en-US')} lines: ${LINES.toLocaleString('en-US')} records, exact outcome counts, a complete journal, flat memory`,
  async () => {
    const e = emu.get();
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-soak-'));
    const input = path.join(dir, 'names.txt');
    const output = path.join(dir, 'records.ndjson');
    const journal = path.join(dir, 'journal.ndjson');
    const want = { seeded: 0, missing: 0, invalid: 0 };
    {
      const fh = await open(input, 'w');
      let buf: string[] = [];
      for (let i = 0; i < LINES; i++) {
        const { text, kind } = lineFor(i);
        want[kind]++;
        if (kind === 'seeded') e.store.seed({ name: text, service: 'datastore' });
        buf.push(text);
        if (buf.length === 50_000) {
          await fh.write(`${buf.join('\n')}\n`);
          buf = [];
        }
      }
      if (buf.length) await fh.write(`${buf.join('\n')}\n`);
      await fh.close();
    }
    const callsBefore = e.counts.get('CancelOperation') ?? 0;
    const notFoundBefore = e.codeCounts.get(Code.NOT_FOUND) ?? 0;

    const started = Date.now();
    const run = startCli(
      [
        'batch',
        '--input',
        input,
        '--output',
        output,
        '--journal',
        journal,
        '--service',
        'datastore',
        '--emulator',
        e.target,
        '--concurrency',
        '128',
        '--quiet',
      ],
      {},
      30 * 60_000,
    );
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const kb = run.child.pid === undefined ? undefined : rssKb(run.child.pid);
      if (kb !== undefined) samples.push(kb);
    }, 250);
    const r = await run.exited.finally(() => clearInterval(sampler));
    const elapsedS = (Date.now() - started) / 1000;

    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1); // invalid and not-found names

    // One record per line, each line number once, each with its own line's name and the outcome
    // that name calls for; outcomes counted exactly.
    const seen = new Uint8Array(LINES + 1);
    const got: Record<string, number> = {};
    const mismatched: unknown[] = [];
    let records = 0;
    let longest = 0;
    for await (const line of createInterface({ input: createReadStream(output), crlfDelay: Infinity })) {
      const rec = JSON.parse(line) as { line: number; name: string; outcome: string };
      records++;
      longest = Math.max(longest, line.length);
      expect(seen[rec.line]).toBe(0);
      seen[rec.line] = 1;
      got[rec.outcome] = (got[rec.outcome] ?? 0) + 1;
      const wrote = lineFor(rec.line - 1);
      if (rec.name !== recordedName(wrote.text) || rec.outcome !== OUTCOME_OF[wrote.kind]) {
        if (mismatched.length < 5) mismatched.push({ record: rec, wrote });
      }
    }
    expect(records).toBe(LINES);
    expect(mismatched).toEqual([]);
    expect(got).toEqual({
      'cancel-requested': want.seeded,
      'not-found': want.missing,
      'invalid-name': want.invalid,
    });
    // The 70 KB lines were cut, not echoed.
    expect(longest).toBeLessThan(2000);
    // Every call reached the emulator once: nothing retried, nothing lost.
    expect((e.counts.get('CancelOperation') ?? 0) - callsBefore).toBe(want.seeded + want.missing);
    expect((e.codeCounts.get(Code.NOT_FOUND) ?? 0) - notFoundBefore).toBe(want.missing);
    // Every record is final, so every record is in the journal.
    let journaled = 0;
    for await (const line of createInterface({ input: createReadStream(journal), crlfDelay: Infinity }))
      if (line.endsWith('}')) journaled++;
    expect(journaled).toBe(LINES);

    // Memory: sampled every 250 ms; it must level off, not grow with the input.
    expect(samples.length).toBeGreaterThan(20);
    const maxMb = Math.max(...samples) / 1024;
    const half = Math.floor(samples.length / 2);
    const firstHalfMb = Math.max(...samples.slice(0, half)) / 1024;
    const secondHalfMb = Math.max(...samples.slice(half)) / 1024;
    process.stderr.write(
      `soak: ${LINES} lines in ${elapsedS.toFixed(0)} s (${Math.round(LINES / elapsedS)} lines/s, ${want.seeded + want.missing} RPCs); ` +
        `child RSS max ${maxMb.toFixed(0)} MB (first half ${firstHalfMb.toFixed(0)} MB, second half ${secondHalfMb.toFixed(0)} MB); ` +
        `input ${(statSync(input).size / 1e6).toFixed(0)} MB\n`,
    );
    expect(maxMb).toBeLessThan(300);
    expect(secondHalfMb).toBeLessThan(firstHalfMb * 1.15 + 16);

    rmSync(dir, { recursive: true, force: true });
    expect(existsSync(dir)).toBe(false);
  },
  30 * 60_000,
);
