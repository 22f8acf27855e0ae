/**
 * Scenario 4's stand-in for `lro-cancel batch --input FILE --quiet` while the CLI has no batch
 * command: cancelMany over the file, streamed line by line, records counted and dropped.
 * `node batch-file.js FILE HOST:PORT`; prints `BENCH_RESULT {json}` at the end.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { loadLib } from './lib';

async function main(): Promise<void> {
  const [file, target] = process.argv.slice(2) as [string, string];
  const { cancelMany } = loadLib();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  const run = cancelMany(lines, { emulator: target });
  const byOutcome: Record<string, number> = {};
  for await (const rec of run) byOutcome[rec.outcome] = (byOutcome[rec.outcome] ?? 0) + 1;
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({ byOutcome, quotaRejections: run.stats.quotaRejections })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
