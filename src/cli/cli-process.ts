/**
 * The `lro-cancel` process (loaded by main.ts). The only module that touches the process: it
 * wires signals and streams into `runCli` and sets the exit status. Everything else returns codes.
 */
import { writeSync } from 'node:fs';
import { ExitCode } from './exit-error';
import { OutputError } from './output-sink';
import { reportError, runCli } from './run-cli';

/** 128 + SIGINT, also after SIGTERM and SIGHUP (one status for "stopped by a signal"). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const controller = new AbortController();
let interrupts = 0;
function onSignal(signal: NodeJS.Signals): void {
  interrupts++;
  // A second signal means "now": do not wait for calls in flight to report. (Nothing that could
  // hold up exit sits on the thread pool: FIFOs and terminals are read through non-blocking
  // handles, see input-source.ts.)
  if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
  controller.abort(new Error(`received ${signal}`));
}
for (const s of STOP_SIGNALS) process.on(s, onSignal);

// Once stderr itself cannot be written (a closed pipe), there is nowhere left to report to:
// ignore its errors rather than die with a stack.
process.stderr.on('error', () => undefined);

// stdout on a file or device is a SyncWriteStream: one writeSync per chunk, and what a short
// write (the disk filling up mid-chunk) left over is dropped without an error. Write the rest,
// so that it meets the real error (ENOSPC, EFBIG) and the run fails loudly.
const stdoutStream = process.stdout as unknown as {
  _type?: string;
  fd: number;
  _write: (chunk: Buffer, encoding: string, cb: (e?: Error | null) => void) => void;
};
if (stdoutStream._type === 'fs') {
  stdoutStream._write = (chunk, _encoding, cb) => {
    try {
      for (let off = 0; off < chunk.length; )
        off += writeSync(stdoutStream.fd, chunk, off, chunk.length - off);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  };
}

// Any failure to write stdout (a closed pipe: `| head`; ENOSPC; EIO) ends the run, whatever the
// command: one line on stderr, io.signal aborted with the OutputError (commands stop sending),
// exit 141 for a closed pipe, else 1. Never exit 0 with the output cut short.
let outputFailure: OutputError | undefined;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (outputFailure) return;
  outputFailure = new OutputError('stdout', err);
  process.exitCode = outputFailure.code;
  reportError(outputFailure, { stderr: process.stderr });
  controller.abort(outputFailure);
  // Commands stop on the abort; one still busy after a second is not waited for.
  setTimeout(() => process.exit(process.exitCode), 1000).unref();
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  // A getter: process.stdin is created on first access, so only commands that read it pay for it.
  get stdin() {
    return process.stdin;
  },
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}).then((code) => {
  // A failed stdout decides the status, whatever the command made of the abort.
  process.exitCode = outputFailure?.code ?? code;
  for (const s of STOP_SIGNALS) process.off(s, onSignal);
  // Let stdout drain and exit on its own; if some handle lingers, do not hang the shell.
  setTimeout(() => process.exit(process.exitCode), 2000).unref();
});
