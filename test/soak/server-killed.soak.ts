// Soak (npm run test:soak, not part of npm test): 1,000,000 names through the real CLI with its
// default retry policy, and the server killed once 10 % of them have been answered. The run must
// end within 2 minutes of the kill — not after 900,000 names × 5 attempts — with exactly one
// record per line, the names it could not send ending `not-attempted` (with the reason), and
// a journal from which a rerun would pick those up.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startOperationsEmulator } from '../../src/emulator';
import { startCli } from '../cli/helpers/spawn-cli';

const LINES = 1_000_000;
const KILL_AT = LINES / 10;

test(
  `${LINES.toLocaleString('en-US')} names, server killed at 10 %: the run ends within 2 minutes of the kill, one record per name`,
  async () => {
    // No operation is seeded: every call is answered NOT_FOUND while the server is up (an answer
    // all the same), and the emulator holds nothing per name.
    const emulator = await startOperationsEmulator({ recordCalls: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-kill-soak-'));
    try {
      const input = path.join(dir, 'names.txt');
      const output = path.join(dir, 'records.ndjson');
      const journal = path.join(dir, 'journal.ndjson');
      {
        const fh = await open(input, 'w');
        for (let i = 0; i < LINES; i += 50_000) {
          const chunk: string[] = [];
          for (let j = i; j < i + 50_000; j++) chunk.push(`projects/p/operations/k-${j}`);
          await fh.write(`${chunk.join('\n')}\n`);
        }
        await fh.close();
      }

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
          emulator.target,
          '--concurrency',
          '128',
          '--quiet',
        ],
        {},
        20 * 60_000,
      );
      let killedAt = 0;
      const watcher = setInterval(() => {
        if (killedAt === 0 && (emulator.counts.get('CancelOperation') ?? 0) >= KILL_AT) {
          killedAt = Date.now();
          void emulator.stop();
        }
      }, 20);
      const r = await run.exited.finally(() => clearInterval(watcher));
      const afterKillS = (Date.now() - killedAt) / 1000;
      expect(killedAt).toBeGreaterThan(0);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);

      const seen = new Uint8Array(LINES + 1);
      const got: Record<string, number> = {};
      let records = 0;
      let reason = '';
      for await (const line of createInterface({ input: createReadStream(output), crlfDelay: Infinity })) {
        const rec = JSON.parse(line) as { line: number; name: string; outcome: string; message?: string };
        records++;
        expect(seen[rec.line]).toBe(0);
        seen[rec.line] = 1;
        expect(rec.name).toBe(`projects/p/operations/k-${rec.line - 1}`);
        got[rec.outcome] = (got[rec.outcome] ?? 0) + 1;
        if (rec.outcome === 'not-attempted' && !reason) reason = rec.message ?? '';
      }
      process.stderr.write(
        `kill soak: run ended ${afterKillS.toFixed(1)} s after the kill; outcomes ${JSON.stringify(got)}\n`,
      );
      expect(records).toBe(LINES);
      expect(got['not-found'] ?? 0).toBeGreaterThanOrEqual(KILL_AT);
      expect(got['not-attempted'] ?? 0).toBeGreaterThan(LINES / 2);
      expect(reason).toContain('service looks down');
      expect(afterKillS).toBeLessThan(120);

      // The journal holds the final records only: not-attempted and error are left for a rerun.
      let journaled = 0;
      for await (const line of createInterface({ input: createReadStream(journal), crlfDelay: Infinity })) {
        if (line.includes('"outcome":"not-found"')) journaled++;
      }
      expect(journaled).toBe(got['not-found']);
    } finally {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  20 * 60_000,
);
