/**
 * Opening `batch --input`. What it is decides what Ctrl-C does: a regular file is finite, so
 * the rest of it is read and every remaining line gets a record; anything else (a pipe, a FIFO,
 * `/dev/stdin`, `<(cmd)`, a terminal, a device such as /dev/zero) may never end, so reading it
 * stops at the first Ctrl-C.
 *
 * FIFOs and terminals are read through libuv's non-blocking handles rather than fs reads: an fs
 * read runs on the thread pool, and one blocked there (a writer that keeps the FIFO open and
 * sends nothing) holds up even process.exit() until it returns, which made a second Ctrl-C
 * take as long as the writer stayed silent.
 */
import { constants, createReadStream, fstatSync, openSync, type Stats, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';
import { UsageError } from './exit-error';
import { describeIoError } from './output-sink';

export interface InputSource {
  stream: Readable;
  /** A regular file (also on stdin): read to its end even after Ctrl-C. */
  regularFile: boolean;
}

/** Standard input (`--input -`): a regular file when the shell redirected one (`< names.txt`). */
export function stdinSource(stdin: Readable): InputSource {
  const fd = (stdin as { fd?: unknown }).fd;
  let regularFile = false;
  try {
    regularFile = typeof fd === 'number' && fstatSync(fd).isFile();
  } catch {
    // No descriptor to look at (a stream in a test): treat it as a pipe.
  }
  return { stream: stdin, regularFile };
}

/**
 * Open a path given to `--input`; any failure is a usage error naming it. `stdin` is used for a
 * path that is our own standard input when that is a socket (`/dev/stdin` under a process
 * spawned with pipes), which cannot be opened again.
 */
export function openInputFile(
  path: string,
  command: string,
  stdin?: () => Readable | undefined,
): InputSource {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`--input: file "${path}" does not exist or cannot be read`, command);
  }
  if (stat.isDirectory())
    throw new UsageError(
      `--input: "${path}" is a directory; give a file with one operation name per line`,
      command,
    );
  if (stat.isSocket()) {
    const own = stdin?.();
    if (own && isSameFile(0, stat)) return stdinSource(own);
    throw new UsageError(`--input: "${path}" is a socket; pipe it in with --input - instead`, command);
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait on the main thread for a writer (the pipe handle
    // below waits for data without blocking). Other files are opened as usual.
    fd = openSync(path, stat.isFIFO() ? constants.O_RDONLY | constants.O_NONBLOCK : constants.O_RDONLY);
  } catch (e) {
    throw new UsageError(`--input: cannot read "${path}": ${describeIoError(e)}`, command);
  }
  const opened = fstatSync(fd);
  if (opened.isFIFO())
    return { stream: new Socket({ fd, readable: true, writable: false }), regularFile: false };
  if (isatty(fd)) return { stream: new TtyReadStream(fd), regularFile: false };
  return { stream: createReadStream('', { fd }), regularFile: opened.isFile() };
}

function isSameFile(fd: number, stat: { dev: number; ino: number }): boolean {
  try {
    const s = fstatSync(fd);
    return s.dev === stat.dev && s.ino === stat.ino;
  } catch {
    return false;
  }
}
