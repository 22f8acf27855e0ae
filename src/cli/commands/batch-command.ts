import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { checkJournal } from '../../batch/cancel-journal';
import { batchSucceeded, cancelMany, type BatchOptions } from '../../batch/cancel-many';
import { classifyLine } from '../../batch/input-lines';
import { readLines } from '../../batch/read-lines';
import type { CommandIO } from '../command-io';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { openInputFile, stdinSource, type InputSource } from '../input-source';
import { OutputError, OutputSink } from '../output-sink';
import { formatSummary, ProgressReporter } from '../progress-reporter';
import { checkDistinctFiles } from '../same-file';
import { batchOptionsFrom, type BatchFlags, type ConnectionOptions } from './connection';

/** Options of `lro-cancel batch`. */
export interface BatchCommandOptions extends ConnectionOptions, BatchFlags {
  /** Input file, or '-' for stdin (default). */
  input?: string;
  /** Output file, or '-' for stdout (default). */
  output?: string;
  /** No progress bar and no summary. */
  quiet?: boolean;
}

/**
 * Cancel every name of a file or stdin: one JSON record per name line on the output, progress
 * and a summary on stderr. Every line gets a record, even on Ctrl-C (the rest of a regular file
 * is read and given 'not-attempted'; a pipe, FIFO or device stops being read, and the summary
 * says so). A failed write of the output stops the run: no new calls, calls in flight aborted,
 * one line on stderr, exit 1 (141 for a closed pipe).
 */
export async function batchCommand(options: BatchCommandOptions, io: CommandIO): Promise<number> {
  const inputPath = options.input ?? '-';
  const outputPath = options.output ?? '-';
  const fromStdin = inputPath === '-';
  // Before anything is opened or truncated.
  await checkDistinctFiles(
    [
      { flag: '--input', path: inputPath },
      { flag: '--output', path: outputPath },
      { flag: '--journal', path: options.journal },
    ],
    'batch',
  );
  // Before the output is opened (truncated): not a regular file is a usage error; in use by another run, exit 1.
  if (options.journal !== undefined) {
    await checkJournal(options.journal).catch((e: unknown) => {
      throw e instanceof TypeError ? new UsageError(`--${e.message}`, 'batch') : e;
    });
  }
  let source: InputSource;
  if (fromStdin) {
    if (!io.stdin) throw new UsageError('--input -: no standard input available', 'batch');
    source = stdinSource(io.stdin as Readable);
  } else source = openInputFile(inputPath, 'batch', () => io.stdin as Readable | undefined);
  const input = source.stream;
  let output: Writable | CommandIO['stdout'];
  try {
    output = await openOutput(outputPath, io);
  } catch (e) {
    input.destroy();
    throw e;
  }
  // A failed write stops sending at once, not at the next record (which may be far off).
  const outputFailed = new AbortController();
  const sink = new OutputSink(output, outputPath === '-' ? 'stdout' : `--output ${outputPath}`, (failure) =>
    outputFailed.abort(failure),
  );
  const isTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const progress =
    isTty && !options.quiet
      ? new ProgressReporter(io.stderr, (io.stderr as { columns?: number }).columns ?? 100)
      : undefined;
  // Counting reads the file a second time: only a regular file can be.
  if (progress && !fromStdin && source.regularFile)
    void countNameLines(inputPath).then(
      (n) => (progress.total = n),
      () => undefined,
    );

  const stop = AbortSignal.any([io.signal, outputFailed.signal]);
  const batchOptions: BatchOptions = {
    ...batchOptionsFrom(options, io, 'batch'),
    signal: stop,
    // A regular file is finite: read it out so every line gets a record. Anything else may
    // never end (a FIFO whose writer stays, /dev/zero): stop reading it.
    onAbort: source.regularFile ? 'drain' : 'stop',
    ...(progress ? { onProgress: (s) => progress.update(s) } : {}),
  };

  const run = cancelMany(readLines(input), batchOptions);
  try {
    for await (const record of run) {
      if (!sink.write(`${JSON.stringify(record)}\n`)) await sink.drained();
      // Leaving the loop ends the run: no new calls, calls in flight aborted, journal closed.
      if (sink.failure) break;
    }
  } finally {
    progress?.update(run.stats, true);
    progress?.end();
    if (output === io.stdout) sink.detach();
    else await sink.end();
    // Stop reading: a file is done with, and a pipe may still be open after Ctrl-C.
    if (!fromStdin || stop.aborted) input.destroy();
  }
  if (sink.failure) {
    // main.ts has already reported a failure of stdout (and aborted io.signal with it).
    throw output === io.stdout && io.signal.reason instanceof OutputError
      ? new ExitError(sink.failure.code)
      : sink.failure;
  }
  if (!options.quiet) io.stderr.write(formatSummary(run.stats));
  if (io.signal.aborted) return ExitCode.INTERRUPTED;
  return batchSucceeded(run.stats) ? ExitCode.OK : ExitCode.FAILURE;
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

/** Count the name lines of a file (for the progress bar's total), streaming. */
async function countNameLines(path: string): Promise<number> {
  let n = 0;
  let line = 0;
  for await (const raw of readLines(createReadStream(path))) {
    if (classifyLine(raw, ++line).kind === 'name') n++;
  }
  return n;
}
