import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { checkJournal } from '../../batch/cancel-journal';
import { batchSucceeded, cancelMany, type BatchOptions } from '../../batch/cancel-many';
import { classifyLine } from '../../batch/input-lines';
import { readLines } from '../../batch/read-lines';
import type { CommandIO } from '../command-io';
import type { ConnectionOptions } from '../command-table';
import { ExitCode, UsageError } from '../exit-error';
import { formatSummary, ProgressReporter } from '../progress-reporter';
import { cancellerOptionsFrom } from './connection';

/** Options of `lro-cancel batch`. */
export interface BatchCommandOptions extends ConnectionOptions {
  /** Input file, or '-' for stdin (default). */
  input?: string;
  /** Output file, or '-' for stdout (default). */
  output?: string;
  concurrency?: number;
  rate?: number;
  journal?: string;
  confirm?: boolean;
  confirmTimeoutMs?: number;
  quiet?: boolean;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Grace for in-flight calls after Ctrl-C, in ms (default 10 s). */
  graceMs?: number;
}

/** Exit status after SIGINT/SIGTERM, as shells expect (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/**
 * Cancel every name of a file or stdin: one JSON record per name line on the output, progress
 * and a summary on stderr. Every line gets a record, even on Ctrl-C (the rest of a file is
 * read and given 'not-attempted'; stdin stops being read, and the summary says so).
 */
export async function batchCommand(options: BatchCommandOptions, io: CommandIO): Promise<number> {
  const inputPath = options.input ?? '-';
  const fromStdin = inputPath === '-';
  if (!fromStdin) await checkReadableFile(inputPath);
  // Before the output is opened (truncated): not a regular file is a usage error; in use by another run, exit 1.
  if (options.journal !== undefined) {
    await checkJournal(options.journal).catch((e: unknown) => {
      throw e instanceof TypeError ? new UsageError(`--${e.message}`, 'batch') : e;
    });
  }
  const input = fromStdin ? (io.stdin as Readable | undefined) : createReadStream(inputPath);
  if (!input) throw new UsageError('--input -: no standard input available', 'batch');
  const output = await openOutput(options.output ?? '-', io);
  const isTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const progress = isTty && !options.quiet ? new ProgressReporter(io.stderr, (io.stderr as { columns?: number }).columns ?? 100) : undefined;
  if (progress && !fromStdin) void countNameLines(inputPath).then((n) => (progress.total = n), () => undefined);

  const batchOptions: BatchOptions = {
    ...cancellerOptionsFrom(options, io, 'batch'),
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.journal !== undefined ? { journal: options.journal } : {}),
    ...(options.confirm ? { confirm: options.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: options.confirmTimeoutMs } : true } : {}),
    ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    signal: io.signal,
    onAbort: fromStdin ? 'stop' : 'drain',
    ...(progress ? { onProgress: (s) => progress.update(s) } : {}),
  };
  if (options.timeoutMs !== undefined) batchOptions.retry = { ...batchOptions.retry, totalTimeoutMs: options.timeoutMs };

  const run = cancelMany(readLines(input), batchOptions);
  try {
    for await (const record of run) {
      if (!output.write(`${JSON.stringify(record)}\n`)) await waitDrain(output);
    }
  } finally {
    progress?.update(run.stats, true);
    progress?.end();
    await closeOutput(output, io);
    // Stop reading: a file is done with, and stdin may still be open after Ctrl-C.
    if (!fromStdin || io.signal.aborted) input.destroy();
  }
  if (!options.quiet) io.stderr.write(formatSummary(run.stats));
  if (io.signal.aborted) return EXIT_INTERRUPTED;
  return batchSucceeded(run.stats) ? ExitCode.OK : ExitCode.FAILURE;
}

async function checkReadableFile(path: string): Promise<void> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch {
    throw new UsageError(`--input: file "${path}" does not exist or cannot be read`, 'batch');
  }
  if (stat.isDirectory()) throw new UsageError(`--input: "${path}" is a directory; give a file with one operation name per line`, 'batch');
}

async function openOutput(path: string, io: CommandIO): Promise<Writable | CommandIO['stdout']> {
  if (path === '-') return io.stdout;
  try {
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  } catch (e) {
    throw new UsageError(`--output: cannot write "${path}": ${(e as Error).message}`, 'batch');
  }
}

function waitDrain(out: object): Promise<void> {
  const once = (out as { once?: (event: string, cb: () => void) => unknown }).once;
  return new Promise((resolve) => {
    if (typeof once === 'function') once.call(out, 'drain', resolve);
    else resolve();
  });
}

async function closeOutput(out: Writable | CommandIO['stdout'], io: CommandIO): Promise<void> {
  if (out === io.stdout) return;
  await new Promise<void>((resolve) => (out as Writable).end(resolve));
}

/** Count the name lines of a file (for the progress bar's total), streaming. */
async function countNameLines(path: string): Promise<number> {
  let n = 0;
  let line = 0;
  for await (const raw of readLines(createReadStream(path))) {
    if (classifyLine(raw, ++line).kind === 'name') n++;
  }
  return n;
}
